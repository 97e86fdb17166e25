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
//!
//! No event stops a projection: one it cannot apply (the database refuses its statements, or it
//! reads as no known event) is set aside in `proj_set_aside` with the reason, logged, and the
//! checkpoint moves past it (see [`apply_in`]). A rebuild replays the log in one transaction.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::at_rest::{column, AtRest};
use crate::db::{merge_inserts, ReadDb, Statement, Tx};
use crate::envelope::{Envelope, Fact};
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
    let rows: Vec<(String, i64)> = db.fetch(crate::db::CHECKPOINTS, &[]).await?;
    Ok(rows
        .into_iter()
        .map(|(name, position)| (name, to_u64(position)))
        .collect())
}

/// One event a projection could not apply, set aside so that it goes on with the others.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SetAside {
    /// The projection that set it aside.
    pub projection: String,
    /// The event's log position.
    pub position: i64,
    /// The CPTS the event belongs to.
    pub community_id: Option<String>,
    /// Why it could not be applied, as the database or the reading of the event said (stored
    /// sealed: a reading error may quote a value of the event).
    pub reason: String,
    /// When it was set aside (RFC 3339, UTC).
    pub set_aside_at: String,
}

/// Every event set aside by a projection, in log order.
pub async fn set_aside(db: &ReadDb) -> Result<Vec<SetAside>, ProjectionError> {
    let at_rest = db.at_rest().map_err(sqlx::Error::from)?;
    let mut rows: Vec<SetAside> = db
        .fetch(
            "SELECT projection, position, community_id, reason, set_aside_at FROM proj_set_aside \
             ORDER BY position, projection",
            &[],
        )
        .await?;
    for row in &mut rows {
        row.reason = at_rest
            .open(column::SET_ASIDE_REASON, &row.reason)
            .map_err(sqlx::Error::from)?;
    }
    Ok(rows)
}

/// Applies `events` (consecutive positions) to every projection that has not applied them yet;
/// returns how many (projection, event) applications were made. An event a projection cannot
/// apply is set aside (see [`apply_in`]) and the checkpoint moves past it.
pub async fn apply_batch(db: &ReadDb, events: &[Envelope]) -> Result<u64, ProjectionError> {
    if events.is_empty() {
        return Ok(0);
    }
    let at_rest = db.at_rest().map_err(sqlx::Error::from)?;
    let mut tx = db.begin_projecting().await?;
    let applied = apply_in(&mut tx, at_rest, events).await?;
    tx.commit().await?;
    Ok(applied)
}

/// Whether the database refused a statement for what it says (a constraint, a value out of
/// range or of the wrong type): the event's fault, so the event is set aside. Anything else (a
/// lost connection, a timeout, a deadlock, a lock, a missing table) is not the event's fault:
/// the batch fails, nothing is set aside, and it is tried again later.
fn refused_by_database(error: &ProjectionError) -> bool {
    let ProjectionError::Database(sqlx::Error::Database(error)) = error else {
        return false;
    };
    let Some(code) = error.code() else {
        return false;
    };
    if let Some(postgres) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        // SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
        let class = postgres.code().get(..2);
        return matches!(class, Some("22" | "23"));
    }
    // SQLite: the primary result code is the low byte of the extended one. 18 TOOBIG,
    // 19 CONSTRAINT, 20 MISMATCH, 25 RANGE.
    code.parse::<i64>()
        .is_ok_and(|extended| matches!(extended & 0xff, 18 | 19 | 20 | 25))
}

/// Applies a batch inside `tx`. The batch is first applied whole, its statements merged, under
/// a savepoint; if the database refuses one of them, that attempt is rolled back and the
/// events are applied one by one, each projection's statements for each event under a
/// savepoint of its own: the event a projection cannot apply is set aside with the reason
/// (`proj_set_aside`, logged as an error), and every other event and projection goes on.
pub async fn apply_in(
    tx: &mut Tx<'_>,
    at_rest: &AtRest,
    events: &[Envelope],
) -> Result<u64, ProjectionError> {
    tx.savepoint("proj_batch").await?;
    match apply_merged(tx, at_rest, events).await {
        Ok(applied) => {
            tx.release("proj_batch").await?;
            Ok(applied)
        }
        Err(error) if refused_by_database(&error) => {
            tracing::warn!(%error, events = events.len(), "a batch could not be projected; applying its events one by one");
            tx.rollback_to("proj_batch").await?;
            let applied = apply_one_by_one(tx, at_rest, events).await?;
            tx.release("proj_batch").await?;
            Ok(applied)
        }
        Err(error) => Err(error),
    }
}

/// Each projection's checkpoint, read in the transaction.
async fn locked_checkpoints(tx: &mut Tx<'_>) -> Result<HashMap<String, u64>, ProjectionError> {
    Ok(tx
        .checkpoints()
        .await?
        .into_iter()
        .map(|(name, position)| (name, to_u64(position)))
        .collect())
}

/// The events past `checkpoint`, checked to follow it one by one.
fn pending(
    projection: Projection,
    checkpoint: u64,
    events: &[Envelope],
) -> Result<Vec<&Envelope>, ProjectionError> {
    let pending: Vec<&Envelope> = events.iter().filter(|e| e.position > checkpoint).collect();
    for (expected, event) in (checkpoint + 1..).zip(&pending) {
        if event.position != expected {
            return Err(ProjectionError::Gap {
                projection: projection.name(),
                checkpoint,
                position: event.position,
            });
        }
    }
    Ok(pending)
}

async fn move_checkpoint(
    tx: &mut Tx<'_>,
    projection: Projection,
    position: u64,
) -> Result<(), ProjectionError> {
    let position = i64::try_from(position).unwrap_or(i64::MAX);
    let update: Statement = stmt!(
        "UPDATE proj_checkpoints SET position = $2 WHERE projection = $1",
        projection.name(),
        position,
    );
    tx.execute(&update).await?;
    Ok(())
}

async fn apply_merged(
    tx: &mut Tx<'_>,
    at_rest: &AtRest,
    events: &[Envelope],
) -> Result<u64, ProjectionError> {
    let checkpoints = locked_checkpoints(tx).await?;
    let mut applied = 0;
    for projection in Projection::ALL {
        let checkpoint = checkpoints.get(projection.name()).copied().unwrap_or(0);
        let pending = pending(projection, checkpoint, events)?;
        let mut statements = Vec::new();
        for event in &pending {
            if let Some(reason) = unreadable_by(projection, event) {
                set_event_aside(tx, at_rest, projection, event, reason).await?;
                continue;
            }
            statements.extend(projection.statements(event, at_rest));
            applied += 1;
        }
        for statement in merge_inserts(fold_publications(statements)) {
            tx.execute(&statement).await?;
        }
        if let Some(last) = pending.last() {
            move_checkpoint(tx, projection, last.position).await?;
        }
    }
    Ok(applied)
}

async fn apply_one_by_one(
    tx: &mut Tx<'_>,
    at_rest: &AtRest,
    events: &[Envelope],
) -> Result<u64, ProjectionError> {
    let checkpoints = locked_checkpoints(tx).await?;
    let mut applied = 0;
    for projection in Projection::ALL {
        let checkpoint = checkpoints.get(projection.name()).copied().unwrap_or(0);
        let pending = pending(projection, checkpoint, events)?;
        for event in &pending {
            if let Some(reason) = unreadable_by(projection, event) {
                set_event_aside(tx, at_rest, projection, event, reason).await?;
                continue;
            }
            tx.savepoint("proj_event").await?;
            let mut outcome = Ok(());
            for statement in projection.statements(event, at_rest) {
                if let Err(error) = tx.execute(&statement).await {
                    outcome = Err(ProjectionError::from(error));
                    break;
                }
            }
            match outcome {
                Ok(()) => applied += 1,
                Err(error) if refused_by_database(&error) => {
                    tx.rollback_to("proj_event").await?;
                    set_event_aside(tx, at_rest, projection, event, &error.to_string()).await?;
                }
                Err(error) => return Err(error),
            }
            tx.release("proj_event").await?;
        }
        if let Some(last) = pending.last() {
            move_checkpoint(tx, projection, last.position).await?;
        }
    }
    Ok(applied)
}

/// Why `projection` cannot read `event`, if the event does not read and is its business.
fn unreadable_by(projection: Projection, event: &Envelope) -> Option<&str> {
    match &event.fact {
        Fact::Unreadable { reason } if projection.owns(&event.aggregate_type) => Some(reason),
        _ => None,
    }
}

async fn set_event_aside(
    tx: &mut Tx<'_>,
    at_rest: &AtRest,
    projection: Projection,
    event: &Envelope,
    reason: &str,
) -> Result<(), ProjectionError> {
    tracing::error!(
        projection = projection.name(),
        position = event.position,
        event_type = event.event_type.as_str(),
        reason,
        "an event could not be projected: set aside, the projection goes on without it"
    );
    let at = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string();
    tx.execute(&stmt!(
        "INSERT INTO proj_set_aside (projection, position, community_id, reason, set_aside_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (projection, position) DO NOTHING",
        projection.name(),
        i64::try_from(event.position).unwrap_or(i64::MAX),
        event.community_id.clone(),
        at_rest.seal(column::SET_ASIDE_REASON, reason),
        at,
    ))
    .await?;
    Ok(())
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

/// Replays the whole log into the read models in ONE transaction: it empties them (and the
/// events set aside), resets the checkpoints and applies the log batch by batch, then commits.
/// Until it commits, readers see the old read models whole; if it fails, they are left as
/// they were. Returns the position every projection reached.
pub async fn rebuild(db: &ReadDb, log: &dyn LogSource, batch: u32) -> Result<u64, ProjectionError> {
    let at_rest = db.at_rest().map_err(sqlx::Error::from)?;
    let mut tx = db.begin_projecting().await?;
    for projection in Projection::ALL {
        for table in projection.tables() {
            tx.execute(&Statement {
                sql: delete_from(table)?.into(),
                params: vec![],
            })
            .await?;
        }
    }
    tx.execute(&stmt!("DELETE FROM proj_set_aside")).await?;
    tx.execute(&stmt!("UPDATE proj_checkpoints SET position = 0"))
        .await?;
    let mut next = log.read_after(0, batch).await?;
    while let Some(last) = next.last().map(|e| e.position) {
        let (applied, following) = tokio::join!(
            apply_in(&mut tx, at_rest, &next),
            log.read_after(last, batch)
        );
        applied?;
        next = following?;
    }
    let reached = locked_checkpoints(&mut tx)
        .await?
        .into_values()
        .min()
        .unwrap_or(0);
    tx.commit().await?;
    Ok(reached)
}

/// The statement that empties one of the read models' tables.
fn delete_from(table: &str) -> Result<&'static str, ProjectionError> {
    // Table names come from the fixed list of the projections, never from input.
    Ok(match table {
        "proj_timeline" => "DELETE FROM proj_timeline",
        "proj_communities" => "DELETE FROM proj_communities",
        "proj_colleges" => "DELETE FROM proj_colleges",
        "proj_bodies" => "DELETE FROM proj_bodies",
        "proj_associations" => "DELETE FROM proj_associations",
        "proj_members" => "DELETE FROM proj_members",
        "proj_seats" => "DELETE FROM proj_seats",
        "proj_consultations" => "DELETE FROM proj_consultations",
        "proj_contributions" => "DELETE FROM proj_contributions",
        "proj_contribution_versions" => "DELETE FROM proj_contribution_versions",
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
    })
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
