//! Members' new notifications, pushed to their open subscriptions.
//!
//! One poller per process watches the outbox's checkpoint (one cheap query per period) and,
//! when it moved and someone listens, reads the member notifications the outbox inserted in
//! between and hands each to its member's channel. The outbox inserts a batch's rows and moves
//! its checkpoint in one transaction, so reading up to the checkpoint never misses a row of a
//! batch still being written. Subscriptions never touch the database after they start.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use cpts_projections::at_rest::column;
use cpts_projections::notifications::{MemberNotification, MEMBER_COLUMNS, SUBJECT_JOIN};
use cpts_projections::ReadDb;
use tokio::sync::broadcast;

/// How many notifications a member's slow subscription may fall behind before it re-reads
/// them from the database.
const CAPACITY: usize = 64;

/// One channel per member with an open subscription.
#[derive(Debug, Default)]
pub struct NotificationFeed {
    members: Mutex<HashMap<String, broadcast::Sender<MemberNotification>>>,
}

#[derive(Debug, sqlx::FromRow)]
struct Fresh {
    member_id: Option<String>,
    notification_key: String,
    position: i64,
    title: String,
    body: String,
    status: String,
    created_at: String,
    decision_id: Option<String>,
    decision_title: Option<String>,
}

impl NotificationFeed {
    /// A feed with no subscriber.
    pub fn new() -> Self {
        Self::default()
    }

    /// The new notifications of one member, from now on.
    pub fn subscribe(&self, member: &str) -> broadcast::Receiver<MemberNotification> {
        let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
        members
            .entry(member.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    fn listened(&self) -> bool {
        let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
        members.retain(|_, sender| sender.receiver_count() > 0);
        !members.is_empty()
    }

    fn announce(&self, fresh: Vec<Fresh>) {
        let members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
        for row in fresh {
            let Some(sender) = row.member_id.as_ref().and_then(|m| members.get(m)) else {
                continue;
            };
            // A subscription that just ended is not an error.
            let _ = sender.send(MemberNotification {
                notification_key: row.notification_key,
                position: row.position,
                title: row.title,
                body: row.body,
                status: row.status,
                created_at: row.created_at,
                decision_id: row.decision_id,
                decision_title: row.decision_title,
            });
        }
    }

    /// Watches the outbox of `db` every `every`, until the feed is dropped.
    pub fn spawn(self: &Arc<Self>, db: ReadDb, every: Duration) -> tokio::task::JoinHandle<()> {
        let feed: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut cursor: Option<u64> = None;
            loop {
                let Some(live) = feed.upgrade() else {
                    return;
                };
                match checkpoint(&db).await {
                    Ok(reached) => {
                        let from = cursor.unwrap_or(reached);
                        if reached > from && live.listened() {
                            match fresh(&db, from, reached).await {
                                Ok(rows) => {
                                    live.announce(rows);
                                    cursor = Some(reached);
                                }
                                Err(error) => tracing::warn!(
                                    error = format!("{error:#}"),
                                    "the notification feed could not read the outbox"
                                ),
                            }
                        } else {
                            cursor = Some(reached);
                        }
                    }
                    Err(error) => tracing::warn!(
                        error = format!("{error:#}"),
                        "the notification feed could not read the outbox's checkpoint"
                    ),
                }
                drop(live);
                tokio::time::sleep(every).await;
            }
        })
    }
}

// These reads are not counted by `ReadDb::fetch`, whose count measures what requests cost.
async fn checkpoint(db: &ReadDb) -> anyhow::Result<u64> {
    super::outbox::checkpoint(db).await
}

async fn fresh(db: &ReadDb, after: u64, upto: u64) -> anyhow::Result<Vec<Fresh>> {
    let sql = format!(
        "SELECT o.member_id, {MEMBER_COLUMNS} FROM notify_outbox o {SUBJECT_JOIN} \
         WHERE o.channel = 'member' AND o.position > $1 AND o.position <= $2 \
         ORDER BY o.position, o.notification_key"
    );
    let bound = |p: u64| i64::try_from(p).unwrap_or(i64::MAX);
    let at_rest = db.at_rest()?;
    let mut rows: Vec<Fresh> = db
        .fetch_uncounted(&sql, &[bound(after).into(), bound(upto).into()])
        .await?;
    for row in &mut rows {
        row.title = at_rest.open(column::OUTBOX_TITLE, &row.title)?;
        row.body = at_rest.open(column::OUTBOX_BODY, &row.body)?;
    }
    Ok(rows)
}
