//! Verifying the log: recompute every hash in position order, and check that a digest taken
//! earlier is still contained, unchanged, in the log.
//!
//! The log is hashed in chain version 1 up to the position where version 2 starts, then in
//! version 2 to its end (`chain.rs`). Each event says its version (`events.chain_version`);
//! [`ChainCheck`] accepts only a log where the versions never go back, so a version 2 event
//! cannot be passed off as version 1 (which would uncover its CPTS): its version 2 hash does
//! not verify as version 1, and a version 1 event after a version 2 one is refused as such.

use std::fmt;
use std::str::FromStr;

use cqrs_es::persist::PersistenceError;

use super::chain::{ChainVersion, Encoding, GENESIS};
use super::{EventRepository, LogHead, StoredEvent};

/// One value that commits to the whole log up to a position: the position and the hash of
/// the event there, which chains every event before it, and the chain version that event was
/// hashed with. Written `cpts-ledger:v2:<position>:<hash>` (`v1` for a digest taken at an
/// event hashed in version 1, before the upgrade).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    /// The chain version of the event at `position`.
    pub version: ChainVersion,
    /// The position of the last event covered.
    pub position: u64,
    /// Its hash.
    pub hash: [u8; 32],
}

const DIGEST_PREFIX: &str = "cpts-ledger:v";

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{DIGEST_PREFIX}{}:{}:{}",
            self.version.number(),
            self.position,
            hex::encode(self.hash)
        )
    }
}

/// A text that is not a digest of this ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "« {0} » n'est pas une empreinte du registre (cpts-ledger:v2:<position>:<empreinte>, \
     ou cpts-ledger:v1:… pour une empreinte prise avant la version 2)."
)]
pub struct BadDigest(pub String);

impl FromStr for Digest {
    type Err = BadDigest;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadDigest(text.to_owned());
        let rest = text.trim().strip_prefix(DIGEST_PREFIX).ok_or_else(bad)?;
        let (version, rest) = rest.split_once(':').ok_or_else(bad)?;
        let version = match version {
            "1" => ChainVersion::V1,
            "2" => ChainVersion::V2,
            _ => return Err(bad()),
        };
        let (position, hash) = rest.split_once(':').ok_or_else(bad)?;
        let position = position.parse().map_err(|_| bad())?;
        let hash: [u8; 32] = hex::decode(hash)
            .ok()
            .and_then(|h| h.try_into().ok())
            .ok_or_else(bad)?;
        Ok(Self {
            version,
            position,
            hash,
        })
    }
}

impl From<&LogHead> for Digest {
    fn from(head: &LogHead) -> Self {
        Self {
            version: head.chain_version(),
            position: head.position,
            hash: head.hash,
        }
    }
}

/// What is wrong at the first event that does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The event's content no longer matches its hash: it was changed after it was recorded.
    ContentChanged,
    /// The event's `community_id` column is not the CPTS its hashed metadata names.
    CommunityMismatch,
    /// The event says a chain version other than 2 after a version 2 event, or one that does
    /// not exist.
    WrongChainVersion,
    /// The event does not link to the hash of the event before it.
    BrokenLink,
    /// Events are missing before this position.
    MissingEvents,
    /// The head of the log does not name the last event, or not where version 2 started.
    HeadMismatch,
    /// The event at the digest's position is not the one the digest committed to, or is gone.
    DigestMismatch,
}

impl Problem {
    /// The problem, said in French.
    pub fn french(self) -> &'static str {
        match self {
            Problem::ContentChanged => {
                "le contenu de l'événement a été modifié après son enregistrement"
            }
            Problem::CommunityMismatch => {
                "la CPTS inscrite dans la colonne community_id de l'événement n'est pas celle qui a été hachée"
            }
            Problem::WrongChainVersion => {
                "l'événement ne porte pas la version de chaînage attendue (après un événement en version 2, chacun l'est)"
            }
            Problem::BrokenLink => "l'événement n'est plus chaîné à celui qui le précède",
            Problem::MissingEvents => "des événements manquent avant cette position",
            Problem::HeadMismatch => {
                "la tête du registre ne désigne pas le dernier événement, ou pas le début de la version 2"
            }
            Problem::DigestMismatch => "le registre ne contient plus ce que l'empreinte engageait",
        }
    }

    /// The problem, said in English.
    pub fn english(self) -> &'static str {
        match self {
            Problem::ContentChanged => "the event's content was changed after it was recorded",
            Problem::CommunityMismatch => {
                "the event's community_id column is not the CPTS that was hashed"
            }
            Problem::WrongChainVersion => {
                "the event does not carry the expected chain version (after a version 2 event, every one does)"
            }
            Problem::BrokenLink => "the event no longer links to the one before it",
            Problem::MissingEvents => "events are missing before this position",
            Problem::HeadMismatch => {
                "the head of the log does not name the last event, or not where version 2 started"
            }
            Problem::DigestMismatch => "the log no longer contains what the digest committed to",
        }
    }
}

/// The first event that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// Its position.
    pub position: u64,
    /// What is wrong.
    pub problem: Problem,
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// How many events were read.
    pub events_checked: u64,
    /// The digest of the log as it is now.
    pub digest: Digest,
    /// The first event that does not verify, if any.
    pub broken: Option<Broken>,
}

impl Verification {
    /// Whether every event verified (and the digest asked about, if any, is contained).
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

const BATCH: u32 = 5_000;

/// Checks events one by one, in position order, against the chain built so far: each must
/// follow the last one checked, link to its hash, name in its `community_id` column the CPTS
/// its hashed metadata names, carry a chain version that does not go back, and hash, in that
/// version, to its stored hash.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    previous: [u8; 32],
    next: u64,
    /// Where version 2 started, once an event of it was checked.
    v2_from: Option<u64>,
    /// The version of the last event checked.
    version: Option<ChainVersion>,
    digest: Option<Digest>,
}

impl ChainCheck {
    /// A check from the first event; with a digest, the event at its position must match it.
    pub fn new(digest: Option<Digest>) -> Self {
        Self {
            previous: GENESIS,
            next: 1,
            v2_from: None,
            version: None,
            digest,
        }
    }

    /// Checks the next event; on success it becomes the last one checked.
    pub fn check(&mut self, event: &StoredEvent) -> Result<(), Broken> {
        let broken = |problem| Broken {
            position: event.position,
            problem,
        };
        if event.position != self.next {
            return Err(broken(Problem::MissingEvents));
        }
        if event.prev_hash != self.previous {
            return Err(broken(Problem::BrokenLink));
        }
        if event.community_id.as_deref() != event.hashed_community() {
            return Err(broken(Problem::CommunityMismatch));
        }
        let encoding = match (ChainVersion::from_number(event.chain_version), self.v2_from) {
            (Some(ChainVersion::V1), None) => Encoding::V1,
            (Some(ChainVersion::V2), from) => Encoding::V2 {
                from: from.unwrap_or(event.position),
            },
            // Version 1 after version 2, or no version at all.
            (Some(ChainVersion::V1), Some(_)) | (None, _) => {
                return Err(broken(Problem::WrongChainVersion))
            }
        };
        if event.recompute_hash(encoding) != event.hash {
            return Err(broken(Problem::ContentChanged));
        }
        if self.digest.is_some_and(|d| {
            d.position == event.position
                && (d.hash != event.hash || d.version != encoding.version())
        }) {
            return Err(broken(Problem::DigestMismatch));
        }
        if let Encoding::V2 { from } = encoding {
            self.v2_from = Some(from);
        }
        self.version = Some(encoding.version());
        self.previous = event.hash;
        self.next += 1;
        Ok(())
    }

    /// The position of the last event that verified (0 before any).
    pub fn last_position(&self) -> u64 {
        self.next - 1
    }

    /// The hash of the last event that verified.
    pub fn last_hash(&self) -> [u8; 32] {
        self.previous
    }

    /// Where chain version 2 started among the events that verified, if it did.
    pub fn v2_from(&self) -> Option<u64> {
        self.v2_from
    }

    /// The digest of the events that verified: the last one's position, hash and version
    /// (version 2 before any event, since the store appends in version 2).
    pub fn digest(&self) -> Digest {
        Digest {
            version: self.version.unwrap_or(ChainVersion::V2),
            position: self.last_position(),
            hash: self.last_hash(),
        }
    }
}

impl EventRepository {
    /// Recomputes the hash chain from the first event and names the first event that does not
    /// match. With `digest`, also checks that the event at its position is still the one it
    /// committed to (so the log still contains, unchanged, everything the digest covered).
    pub async fn verify(&self, digest: Option<&Digest>) -> Result<Verification, PersistenceError> {
        let head = self.head().await?;
        let mut chain = ChainCheck::new(digest.copied());
        let mut broken = None;
        'reading: loop {
            let events = self.read_log(chain.last_position(), BATCH).await?;
            if events.is_empty() {
                break;
            }
            for event in &events {
                if let Err(problem) = chain.check(event) {
                    broken = Some(problem);
                    break 'reading;
                }
            }
        }
        let (last, previous) = (chain.last_position(), chain.last_hash());
        // The head must name the last event, and say where version 2 started as the events
        // do: the next append hashes from the head's word.
        if broken.is_none()
            && (head.position != last
                || head.hash != previous
                || head.chain_v2_from != chain.v2_from())
        {
            broken = Some(Broken {
                position: head.position,
                problem: Problem::HeadMismatch,
            });
        }
        if let Some(digest) = digest {
            if broken.is_none() && digest.position > last {
                broken = Some(Broken {
                    position: digest.position,
                    problem: Problem::DigestMismatch,
                });
            }
        }
        Ok(Verification {
            events_checked: last,
            digest: Digest::from(&head),
            broken,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_reads_back_from_its_text_in_either_version() {
        for (version, prefix) in [
            (ChainVersion::V2, "cpts-ledger:v2:117:abab"),
            (ChainVersion::V1, "cpts-ledger:v1:117:abab"),
        ] {
            let digest = Digest {
                version,
                position: 117,
                hash: [0xab; 32],
            };
            let text = digest.to_string();
            assert!(text.starts_with(prefix), "{text}");
            assert_eq!(text.parse::<Digest>(), Ok(digest));
        }
    }

    #[test]
    fn a_malformed_digest_is_refused() {
        let hash = "ab".repeat(32);
        for text in [
            "".to_owned(),
            "117:abab".to_owned(),
            "cpts-ledger:v1:x:00".to_owned(),
            "cpts-ledger:v1:3:zz".to_owned(),
            "cpts-ledger:v1:3:abab".to_owned(),
            "cpts-ledger:v2:3:abab".to_owned(),
            format!("cpts-ledger:v3:3:{hash}"),
            format!("cpts-ledger:v:3:{hash}"),
            format!("cpts-ledger:3:{hash}"),
        ] {
            assert!(text.parse::<Digest>().is_err(), "{text}");
        }
        assert!(format!("cpts-ledger:v2:3:{hash}").parse::<Digest>().is_ok());
    }

    #[test]
    fn the_refusal_of_a_digest_shows_both_versions() {
        let refusal = BadDigest("x".into()).to_string();
        assert!(
            refusal.contains("cpts-ledger:v2:<position>:<empreinte>"),
            "{refusal}"
        );
        assert!(refusal.contains("cpts-ledger:v1:"), "{refusal}");
    }
}
