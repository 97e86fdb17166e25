//! The governance rules of a CPTS (Communauté Professionnelle Territoriale de Santé), as
//! event-sourced aggregates on cqrs-es.
//!
//! Five aggregates hold the record: [`community::Community`] (the CPTS, its territory,
//! collèges, bodies and internal rules), [`association::Association`], [`member::Member`]
//! (with representatives' mandates and seats), [`consultation::Consultation`] (with the
//! contributions it receives) and [`decision::Decision`] (with its answers to contributions,
//! vote and follow-up). Each aggregate's `handle` is the one place where the rules about that
//! record are checked; its events are the facts recorded when a command is accepted.
//!
//! This crate does no I/O: no database, no network, no clock. Dates come in commands, ids are
//! chosen by the caller, and lookups of other records go through the [`directory::Directory`]
//! trait that the service implements. Who may send which command is decided in [`access`].

pub mod access;
pub mod association;
pub mod claims;
pub mod command;
pub mod community;
pub mod consultation;
pub mod deadlines;
pub mod decision;
pub mod directory;
pub mod error;
pub mod files;
pub mod ids;
pub mod member;
pub mod personal;
pub mod questionnaire;
pub mod rules;
pub mod texts;
pub mod values;

pub use error::{DomainError, ErrorKind};

/// The version of every event type's shape. Changing a stored event's shape means a new
/// version and an upcaster, never an edit.
pub const EVENT_VERSION_1: &str = "1";

/// Implements [`cqrs_es::DomainEvent`] for an event enum whose variants are named after the
/// fact they record: the variant name is the stable event type.
macro_rules! domain_event {
    ($event:ident { $($variant:ident),+ $(,)? }) => {
        impl $event {
            /// Every event type of this enum, as stored.
            pub const TYPES: &'static [&'static str] = &[$(stringify!($variant)),+];
        }

        impl cqrs_es::DomainEvent for $event {
            fn event_type(&self) -> String {
                match self {
                    $($event::$variant { .. } => stringify!($variant).to_string(),)+
                }
            }

            fn event_version(&self) -> String {
                $crate::EVENT_VERSION_1.to_string()
            }
        }
    };
}
pub(crate) use domain_event;

/// Every event type the domain records, as stored (`ContributionSubmitted`, …): each has a
/// name for people in the catalogue, `event-<type>`.
pub fn event_types() -> impl Iterator<Item = &'static str> {
    [
        community::CommunityEvent::TYPES,
        association::AssociationEvent::TYPES,
        member::MemberEvent::TYPES,
        consultation::ConsultationEvent::TYPES,
        decision::DecisionEvent::TYPES,
    ]
    .into_iter()
    .flatten()
    .copied()
}
