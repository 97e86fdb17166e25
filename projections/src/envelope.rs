//! An event of the log, as the projections read it.

use chrono::{DateTime, Utc};
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
