//! What the dashboard reads: views over the projections, shaped for GraphQL.
//!
//! Every view is read from the read models (`cpts_projections`), never from the log, and is
//! confined to the caller's CPTS by the resolvers in [`crate::query`]. Who sees names is
//! decided once per request ([`Visibility`]) and applied where a view is built.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject, ID};
use chrono::NaiveDate;
use cpts_domain::rules::ContributionStanding;
use cpts_projections::listing::{self, DecisionSummary};
use cpts_projections::queries;
use cpts_projections::ReadDb;

use crate::decode::{self, day, maybe_day, vocab, Tally};
use crate::inputs::{ContributionKind, Disposition, Method, Mission, Moment, Rung};
use cpts_domain::values;

/// Who sees what in a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Coordinators, board members, auditors: names, unpublished answers, everything.
    Everything,
    /// Representatives and the public: published answers only, and nobody's name or commune.
    Published,
}

/// A failed read of the projections: logged, shown as an internal error.
pub(crate) fn read_failed(error: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!(%error, "reading the projections failed");
    crate::errors::internal()
}

/// The read models behind the schema.
pub(crate) fn read_db<'a>(ctx: &Context<'a>) -> Result<&'a ReadDb> {
    ctx.data::<ReadDb>()
}

/// The request's loader.
pub type RequestLoader = DataLoader<DecisionLoader, async_graphql::dataloader::HashMapCache>;

/// Reads, in one statement per kind, what the fields asked for on a page of decisions need,
/// and leaves it in the request's loader: the page then costs the same few statements at any
/// size, however the resolvers of its rows happen to be scheduled.
pub(crate) async fn prefetch(ctx: &Context<'_>, ids: &[String], as_of: NaiveDate) -> Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let loader = ctx.data::<RequestLoader>()?;
    if node.field("trail").exists() {
        loader
            .load_many(ids.iter().map(|id| TrailKey(id.clone(), as_of)))
            .await
            .map_err(read_failed)?;
    }
    if node.field("milestones").exists() {
        loader
            .load_many(ids.iter().cloned().map(MilestonesKey))
            .await
            .map_err(read_failed)?;
    }
    if node.field("indicators").exists() {
        loader
            .load_many(ids.iter().cloned().map(IndicatorsKey))
            .await
            .map_err(read_failed)?;
    }
    Ok(())
}

/// Batches the reads behind a page of decisions: one query per kind of data, whatever the
/// page's size.
pub struct DecisionLoader {
    db: ReadDb,
}

impl DecisionLoader {
    /// A loader over the read models; one per request.
    pub fn new(db: ReadDb) -> Self {
        Self { db }
    }
}

/// The influence trail of a decision as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrailKey(pub String, pub NaiveDate);

impl Loader<TrailKey> for DecisionLoader {
    type Value = queries::InfluenceTrail;
    type Error = Arc<sqlx::Error>;

    async fn load(
        &self,
        keys: &[TrailKey],
    ) -> std::result::Result<HashMap<TrailKey, Self::Value>, Self::Error> {
        let mut by_date: HashMap<NaiveDate, Vec<String>> = HashMap::new();
        for TrailKey(id, as_of) in keys {
            by_date.entry(*as_of).or_default().push(id.clone());
        }
        let mut found = HashMap::new();
        for (as_of, ids) in by_date {
            let trails = listing::influence_trails(&self.db, &ids, as_of)
                .await
                .map_err(Arc::new)?;
            found.extend(
                trails
                    .into_iter()
                    .map(|(id, trail)| (TrailKey(id, as_of), trail)),
            );
        }
        Ok(found)
    }
}

/// The contributions of a consultation as of a date, each with its standing and first answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntriesKey(pub String, pub NaiveDate);

impl Loader<EntriesKey> for DecisionLoader {
    type Value = Vec<queries::ConsultationEntry>;
    type Error = Arc<sqlx::Error>;

    async fn load(
        &self,
        keys: &[EntriesKey],
    ) -> std::result::Result<HashMap<EntriesKey, Self::Value>, Self::Error> {
        let mut by_date: HashMap<NaiveDate, Vec<String>> = HashMap::new();
        for EntriesKey(id, as_of) in keys {
            by_date.entry(*as_of).or_default().push(id.clone());
        }
        let mut found = HashMap::new();
        for (as_of, ids) in by_date {
            let mut entries = queries::consultations_contributions(&self.db, &ids, as_of)
                .await
                .map_err(Arc::new)?;
            // Every key gets an answer, an empty one too, so that nothing asks again.
            for id in ids {
                let value = entries.remove(&id).unwrap_or_default();
                found.insert(EntriesKey(id, as_of), value);
            }
        }
        Ok(found)
    }
}

/// Reads, in one statement, the entries of every consultation of a list when the query asks
/// for them (`entries` or `csv`), and leaves them in the request's loader.
pub(crate) async fn prefetch_entries(
    ctx: &Context<'_>,
    ids: &[String],
    as_of: NaiveDate,
) -> Result<()> {
    let asked = ctx.look_ahead();
    if asked.field("entries").exists() || asked.field("csv").exists() {
        ctx.data::<RequestLoader>()?
            .load_many(ids.iter().map(|id| EntriesKey(id.clone(), as_of)))
            .await
            .map_err(read_failed)?;
    }
    Ok(())
}

/// The milestones of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MilestonesKey(pub String);

impl Loader<MilestonesKey> for DecisionLoader {
    type Value = Vec<listing::Milestone>;
    type Error = Arc<sqlx::Error>;

    async fn load(
        &self,
        keys: &[MilestonesKey],
    ) -> std::result::Result<HashMap<MilestonesKey, Self::Value>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let mut found = listing::milestones(&self.db, &ids)
            .await
            .map_err(Arc::new)?;
        // Every key gets an answer, an empty one too, so that nothing asks again.
        Ok(keys
            .iter()
            .map(|k| (k.clone(), found.remove(&k.0).unwrap_or_default()))
            .collect())
    }
}

/// The indicator reports of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndicatorsKey(pub String);

impl Loader<IndicatorsKey> for DecisionLoader {
    type Value = Vec<queries::IndicatorReport>;
    type Error = Arc<sqlx::Error>;

    async fn load(
        &self,
        keys: &[IndicatorsKey],
    ) -> std::result::Result<HashMap<IndicatorsKey, Self::Value>, Self::Error> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let mut found = listing::indicators(&self.db, &ids)
            .await
            .map_err(Arc::new)?;
        Ok(keys
            .iter()
            .map(|k| (k.clone(), found.remove(&k.0).unwrap_or_default()))
            .collect())
    }
}

/// Where a contribution stands on the "as of" date, as the domain's rule decides it
/// (`cpts_domain::rules::standing`); the same for the register, the trails, *Mes
/// contributions*, the digest and the report.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "ContributionStanding")]
pub enum Standing {
    /// Its consultation's rung owes no answer.
    NotOwed,
    /// Owed an answer, the deadline not passed.
    Pending,
    /// Owed an answer, none published, the deadline passed.
    Overdue,
    /// Answered by the deadline.
    AnsweredOnTime,
    /// First answered after the deadline.
    AnsweredLate,
    /// Withdrawn by its author.
    Withdrawn,
    /// Its published answer was revised, and the revision is not published yet (it counts
    /// by its first publication in promise keeping).
    RevisedAwaitingRepublication,
}

impl From<&ContributionStanding> for Standing {
    fn from(standing: &ContributionStanding) -> Self {
        match standing {
            ContributionStanding::NotOwed => Standing::NotOwed,
            ContributionStanding::Pending { .. } => Standing::Pending,
            ContributionStanding::Overdue { .. } => Standing::Overdue,
            ContributionStanding::AnsweredOnTime { .. } => Standing::AnsweredOnTime,
            ContributionStanding::AnsweredLate { .. } => Standing::AnsweredLate,
            ContributionStanding::Withdrawn { .. } => Standing::Withdrawn,
            ContributionStanding::RevisedAwaitingRepublication { .. } => {
                Standing::RevisedAwaitingRepublication
            }
        }
    }
}

/// One contribution of a consultation and where it stands.
#[derive(SimpleObject, Debug, Clone)]
pub struct ContributionStandingEntry {
    /// The contribution.
    pub contribution_id: ID,
    /// Where it stands.
    pub standing: Standing,
}

/// The state of a decision.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum DecisionStatus {
    /// Proposed, not voted yet.
    Proposed,
    /// Adopted by its body.
    Adopted,
    /// Rejected by its body.
    Rejected,
    /// Deferred to a later meeting.
    Deferred,
    /// Withdrawn before a vote.
    Withdrawn,
}

impl DecisionStatus {
    /// The name stored in the read models.
    pub fn stored_name(self) -> &'static str {
        match self {
            DecisionStatus::Proposed => "proposed",
            DecisionStatus::Adopted => "adopted",
            DecisionStatus::Rejected => "rejected",
            DecisionStatus::Deferred => "deferred",
            DecisionStatus::Withdrawn => "withdrawn",
        }
    }

    fn from_stored(name: &str) -> Self {
        match name {
            "adopted" => DecisionStatus::Adopted,
            "rejected" => DecisionStatus::Rejected,
            "deferred" => DecisionStatus::Deferred,
            "withdrawn" => DecisionStatus::Withdrawn,
            _ => DecisionStatus::Proposed,
        }
    }

    /// Whether the decision is public: its body has voted on it.
    pub fn is_published(self) -> bool {
        matches!(
            self,
            DecisionStatus::Adopted | DecisionStatus::Rejected | DecisionStatus::Deferred
        )
    }
}

/// A decision of a body, with what shaped it.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Decision {
    /// The decision.
    pub id: ID,
    /// The body that decides.
    pub body_id: ID,
    /// The body's name.
    pub body_name: String,
    /// Its title.
    pub title: String,
    /// Its text (the latest amendment).
    pub text: String,
    /// The moment of participation it belongs to.
    pub moment: Moment,
    /// Its mission.
    pub mission: Mission,
    /// When it was proposed.
    pub proposed_on: NaiveDate,
    /// Where it stands.
    pub status: DecisionStatus,
    /// When it was voted.
    pub voted_on: Option<NaiveDate>,
    /// The tally per collège, as recorded.
    pub tally: Option<Tally>,
    /// How many times its text was amended.
    pub amendments: i64,
    /// When it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// What the caller sees of it.
    #[graphql(skip)]
    pub visibility: Visibility,
    /// The date its time-dependent parts are read at.
    #[graphql(skip)]
    pub as_of: NaiveDate,
}

impl Decision {
    /// The view of a decision for a caller, as of a date.
    pub fn new(summary: DecisionSummary, visibility: Visibility, as_of: NaiveDate) -> Result<Self> {
        Ok(Self {
            id: ID(summary.decision_id),
            body_id: ID(summary.body_id),
            body_name: summary.body_name,
            title: summary.title,
            text: summary.text,
            moment: vocab(&summary.moment, values::Moment::from_wire_name)?,
            mission: vocab(&summary.mission, values::Mission::from_wire_name)?,
            proposed_on: day(&summary.proposed_on)?,
            status: DecisionStatus::from_stored(&summary.status),
            voted_on: maybe_day(summary.voted_on.as_deref())?,
            tally: decode::tally(summary.tally.as_deref())?,
            amendments: summary.amendments,
            withdrawn_on: maybe_day(summary.withdrawn_on.as_deref())?,
            visibility,
            as_of,
        })
    }
}

#[ComplexObject]
impl Decision {
    /// How the contributions of the consultations it drew on were taken into account, as of
    /// the date the decision was read at.
    #[graphql(complexity = "crate::limits::TRAIL_COMPLEXITY + child_complexity")]
    async fn trail(&self, ctx: &Context<'_>) -> Result<Option<InfluenceTrail>> {
        let loader = ctx.data::<RequestLoader>()?;
        let trail = loader
            .load_one(TrailKey(self.id.to_string(), self.as_of))
            .await
            .map_err(read_failed)?;
        let me = match crate::types::caller(ctx) {
            cpts_domain::access::Caller::Principal(p) => p.member.map(|m| m.0.to_string()),
            _ => None,
        };
        trail
            .map(|t| InfluenceTrail::new(t, self.visibility, me.as_deref()))
            .transpose()
    }

    /// What was done to implement it, in order.
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<Milestone>> {
        let loader = ctx.data::<RequestLoader>()?;
        let found = loader
            .load_one(MilestonesKey(self.id.to_string()))
            .await
            .map_err(read_failed)?
            .unwrap_or_default();
        let mut milestones = Vec::new();
        for m in found {
            let happened_on = day(&m.happened_on)?;
            if happened_on <= self.as_of {
                milestones.push(Milestone {
                    happened_on,
                    milestone: m.milestone,
                });
            }
        }
        Ok(milestones)
    }

    /// The indicators reported for it, by period.
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<IndicatorReport>> {
        let loader = ctx.data::<RequestLoader>()?;
        let found = loader
            .load_one(IndicatorsKey(self.id.to_string()))
            .await
            .map_err(read_failed)?
            .unwrap_or_default();
        let mut reports = Vec::new();
        for i in found {
            let reported_on = day(&i.reported_on)?;
            if reported_on <= self.as_of {
                reports.push(IndicatorReport {
                    indicator: i.indicator,
                    period: i.period,
                    value: i.value,
                    target: i.target,
                    reported_on,
                });
            }
        }
        Ok(reports)
    }
}

/// A step in implementing a decision.
#[derive(SimpleObject, Debug, Clone)]
pub struct Milestone {
    /// When.
    pub happened_on: NaiveDate,
    /// What.
    pub milestone: String,
}

/// A value of an indicator for a period.
#[derive(SimpleObject, Debug, Clone)]
pub struct IndicatorReport {
    /// The indicator.
    pub indicator: String,
    /// The period measured.
    pub period: String,
    /// The value.
    pub value: f64,
    /// The target.
    pub target: Option<f64>,
    /// When it was reported.
    pub reported_on: NaiveDate,
}

/// A consultation a decision drew on.
#[derive(SimpleObject, Debug, Clone)]
pub struct TrailConsultation {
    /// The consultation.
    pub id: ID,
    /// Its subject.
    pub subject: String,
    /// Its rung of the participation ladder.
    pub rung: Rung,
    /// The promise that rung makes, in French.
    pub promise: String,
    /// The promise, in English.
    pub promise_en: String,
    /// The date by which every contribution is owed its answer.
    pub answer_deadline: NaiveDate,
}

/// A contribution received after its consultation's closing, accepted as late by a coordinator.
#[derive(SimpleObject, Debug, Clone)]
pub struct LateReception {
    /// When it was received.
    pub received_on: NaiveDate,
    /// Why it was accepted all the same.
    pub reason: String,
}

impl LateReception {
    /// From a contribution's date and the reason it was accepted late, if it was.
    fn of(submitted_on: NaiveDate, reason: Option<String>) -> Option<Self> {
        reason.map(|reason| Self {
            received_on: submitted_on,
            reason,
        })
    }
}

/// One contribution and what became of it.
#[derive(SimpleObject, Debug, Clone)]
pub struct TrailEntry {
    /// The contribution.
    pub contribution_id: ID,
    /// Its consultation.
    pub consultation_id: ID,
    /// Its author's name; absent for an anonymous inhabitant, and for callers who do not see
    /// names.
    pub author_name: Option<String>,
    /// Whether an inhabitant wrote it without giving their name.
    pub anonymous: bool,
    /// Whether the signed-in member wrote it (shown to them as *vous*, published or not).
    pub mine: bool,
    /// The anonymous inhabitant's commune, for callers who see names.
    pub anonymous_commune: Option<String>,
    /// What it is.
    pub kind: ContributionKind,
    /// Its text.
    pub text: String,
    /// When it was submitted (for one received late, the day it was received).
    pub submitted_on: NaiveDate,
    /// Set when it was received after its consultation's closing and accepted as late.
    pub late_reception: Option<LateReception>,
    /// When it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// Why it was withdrawn, if said.
    pub withdrawal_reason: Option<String>,
    /// When its text was last amended.
    pub amended_on: Option<NaiveDate>,
    /// Why it was last amended, if said.
    pub amendment_reason: Option<String>,
    /// What became of it, once answered.
    pub disposition: Option<Disposition>,
    /// Why.
    pub rationale: Option<String>,
    /// When the answer was published.
    pub published_on: Option<NaiveDate>,
    /// The words its answer answered, when it was amended since: the answer stays tied to the
    /// version it answered, and `text` is the newer one.
    pub answered_text: Option<String>,
    /// The day of that version.
    pub answered_on: Option<NaiveDate>,
    /// The date the answer was owed by: the consultation's, or for one received late its
    /// own, counted from its reception.
    pub answer_deadline: NaiveDate,
    /// Whether the answer came by its deadline (its first publication, for a revision not
    /// yet republished); absent while unanswered.
    pub on_time: Option<bool>,
    /// Where the contribution stands by this decision's answer.
    pub standing: Standing,
}

/// How many contributions got one disposition.
#[derive(SimpleObject, Debug, Clone)]
pub struct DispositionCount {
    /// The disposition.
    pub disposition: Disposition,
    /// How many.
    pub count: u64,
}

/// How the contributions of a decision's consultations were taken into account.
#[derive(SimpleObject, Debug, Clone)]
pub struct InfluenceTrail {
    /// The consultations it drew on.
    pub consultations: Vec<TrailConsultation>,
    /// Every contribution, with its answer.
    pub entries: Vec<TrailEntry>,
    /// Published answers, by disposition.
    pub counts: Vec<DispositionCount>,
    /// The share of published answers that retained the contribution fully or partly.
    pub share_retained: Option<f64>,
}

impl InfluenceTrail {
    /// The trail as a caller sees it; `me` is the signed-in member, whose own contributions
    /// are shown (marked `mine`) even before their answer is published.
    fn new(
        trail: queries::InfluenceTrail,
        visibility: Visibility,
        me: Option<&str>,
    ) -> Result<Self> {
        let everything = visibility == Visibility::Everything;
        let consultations = trail
            .consultations
            .into_iter()
            .map(|c| {
                Ok(TrailConsultation {
                    id: ID(c.consultation_id),
                    subject: c.subject,
                    rung: vocab(&c.rung, values::Rung::from_wire_name)?,
                    promise: c.promise_fr,
                    promise_en: c.promise_en,
                    answer_deadline: day(&c.answer_deadline)?,
                })
            })
            .collect::<Result<_>>()?;
        let entries = trail
            .entries
            .into_iter()
            .filter(|e| {
                everything || e.published_on.is_some() || e.author_member_id.as_deref() == me
            })
            .map(|e| {
                let mine = me.is_some() && e.author_member_id.as_deref() == me;
                // The answer is public once published; a draft only for those who see all.
                let shown = everything || e.published_on.is_some();
                let submitted_on = day(&e.submitted_on)?;
                Ok(TrailEntry {
                    contribution_id: ID(e.contribution_id),
                    consultation_id: ID(e.consultation_id),
                    anonymous: e.author_member_id.is_none(),
                    mine,
                    author_name: e.author_name.filter(|_| everything),
                    anonymous_commune: e.anonymous_commune.filter(|_| everything),
                    kind: vocab(&e.kind, values::ContributionKind::from_wire_name)?,
                    text: e.text,
                    submitted_on,
                    late_reception: LateReception::of(submitted_on, e.late_reason),
                    withdrawn_on: maybe_day(e.withdrawn_on.as_deref())?,
                    withdrawal_reason: e.withdrawal_reason,
                    amended_on: maybe_day(e.amended_on.as_deref())?,
                    amendment_reason: e.amendment_reason,
                    disposition: e
                        .disposition
                        .filter(|_| shown)
                        .map(|d| vocab(&d, values::Disposition::from_wire_name))
                        .transpose()?,
                    rationale: e.rationale.filter(|_| shown),
                    published_on: maybe_day(e.published_on.as_deref())?,
                    answered_text: e.answered_text.filter(|_| shown),
                    answered_on: maybe_day(e.answered_on.as_deref())?.filter(|_| shown),
                    answer_deadline: day(&e.answer_deadline)?,
                    on_time: e.on_time,
                    standing: e
                        .standing
                        .as_ref()
                        .map_or(Standing::Pending, Standing::from),
                })
            })
            .collect::<Result<_>>()?;
        let counts = trail
            .counts
            .into_iter()
            .map(|(disposition, count)| {
                Ok(DispositionCount {
                    disposition: vocab(&disposition, values::Disposition::from_wire_name)?,
                    count,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            consultations,
            entries,
            counts,
            share_retained: trail.share_retained,
        })
    }
}

/// A page of decisions (Relay connection).
#[derive(SimpleObject, Debug, Clone)]
pub struct DecisionConnection {
    /// The decisions of the page, with their cursors.
    pub edges: Vec<DecisionEdge>,
    /// Where the page stands.
    pub page_info: PageInfo,
    /// How many decisions match the filter, in all pages.
    pub total_count: u64,
}

/// A decision and its cursor.
#[derive(SimpleObject, Debug, Clone)]
pub struct DecisionEdge {
    /// Pass it as `after` to get the decisions that follow.
    pub cursor: String,
    /// The decision.
    pub node: Decision,
}

/// Where a page stands (Relay).
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether more items follow.
    pub has_next_page: bool,
    /// The cursor of the last item of the page.
    pub end_cursor: Option<String>,
}

/// A consultation, with whether it kept its promise to answer.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Consultation {
    /// The consultation.
    pub id: ID,
    /// Its subject.
    pub subject: String,
    /// Its moment of participation.
    pub moment: Moment,
    /// Its mission.
    pub mission: Mission,
    /// Its rung of the participation ladder.
    pub rung: Rung,
    /// How contributions are gathered.
    pub method: Method,
    /// When it opens.
    pub opens_on: NaiveDate,
    /// When it closes.
    pub closes_on: NaiveDate,
    /// When it was closed, if it was.
    pub closed_on: Option<NaiveDate>,
    /// The date by which every contribution is owed its answer.
    pub answer_deadline: NaiveDate,
    /// Whether it is open on the "as of" date.
    pub open: bool,
    /// How many contributions it received.
    pub contributions: i64,
    /// Whether it kept its promise to answer, as of the date.
    pub promise_keeping: Option<PromiseKeeping>,
    /// The date its time-dependent parts are read at.
    #[graphql(skip)]
    pub as_of: NaiveDate,
    /// What the caller sees of its contributions.
    #[graphql(skip)]
    pub visibility: Visibility,
    /// The signed-in member, whose own contributions are marked.
    #[graphql(skip)]
    pub viewer: Option<String>,
}

#[ComplexObject]
impl Consultation {
    /// Every contribution it received by the date, withdrawn ones included, in submission
    /// order, with where each stands and its first answer: what was typed in, to check it.
    /// As in a decision's trail, authors' names and answers not yet published only for staff.
    #[graphql(complexity = "crate::limits::ENTRIES_COMPLEXITY + child_complexity")]
    async fn entries(&self, ctx: &Context<'_>) -> Result<Vec<ConsultationEntry>> {
        self.visible_entries(ctx).await
    }

    /// The same entries as a CSV file a spreadsheet opens (UTF-8, comma separated, one header
    /// row in the language asked, dates in ISO 8601, standings and dispositions by their
    /// labels); no cell is read as a formula.
    #[graphql(complexity = "crate::limits::ENTRIES_COMPLEXITY")]
    async fn csv(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "crate::inputs::Lang::Fr")] lang: crate::inputs::Lang,
    ) -> Result<String> {
        let entries = self.visible_entries(ctx).await?;
        Ok(entries_csv(&entries, lang.into()))
    }

    /// The same cells as `csv`, as an OpenDocument spreadsheet (`.ods`, for LibreOffice and
    /// other office suites), encoded in base64.
    #[graphql(complexity = "crate::limits::ENTRIES_COMPLEXITY")]
    async fn ods(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "crate::inputs::Lang::Fr")] lang: crate::inputs::Lang,
    ) -> Result<String> {
        use base64::Engine;
        let entries = self.visible_entries(ctx).await?;
        let bytes = entries_ods(&entries, lang.into(), &self.subject)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

impl Consultation {
    /// Its entries as the caller may see them, read through the request's loader.
    async fn visible_entries(&self, ctx: &Context<'_>) -> Result<Vec<ConsultationEntry>> {
        let loader = ctx.data::<RequestLoader>()?;
        let entries = loader
            .load_one(EntriesKey(self.id.to_string(), self.as_of))
            .await
            .map_err(read_failed)?
            .unwrap_or_default();
        entries
            .into_iter()
            .map(|e| ConsultationEntry::new(e, self.visibility, self.viewer.as_deref()))
            .collect()
    }
}

/// One contribution of a consultation, as of a date, as the caller may see it.
#[derive(SimpleObject, Debug, Clone)]
pub struct ConsultationEntry {
    /// The contribution.
    pub contribution_id: ID,
    /// Its author's name, for callers who see names; absent for an anonymous inhabitant.
    pub author_name: Option<String>,
    /// Whether an inhabitant wrote it without giving their name.
    pub anonymous: bool,
    /// The anonymous inhabitant's commune, for callers who see names.
    pub anonymous_commune: Option<String>,
    /// Whether the signed-in member wrote it.
    pub mine: bool,
    /// What it is.
    pub kind: ContributionKind,
    /// Its text (its last amendment).
    pub text: String,
    /// When it was submitted (for one received late, the day it was received).
    pub submitted_on: NaiveDate,
    /// Set when it was received after its consultation's closing and accepted as late.
    pub late_reception: Option<LateReception>,
    /// When its text was last amended.
    pub amended_on: Option<NaiveDate>,
    /// Why it was last amended, if said.
    pub amendment_reason: Option<String>,
    /// When it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// Why it was withdrawn, if said.
    pub withdrawal_reason: Option<String>,
    /// The last day its answer is on time: the consultation's deadline, or for one received
    /// late its own, counted from its reception.
    pub answer_deadline: NaiveDate,
    /// Where it stands as of the date.
    pub standing: Standing,
    /// The decision that answered it first; for staff also one that drafted an answer not
    /// published yet (then `publishedOn` is absent).
    pub decision: Option<crate::due::AnsweringDecision>,
    /// What became of it in that answer.
    pub disposition: Option<Disposition>,
    /// Why.
    pub rationale: Option<String>,
    /// When the answer was published; absent for a draft.
    pub published_on: Option<NaiveDate>,
    /// Set when it was imported from a questionnaire's file.
    pub imported: Option<ImportedFrom>,
    /// The words its answer answered, when it was amended since (`text` is the newer version).
    pub answered_text: Option<String>,
    /// The day of that version.
    pub answered_on: Option<NaiveDate>,
    /// Its attached file, for those who may open it (staff and its author): its name, kind,
    /// size and hash; `GET /contributions/{id}/file` serves it. Absent for the others, and for a
    /// contribution that names a file without carrying it.
    pub attachment: Option<Attachment>,
    /// The standing's code, for its label.
    #[graphql(skip)]
    pub standing_code: &'static str,
}

/// A contribution's attached file.
#[derive(SimpleObject, Debug, Clone)]
pub struct Attachment {
    /// The name it was sent under.
    pub name: String,
    /// Its kind (a media type), as read from its bytes.
    pub media_type: String,
    /// Its kind, in French.
    pub kind_label: String,
    /// Its kind, in English.
    pub kind_label_en: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, as the log records it.
    pub sha256: String,
    /// Where to download it.
    pub url: String,
}

/// Where an imported contribution comes from: the questionnaire's file and its row.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportedFrom {
    /// The tool the file was exported from.
    pub format: crate::questionnaire::QuestionnaireFormat,
    /// The SHA-256 of the file's text, in hex.
    pub file_sha256: String,
    /// The row's line in the file, its headings being line 1.
    pub line: i64,
    /// The questionnaire's own response number, if the file has one.
    pub response: Option<String>,
}

impl ConsultationEntry {
    /// The entry for a caller: names and communes for those who see everything; an answer
    /// once published, or drafted for those who see everything.
    fn new(
        e: queries::ConsultationEntry,
        visibility: Visibility,
        viewer: Option<&str>,
    ) -> Result<Self> {
        let everything = visibility == Visibility::Everything;
        let submitted_on = day(&e.submitted_on)?;
        let answer = e.answer.filter(|a| everything || a.published_on.is_some());
        let (decision, disposition, rationale, published_on) = match answer {
            Some(a) => (
                Some(crate::due::AnsweringDecision {
                    id: ID(a.decision_id),
                    title: a.title,
                }),
                Some(vocab(&a.disposition, values::Disposition::from_wire_name)?),
                a.rationale,
                maybe_day(a.published_on.as_deref())?,
            ),
            None => (None, None, None, None),
        };
        let mine = viewer.is_some() && e.author_member_id.as_deref() == viewer;
        let attachment = e.file.filter(|_| everything || mine).map(|f| {
            let key = cpts_domain::files::kind_key(&f.media_type).unwrap_or("file-kind-text");
            Attachment {
                name: e.attachment.clone().unwrap_or_default(),
                kind_label: cpts_domain::texts::t(values::Lang::Fr, key).to_owned(),
                kind_label_en: cpts_domain::texts::t(values::Lang::En, key).to_owned(),
                media_type: f.media_type,
                size: f.size,
                sha256: f.sha256,
                url: format!("/contributions/{}/file", e.contribution_id),
            }
        });
        let answered_on = maybe_day(e.answered_on.as_deref())?;
        Ok(Self {
            mine,
            attachment,
            answered_text: e.answered_text.filter(|_| published_on.is_some()),
            answered_on: answered_on.filter(|_| published_on.is_some()),
            contribution_id: ID(e.contribution_id),
            anonymous: e.author_member_id.is_none(),
            author_name: e.author_name.filter(|_| everything),
            anonymous_commune: e.anonymous_commune.filter(|_| everything),
            kind: vocab(&e.kind, values::ContributionKind::from_wire_name)?,
            text: e.text,
            submitted_on,
            late_reception: LateReception::of(submitted_on, e.late_reason),
            amended_on: maybe_day(e.amended_on.as_deref())?,
            amendment_reason: e.amendment_reason,
            withdrawn_on: maybe_day(e.withdrawn_on.as_deref())?,
            withdrawal_reason: e.withdrawal_reason,
            answer_deadline: day(&e.answer_deadline)?,
            standing: Standing::from(&e.standing),
            standing_code: e.standing.code(),
            decision,
            disposition,
            rationale,
            published_on,
            imported: e
                .imported
                .map(|i| {
                    Ok::<_, async_graphql::Error>(ImportedFrom {
                        format: vocab(&i.format, values::QuestionnaireFormat::from_wire_name)?,
                        file_sha256: i.file_sha256,
                        line: i.row,
                        response: i.response,
                    })
                })
                .transpose()?,
        })
    }
}

/// The headers of a consultation's CSV, by their keys in the text catalogue.
const ENTRY_CSV_HEADERS: [&str; 19] = [
    "consultation-csv-contribution",
    "consultation-csv-author",
    "consultation-csv-anonymous",
    "consultation-csv-commune",
    "consultation-csv-kind",
    "consultation-csv-text",
    "consultation-csv-submitted-on",
    "consultation-csv-received-late-on",
    "consultation-csv-late-reason",
    "consultation-csv-amended-on",
    "consultation-csv-amendment-reason",
    "consultation-csv-withdrawn-on",
    "consultation-csv-withdrawal-reason",
    "consultation-csv-answer-deadline",
    "consultation-csv-standing",
    "consultation-csv-decision",
    "consultation-csv-disposition",
    "consultation-csv-rationale",
    "consultation-csv-published-on",
];

/// A consultation's entries as CSV: one line per entry, every cell through the formula guard
/// of the open data ([`cpts_projections::report::render::csv`]).
fn entries_csv(entries: &[ConsultationEntry], lang: values::Lang) -> String {
    let (headers, rows) = entries_table(entries, lang);
    cpts_projections::report::render::csv(&headers, &rows)
}

/// A consultation's entries as an OpenDocument spreadsheet (`.ods`), the same cells as
/// [`entries_csv`], each a text (never a formula), under a bold heading.
fn entries_ods(entries: &[ConsultationEntry], lang: values::Lang, title: &str) -> Result<Vec<u8>> {
    use spreadsheet_ods::style::CellStyle;
    use spreadsheet_ods::{Sheet, WorkBook};
    let (headers, rows) = entries_table(entries, lang);
    let mut book = WorkBook::new_empty();
    let mut heading = CellStyle::new_empty();
    heading.set_font_bold();
    let heading = book.add_cellstyle(heading);
    // A sheet's name holds no `[]*?:/\` and at most 31 characters.
    let name: String = title
        .chars()
        .filter(|c| !"[]*?:/\\'".contains(*c))
        .take(31)
        .collect();
    let mut sheet = Sheet::new(if name.trim().is_empty() {
        "Contributions"
    } else {
        name.trim()
    });
    for (c, header) in headers.iter().enumerate() {
        let c = u32::try_from(c).unwrap_or(u32::MAX);
        sheet.set_styled_value(0, c, *header, &heading);
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u32::try_from(c).unwrap_or(u32::MAX);
            sheet.set_value(r, c, cell.as_str());
        }
    }
    book.push_sheet(sheet);
    spreadsheet_ods::write_ods_buf(&mut book, Vec::new()).map_err(|error| {
        tracing::error!(%error, "a consultation's spreadsheet could not be written");
        crate::errors::internal()
    })
}

/// The cells of a consultation's entries: the headers in the language asked, then one row per
/// entry. What the CSV and the spreadsheet both hold.
fn entries_table(
    entries: &[ConsultationEntry],
    lang: values::Lang,
) -> ([&'static str; 19], Vec<Vec<String>>) {
    use cpts_domain::texts::t;
    let headers = ENTRY_CSV_HEADERS.map(|key| t(lang, key));
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |v: Option<NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.contribution_id.to_string(),
                text(&e.author_name),
                t(lang, if e.anonymous { "yes" } else { "no" }).to_owned(),
                text(&e.anonymous_commune),
                values::ContributionKind::from(e.kind)
                    .label(lang)
                    .to_owned(),
                e.text.clone(),
                e.submitted_on.to_string(),
                date(e.late_reception.as_ref().map(|l| l.received_on)),
                e.late_reception
                    .as_ref()
                    .map(|l| l.reason.clone())
                    .unwrap_or_default(),
                date(e.amended_on),
                text(&e.amendment_reason),
                date(e.withdrawn_on),
                text(&e.withdrawal_reason),
                e.answer_deadline.to_string(),
                cpts_projections::report::texts::standing_label(e.standing_code, lang).to_owned(),
                e.decision
                    .as_ref()
                    .map(|d| d.title.clone())
                    .unwrap_or_default(),
                e.disposition
                    .map(|d| values::Disposition::from(d).label(lang).to_owned())
                    .unwrap_or_default(),
                text(&e.rationale),
                date(e.published_on),
            ]
        })
        .collect();
    (headers, rows)
}

/// Whether a consultation kept its promise to answer, as of a date.
#[derive(SimpleObject, Debug, Clone)]
pub struct PromiseKeeping {
    /// The promise its rung makes, in French.
    pub promise: String,
    /// The promise, in English.
    pub promise_en: String,
    /// Contributions owed an answer.
    pub owed: u64,
    /// Answered by the deadline.
    pub answered_on_time: u64,
    /// Answered after the deadline.
    pub answered_late: u64,
    /// Not answered yet, deadline not passed.
    pub unanswered_not_due: u64,
    /// Not answered, deadline passed.
    pub unanswered_overdue: u64,
    /// The contributions answered late or still overdue.
    pub late_contributions: Vec<ID>,
    /// Where each contribution submitted by the date stands, withdrawn ones included.
    pub standings: Vec<ContributionStandingEntry>,
}

impl From<queries::PromiseKeeping> for PromiseKeeping {
    fn from(k: queries::PromiseKeeping) -> Self {
        Self {
            promise: k.promise_fr,
            promise_en: k.promise_en,
            owed: k.owed,
            answered_on_time: k.answered_on_time,
            answered_late: k.answered_late,
            unanswered_not_due: k.unanswered_not_due,
            unanswered_overdue: k.unanswered_overdue,
            late_contributions: k.late_contributions.into_iter().map(ID).collect(),
            standings: k
                .standings
                .iter()
                .map(|(id, standing)| ContributionStandingEntry {
                    contribution_id: ID(id.clone()),
                    standing: Standing::from(standing),
                })
                .collect(),
        }
    }
}

/// What happened to a contribution (`cpts_domain::rules::StepKind`).
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "cpts_domain::rules::StepKind")]
pub enum ContributionStepKind {
    /// Submitted, in its consultation's period.
    Submitted,
    /// Received after its consultation's closing, and accepted as late.
    ReceivedLate,
    /// Its text amended (each amendment, with its reason).
    Amended,
    /// Its answer published.
    AnswerPublished,
    /// Its published answer revised, to be published again.
    AnswerRevised,
    /// Its revised answer published again.
    AnswerRepublished,
    /// Withdrawn by its author.
    Withdrawn,
}

/// One step of a contribution's life.
#[derive(SimpleObject, Debug, Clone)]
pub struct ContributionStep {
    /// What happened.
    pub kind: ContributionStepKind,
    /// When.
    pub on: NaiveDate,
    /// Why, when a reason was given (an amendment, a withdrawal, a late reception).
    pub reason: Option<String>,
}

/// Where one of the caller's contributions stands.
#[derive(SimpleObject, Debug, Clone)]
pub struct FollowUp {
    /// The contribution.
    pub contribution_id: ID,
    /// Its consultation.
    pub consultation_id: ID,
    /// Its consultation's subject.
    pub subject: String,
    /// Its text.
    pub text: String,
    /// When it was submitted (for one received late, the day it was received).
    pub submitted_on: NaiveDate,
    /// Set when it was received after its consultation's closing and accepted as late.
    pub late_reception: Option<LateReception>,
    /// `awaiting`, `answered`, `overdue`, `withdrawn` or `not_owed`: a coarse view of
    /// `standing`.
    pub status: String,
    /// Where it stands.
    pub standing: Standing,
    /// The decision that answered it.
    pub decision_id: Option<ID>,
    /// That decision's title.
    pub decision_title: Option<String>,
    /// What became of it.
    pub disposition: Option<String>,
    /// Why.
    pub rationale: Option<String>,
    /// Days from submission to the published answer.
    pub days_to_answer: Option<i64>,
    /// The last day its answer is on time: its consultation's deadline, or for one received
    /// late its own, counted from its reception.
    pub answer_deadline: NaiveDate,
    /// The rung of its consultation.
    pub rung: Rung,
    /// The promise that rung makes to its author, in French.
    pub promise: String,
    /// The same, in English.
    pub promise_en: String,
    /// What happened to it, day by day: submitted (or received late), amended, its answer
    /// published, revised and published again, withdrawn.
    pub timeline: Vec<ContributionStep>,
    /// How many times its text was amended.
    pub amendments: i64,
    /// When its text was last amended.
    pub amended_on: Option<NaiveDate>,
    /// Why it was last amended, if said.
    pub amendment_reason: Option<String>,
    /// When it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// Why it was withdrawn, if said.
    pub withdrawal_reason: Option<String>,
    /// The words its answer answered, when it was amended since (`text` is the newer version).
    pub answered_text: Option<String>,
    /// The day of that version.
    pub answered_on: Option<NaiveDate>,
    /// Whether its author may still amend or withdraw it (`amendable` or `withdrawable`).
    pub changeable: bool,
    /// Whether its author may still amend it: while its consultation is open, and again once
    /// its answer is published (then as a new version, the answer staying with the version it
    /// answered).
    pub amendable: bool,
    /// Whether its author may still withdraw it: while its consultation is open and no answer
    /// to it is published.
    pub withdrawable: bool,
}

impl TryFrom<queries::FollowUp> for FollowUp {
    type Error = async_graphql::Error;

    fn try_from(f: queries::FollowUp) -> Result<Self> {
        let (decision_id, decision_title) = f
            .decision
            .map_or((None, None), |(id, title)| (Some(ID(id)), Some(title)));
        let submitted_on = day(&f.submitted_on)?;
        let rung = values::Rung::from_wire_name(&f.rung)
            .ok_or_else(|| crate::decode::undecodable("Rung", &f.rung))?;
        // The answer, and so the version it answered, is shown once published.
        let answered = f.disposition.is_some();
        let timeline = f
            .steps
            .iter()
            .map(|step| {
                use cpts_domain::rules::StepKind as K;
                let reason = match step.kind {
                    K::ReceivedLate => f.late_reason.clone(),
                    // Each amendment with its own reason; the last one's, for a contribution
                    // projected before every version was kept.
                    K::Amended => match step.amendment.and_then(|i| f.amendment_list.get(i)) {
                        Some((_, reason)) => reason.clone(),
                        None => f.amendment_reason.clone(),
                    },
                    K::Withdrawn => f.withdrawal_reason.clone(),
                    K::Submitted | K::AnswerPublished | K::AnswerRevised | K::AnswerRepublished => {
                        None
                    }
                };
                ContributionStep {
                    kind: step.kind.into(),
                    on: step.on,
                    reason,
                }
            })
            .collect();
        Ok(Self {
            timeline,
            contribution_id: ID(f.contribution_id),
            consultation_id: ID(f.consultation_id),
            subject: f.subject,
            text: f.text,
            submitted_on,
            late_reception: LateReception::of(submitted_on, f.late_reason),
            status: f.status,
            standing: Standing::from(&f.standing),
            decision_id,
            decision_title,
            disposition: f.disposition,
            rationale: f.rationale,
            days_to_answer: f.days_to_answer,
            answer_deadline: day(&f.answer_deadline)?,
            rung: Rung::from(rung),
            promise: rung.promise(values::Lang::Fr).to_owned(),
            promise_en: rung.promise(values::Lang::En).to_owned(),
            amendments: f.amendments,
            amended_on: maybe_day(f.amended_on.as_deref())?,
            amendment_reason: f.amendment_reason,
            withdrawn_on: maybe_day(f.withdrawn_on.as_deref())?,
            withdrawal_reason: f.withdrawal_reason,
            answered_text: f.answered_text.filter(|_| answered),
            answered_on: maybe_day(f.answered_on.as_deref())?.filter(|_| answered),
            changeable: f.amendable || f.withdrawable,
            amendable: f.amendable,
            withdrawable: f.withdrawable,
        })
    }
}

/// A count under a name.
#[derive(SimpleObject, Debug, Clone)]
pub struct NamedCount {
    /// The name (a kind of member, a collège).
    pub name: String,
    /// How many.
    pub count: u64,
}

/// A compliance check of the register.
#[derive(SimpleObject, Debug, Clone)]
pub struct Check {
    /// What is checked (`two_representatives`, `users_college`, …).
    pub code: String,
    /// Whether it holds.
    pub ok: bool,
    /// What was found, in French.
    pub detail: String,
    /// What was found, in English.
    pub detail_en: String,
    /// What to do when it fails, in French.
    pub what_to_do: String,
    /// What to do, in English.
    pub what_to_do_en: String,
}

/// A representative and their mandate.
#[derive(SimpleObject, Debug, Clone)]
pub struct Representative {
    /// The member.
    pub member_id: ID,
    /// Their name.
    pub name: String,
    /// The association that mandated them.
    pub association: Option<String>,
    /// When the mandate starts.
    pub mandate_start: Option<NaiveDate>,
    /// When it ends.
    pub mandate_end: Option<NaiveDate>,
    /// When it was ended early.
    pub mandate_ended_on: Option<NaiveDate>,
    /// Whether they live in the territory.
    pub lives_in_territory: Option<bool>,
    /// Their commune.
    pub commune: Option<String>,
    /// Their written *cadre d'intervention*.
    pub cadre_intervention: Option<String>,
    /// Whether the mandate is active on the "as of" date.
    pub active: bool,
}

/// An association and its approval.
#[derive(SimpleObject, Debug, Clone)]
pub struct AssociationStatus {
    /// The association.
    pub association_id: ID,
    /// Its name.
    pub name: String,
    /// `approved`, `expired` or `not_approved`, on the "as of" date.
    pub approval: String,
    /// What to do next, in French.
    pub next_step: String,
    /// What to do next, in English.
    pub next_step_en: String,
}

/// The membership and governance register of a CPTS, with its compliance checks.
#[derive(SimpleObject, Debug, Clone)]
pub struct Register {
    /// Active members by kind.
    pub members_by_kind: Vec<NamedCount>,
    /// Active members by collège.
    pub members_by_college: Vec<NamedCount>,
    /// Representatives and their mandates.
    pub representatives: Vec<Representative>,
    /// Associations and their approval.
    pub associations: Vec<AssociationStatus>,
    /// The compliance checks, each with what to do.
    pub checks: Vec<Check>,
}

impl TryFrom<queries::Register> for Register {
    type Error = async_graphql::Error;

    fn try_from(r: queries::Register) -> Result<Self> {
        let counts = |m: std::collections::BTreeMap<String, u64>| {
            m.into_iter()
                .map(|(name, count)| NamedCount { name, count })
                .collect()
        };
        Ok(Self {
            members_by_kind: counts(r.members_by_kind),
            members_by_college: counts(r.members_by_college),
            representatives: r
                .representatives
                .into_iter()
                .map(|p| {
                    Ok(Representative {
                        member_id: ID(p.member_id),
                        name: p.name,
                        association: p.association,
                        mandate_start: maybe_day(p.mandate_start.as_deref())?,
                        mandate_end: maybe_day(p.mandate_end.as_deref())?,
                        mandate_ended_on: maybe_day(p.mandate_ended_on.as_deref())?,
                        lives_in_territory: p.lives_in_territory.map(|v| v != 0),
                        commune: p.commune,
                        cadre_intervention: p.cadre_intervention,
                        active: p.active,
                    })
                })
                .collect::<Result<_>>()?,
            associations: r
                .associations
                .into_iter()
                .map(|a| AssociationStatus {
                    association_id: ID(a.association_id),
                    name: a.name,
                    approval: a.approval,
                    next_step: a.next_step_fr,
                    next_step_en: a.next_step_en,
                })
                .collect(),
            checks: r
                .checks
                .into_iter()
                .map(|c| Check {
                    code: c.code,
                    ok: c.ok,
                    detail: c.detail_fr,
                    detail_en: c.detail_en,
                    what_to_do: c.what_to_do_fr,
                    what_to_do_en: c.what_to_do_en,
                })
                .collect(),
        })
    }
}

/// A member of the CPTS.
#[derive(SimpleObject, Debug, Clone)]
pub struct Member {
    /// The member.
    pub id: ID,
    /// Their name.
    pub name: String,
    /// Their kind.
    pub kind: String,
    /// Their profession.
    pub profession: Option<String>,
    /// When they were admitted.
    pub admitted_on: NaiveDate,
    /// When they left.
    pub departed_on: Option<NaiveDate>,
    /// Their collège.
    pub college_id: Option<ID>,
    /// The association that mandated them.
    pub mandate_association_id: Option<ID>,
    /// When their mandate starts.
    pub mandate_start: Option<NaiveDate>,
    /// When it ends.
    pub mandate_end: Option<NaiveDate>,
}

impl TryFrom<listing::MemberSummary> for Member {
    type Error = async_graphql::Error;

    fn try_from(m: listing::MemberSummary) -> Result<Self> {
        Ok(Self {
            id: ID(m.member_id),
            name: m.name,
            kind: m.kind,
            profession: m.profession,
            admitted_on: day(&m.admitted_on)?,
            departed_on: maybe_day(m.departed_on.as_deref())?,
            college_id: m.college_id.map(ID),
            mandate_association_id: m.mandate_association_id.map(ID),
            mandate_start: maybe_day(m.mandate_start.as_deref())?,
            mandate_end: maybe_day(m.mandate_end.as_deref())?,
        })
    }
}

/// An association known to the CPTS.
#[derive(SimpleObject, Debug, Clone)]
pub struct Association {
    /// The association.
    pub id: ID,
    /// Its name.
    pub name: String,
    /// `national` or `regional`.
    pub approval_level: Option<String>,
    /// When its approval was granted.
    pub approval_granted_on: Option<NaiveDate>,
    /// When it expires.
    pub approval_expires_on: Option<NaiveDate>,
    /// `participation`, `partnership` or `governance`.
    pub engagement_form: Option<String>,
    /// Since when.
    pub engaged_since: Option<NaiveDate>,
    /// When it withdrew.
    pub withdrawn_on: Option<NaiveDate>,
}

impl TryFrom<listing::AssociationSummary> for Association {
    type Error = async_graphql::Error;

    fn try_from(a: listing::AssociationSummary) -> Result<Self> {
        Ok(Self {
            id: ID(a.association_id),
            name: a.name,
            approval_level: a.approval_level,
            approval_granted_on: maybe_day(a.approval_granted_on.as_deref())?,
            approval_expires_on: maybe_day(a.approval_expires_on.as_deref())?,
            engagement_form: a.engagement_form,
            engaged_since: maybe_day(a.engaged_since.as_deref())?,
            withdrawn_on: maybe_day(a.withdrawn_on.as_deref())?,
        })
    }
}

/// One event of the CPTS's timeline.
#[derive(SimpleObject, Debug, Clone)]
pub struct TimelineEntry {
    /// Its position in the log.
    pub position: i64,
    /// The kind of record.
    pub aggregate_type: String,
    /// The record.
    pub aggregate_id: ID,
    /// Its position in the record's stream.
    pub sequence: i64,
    /// What happened.
    pub event_type: String,
    /// Who did it (`member:<id>`, `token:<id>`, `system`, `anonymous`).
    pub actor: String,
    /// The command that caused it.
    pub command_id: Option<String>,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// When it was recorded, in the CPTS's time zone (RFC 3339 with its offset).
    pub recorded_at_local: String,
    /// What happened, in French ("Réponse rédigée").
    pub label: String,
    /// What happened, in English.
    pub label_en: String,
    /// The record it changed, by name (a subject, a title, a member's or an association's
    /// name); absent when the record has no name to show.
    pub record_name: Option<String>,
    /// Who did it, in French: a member's name, « le service », a token's label.
    pub actor_name: String,
    /// Who did it, in English.
    pub actor_name_en: String,
    /// The contribution it is about, in French ("la contribution de Martine Roussel à « … »");
    /// absent for events about no contribution.
    pub about: Option<String>,
    /// The same, in English.
    pub about_en: Option<String>,
    /// One sentence naming what was recorded, in French.
    pub summary: String,
    /// The same sentence, in English.
    pub summary_en: String,
}

/// A page of the timeline.
#[derive(SimpleObject, Debug, Clone)]
pub struct TimelinePage {
    /// The events, in log order.
    pub entries: Vec<TimelineEntry>,
    /// Whether more events follow.
    pub has_next_page: bool,
    /// Pass it as `after` for the next page.
    pub end_cursor: Option<String>,
    /// The CPTS's time zone, which `recordedAtLocal` is in (`Europe/Paris`).
    pub time_zone: String,
}
