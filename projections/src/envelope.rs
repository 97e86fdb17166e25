//! An event of the log, as the projections read it.

use chrono::{DateTime, NaiveDate, Utc};
use cpts_domain::association::{Association, AssociationEvent};
use cpts_domain::command::Actor;
use cpts_domain::community::{Community, CommunityEvent};
use cpts_domain::consultation::{Consultation, ConsultationEvent};
use cpts_domain::decision::{Decision, DecisionEvent};
use cpts_domain::member::{Member, MemberEvent};
use cqrs_es::Aggregate;

use crate::projector::ProjectionError;

/// What happened, typed by the aggregate it happened to.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// To a CPTS.
    Community(CommunityEvent),
    /// To an association.
    Association(AssociationEvent),
    /// To a member.
    Member(MemberEvent),
    /// To a consultation.
    Consultation(ConsultationEvent),
    /// To a decision.
    Decision(DecisionEvent),
    /// An event of the log that does not read as any of the above (written past the rules, or
    /// by a newer version): the projections set it aside rather than stop on it.
    Unreadable {
        /// Why it does not read.
        reason: String,
    },
}

impl Fact {
    /// Reads a stored payload. An unknown aggregate type or an unreadable payload is an error,
    /// never skipped: a projection that skips an event is wrong from then on.
    pub fn parse(
        aggregate_type: &str,
        payload: serde_json::Value,
    ) -> Result<Self, ProjectionError> {
        let unreadable =
            |e: serde_json::Error| ProjectionError::Unreadable(format!("{aggregate_type}: {e}"));
        Ok(match aggregate_type {
            Community::TYPE => {
                Fact::Community(serde_json::from_value(payload).map_err(unreadable)?)
            }
            Association::TYPE => {
                Fact::Association(serde_json::from_value(payload).map_err(unreadable)?)
            }
            Member::TYPE => Fact::Member(serde_json::from_value(payload).map_err(unreadable)?),
            Consultation::TYPE => {
                Fact::Consultation(serde_json::from_value(payload).map_err(unreadable)?)
            }
            Decision::TYPE => Fact::Decision(serde_json::from_value(payload).map_err(unreadable)?),
            other => {
                return Err(ProjectionError::Unreadable(format!(
                    "unknown aggregate type {other}"
                )))
            }
        })
    }
}

impl Fact {
    /// Reads a stored payload; one that does not read is [`Fact::Unreadable`], for the readers
    /// (the projections, the outbox) that set such an event aside and go on.
    pub fn parse_or_unreadable(aggregate_type: &str, payload: serde_json::Value) -> Self {
        Fact::parse(aggregate_type, payload).unwrap_or_else(|error| Fact::Unreadable {
            reason: error.to_string(),
        })
    }
}

impl Fact {
    /// The day the fact happened, as its command carried it: the fact axis, as opposed to the
    /// time the ledger recorded it ([`Envelope::recorded_at`]). A fact dated after a day did
    /// not exist on that day, whenever it was recorded.
    ///
    /// `None` for the facts that carry no date: the CPTS's registration and territory, its
    /// collèges and bodies, an association's registration, a consultation linked to a
    /// decision, a cadre d'intervention written, contact details. They stand from the start of
    /// the record. A mandate is dated by its first day, a consultation by its opening, a
    /// decision by its proposal.
    pub fn dated_on(&self) -> Option<NaiveDate> {
        match self {
            Fact::Community(fact) => match fact {
                CommunityEvent::InternalRulesAdopted { adopted_on, .. } => Some(*adopted_on),
                CommunityEvent::CommunityRegistered { .. }
                | CommunityEvent::TerritoryRedrawn { .. }
                | CommunityEvent::CollegeDefined { .. }
                | CommunityEvent::BodyEstablished { .. } => None,
            },
            Fact::Association(fact) => match fact {
                AssociationEvent::AssociationRegistered { .. } => None,
                AssociationEvent::AssociationApproved { granted_on, .. } => Some(*granted_on),
                AssociationEvent::AssociationEngaged { since, .. } => Some(*since),
                AssociationEvent::AssociationWithdrew { on, .. } => Some(*on),
            },
            Fact::Member(fact) => match fact {
                MemberEvent::MemberAdmitted { admitted_on, .. } => Some(*admitted_on),
                MemberEvent::MandateGranted { start, .. } => Some(*start),
                MemberEvent::MandateEnded { on, .. }
                | MemberEvent::SeatedInCollege { on, .. }
                | MemberEvent::SeatedInBody { on, .. }
                | MemberEvent::LeftBody { on, .. }
                | MemberEvent::MemberDeparted { on, .. }
                | MemberEvent::PersonalDataErased { on } => Some(*on),
                MemberEvent::CadreInterventionWritten { .. }
                | MemberEvent::ContactSet { .. }
                | MemberEvent::ContactWithdrawn
                | MemberEvent::Unsubscribed => None,
            },
            Fact::Consultation(fact) => match fact {
                ConsultationEvent::ConsultationOpened { terms, .. } => Some(terms.opens_on),
                ConsultationEvent::ContributionSubmitted { submitted_on, .. } => {
                    Some(*submitted_on)
                }
                ConsultationEvent::ContributionAmended { on, .. }
                | ConsultationEvent::ContributionWithdrawn { on, .. }
                | ConsultationEvent::ConsultationClosed { on }
                | ConsultationEvent::SynthesisPublished { on, .. } => Some(*on),
                ConsultationEvent::ContactLeft { .. }
                | ConsultationEvent::InhabitantContactWithdrawn { .. }
                | ConsultationEvent::InhabitantUnsubscribed { .. } => None,
            },
            Fact::Decision(fact) => match fact {
                DecisionEvent::DecisionProposed { proposal, .. } => Some(proposal.proposed_on),
                DecisionEvent::ConsultationLinked { .. } => None,
                DecisionEvent::AnswerDrafted { on, .. }
                | DecisionEvent::AnswerRevised { on, .. }
                | DecisionEvent::AnswerPublished { on, .. }
                | DecisionEvent::VoteRecorded { on, .. }
                | DecisionEvent::DecisionAmended { on, .. }
                | DecisionEvent::DecisionWithdrawn { on, .. }
                | DecisionEvent::MilestoneRecorded { on, .. }
                | DecisionEvent::IndicatorReported { on, .. } => Some(*on),
            },
            Fact::Unreadable { .. } => None,
        }
    }
}

/// One event of the log with its place and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// Global position, from 1, gap-free, in commit order.
    pub position: u64,
    /// The aggregate type as stored.
    pub aggregate_type: String,
    /// The record the event belongs to.
    pub aggregate_id: String,
    /// Its position in the record's stream.
    pub sequence: u64,
    /// The event's type name.
    pub event_type: String,
    /// The CPTS the record belongs to.
    pub community_id: Option<String>,
    /// When the ledger recorded it.
    pub recorded_at: DateTime<Utc>,
    /// Who acted.
    pub actor: Actor,
    /// The command that caused it.
    pub command_id: Option<String>,
    /// What happened.
    pub fact: Fact,
}
