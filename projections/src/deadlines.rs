//! Échéances of a CPTS as of a day: the facts with a last day gathered from the read models
//! (answers due, consultations closing, representatives' mandates, associations' approvals),
//! each placed by the domain's rule ([`cpts_domain::deadlines::Deadline::of`]) and named by its
//! sentence. The dashboard's list (`deadlines` in the API) and the coordinator's digest read
//! this one function.

use chrono::NaiveDate;
use cpts_domain::deadlines::{self, DeadlineFacts, Horizon};
use cpts_domain::rules::MandateFacts;
use cpts_domain::values::Lang;

use crate::queries::{self, date, stored_day, DueContribution, Result};
use crate::{listing, ReadDb};

/// One deadline, with the records a page links to (never shown to people).
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    /// What falls due, when, how near, and the words naming it.
    pub deadline: deadlines::Deadline,
    /// The decision where an answer is to be published (the first that drew on its
    /// consultation), for an answer.
    pub decision_id: Option<String>,
    /// The consultation, for an answer or a consultation.
    pub consultation_id: Option<String>,
    /// The member: the author of a contribution, or the representative.
    pub member_id: Option<String>,
    /// The association whose approval ends.
    pub association_id: Option<String>,
    /// For an answer, the contribution as staff see it (its text, the decisions where it can
    /// be answered).
    pub contribution: Option<DueContribution>,
}

impl Deadline {
    fn new(deadline: deadlines::Deadline) -> Self {
        Deadline {
            deadline,
            decision_id: None,
            consultation_id: None,
            member_id: None,
            association_id: None,
            contribution: None,
        }
    }

    /// The sentence naming it ([`deadlines::Deadline::sentence`]).
    pub fn sentence(&self, lang: Lang) -> String {
        self.deadline.sentence(lang)
    }
}

/// What falls due in a CPTS as of a day: everything overdue, and what falls due by
/// `as_of + within_days` (no further than the 90 days of the farthest horizon); overdue first,
/// then by last day. A few statements whatever the size of the CPTS: the answers due
/// ([`queries::due_contributions`]), the consultations ([`listing::consultations`]), the
/// register's representatives ([`queries::register`]) and the associations
/// ([`listing::associations`]).
pub async fn deadlines(
    db: &ReadDb,
    community_id: &str,
    as_of: NaiveDate,
    within_days: u32,
) -> Result<Vec<Deadline>> {
    let last = as_of
        .checked_add_days(chrono::Days::new(u64::from(within_days)))
        .unwrap_or(NaiveDate::MAX);
    let mut found = Vec::new();

    for due in queries::due_contributions(db, community_id, as_of, within_days, usize::MAX).await? {
        let facts = DeadlineFacts::Answer {
            author_fr: due.author(Lang::Fr),
            author_en: due.author(Lang::En),
            subject: due.subject.clone(),
            standing: due.standing,
        };
        if let Some(deadline) = deadlines::Deadline::of(facts, as_of) {
            found.push(Deadline {
                decision_id: due.decisions.first().map(|(id, _)| id.clone()),
                consultation_id: Some(due.consultation_id.clone()),
                member_id: due.author_member_id.clone(),
                contribution: Some(due),
                ..Deadline::new(deadline)
            });
        }
    }

    for c in listing::consultations(db, community_id, as_of).await? {
        if stored_day(&c.opens_on)? > as_of {
            continue;
        }
        let facts = DeadlineFacts::Consultation {
            subject: c.subject,
            closes_on: stored_day(&c.closes_on)?,
            closed_on: date(&c.closed_on)?,
        };
        if let Some(deadline) = deadlines::Deadline::of(facts, as_of) {
            found.push(Deadline {
                consultation_id: Some(c.consultation_id),
                ..Deadline::new(deadline)
            });
        }
    }

    let register = queries::register(db, community_id, as_of).await?;
    for r in register.representatives {
        let (Some(start), Some(end)) = (date(&r.mandate_start)?, date(&r.mandate_end)?) else {
            continue;
        };
        let facts = DeadlineFacts::Mandate {
            representative: r.name,
            association: r.association.unwrap_or_default(),
            mandate: MandateFacts {
                start,
                end,
                ended_on: date(&r.mandate_ended_on)?,
                departed_on: date(&r.departed_on)?,
            },
        };
        if let Some(deadline) = deadlines::Deadline::of(facts, as_of) {
            found.push(Deadline {
                member_id: Some(r.member_id),
                ..Deadline::new(deadline)
            });
        }
    }

    for a in listing::associations(db, community_id).await? {
        // The last day was set with the approval (`values::approval_expires_on`).
        let Some(granted) = date(&a.approval_granted_on)?.zip(date(&a.approval_expires_on)?) else {
            continue;
        };
        let facts = DeadlineFacts::Approval {
            association: a.name,
            granted,
            withdrawn_on: date(&a.withdrawn_on)?,
        };
        if let Some(deadline) = deadlines::Deadline::of(facts, as_of) {
            found.push(Deadline {
                association_id: Some(a.association_id),
                ..Deadline::new(deadline)
            });
        }
    }

    found.retain(|d| d.deadline.horizon == Horizon::Overdue || d.deadline.due_on <= last);
    found.sort_by(|a, b| deadlines::reading_order(&a.deadline, &b.deadline));
    Ok(found)
}
