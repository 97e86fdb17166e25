//! A command addressed to one aggregate, and who sends it: the unit the service executes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::association::AssociationCommand;
use crate::community::CommunityCommand;
use crate::consultation::ConsultationCommand;
use crate::decision::DecisionCommand;
use crate::ids::{AssociationId, CommunityId, ConsultationId, DecisionId, MemberId};
use crate::member::MemberCommand;

/// A command together with the aggregate it is addressed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "aggregate", rename_all = "snake_case")]
pub enum AddressedCommand {
    /// To a CPTS.
    Community {
        /// The CPTS.
        id: CommunityId,
        /// The command.
        command: CommunityCommand,
    },
    /// To an association.
    Association {
        /// The association.
        id: AssociationId,
        /// The command.
        command: AssociationCommand,
    },
    /// To a member.
    Member {
        /// The member.
        id: MemberId,
        /// The command.
        command: MemberCommand,
    },
    /// To a consultation.
    Consultation {
        /// The consultation.
        id: ConsultationId,
        /// The command.
        command: ConsultationCommand,
    },
    /// To a decision.
    Decision {
        /// The decision.
        id: DecisionId,
        /// The command.
        command: DecisionCommand,
    },
}

impl AddressedCommand {
    /// The aggregate type, as stored with the events.
    pub fn aggregate_type(&self) -> &'static str {
        use cqrs_es::Aggregate;
        match self {
            AddressedCommand::Community { .. } => crate::community::Community::TYPE,
            AddressedCommand::Association { .. } => crate::association::Association::TYPE,
            AddressedCommand::Member { .. } => crate::member::Member::TYPE,
            AddressedCommand::Consultation { .. } => crate::consultation::Consultation::TYPE,
            AddressedCommand::Decision { .. } => crate::decision::Decision::TYPE,
        }
    }

    /// The id of the aggregate addressed.
    pub fn aggregate_id(&self) -> Uuid {
        match self {
            AddressedCommand::Community { id, .. } => id.0,
            AddressedCommand::Association { id, .. } => id.0,
            AddressedCommand::Member { id, .. } => id.0,
            AddressedCommand::Consultation { id, .. } => id.0,
            AddressedCommand::Decision { id, .. } => id.0,
        }
    }

    /// The CPTS named by a command that creates a record; `None` for the other commands,
    /// whose CPTS is the one the record already belongs to.
    pub fn creates_in(&self) -> Option<CommunityId> {
        match self {
            AddressedCommand::Community {
                command: CommunityCommand::Register { community_id, .. },
                ..
            } => Some(*community_id),
            AddressedCommand::Association {
                command: AssociationCommand::Register { community_id, .. },
                ..
            } => Some(*community_id),
            AddressedCommand::Member {
                command: MemberCommand::Admit { community_id, .. },
                ..
            } => Some(*community_id),
            AddressedCommand::Consultation {
                command: ConsultationCommand::Open { community_id, .. },
                ..
            } => Some(*community_id),
            AddressedCommand::Decision {
                command: DecisionCommand::Propose { community_id, .. },
                ..
            } => Some(*community_id),
            _ => None,
        }
    }

    /// Whether the id inside a creating command matches the aggregate it is addressed to.
    pub fn ids_agree(&self) -> bool {
        match self {
            AddressedCommand::Community {
                id,
                command: CommunityCommand::Register { community_id, .. },
            } => id == community_id,
            AddressedCommand::Association {
                id,
                command: AssociationCommand::Register { association_id, .. },
            } => id == association_id,
            AddressedCommand::Member {
                id,
                command: MemberCommand::Admit { member_id, .. },
            } => id == member_id,
            AddressedCommand::Consultation {
                id,
                command:
                    ConsultationCommand::Open {
                        consultation_id, ..
                    },
            } => id == consultation_id,
            AddressedCommand::Decision {
                id,
                command: DecisionCommand::Propose { decision_id, .. },
            } => id == decision_id,
            _ => true,
        }
    }
}

/// Who acts: recorded in every event's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// The service itself (migrations, the demo, imports).
    System,
    /// A member of a CPTS, identified.
    Member(MemberId),
    /// A caller that did not identify itself.
    Anonymous,
    /// The holder of an API token that names no member (a coordinator's office, an auditor).
    Token(Uuid),
}

impl Actor {
    /// The form stored in event metadata: `system`, `member:<uuid>`, `token:<uuid>` or
    /// `anonymous`.
    pub fn to_metadata(&self) -> String {
        match self {
            Actor::System => "system".to_owned(),
            Actor::Member(id) => format!("member:{id}"),
            Actor::Anonymous => "anonymous".to_owned(),
            Actor::Token(id) => format!("token:{id}"),
        }
    }

    /// Parses the metadata form back.
    pub fn from_metadata(text: &str) -> Option<Self> {
        match text {
            "system" => Some(Actor::System),
            "anonymous" => Some(Actor::Anonymous),
            other => match other.split_once(':') {
                Some(("member", id)) => id.parse().ok().map(Actor::Member),
                Some(("token", id)) => id.parse().ok().map(Actor::Token),
                _ => None,
            },
        }
    }
}
