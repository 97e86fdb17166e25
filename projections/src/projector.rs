//! Applying the log to the read models, in position order, exactly once.
//!
//! Each projection has a checkpoint: the last log position it applied. A batch is applied in
//! one transaction that first locks the checkpoints, re-reads them, applies to each projection
//! only the events past its checkpoint, moves the checkpoints and commits. Rows and checkpoint
//! move together: after a crash between the commit of events and their projection, the next
//! catch-up applies exactly the missing events. Because the log's positions are assigned in
//! commit order without gaps (ARCHITECTURE.md), "every position above the checkpoint" is
//! exactly "every event not yet applied": none is skipped, none applied twice, even with several
//! service instances catching up at once.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::db::{merge_inserts, ReadDb, Statement};
use crate::envelope::Envelope;
use crate::stmt;
use crate::write::{fold_publications, Projection};

/// Why the read models could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The log could not be read.
    #[error("reading the log: {0}")]
    Log(String),
    /// An event could not be read as a domain event.
    #[error("an event of the log cannot be read: {0}")]
    Unreadable(String),
    /// The events handed over do not follow the checkpoint.
    #[error("projection {projection} is at {checkpoint} but was handed position {position}")]
    Gap {
        /// The projection.
        projection: &'static str,
        /// Its checkpoint.
        checkpoint: u64,
        /// The first position handed over.
        position: u64,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Where the projections read the log from.
#[async_trait]
pub trait LogSource: Send + Sync {
    /// Events after `after`, in position order, at most `limit`.
    async fn read_after(&self, after: u64, limit: u32) -> Result<Vec<Envelope>, ProjectionError>;
    /// The position of the last event of the log.
    async fn head(&self) -> Result<u64, ProjectionError>;
}

fn to_u64(position: i64) -> u64 {
    u64::try_from(position).unwrap_or(0)
}

/// The checkpoint of every projection.
pub async fn checkpoints(db: &ReadDb) -> Result<HashMap<String, u64>, ProjectionError> {
    let rows: Vec<(String, i64)> = db
        .fetch("SELECT projection, position FROM proj_checkpoints", &[])
        .await?;
    Ok(rows
        .into_iter()
        .map(|(name, position)| (name, to_u64(position)))
        .collect())
}

/// Applies `events` (consecutive positions) to every projection that has not applied them yet;
/// returns how many (projection, event) applications were made.
pub async fn apply_batch(db: &ReadDb, events: &[Envelope]) -> Result<u64, ProjectionError> {
    let Some(last) = events.last() else {
        return Ok(0);
    };
    let mut tx = db.begin_projecting().await?;
    let checkpoints: HashMap<String, u64> = tx
        .checkpoints()
        .await?
        .into_iter()
        .map(|(name, position)| (name, to_u64(position)))
        .collect();
    let mut applied = 0;
    for projection in Projection::ALL {
        let checkpoint = checkpoints.get(projection.name()).copied().unwrap_or(0);
        let pending = events.iter().filter(|e| e.position > checkpoint);
        let mut statements = Vec::new();
        for (expected, event) in (checkpoint + 1..).zip(pending) {
            if event.position != expected {
                return Err(ProjectionError::Gap {
                    projection: projection.name(),
                    checkpoint,
                    position: event.position,
                });
            }
            statements.extend(projection.statements(event));
            applied += 1;
        }
        for statement in merge_inserts(fold_publications(statements)) {
            tx.execute(&statement).await?;
        }
        if last.position > checkpoint {
            let position = i64::try_from(last.position).unwrap_or(i64::MAX);
            let update: Statement = stmt!(
                "UPDATE proj_checkpoints SET position = $2 WHERE projection = $1",
                projection.name(),
                position,
            );
            tx.execute(&update).await?;
        }
    }
    tx.commit().await?;
    Ok(applied)
}

/// Brings every projection up to the head of the log, `batch` events at a time; returns the
/// position every projection has reached.
pub async fn catch_up(
    db: &ReadDb,
    log: &dyn LogSource,
    batch: u32,
) -> Result<u64, ProjectionError> {
    let lowest = checkpoints(db).await?.into_values().min().unwrap_or(0);
    let mut next = log.read_after(lowest, batch).await?;
    // Each batch is applied while the next one is read: the two use different connections.
    while let Some(last) = next.last().map(|e| e.position) {
        let (applied, following) =
            tokio::join!(apply_batch(db, &next), log.read_after(last, batch));
        applied?;
        next = following?;
    }
    Ok(checkpoints(db).await?.into_values().min().unwrap_or(0))
}

/// Empties every read model, resets the checkpoints, and replays the whole log.
pub async fn rebuild(db: &ReadDb, log: &dyn LogSource, batch: u32) -> Result<u64, ProjectionError> {
    let mut tx = db.begin_projecting().await?;
    for projection in Projection::ALL {
        for table in projection.tables() {
            // Table names come from the fixed list above, never from input.
            let sql: &'static str = match *table {
                "proj_timeline" => "DELETE FROM proj_timeline",
                "proj_communities" => "DELETE FROM proj_communities",
                "proj_colleges" => "DELETE FROM proj_colleges",
                "proj_bodies" => "DELETE FROM proj_bodies",
                "proj_associations" => "DELETE FROM proj_associations",
                "proj_members" => "DELETE FROM proj_members",
                "proj_seats" => "DELETE FROM proj_seats",
                "proj_consultations" => "DELETE FROM proj_consultations",
                "proj_contributions" => "DELETE FROM proj_contributions",
                "proj_decisions" => "DELETE FROM proj_decisions",
                "proj_decision_consultations" => "DELETE FROM proj_decision_consultations",
                "proj_answers" => "DELETE FROM proj_answers",
                "proj_milestones" => "DELETE FROM proj_milestones",
                "proj_indicators" => "DELETE FROM proj_indicators",
                other => {
                    return Err(ProjectionError::Unreadable(format!(
                        "unknown table {other}"
                    )))
                }
            };
            tx.execute(&Statement {
                sql: sql.into(),
                params: vec![],
            })
            .await?;
        }
    }
    tx.execute(&stmt!("UPDATE proj_checkpoints SET position = 0"))
        .await?;
    tx.commit().await?;
    catch_up(db, log, batch).await
}

/// How far each projection is behind the log: `(name, checkpoint, events behind)`.
pub async fn lag(
    db: &ReadDb,
    log: &dyn LogSource,
) -> Result<Vec<(String, u64, u64)>, ProjectionError> {
    let head = log.head().await?;
    let mut lag: Vec<(String, u64, u64)> = checkpoints(db)
        .await?
        .into_iter()
        .map(|(name, position)| (name, position, head.saturating_sub(position)))
        .collect();
    lag.sort();
    Ok(lag)
}
