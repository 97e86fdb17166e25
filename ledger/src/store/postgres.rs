//! PostgreSQL's group commit: the appends of one process are gathered into one transaction.
//! The protocol each append follows is the one of `append.rs`, the same code as on SQLite.

use cpts_projections::db::{ReadDb, Tx};
use cqrs_es::persist::{PersistenceError, SerializedEvent};
use sqlx::pool::PoolConnection;
use sqlx::{Acquire, PgConnection, PgPool, Postgres};
use tokio::sync::{mpsc, oneshot};

use super::append::{append, append_in};
use super::map_sqlx;

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
    pub(super) fn start(db: ReadDb, pool: PgPool) -> Self {
        let (queue, mut waiting) = mpsc::unbounded_channel::<Pending>();
        tokio::spawn(async move {
            // The writer keeps its connection between groups, so a group does not wait for the
            // pool (and its liveness check) before it starts.
            let mut connection: Option<PoolConnection<Postgres>> = None;
            while let Some(first) = waiting.recv().await {
                let mut group = vec![first];
                gather(&mut waiting, &mut group).await;
                commit_group(&db, &pool, &mut connection, group).await;
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
    db: &ReadDb,
    pool: &PgPool,
    connection: &mut Option<PoolConnection<Postgres>>,
    mut group: Vec<Pending>,
) {
    if group.len() == 1 {
        if let Some(alone) = group.pop() {
            let result = append(db, &alone.events).await;
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
                let result = append(db, &pending.events).await;
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
    let mut tx = Tx::Postgres(connection.begin().await.map_err(map_sqlx)?);
    let appends: Vec<&[SerializedEvent]> = group.iter().map(|p| p.events.as_slice()).collect();
    let answers = append_in(&mut tx, &appends).await?;
    tx.commit().await.map_err(map_sqlx)?;
    Ok(answers)
}
