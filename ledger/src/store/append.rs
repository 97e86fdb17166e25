//! The append protocol, written once for both backends over [`Tx`]: lock the head, check each
//! append's command id and stream sequence, number and chain its events, check the sub-record
//! ids they claim, insert, move the head. The caller commits.
//!
//! What the dialects do differently is only how the lock is taken (PostgreSQL: the transaction
//! locks the head's row with `FOR UPDATE`; SQLite: it starts with `BEGIN IMMEDIATE`, the
//! database's write lock) and how a timestamp column is read and written; [`Dialect`] gives
//! those fragments. A single append is a group of one; PostgreSQL's group commit
//! (`postgres.rs`) hands this same code many appends in one transaction.

use std::collections::{HashMap, HashSet};

use cpts_projections::db::{Dialect, Param, ReadDb, Tx};
use cqrs_es::persist::{PersistenceError, SerializedEvent};

use super::chain::ChainVersion;
use super::{
    check_claims, claim_rows, command_id_of, command_spans, hash32, map_sqlx, payload_claims,
    prepare_rows, to_u64, unknown, ClaimRow, DuplicateCommand, LogHead, NewRow,
};

/// Rows per INSERT: 13 parameters each, under SQLite's 32,766 and PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 1_000;
/// Keys looked up per statement.
const KEYS_PER_SELECT: usize = 250;

/// The head's columns, as [`head_from`] reads them.
pub(super) type HeadRow = (i64, Vec<u8>, Option<String>, Option<i64>);

/// The statement that reads the head; `lock` makes it take the head's lock on PostgreSQL.
pub(super) fn head_sql(dialect: Dialect, lock: bool) -> String {
    format!(
        "SELECT position, hash, {}, chain_v2_from FROM log_head{}",
        dialect.timestamp_text("recorded_at"),
        if lock { dialect.for_update() } else { "" }
    )
}

/// The head from its row.
pub(super) fn head_from(
    (position, hash, recorded_at, chain_v2_from): HeadRow,
) -> Result<LogHead, PersistenceError> {
    Ok(LogHead {
        position: to_u64(position)?,
        hash: hash32(&hash)?,
        recorded_at: recorded_at
            .as_deref()
            .map(super::parse_timestamp)
            .transpose()?,
        chain_v2_from: chain_v2_from.map(to_u64).transpose()?,
    })
}

/// Reads the head and, in a transaction started by [`ReadDb::begin_write`], holds the append
/// lock from now until commit: appends are serialized, and positions follow commit order. The
/// same statement says where chain version 2 started, so hashing costs no other round trip.
async fn lock_head(tx: &mut Tx<'_>) -> Result<LogHead, PersistenceError> {
    let sql = head_sql(tx.dialect(), true);
    let row: Option<HeadRow> = tx.fetch_optional(&sql, &[]).await.map_err(map_sqlx)?;
    head_from(row.ok_or_else(|| unknown("the log has no head"))?)
}

/// Appends one stream's events alone, in a transaction of its own.
pub(super) async fn append(
    db: &ReadDb,
    events: &[SerializedEvent],
) -> Result<(), PersistenceError> {
    let mut tx = db.begin_write().await.map_err(map_sqlx)?;
    let mut answers = append_in(&mut tx, &[events]).await?;
    // Refused: nothing was written; dropping the transaction rolls it back.
    answers.pop().unwrap_or(Ok(()))?;
    tx.commit().await.map_err(map_sqlx)
}

/// Runs the protocol for every append of a group, in order, in one transaction: each is
/// checked as if it were alone (counting the appends accepted before it), and answered as it
/// would have been alone (lost race, repeated command, id taken) and left out if it fails. The
/// error, if any, is one that must roll the whole transaction back.
pub(super) async fn append_in(
    tx: &mut Tx<'_>,
    appends: &[&[SerializedEvent]],
) -> Result<Vec<Result<(), PersistenceError>>, PersistenceError> {
    let mut head = lock_head(tx).await?;
    // What the checks need, in a few statements for the whole group rather than a few per
    // append: the command ids already recorded, the last sequence of every stream involved,
    // and the sub-record ids the events would claim that the log already holds.
    let ids: Vec<String> = appends.iter().filter_map(|e| command_id_of(e)).collect();
    let mut commands = known_commands(tx, &ids).await?;
    let mut wanted: Vec<(String, String)> = appends
        .iter()
        .map(|e| (e[0].aggregate_type.clone(), e[0].aggregate_id.clone()))
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut streams = stream_lasts(tx, &wanted).await?;
    let keys: Vec<(String, String)> = appends
        .iter()
        .flat_map(|e| e.iter())
        .flat_map(|e| payload_claims(&e.aggregate_type, &e.payload))
        .map(|c| (c.kind.wire_name().to_owned(), c.id.to_string()))
        .collect();
    let mut taken = taken_claims(tx, &keys).await?;

    let mut rows = Vec::new();
    let mut claims = Vec::new();
    let mut answers = Vec::with_capacity(appends.len());
    for events in appends {
        let first = &events[0];
        let command_id = command_id_of(events);
        if let Some(command_id) = &command_id {
            if commands.contains(command_id) {
                answers.push(Err(PersistenceError::UnknownError(Box::new(
                    DuplicateCommand(command_id.clone()),
                ))));
                continue;
            }
        }
        let key = (first.aggregate_type.clone(), first.aggregate_id.clone());
        let expected = u64::try_from(first.sequence)
            .unwrap_or(u64::MAX)
            .saturating_sub(1);
        if streams.get(&key).copied().unwrap_or(0) != expected {
            answers.push(Err(PersistenceError::OptimisticLockError));
            continue;
        }
        let prepared = prepare_rows(&head, events)?;
        let claimed = claim_rows(events, &prepared);
        if let Err(error) = check_claims(&claimed, &taken) {
            answers.push(Err(error));
            continue;
        }
        taken.extend(claimed.iter().map(ClaimRow::key));
        claims.extend(claimed);
        if let (Some(start), Some(end)) = (prepared.first(), prepared.last()) {
            // Appended rows are version 2: the first of them starts it, if nothing did before.
            let chain_v2_from = head.chain_v2_from.unwrap_or(to_u64(start.position)?);
            head = LogHead {
                position: to_u64(end.position)?,
                hash: end.hash,
                recorded_at: Some(end.recorded_at),
                chain_v2_from: Some(chain_v2_from),
            };
            streams.insert(key, to_u64(end.sequence)?);
        }
        if let Some(command_id) = command_id {
            commands.insert(command_id);
        }
        rows.extend(prepared);
        answers.push(Ok(()));
    }
    write(tx, &rows).await?;
    record_claims(tx, &claims).await?;
    Ok(answers)
}

/// Loads exported rows into an empty log, in a transaction of its own.
pub(super) async fn import(
    db: &ReadDb,
    rows: &[NewRow],
    claims: &[ClaimRow],
) -> Result<(), PersistenceError> {
    let mut tx = db.begin_write().await.map_err(map_sqlx)?;
    if lock_head(&mut tx).await?.position != 0 {
        return Err(unknown(
            "the store already holds events: import needs an empty one",
        ));
    }
    write(&mut tx, rows).await?;
    record_claims(&mut tx, claims).await?;
    tx.commit().await.map_err(map_sqlx)
}

/// `($1, $2, …), (…)`: `rows` tuples of `width` placeholders, from `$1`; `column` writes the
/// placeholder `$n` of the tuple's column `c`.
fn tuples(rows: usize, width: usize, column: impl Fn(usize, usize) -> String) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (0..width).map(|c| column(c, r * width + c + 1)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn plain(_: usize, n: usize) -> String {
    format!("${n}")
}

/// The `(kind, id)` or `(aggregate_type, aggregate_id)` pairs as `(a = $1 AND b = $2) OR …`.
fn pairs(a: &str, b: &str, count: usize) -> String {
    (0..count)
        .map(|i| format!("({a} = ${} AND {b} = ${})", 2 * i + 1, 2 * i + 2))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn pair_params(pairs: &[(String, String)]) -> Vec<Param> {
    pairs
        .iter()
        .flat_map(|(a, b)| [a.as_str().into(), b.as_str().into()])
        .collect()
}

/// Which of these command ids already recorded their events.
async fn known_commands(
    tx: &mut Tx<'_>,
    ids: &[String],
) -> Result<HashSet<String>, PersistenceError> {
    let mut known = HashSet::new();
    for chunk in ids.chunks(KEYS_PER_SELECT) {
        let sql = format!(
            "SELECT command_id FROM commands WHERE command_id IN ({})",
            tuples(1, chunk.len(), plain).trim_matches(['(', ')'])
        );
        let params: Vec<Param> = chunk.iter().map(|id| id.as_str().into()).collect();
        let found: Vec<(String,)> = tx.fetch(&sql, &params).await.map_err(map_sqlx)?;
        known.extend(found.into_iter().map(|(id,)| id));
    }
    Ok(known)
}

/// The last sequence of each of these streams that has events. One `MAX` per stream, so that
/// each reads only the end of its stream's index (a join grouped by stream would read every
/// event of every stream involved).
async fn stream_lasts(
    tx: &mut Tx<'_>,
    streams: &[(String, String)],
) -> Result<HashMap<(String, String), u64>, PersistenceError> {
    let mut lasts = HashMap::new();
    for chunk in streams.chunks(KEYS_PER_SELECT) {
        let sql = (0..chunk.len())
            .map(|i| {
                let (t, a) = (2 * i + 1, 2 * i + 2);
                format!(
                    "SELECT {i}, (SELECT MAX(sequence) FROM events \
                     WHERE aggregate_type = ${t} AND aggregate_id = ${a})"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let found: Vec<(i32, Option<i64>)> = tx
            .fetch(&sql, &pair_params(chunk))
            .await
            .map_err(map_sqlx)?;
        for (i, last) in found {
            let stream = usize::try_from(i)
                .ok()
                .and_then(|i| chunk.get(i))
                .ok_or_else(|| unknown("a stream's last sequence came back unasked"))?;
            if let Some(last) = last {
                lasts.insert(stream.clone(), to_u64(last)?);
            }
        }
    }
    Ok(lasts)
}

/// Which of these `(kind, id)` claims the log already holds. The caller holds the append lock,
/// so the answer stays true until it commits.
async fn taken_claims(
    tx: &mut Tx<'_>,
    keys: &[(String, String)],
) -> Result<HashSet<(String, String)>, PersistenceError> {
    let mut taken = HashSet::new();
    for chunk in keys.chunks(KEYS_PER_SELECT) {
        let sql = format!(
            "SELECT kind, id FROM claimed_ids WHERE {}",
            pairs("kind", "id", chunk.len())
        );
        let found: Vec<(String, String)> = tx
            .fetch(&sql, &pair_params(chunk))
            .await
            .map_err(map_sqlx)?;
        taken.extend(found);
    }
    Ok(taken)
}

/// Records the claims of rows just inserted.
async fn record_claims(tx: &mut Tx<'_>, claims: &[ClaimRow]) -> Result<(), PersistenceError> {
    for chunk in claims.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO claimed_ids (kind, id, aggregate_type, aggregate_id, position) VALUES {}",
            tuples(chunk.len(), 5, plain)
        );
        let params = chunk
            .iter()
            .flat_map(|claim| {
                [
                    claim.kind.wire_name().into(),
                    claim.id.as_str().into(),
                    claim.aggregate_type.as_str().into(),
                    claim.aggregate_id.as_str().into(),
                    claim.position.into(),
                ]
            })
            .collect();
        execute(tx, sql, params).await?;
    }
    Ok(())
}

async fn execute(tx: &mut Tx<'_>, sql: String, params: Vec<Param>) -> Result<(), PersistenceError> {
    tx.execute(&cpts_projections::db::Statement {
        sql: sql.into(),
        params,
    })
    .await
    .map(|_| ())
    .map_err(map_sqlx)
}

/// The column of `events.recorded_at` in the INSERT below.
const RECORDED_AT: usize = 9;

/// Inserts rows already numbered and chained, records the commands they came from, and moves
/// the head. The caller holds the append lock.
async fn write(tx: &mut Tx<'_>, rows: &[NewRow]) -> Result<(), PersistenceError> {
    let dialect = tx.dialect();
    let timestamp = |c: usize, n: usize| {
        if c == RECORDED_AT {
            dialect.timestamp_param(n)
        } else {
            format!("${n}")
        }
    };
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO events (position, aggregate_type, aggregate_id, sequence, event_type, \
             event_version, payload, metadata, community_id, recorded_at, prev_hash, hash, \
             chain_version) VALUES {}",
            tuples(chunk.len(), 13, timestamp)
        );
        let params = chunk
            .iter()
            .flat_map(|row| {
                [
                    row.position.into(),
                    row.aggregate_type.as_str().into(),
                    row.aggregate_id.as_str().into(),
                    row.sequence.into(),
                    row.event_type.as_str().into(),
                    row.event_version.as_str().into(),
                    row.payload.as_str().into(),
                    row.metadata.as_str().into(),
                    row.community_id.as_deref().into(),
                    row.recorded_at_text.as_str().into(),
                    row.prev_hash.as_slice().into(),
                    row.hash.as_slice().into(),
                    row.chain_version.into(),
                ]
            })
            .collect();
        execute(tx, sql, params).await?;
    }
    let spans = command_spans(rows);
    for chunk in spans.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO commands (command_id, aggregate_type, aggregate_id, first_position, \
             last_position, actor, command_hash) VALUES {}",
            tuples(chunk.len(), 7, plain)
        );
        let params = chunk
            .iter()
            .flat_map(|span| {
                [
                    span.command_id.into(),
                    span.first.aggregate_type.as_str().into(),
                    span.first.aggregate_id.as_str().into(),
                    span.first.position.into(),
                    span.last.position.into(),
                    span.first.actor.as_deref().into(),
                    span.first.command_hash.as_deref().into(),
                ]
            })
            .collect();
        execute(tx, sql, params).await?;
    }
    if let Some(last) = rows.last() {
        let mut sql = format!(
            "UPDATE log_head SET position = $1, hash = $2, recorded_at = {}",
            dialect.timestamp_param(3)
        );
        let mut params = vec![
            last.position.into(),
            last.hash.as_slice().into(),
            last.recorded_at_text.as_str().into(),
        ];
        // The first version 2 row written says where version 2 starts, once: later appends
        // leave the start where it is.
        let v2 = ChainVersion::V2.number();
        if let Some(first_v2) = rows.iter().find(|row| row.chain_version == v2) {
            sql.push_str(", chain_v2_from = COALESCE(chain_v2_from, $4)");
            params.push(first_v2.position.into());
        }
        execute(tx, sql, params).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_number_their_placeholders_row_by_row() {
        assert_eq!(tuples(2, 2, plain), "($1, $2), ($3, $4)");
        assert_eq!(
            tuples(1, 3, |c, n| if c == 1 {
                format!("CAST(${n} AS X)")
            } else {
                format!("${n}")
            }),
            "($1, CAST($2 AS X), $3)"
        );
        assert_eq!(
            pairs("a", "b", 2),
            "(a = $1 AND b = $2) OR (a = $3 AND b = $4)"
        );
    }
}
