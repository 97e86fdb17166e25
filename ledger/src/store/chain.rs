//! The hash chain: each event's hash covers its content and the hash of the event before it.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The stored fields of an event that its hash covers, as stored.
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    /// Global position.
    pub position: u64,
    /// Aggregate type.
    pub aggregate_type: &'a str,
    /// Aggregate id.
    pub aggregate_id: &'a str,
    /// Sequence in the aggregate's stream.
    pub sequence: u64,
    /// Event type name.
    pub event_type: &'a str,
    /// Event version.
    pub event_version: &'a str,
    /// Payload, the exact stored JSON text.
    pub payload: &'a str,
    /// Metadata, the exact stored JSON text.
    pub metadata: &'a str,
    /// Recording time, the exact stored RFC 3339 text.
    pub recorded_at: &'a str,
}

/// `SHA-256(prev ‖ position as u64 big-endian ‖ each field as u32 big-endian length + bytes)`.
///
/// Length prefixes make the encoding unambiguous: no two different events hash the same
/// bytes, whatever their fields contain.
pub fn event_hash(prev: &[u8; 32], input: &HashInput<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(input.position.to_be_bytes());
    let sequence = input.sequence.to_string();
    for field in [
        input.aggregate_type,
        input.aggregate_id,
        sequence.as_str(),
        input.event_type,
        input.event_version,
        input.payload,
        input.metadata,
        input.recorded_at,
    ] {
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        hasher.update(len.to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> HashInput<'static> {
        HashInput {
            position: 7,
            aggregate_type: "consultation",
            aggregate_id: "0193c6c4-0000-7000-8000-000000000001",
            sequence: 3,
            event_type: "ContributionSubmitted",
            event_version: "1",
            payload: r#"{"text":"Sans voiture, il me faut une heure de bus."}"#,
            metadata: r#"{"actor":"system"}"#,
            recorded_at: "2026-02-11T09:30:00.000000Z",
        }
    }

    #[test]
    fn the_same_event_always_hashes_the_same() {
        assert_eq!(
            event_hash(&GENESIS, &input()),
            event_hash(&GENESIS, &input())
        );
    }

    #[test]
    fn changing_any_field_or_the_previous_hash_changes_the_hash() {
        let base = event_hash(&GENESIS, &input());
        let variants = [
            HashInput {
                position: 8,
                ..input()
            },
            HashInput {
                aggregate_type: "decision",
                ..input()
            },
            HashInput {
                aggregate_id: "other",
                ..input()
            },
            HashInput {
                sequence: 4,
                ..input()
            },
            HashInput {
                event_type: "ContributionAmended",
                ..input()
            },
            HashInput {
                event_version: "2",
                ..input()
            },
            HashInput {
                payload: r#"{"text":"Sans voiture."}"#,
                ..input()
            },
            HashInput {
                metadata: r#"{"actor":"anonymous"}"#,
                ..input()
            },
            HashInput {
                recorded_at: "2026-02-11T09:30:00.000001Z",
                ..input()
            },
        ];
        for variant in variants {
            assert_ne!(event_hash(&GENESIS, &variant), base, "{variant:?}");
        }
        assert_ne!(event_hash(&[1; 32], &input()), base);
    }

    #[test]
    fn moving_bytes_between_fields_changes_the_hash() {
        let a = HashInput {
            event_type: "AB",
            event_version: "C",
            ..input()
        };
        let b = HashInput {
            event_type: "A",
            event_version: "BC",
            ..input()
        };
        assert_ne!(event_hash(&GENESIS, &a), event_hash(&GENESIS, &b));
    }
}
