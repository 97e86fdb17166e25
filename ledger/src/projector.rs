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

/// An event of the store as the read models and the report read it: typed, with its metadata.
pub fn envelope(event: StoredEvent) -> Result<Envelope, ProjectionError> {
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
    let fact = Fact::parse(&event.aggregate_type, event.payload)?;
    Ok(Envelope {
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
    })
}

#[async_trait]
impl LogSource for StoreLog<'_> {
    async fn read_after(&self, after: u64, limit: u32) -> Result<Vec<Envelope>, ProjectionError> {
        let events = self
            .0
            .read_log(after, limit)
            .await
            .map_err(|e| ProjectionError::Log(e.to_string()))?;
        events.into_iter().map(envelope).collect()
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
}

impl Projector {
    /// The projector of a store.
    pub fn new(repo: EventRepository) -> Self {
        let db = match (repo.pg_pool(), repo.sqlite_pool()) {
            (Some(pool), _) => ReadDb::Postgres(pool.clone()),
            (_, Some(pool)) => ReadDb::Sqlite(pool.clone()),
            _ => unreachable!("a store is on one of the two backends"),
        };
        Self {
            repo,
            db,
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// The read models' database.
    pub fn db(&self) -> &ReadDb {
        &self.db
    }

    /// Applies every event not yet projected; returns the position all projections reached.
    pub async fn catch_up(&self) -> anyhow::Result<u64> {
        let _turn = self.turn.lock().await;
        projector::catch_up(&self.db, &StoreLog(&self.repo), BATCH)
            .await
            .context("projecting the log")
    }

    /// Empties the read models and replays the whole log into them.
    pub async fn rebuild(&self) -> anyhow::Result<u64> {
        let _turn = self.turn.lock().await;
        projector::rebuild(&self.db, &StoreLog(&self.repo), BATCH)
            .await
            .context("rebuilding the projections")
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
