//! Échéances, as the dashboard reads them: each deadline's kind, horizon, last day and sentence
//! (French and English, from the domain), with the records it is about as link targets, which
//! pages never show to people.

use async_graphql::{Enum, SimpleObject, ID};
use chrono::NaiveDate;
use cpts_domain::deadlines as rule;
use cpts_domain::values::Lang;
use cpts_projections::deadlines;

/// What falls due (`cpts_domain::deadlines::DeadlineKind`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeadlineKind {
    /// A contribution owed an answer, or the republication of a revised one.
    AnswerDue,
    /// A consultation whose terms end, to be closed formally.
    ConsultationClosing,
    /// A representative's mandate reaching its last day.
    MandateEnding,
    /// An association's approval (agrément) reaching its last day.
    ApprovalEnding,
}

impl From<rule::DeadlineKind> for DeadlineKind {
    fn from(kind: rule::DeadlineKind) -> Self {
        match kind {
            rule::DeadlineKind::AnswerDue => DeadlineKind::AnswerDue,
            rule::DeadlineKind::ConsultationClosing => DeadlineKind::ConsultationClosing,
            rule::DeadlineKind::MandateEnding => DeadlineKind::MandateEnding,
            rule::DeadlineKind::ApprovalEnding => DeadlineKind::ApprovalEnding,
        }
    }
}

/// How near a deadline is (`cpts_domain::deadlines::Horizon`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DeadlineHorizon {
    /// Its last day has passed and it is not done.
    Overdue,
    /// Its last day is the "as of" day or within the 30 days after it.
    #[graphql(name = "WITHIN_30_DAYS")]
    Within30Days,
    /// Its last day is 31 to 90 days after the "as of" day.
    #[graphql(name = "WITHIN_90_DAYS")]
    Within90Days,
}

impl From<rule::Horizon> for DeadlineHorizon {
    fn from(horizon: rule::Horizon) -> Self {
        match horizon {
            rule::Horizon::Overdue => DeadlineHorizon::Overdue,
            rule::Horizon::Within30Days => DeadlineHorizon::Within30Days,
            rule::Horizon::Within90Days => DeadlineHorizon::Within90Days,
        }
    }
}

/// One deadline of the caller's CPTS.
#[derive(SimpleObject, Debug, Clone)]
pub struct Deadline {
    /// What falls due.
    pub kind: DeadlineKind,
    /// How near.
    pub horizon: DeadlineHorizon,
    /// Its last day.
    pub due_on: NaiveDate,
    /// The sentence naming it, in French.
    pub sentence: String,
    /// The same in English.
    pub sentence_en: String,
    /// The decision where an answer is to be published, if one drew on its consultation.
    pub decision_id: Option<ID>,
    /// The consultation (of an answer, or closing).
    pub consultation_id: Option<ID>,
    /// The member (who wrote the contribution, or whose mandate ends).
    pub member_id: Option<ID>,
    /// The association whose approval ends.
    pub association_id: Option<ID>,
}

impl From<deadlines::Deadline> for Deadline {
    fn from(d: deadlines::Deadline) -> Self {
        Deadline {
            kind: d.deadline.kind.into(),
            horizon: d.deadline.horizon.into(),
            due_on: d.deadline.due_on,
            sentence: d.sentence(Lang::Fr),
            sentence_en: d.sentence(Lang::En),
            decision_id: d.decision_id.map(ID),
            consultation_id: d.consultation_id.map(ID),
            member_id: d.member_id.map(ID),
            association_id: d.association_id.map(ID),
        }
    }
}
