//! The report as data: a fold over the typed events of the log up to a position, keeping the
//! facts dated on or before the "as of" day, for one CPTS and one period.
//!
//! No I/O, no SQL, no clock: the same events, CPTS, period, date and language always give the
//! same [`Report`]. Every collection is ordered by a stable key (the vocabularies' order, a
//! date, a name, an id), never by a hash map's order. Recording times and command ids are left
//! out: they differ between two recordings of the same history.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cpts_domain::association::{AssociationEvent, Engagement};
use cpts_domain::community::CommunityEvent;
use cpts_domain::consultation::{Author, ConsultationEvent, ConsultationTerms};
use cpts_domain::decision::{DecisionEvent, Proposal, Tally};
use cpts_domain::member::MemberEvent;
use cpts_domain::rules::{
    self, AnswerFacts, CheckOutcome, ComplianceFacts, ContributionFacts, MandateFacts,
    PromiseOutcome,
};
use cpts_domain::values::{
    BodyKind, ContributionKind, Disposition, Lang, Moment, Rung, VoteOutcome,
};
use serde::Serialize;

use super::texts;
use crate::envelope::{Envelope, Fact};

/// A code of a vocabulary with its label in the report's language.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Coded {
    /// The stable code (wire name).
    pub code: String,
    /// The label shown to readers.
    pub label: String,
}

impl Coded {
    fn new(code: &str, label: impl Into<String>) -> Self {
        Coded {
            code: code.to_owned(),
            label: label.into(),
        }
    }
}

/// A count under a code of a vocabulary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Tallied {
    /// The stable code (wire name).
    pub code: String,
    /// The label shown to readers.
    pub label: String,
    /// How many.
    pub count: u64,
}

/// The general assembly's audit report of one CPTS for one period, as of a date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// The language of the labels and texts.
    pub lang: Lang,
    /// The CPTS.
    pub community: CommunityPart,
    /// First and last day of the period reported on.
    pub period: Period,
    /// The date the report speaks as of.
    pub as_of: NaiveDate,
    /// The position of the last event of the log the report was built from (0 for none).
    pub log_position: u64,
    /// Who represents users, and the compliance checks.
    pub representation: Representation,
    /// The consultations of the period.
    pub consultations: ConsultationsPart,
    /// What was said in them.
    pub contributions: ContributionsPart,
    /// What became of it.
    pub dispositions: DispositionsPart,
    /// Whether answers came when promised.
    pub promise_keeping: PromiseKeepingPart,
    /// The decisions of the period.
    pub decisions: Vec<DecisionPart>,
    /// The log the report was built from, sealed: set by whoever read the log, since only
    /// they saw its hashes. `None` when the report was built from events alone.
    pub ledger: Option<LedgerSeal>,
}

/// What lets a later reader check that the record behind the report was not altered, and
/// says which state of the log the report speaks of.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LedgerSeal {
    /// The position the log was read up to (P): the head when the report was asked for, or
    /// the position asked for.
    pub position: u64,
    /// When the event at that position was recorded (RFC 3339, UTC, as hashed): the time the
    /// log stood at P. `None` for an empty log. Not the time the report was generated, which
    /// would change its bytes at every generation.
    pub recorded_at: Option<String>,
    /// Whether the as-of day had not ended yet in the CPTS's time zone when the report was
    /// made: facts of that day may still come, so the report is provisional.
    pub provisional: bool,
    /// The digest of the log up to that event: `cpts-ledger verify --digest <digest>` proves
    /// later that the log still holds all of it, unchanged.
    pub digest: String,
    /// Whether the hash chain verified up to that event when the report was made.
    pub intact: bool,
}

/// The report's opening answers, read from its own parts: were the promises kept, what was
/// received, is the record intact. Counts add up: `received = standing + withdrawn`, and every
/// contribution owed an answer is on time, late, overdue or still within its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Contributions submitted by the date, withdrawn ones included.
    pub received: u64,
    /// Of which withdrawn by the date.
    pub withdrawn: u64,
    /// Of the others, those on a rung that owes no answer.
    pub not_owed: u64,
    /// The promise keeping of every consultation of the period, added up.
    pub promises: PromiseCounts,
    /// Whether the hash chain verified, when the report was read from the log.
    pub intact: Option<bool>,
}

impl Summary {
    /// Whether every answer owed by now came by its deadline.
    pub fn promises_kept(&self) -> bool {
        self.promises.answered_late == 0 && self.promises.unanswered_overdue == 0
    }
}

impl Report {
    /// The opening answers of the report.
    pub fn summary(&self) -> Summary {
        let not_owed = self
            .promise_keeping
            .standings
            .iter()
            .filter(|s| s.standing.code == "not_owed")
            .count() as u64;
        Summary {
            received: self.contributions.total + self.contributions.withdrawn,
            withdrawn: self.contributions.withdrawn,
            not_owed,
            promises: self.promise_keeping.totals,
            intact: self.ledger.as_ref().map(|seal| seal.intact),
        }
    }
}

/// The CPTS reported on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommunityPart {
    /// Its id.
    pub community_id: String,
    /// Its name (empty if it is not in the log).
    pub name: String,
    /// The communes of its territory, as of the date.
    pub territory: Vec<String>,
}

/// A period, both days included: the domain's (see [`cpts_domain::rules::Period`]).
pub use cpts_domain::rules::Period;

/// Representation of users: representatives, associations, compliance.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Representation {
    /// Representatives in office on the date.
    pub active_representatives: u64,
    /// Of them, those living outside the territory.
    pub living_outside_territory: u64,
    /// Every representative admitted by the date, with their mandate, by name.
    pub representatives: Vec<RepresentativePart>,
    /// Associations not withdrawn by the date, by name.
    pub associations: Vec<AssociationPart>,
    /// The compliance checks, in a fixed order.
    pub checks: Vec<CheckPart>,
    /// How many checks fail.
    pub failing_checks: u64,
}

/// A representative: they hold a public mandate, so they are named.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RepresentativePart {
    /// The member.
    pub member_id: String,
    /// Their name.
    pub name: String,
    /// The association that mandates them.
    pub association: String,
    /// First day of the mandate.
    pub mandate_start: NaiveDate,
    /// Last day of the mandate.
    pub mandate_end: NaiveDate,
    /// When it was ended early, by the date.
    pub mandate_ended_on: Option<NaiveDate>,
    /// Whether the mandate is in force on the date.
    pub active: bool,
    /// Whether they live in the territory.
    pub lives_in_territory: bool,
    /// Where they live.
    pub commune: Option<String>,
    /// Whether a cadre d'intervention is written.
    pub has_cadre_intervention: bool,
    /// The cadre d'intervention.
    pub cadre_intervention: Option<String>,
}

/// An association and its approval on the date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AssociationPart {
    /// The association.
    pub association_id: String,
    /// Its name.
    pub name: String,
    /// `approved`, `expired` or `not_approved`.
    pub approval: Coded,
    /// When the approval expires, if one was granted.
    pub approval_expires_on: Option<NaiveDate>,
    /// How it engages with the CPTS.
    pub engagement: Option<Coded>,
    /// What to do (empty when approved).
    pub next_step: String,
}

/// A compliance check.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckPart {
    /// The stable code, the same as the register's.
    pub code: String,
    /// What it checks, for readers.
    pub label: String,
    /// Whether it holds.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// What to do (empty when it holds).
    pub what_to_do: String,
}

/// The consultations of the period: those open on at least one of its days.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsultationsPart {
    /// How many.
    pub total: u64,
    /// Consultations per moment, every moment listed.
    pub by_moment: Vec<MomentCount>,
    /// Consultations per rung, every rung listed.
    pub by_rung: Vec<RungCount>,
    /// Each consultation, by opening day then id.
    pub list: Vec<ConsultationPart>,
}

/// Consultations and contributions of one moment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MomentCount {
    /// The moment.
    pub moment: Coded,
    /// Consultations of the period in it.
    pub consultations: u64,
    /// Their contributions.
    pub contributions: u64,
    /// Of those, by representatives.
    pub by_representatives: u64,
}

/// Consultations and contributions of one rung.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RungCount {
    /// The rung.
    pub rung: Coded,
    /// Its promise.
    pub promise: String,
    /// Consultations of the period on it.
    pub consultations: u64,
    /// Their contributions.
    pub contributions: u64,
}

/// One consultation of the period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsultationPart {
    /// The consultation.
    pub consultation_id: String,
    /// Its subject.
    pub subject: String,
    /// Its moment.
    pub moment: Coded,
    /// Its mission.
    pub mission: Coded,
    /// Its rung.
    pub rung: Coded,
    /// How it consulted.
    pub method: Coded,
    /// First day.
    pub opens_on: NaiveDate,
    /// Last day.
    pub closes_on: NaiveDate,
    /// The last day an answer is on time.
    pub answer_deadline: NaiveDate,
    /// When it was closed, by the date.
    pub closed_on: Option<NaiveDate>,
    /// Contributions submitted by the date and not withdrawn by it.
    pub contributions: u64,
    /// Contributions withdrawn by the date.
    pub withdrawn: u64,
}

/// What was said in the consultations of the period, counted, never attributed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContributionsPart {
    /// Contributions submitted by the date and not withdrawn by it.
    pub total: u64,
    /// Withdrawn by the date.
    pub withdrawn: u64,
    /// Per kind, every kind listed.
    pub by_kind: Vec<Tallied>,
    /// Per author category (member kind or anonymous inhabitant), every category listed.
    pub by_author: Vec<Tallied>,
    /// Those received after their consultation's closing and accepted as late, with why, by
    /// consultation then reception (withdrawn ones included). Left out of the report's data
    /// when there is none, so a year without any reads as it always did.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub received_late: Vec<ReceivedLate>,
}

/// A contribution received after its consultation's closing and accepted as late.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReceivedLate {
    /// The consultation.
    pub consultation_id: String,
    /// The contribution.
    pub contribution_id: String,
    /// Its kind.
    pub kind: Coded,
    /// When it was received.
    pub received_on: NaiveDate,
    /// Why it was accepted.
    pub reason: String,
    /// The last day its answer is on time ([`cpts_domain::rules::ContributionFacts::deadline`]).
    pub answer_deadline: NaiveDate,
    /// Its standing on the date.
    pub standing: Coded,
}

/// What became of contributions in the decisions of the period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DispositionsPart {
    /// Answers published by the date.
    pub answered: u64,
    /// Per disposition, every disposition listed.
    pub overall: Vec<Tallied>,
    /// Share of answers retained fully or partly, from 0 to 1.
    pub share_retained: Option<f64>,
    /// Per decision, in the order of the decisions.
    pub per_decision: Vec<DecisionDispositions>,
    /// The answers that did not retain a contribution, with their reasons.
    pub not_retained: Vec<NotRetained>,
    /// Every answer published by the date, in the order of the decisions: what the open data
    /// publishes (no contribution text, no author).
    pub published: Vec<PublishedAnswer>,
}

/// An answer published to a contribution.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PublishedAnswer {
    /// The decision.
    pub decision_id: String,
    /// The contribution.
    pub contribution_id: String,
    /// What kind of contribution it was.
    pub kind: Coded,
    /// What became of it.
    pub disposition: Coded,
    /// Why, if the answer says.
    pub rationale: Option<String>,
    /// When the answer was published.
    pub published_on: NaiveDate,
}

/// The dispositions of one decision.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DecisionDispositions {
    /// The decision.
    pub decision_id: String,
    /// Its title.
    pub title: String,
    /// Per disposition, every disposition listed.
    pub counts: Vec<Tallied>,
}

/// An answer that did not retain a contribution (not retained, out of scope, deferred).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NotRetained {
    /// The decision.
    pub decision_id: String,
    /// Its title.
    pub decision_title: String,
    /// The contribution.
    pub contribution_id: String,
    /// Its kind.
    pub kind: Coded,
    /// What it said.
    pub text: String,
    /// Whether it was received after its consultation's closing and accepted as late.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub received_late: bool,
    /// The disposition.
    pub disposition: Coded,
    /// Why.
    pub rationale: String,
    /// When the answer was published.
    pub published_on: NaiveDate,
}

/// Promise keeping of the consultations of the period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PromiseKeepingPart {
    /// Totals over the consultations.
    pub totals: PromiseCounts,
    /// Per consultation, in the order of the consultations.
    pub per_consultation: Vec<ConsultationPromise>,
    /// Every contribution answered late or overdue, by consultation then submission.
    pub late: Vec<LateAnswer>,
    /// Where every contribution submitted by the date stands, withdrawn and not owed ones
    /// included, in the order of the consultations then as recorded.
    pub standings: Vec<StandingPart>,
}

/// Where one contribution stands on the date (see [`cpts_domain::rules::standing`]).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StandingPart {
    /// The consultation.
    pub consultation_id: String,
    /// The contribution.
    pub contribution_id: String,
    /// Its kind.
    pub kind: Coded,
    /// When it was submitted.
    pub submitted_on: NaiveDate,
    /// Its deadline ([`cpts_domain::rules::ContributionFacts::deadline`]).
    pub answer_deadline: NaiveDate,
    /// Its standing: the code of [`cpts_domain::rules::ContributionStanding`] and its label.
    pub standing: Coded,
    /// Why it was accepted, when received after its consultation's closing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_reason: Option<String>,
}

/// How a promise to answer was kept.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct PromiseCounts {
    /// Contributions owed an answer.
    pub owed: u64,
    /// Answered by the deadline.
    pub answered_on_time: u64,
    /// Answered after it.
    pub answered_late: u64,
    /// Not answered, deadline not passed.
    pub unanswered_not_due: u64,
    /// Not answered, deadline passed.
    pub unanswered_overdue: u64,
}

impl PromiseCounts {
    fn add(&mut self, other: &PromiseCounts) {
        self.owed += other.owed;
        self.answered_on_time += other.answered_on_time;
        self.answered_late += other.answered_late;
        self.unanswered_not_due += other.unanswered_not_due;
        self.unanswered_overdue += other.unanswered_overdue;
    }
}

/// Promise keeping of one consultation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsultationPromise {
    /// The consultation.
    pub consultation_id: String,
    /// Its subject.
    pub subject: String,
    /// Its rung.
    pub rung: Coded,
    /// The promise of the rung.
    pub promise: String,
    /// The last day an answer is on time.
    pub answer_deadline: NaiveDate,
    /// The counts.
    pub counts: PromiseCounts,
}

/// A contribution answered late, or still waiting past its deadline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LateAnswer {
    /// The consultation.
    pub consultation_id: String,
    /// The contribution.
    pub contribution_id: String,
    /// Its kind.
    pub kind: Coded,
    /// When it was submitted.
    pub submitted_on: NaiveDate,
    /// Whether it was received after its consultation's closing and accepted as late.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub received_late: bool,
    /// Its deadline ([`cpts_domain::rules::ContributionFacts::deadline`]).
    pub answer_deadline: NaiveDate,
    /// When it was first answered, if by the date.
    pub answered_on: Option<NaiveDate>,
    /// Days past the deadline (to the answer, or to the date while unanswered).
    pub days_late: i64,
}

/// A decision of the period: proposed or voted during it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DecisionPart {
    /// The decision.
    pub decision_id: String,
    /// Its title.
    pub title: String,
    /// Its text, as amended by the date.
    pub text: String,
    /// The body that decides.
    pub body: String,
    /// Its moment.
    pub moment: Coded,
    /// Its mission.
    pub mission: Coded,
    /// When it was proposed.
    pub proposed_on: NaiveDate,
    /// Its status on the date.
    pub status: Coded,
    /// The vote, by the date.
    pub vote: Option<VotePart>,
    /// How many times it was amended.
    pub amendments: u64,
    /// When it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// The subjects of the consultations it drew on.
    pub consultations: Vec<String>,
    /// Their ids (for the open data, which follows what the public may read).
    #[serde(skip)]
    pub consultation_ids: Vec<String>,
    /// The summary of its influence trail.
    pub trail: TrailSummary,
    /// Its implementation milestones by the date, in date order.
    pub milestones: Vec<MilestonePart>,
    /// Its indicator reports by the date, by indicator then period.
    pub indicators: Vec<IndicatorPart>,
}

/// A vote.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VotePart {
    /// When.
    pub on: NaiveDate,
    /// The outcome.
    pub outcome: Coded,
    /// Whether it was by consensus, without counting.
    pub consensus: bool,
    /// Votes per collège, as recorded.
    pub colleges: Vec<CollegeTally>,
    /// Votes for, all collèges.
    pub votes_for: u64,
    /// Votes against, all collèges.
    pub votes_against: u64,
    /// Abstentions, all collèges.
    pub abstentions: u64,
}

/// The votes of one collège.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CollegeTally {
    /// The collège's name.
    pub college: String,
    /// Votes for.
    pub votes_for: u64,
    /// Votes against.
    pub votes_against: u64,
    /// Abstentions.
    pub abstentions: u64,
}

/// The summary of a decision's influence trail.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrailSummary {
    /// Contributions of its consultations, submitted and not withdrawn by the date.
    pub contributions: u64,
    /// Answers it published by the date.
    pub answered: u64,
    /// Contributions it has not answered yet.
    pub unanswered: u64,
    /// Published answers per disposition, every disposition listed.
    pub counts: Vec<Tallied>,
    /// Share of published answers retained fully or partly, from 0 to 1.
    pub share_retained: Option<f64>,
}

/// A milestone of a decision's implementation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MilestonePart {
    /// When.
    pub on: NaiveDate,
    /// What was done.
    pub milestone: String,
}

/// One report of an indicator.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndicatorPart {
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

// ----- The fold -----

#[derive(Default)]
struct CommunityState {
    name: String,
    territory: Vec<String>,
    colleges: Vec<(String, String, bool)>,
    bodies: Vec<(String, BodyKind, String)>,
    rules: Option<(NaiveDate, bool)>,
}

struct MandateState {
    association_id: String,
    start: NaiveDate,
    end: NaiveDate,
    lives_in_territory: bool,
    commune: Option<String>,
    cadre: Option<String>,
    ended_on: Option<NaiveDate>,
}

struct MemberState {
    name: String,
    kind: String,
    admitted_on: NaiveDate,
    departed_on: Option<NaiveDate>,
    college_id: Option<String>,
    mandate: Option<MandateState>,
    /// Body id → (since, left on).
    seats: BTreeMap<String, (NaiveDate, Option<NaiveDate>)>,
}

#[derive(Default)]
struct AssociationState {
    name: String,
    approval: Option<(NaiveDate, NaiveDate)>,
    engagement: Option<&'static str>,
    withdrawn_on: Option<NaiveDate>,
}

struct ContributionState {
    id: String,
    author: Author,
    kind: ContributionKind,
    text: String,
    submitted_on: NaiveDate,
    withdrawn_on: Option<NaiveDate>,
    /// Why it was accepted, when received after the closing.
    late_reason: Option<String>,
}

struct ConsultationState {
    terms: ConsultationTerms,
    answer_deadline: NaiveDate,
    closed_on: Option<NaiveDate>,
    /// In the order they were recorded.
    contributions: Vec<ContributionState>,
}

impl ConsultationState {
    fn contribution(&mut self, id: String) -> Option<&mut ContributionState> {
        self.contributions.iter_mut().find(|k| k.id == id)
    }
}

struct AnswerState {
    disposition: Disposition,
    rationale: Option<String>,
    /// The last publication, None again once revised.
    published_on: Option<NaiveDate>,
    first_published_on: Option<NaiveDate>,
    /// The last revision.
    revised_on: Option<NaiveDate>,
}

impl AnswerState {
    fn facts(&self) -> AnswerFacts {
        AnswerFacts {
            first_published_on: self.first_published_on,
            revised_on: self.revised_on,
            last_published_on: self.published_on,
        }
    }
}

struct DecisionState {
    proposal: Proposal,
    text: String,
    consultations: Vec<String>,
    answers: BTreeMap<String, AnswerState>,
    vote: Option<(NaiveDate, Tally, VoteOutcome)>,
    amendments: u64,
    withdrawn_on: Option<NaiveDate>,
    milestones: Vec<(NaiveDate, String)>,
    indicators: Vec<IndicatorPart>,
}

/// The state of one CPTS's records, rebuilt from the log.
#[derive(Default)]
struct State {
    community: CommunityState,
    members: BTreeMap<String, MemberState>,
    associations: BTreeMap<String, AssociationState>,
    consultations: BTreeMap<String, ConsultationState>,
    decisions: BTreeMap<String, DecisionState>,
}

impl State {
    fn apply(&mut self, community_id: &str, event: &Envelope) {
        let id = event.aggregate_id.as_str();
        match &event.fact {
            Fact::Community(fact) if id == community_id => self.community(fact),
            Fact::Community(_) => {}
            Fact::Association(fact) => self.association(community_id, id, fact),
            Fact::Member(fact) => self.member(community_id, id, fact),
            Fact::Consultation(fact) => self.consultation(community_id, id, fact),
            Fact::Decision(fact) => self.decision(community_id, id, fact),
            // The report is built from events read strictly (ledger/src/report.rs): none is
            // unreadable here.
            Fact::Unreadable { .. } => {}
        }
    }

    fn community(&mut self, fact: &CommunityEvent) {
        let c = &mut self.community;
        match fact {
            CommunityEvent::CommunityRegistered {
                name, territory, ..
            } => {
                c.name = name.clone();
                c.territory = territory.iter().map(|t| t.name.clone()).collect();
            }
            CommunityEvent::TerritoryRedrawn { territory, .. } => {
                c.territory = territory.iter().map(|t| t.name.clone()).collect();
            }
            CommunityEvent::CollegeDefined {
                college_id,
                name,
                is_users_college,
            } => c
                .colleges
                .push((college_id.to_string(), name.clone(), *is_users_college)),
            CommunityEvent::BodyEstablished {
                body_id,
                kind,
                name,
            } => c.bodies.push((body_id.to_string(), *kind, name.clone())),
            CommunityEvent::InternalRulesAdopted {
                adopted_on,
                travel_expenses_reimbursed,
            } => c.rules = Some((*adopted_on, *travel_expenses_reimbursed)),
        }
    }

    fn association(&mut self, community_id: &str, id: &str, fact: &AssociationEvent) {
        if let AssociationEvent::AssociationRegistered {
            community_id: of,
            name,
            ..
        } = fact
        {
            if of.to_string() == community_id {
                let state = AssociationState {
                    name: name.clone(),
                    ..AssociationState::default()
                };
                self.associations.insert(id.to_owned(), state);
            }
            return;
        }
        let Some(a) = self.associations.get_mut(id) else {
            return;
        };
        match fact {
            AssociationEvent::AssociationRegistered { .. } => {}
            AssociationEvent::AssociationApproved {
                granted_on,
                expires_on,
                ..
            } => a.approval = Some((*granted_on, *expires_on)),
            AssociationEvent::AssociationEngaged { engagement, .. } => {
                a.engagement = Some(match engagement {
                    Engagement::Participation => "participation",
                    Engagement::Partnership { .. } => "partnership",
                    Engagement::Governance => "governance",
                });
            }
            AssociationEvent::AssociationWithdrew { on, .. } => a.withdrawn_on = Some(*on),
        }
    }

    fn member(&mut self, community_id: &str, id: &str, fact: &MemberEvent) {
        if let MemberEvent::MemberAdmitted {
            community_id: of,
            name,
            kind,
            admitted_on,
            ..
        } = fact
        {
            if of.to_string() == community_id {
                let state = MemberState {
                    name: name.clone(),
                    kind: kind.wire_name().to_owned(),
                    admitted_on: *admitted_on,
                    departed_on: None,
                    college_id: None,
                    mandate: None,
                    seats: BTreeMap::new(),
                };
                self.members.insert(id.to_owned(), state);
            }
            return;
        }
        let Some(m) = self.members.get_mut(id) else {
            return;
        };
        match fact {
            MemberEvent::MemberAdmitted { .. }
            | MemberEvent::PersonalDataErased { .. }
            | MemberEvent::ContactSet { .. }
            | MemberEvent::ContactWithdrawn
            | MemberEvent::Unsubscribed => {}
            MemberEvent::MandateGranted {
                association_id,
                start,
                end,
                lives_in_territory,
                commune,
                cadre_intervention,
            } => {
                m.mandate = Some(MandateState {
                    association_id: association_id.to_string(),
                    start: *start,
                    end: *end,
                    lives_in_territory: *lives_in_territory,
                    commune: commune.clone(),
                    cadre: cadre_intervention.clone(),
                    ended_on: None,
                });
            }
            MemberEvent::CadreInterventionWritten { text } => {
                if let Some(mandate) = &mut m.mandate {
                    mandate.cadre = Some(text.clone());
                }
            }
            MemberEvent::MandateEnded { on, .. } => {
                if let Some(mandate) = &mut m.mandate {
                    mandate.ended_on = Some(*on);
                }
            }
            MemberEvent::SeatedInCollege { college_id, .. } => {
                m.college_id = Some(college_id.to_string());
            }
            MemberEvent::SeatedInBody { body_id, on } => {
                m.seats.insert(body_id.to_string(), (*on, None));
            }
            MemberEvent::LeftBody { body_id, on } => {
                if let Some(seat) = m.seats.get_mut(&body_id.to_string()) {
                    seat.1 = Some(*on);
                }
            }
            MemberEvent::MemberDeparted { on, .. } => {
                m.departed_on = Some(*on);
                if let Some(mandate) = &mut m.mandate {
                    mandate.ended_on.get_or_insert(*on);
                }
                for seat in m.seats.values_mut() {
                    seat.1.get_or_insert(*on);
                }
            }
        }
    }

    fn consultation(&mut self, community_id: &str, id: &str, fact: &ConsultationEvent) {
        if let ConsultationEvent::ConsultationOpened {
            community_id: of,
            terms,
            answer_deadline,
            ..
        } = fact
        {
            if of.to_string() == community_id {
                let state = ConsultationState {
                    terms: terms.clone(),
                    answer_deadline: *answer_deadline,
                    closed_on: None,
                    contributions: Vec::new(),
                };
                self.consultations.insert(id.to_owned(), state);
            }
            return;
        }
        let Some(c) = self.consultations.get_mut(id) else {
            return;
        };
        match fact {
            ConsultationEvent::ConsultationOpened { .. }
            | ConsultationEvent::SynthesisPublished { .. }
            | ConsultationEvent::ContactLeft { .. }
            | ConsultationEvent::InhabitantContactWithdrawn { .. }
            | ConsultationEvent::InhabitantUnsubscribed { .. } => {}
            ConsultationEvent::ContributionSubmitted {
                contribution_id,
                author,
                kind,
                text,
                submitted_on,
                late,
                ..
            } => c.contributions.push(ContributionState {
                id: contribution_id.to_string(),
                author: author.clone(),
                kind: *kind,
                text: text.clone(),
                submitted_on: *submitted_on,
                withdrawn_on: None,
                late_reason: late.as_ref().map(|l| l.reason.clone()),
            }),
            ConsultationEvent::ContributionAmended {
                contribution_id,
                text,
                ..
            } => {
                if let Some(k) = c.contribution(contribution_id.to_string()) {
                    k.text = text.clone();
                }
            }
            ConsultationEvent::ContributionWithdrawn {
                contribution_id,
                on,
                ..
            } => {
                if let Some(k) = c.contribution(contribution_id.to_string()) {
                    k.withdrawn_on = Some(*on);
                }
            }
            ConsultationEvent::ConsultationClosed { on } => c.closed_on = Some(*on),
        }
    }

    fn decision(&mut self, community_id: &str, id: &str, fact: &DecisionEvent) {
        if let DecisionEvent::DecisionProposed {
            community_id: of,
            proposal,
            ..
        } = fact
        {
            if of.to_string() == community_id {
                let state = DecisionState {
                    text: proposal.text.clone(),
                    proposal: proposal.clone(),
                    consultations: Vec::new(),
                    answers: BTreeMap::new(),
                    vote: None,
                    amendments: 0,
                    withdrawn_on: None,
                    milestones: Vec::new(),
                    indicators: Vec::new(),
                };
                self.decisions.insert(id.to_owned(), state);
            }
            return;
        }
        let Some(d) = self.decisions.get_mut(id) else {
            return;
        };
        match fact {
            DecisionEvent::DecisionProposed { .. } => {}
            DecisionEvent::ConsultationLinked { consultation_id } => {
                d.consultations.push(consultation_id.to_string());
            }
            DecisionEvent::AnswerDrafted {
                contribution_id,
                disposition,
                rationale,
                ..
            } => {
                let answer = AnswerState {
                    disposition: *disposition,
                    rationale: rationale.clone(),
                    published_on: None,
                    first_published_on: None,
                    revised_on: None,
                };
                d.answers.insert(contribution_id.to_string(), answer);
            }
            DecisionEvent::AnswerRevised {
                contribution_id,
                disposition,
                rationale,
                on,
                ..
            } => {
                if let Some(a) = d.answers.get_mut(&contribution_id.to_string()) {
                    a.disposition = *disposition;
                    a.rationale = rationale.clone();
                    a.published_on = None;
                    a.revised_on = Some(*on);
                }
            }
            DecisionEvent::AnswerPublished {
                contribution_id,
                on,
            } => {
                if let Some(a) = d.answers.get_mut(&contribution_id.to_string()) {
                    a.published_on = Some(*on);
                    a.first_published_on.get_or_insert(*on);
                }
            }
            DecisionEvent::VoteRecorded { on, tally, outcome } => {
                d.vote = Some((*on, tally.clone(), *outcome));
            }
            DecisionEvent::DecisionAmended { text, .. } => {
                d.text = text.clone();
                d.amendments += 1;
            }
            DecisionEvent::DecisionWithdrawn { on, .. } => d.withdrawn_on = Some(*on),
            DecisionEvent::MilestoneRecorded { milestone, on } => {
                d.milestones.push((*on, milestone.clone()));
            }
            DecisionEvent::IndicatorReported {
                indicator,
                period,
                value,
                target,
                on,
            } => d.indicators.push(IndicatorPart {
                indicator: indicator.clone(),
                period: period.clone(),
                value: *value,
                target: *target,
                reported_on: *on,
            }),
        }
    }
}

// ----- From the state to the report -----

fn by_date(day: Option<NaiveDate>, as_of: NaiveDate) -> Option<NaiveDate> {
    day.filter(|d| *d <= as_of)
}

fn dispositions(counts: &BTreeMap<Disposition, u64>, lang: Lang) -> Vec<Tallied> {
    Disposition::ALL
        .iter()
        .map(|d| Tallied {
            code: d.wire_name().to_owned(),
            label: d.label(lang).to_owned(),
            count: counts.get(d).copied().unwrap_or(0),
        })
        .collect()
}

fn share_retained(counts: &BTreeMap<Disposition, u64>) -> Option<f64> {
    rules::share_retained(counts.iter().map(|(d, n)| (*d, *n)))
}

fn check(outcome: &CheckOutcome, lang: Lang) -> CheckPart {
    let words = texts::check_sentences(outcome, lang);
    CheckPart {
        code: outcome.code().to_owned(),
        label: words.label,
        ok: outcome.ok(),
        detail: words.detail,
        what_to_do: words.what_to_do,
    }
}

impl MemberState {
    fn present_on(&self, day: NaiveDate) -> bool {
        self.admitted_on <= day && self.departed_on.is_none_or(|d| day < d)
    }

    fn is_representative(&self) -> bool {
        self.mandate.is_some()
    }

    fn in_office_on(&self, day: NaiveDate) -> bool {
        self.mandate.as_ref().is_some_and(|m| {
            MandateFacts {
                start: m.start,
                end: m.end,
                ended_on: m.ended_on,
                departed_on: self.departed_on,
            }
            .in_force_on(day)
        })
    }
}

fn representation(s: &State, period: Period, as_of: NaiveDate, lang: Lang) -> Representation {
    let mut representatives: Vec<RepresentativePart> = s
        .members
        .iter()
        .filter(|(_, m)| m.admitted_on <= as_of)
        .filter_map(|(id, m)| {
            let mandate = m.mandate.as_ref()?;
            Some(RepresentativePart {
                member_id: id.clone(),
                name: m.name.clone(),
                association: s
                    .associations
                    .get(&mandate.association_id)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                mandate_start: mandate.start,
                mandate_end: mandate.end,
                mandate_ended_on: by_date(mandate.ended_on, as_of),
                active: m.in_office_on(as_of),
                lives_in_territory: mandate.lives_in_territory,
                commune: mandate.commune.clone(),
                has_cadre_intervention: mandate.cadre.is_some(),
                cadre_intervention: mandate.cadre.clone(),
            })
        })
        .collect();
    representatives.sort_by(|a, b| (&a.name, &a.member_id).cmp(&(&b.name, &b.member_id)));
    let active: Vec<&RepresentativePart> = representatives.iter().filter(|r| r.active).collect();

    let mut associations: Vec<AssociationPart> = s
        .associations
        .iter()
        .filter(|(_, a)| a.withdrawn_on.is_none_or(|w| as_of < w))
        .map(|(id, a)| {
            let standing = rules::approval(a.approval, as_of);
            let code = standing.code();
            AssociationPart {
                association_id: id.clone(),
                name: a.name.clone(),
                approval: Coded::new(code, texts::approval(code, lang)),
                approval_expires_on: a.approval.filter(|(g, _)| *g <= as_of).map(|(_, e)| e),
                engagement: a
                    .engagement
                    .map(|e| Coded::new(e, texts::engagement(e, lang))),
                next_step: texts::approval_next_step(&standing, lang).to_owned(),
            }
        })
        .collect();
    associations.sort_by(|a, b| (&a.name, &a.association_id).cmp(&(&b.name, &b.association_id)));

    let users_colleges: Vec<&str> = s
        .community
        .colleges
        .iter()
        .filter(|(_, _, users)| *users)
        .map(|(id, _, _)| id.as_str())
        .collect();
    let users_college_seated = s
        .members
        .values()
        .filter(|m| m.present_on(as_of))
        .filter(|m| {
            m.college_id
                .as_deref()
                .is_some_and(|c| users_colleges.contains(&c))
        })
        .count() as u64;
    let representative = |id: &str| {
        s.members
            .get(id)
            .is_some_and(MemberState::is_representative)
    };
    let representative_contributions = s
        .consultations
        .values()
        .flat_map(|c| {
            c.contributions
                .iter()
                .filter(|k| matches!(&k.author, Author::Member { member_id } if representative(&member_id.to_string())))
                .map(|k| (c.terms.moment, k.submitted_on))
        })
        .collect();
    let boards: Vec<&str> = s
        .community
        .bodies
        .iter()
        .filter(|(_, kind, _)| *kind == BodyKind::Board)
        .map(|(id, _, _)| id.as_str())
        .collect();
    let representative_board_seats = s
        .members
        .values()
        .filter(|m| m.is_representative())
        .flat_map(|m| {
            m.seats
                .iter()
                .filter(|(body, _)| boards.contains(&body.as_str()))
                .map(|(_, seat)| *seat)
        })
        .collect();
    let outcomes = rules::compliance(&ComplianceFacts {
        representatives_in_office: active
            .iter()
            .map(|r| (r.name.clone(), r.has_cadre_intervention))
            .collect(),
        users_college_defined: !users_colleges.is_empty(),
        users_college_seated,
        travel_expenses_reimbursed: s
            .community
            .rules
            .filter(|(adopted, _)| *adopted <= as_of)
            .map(|(_, reimbursed)| reimbursed),
        period,
        as_of,
        representative_contributions,
        representative_board_seats,
    });
    let checks: Vec<CheckPart> = outcomes.iter().map(|o| check(o, lang)).collect();
    let n = active.len();

    Representation {
        active_representatives: n as u64,
        living_outside_territory: active.iter().filter(|r| !r.lives_in_territory).count() as u64,
        failing_checks: checks.iter().filter(|c| !c.ok).count() as u64,
        representatives,
        associations,
        checks,
    }
}

/// The contributions of a consultation that count on the date: submitted by it, not withdrawn
/// by it.
fn counted(c: &ConsultationState, as_of: NaiveDate) -> impl Iterator<Item = &ContributionState> {
    c.contributions
        .iter()
        .filter(move |k| k.submitted_on <= as_of && k.withdrawn_on.is_none_or(|w| as_of < w))
}

fn author_category(s: &State, author: &Author) -> String {
    match author {
        Author::Anonymous { .. } => "anonymous_inhabitant".to_owned(),
        Author::Member { member_id } => s
            .members
            .get(&member_id.to_string())
            .map_or_else(|| "member".to_owned(), |m| m.kind.clone()),
    }
}

/// Builds the general assembly's report of one CPTS for a period, as of a date.
///
/// `events` are the events of the log up to the position the report speaks of, in log order
/// (the caller cuts the log at that position; events of other CPTS are left aside here). The
/// report speaks of the facts dated on or before `as_of` ([`Fact::dated_on`](crate::Fact)):
/// every fact is judged on the date it carries, not on being in the log. Whatever depends on
/// a date (a mandate in force, an approval expired, an answer published, an answer overdue) is
/// judged on `as_of`.
pub fn build(
    events: &[Envelope],
    community_id: &str,
    period: (NaiveDate, NaiveDate),
    as_of: NaiveDate,
    lang: Lang,
) -> Report {
    let period = Period {
        from: period.0,
        to: period.1,
    };
    let mut s = State::default();
    // The fact axis: a fact dated after the as-of day had not happened on it, however early
    // it was recorded, so it is left out before the fold (a later revision, vote, admission
    // or answer cannot reach back). A fact recorded late but dated by then is in.
    for event in events
        .iter()
        .filter(|e| e.fact.dated_on().is_none_or(|on| on <= as_of))
    {
        s.apply(community_id, event);
    }

    // Consultations of the period: open on at least one of its days, by opening then id.
    let mut consultations: Vec<(&String, &ConsultationState)> = s
        .consultations
        .iter()
        .filter(|(_, c)| c.terms.opens_on <= period.to && period.from <= c.terms.closes_on)
        .filter(|(_, c)| c.terms.opens_on <= as_of)
        .collect();
    consultations.sort_by_key(|(id, c)| (c.terms.opens_on, *id));

    let mut list = Vec::new();
    let mut by_moment: BTreeMap<Moment, (u64, u64, u64)> = BTreeMap::new();
    let mut by_rung: BTreeMap<Rung, (u64, u64)> = BTreeMap::new();
    let mut by_kind: BTreeMap<ContributionKind, u64> = BTreeMap::new();
    let mut by_author: BTreeMap<String, u64> = BTreeMap::new();
    let (mut total, mut withdrawn_total) = (0, 0);
    let mut per_consultation = Vec::new();
    let mut late = Vec::new();
    let mut standings = Vec::new();
    let mut received_late = Vec::new();
    let mut totals = PromiseCounts::default();
    for (id, c) in &consultations {
        let t = &c.terms;
        let counted: Vec<&ContributionState> = counted(c, as_of).collect();
        let withdrawn = c
            .contributions
            .iter()
            .filter(|k| k.withdrawn_on.is_some_and(|w| w <= as_of))
            .count() as u64;
        let n = counted.len() as u64;
        total += n;
        withdrawn_total += withdrawn;
        let by_representatives = counted
            .iter()
            .filter(|k| author_category(&s, &k.author) == "association_representative")
            .count() as u64;
        let m = by_moment.entry(t.moment).or_default();
        *m = (m.0 + 1, m.1 + n, m.2 + by_representatives);
        let r = by_rung.entry(t.rung).or_default();
        *r = (r.0 + 1, r.1 + n);
        for k in &counted {
            *by_kind.entry(k.kind).or_default() += 1;
            *by_author.entry(author_category(&s, &k.author)).or_default() += 1;
        }
        list.push(ConsultationPart {
            consultation_id: (*id).clone(),
            subject: t.subject.clone(),
            moment: Coded::new(t.moment.wire_name(), t.moment.label(lang)),
            mission: Coded::new(t.mission.wire_name(), t.mission.label(lang)),
            rung: Coded::new(t.rung.wire_name(), t.rung.label(lang)),
            method: Coded::new(t.method.wire_name(), t.method.label(lang)),
            opens_on: t.opens_on,
            closes_on: t.closes_on,
            answer_deadline: c.answer_deadline,
            closed_on: by_date(c.closed_on, as_of),
            contributions: n,
            withdrawn,
        });

        // Promise keeping: each contribution's standing, its answer the first published by
        // any decision.
        let mut counts = PromiseCounts::default();
        for k in c.contributions.iter().filter(|k| k.submitted_on <= as_of) {
            let answer = AnswerFacts::first_answer(
                s.decisions
                    .values()
                    .filter_map(|d| d.answers.get(&k.id))
                    .map(AnswerState::facts),
                as_of,
            );
            let facts = ContributionFacts {
                submitted_on: k.submitted_on,
                withdrawn_on: k.withdrawn_on,
                rung: t.rung,
                consultation_deadline: c.answer_deadline,
                closes_on: t.closes_on,
                received_late: k.late_reason.is_some(),
                answer,
            };
            let standing = rules::standing(&facts, as_of);
            let coded_standing = Coded::new(
                standing.code(),
                texts::standing_label(standing.code(), lang),
            );
            if let Some(reason) = &k.late_reason {
                received_late.push(ReceivedLate {
                    consultation_id: (*id).clone(),
                    contribution_id: k.id.clone(),
                    kind: Coded::new(k.kind.wire_name(), k.kind.label(lang)),
                    received_on: k.submitted_on,
                    reason: reason.clone(),
                    answer_deadline: facts.deadline(),
                    standing: coded_standing.clone(),
                });
            }
            standings.push(StandingPart {
                consultation_id: (*id).clone(),
                contribution_id: k.id.clone(),
                kind: Coded::new(k.kind.wire_name(), k.kind.label(lang)),
                submitted_on: k.submitted_on,
                answer_deadline: facts.deadline(),
                standing: coded_standing,
                late_reason: k.late_reason.clone(),
            });
            let outcome = standing.promise();
            if outcome != PromiseOutcome::NotCounted {
                counts.owed += 1;
            }
            match outcome {
                PromiseOutcome::NotCounted => {}
                PromiseOutcome::OnTime => counts.answered_on_time += 1,
                PromiseOutcome::Late => counts.answered_late += 1,
                PromiseOutcome::NotDue => counts.unanswered_not_due += 1,
                PromiseOutcome::Overdue => counts.unanswered_overdue += 1,
            }
            if let Some(days_late) = standing.days_late() {
                late.push(LateAnswer {
                    consultation_id: (*id).clone(),
                    contribution_id: k.id.clone(),
                    kind: Coded::new(k.kind.wire_name(), k.kind.label(lang)),
                    submitted_on: k.submitted_on,
                    received_late: k.late_reason.is_some(),
                    answer_deadline: facts.deadline(),
                    answered_on: answer
                        .and_then(|a| a.first_published_on)
                        .filter(|p| *p <= as_of),
                    days_late,
                });
            }
        }
        totals.add(&counts);
        per_consultation.push(ConsultationPromise {
            consultation_id: (*id).clone(),
            subject: t.subject.clone(),
            rung: Coded::new(t.rung.wire_name(), t.rung.label(lang)),
            promise: t.rung.promise(lang).to_owned(),
            answer_deadline: c.answer_deadline,
            counts,
        });
    }
    late.sort_by(|a, b| {
        let key = |l: &LateAnswer| (l.consultation_id.clone(), l.submitted_on);
        key(a).cmp(&key(b))
    });
    received_late.sort_by(|a, b| {
        let key = |l: &ReceivedLate| (l.consultation_id.clone(), l.received_on);
        key(a).cmp(&key(b))
    });

    // Decisions of the period: proposed or voted during it, by proposal then id.
    let mut decisions: Vec<(&String, &DecisionState)> = s
        .decisions
        .iter()
        .filter(|(_, d)| d.proposal.proposed_on <= as_of)
        .filter(|(_, d)| {
            period.contains(d.proposal.proposed_on)
                || d.vote
                    .as_ref()
                    .is_some_and(|(on, _, _)| *on <= as_of && period.contains(*on))
        })
        .collect();
    decisions.sort_by_key(|(id, d)| (d.proposal.proposed_on, *id));

    let mut overall: BTreeMap<Disposition, u64> = BTreeMap::new();
    let mut per_decision = Vec::new();
    let mut not_retained = Vec::new();
    let mut published_answers = Vec::new();
    let mut decision_parts = Vec::new();
    for (id, d) in &decisions {
        let mut counts: BTreeMap<Disposition, u64> = BTreeMap::new();
        let (mut contributions, mut unanswered) = (0, 0);
        for consultation_id in &d.consultations {
            let Some(c) = s.consultations.get(consultation_id) else {
                continue;
            };
            for k in counted(c, as_of) {
                contributions += 1;
                let published = d
                    .answers
                    .get(&k.id)
                    .and_then(|a| a.facts().published_as_of(as_of).map(|p| (a, p)));
                let Some((answer, published_on)) = published else {
                    unanswered += 1;
                    continue;
                };
                *counts.entry(answer.disposition).or_default() += 1;
                published_answers.push(PublishedAnswer {
                    decision_id: (*id).clone(),
                    contribution_id: k.id.clone(),
                    kind: Coded::new(k.kind.wire_name(), k.kind.label(lang)),
                    disposition: Coded::new(
                        answer.disposition.wire_name(),
                        answer.disposition.label(lang),
                    ),
                    rationale: answer.rationale.clone(),
                    published_on,
                });
                if matches!(
                    answer.disposition,
                    Disposition::NotRetained | Disposition::OutOfScope | Disposition::Deferred
                ) {
                    not_retained.push(NotRetained {
                        decision_id: (*id).clone(),
                        decision_title: d.proposal.title.clone(),
                        contribution_id: k.id.clone(),
                        kind: Coded::new(k.kind.wire_name(), k.kind.label(lang)),
                        text: k.text.clone(),
                        received_late: k.late_reason.is_some(),
                        disposition: Coded::new(
                            answer.disposition.wire_name(),
                            answer.disposition.label(lang),
                        ),
                        rationale: answer.rationale.clone().unwrap_or_default(),
                        published_on,
                    });
                }
            }
        }
        for (disposition, n) in &counts {
            *overall.entry(*disposition).or_default() += n;
        }
        per_decision.push(DecisionDispositions {
            decision_id: (*id).clone(),
            title: d.proposal.title.clone(),
            counts: dispositions(&counts, lang),
        });
        let vote = d
            .vote
            .as_ref()
            .filter(|(on, _, _)| *on <= as_of)
            .map(|(on, tally, outcome)| vote(&s, *on, tally, *outcome, lang));
        let withdrawn_on = by_date(d.withdrawn_on, as_of);
        let status = match (&withdrawn_on, &vote) {
            (Some(_), _) => "withdrawn".to_owned(),
            (None, Some(v)) => v.outcome.code.clone(),
            (None, None) => "proposed".to_owned(),
        };
        let mut milestones: Vec<MilestonePart> = d
            .milestones
            .iter()
            .filter(|(on, _)| *on <= as_of)
            .map(|(on, milestone)| MilestonePart {
                on: *on,
                milestone: milestone.clone(),
            })
            .collect();
        milestones.sort_by_key(|m| m.on);
        let mut indicators: Vec<IndicatorPart> = d
            .indicators
            .iter()
            .filter(|i| i.reported_on <= as_of)
            .cloned()
            .collect();
        indicators.sort_by(|a, b| (&a.indicator, &a.period).cmp(&(&b.indicator, &b.period)));
        let answered = counts.values().sum();
        decision_parts.push(DecisionPart {
            decision_id: (*id).clone(),
            title: d.proposal.title.clone(),
            text: d.text.clone(),
            body: body_name(&s, &d.proposal.body_id.to_string()),
            moment: Coded::new(d.proposal.moment.wire_name(), d.proposal.moment.label(lang)),
            mission: Coded::new(
                d.proposal.mission.wire_name(),
                d.proposal.mission.label(lang),
            ),
            proposed_on: d.proposal.proposed_on,
            status: Coded::new(&status, texts::decision_status(&status, lang)),
            vote,
            amendments: d.amendments,
            withdrawn_on,
            consultations: d
                .consultations
                .iter()
                .filter_map(|c| s.consultations.get(c))
                .map(|c| c.terms.subject.clone())
                .collect(),
            consultation_ids: d.consultations.clone(),
            trail: TrailSummary {
                contributions,
                answered,
                unanswered,
                counts: dispositions(&counts, lang),
                share_retained: share_retained(&counts),
            },
            milestones,
            indicators,
        });
    }

    Report {
        lang,
        community: CommunityPart {
            community_id: community_id.to_owned(),
            name: s.community.name.clone(),
            territory: s.community.territory.clone(),
        },
        period,
        as_of,
        log_position: events.last().map_or(0, |e| e.position),
        representation: representation(&s, period, as_of, lang),
        consultations: ConsultationsPart {
            total: list.len() as u64,
            by_moment: Moment::ALL
                .iter()
                .map(|m| {
                    let (consultations, contributions, by_representatives) =
                        by_moment.get(m).copied().unwrap_or_default();
                    MomentCount {
                        moment: Coded::new(m.wire_name(), m.label(lang)),
                        consultations,
                        contributions,
                        by_representatives,
                    }
                })
                .collect(),
            by_rung: Rung::ALL
                .iter()
                .map(|r| {
                    let (consultations, contributions) =
                        by_rung.get(r).copied().unwrap_or_default();
                    RungCount {
                        rung: Coded::new(r.wire_name(), r.label(lang)),
                        promise: r.promise(lang).to_owned(),
                        consultations,
                        contributions,
                    }
                })
                .collect(),
            list,
        },
        contributions: ContributionsPart {
            total,
            withdrawn: withdrawn_total,
            by_kind: ContributionKind::ALL
                .iter()
                .map(|k| Tallied {
                    code: k.wire_name().to_owned(),
                    label: k.label(lang).to_owned(),
                    count: by_kind.get(k).copied().unwrap_or(0),
                })
                .collect(),
            by_author: {
                let mut categories: Vec<String> = texts::AUTHOR_CATEGORIES
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect();
                categories.extend(
                    by_author
                        .keys()
                        .filter(|k| !categories.contains(k))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
                categories
                    .into_iter()
                    .map(|code| Tallied {
                        label: texts::author_category(&code, lang),
                        count: by_author.get(&code).copied().unwrap_or(0),
                        code,
                    })
                    .collect()
            },
            received_late,
        },
        dispositions: DispositionsPart {
            answered: overall.values().sum(),
            overall: dispositions(&overall, lang),
            share_retained: share_retained(&overall),
            per_decision,
            not_retained,
            published: published_answers,
        },
        promise_keeping: PromiseKeepingPart {
            totals,
            per_consultation,
            late,
            standings,
        },
        decisions: decision_parts,
        ledger: None,
    }
}

/// The name of a body of the CPTS.
fn body_name(s: &State, body_id: &str) -> String {
    s.community
        .bodies
        .iter()
        .find(|(id, _, _)| id == body_id)
        .map(|(_, _, name)| name.clone())
        .unwrap_or_default()
}

fn vote(s: &State, on: NaiveDate, tally: &Tally, outcome: VoteOutcome, lang: Lang) -> VotePart {
    let colleges: Vec<CollegeTally> = match tally {
        Tally::Consensus => Vec::new(),
        Tally::ByCollege { colleges } => colleges
            .iter()
            .map(|c| CollegeTally {
                college: s
                    .community
                    .colleges
                    .iter()
                    .find(|(id, _, _)| *id == c.college_id.to_string())
                    .map(|(_, name, _)| name.clone())
                    .unwrap_or_default(),
                votes_for: c.votes_for.into(),
                votes_against: c.votes_against.into(),
                abstentions: c.abstentions.into(),
            })
            .collect(),
    };
    VotePart {
        on,
        outcome: Coded::new(outcome.wire_name(), outcome.label(lang)),
        consensus: matches!(tally, Tally::Consensus),
        votes_for: colleges.iter().map(|c| c.votes_for).sum(),
        votes_against: colleges.iter().map(|c| c.votes_against).sum(),
        abstentions: colleges.iter().map(|c| c.abstentions).sum(),
        colleges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("a day")
    }

    #[test]
    fn the_summary_adds_up_what_the_sections_count() {
        let mut report = build(&[], "cpts", (day(1, 1), day(12, 31)), day(12, 31), Lang::Fr);
        let empty = report.summary();
        assert_eq!((empty.received, empty.intact), (0, None));
        assert!(empty.promises_kept(), "nothing owed, nothing broken");

        report.contributions.total = 24;
        report.contributions.withdrawn = 1;
        report.promise_keeping.totals = PromiseCounts {
            owed: 20,
            answered_on_time: 17,
            answered_late: 1,
            unanswered_not_due: 0,
            unanswered_overdue: 2,
        };
        report.ledger = Some(LedgerSeal {
            position: 9,
            recorded_at: None,
            provisional: false,
            digest: "cpts-ledger:v2:9:00".into(),
            intact: true,
        });
        let summary = report.summary();
        assert_eq!(
            (summary.received, summary.withdrawn),
            (25, 1),
            "25 reçues dont 1 retirée"
        );
        assert!(!summary.promises_kept(), "two answers are overdue");
        assert_eq!(summary.intact, Some(true));

        report.promise_keeping.totals.unanswered_overdue = 0;
        report.promise_keeping.totals.answered_late = 0;
        assert!(report.summary().promises_kept());
    }
}
