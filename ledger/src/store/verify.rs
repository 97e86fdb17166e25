//! Verifying the log: recompute every hash in position order, and check that a digest taken
//! earlier is still contained, unchanged, in the log.

use std::fmt;
use std::str::FromStr;

use cqrs_es::persist::PersistenceError;

use super::chain::GENESIS;
use super::{EventRepository, LogHead, StoredEvent};

/// One value that commits to the whole log up to a position: the position and the hash of
/// the event there, which chains every event before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    /// The position of the last event covered.
    pub position: u64,
    /// Its hash.
    pub hash: [u8; 32],
}

const DIGEST_PREFIX: &str = "cpts-ledger:v1:";

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{DIGEST_PREFIX}{}:{}",
            self.position,
            hex::encode(self.hash)
        )
    }
}

/// A text that is not a digest of this ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas une empreinte du registre (cpts-ledger:v1:<position>:<hash>).")]
pub struct BadDigest(pub String);

impl FromStr for Digest {
    type Err = BadDigest;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadDigest(text.to_owned());
        let rest = text.trim().strip_prefix(DIGEST_PREFIX).ok_or_else(bad)?;
        let (position, hash) = rest.split_once(':').ok_or_else(bad)?;
        let position = position.parse().map_err(|_| bad())?;
        let hash: [u8; 32] = hex::decode(hash)
            .ok()
            .and_then(|h| h.try_into().ok())
            .ok_or_else(bad)?;
        Ok(Self { position, hash })
    }
}

impl From<&LogHead> for Digest {
    fn from(head: &LogHead) -> Self {
        Self {
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
    /// The event does not link to the hash of the event before it.
    BrokenLink,
    /// Events are missing before this position.
    MissingEvents,
    /// The head of the log does not name the last event.
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
            Problem::BrokenLink => "l'événement n'est plus chaîné à celui qui le précède",
            Problem::MissingEvents => "des événements manquent avant cette position",
            Problem::HeadMismatch => "la tête du registre ne désigne pas le dernier événement",
            Problem::DigestMismatch => "le registre ne contient plus ce que l'empreinte engageait",
        }
    }

    /// The problem, said in English.
    pub fn english(self) -> &'static str {
        match self {
            Problem::ContentChanged => "the event's content was changed after it was recorded",
            Problem::BrokenLink => "the event no longer links to the one before it",
            Problem::MissingEvents => "events are missing before this position",
            Problem::HeadMismatch => "the head of the log does not name the last event",
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

/// Checks events one by one, in position order, against the chain built so far.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    previous: [u8; 32],
    next: u64,
    digest: Option<Digest>,
}

impl ChainCheck {
    /// A check from the first event; with a digest, the event at its position must match it.
    pub fn new(digest: Option<Digest>) -> Self {
        Self {
            previous: GENESIS,
            next: 1,
            digest,
        }
    }

    /// Checks the next event; on success it becomes the last one checked.
    pub fn check(&mut self, event: &StoredEvent) -> Result<(), Broken> {
        let problem = if event.position != self.next {
            Some(Problem::MissingEvents)
        } else if event.prev_hash != self.previous {
            Some(Problem::BrokenLink)
        } else if event.recompute_hash() != event.hash {
            Some(Problem::ContentChanged)
        } else if self
            .digest
            .is_some_and(|d| d.position == event.position && d.hash != event.hash)
        {
            Some(Problem::DigestMismatch)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Broken {
                position: event.position,
                problem,
            });
        }
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
        if broken.is_none() && (head.position != last || head.hash != previous) {
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
    fn a_digest_reads_back_from_its_text() {
        let digest = Digest {
            position: 117,
            hash: [0xab; 32],
        };
        let text = digest.to_string();
        assert!(text.starts_with("cpts-ledger:v1:117:abab"));
        assert_eq!(text.parse::<Digest>(), Ok(digest));
    }

    #[test]
    fn a_malformed_digest_is_refused() {
        for text in [
            "",
            "117:abab",
            "cpts-ledger:v1:x:00",
            "cpts-ledger:v1:3:zz",
            "cpts-ledger:v1:3:abab",
        ] {
            assert!(text.parse::<Digest>().is_err(), "{text}");
        }
    }
}
