//! Which parts of the record are personal data, and whose.
//!
//! The log is immutable, yet a person may ask for their data to be erased (GDPR, article 17).
//! The service reconciles both by encrypting each personal field of an event with a key of its
//! own per person, and destroying the key on erasure: the event stays, its hash still verifies,
//! and what it said about the person can no longer be read. This module is the one list of
//! those fields; the store encrypts exactly these and nothing else.

/// What an erased field reads as, everywhere: in the events, the read models and reports.
pub const ERASED: &str = "[donnée effacée]";

/// Whose personal data a field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// The member the event is about (the member aggregate's id).
    Member,
    /// The author of the contribution the event is about, when the author is a member; an
    /// anonymous inhabitant's words are not tied to anyone who could ask for them.
    ContributionAuthor,
    /// The anonymous inhabitant who left an address with a contribution: keyed by the
    /// contribution (its id is the subject), so unsubscribing can erase the address.
    AnonymousContact,
    /// The member's e-mail address: under a key of its own (subject `<member id>.contact`),
    /// destroyed when the address is withdrawn or unsubscribed, so that no copy of the record
    /// reads it any more while their name and texts stay readable.
    MemberContact,
}

/// A personal field of an event's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalField {
    /// The event type, e.g. `MemberAdmitted`.
    pub event_type: &'static str,
    /// The field of the event's payload.
    pub field: &'static str,
    /// Whose data it is.
    pub whose: Whose,
}

const fn field(event_type: &'static str, field: &'static str, whose: Whose) -> PersonalField {
    PersonalField {
        event_type,
        field,
        whose,
    }
}

/// Every personal field of every event. Names, where a representative lives, the texts people
/// wrote or that were written about them, and the reasons they gave.
pub const PERSONAL_FIELDS: &[PersonalField] = &[
    field("MemberAdmitted", "name", Whose::Member),
    field("MandateGranted", "commune", Whose::Member),
    field("MandateGranted", "cadre_intervention", Whose::Member),
    field("CadreInterventionWritten", "text", Whose::Member),
    field("MandateEnded", "reason", Whose::Member),
    field("MemberDeparted", "reason", Whose::Member),
    field("ContributionSubmitted", "text", Whose::ContributionAuthor),
    field(
        "ContributionSubmitted",
        "attachment",
        Whose::ContributionAuthor,
    ),
    field("ContributionAmended", "text", Whose::ContributionAuthor),
    field("ContributionAmended", "reason", Whose::ContributionAuthor),
    field("ContributionWithdrawn", "reason", Whose::ContributionAuthor),
    field("ContactSet", "email", Whose::MemberContact),
    field("ContactLeft", "email", Whose::AnonymousContact),
];

/// The personal fields of one event type.
pub fn personal_fields(event_type: &str) -> impl Iterator<Item = &'static PersonalField> + '_ {
    PERSONAL_FIELDS
        .iter()
        .filter(move |f| f.event_type == event_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consultation::{Author, ConsultationEvent};
    use crate::ids::{ContributionId, MemberId};
    use crate::member::MemberEvent;
    use crate::values::ContributionKind;
    use cqrs_es::DomainEvent;
    use uuid::Uuid;

    /// Every listed field exists in its event's payload, as serialized: a renamed field would
    /// otherwise silently go unencrypted.
    #[test]
    fn every_listed_field_is_in_its_events_payload() {
        let date = "2026-02-05".parse().expect("date");
        let events: Vec<(String, serde_json::Value)> = vec![
            {
                let e = MemberEvent::MemberAdmitted {
                    member_id: MemberId(Uuid::nil()),
                    community_id: crate::ids::CommunityId(Uuid::nil()),
                    name: "Martine Roussel".into(),
                    kind: crate::member::MemberKind::Coordinator,
                    admitted_on: date,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = MemberEvent::MandateGranted {
                    association_id: crate::ids::AssociationId(Uuid::nil()),
                    start: date,
                    end: date,
                    lives_in_territory: true,
                    commune: None,
                    cadre_intervention: None,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = MemberEvent::CadreInterventionWritten { text: "t".into() };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = MemberEvent::MandateEnded {
                    on: date,
                    reason: None,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = MemberEvent::MemberDeparted {
                    on: date,
                    reason: None,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = ConsultationEvent::ContributionSubmitted {
                    contribution_id: ContributionId(Uuid::nil()),
                    author: Author::Member {
                        member_id: MemberId(Uuid::nil()),
                    },
                    kind: ContributionKind::Opinion,
                    text: "t".into(),
                    submitted_on: date,
                    attachment: None,
                    late: None,
                    imported: None,
                    file: None,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = MemberEvent::ContactSet {
                    email: Some("a@example.org".into()),
                    language: crate::values::Lang::Fr,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = ConsultationEvent::ContactLeft {
                    contribution_id: ContributionId(Uuid::nil()),
                    email: "a@example.org".into(),
                    language: crate::values::Lang::En,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = ConsultationEvent::ContributionAmended {
                    contribution_id: ContributionId(Uuid::nil()),
                    text: "t".into(),
                    on: date,
                    reason: Some("r".into()),
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
            {
                let e = ConsultationEvent::ContributionWithdrawn {
                    contribution_id: ContributionId(Uuid::nil()),
                    on: date,
                    reason: None,
                };
                (e.event_type(), serde_json::to_value(e).expect("json"))
            },
        ];
        for listed in PERSONAL_FIELDS {
            let (_, payload) = events
                .iter()
                .find(|(t, _)| t == listed.event_type)
                .unwrap_or_else(|| panic!("no sample of {}", listed.event_type));
            let body = &payload[listed.event_type];
            assert!(
                body.get(listed.field).is_some(),
                "{}.{} is not in {payload}",
                listed.event_type,
                listed.field
            );
        }
    }
}
