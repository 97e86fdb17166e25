//! The rules every reader of the record applies: where a contribution stands, whether an
//! approval or a mandate is in force, the compliance checks, and periods.
//!
//! Each rule is a pure function of facts and an "as of" day: no I/O, no clock. The register,
//! the influence trails, *Mes contributions*, the coordinator's digest, the general assembly's
//! report, its open data and the API all call these functions, and none decides these
//! questions on its own, so that they cannot disagree. The compliance checks are outcomes with
//! their data (a code and its arguments), never sentences: the sentences are made from them in
//! one place, beside the report's other texts.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::values::{Disposition, Moment, Rung};

// ----- Periods -----

/// A period of days, both included.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// The calendar year a day falls in (1 January to 31 December).
    pub fn calendar_year_of(day: NaiveDate) -> Period {
        let year = day.year();
        Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(day),
            to: NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(day),
        }
    }

    /// Whether the day is in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The year, when the period is exactly one calendar year.
    pub fn calendar_year(&self) -> Option<i32> {
        (Period::calendar_year_of(self.from) == *self).then_some(self.from.year())
    }

    /// The part of the period up to a day (included): what can be known of it on that day.
    /// Empty (`to` before `from`) when the day comes before the period.
    pub fn up_to(&self, day: NaiveDate) -> Period {
        Period {
            from: self.from,
            to: self.to.min(day),
        }
    }

    /// Whether a span of days (from `since`, up to the day before `until` if any) meets the
    /// period on at least one day.
    pub fn meets(&self, since: NaiveDate, until: Option<NaiveDate>) -> bool {
        since <= self.to && until.is_none_or(|u| u > self.from)
    }
}

// ----- Contributions -----

/// What is known of one answer to a contribution. A revision withdraws the published text
/// until it is published again, so `last_published_on` is the publication that follows the
/// last revision, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnswerFacts {
    /// The first day it was published (it stays, revised or not).
    pub first_published_on: Option<NaiveDate>,
    /// The day of its last revision.
    pub revised_on: Option<NaiveDate>,
    /// The day of its last publication, if it has not been revised since.
    pub last_published_on: Option<NaiveDate>,
}

impl AnswerFacts {
    /// The publication of the answer in force on a day: the last one made by that day, unless
    /// a revision made by that day withdrew it. (Only the last revision is known: a day between
    /// an earlier revision and its republication reads as published.)
    pub fn published_as_of(&self, as_of: NaiveDate) -> Option<NaiveDate> {
        let first = self.first_published_on.filter(|p| *p <= as_of)?;
        let revised = self.revised_on.filter(|r| *r <= as_of && *r >= first);
        match (revised, self.last_published_on.filter(|p| *p <= as_of)) {
            (Some(r), Some(p)) if p >= r => Some(p),
            (Some(_), _) => None,
            (None, Some(p)) => Some(p),
            // The last publication came after the day: the first was in force on it.
            (None, None) => Some(first),
        }
    }

    /// Whether the answer, published by the day, was revised and not published again by it.
    pub fn awaits_republication(&self, as_of: NaiveDate) -> bool {
        self.first_published_on.is_some_and(|p| p <= as_of) && self.published_as_of(as_of).is_none()
    }

    /// Of several answers to one contribution (by different decisions), the one that answered
    /// it first by the day; any, if none was published by then.
    pub fn first_answer(
        answers: impl IntoIterator<Item = AnswerFacts>,
        as_of: NaiveDate,
    ) -> Option<AnswerFacts> {
        answers.into_iter().min_by_key(|a| {
            a.first_published_on
                .filter(|p| *p <= as_of)
                .unwrap_or(NaiveDate::MAX)
        })
    }
}

/// What is known of one contribution, for [`standing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContributionFacts {
    /// When it was submitted (for one received late, the day it was received).
    pub submitted_on: NaiveDate,
    /// When it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// The rung of its consultation.
    pub rung: Rung,
    /// Its consultation's deadline: the last day an answer is on time for what it received by
    /// its closing.
    pub consultation_deadline: NaiveDate,
    /// The last day of its consultation's terms.
    pub closes_on: NaiveDate,
    /// Whether it was received after the closing and accepted as late.
    pub received_late: bool,
    /// Its answer, if one was drafted.
    pub answer: Option<AnswerFacts>,
}

impl ContributionFacts {
    /// The last day its answer is on time.
    ///
    /// A contribution received by the closing (recorded then or later: a workshop transcribed
    /// months after) is owed its answer by the consultation's deadline. The promise was made
    /// for what was said in the period, and the time the CPTS took to type it in does not
    /// extend it; such a contribution may well be overdue the day it is recorded, and the
    /// record says so.
    ///
    /// A contribution received late is owed its answer as many days after its reception as
    /// the consultation promised after its closing: the consultation's deadline, moved on by
    /// the days between the closing and the reception. Holding it to the consultation's own
    /// deadline would make it overdue, or nearly, through no fault of its author, and give no
    /// time to the body that must weigh it; leaving it with no deadline would take it out of
    /// promise keeping. (Received by the last day of the terms, after an early closing, it
    /// keeps the consultation's deadline.)
    pub fn deadline(&self) -> NaiveDate {
        if !self.received_late {
            return self.consultation_deadline;
        }
        let after_closing = (self.submitted_on - self.closes_on).num_days().max(0);
        self.consultation_deadline
            .checked_add_days(Days::new(after_closing.unsigned_abs()))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// Where a contribution stands on a day, with the dates that say why.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ContributionStanding {
    /// Its consultation's rung (informing) owes no answer.
    NotOwed,
    /// Owed an answer, none published yet, the deadline not passed.
    Pending {
        /// The last day an answer is on time.
        deadline: NaiveDate,
    },
    /// Owed an answer, none published, the deadline passed.
    Overdue {
        /// The deadline.
        deadline: NaiveDate,
        /// Days from the deadline to the "as of" day.
        days_late: i64,
    },
    /// Its answer was published by the deadline.
    AnsweredOnTime {
        /// When the answer in force was published.
        published_on: NaiveDate,
    },
    /// Its answer was first published after the deadline.
    AnsweredLate {
        /// When the answer in force was published.
        published_on: NaiveDate,
        /// Days from the deadline to the first publication.
        days_late: i64,
    },
    /// Withdrawn by its author: owed nothing any more.
    Withdrawn {
        /// When.
        on: NaiveDate,
    },
    /// An answer was published, then revised, and the revision is not published yet.
    RevisedAwaitingRepublication {
        /// When the answer was first published.
        first_published_on: NaiveDate,
        /// When it was revised.
        revised_on: NaiveDate,
        /// The deadline.
        deadline: NaiveDate,
    },
}

/// The standing of a contribution submitted by `as_of`, on that day, against its deadline
/// ([`ContributionFacts::deadline`]).
///
/// In this order: a contribution withdrawn by the day is withdrawn (whatever its answer); on a
/// rung that owes no answer it is not owed; an answer published by the day makes it answered,
/// on time if its *first* publication came by the deadline; an answer published then revised
/// and not republished by the day awaits republication; otherwise it is pending until the
/// deadline and overdue after it.
pub fn standing(facts: &ContributionFacts, as_of: NaiveDate) -> ContributionStanding {
    if let Some(on) = facts.withdrawn_on.filter(|w| *w <= as_of) {
        return ContributionStanding::Withdrawn { on };
    }
    if !facts.rung.owes_answers() {
        return ContributionStanding::NotOwed;
    }
    let deadline = facts.deadline();
    let answer = facts.answer.unwrap_or_default();
    let first = answer.first_published_on.filter(|p| *p <= as_of);
    match (first, answer.published_as_of(as_of)) {
        (Some(first), Some(published_on)) if first <= deadline => {
            ContributionStanding::AnsweredOnTime { published_on }
        }
        (Some(first), Some(published_on)) => ContributionStanding::AnsweredLate {
            published_on,
            days_late: (first - deadline).num_days(),
        },
        (Some(first_published_on), None) => ContributionStanding::RevisedAwaitingRepublication {
            first_published_on,
            revised_on: answer.revised_on.unwrap_or(first_published_on),
            deadline,
        },
        (None, _) if as_of > deadline => ContributionStanding::Overdue {
            deadline,
            days_late: (as_of - deadline).num_days(),
        },
        (None, _) => ContributionStanding::Pending { deadline },
    }
}

/// One step of a contribution's life, as its author follows it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Submitted, in its consultation's period.
    Submitted,
    /// Received after its consultation's closing, and accepted as late.
    ReceivedLate,
    /// Its text amended (one step per amendment).
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

/// A step and its day.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Step {
    /// What happened.
    pub kind: StepKind,
    /// When.
    pub on: NaiveDate,
    /// For an amendment, which one (its index in the amendments given to [`steps`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendment: Option<usize>,
}

/// A contribution's steps known on `as_of`, in the order of their days (same day: the order of
/// [`StepKind`], amendments in their order): its submission or late reception, each of its
/// amendments (`amended_on`, in order), its answer's first publication, last revision and
/// republication, its withdrawal. What came after `as_of` is not shown.
pub fn steps(facts: &ContributionFacts, amended_on: &[NaiveDate], as_of: NaiveDate) -> Vec<Step> {
    let answer = facts.answer.unwrap_or_default();
    let first = answer.first_published_on;
    let revised = answer.revised_on.filter(|r| first.is_some_and(|f| *r >= f));
    let republished = answer
        .last_published_on
        .filter(|p| revised.is_some_and(|r| *p >= r));
    let arrived = if facts.received_late {
        StepKind::ReceivedLate
    } else {
        StepKind::Submitted
    };
    let step = |kind, on| Step {
        kind,
        on,
        amendment: None,
    };
    let mut steps: Vec<Step> = [
        Some(step(arrived, facts.submitted_on)),
        first.map(|on| step(StepKind::AnswerPublished, on)),
        revised.map(|on| step(StepKind::AnswerRevised, on)),
        republished.map(|on| step(StepKind::AnswerRepublished, on)),
        facts.withdrawn_on.map(|on| step(StepKind::Withdrawn, on)),
    ]
    .into_iter()
    .flatten()
    .chain(amended_on.iter().enumerate().map(|(i, on)| Step {
        kind: StepKind::Amended,
        on: *on,
        amendment: Some(i),
    }))
    .filter(|s| s.on <= as_of)
    .collect();
    steps.sort_by_key(|s| (s.on, s.kind as u8, s.amendment));
    steps
}

/// How a contribution counts in promise keeping.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PromiseOutcome {
    /// Not counted: withdrawn, or on a rung that owes no answer.
    NotCounted,
    /// Answered by the deadline.
    OnTime,
    /// Answered after it.
    Late,
    /// Not answered, the deadline not passed.
    NotDue,
    /// Not answered, the deadline passed.
    Overdue,
}

impl ContributionStanding {
    /// Every standing's code, in the order readers list them.
    pub const CODES: [&'static str; 7] = [
        "not_owed",
        "pending",
        "overdue",
        "answered_on_time",
        "answered_late",
        "withdrawn",
        "revised_awaiting_republication",
    ];

    /// Its stable code (the same on the API, in the CSV and in the report).
    pub fn code(&self) -> &'static str {
        match self {
            ContributionStanding::NotOwed => "not_owed",
            ContributionStanding::Pending { .. } => "pending",
            ContributionStanding::Overdue { .. } => "overdue",
            ContributionStanding::AnsweredOnTime { .. } => "answered_on_time",
            ContributionStanding::AnsweredLate { .. } => "answered_late",
            ContributionStanding::Withdrawn { .. } => "withdrawn",
            ContributionStanding::RevisedAwaitingRepublication { .. } => {
                "revised_awaiting_republication"
            }
        }
    }

    /// How it counts in promise keeping. The promise is to answer by the deadline, and a
    /// first publication keeps it: an answer revised and awaiting republication counts by its
    /// first publication (on time or late), as it did before the revision.
    pub fn promise(&self) -> PromiseOutcome {
        match *self {
            ContributionStanding::NotOwed | ContributionStanding::Withdrawn { .. } => {
                PromiseOutcome::NotCounted
            }
            ContributionStanding::Pending { .. } => PromiseOutcome::NotDue,
            ContributionStanding::Overdue { .. } => PromiseOutcome::Overdue,
            ContributionStanding::AnsweredOnTime { .. } => PromiseOutcome::OnTime,
            ContributionStanding::AnsweredLate { .. } => PromiseOutcome::Late,
            ContributionStanding::RevisedAwaitingRepublication {
                first_published_on,
                deadline,
                ..
            } => {
                if first_published_on <= deadline {
                    PromiseOutcome::OnTime
                } else {
                    PromiseOutcome::Late
                }
            }
        }
    }

    /// Days past the deadline, for a contribution answered late or overdue.
    pub fn days_late(&self) -> Option<i64> {
        match *self {
            ContributionStanding::Overdue { days_late, .. }
            | ContributionStanding::AnsweredLate { days_late, .. } => Some(days_late),
            ContributionStanding::RevisedAwaitingRepublication {
                first_published_on,
                deadline,
                ..
            } if first_published_on > deadline => Some((first_published_on - deadline).num_days()),
            _ => None,
        }
    }

    /// The publication of the answer in force, if any.
    pub fn published_on(&self) -> Option<NaiveDate> {
        match *self {
            ContributionStanding::AnsweredOnTime { published_on }
            | ContributionStanding::AnsweredLate { published_on, .. } => Some(published_on),
            _ => None,
        }
    }

    /// Whether the coordinator still has something to publish for it: no answer yet, or a
    /// revision to publish.
    pub fn awaits_publication(&self) -> bool {
        matches!(
            self,
            ContributionStanding::Pending { .. }
                | ContributionStanding::Overdue { .. }
                | ContributionStanding::RevisedAwaitingRepublication { .. }
        )
    }
}

// ----- Approvals and mandates -----

/// Where an association's approval (agrément) stands on a day.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ApprovalStanding {
    /// Approved and in force (until `expires_on`, included).
    Approved {
        /// Its last day.
        expires_on: NaiveDate,
    },
    /// Granted, but its last day has passed.
    Expired {
        /// Its last day.
        expires_on: NaiveDate,
    },
    /// Never approved (by that day).
    NotApproved,
}

impl ApprovalStanding {
    /// Its stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApprovalStanding::Approved { .. } => "approved",
            ApprovalStanding::Expired { .. } => "expired",
            ApprovalStanding::NotApproved => "not_approved",
        }
    }
}

/// The standing of an approval granted on `granted_on` until `expires_on`, on a day.
pub fn approval(granted: Option<(NaiveDate, NaiveDate)>, as_of: NaiveDate) -> ApprovalStanding {
    match granted.filter(|(g, _)| *g <= as_of) {
        Some((_, expires_on)) if as_of <= expires_on => ApprovalStanding::Approved { expires_on },
        Some((_, expires_on)) => ApprovalStanding::Expired { expires_on },
        None => ApprovalStanding::NotApproved,
    }
}

/// What is known of a representative's mandate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MandateFacts {
    /// Its first day.
    pub start: NaiveDate,
    /// Its last day.
    pub end: NaiveDate,
    /// When it was ended early (no longer in force from that day).
    pub ended_on: Option<NaiveDate>,
    /// When the representative left the CPTS (no longer in force from that day).
    pub departed_on: Option<NaiveDate>,
}

impl MandateFacts {
    /// Whether the mandate is in force on a day.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.start <= day
            && day <= self.end
            && self.ended_on.is_none_or(|e| day < e)
            && self.departed_on.is_none_or(|d| day < d)
    }
}

// ----- Compliance checks -----

/// What the compliance checks look at, gathered by a reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceFacts {
    /// The representatives whose mandate is in force on the day: (name, has a written cadre
    /// d'intervention).
    pub representatives_in_office: Vec<(String, bool)>,
    /// Whether the statutes define a collège usagers.
    pub users_college_defined: bool,
    /// Members present on the day and seated in the collège usagers.
    pub users_college_seated: u64,
    /// The internal rules, if adopted by the day: whether they reimburse travel expenses.
    pub travel_expenses_reimbursed: Option<bool>,
    /// The period looked at for the moments (the checks see it up to `as_of`).
    pub period: Period,
    /// The day the checks speak as of.
    pub as_of: NaiveDate,
    /// Every day a representative contributed, with the consultation's moment (any period:
    /// the rule keeps those of the period).
    pub representative_contributions: Vec<(Moment, NaiveDate)>,
    /// Every seat a representative held on the board: (since, left on).
    pub representative_board_seats: Vec<(NaiveDate, Option<NaiveDate>)>,
}

/// The outcome of one compliance check, with what it found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CheckOutcome {
    /// At least two representatives in office.
    AtLeastTwoActiveRepresentatives {
        /// How many are.
        in_office: u64,
    },
    /// A collège usagers in the statutes, with members seated.
    UsersCollegeExistsAndSeated {
        /// Whether it is defined.
        defined: bool,
        /// Members seated in it.
        seated: u64,
    },
    /// The internal rules reimburse representatives' travel expenses.
    TravelExpensesRuleAdopted {
        /// Whether they do.
        reimbursed: bool,
    },
    /// Each representative in office has a written cadre d'intervention.
    CadreInterventionForEachRepresentative {
        /// The names of those without one.
        lacking: Vec<String>,
    },
    /// Representatives took part in each of the four moments during the period.
    RepresentativesInEachMoment {
        /// The period looked at (as named, not cut at the "as of" day).
        period: Period,
        /// The moments without a representative.
        missing: Vec<Moment>,
    },
}

impl CheckOutcome {
    /// Every check's code, in the order the checks are made.
    pub const CODES: [&'static str; 5] = [
        "at_least_two_active_representatives",
        "users_college_exists_and_seated",
        "travel_expenses_rule_adopted",
        "cadre_intervention_for_each_representative",
        "representatives_in_each_moment",
    ];

    /// Its stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CheckOutcome::AtLeastTwoActiveRepresentatives { .. } => Self::CODES[0],
            CheckOutcome::UsersCollegeExistsAndSeated { .. } => Self::CODES[1],
            CheckOutcome::TravelExpensesRuleAdopted { .. } => Self::CODES[2],
            CheckOutcome::CadreInterventionForEachRepresentative { .. } => Self::CODES[3],
            CheckOutcome::RepresentativesInEachMoment { .. } => Self::CODES[4],
        }
    }

    /// Whether the check holds.
    pub fn ok(&self) -> bool {
        match self {
            CheckOutcome::AtLeastTwoActiveRepresentatives { in_office } => *in_office >= 2,
            CheckOutcome::UsersCollegeExistsAndSeated { defined, seated } => {
                *defined && *seated > 0
            }
            CheckOutcome::TravelExpensesRuleAdopted { reimbursed } => *reimbursed,
            CheckOutcome::CadreInterventionForEachRepresentative { lacking } => lacking.is_empty(),
            CheckOutcome::RepresentativesInEachMoment { missing, .. } => missing.is_empty(),
        }
    }
}

/// The five compliance checks, in order.
pub fn compliance(facts: &ComplianceFacts) -> Vec<CheckOutcome> {
    let period = facts.period;
    let known = period.up_to(facts.as_of);
    let mut involved: Vec<Moment> = facts
        .representative_contributions
        .iter()
        .filter(|(_, on)| known.contains(*on))
        .map(|(moment, _)| *moment)
        .collect();
    if facts
        .representative_board_seats
        .iter()
        .any(|(since, left)| known.meets(*since, *left))
    {
        involved.push(Moment::Governance);
    }
    vec![
        CheckOutcome::AtLeastTwoActiveRepresentatives {
            in_office: facts.representatives_in_office.len() as u64,
        },
        CheckOutcome::UsersCollegeExistsAndSeated {
            defined: facts.users_college_defined,
            seated: facts.users_college_seated,
        },
        CheckOutcome::TravelExpensesRuleAdopted {
            reimbursed: facts.travel_expenses_reimbursed == Some(true),
        },
        CheckOutcome::CadreInterventionForEachRepresentative {
            lacking: facts
                .representatives_in_office
                .iter()
                .filter(|(_, has_cadre)| !has_cadre)
                .map(|(name, _)| name.clone())
                .collect(),
        },
        CheckOutcome::RepresentativesInEachMoment {
            period,
            missing: Moment::ALL
                .iter()
                .copied()
                .filter(|m| !involved.contains(m))
                .collect(),
        },
    ]
}

/// The share of published answers that retained the contribution, fully or partly, from 0 to
/// 1: what the trail, the dashboard and the report call "part retenue". `None` with no answer.
pub fn share_retained(published: impl IntoIterator<Item = (Disposition, u64)>) -> Option<f64> {
    let (mut answered, mut retained) = (0u64, 0u64);
    for (disposition, count) in published {
        answered += count;
        if matches!(
            disposition,
            Disposition::Retained | Disposition::PartlyRetained
        ) {
            retained += count;
        }
    }
    // Counts of a CPTS are far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    (answered > 0).then(|| retained as f64 / answered as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    fn facts(answer: Option<AnswerFacts>) -> ContributionFacts {
        ContributionFacts {
            submitted_on: d("2026-03-01"),
            withdrawn_on: None,
            rung: Rung::Consult,
            consultation_deadline: d("2026-04-12"),
            closes_on: d("2026-03-13"),
            received_late: false,
            answer,
        }
    }

    fn published(on: &str) -> AnswerFacts {
        AnswerFacts {
            first_published_on: Some(d(on)),
            revised_on: None,
            last_published_on: Some(d(on)),
        }
    }

    #[test]
    fn a_contributions_steps_follow_its_days_and_stop_at_the_as_of_day() {
        let k = ContributionFacts {
            answer: Some(AnswerFacts {
                first_published_on: Some(d("2026-04-01")),
                revised_on: Some(d("2026-05-02")),
                last_published_on: Some(d("2026-05-10")),
            }),
            ..facts(None)
        };
        let kinds = |as_of: &str| -> Vec<(StepKind, NaiveDate)> {
            steps(&k, &[d("2026-03-05")], d(as_of))
                .into_iter()
                .map(|s| (s.kind, s.on))
                .collect()
        };
        assert_eq!(
            kinds("2026-12-31"),
            vec![
                (StepKind::Submitted, d("2026-03-01")),
                (StepKind::Amended, d("2026-03-05")),
                (StepKind::AnswerPublished, d("2026-04-01")),
                (StepKind::AnswerRevised, d("2026-05-02")),
                (StepKind::AnswerRepublished, d("2026-05-10")),
            ]
        );
        // On 3 May, the revision is known and its republication is not.
        assert_eq!(
            kinds("2026-05-03").last().map(|s| s.0),
            Some(StepKind::AnswerRevised)
        );
        // Published once, never revised: no republication step.
        let once = ContributionFacts {
            answer: Some(published("2026-04-01")),
            ..facts(None)
        };
        assert_eq!(
            steps(&once, &[], d("2026-12-31"))
                .iter()
                .map(|s| s.kind)
                .collect::<Vec<_>>(),
            vec![StepKind::Submitted, StepKind::AnswerPublished]
        );
        // Received late, then withdrawn.
        let late = ContributionFacts {
            received_late: true,
            withdrawn_on: Some(d("2026-03-20")),
            submitted_on: d("2026-03-15"),
            ..facts(None)
        };
        assert_eq!(
            steps(&late, &[], d("2026-12-31"))
                .iter()
                .map(|s| s.kind)
                .collect::<Vec<_>>(),
            vec![StepKind::ReceivedLate, StepKind::Withdrawn]
        );
    }

    #[test]
    fn a_contribution_on_an_informing_rung_is_not_owed_an_answer() {
        let k = ContributionFacts {
            rung: Rung::Inform,
            ..facts(None)
        };
        assert_eq!(standing(&k, d("2026-12-31")), ContributionStanding::NotOwed);
        assert_eq!(
            ContributionStanding::NotOwed.promise(),
            PromiseOutcome::NotCounted
        );
    }

    #[test]
    fn an_unanswered_contribution_is_pending_until_its_deadline_included() {
        let s = standing(&facts(None), d("2026-04-12"));
        assert_eq!(
            s,
            ContributionStanding::Pending {
                deadline: d("2026-04-12")
            }
        );
        assert_eq!(s.promise(), PromiseOutcome::NotDue);
    }

    #[test]
    fn an_unanswered_contribution_is_overdue_the_day_after_its_deadline() {
        let s = standing(&facts(None), d("2026-04-15"));
        assert_eq!(
            s,
            ContributionStanding::Overdue {
                deadline: d("2026-04-12"),
                days_late: 3
            }
        );
        assert_eq!(s.promise(), PromiseOutcome::Overdue);
    }

    #[test]
    fn a_drafted_answer_not_published_does_not_answer() {
        let draft = AnswerFacts::default();
        assert!(matches!(
            standing(&facts(Some(draft)), d("2026-04-20")),
            ContributionStanding::Overdue { .. }
        ));
    }

    #[test]
    fn an_answer_published_by_the_deadline_is_on_time() {
        let s = standing(&facts(Some(published("2026-04-12"))), d("2026-12-31"));
        assert_eq!(
            s,
            ContributionStanding::AnsweredOnTime {
                published_on: d("2026-04-12")
            }
        );
        assert_eq!(s.promise(), PromiseOutcome::OnTime);
    }

    #[test]
    fn an_answer_published_after_the_deadline_is_late() {
        let s = standing(&facts(Some(published("2026-04-20"))), d("2026-12-31"));
        assert_eq!(
            s,
            ContributionStanding::AnsweredLate {
                published_on: d("2026-04-20"),
                days_late: 8
            }
        );
        assert_eq!(s.days_late(), Some(8));
        assert_eq!(s.promise(), PromiseOutcome::Late);
    }

    #[test]
    fn an_answer_published_after_the_as_of_day_does_not_count_yet() {
        assert!(matches!(
            standing(&facts(Some(published("2026-04-10"))), d("2026-04-09")),
            ContributionStanding::Pending { .. }
        ));
    }

    #[test]
    fn a_withdrawn_contribution_is_withdrawn_whatever_its_answer() {
        let k = ContributionFacts {
            withdrawn_on: Some(d("2026-03-10")),
            ..facts(Some(published("2026-04-01")))
        };
        let s = standing(&k, d("2026-12-31"));
        assert_eq!(
            s,
            ContributionStanding::Withdrawn {
                on: d("2026-03-10")
            }
        );
        assert_eq!(s.promise(), PromiseOutcome::NotCounted);
        // Before its withdrawal, it stood as any other.
        assert!(matches!(
            standing(&k, d("2026-03-09")),
            ContributionStanding::Pending { .. }
        ));
    }

    fn revised() -> AnswerFacts {
        AnswerFacts {
            first_published_on: Some(d("2026-04-01")),
            revised_on: Some(d("2026-05-01")),
            last_published_on: None,
        }
    }

    #[test]
    fn a_revised_answer_not_republished_awaits_republication_and_keeps_its_promise() {
        let s = standing(&facts(Some(revised())), d("2026-06-01"));
        assert_eq!(
            s,
            ContributionStanding::RevisedAwaitingRepublication {
                first_published_on: d("2026-04-01"),
                revised_on: d("2026-05-01"),
                deadline: d("2026-04-12"),
            }
        );
        assert_eq!(s.promise(), PromiseOutcome::OnTime);
        assert!(s.awaits_publication());
        assert_eq!(s.published_on(), None);
    }

    #[test]
    fn a_revised_answer_first_published_late_stays_late() {
        let answer = AnswerFacts {
            first_published_on: Some(d("2026-04-20")),
            ..revised()
        };
        let s = standing(&facts(Some(answer)), d("2026-06-01"));
        assert_eq!(s.promise(), PromiseOutcome::Late);
        assert_eq!(s.days_late(), Some(8));
    }

    #[test]
    fn before_its_revision_a_revised_answer_reads_as_first_published() {
        assert_eq!(
            standing(&facts(Some(revised())), d("2026-04-30")),
            ContributionStanding::AnsweredOnTime {
                published_on: d("2026-04-01")
            }
        );
    }

    #[test]
    fn a_republished_revision_answers_with_its_republication() {
        let answer = AnswerFacts {
            last_published_on: Some(d("2026-05-03")),
            ..revised()
        };
        assert_eq!(
            standing(&facts(Some(answer)), d("2026-06-01")),
            ContributionStanding::AnsweredOnTime {
                published_on: d("2026-05-03")
            }
        );
        // Between the revision and its republication, it waited.
        assert!(matches!(
            standing(&facts(Some(answer)), d("2026-05-02")),
            ContributionStanding::RevisedAwaitingRepublication { .. }
        ));
    }

    #[test]
    fn a_draft_revised_before_its_first_publication_is_simply_published() {
        let answer = AnswerFacts {
            first_published_on: Some(d("2026-04-05")),
            revised_on: Some(d("2026-04-02")),
            last_published_on: Some(d("2026-04-05")),
        };
        assert!(matches!(
            standing(&facts(Some(answer)), d("2026-06-01")),
            ContributionStanding::AnsweredOnTime { .. }
        ));
    }

    #[test]
    fn the_first_answer_of_several_is_the_earliest_published_by_the_day() {
        let early = published("2026-04-01");
        let later = published("2026-04-20");
        let draft = AnswerFacts::default();
        assert_eq!(
            AnswerFacts::first_answer([draft, later, early], d("2026-12-31")),
            Some(early)
        );
        assert_eq!(
            AnswerFacts::first_answer([draft, later], d("2026-04-10")),
            Some(draft)
        );
        assert_eq!(AnswerFacts::first_answer([], d("2026-04-10")), None);
    }

    #[test]
    fn a_contribution_recorded_after_the_closing_keeps_the_consultations_deadline() {
        // Dated within the period, typed in long after: overdue from the day it is recorded.
        let k = ContributionFacts {
            submitted_on: d("2026-03-10"),
            ..facts(None)
        };
        assert_eq!(k.deadline(), d("2026-04-12"));
        assert_eq!(
            standing(&k, d("2026-12-01")),
            ContributionStanding::Overdue {
                deadline: d("2026-04-12"),
                days_late: 233
            }
        );
    }

    #[test]
    fn a_contribution_received_late_is_owed_its_answer_the_promised_days_after_its_reception() {
        // Closing 13 March, 30 days promised: received on 16 March, due on 15 April.
        let k = ContributionFacts {
            submitted_on: d("2026-03-16"),
            received_late: true,
            ..facts(None)
        };
        assert_eq!(k.deadline(), d("2026-04-15"));
        assert_eq!(
            standing(&k, d("2026-04-14")),
            ContributionStanding::Pending {
                deadline: d("2026-04-15")
            }
        );
        assert_eq!(
            standing(&k, d("2026-04-20")),
            ContributionStanding::Overdue {
                deadline: d("2026-04-15"),
                days_late: 5
            }
        );
        // Answered on 14 April: on time for it, though late by the consultation's deadline.
        let answered = ContributionFacts {
            answer: Some(published("2026-04-14")),
            ..k
        };
        assert_eq!(
            standing(&answered, d("2026-12-31")).promise(),
            PromiseOutcome::OnTime
        );
        // Received after an early closing but within the terms: the consultation's deadline.
        let early = ContributionFacts {
            submitted_on: d("2026-03-05"),
            ..k
        };
        assert_eq!(early.deadline(), d("2026-04-12"));
    }

    #[test]
    fn every_standing_has_its_own_code() {
        let day = d("2026-04-01");
        let all = [
            ContributionStanding::NotOwed,
            ContributionStanding::Pending { deadline: day },
            ContributionStanding::Overdue {
                deadline: day,
                days_late: 1,
            },
            ContributionStanding::AnsweredOnTime { published_on: day },
            ContributionStanding::AnsweredLate {
                published_on: day,
                days_late: 1,
            },
            ContributionStanding::Withdrawn { on: day },
            ContributionStanding::RevisedAwaitingRepublication {
                first_published_on: day,
                revised_on: day,
                deadline: day,
            },
        ];
        let codes: Vec<&str> = all.iter().map(ContributionStanding::code).collect();
        assert_eq!(codes, ContributionStanding::CODES);
    }

    #[test]
    fn an_approval_is_in_force_to_its_last_day_then_expired() {
        let granted = Some((d("2021-06-01"), d("2026-05-31")));
        assert_eq!(
            approval(granted, d("2021-05-31")),
            ApprovalStanding::NotApproved
        );
        assert_eq!(
            approval(granted, d("2026-05-31")),
            ApprovalStanding::Approved {
                expires_on: d("2026-05-31")
            }
        );
        assert_eq!(approval(granted, d("2026-06-01")).code(), "expired");
        assert_eq!(approval(None, d("2026-06-01")).code(), "not_approved");
    }

    #[test]
    fn a_mandate_is_in_force_from_start_to_end_until_ended_or_departed() {
        let m = MandateFacts {
            start: d("2026-01-01"),
            end: d("2028-12-31"),
            ended_on: None,
            departed_on: None,
        };
        assert!(!m.in_force_on(d("2025-12-31")));
        assert!(m.in_force_on(d("2026-01-01")) && m.in_force_on(d("2028-12-31")));
        assert!(!m.in_force_on(d("2029-01-01")));
        let ended = MandateFacts {
            ended_on: Some(d("2026-06-01")),
            ..m
        };
        assert!(ended.in_force_on(d("2026-05-31")) && !ended.in_force_on(d("2026-06-01")));
        let departed = MandateFacts {
            departed_on: Some(d("2026-03-01")),
            ..m
        };
        assert!(!departed.in_force_on(d("2026-03-01")));
    }

    #[test]
    fn the_calendar_year_of_a_day_and_its_part_up_to_a_day() {
        let year = Period::calendar_year_of(d("2026-06-30"));
        assert_eq!((year.from, year.to), (d("2026-01-01"), d("2026-12-31")));
        assert_eq!(year.calendar_year(), Some(2026));
        assert_eq!(year.up_to(d("2026-06-30")).to, d("2026-06-30"));
        assert_eq!(year.up_to(d("2026-06-30")).calendar_year(), None);
        assert!(year.contains(d("2026-12-31")) && !year.contains(d("2027-01-01")));
        assert!(year.meets(d("2025-01-01"), None));
        assert!(!year.meets(d("2025-01-01"), Some(d("2026-01-01"))));
        assert!(year.meets(d("2025-01-01"), Some(d("2026-01-02"))));
    }

    fn compliant() -> ComplianceFacts {
        ComplianceFacts {
            representatives_in_office: vec![("A".into(), true), ("B".into(), true)],
            users_college_defined: true,
            users_college_seated: 2,
            travel_expenses_reimbursed: Some(true),
            period: Period::calendar_year_of(d("2026-06-30")),
            as_of: d("2026-06-30"),
            representative_contributions: vec![
                (Moment::Diagnosis, d("2026-02-01")),
                (Moment::Prioritisation, d("2026-03-01")),
                (Moment::Evaluation, d("2026-04-01")),
            ],
            representative_board_seats: vec![(d("2025-01-01"), None)],
        }
    }

    #[test]
    fn every_check_holds_for_a_compliant_cpts() {
        let checks = compliance(&compliant());
        let codes: Vec<&str> = checks.iter().map(CheckOutcome::code).collect();
        assert_eq!(codes, CheckOutcome::CODES);
        assert!(checks.iter().all(CheckOutcome::ok), "{checks:?}");
    }

    #[test]
    fn each_check_fails_with_what_it_found() {
        let facts = ComplianceFacts {
            representatives_in_office: vec![("A".into(), false)],
            users_college_defined: true,
            users_college_seated: 0,
            travel_expenses_reimbursed: None,
            // A contribution after the period, and a board seat left before it.
            representative_contributions: vec![
                (Moment::Diagnosis, d("2026-02-01")),
                (Moment::Evaluation, d("2026-07-01")),
            ],
            representative_board_seats: vec![(d("2025-01-01"), Some(d("2025-12-31")))],
            ..compliant()
        };
        let checks = compliance(&facts);
        assert!(checks.iter().all(|c| !c.ok()), "{checks:?}");
        assert_eq!(
            checks[3],
            CheckOutcome::CadreInterventionForEachRepresentative {
                lacking: vec!["A".into()]
            }
        );
        assert_eq!(
            checks[4],
            CheckOutcome::RepresentativesInEachMoment {
                period: facts.period,
                missing: vec![
                    Moment::Prioritisation,
                    Moment::Evaluation,
                    Moment::Governance
                ],
            }
        );
    }

    #[test]
    fn the_share_retained_counts_partly_retained_answers_and_nothing_without_answers() {
        use crate::values::Disposition as D;
        assert_eq!(share_retained([]), None);
        assert_eq!(
            share_retained([
                (D::Retained, 9),
                (D::PartlyRetained, 3),
                (D::NotRetained, 4)
            ]),
            Some(0.75)
        );
        assert_eq!(share_retained([(D::OutOfScope, 2)]), Some(0.0));
    }
}
