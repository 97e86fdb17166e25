//! The notifications as people read them: a member's notifications in the service, and the
//! deliveries the coordinator must look at. The outbox itself is fed and delivered by the
//! service (`ledger/src/notify`); these are reads of its table, plus the read flag. Titles,
//! texts, addresses and errors are stored sealed ([`crate::at_rest`]) and opened here.

use crate::at_rest::column;
use crate::{stmt, ReadDb};

/// A notification shown in the service to the member it is for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberNotification {
    /// Its stable key.
    pub notification_key: String,
    /// The log position of the event it tells about.
    pub position: i64,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// `unread` or `read`.
    pub status: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// The decision whose answer it tells about, when the event it tells about is a decision's.
    pub decision_id: Option<String>,
    /// That decision's title.
    pub decision_title: Option<String>,
}

/// The columns of a [`MemberNotification`], from `notify_outbox o` joined with
/// [`SUBJECT_JOIN`].
pub const MEMBER_COLUMNS: &str = "o.notification_key, o.position, o.title, o.body, o.status, \
     o.created_at, e.aggregate_id AS decision_id, d.title AS decision_title";

/// What a notification is about: the event at its position (an answer published is a decision's
/// event), and that decision. The outbox keeps no id of its own for it; the log does.
pub const SUBJECT_JOIN: &str = "LEFT JOIN events e ON e.position = o.position \
     AND e.aggregate_type = 'decision' \
     LEFT JOIN proj_decisions d ON d.decision_id = e.aggregate_id";

/// The notifications of a member, newest first.
pub async fn member_notifications(
    db: &ReadDb,
    member_id: &str,
) -> Result<Vec<MemberNotification>, sqlx::Error> {
    let at_rest = db.at_rest()?;
    let mut rows: Vec<MemberNotification> = db
        .fetch(
            &format!(
                "SELECT {MEMBER_COLUMNS} FROM notify_outbox o {SUBJECT_JOIN} \
                 WHERE o.channel = 'member' AND o.member_id = $1 \
                 ORDER BY o.position DESC, o.notification_key"
            ),
            &[member_id.into()],
        )
        .await?;
    for row in &mut rows {
        row.title = at_rest.open(column::OUTBOX_TITLE, &row.title)?;
        row.body = at_rest.open(column::OUTBOX_BODY, &row.body)?;
    }
    Ok(rows)
}

/// Marks a member's notification read; false if the member has no such notification.
pub async fn mark_read(db: &ReadDb, member_id: &str, key: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(&stmt!(
            "UPDATE notify_outbox SET status = 'read' WHERE channel = 'member' \
             AND member_id = $1 AND notification_key = $2",
            member_id,
            key,
        ))
        .await?;
    tx.commit().await?;
    Ok(changed > 0)
}

/// Marks every unread notification of a member read; returns how many were unread. Another
/// member's notifications are not touched.
pub async fn mark_all_read(db: &ReadDb, member_id: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(&stmt!(
            "UPDATE notify_outbox SET status = 'read' WHERE channel = 'member' \
             AND member_id = $1 AND status = 'unread'",
            member_id,
        ))
        .await?;
    tx.commit().await?;
    Ok(changed)
}

/// An e-mail or webhook the worker gave up on, or still retries, for the coordinator.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryProblem {
    /// Its stable key.
    pub notification_key: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// `failed` (given up) or `queued` (to be retried).
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// The last error.
    pub last_error: Option<String>,
    /// When the next attempt is due (RFC 3339), for a queued one.
    pub next_attempt_at: String,
}

/// The e-mails and webhooks of a CPTS that failed, or failed at least once and wait for a
/// retry.
pub async fn delivery_problems(
    db: &ReadDb,
    community_id: &str,
) -> Result<Vec<DeliveryProblem>, sqlx::Error> {
    let at_rest = db.at_rest()?;
    let mut rows: Vec<DeliveryProblem> = db
        .fetch(
            "SELECT notification_key, channel, status, attempts, last_error, next_attempt_at \
             FROM notify_outbox WHERE community_id = $1 AND channel IN ('email', 'webhook') \
             AND (status = 'failed' OR (status = 'queued' AND attempts > 0)) \
             ORDER BY position, notification_key",
            &[community_id.into()],
        )
        .await?;
    for row in &mut rows {
        row.last_error = at_rest.open_opt(column::OUTBOX_LAST_ERROR, row.last_error.as_deref())?;
    }
    Ok(rows)
}
