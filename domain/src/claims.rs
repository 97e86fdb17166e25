//! Sub-record ids that must be unique across the whole log.
//!
//! A collège and a body live inside their CPTS's record, a contribution inside its
//! consultation's, yet their ids are chosen by the caller and name them on their own
//! everywhere else (a seat names a body, an answer a contribution, the read models key them
//! alone). So each such id is claimed once for the whole log, whatever the CPTS: the rules ask
//! [`Directory::sub_record_taken`](crate::directory::Directory::sub_record_taken) when a
//! command is decided, and the store records every claim listed by [`claims`] in the
//! transaction that appends the event, so that two commands racing for one id cannot both be
//! recorded.

use uuid::Uuid;

use crate::community::CommunityEvent;
use crate::consultation::ConsultationEvent;
use crate::error::Record;

/// A kind of sub-record whose id is claimed across the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubRecord {
    /// A collège of a CPTS.
    College,
    /// A body of a CPTS.
    Body,
    /// A contribution to a consultation.
    Contribution,
}

impl SubRecord {
    /// Its stable name, as stored with the claim.
    pub const fn wire_name(self) -> &'static str {
        match self {
            SubRecord::College => "college",
            SubRecord::Body => "body",
            SubRecord::Contribution => "contribution",
        }
    }

    /// The kind named by [`SubRecord::wire_name`].
    pub fn from_wire_name(name: &str) -> Option<Self> {
        [SubRecord::College, SubRecord::Body, SubRecord::Contribution]
            .into_iter()
            .find(|kind| kind.wire_name() == name)
    }

    /// The record it is, for error messages.
    pub const fn record(self) -> Record {
        match self {
            SubRecord::College => Record::College,
            SubRecord::Body => Record::Body,
            SubRecord::Contribution => Record::Contribution,
        }
    }
}

/// One sub-record id an event takes for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Claim {
    /// What kind of sub-record.
    pub kind: SubRecord,
    /// Its id.
    pub id: Uuid,
}

/// An event as far as claims go: the ids of the sub-records it creates.
#[derive(Debug, Clone, Copy)]
pub enum Claiming<'a> {
    /// An event of a CPTS.
    Community(&'a CommunityEvent),
    /// An event of a consultation.
    Consultation(&'a ConsultationEvent),
}

/// The sub-record ids an event claims (none for most events).
pub fn claims(event: Claiming<'_>) -> Vec<Claim> {
    let claim = |kind, id| vec![Claim { kind, id }];
    match event {
        Claiming::Community(CommunityEvent::CollegeDefined { college_id, .. }) => {
            claim(SubRecord::College, college_id.0)
        }
        Claiming::Community(CommunityEvent::BodyEstablished { body_id, .. }) => {
            claim(SubRecord::Body, body_id.0)
        }
        Claiming::Consultation(ConsultationEvent::ContributionSubmitted {
            contribution_id,
            ..
        }) => claim(SubRecord::Contribution, contribution_id.0),
        Claiming::Community(_) | Claiming::Consultation(_) => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BodyId, CollegeId};
    use crate::values::BodyKind;

    #[test]
    fn colleges_and_bodies_claim_their_ids_and_other_events_claim_nothing() {
        let college = CommunityEvent::CollegeDefined {
            college_id: CollegeId(Uuid::from_u128(10)),
            name: "Collège des usagers".into(),
            is_users_college: true,
        };
        let body = CommunityEvent::BodyEstablished {
            body_id: BodyId(Uuid::from_u128(20)),
            kind: BodyKind::Board,
            name: "Conseil d'administration".into(),
        };
        assert_eq!(
            claims(Claiming::Community(&college)),
            vec![Claim {
                kind: SubRecord::College,
                id: Uuid::from_u128(10)
            }]
        );
        assert_eq!(
            claims(Claiming::Community(&body)),
            vec![Claim {
                kind: SubRecord::Body,
                id: Uuid::from_u128(20)
            }]
        );
        let rules = CommunityEvent::InternalRulesAdopted {
            adopted_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 20).expect("valid date"),
            travel_expenses_reimbursed: false,
        };
        assert!(claims(Claiming::Community(&rules)).is_empty());
    }

    #[test]
    fn every_kind_reads_back_from_its_wire_name() {
        for kind in [SubRecord::College, SubRecord::Body, SubRecord::Contribution] {
            assert_eq!(SubRecord::from_wire_name(kind.wire_name()), Some(kind));
        }
        assert_eq!(SubRecord::from_wire_name("member"), None);
    }
}
