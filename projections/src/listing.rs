//! The listings a dashboard pages through, and the batched look-ups that fill each row.
//!
//! A page of decisions costs the same number of statements whatever its size: the rows come in
//! one statement, and what each row needs (its trail, milestones, indicators) comes in one more
//! statement per kind for the whole page, with an `IN` list of numbered placeholders, never one
//! statement per row. `IN` lists are cut at [`MAX_IDS_PER_STATEMENT`] ids, under SQLite's old
//! limit on parameters.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use cpts_domain::values::{Disposition, Lang};
use serde::Serialize;

use crate::at_rest::column;
use crate::db::{Param, ReadDb};
use cpts_domain::rules::{self, PromiseOutcome};

use crate::queries::{
    answer_facts, contribution_facts, promise, ContributionRow, IndicatorReport, InfluenceTrail,
    Result, TrailConsultation, TrailEntry,
};

/// The most ids one statement's `IN` list carries; more are read in several statements.
pub const MAX_IDS_PER_STATEMENT: usize = 900;

/// `$from, $from+1, …`: `n` numbered placeholders for an `IN` list.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ids once each, in their first order: a repeated id would only repeat rows.
fn distinct(ids: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    ids.iter()
        .map(String::as_str)
        .filter(|id| seen.insert(*id))
        .collect()
}

/// Runs `sql(list)` once per chunk of ids, where `list` is the chunk's placeholders, numbered
/// after `leading`'s; returns every chunk's rows. No ids, no statement.
pub(crate) async fn fetch_in<T>(
    db: &ReadDb,
    ids: &[String],
    leading: &[Param],
    sql: impl Fn(&str) -> String,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + Send
        + Unpin,
{
    let mut rows = Vec::new();
    for chunk in distinct(ids).chunks(MAX_IDS_PER_STATEMENT) {
        let mut params = leading.to_vec();
        params.extend(chunk.iter().map(|id| Param::from(*id)));
        let list = placeholders(leading.len() + 1, chunk.len());
        rows.extend(db.fetch::<T>(&sql(&list), &params).await?);
    }
    Ok(rows)
}

/// Which decisions a listing shows; every field left empty lets all through.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DecisionFilter {
    /// Only this status (`proposed`, `adopted`, `rejected`, `deferred`, `withdrawn`).
    pub status: Option<String>,
    /// Only this moment of participation (its wire name, e.g. `diagnosis`).
    pub moment: Option<String>,
    /// Only this mission (its wire name, e.g. `access_to_care`).
    pub mission: Option<String>,
    /// Only decisions of this body.
    pub body_id: Option<String>,
    /// Only decisions proposed on or after this day.
    pub proposed_from: Option<NaiveDate>,
    /// Only decisions proposed on or before this day.
    pub proposed_to: Option<NaiveDate>,
    /// Only decisions their body has voted on (see [`is_published`]): what the public sees.
    pub published_only: bool,
}

/// The statuses of a decision its body has voted on, which anyone may read.
const PUBLISHED: [&str; 3] = ["adopted", "rejected", "deferred"];

/// Whether a decision of this status is public: its body has voted on it.
pub fn is_published(status: &str) -> bool {
    PUBLISHED.contains(&status)
}

impl DecisionFilter {
    /// The `WHERE` clause of a CPTS's decisions (alias `d`) through this filter, and its
    /// parameters, numbered from `$1`.
    fn clause(&self, community_id: &str) -> (String, Vec<Param>) {
        let mut params = vec![Param::from(community_id)];
        let mut conditions = vec!["d.community_id = $1".to_owned()];
        let mut add = |condition: &str, param: Param| {
            params.push(param);
            conditions.push(format!("{condition} ${}", params.len()));
        };
        if let Some(status) = &self.status {
            add("d.status =", Param::from(status.as_str()));
        }
        if let Some(moment) = &self.moment {
            add("d.moment =", Param::from(moment.as_str()));
        }
        if let Some(mission) = &self.mission {
            add("d.mission =", Param::from(mission.as_str()));
        }
        if let Some(body_id) = &self.body_id {
            add("d.body_id =", Param::from(body_id.as_str()));
        }
        if let Some(from) = self.proposed_from {
            add("d.proposed_on >=", Param::from(from));
        }
        if let Some(to) = self.proposed_to {
            add("d.proposed_on <=", Param::from(to));
        }
        if self.published_only {
            conditions.push(format!("d.status IN ('{}')", PUBLISHED.join("', '")));
        }
        (conditions.join(" AND "), params)
    }
}

/// A decision as a listing shows it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct DecisionSummary {
    /// The decision.
    pub decision_id: String,
    /// Its CPTS.
    pub community_id: String,
    /// The body that decides.
    pub body_id: String,
    /// That body's name.
    pub body_name: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub text: String,
    /// Its moment of participation.
    pub moment: String,
    /// Its mission.
    pub mission: String,
    /// When it was proposed.
    pub proposed_on: String,
    /// `proposed`, `adopted`, `rejected`, `deferred` or `withdrawn`.
    pub status: String,
    /// When it was voted on.
    pub voted_on: Option<String>,
    /// The tally of the vote, as JSON.
    pub tally: Option<String>,
    /// How many times it was amended.
    pub amendments: i64,
    /// When it was withdrawn.
    pub withdrawn_on: Option<String>,
}

impl DecisionSummary {
    /// The cursor just after this decision in a listing.
    pub fn cursor(&self) -> DecisionCursor {
        DecisionCursor {
            proposed_on: self.proposed_on.clone(),
            decision_id: self.decision_id.clone(),
        }
    }
}

/// The columns of a [`DecisionSummary`] and the tables they come from.
const DECISION_ROWS: &str = "d.decision_id, d.community_id, d.body_id, \
     COALESCE(b.name, '') AS body_name, d.title, d.text, d.moment, d.mission, d.proposed_on, \
     d.status, d.voted_on, d.tally, d.amendments, d.withdrawn_on \
     FROM proj_decisions d LEFT JOIN proj_bodies b ON b.body_id = d.body_id";

/// Where a page of decisions stopped: the sort key of its last row, so the next page starts
/// right after it even when decisions are recorded meanwhile.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DecisionCursor {
    /// The last row's proposal day.
    pub proposed_on: String,
    /// The last row's id, which orders decisions proposed the same day.
    pub decision_id: String,
}

impl DecisionCursor {
    /// The cursor as text, for clients to hand back untouched.
    pub fn encode(&self) -> String {
        format!("{}~{}", self.proposed_on, self.decision_id)
    }

    /// Reads a cursor made by [`encode`](Self::encode); None for anything else.
    pub fn decode(text: &str) -> Option<Self> {
        let (day, id) = text.split_once('~')?;
        let proposed_on = day.parse::<NaiveDate>().ok()?.to_string();
        let id_ok = !id.is_empty()
            && id.len() <= 64
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        (proposed_on == day && id_ok).then(|| DecisionCursor {
            proposed_on,
            decision_id: id.to_owned(),
        })
    }
}

/// One page of a CPTS's decisions.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DecisionPage {
    /// The decisions, newest proposal first.
    pub items: Vec<DecisionSummary>,
    /// Whether more decisions follow the last one.
    pub has_next_page: bool,
    /// How many decisions pass the filter, on every page.
    pub total_count: u64,
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

/// A page of a CPTS's decisions through a filter, newest proposal first (then by id), starting
/// after `after`: keyset pagination, so a page costs the same wherever it is.
pub async fn decisions_page(
    db: &ReadDb,
    community_id: &str,
    filter: &DecisionFilter,
    after: Option<&DecisionCursor>,
    first: u32,
) -> Result<DecisionPage> {
    let (clause, mut params) = filter.clause(community_id);
    let total = db
        .fetch::<Count>(
            &format!("SELECT COUNT(*) AS n FROM proj_decisions d WHERE {clause}"),
            &params,
        )
        .await?
        .first()
        .map_or(0, |c| c.n);
    let mut sql = format!("SELECT {DECISION_ROWS} WHERE {clause}");
    if let Some(cursor) = after {
        params.push(Param::from(cursor.proposed_on.as_str()));
        params.push(Param::from(cursor.decision_id.as_str()));
        let (day, id) = (params.len() - 1, params.len());
        sql.push_str(&format!(
            " AND (d.proposed_on < ${day} OR (d.proposed_on = ${day} AND d.decision_id < ${id}))"
        ));
    }
    params.push(Param::from(i64::from(first) + 1));
    sql.push_str(&format!(
        " ORDER BY d.proposed_on DESC, d.decision_id DESC LIMIT ${}",
        params.len()
    ));
    let mut items = db.fetch::<DecisionSummary>(&sql, &params).await?;
    let has_next_page = items.len() > first as usize;
    items.truncate(first as usize);
    Ok(DecisionPage {
        items,
        has_next_page,
        total_count: u64::try_from(total).unwrap_or(0),
    })
}

/// The decisions of these ids, in the order asked, each once; unknown ids are left out. Not
/// scoped to a CPTS: check each row's `community_id` before showing it.
pub async fn decisions_by_ids(db: &ReadDb, ids: &[String]) -> Result<Vec<DecisionSummary>> {
    let mut found: HashMap<String, DecisionSummary> =
        fetch_in::<DecisionSummary>(db, ids, &[], |list| {
            format!("SELECT {DECISION_ROWS} WHERE d.decision_id IN ({list})")
        })
        .await?
        .into_iter()
        .map(|d| (d.decision_id.clone(), d))
        .collect();
    Ok(distinct(ids)
        .into_iter()
        .filter_map(|id| found.remove(id))
        .collect())
}

#[derive(sqlx::FromRow)]
struct TrailDecisionRow {
    decision_id: String,
    title: String,
    status: String,
}

#[derive(sqlx::FromRow)]
struct LinkedConsultationRow {
    decision_id: String,
    consultation_id: String,
    subject: String,
    rung: String,
    answer_deadline: String,
}

#[derive(sqlx::FromRow)]
struct DecisionEntryRow {
    decision_id: String,
    #[sqlx(flatten)]
    entry: TrailEntry,
}

/// The influence trails of these decisions as of a date, by decision id; unknown decisions are
/// absent. Three statements per [`MAX_IDS_PER_STATEMENT`] ids, however many trails they hold.
pub async fn influence_trails(
    db: &ReadDb,
    decision_ids: &[String],
    as_of: NaiveDate,
) -> Result<HashMap<String, InfluenceTrail>> {
    let decisions = fetch_in::<TrailDecisionRow>(db, decision_ids, &[], |list| {
        format!(
            "SELECT decision_id, title, status FROM proj_decisions WHERE decision_id IN ({list})"
        )
    })
    .await?;
    if decisions.is_empty() {
        return Ok(HashMap::new());
    }
    let mut consultations: HashMap<String, Vec<TrailConsultation>> = HashMap::new();
    let rows = fetch_in::<LinkedConsultationRow>(db, decision_ids, &[], |list| {
        format!(
            "SELECT l.decision_id, c.consultation_id, c.subject, c.rung, c.answer_deadline \
             FROM proj_consultations c \
             JOIN proj_decision_consultations l ON l.consultation_id = c.consultation_id \
             WHERE l.decision_id IN ({list}) ORDER BY c.opens_on, c.consultation_id"
        )
    })
    .await?;
    for c in rows {
        consultations
            .entry(c.decision_id)
            .or_default()
            .push(TrailConsultation {
                promise_fr: promise(&c.rung, Lang::Fr),
                promise_en: promise(&c.rung, Lang::En),
                consultation_id: c.consultation_id,
                subject: c.subject,
                rung: c.rung,
                answer_deadline: c.answer_deadline,
            });
    }
    let mut entries: HashMap<String, Vec<TrailEntry>> = HashMap::new();
    let rows = fetch_in::<DecisionEntryRow>(db, decision_ids, &[Param::from(as_of)], |list| {
        format!(
            "SELECT l.decision_id, k.contribution_id, k.consultation_id, k.author_member_id, \
             m.name AS author_name, k.anonymous_commune, k.kind, k.text, k.submitted_on, \
             k.withdrawn_on, k.withdrawal_reason, k.amended_on, k.amendment_reason, \
             k.late_reason, a.disposition, a.rationale, a.written_on, a.published_on, \
             a.answered_by, c.answer_deadline, c.closes_on, c.rung, a.first_published_on, a.revised_on, \
             {answered} \
             FROM proj_contributions k \
             JOIN proj_decision_consultations l ON l.consultation_id = k.consultation_id \
             JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
             LEFT JOIN proj_members m ON m.member_id = k.author_member_id \
             LEFT JOIN proj_answers a ON a.decision_id = l.decision_id AND a.contribution_id = k.contribution_id \
             WHERE l.decision_id IN ({list}) AND k.submitted_on <= $1 \
             ORDER BY k.submitted_on, k.contribution_id",
            answered = crate::queries::ANSWERED_VERSION,
        )
    })
    .await?;
    let at_rest = db.at_rest()?;
    for mut row in rows {
        row.entry.text = at_rest.open(column::CONTRIBUTION_TEXT, &row.entry.text)?;
        row.entry.author_name =
            at_rest.open_opt(column::MEMBER_NAME, row.entry.author_name.as_deref())?;
        row.entry.withdrawal_reason = at_rest.open_opt(
            column::WITHDRAWAL_REASON,
            row.entry.withdrawal_reason.as_deref(),
        )?;
        row.entry.amendment_reason = at_rest.open_opt(
            column::AMENDMENT_REASON,
            row.entry.amendment_reason.as_deref(),
        )?;
        row.entry.answered_text =
            at_rest.open_opt(column::VERSION_TEXT, row.entry.answered_text.as_deref())?;
        entries.entry(row.decision_id).or_default().push(row.entry);
    }
    decisions
        .into_iter()
        .map(|d| {
            let trail = trail(
                d.decision_id.clone(),
                d.title,
                d.status,
                consultations.remove(&d.decision_id).unwrap_or_default(),
                entries.remove(&d.decision_id).unwrap_or_default(),
                as_of,
            )?;
            Ok((d.decision_id, trail))
        })
        .collect()
}

/// Puts a trail together: where each contribution stands by this decision's answer
/// ([`rules::standing`]), what is published by the "as of" date, whether on time, and the
/// counts per disposition.
fn trail(
    decision_id: String,
    title: String,
    status: String,
    consultations: Vec<TrailConsultation>,
    mut entries: Vec<TrailEntry>,
    as_of: NaiveDate,
) -> crate::queries::Result<InfluenceTrail> {
    let mut counts = BTreeMap::new();
    for entry in &mut entries {
        let answer = entry.disposition.is_some().then(|| {
            answer_facts(
                &entry.first_published_on,
                &entry.revised_on,
                &entry.published_on,
            )
        });
        let answer = answer.transpose()?;
        let facts = contribution_facts(
            ContributionRow {
                submitted_on: &entry.submitted_on,
                withdrawn_on: &entry.withdrawn_on,
                late_reason: &entry.late_reason,
                rung: &entry.rung,
                closes_on: &entry.closes_on,
                answer_deadline: &entry.answer_deadline,
            },
            answer,
        )?;
        let standing = rules::standing(&facts, as_of);
        // Its own deadline, which for one received late is not its consultation's.
        entry.answer_deadline = facts.deadline().to_string();
        let published = answer.and_then(|a| a.published_as_of(as_of));
        entry.published_on = published.map(|d| d.to_string());
        entry.first_published_on = answer
            .and_then(|a| a.first_published_on)
            .filter(|p| *p <= as_of)
            .map(|d| d.to_string());
        entry.revised_on = answer
            .and_then(|a| a.revised_on)
            .filter(|r| *r <= as_of)
            .map(|d| d.to_string());
        entry.on_time = match standing.promise() {
            PromiseOutcome::OnTime => Some(true),
            PromiseOutcome::Late => Some(false),
            _ => None,
        };
        entry.standing = Some(standing);
        if let (Some(_), Some(disposition)) = (published, &entry.disposition) {
            *counts.entry(disposition.clone()).or_insert(0) += 1;
        }
    }
    let mut published = Vec::with_capacity(counts.len());
    for (disposition, count) in &counts {
        let disposition = Disposition::from_wire_name(disposition)
            .ok_or_else(|| crate::queries::undecodable("a disposition", disposition))?;
        published.push((disposition, *count));
    }
    let share_retained = rules::share_retained(published);
    Ok(InfluenceTrail {
        decision_id,
        title,
        status,
        consultations,
        entries,
        counts,
        share_retained,
    })
}

/// A step of a decision's follow-up.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Milestone {
    /// When it happened.
    pub happened_on: String,
    /// What happened.
    pub milestone: String,
}

#[derive(sqlx::FromRow)]
struct MilestoneRow {
    decision_id: String,
    #[sqlx(flatten)]
    milestone: Milestone,
}

/// The milestones of these decisions, by decision id, in the order they happened (then were
/// recorded); a decision without any is absent.
pub async fn milestones(
    db: &ReadDb,
    decision_ids: &[String],
) -> Result<HashMap<String, Vec<Milestone>>> {
    let rows = fetch_in::<MilestoneRow>(db, decision_ids, &[], |list| {
        format!(
            "SELECT decision_id, happened_on, milestone FROM proj_milestones \
             WHERE decision_id IN ({list}) ORDER BY happened_on, position"
        )
    })
    .await?;
    let mut by_decision: HashMap<String, Vec<Milestone>> = HashMap::new();
    for row in rows {
        by_decision
            .entry(row.decision_id)
            .or_default()
            .push(row.milestone);
    }
    Ok(by_decision)
}

/// The indicator reports of these decisions, by decision id, by indicator then period; a
/// decision without any is absent.
pub async fn indicators(
    db: &ReadDb,
    decision_ids: &[String],
) -> Result<HashMap<String, Vec<IndicatorReport>>> {
    let rows = fetch_in::<IndicatorReport>(db, decision_ids, &[], |list| {
        format!(
            "SELECT decision_id, indicator, period, value, target, reported_on FROM proj_indicators \
             WHERE decision_id IN ({list}) ORDER BY indicator, period"
        )
    })
    .await?;
    let mut by_decision: HashMap<String, Vec<IndicatorReport>> = HashMap::new();
    for report in rows {
        by_decision
            .entry(report.decision_id.clone())
            .or_default()
            .push(report);
    }
    Ok(by_decision)
}

/// One event of a CPTS's timeline.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct TimelineEntry {
    /// Its position in the log.
    pub position: i64,
    /// The kind of record it changed.
    pub aggregate_type: String,
    /// The record it changed.
    pub aggregate_id: String,
    /// Its place in that record's history, from 1.
    pub sequence: i64,
    /// What happened.
    pub event_type: String,
    /// Who acted.
    pub actor: String,
    /// The command that recorded it, if it carried an id.
    pub command_id: Option<String>,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
}

/// One page of a CPTS's timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelinePage {
    /// The events, in log order.
    pub items: Vec<TimelineEntry>,
    /// Whether more events follow the last one.
    pub has_next_page: bool,
}

/// A page of a CPTS's events in log order, after a position: the last position of a page is
/// the next page's `after_position`.
pub async fn timeline_page(
    db: &ReadDb,
    community_id: &str,
    after_position: Option<u64>,
    first: u32,
) -> Result<TimelinePage> {
    let after = after_position.map_or(0, |p| i64::try_from(p).unwrap_or(i64::MAX));
    let mut items = db
        .fetch::<TimelineEntry>(
            "SELECT position, aggregate_type, aggregate_id, sequence, event_type, actor, command_id, \
             recorded_at FROM proj_timeline WHERE community_id = $1 AND position > $2 \
             ORDER BY position LIMIT $3",
            &[
                Param::from(community_id),
                Param::from(after),
                Param::from(i64::from(first) + 1),
            ],
        )
        .await?;
    let has_next_page = items.len() > first as usize;
    items.truncate(first as usize);
    Ok(TimelinePage {
        items,
        has_next_page,
    })
}

/// The names of the records, contributions and tokens a page of the timeline (or a command's
/// events) touches, as staff may see them: what the Journal writes instead of ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names {
    /// A record's name by its id: a CPTS's or an association's name, a member's name (opened),
    /// a consultation's subject, a decision's title.
    pub records: HashMap<String, String>,
    /// A contribution by its id: its consultation's subject and its author.
    pub contributions: HashMap<String, ContributionName>,
    /// A token's label (opened) by its id.
    pub tokens: HashMap<String, String>,
}

/// A contribution as the Journal names it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ContributionName {
    /// The contribution.
    pub contribution_id: String,
    /// Its consultation's subject.
    pub subject: String,
    /// Its author's name, when a member wrote it.
    pub author_name: Option<String>,
    /// The commune an anonymous inhabitant gave.
    pub anonymous_commune: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NameRow {
    id: String,
    name: String,
}

/// The names of these records (any kind: ids are unique across kinds), contributions and
/// tokens, in one CPTS: a few statements for a whole page, whatever its length. An id of
/// another CPTS, or of nothing, has no name.
pub async fn names(
    db: &ReadDb,
    community_id: &str,
    record_ids: &[String],
    contribution_ids: &[String],
    token_ids: &[String],
) -> Result<Names> {
    let mut names = Names::default();
    let community = [Param::from(community_id)];
    let tables = [
        ("proj_communities", "community_id", "name"),
        ("proj_associations", "association_id", "name"),
        ("proj_consultations", "consultation_id", "subject"),
        ("proj_decisions", "decision_id", "title"),
    ];
    for (table, id, name) in tables {
        let rows = fetch_in::<NameRow>(db, record_ids, &community, |list| {
            format!(
                "SELECT {id} AS id, {name} AS name FROM {table} \
                 WHERE community_id = $1 AND {id} IN ({list})"
            )
        })
        .await?;
        names
            .records
            .extend(rows.into_iter().map(|r| (r.id, r.name)));
    }
    let at_rest = db.at_rest()?;
    let members = fetch_in::<NameRow>(db, record_ids, &community, |list| {
        format!(
            "SELECT member_id AS id, name FROM proj_members \
             WHERE community_id = $1 AND member_id IN ({list})"
        )
    })
    .await?;
    for row in members {
        names
            .records
            .insert(row.id, at_rest.open(column::MEMBER_NAME, &row.name)?);
    }
    let contributions = fetch_in::<ContributionName>(db, contribution_ids, &community, |list| {
        format!(
            "SELECT k.contribution_id, c.subject, m.name AS author_name, k.anonymous_commune \
             FROM proj_contributions k \
             JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
             LEFT JOIN proj_members m ON m.member_id = k.author_member_id \
             WHERE k.community_id = $1 AND k.contribution_id IN ({list})"
        )
    })
    .await?;
    for mut row in contributions {
        row.author_name = at_rest.open_opt(column::MEMBER_NAME, row.author_name.as_deref())?;
        names.contributions.insert(row.contribution_id.clone(), row);
    }
    let tokens = fetch_in::<NameRow>(db, token_ids, &community, |list| {
        format!(
            "SELECT token_id AS id, label AS name FROM api_tokens \
             WHERE community_id = $1 AND token_id IN ({list})"
        )
    })
    .await?;
    for row in tokens {
        names
            .tokens
            .insert(row.id, at_rest.open(column::TOKEN_LABEL, &row.name)?);
    }
    Ok(names)
}

/// A consultation as a listing shows it, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct ConsultationSummary {
    /// The consultation.
    pub consultation_id: String,
    /// Its subject.
    pub subject: String,
    /// Its moment of participation.
    pub moment: String,
    /// Its mission.
    pub mission: String,
    /// Its rung of participation.
    pub rung: String,
    /// How it consults.
    pub method: String,
    /// When it opens.
    pub opens_on: String,
    /// When it closes.
    pub closes_on: String,
    /// The last day an answer is on time.
    pub answer_deadline: String,
    /// When it was closed, if by the "as of" date.
    pub closed_on: Option<String>,
    /// Its synthesis, once it is closed by the "as of" date (the read model keeps no date for
    /// the synthesis, which always follows the closing).
    pub synthesis: Option<String>,
    /// Contributions submitted by the "as of" date and not withdrawn by it.
    pub contributions: i64,
}

/// A CPTS's consultations as of a date, latest opening first.
pub async fn consultations(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<ConsultationSummary>> {
    db.fetch(
        "SELECT c.consultation_id, c.subject, c.moment, c.mission, c.rung, c.method, c.opens_on, \
         c.closes_on, c.answer_deadline, \
         CASE WHEN c.closed_on <= $2 THEN c.closed_on END AS closed_on, \
         CASE WHEN c.closed_on <= $2 THEN c.synthesis END AS synthesis, \
         (SELECT COUNT(*) FROM proj_contributions k WHERE k.consultation_id = c.consultation_id \
          AND k.submitted_on <= $2 AND (k.withdrawn_on IS NULL OR k.withdrawn_on > $2)) AS contributions \
         FROM proj_consultations c WHERE c.community_id = $1 \
         ORDER BY c.opens_on DESC, c.consultation_id DESC",
        &[Param::from(community_id), Param::from(as_of)],
    )
    .await
}

/// A member as a listing shows it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct MemberSummary {
    /// The member.
    pub member_id: String,
    /// Their name.
    pub name: String,
    /// Their kind (e.g. `health_professional`).
    pub kind: String,
    /// Their profession, for a health professional.
    pub profession: Option<String>,
    /// When they were admitted.
    pub admitted_on: String,
    /// When they left.
    pub departed_on: Option<String>,
    /// Their collège.
    pub college_id: Option<String>,
    /// The association that mandated them, for a representative.
    pub mandate_association_id: Option<String>,
    /// First day of the mandate.
    pub mandate_start: Option<String>,
    /// Last day of the mandate.
    pub mandate_end: Option<String>,
}

/// Every member a CPTS ever admitted, by name ([`crate::queries::name_order`]).
pub async fn members(db: &ReadDb, community_id: &str) -> Result<Vec<MemberSummary>> {
    let at_rest = db.at_rest()?;
    let mut members: Vec<MemberSummary> = db
        .fetch(
            "SELECT member_id, name, kind, profession, admitted_on, departed_on, college_id, \
             mandate_association_id, mandate_start, mandate_end FROM proj_members \
             WHERE community_id = $1",
            &[Param::from(community_id)],
        )
        .await?;
    for member in &mut members {
        member.name = at_rest.open(column::MEMBER_NAME, &member.name)?;
    }
    members.sort_by(|a, b| {
        crate::queries::name_order(&a.name, &b.name).then_with(|| a.member_id.cmp(&b.member_id))
    });
    Ok(members)
}

/// An association as a listing shows it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct AssociationSummary {
    /// The association.
    pub association_id: String,
    /// Its name.
    pub name: String,
    /// The level of its approval (agrément), if approved.
    pub approval_level: Option<String>,
    /// When the approval was granted.
    pub approval_granted_on: Option<String>,
    /// When the approval expires.
    pub approval_expires_on: Option<String>,
    /// How it engages with the CPTS.
    pub engagement_form: Option<String>,
    /// Since when.
    pub engaged_since: Option<String>,
    /// When it withdrew.
    pub withdrawn_on: Option<String>,
}

/// Every association a CPTS ever registered, by name.
pub async fn associations(db: &ReadDb, community_id: &str) -> Result<Vec<AssociationSummary>> {
    db.fetch(
        "SELECT association_id, name, approval_level, approval_granted_on, approval_expires_on, \
         engagement_form, engaged_since, withdrawn_on FROM proj_associations \
         WHERE community_id = $1 ORDER BY name, association_id",
        &[Param::from(community_id)],
    )
    .await
}

/// A kind of record that belongs to a CPTS.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A decision.
    Decision,
    /// A consultation.
    Consultation,
    /// A contribution to a consultation.
    Contribution,
    /// A member.
    Member,
    /// An association.
    Association,
    /// A CPTS itself.
    Community,
}

#[derive(sqlx::FromRow)]
struct CommunityOfRow {
    community_id: String,
}

/// The CPTS a record belongs to, for tenant checks; None if the record is unknown.
pub async fn community_of(db: &ReadDb, kind: RecordKind, id: &str) -> Result<Option<String>> {
    let sql = match kind {
        RecordKind::Decision => "SELECT community_id FROM proj_decisions WHERE decision_id = $1",
        RecordKind::Consultation => {
            "SELECT community_id FROM proj_consultations WHERE consultation_id = $1"
        }
        RecordKind::Contribution => {
            "SELECT community_id FROM proj_contributions WHERE contribution_id = $1"
        }
        RecordKind::Member => "SELECT community_id FROM proj_members WHERE member_id = $1",
        RecordKind::Association => {
            "SELECT community_id FROM proj_associations WHERE association_id = $1"
        }
        RecordKind::Community => {
            "SELECT community_id FROM proj_communities WHERE community_id = $1"
        }
    };
    Ok(db
        .fetch::<CommunityOfRow>(sql, &[Param::from(id)])
        .await?
        .into_iter()
        .next()
        .map(|row| row.community_id))
}

#[derive(sqlx::FromRow)]
struct AuthorRow {
    contribution_id: String,
    author_member_id: Option<String>,
}

/// The member who wrote each of these contributions (None for an anonymous inhabitant), by
/// contribution id; unknown contributions are absent.
pub async fn contribution_authors(
    db: &ReadDb,
    contribution_ids: &[String],
) -> Result<HashMap<String, Option<String>>> {
    Ok(fetch_in::<AuthorRow>(db, contribution_ids, &[], |list| {
        format!(
            "SELECT contribution_id, author_member_id FROM proj_contributions \
             WHERE contribution_id IN ({list})"
        )
    })
    .await?
    .into_iter()
    .map(|row| (row.contribution_id, row.author_member_id))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_garbage_does_not() {
        let cursor = DecisionCursor {
            proposed_on: "2026-03-20".into(),
            decision_id: "6f0c1a52-8d7e-5b1c-9a0e-3f2d4c5b6a79".into(),
        };
        assert_eq!(DecisionCursor::decode(&cursor.encode()), Some(cursor));
        for garbage in [
            "",
            "~",
            "garbage",
            "2026-03-20",
            "2026-03-20~",
            "2026-3-20~abc",
            "2026-13-01~abc",
            "2026-03-20~a b",
            "2026-03-20~a~b",
            "2026-03-20~x'; DROP TABLE proj_decisions; --",
        ] {
            assert_eq!(DecisionCursor::decode(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn placeholders_are_numbered_after_the_leading_parameters() {
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
        assert_eq!(placeholders(1, 0), "");
    }
}

/// A CPTS's name, if it is registered.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct CommunitySummary {
    /// The CPTS.
    pub community_id: String,
    /// Its name.
    pub name: String,
}

/// A registered CPTS, by id; None if it is unknown.
pub async fn community(db: &ReadDb, community_id: &str) -> Result<Option<CommunitySummary>> {
    Ok(db
        .fetch::<CommunitySummary>(
            "SELECT community_id, name FROM proj_communities WHERE community_id = $1",
            &[Param::from(community_id)],
        )
        .await?
        .into_iter()
        .next())
}

/// A collège of the statutes, as a listing shows it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct CollegeSummary {
    /// The collège.
    pub college_id: String,
    /// Its name.
    pub name: String,
    /// 1 for the collège usagers, 0 otherwise.
    pub is_users_college: i64,
}

/// The collèges a CPTS defined, by name.
pub async fn colleges(db: &ReadDb, community_id: &str) -> Result<Vec<CollegeSummary>> {
    db.fetch(
        "SELECT college_id, name, is_users_college FROM proj_colleges \
         WHERE community_id = $1 ORDER BY name, college_id",
        &[Param::from(community_id)],
    )
    .await
}

/// A body of a CPTS (general assembly, board, bureau, working group).
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct BodySummary {
    /// The body.
    pub body_id: String,
    /// Its kind (`board`, …).
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// The bodies a CPTS established, by name.
pub async fn bodies(db: &ReadDb, community_id: &str) -> Result<Vec<BodySummary>> {
    db.fetch(
        "SELECT body_id, kind, name FROM proj_bodies WHERE community_id = $1 ORDER BY name, body_id",
        &[Param::from(community_id)],
    )
    .await
}
