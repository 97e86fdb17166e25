//! The hash chain: each event's hash covers its content and the hash of the event before it.
//!
//! Two encodings exist. Version 1, the first, covers every column of an event but its CPTS
//! (`community_id`). Version 2 covers that column too, with an explicit encoding of "no CPTS",
//! starts with a tag of its own, and names the position where version 2 started. A log
//! written before version 2 keeps its version 1 hashes: history is never rewritten. From the
//! first event appended after the upgrade every event is version 2, and the first one links to
//! the last version 1 hash like any other event (ARCHITECTURE.md, "Hashing").

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The bytes a version 2 hash starts with. A version 1 input starts with the previous hash, 32
/// bytes of SHA-256 output, so no input of one version is an input of the other.
pub const V2_TAG: &[u8] = b"cpts-ledger:v2";

/// Which encoding an event was hashed with, as stored in `events.chain_version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChainVersion {
    /// Every column but `community_id` (events recorded before migration 0013).
    V1,
    /// Every column, `community_id` included.
    V2,
}

impl ChainVersion {
    /// The number stored in `events.chain_version` and written in digests.
    pub fn number(self) -> i64 {
        match self {
            ChainVersion::V1 => 1,
            ChainVersion::V2 => 2,
        }
    }

    /// The version stored as `number`, if it is one.
    pub fn from_number(number: i64) -> Option<Self> {
        match number {
            1 => Some(ChainVersion::V1),
            2 => Some(ChainVersion::V2),
            _ => None,
        }
    }
}

/// How an event is hashed: its version and, for version 2, the position of the first version 2
/// event of the log, which every version 2 hash commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Version 1.
    V1,
    /// Version 2, which started at position `from`.
    V2 {
        /// The position of the log's first version 2 event.
        from: u64,
    },
}

impl Encoding {
    /// The version of this encoding.
    pub fn version(self) -> ChainVersion {
        match self {
            Encoding::V1 => ChainVersion::V1,
            Encoding::V2 { .. } => ChainVersion::V2,
        }
    }
}

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
    /// The CPTS the event belongs to (`events.community_id`); covered from version 2.
    pub community_id: Option<&'a str>,
    /// Recording time, the exact stored RFC 3339 text.
    pub recorded_at: &'a str,
}

/// The hash of an event after `prev`, in `encoding`.
pub fn event_hash(prev: &[u8; 32], encoding: Encoding, input: &HashInput<'_>) -> [u8; 32] {
    match encoding {
        Encoding::V1 => event_hash_v1(prev, input),
        Encoding::V2 { from } => event_hash_v2(prev, from, input),
    }
}

/// Version 1: `SHA-256(prev ‖ position as u64 big-endian ‖ each field as u32 big-endian length
/// + bytes)`, the fields being the aggregate type and id, the sequence in decimal, the event
/// type and version, payload, metadata and recording time. `community_id` is not covered.
///
/// Length prefixes make the encoding unambiguous: no two different events hash the same
/// bytes, whatever their fields contain.
fn event_hash_v1(prev: &[u8; 32], input: &HashInput<'_>) -> [u8; 32] {
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
        text(&mut hasher, field);
    }
    hasher.finalize().into()
}

/// Version 2: `SHA-256("cpts-ledger:v2" ‖ prev ‖ position ‖ from ‖ aggregate type ‖ aggregate
/// id ‖ sequence ‖ event type ‖ event version ‖ payload ‖ metadata ‖ community ‖ recording
/// time)`, integers as u64 big-endian, texts as in version 1 (u32 big-endian length + bytes),
/// and the community as one byte, 0 for none (NULL) or 1 followed by the text: no CPTS and an
/// empty one hash differently.
fn event_hash_v2(prev: &[u8; 32], from: u64, input: &HashInput<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(V2_TAG);
    hasher.update(prev);
    hasher.update(input.position.to_be_bytes());
    hasher.update(from.to_be_bytes());
    text(&mut hasher, input.aggregate_type);
    text(&mut hasher, input.aggregate_id);
    hasher.update(input.sequence.to_be_bytes());
    for field in [
        input.event_type,
        input.event_version,
        input.payload,
        input.metadata,
    ] {
        text(&mut hasher, field);
    }
    match input.community_id {
        None => hasher.update([0]),
        Some(community) => {
            hasher.update([1]);
            text(&mut hasher, community);
        }
    }
    text(&mut hasher, input.recorded_at);
    hasher.finalize().into()
}

fn text(hasher: &mut Sha256, field: &str) {
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    hasher.update(len.to_be_bytes());
    hasher.update(field.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: Encoding = Encoding::V2 { from: 5 };

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
            community_id: Some("0193c6c4-0000-7000-8000-00000000000a"),
            recorded_at: "2026-02-11T09:30:00.000000Z",
        }
    }

    fn variants() -> Vec<HashInput<'static>> {
        vec![
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
        ]
    }

    #[test]
    fn the_same_event_always_hashes_the_same() {
        for encoding in [Encoding::V1, V2] {
            assert_eq!(
                event_hash(&GENESIS, encoding, &input()),
                event_hash(&GENESIS, encoding, &input())
            );
        }
    }

    #[test]
    fn version_1_hashes_are_the_ones_recorded_before_version_2() {
        // Fixed once, when version 1 was the only one: a change here would break every log
        // recorded before the upgrade.
        assert_eq!(
            hex::encode(event_hash(&GENESIS, Encoding::V1, &input())),
            V1_OF_INPUT
        );
    }

    const V1_OF_INPUT: &str = "4621a1d6cbf3bdf4c9e44cd8fa7be2403272752e5afdbf657c303c4d094f1833";

    #[test]
    fn changing_any_field_or_the_previous_hash_changes_the_hash() {
        for encoding in [Encoding::V1, V2] {
            let base = event_hash(&GENESIS, encoding, &input());
            for variant in variants() {
                assert_ne!(
                    event_hash(&GENESIS, encoding, &variant),
                    base,
                    "{encoding:?} {variant:?}"
                );
            }
            assert_ne!(event_hash(&[1; 32], encoding, &input()), base);
        }
    }

    #[test]
    fn version_2_covers_the_community_and_version_1_does_not() {
        let other = HashInput {
            community_id: Some("0193c6c4-0000-7000-8000-00000000000b"),
            ..input()
        };
        assert_ne!(
            event_hash(&GENESIS, V2, &other),
            event_hash(&GENESIS, V2, &input())
        );
        assert_eq!(
            event_hash(&GENESIS, Encoding::V1, &other),
            event_hash(&GENESIS, Encoding::V1, &input()),
            "version 1 never covered the column (its metadata copy is checked instead)"
        );
    }

    #[test]
    fn no_community_and_an_empty_one_hash_differently() {
        let none = HashInput {
            community_id: None,
            ..input()
        };
        let empty = HashInput {
            community_id: Some(""),
            ..input()
        };
        assert_ne!(
            event_hash(&GENESIS, V2, &none),
            event_hash(&GENESIS, V2, &empty)
        );
    }

    #[test]
    fn version_2_commits_to_where_it_started() {
        assert_ne!(
            event_hash(&GENESIS, Encoding::V2 { from: 5 }, &input()),
            event_hash(&GENESIS, Encoding::V2 { from: 6 }, &input())
        );
    }

    #[test]
    fn the_same_event_hashes_differently_in_each_version() {
        assert_ne!(
            event_hash(&GENESIS, Encoding::V1, &input()),
            event_hash(&GENESIS, V2, &input())
        );
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
        // Into or out of the community, and across its marker byte.
        let c = HashInput {
            metadata: "{}x",
            community_id: Some("y"),
            ..input()
        };
        let d = HashInput {
            metadata: "{}",
            community_id: Some("xy"),
            ..input()
        };
        let e = HashInput {
            community_id: Some("2026"),
            recorded_at: "-02-11T09:30:00.000000Z",
            ..input()
        };
        let f = HashInput {
            community_id: None,
            recorded_at: "2026-02-11T09:30:00.000000Z",
            ..input()
        };
        for encoding in [Encoding::V1, V2] {
            assert_ne!(
                event_hash(&GENESIS, encoding, &a),
                event_hash(&GENESIS, encoding, &b)
            );
        }
        assert_ne!(event_hash(&GENESIS, V2, &c), event_hash(&GENESIS, V2, &d));
        assert_ne!(event_hash(&GENESIS, V2, &e), event_hash(&GENESIS, V2, &f));
    }
}
