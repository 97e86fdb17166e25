//! Keeping the read models in step with the log, in this process: after each command, at
//! start-up (catching up after a crash), and periodically (events written by other instances).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use cpts_domain::command::Actor;
use cpts_projections::projector::{self, ProjectionError};
use cpts_projections::{Envelope, Fact, LogSource, ReadDb};

use crate::store::{EventRepository, StoredEvent};

/// How many events a catch-up applies per transaction.
pub const BATCH: u32 = 5_000;

/// The log, as the projections read it.
struct StoreLog<'a>(&'a EventRepository);

/// An event of the store as the report reads it: typed, with its metadata; a payload that
/// does not read is an error.
pub fn envelope(mut event: StoredEvent) -> Result<Envelope, ProjectionError> {
    let payload = std::mem::take(&mut event.payload);
    let fact = Fact::parse(&event.aggregate_type, payload)?;
    Ok(with_fact(event, fact))
}

/// An event of the store as the read models and the outbox read it: a payload that does not
/// read is [`Fact::Unreadable`], which they set aside and go past.
pub fn envelope_or_unreadable(mut event: StoredEvent) -> Envelope {
    let payload = std::mem::take(&mut event.payload);
    let fact = Fact::parse_or_unreadable(&event.aggregate_type, payload);
    with_fact(event, fact)
}

fn with_fact(event: StoredEvent, fact: Fact) -> Envelope {
    let metadata = |key: &str| {
        event
            .metadata
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let actor = metadata("actor")
        .and_then(|a| Actor::from_metadata(&a))
        .unwrap_or(Actor::System);
    let command_id = metadata("command_id");
    Envelope {
        position: event.position,
        aggregate_type: event.aggregate_type,
        aggregate_id: event.aggregate_id,
        sequence: event.sequence,
        event_type: event.event_type,
        community_id: event.community_id,
        recorded_at: event.recorded_at,
        actor,
        command_id,
        fact,
    }
}

#[async_trait]
impl LogSource for StoreLog<'_> {
    async fn read_after(&self, after: u64, limit: u32) -> Result<Vec<Envelope>, ProjectionError> {
        let events = self
            .0
            .read_log(after, limit)
            .await
            .map_err(|e| ProjectionError::Log(e.to_string()))?;
        Ok(events.into_iter().map(envelope_or_unreadable).collect())
    }

    async fn head(&self) -> Result<u64, ProjectionError> {
        Ok(self
            .0
            .head()
            .await
            .map_err(|e| ProjectionError::Log(e.to_string()))?
            .position)
    }
}

/// The read models of one store, and the lock that keeps this process's catch-ups in turn.
pub struct Projector {
    repo: EventRepository,
    db: ReadDb,
    turn: tokio::sync::Mutex<()>,
    /// Whether the last catch-up failed (the read models are then behind the log).
    failing: std::sync::atomic::AtomicBool,
}

/// Whether the read models serve every event of the log, for `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// Whether the last catch-up failed: the read models are behind the log until one succeeds.
    pub catch_up_failing: bool,
    /// The events set aside, as `(projection, position)`.
    pub set_aside: Vec<(String, u64)>,
}

impl Readiness {
    /// Whether every read model is current and complete.
    pub fn is_ready(&self) -> bool {
        !self.catch_up_failing && self.set_aside.is_empty()
    }
}

impl Projector {
    /// The projector of a store.
    pub fn new(repo: EventRepository) -> Self {
        let db = repo.db().clone();
        Self {
            repo,
            db,
            turn: tokio::sync::Mutex::new(()),
            failing: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The read models' database.
    pub fn db(&self) -> &ReadDb {
        &self.db
    }

    /// Applies every event not yet projected; returns the position all projections reached.
    pub async fn catch_up(&self) -> anyhow::Result<u64> {
        let _turn = self.turn.lock().await;
        let outcome = projector::catch_up(&self.db, &StoreLog(&self.repo), BATCH).await;
        self.failing
            .store(outcome.is_err(), std::sync::atomic::Ordering::Relaxed);
        outcome.context("projecting the log")
    }

    /// Replays the whole log into the read models, in one transaction: if it fails, they are
    /// left as they were.
    pub async fn rebuild(&self) -> anyhow::Result<u64> {
        let _turn = self.turn.lock().await;
        let outcome = projector::rebuild(&self.db, &StoreLog(&self.repo), BATCH).await;
        self.failing
            .store(outcome.is_err(), std::sync::atomic::Ordering::Relaxed);
        outcome.context("rebuilding the projections")
    }

    /// Whether the read models serve every event of the log: the last catch-up succeeded and
    /// no event is set aside.
    pub async fn readiness(&self) -> anyhow::Result<Readiness> {
        let set_aside = projector::set_aside(&self.db)
            .await
            .context("reading the events set aside")?
            .into_iter()
            .map(|e| (e.projection, u64::try_from(e.position).unwrap_or(0)))
            .collect();
        Ok(Readiness {
            catch_up_failing: self.failing.load(std::sync::atomic::Ordering::Relaxed),
            set_aside,
        })
    }

    /// How far behind the log each projection is: `(name, checkpoint, events behind)`.
    pub async fn lag(&self) -> anyhow::Result<Vec<(String, u64, u64)>> {
        projector::lag(&self.db, &StoreLog(&self.repo))
            .await
            .context("measuring the projections' lag")
    }

    /// Waits until every projection has applied `position`, catching up itself if needed.
    pub async fn wait_for(&self, position: u64) -> anyhow::Result<()> {
        let reached = self.catch_up().await?;
        anyhow::ensure!(
            reached >= position,
            "the projections stopped at {reached}, before {position}"
        );
        Ok(())
    }

    /// Catches up every `every`, for events written by other instances; logs failures.
    pub fn spawn_follower(self: Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                if let Err(error) = self.catch_up().await {
                    tracing::error!(
                        error = format!("{error:#}"),
                        "the projections could not catch up"
                    );
                }
            }
        })
    }
}
