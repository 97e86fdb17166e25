//! The contributions a coordinator must see to: answers due soon, overdue, late, or revised
//! and not yet republished, whether or not a decision took them up. Each comes with what a
//! person reads (its consultation's subject, its author, its text, its dates) and the decisions
//! where it can be answered, so that no page has to show a bare id.

use async_graphql::{SimpleObject, ID};
use chrono::NaiveDate;
use cpts_domain::values::{self, Lang};
use cpts_projections::queries;

use crate::decode::{day, vocab};
use crate::inputs::ContributionKind;
use crate::views::Standing;

/// A decision where a contribution can be answered (one that drew on its consultation).
#[derive(SimpleObject, Debug, Clone)]
pub struct AnsweringDecision {
    /// The decision.
    pub id: ID,
    /// Its title.
    pub title: String,
}

/// A contribution whose answer is due, overdue or late, as staff see it.
#[derive(SimpleObject, Debug, Clone)]
pub struct DueContribution {
    /// The contribution.
    pub contribution_id: ID,
    /// Its consultation.
    pub consultation_id: ID,
    /// The consultation's subject.
    pub subject: String,
    /// Its author as staff read them, in French: the member's name, "un habitant de
    /// <commune>" or "un habitant".
    pub author: String,
    /// The same in English.
    pub author_en: String,
    /// The member's name, if a member wrote it.
    pub author_name: Option<String>,
    /// Whether an inhabitant wrote it without giving their name.
    pub anonymous: bool,
    /// The anonymous inhabitant's commune, if given.
    pub anonymous_commune: Option<String>,
    /// What it is.
    pub kind: ContributionKind,
    /// Its text.
    pub text: String,
    /// When it was submitted.
    pub submitted_on: NaiveDate,
    /// The last day an answer is on time.
    pub answer_deadline: NaiveDate,
    /// Where it stands as of the date (`cpts_domain::rules::standing`).
    pub standing: Standing,
    /// Days past the deadline, when answered late or overdue.
    pub days_late: Option<i64>,
    /// When the answer in force was published, if it was.
    pub published_on: Option<NaiveDate>,
    /// The decisions that drew on its consultation, where it is answered; empty while no
    /// decision took it up.
    pub decisions: Vec<AnsweringDecision>,
}

impl TryFrom<queries::DueContribution> for DueContribution {
    type Error = async_graphql::Error;

    fn try_from(d: queries::DueContribution) -> async_graphql::Result<Self> {
        Ok(Self {
            author: d.author(Lang::Fr),
            author_en: d.author(Lang::En),
            contribution_id: ID(d.contribution_id),
            consultation_id: ID(d.consultation_id),
            subject: d.subject,
            anonymous: d.author_member_id.is_none(),
            author_name: d.author_name,
            anonymous_commune: d.anonymous_commune,
            kind: vocab(&d.kind, values::ContributionKind::from_wire_name)?,
            text: d.text,
            submitted_on: day(&d.submitted_on)?,
            answer_deadline: day(&d.answer_deadline)?,
            standing: Standing::from(&d.standing),
            days_late: d.standing.days_late(),
            published_on: d.standing.published_on(),
            decisions: d
                .decisions
                .into_iter()
                .map(|(id, title)| AnsweringDecision { id: ID(id), title })
                .collect(),
        })
    }
}
