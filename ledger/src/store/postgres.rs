//! The PostgreSQL side of the event store.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use cqrs_es::persist::{PersistenceError, SerializedEvent};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgRow;
use sqlx::{Acquire, PgConnection, PgPool, Postgres, QueryBuilder, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{
    check_claims, claim_rows, command_id_of, command_spans, hash32, map_sqlx, payload_claims,
    prepare_rows, stored_event, timestamp_text, to_u64, Arg, ClaimRow, DuplicateCommand, LogHead,
    NewRow, StoredEvent, FIND_COMMAND,
};

/// Rows per INSERT: 13 parameters each, under PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 1_000;

pub(super) async fn head(pool: &PgPool) -> Result<LogHead, PersistenceError> {
    let row = sqlx::query("SELECT position, hash, recorded_at FROM log_head")
        .fetch_one(pool)
        .await
        .map_err(map_sqlx)?;
    head_from(&row)
}

fn head_from(row: &PgRow) -> Result<LogHead, PersistenceError> {
    let position: i64 = row.try_get("position").map_err(map_sqlx)?;
    let hash: Vec<u8> = row.try_get("hash").map_err(map_sqlx)?;
    let recorded_at: Option<DateTime<Utc>> = row.try_get("recorded_at").map_err(map_sqlx)?;
    Ok(LogHead {
        position: to_u64(position)?,
        hash: hash32(&hash)?,
        recorded_at,
    })
}

pub(super) async fn select_events(
    pool: &PgPool,
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

fn event_from(row: &PgRow) -> Result<StoredEvent, PersistenceError> {
    let recorded_at: DateTime<Utc> = row.try_get(9).map_err(map_sqlx)?;
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
        recorded_at,
        timestamp_text(recorded_at),
        &prev_hash,
        &hash,
    )
}

pub(super) async fn append(
    pool: &PgPool,
    events: &[SerializedEvent],
) -> Result<(), PersistenceError> {
    let mut tx = pool.begin().await.map_err(map_sqlx)?;
    // The row lock on the head is held until commit: appends are serialized, and positions
    // follow commit order.
    let row = sqlx::query("SELECT position, hash, recorded_at FROM log_head FOR UPDATE")
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
    let keys: Vec<(String, String)> = claims.iter().map(ClaimRow::key).collect();
    check_claims(&claims, &taken_claims(&mut tx, &keys).await?)?;
    write(&mut tx, &rows).await?;
    record_claims(&mut tx, &claims).await?;
    tx.commit().await.map_err(map_sqlx)
}

/// Which of these `(kind, id)` claims the log already holds. The caller holds the append lock,
/// so the answer stays true until it commits.
async fn taken_claims(
    tx: &mut Transaction<'_, Postgres>,
    keys: &[(String, String)],
) -> Result<HashSet<(String, String)>, PersistenceError> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let (kinds, ids): (Vec<String>, Vec<String>) = keys.iter().cloned().unzip();
    let taken: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.kind, c.id FROM claimed_ids c \
         JOIN UNNEST($1::text[], $2::text[]) AS k(kind, id) ON c.kind = k.kind AND c.id = k.id",
    )
    .bind(&kinds)
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(map_sqlx)?;
    Ok(taken.into_iter().collect())
}

/// Records the claims of rows just inserted.
async fn record_claims(
    tx: &mut Transaction<'_, Postgres>,
    claims: &[ClaimRow],
) -> Result<(), PersistenceError> {
    for chunk in claims.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO claimed_ids (kind, id, aggregate_type, aggregate_id, position) ",
        );
        insert.push_values(chunk, |mut values, claim| {
            values
                .push_bind(claim.kind.wire_name())
                .push_bind(&claim.id)
                .push_bind(&claim.aggregate_type)
                .push_bind(&claim.aggregate_id)
                .push_bind(claim.position);
        });
        insert.build().execute(&mut **tx).await.map_err(map_sqlx)?;
    }
    Ok(())
}

/// Loads exported rows into an empty log.
pub(super) async fn import(
    pool: &PgPool,
    rows: &[NewRow],
    claims: &[ClaimRow],
) -> Result<(), PersistenceError> {
    let mut tx = pool.begin().await.map_err(map_sqlx)?;
    let row = sqlx::query("SELECT position, hash, recorded_at FROM log_head FOR UPDATE")
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
async fn write(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[NewRow],
) -> Result<(), PersistenceError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Postgres>::new(
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
                .push_bind(row.recorded_at)
                .push_bind(row.prev_hash.as_slice())
                .push_bind(row.hash.as_slice());
        });
        insert.build().execute(&mut **tx).await.map_err(map_sqlx)?;
    }
    let spans = command_spans(rows);
    for chunk in spans.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO commands \
             (command_id, aggregate_type, aggregate_id, first_position, last_position, actor, \
             command_hash) ",
        );
        insert.push_values(chunk, |mut values, span| {
            values
                .push_bind(span.command_id)
                .push_bind(&span.first.aggregate_type)
                .push_bind(&span.first.aggregate_id)
                .push_bind(span.first.position)
                .push_bind(span.last.position)
                .push_bind(&span.first.actor)
                .push_bind(&span.first.command_hash);
        });
        insert.build().execute(&mut **tx).await.map_err(map_sqlx)?;
    }
    if let Some(last) = rows.last() {
        sqlx::query("UPDATE log_head SET position = $1, hash = $2, recorded_at = $3")
            .bind(last.position)
            .bind(last.hash.as_slice())
            .bind(last.recorded_at)
            .execute(&mut **tx)
            .await
            .map_err(map_sqlx)?;
    }
    Ok(())
}

fn duplicate(command_id: &str) -> PersistenceError {
    PersistenceError::UnknownError(Box::new(DuplicateCommand(command_id.to_owned())))
}

/// Whether the command already recorded its events.
async fn command_known(
    tx: &mut Transaction<'_, Postgres>,
    command_id: &str,
) -> Result<bool, PersistenceError> {
    let known: Option<i64> = sqlx::query_scalar(FIND_COMMAND)
        .bind(command_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_sqlx)?;
    Ok(known.is_some())
}

/// Fails with [`DuplicateCommand`] if the command already recorded its events.
async fn check_command(
    tx: &mut Transaction<'_, Postgres>,
    command_id: &str,
) -> Result<(), PersistenceError> {
    if command_known(tx, command_id).await? {
        return Err(duplicate(command_id));
    }
    Ok(())
}

/// The last sequence of a stream (0 when it has no event).
async fn stream_last(
    tx: &mut Transaction<'_, Postgres>,
    first: &SerializedEvent,
) -> Result<u64, PersistenceError> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
    )
    .bind(&first.aggregate_type)
    .bind(&first.aggregate_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_sqlx)?;
    Ok(last.map_or(0, |l| to_u64(l).unwrap_or(u64::MAX)))
}

fn expected_last(first: &SerializedEvent) -> u64 {
    u64::try_from(first.sequence)
        .unwrap_or(u64::MAX)
        .saturating_sub(1)
}

/// Fails with a lost race unless the stream's last sequence is the one before `first`.
async fn check_stream(
    tx: &mut Transaction<'_, Postgres>,
    first: &SerializedEvent,
) -> Result<(), PersistenceError> {
    if stream_last(tx, first).await? != expected_last(first) {
        return Err(PersistenceError::OptimisticLockError);
    }
    Ok(())
}

/// The most appends one transaction gathers.
const MAX_GROUP: usize = 256;
/// The most scheduler turns the writer waits for more appends to join its group.
const GATHER_TURNS: usize = 4;

/// An append waiting for its turn, and where its answer goes.
struct Pending {
    events: Vec<SerializedEvent>,
    reply: oneshot::Sender<Result<(), PersistenceError>>,
}

/// Group commit: the appends of one process that wait for the head lock are gathered into one
/// transaction, so that one commit (and one flush to disk) serves them all. Each keeps its own
/// checks (its stream's sequence, its command id), made in turn as if it were alone, counting
/// the appends before it in the group; one that fails its check is answered as it would be
/// alone and left out, without disturbing the others. A lone append waits no more than a turn
/// of the scheduler: the writer takes whatever is queued when it becomes free.
#[derive(Debug)]
pub(super) struct GroupCommit {
    queue: mpsc::UnboundedSender<Pending>,
}

impl GroupCommit {
    /// Starts the writer of one repository (and its clones).
    pub(super) fn start(pool: PgPool) -> Self {
        let (queue, mut waiting) = mpsc::unbounded_channel::<Pending>();
        tokio::spawn(async move {
            // The writer keeps its connection between groups, so a group does not wait for the
            // pool (and its liveness check) before it starts.
            let mut connection: Option<PoolConnection<Postgres>> = None;
            while let Some(first) = waiting.recv().await {
                let mut group = vec![first];
                gather(&mut waiting, &mut group).await;
                commit_group(&pool, &mut connection, group).await;
            }
        });
        Self { queue }
    }

    /// Appends one stream's events, in a group with whatever other appends are waiting.
    pub(super) async fn append(&self, events: &[SerializedEvent]) -> Result<(), PersistenceError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || PersistenceError::UnknownError("the log's writer has stopped".into());
        self.queue
            .send(Pending {
                events: events.to_vec(),
                reply,
            })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Takes what is queued behind the first append. Writers answered by the previous commit are
/// about to queue their next append: yielding lets them, and gathering stops as soon as a yield
/// brings nothing new, so a lone append waits no more than one turn of the scheduler.
async fn gather(waiting: &mut mpsc::UnboundedReceiver<Pending>, group: &mut Vec<Pending>) {
    let drain = |waiting: &mut mpsc::UnboundedReceiver<Pending>, group: &mut Vec<Pending>| {
        while group.len() < MAX_GROUP {
            match waiting.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
    };
    drain(waiting, group);
    for _ in 0..GATHER_TURNS {
        let before = group.len();
        tokio::task::yield_now().await;
        drain(waiting, group);
        if group.len() == before || group.len() >= MAX_GROUP {
            break;
        }
    }
}

async fn commit_group(
    pool: &PgPool,
    connection: &mut Option<PoolConnection<Postgres>>,
    mut group: Vec<Pending>,
) {
    if group.len() == 1 {
        if let Some(alone) = group.pop() {
            let result = append(pool, &alone.events).await;
            alone.reply.send(result).ok();
        }
        return;
    }
    let attempt = match connection {
        Some(held) => try_group(held, &group).await,
        None => match pool.acquire().await {
            Ok(fresh) => try_group(connection.insert(fresh), &group).await,
            Err(error) => Err(map_sqlx(error)),
        },
    };
    if attempt.is_err() {
        // The connection may be what failed: the next group takes a fresh one.
        *connection = None;
    }
    match attempt {
        Ok(results) => {
            for (pending, result) in group.into_iter().zip(results) {
                pending.reply.send(result).ok();
            }
        }
        // The transaction itself failed: nothing of it was written. Each append is then tried
        // alone, and answered as it would have been without the others.
        Err(error) => {
            tracing::debug!(%error, size = group.len(), "a group commit failed; appending one by one");
            for pending in group {
                let result = append(pool, &pending.events).await;
                pending.reply.send(result).ok();
            }
        }
    }
}

/// Runs a group in one transaction; the answer of each append, or the error that rolled the
/// whole transaction back.
async fn try_group(
    connection: &mut PgConnection,
    group: &[Pending],
) -> Result<Vec<Result<(), PersistenceError>>, PersistenceError> {
    let mut tx = connection.begin().await.map_err(map_sqlx)?;
    let row = sqlx::query("SELECT position, hash, recorded_at FROM log_head FOR UPDATE")
        .fetch_one(&mut *tx)
        .await
        .map_err(map_sqlx)?;
    let mut head = head_from(&row)?;
    // What the group's checks need, read in two statements rather than two per append: the
    // command ids already recorded, and the last sequence of every stream the group touches.
    let ids: Vec<String> = group
        .iter()
        .filter_map(|p| command_id_of(&p.events))
        .collect();
    let mut commands: HashSet<String> =
        sqlx::query_scalar("SELECT command_id FROM commands WHERE command_id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_sqlx)?
            .into_iter()
            .collect();

    let (types, ids): (Vec<String>, Vec<String>) = group
        .iter()
        .map(|p| {
            (
                p.events[0].aggregate_type.clone(),
                p.events[0].aggregate_id.clone(),
            )
        })
        .unzip();
    // One MAX per stream, so that each reads only the end of its stream's index (a join
    // grouped by stream would read every event of every stream involved).
    let lasts: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT s.aggregate_type, s.aggregate_id, \
         (SELECT MAX(e.sequence) FROM events e \
          WHERE e.aggregate_type = s.aggregate_type AND e.aggregate_id = s.aggregate_id) \
         FROM UNNEST($1::text[], $2::text[]) AS s(aggregate_type, aggregate_id)",
    )
    .bind(&types)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await
    .map_err(map_sqlx)?;

    let mut streams: HashMap<(String, String), u64> = HashMap::new();
    for (aggregate_type, aggregate_id, last) in lasts {
        if let Some(last) = last {
            streams.insert((aggregate_type, aggregate_id), to_u64(last)?);
        }
    }
    // The sub-record ids the group's events would claim that the log already holds.
    let keys: Vec<(String, String)> = group
        .iter()
        .flat_map(|p| &p.events)
        .flat_map(|e| payload_claims(&e.aggregate_type, &e.payload))
        .map(|c| (c.kind.wire_name().to_owned(), c.id.to_string()))
        .collect();
    let mut taken = taken_claims(&mut tx, &keys).await?;
    let mut claims = Vec::new();

    let mut rows = Vec::new();
    let mut results = Vec::with_capacity(group.len());
    for pending in group {
        let first = &pending.events[0];
        let command_id = command_id_of(&pending.events);
        if let Some(command_id) = &command_id {
            if commands.contains(command_id) {
                results.push(Err(duplicate(command_id)));
                continue;
            }
        }
        let key = (first.aggregate_type.clone(), first.aggregate_id.clone());
        let last = streams.get(&key).copied().unwrap_or(0);
        if last != expected_last(first) {
            results.push(Err(PersistenceError::OptimisticLockError));
            continue;
        }
        let prepared = prepare_rows(&head, &pending.events)?;
        let claimed = claim_rows(&pending.events, &prepared);
        if let Err(error) = check_claims(&claimed, &taken) {
            results.push(Err(error));
            continue;
        }
        taken.extend(claimed.iter().map(ClaimRow::key));
        claims.extend(claimed);
        if let Some(end) = prepared.last() {
            head = LogHead {
                position: to_u64(end.position)?,
                hash: end.hash,
                recorded_at: Some(end.recorded_at),
            };
            streams.insert(key, to_u64(end.sequence)?);
        }
        if let Some(command_id) = command_id {
            commands.insert(command_id);
        }
        rows.extend(prepared);
        results.push(Ok(()));
    }

    write(&mut tx, &rows).await?;
    record_claims(&mut tx, &claims).await?;
    tx.commit().await.map_err(map_sqlx)?;
    Ok(results)
}
