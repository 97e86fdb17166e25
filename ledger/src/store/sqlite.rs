//! The SQLite side of the event store.

use std::collections::HashSet;

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use super::{
    check_claims, claim_rows, command_id_of, command_spans, hash32, map_sqlx, parse_timestamp,
    prepare_rows, stored_event, to_u64, Arg, ClaimRow, DuplicateCommand, LogHead, NewRow,
    StoredEvent, FIND_COMMAND, RECORD_COMMAND,
};

/// Rows per INSERT: 12 parameters each, under SQLite's 32,766.
const ROWS_PER_INSERT: usize = 1_000;

pub(super) async fn head(pool: &SqlitePool) -> Result<LogHead, PersistenceError> {
    let row = sqlx::query("SELECT position, hash, recorded_at FROM log_head")
        .fetch_one(pool)
        .await
        .map_err(map_sqlx)?;
    head_from(&row)
}

fn head_from(row: &SqliteRow) -> Result<LogHead, PersistenceError> {
    let position: i64 = row.try_get("position").map_err(map_sqlx)?;
    let hash: Vec<u8> = row.try_get("hash").map_err(map_sqlx)?;
    let recorded_at: Option<String> = row.try_get("recorded_at").map_err(map_sqlx)?;
    let recorded_at = recorded_at.as_deref().map(parse_timestamp).transpose()?;
    Ok(LogHead {
        position: to_u64(position)?,
        hash: hash32(&hash)?,
        recorded_at,
    })
}

pub(super) async fn select_events(
    pool: &SqlitePool,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Vec<StoredEvent>, PersistenceError> {
    let mut query = sqlx::query(sql);
    for arg in args {
        query = match *arg {
            Arg::Text(text) => query.bind(text),
            Arg::Int(int) => query.bind(int),
        };
    }
    let rows = query.fetch_all(pool).await.map_err(map_sqlx)?;
    rows.iter().map(event_from).collect()
}

fn event_from(row: &SqliteRow) -> Result<StoredEvent, PersistenceError> {
    let recorded_at_text: String = row.try_get(9).map_err(map_sqlx)?;
    let prev_hash: Vec<u8> = row.try_get(10).map_err(map_sqlx)?;
    let hash: Vec<u8> = row.try_get(11).map_err(map_sqlx)?;
    stored_event(
        row.try_get(0).map_err(map_sqlx)?,
        row.try_get(1).map_err(map_sqlx)?,
        row.try_get(2).map_err(map_sqlx)?,
        row.try_get(3).map_err(map_sqlx)?,
        row.try_get(4).map_err(map_sqlx)?,
        row.try_get(5).map_err(map_sqlx)?,
        row.try_get(6).map_err(map_sqlx)?,
        row.try_get(7).map_err(map_sqlx)?,
        row.try_get(8).map_err(map_sqlx)?,
        parse_timestamp(&recorded_at_text)?,
        recorded_at_text,
        &prev_hash,
        &hash,
    )
}

pub(super) async fn append(
    pool: &SqlitePool,
    events: &[SerializedEvent],
) -> Result<(), PersistenceError> {
    // BEGIN IMMEDIATE takes the database's write lock now, not at the first write: appends
    // are serialized, and positions follow commit order.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_sqlx)?;
    let row = sqlx::query("SELECT position, hash, recorded_at FROM log_head")
        .fetch_one(&mut *tx)
        .await
        .map_err(map_sqlx)?;
    let head = head_from(&row)?;
    let command_id = command_id_of(events);
    if let Some(command_id) = &command_id {
        check_command(&mut tx, command_id).await?;
    }
    check_stream(&mut tx, &events[0]).await?;
    let rows = prepare_rows(&head, events)?;
    let claims = claim_rows(events, &rows);
    check_claims(&claims, &taken_claims(&mut tx, &claims).await?)?;
    write(&mut tx, &rows).await?;
    record_claims(&mut tx, &claims).await?;
    tx.commit().await.map_err(map_sqlx)
}

/// Which of these claims the log already holds. The caller holds the write lock, so the
/// answer stays true until it commits.
async fn taken_claims(
    tx: &mut Transaction<'_, Sqlite>,
    claims: &[ClaimRow],
) -> Result<HashSet<(String, String)>, PersistenceError> {
    let mut taken = HashSet::new();
    for claim in claims {
        let (kind, id) = claim.key();
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM claimed_ids WHERE kind = $1 AND id = $2")
                .bind(&kind)
                .bind(&id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_sqlx)?;
        if found.is_some() {
            taken.insert((kind, id));
        }
    }
    Ok(taken)
}

/// Records the claims of rows just inserted.
async fn record_claims(
    tx: &mut Transaction<'_, Sqlite>,
    claims: &[ClaimRow],
) -> Result<(), PersistenceError> {
    for claim in claims {
        let (kind, id) = claim.key();
        sqlx::query(
            "INSERT INTO claimed_ids (kind, id, aggregate_type, aggregate_id, position) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(kind)
        .bind(id)
        .bind(&claim.aggregate_type)
        .bind(&claim.aggregate_id)
        .bind(claim.position)
        .execute(&mut **tx)
        .await
        .map_err(map_sqlx)?;
    }
    Ok(())
}

/// Loads exported rows into an empty log.
pub(super) async fn import(
    pool: &SqlitePool,
    rows: &[NewRow],
    claims: &[ClaimRow],
) -> Result<(), PersistenceError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_sqlx)?;
    let row = sqlx::query("SELECT position, hash, recorded_at FROM log_head")
        .fetch_one(&mut *tx)
        .await
        .map_err(map_sqlx)?;
    if head_from(&row)?.position != 0 {
        return Err(PersistenceError::UnknownError(
            "the store already holds events: import needs an empty one".into(),
        ));
    }
    write(&mut tx, rows).await?;
    record_claims(&mut tx, claims).await?;
    tx.commit().await.map_err(map_sqlx)
}

/// Inserts rows already numbered and chained, records the commands they came from, and moves
/// the head. The caller holds the append lock.
async fn write(tx: &mut Transaction<'_, Sqlite>, rows: &[NewRow]) -> Result<(), PersistenceError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, \
             event_version, payload, metadata, community_id, recorded_at, prev_hash, hash) ",
        );
        insert.push_values(chunk, |mut values, row| {
            values
                .push_bind(row.position)
                .push_bind(&row.aggregate_type)
                .push_bind(&row.aggregate_id)
                .push_bind(row.sequence)
                .push_bind(&row.event_type)
                .push_bind(&row.event_version)
                .push_bind(&row.payload)
                .push_bind(&row.metadata)
                .push_bind(&row.community_id)
                .push_bind(&row.recorded_at_text)
                .push_bind(row.prev_hash.as_slice())
                .push_bind(row.hash.as_slice());
        });
        insert.build().execute(&mut **tx).await.map_err(map_sqlx)?;
    }
    for span in command_spans(rows) {
        sqlx::query(RECORD_COMMAND)
            .bind(span.command_id)
            .bind(&span.first.aggregate_type)
            .bind(&span.first.aggregate_id)
            .bind(span.first.position)
            .bind(span.last.position)
            .bind(&span.first.actor)
            .bind(&span.first.command_hash)
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?;
    }
    if let Some(last) = rows.last() {
        sqlx::query("UPDATE log_head SET position = $1, hash = $2, recorded_at = $3")
            .bind(last.position)
            .bind(last.hash.as_slice())
            .bind(&last.recorded_at_text)
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?;
    }
    Ok(())
}

/// Fails with [`DuplicateCommand`] if the command already recorded its events.
async fn check_command(
    tx: &mut Transaction<'_, Sqlite>,
    command_id: &str,
) -> Result<(), PersistenceError> {
    let known: Option<i64> = sqlx::query_scalar(FIND_COMMAND)
        .bind(command_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_sqlx)?;
    match known {
        Some(_) => Err(PersistenceError::UnknownError(Box::new(DuplicateCommand(
            command_id.to_owned(),
        )))),
        None => Ok(()),
    }
}

/// Fails with a lost race unless the stream's last sequence is the one before `first`.
async fn check_stream(
    tx: &mut Transaction<'_, Sqlite>,
    first: &SerializedEvent,
) -> Result<(), PersistenceError> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
    )
    .bind(&first.aggregate_type)
    .bind(&first.aggregate_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_sqlx)?;
    let expected = u64::try_from(first.sequence)
        .unwrap_or(u64::MAX)
        .saturating_sub(1);
    if last.map_or(0, |l| to_u64(l).unwrap_or(u64::MAX)) != expected {
        return Err(PersistenceError::OptimisticLockError);
    }
    Ok(())
}
