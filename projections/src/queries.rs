//! The answers people ask for, read from the projections. Whatever depends on time (overdue,
//! expired approval, active mandate) is computed against an explicit `as_of` date, so the same
//! question about the same date always gets the same answer.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use cpts_domain::consultation::own_words_allowed;
use cpts_domain::rules::{
    self, AnswerFacts, ComplianceFacts, ContributionFacts, ContributionStanding, MandateFacts,
    Period, PromiseOutcome,
};
use cpts_domain::values::{Lang, Moment, Rung};
use serde::Serialize;

use crate::at_rest::column;
use crate::db::{Param, ReadDb};
use crate::report::texts;

/// A read failed.
pub type Result<T> = std::result::Result<T, sqlx::Error>;

/// A stored value that does not decode: the read fails, it never becomes a default.
pub(crate) fn undecodable(what: &str, text: &str) -> sqlx::Error {
    sqlx::Error::Decode(
        format!("the read model holds {what} “{text}”, which cannot be decoded").into(),
    )
}

/// The order of people's names, which the database can no longer sort since it holds them
/// sealed: letters compared without case or accent ("Émilie" next to "Emma", not after "Zoé"),
/// then the names as written, so the order is total and the same on either backend.
pub(crate) fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn folded(name: &str) -> impl Iterator<Item = char> + '_ {
        name.chars().flat_map(char::to_lowercase).flat_map(|c| {
            let plain = match c {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
                'ç' => "c",
                'è' | 'é' | 'ê' | 'ë' => "e",
                'ì' | 'í' | 'î' | 'ï' => "i",
                'ñ' => "n",
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
                'ù' | 'ú' | 'û' | 'ü' => "u",
                'ý' | 'ÿ' => "y",
                'æ' => "ae",
                'œ' => "oe",
                _ => "",
            };
            let mut out = [None, None];
            if plain.is_empty() {
                out[0] = Some(c);
            } else {
                for (slot, p) in out.iter_mut().zip(plain.chars()) {
                    *slot = Some(p);
                }
            }
            out.into_iter().flatten()
        })
    }
    folded(a).cmp(folded(b)).then_with(|| a.cmp(b))
}

/// A stored date.
pub(crate) fn stored_day(text: &str) -> Result<NaiveDate> {
    text.parse().map_err(|_| undecodable("a date", text))
}

/// A stored date that may be absent.
pub(crate) fn date(text: &Option<String>) -> Result<Option<NaiveDate>> {
    text.as_deref().map(stored_day).transpose()
}

/// The facts of an answer, from its row's dates.
pub(crate) fn answer_facts(
    first_published_on: &Option<String>,
    revised_on: &Option<String>,
    published_on: &Option<String>,
) -> Result<AnswerFacts> {
    Ok(AnswerFacts {
        first_published_on: date(first_published_on)?,
        revised_on: date(revised_on)?,
        last_published_on: date(published_on)?,
    })
}

/// What a reader reads of one contribution's row for its standing: its dates and whether it
/// was received late, with its consultation's rung, closing and deadline.
pub(crate) struct ContributionRow<'a> {
    pub submitted_on: &'a str,
    pub withdrawn_on: &'a Option<String>,
    pub late_reason: &'a Option<String>,
    pub rung: &'a str,
    pub closes_on: &'a str,
    pub answer_deadline: &'a str,
}

/// The facts of a contribution, from its row. A date or a rung that cannot be read fails the
/// read.
pub(crate) fn contribution_facts(
    row: ContributionRow<'_>,
    answer: Option<AnswerFacts>,
) -> Result<ContributionFacts> {
    Ok(ContributionFacts {
        submitted_on: stored_day(row.submitted_on)?,
        withdrawn_on: date(row.withdrawn_on)?,
        rung: Rung::from_wire_name(row.rung).ok_or_else(|| undecodable("a rung", row.rung))?,
        consultation_deadline: stored_day(row.answer_deadline)?,
        closes_on: stored_day(row.closes_on)?,
        received_late: row.late_reason.is_some(),
        answer,
    })
}

pub(crate) fn promise(rung: &str, lang: Lang) -> String {
    Rung::from_wire_name(rung)
        .map(|r| r.promise(lang).to_owned())
        .unwrap_or_default()
}

/// A consultation a decision drew on, with the promise its rung makes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrailConsultation {
    /// Its id.
    pub consultation_id: String,
    /// Its subject.
    pub subject: String,
    /// Its rung.
    pub rung: String,
    /// The promise, in French.
    pub promise_fr: String,
    /// The promise, in English.
    pub promise_en: String,
    /// The last day an answer is on time.
    pub answer_deadline: String,
}

/// The version of a contribution an answer answered, when the contribution has a later one: its
/// text (sealed) and day, as the columns `answered_text` and `answered_on` of a statement over
/// `proj_contributions k` and `proj_answers a`. The answered version is the last one recorded
/// before the answer's last publication; both are NULL when the answer answered the current
/// text, or none is published.
pub(crate) const ANSWERED_VERSION: &str = "\
    (SELECT v.text FROM proj_contribution_versions v WHERE v.contribution_id = k.contribution_id \
     AND v.position = (SELECT max(x.position) FROM proj_contribution_versions x \
       WHERE x.contribution_id = k.contribution_id AND x.position < a.published_position) \
     AND v.position < (SELECT max(y.position) FROM proj_contribution_versions y \
       WHERE y.contribution_id = k.contribution_id)) AS answered_text, \
    (SELECT v.on_date FROM proj_contribution_versions v WHERE v.contribution_id = k.contribution_id \
     AND v.position = (SELECT max(x.position) FROM proj_contribution_versions x \
       WHERE x.contribution_id = k.contribution_id AND x.position < a.published_position) \
     AND v.position < (SELECT max(y.position) FROM proj_contribution_versions y \
       WHERE y.contribution_id = k.contribution_id)) AS answered_on";

/// One contribution of a decision's trail, and what became of it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct TrailEntry {
    /// The contribution.
    pub contribution_id: String,
    /// Its consultation.
    pub consultation_id: String,
    /// The member who wrote it, if a member did.
    pub author_member_id: Option<String>,
    /// The member's name, if a member wrote it.
    pub author_name: Option<String>,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// Its kind.
    pub kind: String,
    /// Its text.
    pub text: String,
    /// When it was submitted.
    pub submitted_on: String,
    /// When it was withdrawn.
    pub withdrawn_on: Option<String>,
    /// Why it was withdrawn, if said.
    pub withdrawal_reason: Option<String>,
    /// When it was last amended.
    pub amended_on: Option<String>,
    /// Why it was last amended, if said.
    pub amendment_reason: Option<String>,
    /// Why it was accepted though received after its consultation's closing (on
    /// `submitted_on`); None for a contribution received in time.
    pub late_reason: Option<String>,
    /// The disposition of its answer in this decision.
    pub disposition: Option<String>,
    /// The rationale.
    pub rationale: Option<String>,
    /// When the answer was written.
    pub written_on: Option<String>,
    /// When the answer was published (by the "as of" date).
    pub published_on: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// The last day its answer is on time: its consultation's deadline as read, then its own
    /// ([`cpts_domain::rules::ContributionFacts::deadline`]) once the trail is put together.
    pub answer_deadline: String,
    /// The last day of its consultation's terms.
    pub closes_on: String,
    /// The rung of its consultation.
    pub rung: String,
    /// When this answer was first published.
    pub first_published_on: Option<String>,
    /// When this answer was last revised.
    pub revised_on: Option<String>,
    /// The text this answer answered, when the contribution was amended since
    /// ([`ANSWERED_VERSION`]; opened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_text: Option<String>,
    /// The day of that version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_on: Option<String>,
    /// Whether the answer came by the deadline, as promise keeping counts it
    /// ([`cpts_domain::rules::ContributionStanding::promise`]); None while unanswered.
    #[sqlx(skip)]
    pub on_time: Option<bool>,
    /// Where the contribution stands as of the date, by this decision's answer.
    #[sqlx(skip)]
    pub standing: Option<ContributionStanding>,
}

impl TrailEntry {
    /// The member's name, or "Habitant anonyme (commune)", in the catalogue's words.
    pub fn author(&self, lang: Lang) -> String {
        use cpts_domain::texts::{t, t_args};
        match (&self.author_name, &self.anonymous_commune) {
            (Some(name), _) => name.clone(),
            (None, Some(commune)) => t_args(
                lang,
                "author-anonymous-of",
                &[("commune", commune.as_str().into())],
            ),
            (None, None) => t(lang, "member-kind-anonymous_inhabitant").to_owned(),
        }
    }
}

/// How every contribution a decision drew on influenced it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InfluenceTrail {
    /// The decision.
    pub decision_id: String,
    /// Its title.
    pub title: String,
    /// Its status: proposed, adopted, rejected, deferred or withdrawn.
    pub status: String,
    /// The consultations it drew on.
    pub consultations: Vec<TrailConsultation>,
    /// Every contribution of those consultations.
    pub entries: Vec<TrailEntry>,
    /// Published answers per disposition.
    pub counts: BTreeMap<String, u64>,
    /// Share of published answers retained fully or partly, from 0 to 1.
    pub share_retained: Option<f64>,
}

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    consultation_id: String,
    subject: String,
    rung: String,
    closes_on: String,
    answer_deadline: String,
}

/// The influence trail of a decision, as of a date: [`crate::listing::influence_trails`] for
/// one id, so the single and batched answers cannot drift apart.
pub async fn influence_trail(
    db: &ReadDb,
    decision_id: &str,
    as_of: NaiveDate,
) -> Result<Option<InfluenceTrail>> {
    let ids = [decision_id.to_owned()];
    Ok(crate::listing::influence_trails(db, &ids, as_of)
        .await?
        .remove(decision_id))
}

/// Whether a consultation kept its promise to answer, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PromiseKeeping {
    /// The consultation.
    pub consultation_id: String,
    /// Its subject.
    pub subject: String,
    /// Its rung.
    pub rung: String,
    /// The promise, in French.
    pub promise_fr: String,
    /// The promise, in English.
    pub promise_en: String,
    /// The last day an answer is on time.
    pub answer_deadline: String,
    /// Contributions owed an answer (not withdrawn, on a rung that owes answers).
    pub owed: u64,
    /// Answered by the deadline.
    pub answered_on_time: u64,
    /// Answered after the deadline.
    pub answered_late: u64,
    /// Not answered yet, deadline not passed.
    pub unanswered_not_due: u64,
    /// Not answered, deadline passed.
    pub unanswered_overdue: u64,
    /// The contributions answered late or overdue.
    pub late_contributions: Vec<String>,
    /// Where each contribution submitted by the date stands (withdrawn ones included), by id.
    pub standings: Vec<(String, ContributionStanding)>,
}

#[derive(sqlx::FromRow)]
struct OwedRow {
    contribution_id: String,
    submitted_on: String,
    withdrawn_on: Option<String>,
    late_reason: Option<String>,
    first_published_on: Option<String>,
    revised_on: Option<String>,
    published_on: Option<String>,
}

/// Each contribution's rows (one per answer, or one without), in their order, with the
/// contribution's first answer by the date ([`AnswerFacts::first_answer`]).
fn by_contribution<R>(
    rows: Vec<R>,
    id: impl Fn(&R) -> &str,
    answer: impl Fn(&R) -> Result<Option<AnswerFacts>>,
    as_of: NaiveDate,
) -> Result<Vec<(R, Option<AnswerFacts>)>> {
    let mut grouped: Vec<(R, Vec<AnswerFacts>)> = Vec::new();
    for row in rows {
        let facts = answer(&row)?;
        match grouped.last_mut() {
            Some((first, answers)) if id(first) == id(&row) => answers.extend(facts),
            _ => grouped.push((row, facts.into_iter().collect())),
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(row, answers)| (row, AnswerFacts::first_answer(answers, as_of)))
        .collect())
}

/// Promise keeping of one consultation, as of a date.
pub async fn promise_keeping(
    db: &ReadDb,
    consultation_id: &str,
    as_of: NaiveDate,
) -> Result<Option<PromiseKeeping>> {
    let Some(c) = db
        .fetch::<ConsultationRow>(
            "SELECT consultation_id, subject, rung, closes_on, answer_deadline FROM proj_consultations \
             WHERE consultation_id = $1",
            &[Param::from(consultation_id)],
        )
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let rows = db
        .fetch::<OwedRow>(
            "SELECT k.contribution_id, k.submitted_on, k.withdrawn_on, k.late_reason, \
             a.first_published_on, a.revised_on, a.published_on \
             FROM proj_contributions k LEFT JOIN proj_answers a ON a.contribution_id = k.contribution_id \
             WHERE k.consultation_id = $1 AND k.submitted_on <= $2 \
             ORDER BY k.contribution_id, a.decision_id",
            &[Param::from(consultation_id), Param::from(as_of)],
        )
        .await?;
    let mut keeping = PromiseKeeping {
        promise_fr: promise(&c.rung, Lang::Fr),
        promise_en: promise(&c.rung, Lang::En),
        consultation_id: c.consultation_id,
        subject: c.subject,
        rung: c.rung,
        answer_deadline: c.answer_deadline,
        owed: 0,
        answered_on_time: 0,
        answered_late: 0,
        unanswered_not_due: 0,
        unanswered_overdue: 0,
        late_contributions: vec![],
        standings: vec![],
    };
    let rows = by_contribution(
        rows,
        |r| r.contribution_id.as_str(),
        |r| {
            r.first_published_on
                .is_some()
                .then(|| answer_facts(&r.first_published_on, &r.revised_on, &r.published_on))
                .transpose()
        },
        as_of,
    )?;
    for (row, answer) in rows {
        let facts = contribution_facts(
            ContributionRow {
                submitted_on: &row.submitted_on,
                withdrawn_on: &row.withdrawn_on,
                late_reason: &row.late_reason,
                rung: &keeping.rung,
                closes_on: &c.closes_on,
                answer_deadline: &keeping.answer_deadline,
            },
            answer,
        )?;
        let standing = rules::standing(&facts, as_of);
        match standing.promise() {
            PromiseOutcome::NotCounted => {}
            PromiseOutcome::OnTime => keeping.answered_on_time += 1,
            PromiseOutcome::Late => keeping.answered_late += 1,
            PromiseOutcome::NotDue => keeping.unanswered_not_due += 1,
            PromiseOutcome::Overdue => keeping.unanswered_overdue += 1,
        }
        if standing.promise() != PromiseOutcome::NotCounted {
            keeping.owed += 1;
        }
        if standing.days_late().is_some() {
            keeping.late_contributions.push(row.contribution_id.clone());
        }
        keeping.standings.push((row.contribution_id, standing));
    }
    Ok(Some(keeping))
}

/// Where one contribution stands for its author.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FollowUp {
    /// The contribution.
    pub contribution_id: String,
    /// Its consultation.
    pub consultation_id: String,
    /// Its consultation's subject.
    pub subject: String,
    /// Its text.
    pub text: String,
    /// When it was submitted (for one received late, the day it was received).
    pub submitted_on: String,
    /// Why it was accepted though received after its consultation's closing.
    pub late_reason: Option<String>,
    /// `awaiting`, `answered`, `overdue`, `withdrawn` or `not_owed`: a coarse view of
    /// [`FollowUp::standing`].
    pub status: String,
    /// Where it stands.
    pub standing: ContributionStanding,
    /// The decision that answered it, with its title.
    pub decision: Option<(String, String)>,
    /// The disposition.
    pub disposition: Option<String>,
    /// The rationale.
    pub rationale: Option<String>,
    /// Days from submission to the first published answer.
    pub days_to_answer: Option<i64>,
    /// The last day its answer is on time ([`ContributionFacts::deadline`]: its consultation's,
    /// or counted from its reception for one received late).
    pub answer_deadline: String,
    /// Its consultation's rung, whose promise it was made.
    pub rung: String,
    /// What happened to it, day by day ([`rules::steps`]).
    pub steps: Vec<rules::Step>,
    /// How many times its text was amended.
    pub amendments: i64,
    /// When it was last amended.
    pub amended_on: Option<String>,
    /// Why it was last amended, if said.
    pub amendment_reason: Option<String>,
    /// When it was withdrawn.
    pub withdrawn_on: Option<String>,
    /// Why it was withdrawn, if said.
    pub withdrawal_reason: Option<String>,
    /// Whether its author may still amend it: not withdrawn, and
    /// [`cpts_domain::consultation::own_words_allowed`] (its consultation open, or its answer
    /// published: then as a new version).
    pub amendable: bool,
    /// Whether its author may still withdraw it: not withdrawn, its consultation open and no
    /// answer to it published (the same rule).
    pub withdrawable: bool,
    /// Every amendment, in order: its day and reason (the [`rules::Step::amendment`] of the
    /// steps index it). Empty for contributions projected before versions were kept.
    pub amendment_list: Vec<(String, Option<String>)>,
    /// The text its answer answered, when it was amended since (opened).
    pub answered_text: Option<String>,
    /// The day of that version.
    pub answered_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FollowUpRow {
    #[sqlx(flatten)]
    read: StandingRow,
    consultation_id: String,
    subject: String,
    text: String,
    amendments: i64,
    amended_on: Option<String>,
    amendment_reason: Option<String>,
    withdrawal_reason: Option<String>,
    closed_on: Option<String>,
    title: Option<String>,
    disposition: Option<String>,
    rationale: Option<String>,
    answered_text: Option<String>,
    answered_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AmendmentRow {
    contribution_id: String,
    on_date: String,
    reason: Option<String>,
}

/// What a reader of a contribution's standing reads of each row: the contribution, its
/// consultation's terms, and one of its answers (each of the answer's columns `NULL` without
/// one). A contribution answered by several decisions comes in one row per answer, side by
/// side.
#[derive(sqlx::FromRow)]
pub(crate) struct StandingRow {
    contribution_id: String,
    submitted_on: String,
    withdrawn_on: Option<String>,
    late_reason: Option<String>,
    rung: String,
    closes_on: String,
    answer_deadline: String,
    decision_id: Option<String>,
    first_published_on: Option<String>,
    revised_on: Option<String>,
    published_on: Option<String>,
}

/// One contribution as a reader reads it: the row of its first answer by the date
/// ([`AnswerFacts::first_answer`]; its only row, without an answer), that answer's facts, and
/// where it stands ([`rules::standing`]).
struct Stood<R> {
    row: R,
    answer: Option<AnswerFacts>,
    facts: ContributionFacts,
    standing: ContributionStanding,
}

/// Each contribution of `rows` once, in their order, with its first answer by the date and its
/// standing: the one way the contributions' readers turn rows into standings.
fn standings<R>(
    rows: Vec<R>,
    read: impl Fn(&R) -> &StandingRow,
    as_of: NaiveDate,
) -> Result<Vec<Stood<R>>> {
    let mut grouped: Vec<Vec<R>> = Vec::new();
    for row in rows {
        match grouped.last_mut() {
            Some(group) if read(&group[0]).contribution_id == read(&row).contribution_id => {
                group.push(row)
            }
            _ => grouped.push(vec![row]),
        }
    }
    let mut stood = Vec::with_capacity(grouped.len());
    for group in grouped {
        let mut answers = Vec::with_capacity(group.len());
        for r in &group {
            let r = read(r);
            answers.push(
                r.decision_id
                    .is_some()
                    .then(|| answer_facts(&r.first_published_on, &r.revised_on, &r.published_on))
                    .transpose()?,
            );
        }
        let first = AnswerFacts::first_answer(answers.iter().flatten().copied(), as_of);
        let Some((row, answer)) = group
            .into_iter()
            .zip(answers)
            .find(|(_, a)| a.is_none() || *a == first)
        else {
            continue;
        };
        let r = read(&row);
        let facts = contribution_facts(
            ContributionRow {
                submitted_on: &r.submitted_on,
                withdrawn_on: &r.withdrawn_on,
                late_reason: &r.late_reason,
                rung: &r.rung,
                closes_on: &r.closes_on,
                answer_deadline: &r.answer_deadline,
            },
            answer,
        )?;
        let standing = rules::standing(&facts, as_of);
        stood.push(Stood {
            row,
            answer,
            facts,
            standing,
        });
    }
    Ok(stood)
}

/// The coarse status of a standing, as *Mes contributions* first showed it.
fn follow_up_status(standing: &ContributionStanding) -> &'static str {
    match standing {
        ContributionStanding::NotOwed => "not_owed",
        ContributionStanding::Pending { .. } => "awaiting",
        ContributionStanding::Overdue { .. } => "overdue",
        ContributionStanding::Withdrawn { .. } => "withdrawn",
        ContributionStanding::AnsweredOnTime { .. }
        | ContributionStanding::AnsweredLate { .. }
        | ContributionStanding::RevisedAwaitingRepublication { .. } => "answered",
    }
}

/// Every contribution of a member, or of the representatives an association mandated, and
/// where each stands as of a date.
pub async fn contributor_follow_up(
    db: &ReadDb,
    member_or_association_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<FollowUp>> {
    let at_rest = db.at_rest()?;
    const WHOSE: &str = "(k.author_member_id = $1 OR k.author_member_id IN \
        (SELECT member_id FROM proj_members WHERE mandate_association_id = $1))";
    let rows = db
        .fetch::<FollowUpRow>(
            &format!(
                "SELECT k.contribution_id, k.consultation_id, c.subject, k.text, k.submitted_on, \
                 k.withdrawn_on, k.late_reason, k.amendments, k.amended_on, k.amendment_reason, k.withdrawal_reason, \
                 c.closed_on, c.rung, c.closes_on, c.answer_deadline, a.decision_id, d.title, a.disposition, a.rationale, a.published_on, \
                 a.first_published_on, a.revised_on, {ANSWERED_VERSION} \
                 FROM proj_contributions k \
                 JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
                 LEFT JOIN proj_answers a ON a.contribution_id = k.contribution_id \
                 LEFT JOIN proj_decisions d ON d.decision_id = a.decision_id \
                 WHERE k.submitted_on <= $2 AND {WHOSE} \
                 ORDER BY k.submitted_on, k.contribution_id, a.decision_id"
            ),
            &[Param::from(member_or_association_id), Param::from(as_of)],
        )
        .await?;
    // Every amendment of those contributions (versions after the first), in log order.
    let mut amendments: std::collections::HashMap<String, Vec<(String, Option<String>)>> =
        std::collections::HashMap::new();
    for row in db
        .fetch::<AmendmentRow>(
            &format!(
                "SELECT v.contribution_id, v.on_date, v.reason FROM proj_contribution_versions v \
                 JOIN proj_contributions k ON k.contribution_id = v.contribution_id \
                 WHERE {WHOSE} AND v.position > (SELECT min(f.position) \
                   FROM proj_contribution_versions f WHERE f.contribution_id = v.contribution_id) \
                 ORDER BY v.contribution_id, v.position"
            ),
            &[Param::from(member_or_association_id)],
        )
        .await?
    {
        let reason = at_rest.open_opt(column::VERSION_REASON, row.reason.as_deref())?;
        amendments
            .entry(row.contribution_id)
            .or_default()
            .push((row.on_date, reason));
    }
    let mut follow_up = Vec::with_capacity(rows.len());
    for Stood {
        row,
        answer,
        facts,
        standing,
    } in standings(rows, |r| &r.read, as_of)?
    {
        let published = answer.and_then(|a| a.published_as_of(as_of));
        let first_published = answer
            .and_then(|a| a.first_published_on)
            .filter(|p| *p <= as_of);
        let submitted = stored_day(&row.read.submitted_on)?;
        let amendment_list = amendments
            .get(&row.read.contribution_id)
            .cloned()
            .unwrap_or_default();
        // A contribution projected before versions were kept knows its last amendment only.
        let amended_on: Vec<NaiveDate> = if amendment_list.is_empty() {
            row.amended_on
                .as_deref()
                .map(stored_day)
                .transpose()?
                .into_iter()
                .collect()
        } else {
            amendment_list
                .iter()
                .map(|(on, _)| stored_day(on))
                .collect::<Result<_>>()?
        };
        follow_up.push(FollowUp {
            steps: rules::steps(&facts, &amended_on, as_of),
            amendment_list,
            answered_text: at_rest.open_opt(column::VERSION_TEXT, row.answered_text.as_deref())?,
            answered_on: row.answered_on,
            answer_deadline: facts.deadline().to_string(),
            rung: row.read.rung.clone(),
            days_to_answer: first_published.map(|p| (p - submitted).num_days()),
            decision: published.and(row.read.decision_id.zip(row.title)),
            disposition: published.and(row.disposition),
            rationale: published.and(row.rationale),
            contribution_id: row.read.contribution_id,
            consultation_id: row.consultation_id,
            subject: row.subject,
            text: at_rest.open(column::CONTRIBUTION_TEXT, &row.text)?,
            submitted_on: row.read.submitted_on,
            late_reason: row.read.late_reason,
            status: follow_up_status(&standing).to_owned(),
            standing,
            amendments: row.amendments,
            amended_on: row.amended_on,
            amendment_reason: at_rest
                .open_opt(column::AMENDMENT_REASON, row.amendment_reason.as_deref())?,
            amendable: row.read.withdrawn_on.is_none()
                && own_words_allowed(row.closed_on.is_some(), first_published.is_some()).amend,
            withdrawable: row.read.withdrawn_on.is_none()
                && own_words_allowed(row.closed_on.is_some(), first_published.is_some()).withdraw,
            withdrawn_on: row.read.withdrawn_on,
            withdrawal_reason: at_rest
                .open_opt(column::WITHDRAWAL_REASON, row.withdrawal_reason.as_deref())?,
        });
    }
    Ok(follow_up)
}

/// The answer a contribution got first, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntryAnswer {
    /// The decision that gave it.
    pub decision_id: String,
    /// That decision's title.
    pub title: String,
    /// The disposition.
    pub disposition: String,
    /// The rationale.
    pub rationale: Option<String>,
    /// When the answer in force was published, by the date; None for an answer drafted and
    /// not published by then (or revised and not republished), which only staff may read.
    pub published_on: Option<String>,
}

/// One contribution of a consultation, as of a date, with what became of it: what the
/// consultation's page lists, so that what was typed in can be checked.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsultationEntry {
    /// The contribution.
    pub contribution_id: String,
    /// Its consultation.
    pub consultation_id: String,
    /// The member who wrote it, if a member did.
    pub author_member_id: Option<String>,
    /// The member's name (opened; an erased member's reads as erased).
    pub author_name: Option<String>,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// Its kind.
    pub kind: String,
    /// Its text (its last amendment).
    pub text: String,
    /// When it was submitted (for one received late, the day it was received).
    pub submitted_on: String,
    /// Why it was accepted though received after its consultation's closing.
    pub late_reason: Option<String>,
    /// When it was last amended.
    pub amended_on: Option<String>,
    /// Why it was last amended, if said.
    pub amendment_reason: Option<String>,
    /// When it was withdrawn.
    pub withdrawn_on: Option<String>,
    /// Why it was withdrawn, if said.
    pub withdrawal_reason: Option<String>,
    /// The last day its answer is on time ([`ContributionFacts::deadline`]).
    pub answer_deadline: String,
    /// Where it stands ([`rules::standing`]).
    pub standing: ContributionStanding,
    /// Its first answer by the date: published by then, or only drafted by then.
    pub answer: Option<EntryAnswer>,
    /// Where it was imported from, if it was.
    pub imported: Option<ImportedFrom>,
    /// The name of its attached file (opened), if any.
    pub attachment: Option<String>,
    /// The file kept for it (hash, kind, size), if it carries one.
    pub file: Option<KeptFile>,
    /// The text its answer answered, when it was amended since (opened).
    pub answered_text: Option<String>,
    /// The day of that version.
    pub answered_on: Option<String>,
}

/// What the read model shows of a contribution's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptFile {
    /// Its SHA-256, in hex.
    pub sha256: String,
    /// Its kind.
    pub media_type: String,
    /// Its size in bytes.
    pub size: i64,
}

/// The source of an imported contribution
/// ([`cpts_domain::questionnaire::ImportSource`], as projected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedFrom {
    /// The questionnaire's tool (its wire name).
    pub format: String,
    /// The SHA-256 of the file, in hex.
    pub file_sha256: String,
    /// The row's line in the file.
    pub row: i64,
    /// The questionnaire's own response number, if the file has one.
    pub response: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    #[sqlx(flatten)]
    read: StandingRow,
    consultation_id: String,
    author_member_id: Option<String>,
    author_name: Option<String>,
    anonymous_commune: Option<String>,
    kind: String,
    text: String,
    amended_on: Option<String>,
    amendment_reason: Option<String>,
    withdrawal_reason: Option<String>,
    title: Option<String>,
    disposition: Option<String>,
    rationale: Option<String>,
    written_on: Option<String>,
    imported_format: Option<String>,
    imported_file_sha256: Option<String>,
    imported_row: Option<i64>,
    imported_response: Option<String>,
    attachment: Option<String>,
    file_sha256: Option<String>,
    file_media_type: Option<String>,
    file_size: Option<i64>,
    answered_text: Option<String>,
    answered_on: Option<String>,
}

/// Where a contribution's file is kept and what it is called: what a download needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The contribution's consultation.
    pub consultation_id: String,
    /// Its author, if a member.
    pub author_member_id: Option<String>,
    /// The file's hash.
    pub sha256: String,
    /// Its kind.
    pub media_type: String,
    /// The name it was sent under (opened).
    pub name: String,
}

/// The file of a contribution of a CPTS, if it carries one.
pub async fn contribution_file(
    db: &ReadDb,
    community_id: &str,
    contribution_id: &str,
) -> Result<Option<FileRef>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        consultation_id: String,
        author_member_id: Option<String>,
        file_sha256: String,
        file_media_type: String,
        attachment: Option<String>,
    }
    let row: Option<Row> = db
        .fetch(
            "SELECT consultation_id, author_member_id, file_sha256, file_media_type, attachment \
             FROM proj_contributions WHERE contribution_id = $1 AND community_id = $2 \
             AND file_sha256 IS NOT NULL AND file_media_type IS NOT NULL",
            &[Param::from(contribution_id), Param::from(community_id)],
        )
        .await?
        .into_iter()
        .next();
    let at_rest = db.at_rest()?;
    row.map(|r| {
        Ok(FileRef {
            consultation_id: r.consultation_id,
            author_member_id: r.author_member_id,
            sha256: r.file_sha256,
            media_type: r.file_media_type,
            name: at_rest
                .open_opt(column::CONTRIBUTION_ATTACHMENT, r.attachment.as_deref())?
                .unwrap_or_default(),
        })
    })
    .transpose()
}

/// Whether an answer to a contribution has been published (by any decision, revised since or
/// not): the fact the consultation's rule of its author's changes needs
/// ([`cpts_domain::consultation::own_words_allowed`]).
pub async fn answer_published(db: &ReadDb, contribution_id: &str) -> Result<bool> {
    let rows: Vec<(i64,)> = db
        .fetch(
            "SELECT count(*) FROM proj_answers WHERE contribution_id = $1 \
             AND (first_published_on IS NOT NULL OR published_on IS NOT NULL)",
            &[Param::from(contribution_id)],
        )
        .await?;
    Ok(rows.first().is_some_and(|(n,)| *n > 0))
}

/// The ids of every contribution a consultation holds (withdrawn ones too), whatever their
/// date: what an import's preview compares its rows with.
pub async fn contribution_ids(db: &ReadDb, consultation_id: &str) -> Result<HashSet<String>> {
    #[derive(sqlx::FromRow)]
    struct Id {
        contribution_id: String,
    }
    let rows: Vec<Id> = db
        .fetch(
            "SELECT contribution_id FROM proj_contributions WHERE consultation_id = $1",
            &[Param::from(consultation_id)],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.contribution_id).collect())
}

/// Every contribution of a consultation submitted by `as_of`, withdrawn ones included, in
/// submission order, each with its standing and its first answer:
/// [`consultations_contributions`] for one id, so that the single and batched answers cannot
/// drift apart. Empty for an unknown consultation.
pub async fn consultation_contributions(
    db: &ReadDb,
    consultation_id: &str,
    as_of: NaiveDate,
) -> Result<Vec<ConsultationEntry>> {
    let ids = [consultation_id.to_owned()];
    Ok(consultations_contributions(db, &ids, as_of)
        .await?
        .remove(consultation_id)
        .unwrap_or_default())
}

/// [`consultation_contributions`] of several consultations, by consultation id (one without
/// contributions by the date is absent): one statement per
/// [`crate::listing::MAX_IDS_PER_STATEMENT`] ids, however many contributions they hold. Not
/// scoped to a CPTS: the caller names consultations it may read.
pub async fn consultations_contributions(
    db: &ReadDb,
    consultation_ids: &[String],
    as_of: NaiveDate,
) -> Result<std::collections::HashMap<String, Vec<ConsultationEntry>>> {
    let rows =
        crate::listing::fetch_in::<EntryRow>(db, consultation_ids, &[Param::from(as_of)], |list| {
            format!(
                "SELECT k.contribution_id, k.consultation_id, k.author_member_id, \
                 m.name AS author_name, k.anonymous_commune, k.kind, k.text, k.submitted_on, \
                 k.withdrawn_on, k.late_reason, k.amended_on, k.amendment_reason, \
                 k.withdrawal_reason, c.rung, c.closes_on, c.answer_deadline, a.decision_id, \
                 d.title, a.disposition, a.rationale, a.written_on, a.published_on, \
                 a.first_published_on, a.revised_on, k.imported_format, \
                 k.imported_file_sha256, k.imported_row, k.imported_response, k.attachment, \
                 k.file_sha256, k.file_media_type, k.file_size, {ANSWERED_VERSION} \
                 FROM proj_contributions k \
                 JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
                 LEFT JOIN proj_members m ON m.member_id = k.author_member_id \
                 LEFT JOIN proj_answers a ON a.contribution_id = k.contribution_id \
                 LEFT JOIN proj_decisions d ON d.decision_id = a.decision_id \
                 WHERE k.consultation_id IN ({list}) AND k.submitted_on <= $1 \
                 ORDER BY k.submitted_on, k.contribution_id, a.decision_id"
            )
        })
        .await?;
    let at_rest = db.at_rest()?;
    let mut entries: std::collections::HashMap<String, Vec<ConsultationEntry>> =
        std::collections::HashMap::new();
    for Stood {
        row,
        answer,
        facts,
        standing,
    } in standings(rows, |r| &r.read, as_of)?
    {
        let published = answer.and_then(|a| a.published_as_of(as_of));
        // An answer counts as of the date once drafted by then; a draft of later is not one yet.
        let drafted_by = date(&row.written_on)?.is_some_and(|w| w <= as_of);
        let answer = match (row.read.decision_id, row.disposition) {
            (Some(decision_id), Some(disposition)) if published.is_some() || drafted_by => {
                Some(EntryAnswer {
                    decision_id,
                    title: row.title.unwrap_or_default(),
                    disposition,
                    rationale: row.rationale,
                    published_on: published.map(|p| p.to_string()),
                })
            }
            _ => None,
        };
        // A withdrawal after the date had not happened yet on it.
        let withdrawn = date(&row.read.withdrawn_on)?.is_some_and(|w| w <= as_of);
        entries
            .entry(row.consultation_id.clone())
            .or_default()
            .push(ConsultationEntry {
                contribution_id: row.read.contribution_id,
                consultation_id: row.consultation_id,
                author_member_id: row.author_member_id,
                author_name: at_rest.open_opt(column::MEMBER_NAME, row.author_name.as_deref())?,
                anonymous_commune: row.anonymous_commune,
                kind: row.kind,
                text: at_rest.open(column::CONTRIBUTION_TEXT, &row.text)?,
                submitted_on: row.read.submitted_on,
                late_reason: row.read.late_reason,
                amended_on: row.amended_on,
                amendment_reason: at_rest
                    .open_opt(column::AMENDMENT_REASON, row.amendment_reason.as_deref())?,
                withdrawn_on: row.read.withdrawn_on.filter(|_| withdrawn),
                withdrawal_reason: at_rest
                    .open_opt(column::WITHDRAWAL_REASON, row.withdrawal_reason.as_deref())?
                    .filter(|_| withdrawn),
                answer_deadline: facts.deadline().to_string(),
                standing,
                answer,
                imported: match (
                    row.imported_format,
                    row.imported_file_sha256,
                    row.imported_row,
                ) {
                    (Some(format), Some(file_sha256), Some(line)) => Some(ImportedFrom {
                        format,
                        file_sha256,
                        row: line,
                        response: row.imported_response,
                    }),
                    _ => None,
                },
                attachment: at_rest
                    .open_opt(column::CONTRIBUTION_ATTACHMENT, row.attachment.as_deref())?,
                file: match (row.file_sha256, row.file_media_type, row.file_size) {
                    (Some(sha256), Some(media_type), Some(size)) => Some(KeptFile {
                        sha256,
                        media_type,
                        size,
                    }),
                    _ => None,
                },
                answered_text: at_rest
                    .open_opt(column::VERSION_TEXT, row.answered_text.as_deref())?,
                answered_on: row.answered_on,
            });
    }
    Ok(entries)
}

/// One compliance check of the register, with what to do when it fails.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// A stable code, e.g. `at_least_two_active_representatives`.
    pub code: String,
    /// Whether it holds.
    pub ok: bool,
    /// What was found, in French.
    pub detail_fr: String,
    /// What was found, in English.
    pub detail_en: String,
    /// What to do, in French (empty when it holds).
    pub what_to_do_fr: String,
    /// What to do, in English (empty when it holds).
    pub what_to_do_en: String,
}

/// A representative, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Representative {
    /// The member.
    pub member_id: String,
    /// Their name.
    pub name: String,
    /// The mandating association's name.
    pub association: Option<String>,
    /// First day of the mandate.
    pub mandate_start: Option<String>,
    /// Last day of the mandate.
    pub mandate_end: Option<String>,
    /// When it was ended early.
    pub mandate_ended_on: Option<String>,
    /// Whether they live in the territory (1) or not (0).
    pub lives_in_territory: Option<i64>,
    /// Where they live.
    pub commune: Option<String>,
    /// Their written cadre d'intervention.
    pub cadre_intervention: Option<String>,
    /// When they left the CPTS.
    pub departed_on: Option<String>,
    /// Whether the mandate is active on the "as of" date.
    #[sqlx(skip)]
    pub active: bool,
}

/// An association and its approval status, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AssociationStatus {
    /// The association.
    pub association_id: String,
    /// Its name.
    pub name: String,
    /// `approved`, `expired` or `not_approved`.
    pub approval: String,
    /// The next step, in French (empty when approved).
    pub next_step_fr: String,
    /// The next step, in English (empty when approved).
    pub next_step_en: String,
}

/// The membership and governance register of a CPTS, with its compliance checks.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Register {
    /// Active members by kind.
    pub members_by_kind: BTreeMap<String, u64>,
    /// Active members by collège name.
    pub members_by_college: BTreeMap<String, u64>,
    /// Representatives with a mandate.
    pub representatives: Vec<Representative>,
    /// Associations and their approval.
    pub associations: Vec<AssociationStatus>,
    /// Compliance checks.
    pub checks: Vec<Check>,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    kind: String,
    college: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AssociationRow {
    association_id: String,
    name: String,
    approval_granted_on: Option<String>,
    approval_expires_on: Option<String>,
    withdrawn_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CommunityRow {
    rules_adopted_on: Option<String>,
    travel_expenses_reimbursed: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

#[derive(sqlx::FromRow)]
struct MomentRow {
    moment: String,
    submitted_on: String,
}

#[derive(sqlx::FromRow)]
struct SeatRow {
    since: String,
    left_on: Option<String>,
}

/// The register of a CPTS and its compliance checks, as of a date.
pub async fn register(db: &ReadDb, community_id: &str, as_of: NaiveDate) -> Result<Register> {
    let cpts = Param::from(community_id);
    let day = Param::from(as_of);
    let present = "admitted_on <= $2 AND (departed_on IS NULL OR departed_on > $2)";

    let mut members_by_kind = BTreeMap::new();
    let mut members_by_college = BTreeMap::new();
    let members = db
        .fetch::<MemberRow>(
            &format!(
                "SELECT m.kind, g.name AS college FROM proj_members m \
                 LEFT JOIN proj_colleges g ON g.college_id = m.college_id \
                 WHERE m.community_id = $1 AND {present}"
            ),
            &[cpts.clone(), day.clone()],
        )
        .await?;
    for m in members {
        *members_by_kind.entry(m.kind).or_insert(0) += 1;
        if let Some(college) = m.college {
            *members_by_college.entry(college).or_insert(0) += 1;
        }
    }

    let mut representatives = db
        .fetch::<Representative>(
            "SELECT m.member_id, m.name, a.name AS association, m.mandate_start, m.mandate_end, \
             m.mandate_ended_on, m.lives_in_territory, m.commune, m.cadre_intervention, m.departed_on \
             FROM proj_members m LEFT JOIN proj_associations a ON a.association_id = m.mandate_association_id \
             WHERE m.community_id = $1 AND m.mandate_association_id IS NOT NULL AND m.admitted_on <= $2",
            &[cpts.clone(), day.clone()],
        )
        .await?;
    let at_rest = db.at_rest()?;
    for r in &mut representatives {
        r.name = at_rest.open(column::MEMBER_NAME, &r.name)?;
        r.commune = at_rest.open_opt(column::MEMBER_COMMUNE, r.commune.as_deref())?;
        r.cadre_intervention =
            at_rest.open_opt(column::MEMBER_CADRE, r.cadre_intervention.as_deref())?;
    }
    representatives
        .sort_by(|a, b| name_order(&a.name, &b.name).then_with(|| a.member_id.cmp(&b.member_id)));
    for r in &mut representatives {
        r.active = match (date(&r.mandate_start)?, date(&r.mandate_end)?) {
            (Some(start), Some(end)) => MandateFacts {
                start,
                end,
                ended_on: date(&r.mandate_ended_on)?,
                departed_on: date(&r.departed_on)?,
            }
            .in_force_on(as_of),
            _ => false,
        };
    }

    let mut associations = Vec::new();
    for a in db
        .fetch::<AssociationRow>(
            "SELECT association_id, name, approval_granted_on, approval_expires_on, withdrawn_on \
             FROM proj_associations WHERE community_id = $1 ORDER BY name",
            std::slice::from_ref(&cpts),
        )
        .await?
    {
        if date(&a.withdrawn_on)?.is_some_and(|w| w <= as_of) {
            continue;
        }
        let granted = date(&a.approval_granted_on)?.zip(date(&a.approval_expires_on)?);
        let standing = rules::approval(granted, as_of);
        associations.push(AssociationStatus {
            association_id: a.association_id,
            name: a.name,
            approval: standing.code().to_owned(),
            next_step_fr: texts::approval_next_step(&standing, Lang::Fr).to_owned(),
            next_step_en: texts::approval_next_step(&standing, Lang::En).to_owned(),
        });
    }

    let users_college_seated = db
        .fetch::<Count>(
            &format!(
                "SELECT COUNT(*) AS n FROM proj_members m JOIN proj_colleges g ON g.college_id = m.college_id \
                 WHERE m.community_id = $1 AND g.is_users_college = 1 AND {present}"
            ),
            &[cpts.clone(), day.clone()],
        )
        .await?
        .first()
        .map_or(0, |c| c.n);
    let users_college = db
        .fetch::<Count>(
            "SELECT COUNT(*) AS n FROM proj_colleges WHERE community_id = $1 AND is_users_college = 1",
            std::slice::from_ref(&cpts),
        )
        .await?
        .first()
        .map_or(0, |c| c.n);
    let rules_row = db
        .fetch::<CommunityRow>(
            "SELECT rules_adopted_on, travel_expenses_reimbursed FROM proj_communities WHERE community_id = $1",
            std::slice::from_ref(&cpts),
        )
        .await?;
    let travel_expenses_reimbursed = match rules_row.first() {
        Some(r) if date(&r.rules_adopted_on)?.is_some_and(|d| d <= as_of) => {
            Some(r.travel_expenses_reimbursed == Some(1))
        }
        _ => None,
    };
    let representative_contributions = db
        .fetch::<MomentRow>(
            "SELECT DISTINCT c.moment, k.submitted_on FROM proj_contributions k \
             JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
             JOIN proj_members m ON m.member_id = k.author_member_id \
             WHERE c.community_id = $1 AND m.mandate_association_id IS NOT NULL",
            std::slice::from_ref(&cpts),
        )
        .await?
        .into_iter()
        .map(|m| {
            Ok((
                Moment::from_wire_name(&m.moment)
                    .ok_or_else(|| undecodable("a moment", &m.moment))?,
                stored_day(&m.submitted_on)?,
            ))
        })
        .collect::<Result<_>>()?;
    let representative_board_seats = db
        .fetch::<SeatRow>(
            "SELECT s.since, s.left_on FROM proj_seats s JOIN proj_bodies b ON b.body_id = s.body_id \
             JOIN proj_members m ON m.member_id = s.member_id \
             WHERE b.community_id = $1 AND b.kind = 'board' AND m.mandate_association_id IS NOT NULL",
            std::slice::from_ref(&cpts),
        )
        .await?
        .into_iter()
        .map(|s| Ok((stored_day(&s.since)?, date(&s.left_on)?)))
        .collect::<Result<_>>()?;
    let outcomes = rules::compliance(&ComplianceFacts {
        representatives_in_office: representatives
            .iter()
            .filter(|r| r.active)
            .map(|r| (r.name.clone(), r.cadre_intervention.is_some()))
            .collect(),
        users_college_defined: users_college > 0,
        users_college_seated: u64::try_from(users_college_seated).unwrap_or(0),
        travel_expenses_reimbursed,
        period: Period::calendar_year_of(as_of),
        as_of,
        representative_contributions,
        representative_board_seats,
    });
    let checks = outcomes
        .iter()
        .map(|outcome| {
            let (fr, en) = (
                texts::check_sentences(outcome, Lang::Fr),
                texts::check_sentences(outcome, Lang::En),
            );
            Check {
                code: outcome.code().to_owned(),
                ok: outcome.ok(),
                detail_fr: fr.detail,
                detail_en: en.detail,
                what_to_do_fr: fr.what_to_do,
                what_to_do_en: en.what_to_do,
            }
        })
        .collect();

    Ok(Register {
        members_by_kind,
        members_by_college,
        representatives,
        associations,
        checks,
    })
}

/// One indicator report of a decision.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct IndicatorReport {
    /// The decision.
    pub decision_id: String,
    /// The indicator.
    pub indicator: String,
    /// The period measured.
    pub period: String,
    /// The value.
    pub value: f64,
    /// The target.
    pub target: Option<f64>,
    /// When it was reported.
    pub reported_on: String,
}

/// The indicator history of a CPTS's decisions, in period order.
pub async fn indicator_history(db: &ReadDb, community_id: &str) -> Result<Vec<IndicatorReport>> {
    db.fetch(
        "SELECT i.decision_id, i.indicator, i.period, i.value, i.target, i.reported_on FROM proj_indicators i \
         JOIN proj_decisions d ON d.decision_id = i.decision_id WHERE d.community_id = $1 \
         ORDER BY i.decision_id, i.indicator, i.period",
        &[Param::from(community_id)],
    )
    .await
}

/// One contribution whose answer is due soon, overdue, late, or revised and not yet
/// republished, with what a person needs to recognise it: its consultation's subject, its
/// author as staff may see them, its text and its dates (never only its id).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DueContribution {
    /// The contribution.
    pub contribution_id: String,
    /// Its consultation.
    pub consultation_id: String,
    /// The consultation's subject.
    pub subject: String,
    /// The member who wrote it, if a member did.
    pub author_member_id: Option<String>,
    /// The member's name, if a member wrote it.
    pub author_name: Option<String>,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// Its kind.
    pub kind: String,
    /// Its text.
    pub text: String,
    /// When it was submitted.
    pub submitted_on: String,
    /// The last day an answer is on time.
    pub answer_deadline: String,
    /// Where it stands ([`rules::standing`]).
    pub standing: ContributionStanding,
    /// The decisions that drew on its consultation, where it can be answered: `(id, title)`,
    /// oldest first; empty when no decision took it up yet.
    pub decisions: Vec<(String, String)>,
}

impl DueContribution {
    /// Its author as staff read it: the member's name, or "un habitant de <commune>", or
    /// "un habitant".
    pub fn author(&self, lang: Lang) -> String {
        author_as_staff_see(
            self.author_name.as_deref(),
            self.anonymous_commune.as_deref(),
            lang,
        )
    }

    /// Whether its answer came, or is still to come, after the deadline.
    pub fn is_late(&self) -> bool {
        self.standing.days_late().is_some()
    }
}

/// An author as staff read them: the member's name, or an anonymous inhabitant "de <commune>"
/// (elided before a vowel), or just "un habitant".
pub fn author_as_staff_see(name: Option<&str>, commune: Option<&str>, lang: Lang) -> String {
    use cpts_domain::texts::{t, t_args};
    match (name, commune.map(str::trim).filter(|c| !c.is_empty())) {
        (Some(name), _) => name.to_owned(),
        (None, Some(commune)) => {
            let key = if cpts_domain::texts::elides(commune) {
                "author-inhabitant-of-elided"
            } else {
                "author-inhabitant-of"
            };
            t_args(lang, key, &[("commune", commune.into())])
        }
        (None, None) => t(lang, "author-inhabitant").to_owned(),
    }
}

#[derive(sqlx::FromRow)]
struct DueRow {
    contribution_id: String,
    consultation_id: String,
    subject: String,
    author_member_id: Option<String>,
    author_name: Option<String>,
    anonymous_commune: Option<String>,
    kind: String,
    text: String,
    submitted_on: String,
    withdrawn_on: Option<String>,
    late_reason: Option<String>,
    rung: String,
    closes_on: String,
    answer_deadline: String,
    first_published_on: Option<String>,
    revised_on: Option<String>,
    published_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DrawnOnRow {
    consultation_id: String,
    decision_id: String,
    title: String,
}

/// The contributions of a CPTS submitted by `as_of` that the coordinator must see, whether
/// or not a decision took them up: overdue, answered late, revised and awaiting
/// republication, or pending with a deadline by `as_of + within_days`; soonest deadline first,
/// at most `limit`. Their standing is [`rules::standing`]'s, as every reader's.
pub async fn due_contributions(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
    limit: usize,
) -> Result<Vec<DueContribution>> {
    let horizon = as_of
        .checked_add_days(chrono::Days::new(u64::from(within_days)))
        .unwrap_or(NaiveDate::MAX);
    let rows = db
        .fetch::<DueRow>(
            "SELECT k.contribution_id, k.consultation_id, c.subject, k.author_member_id, \
             m.name AS author_name, k.anonymous_commune, k.kind, k.text, k.submitted_on, \
             k.withdrawn_on, k.late_reason, c.rung, c.closes_on, c.answer_deadline, \
             a.first_published_on, a.revised_on, a.published_on \
             FROM proj_contributions k \
             JOIN proj_consultations c ON c.consultation_id = k.consultation_id \
             LEFT JOIN proj_members m ON m.member_id = k.author_member_id \
             LEFT JOIN proj_answers a ON a.contribution_id = k.contribution_id \
             WHERE k.community_id = $1 AND k.submitted_on <= $2 \
             ORDER BY c.answer_deadline, k.submitted_on, k.contribution_id, a.decision_id",
            &[Param::from(community_id), Param::from(as_of)],
        )
        .await?;
    let rows = by_contribution(
        rows,
        |r| r.contribution_id.as_str(),
        |r| {
            r.first_published_on
                .is_some()
                .then(|| answer_facts(&r.first_published_on, &r.revised_on, &r.published_on))
                .transpose()
        },
        as_of,
    )?;
    let mut due = Vec::new();
    for (row, answer) in rows {
        let facts = contribution_facts(
            ContributionRow {
                submitted_on: &row.submitted_on,
                withdrawn_on: &row.withdrawn_on,
                late_reason: &row.late_reason,
                rung: &row.rung,
                closes_on: &row.closes_on,
                answer_deadline: &row.answer_deadline,
            },
            answer,
        )?;
        let standing = rules::standing(&facts, as_of);
        let shown = match standing {
            ContributionStanding::Pending { deadline } => deadline <= horizon,
            other => other.awaits_publication() || other.days_late().is_some(),
        };
        if shown {
            due.push((row, standing, facts.deadline()));
        }
    }
    // A contribution received late owes its answer later than its consultation's deadline.
    due.sort_by(|a, b| (a.2, &a.0.submitted_on).cmp(&(b.2, &b.0.submitted_on)));
    due.truncate(limit);
    let mut drawn_on: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    if !due.is_empty() {
        for d in db
            .fetch::<DrawnOnRow>(
                "SELECT l.consultation_id, d.decision_id, d.title \
                 FROM proj_decision_consultations l \
                 JOIN proj_decisions d ON d.decision_id = l.decision_id \
                 WHERE d.community_id = $1 ORDER BY d.proposed_on, d.decision_id",
                &[Param::from(community_id)],
            )
            .await?
        {
            drawn_on
                .entry(d.consultation_id)
                .or_default()
                .push((d.decision_id, d.title));
        }
    }
    let at_rest = db.at_rest()?;
    due.into_iter()
        .map(|(row, standing, deadline)| {
            Ok(DueContribution {
                decisions: drawn_on
                    .get(&row.consultation_id)
                    .cloned()
                    .unwrap_or_default(),
                contribution_id: row.contribution_id,
                consultation_id: row.consultation_id,
                subject: row.subject,
                author_member_id: row.author_member_id,
                author_name: at_rest.open_opt(column::MEMBER_NAME, row.author_name.as_deref())?,
                anonymous_commune: row.anonymous_commune,
                kind: row.kind,
                text: at_rest.open(column::CONTRIBUTION_TEXT, &row.text)?,
                submitted_on: row.submitted_on,
                answer_deadline: deadline.to_string(),
                standing,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::name_order;

    #[test]
    fn names_sort_without_case_or_accent_and_the_order_is_total() {
        let mut names = vec![
            "Zoé Martin",
            "émilie Durand",
            "Emma Blanc",
            "Dr Hélène Castel",
            "Œdipe Roi",
            "Claire Vidal",
            "Emma blanc",
        ];
        names.sort_by(|a, b| name_order(a, b));
        assert_eq!(
            names,
            [
                "Claire Vidal",
                "Dr Hélène Castel",
                "émilie Durand",
                "Emma Blanc",
                "Emma blanc",
                "Œdipe Roi",
                "Zoé Martin",
            ]
        );
        assert_eq!(name_order("Émile", "Emile"), "Émile".cmp("Emile"));
    }
}
