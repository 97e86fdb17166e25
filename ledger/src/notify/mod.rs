//! Closing the loop: telling every contributor what became of their contribution.
//!
//! - [`outbox`]: the outbox, fed from the event log with its own checkpoint, in the same
//!   transaction as the notifications it inserts; each notification has a stable key;
//! - [`deliver`]: the delivery worker, which claims due notifications (PostgreSQL:
//!   `FOR UPDATE SKIP LOCKED`, so two instances never send the same one), sends them by e-mail
//!   or webhook, and retries with exponential backoff until it gives up and marks them failed;
//! - [`live`]: members' new notifications, pushed to their open subscriptions;
//! - [`digest`]: the coordinator's digest of contributions whose answer deadline is near or
//!   past;
//! - [`texts`]: what the messages say, in French or in English.
//!
//! Delivery is at least once: a notification is marked sent after the server accepted it, in
//! the transaction that claimed it. If the service dies in between, the claim is released and
//! the notification is sent again, with the same key as Message-ID or delivery id.

pub mod deliver;
pub mod digest;
pub mod live;
pub mod outbox;
pub mod texts;

pub use cpts_projections::notifications::{
    delivery_problems, mark_read, member_notifications, DeliveryProblem, MemberNotification,
};

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cpts_domain::values::Lang;
use cpts_projections::{stmt, ReadDb};

use crate::config::redact_password;
use crate::store::EventRepository;

/// The settings of notifications: where e-mails and webhooks go, and how hard to try.
#[derive(Clone)]
pub struct NotifyConfig {
    /// The SMTP server, `smtp://[user:password@]host[:port]`; without it no e-mail is sent and
    /// e-mails stay queued.
    pub smtp_url: Option<String>,
    /// The sender of e-mails, e.g. `CPTS du Val de l'Étang <contact@cpts.example>`.
    pub mail_from: String,
    /// The URL that receives a signed POST for each published answer; none: no webhook.
    pub webhook_url: Option<String>,
    /// The secret of the webhooks' HMAC-SHA256 signature; webhooks are sent only with one.
    pub webhook_secret: Option<String>,
    /// The public address of the service, for the unsubscribe links.
    pub public_url: String,
    /// How many attempts before a notification is marked failed.
    pub max_attempts: u32,
    /// The delay before the first retry; it doubles at each attempt, up to an hour.
    pub backoff: Duration,
    /// How often the worker looks for new events and due notifications.
    pub poll: Duration,
    /// How long one delivery may take before it counts as failed.
    pub send_timeout: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "CPTS <notifications@localhost>".into(),
            webhook_url: None,
            webhook_secret: None,
            public_url: "http://127.0.0.1:8080".into(),
            max_attempts: 8,
            backoff: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            send_timeout: Duration::from_secs(30),
        }
    }
}

impl fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifyConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_password))
            .field("mail_from", &self.mail_from)
            .field("webhook_url", &self.webhook_url)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "***"),
            )
            .field("public_url", &self.public_url)
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .field("poll", &self.poll)
            .finish()
    }
}

impl NotifyConfig {
    /// The settings from the environment: `CPTS_SMTP_URL`, `CPTS_MAIL_FROM`,
    /// `CPTS_WEBHOOK_URL`, `CPTS_WEBHOOK_SECRET`, `CPTS_PUBLIC_URL`,
    /// `CPTS_NOTIFY_MAX_ATTEMPTS`, `CPTS_NOTIFY_BACKOFF_MS`, `CPTS_NOTIFY_POLL_MS`; defaults
    /// for what is not set.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let millis = |name: &str, default: Duration| -> anyhow::Result<Duration> {
            match var(name) {
                Some(v) => Ok(Duration::from_millis(v.trim().parse().map_err(|e| {
                    anyhow::anyhow!("{name} must be a number of milliseconds: {e}")
                })?)),
                None => Ok(default),
            }
        };
        let defaults = Self::default();
        Ok(Self {
            smtp_url: var("CPTS_SMTP_URL"),
            mail_from: var("CPTS_MAIL_FROM").unwrap_or(defaults.mail_from),
            webhook_url: var("CPTS_WEBHOOK_URL"),
            webhook_secret: var("CPTS_WEBHOOK_SECRET"),
            public_url: var("CPTS_PUBLIC_URL").unwrap_or(defaults.public_url),
            max_attempts: match var("CPTS_NOTIFY_MAX_ATTEMPTS") {
                Some(v) => v.trim().parse().map_err(|e| {
                    anyhow::anyhow!("CPTS_NOTIFY_MAX_ATTEMPTS must be a number: {e}")
                })?,
                None => defaults.max_attempts,
            },
            backoff: millis("CPTS_NOTIFY_BACKOFF_MS", defaults.backoff)?,
            poll: millis("CPTS_NOTIFY_POLL_MS", defaults.poll)?,
            send_timeout: defaults.send_timeout,
        })
    }
}

/// A time as the outbox stores it: RFC 3339, UTC, fixed width, so text order is time order.
pub fn now_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// What an unsubscribe link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribed {
    /// The address is forgotten and no more e-mail will be sent to it.
    Done(Lang),
    /// The link is unknown (or was already used).
    Unknown,
}

/// Follows an unsubscribe link: the address is forgotten, its queued e-mails are cancelled,
/// and for an anonymous inhabitant the key of the address is destroyed, so the log's copy reads
/// as erased too. A member's own record stays; they may set a new address.
pub async fn unsubscribe(
    repo: &EventRepository,
    db: &ReadDb,
    token: &str,
) -> anyhow::Result<Unsubscribed> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(Unsubscribed::Unknown);
    }
    let rows: Vec<(String, String)> = db
        .fetch(
            "SELECT subject_id, lang FROM notify_contacts WHERE unsubscribe_token = $1 \
             AND email IS NOT NULL",
            &[token.into()],
        )
        .await?;
    let Some((subject, lang)) = rows.into_iter().next() else {
        return Ok(Unsubscribed::Unknown);
    };
    let is_member: Vec<(String,)> = db
        .fetch(
            "SELECT member_id FROM proj_members WHERE member_id = $1",
            &[subject.as_str().into()],
        )
        .await?;
    let mut tx = db.begin().await?;
    tx.execute(&stmt!(
        "UPDATE notify_contacts SET email = NULL, unsubscribed_at = $2 WHERE subject_id = $1",
        subject.as_str(),
        now_text(Utc::now()),
    ))
    .await?;
    tx.execute(&stmt!(
        "UPDATE notify_outbox SET recipient = NULL, last_error = NULL, \
         status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END \
         WHERE subject_id = $1 AND channel = 'email'",
        subject.as_str(),
    ))
    .await?;
    tx.commit().await?;
    if is_member.is_empty() {
        repo.forget_anonymous_contact(&subject).await?;
    }
    Ok(Unsubscribed::Done(outbox::parse_lang(&lang)))
}
