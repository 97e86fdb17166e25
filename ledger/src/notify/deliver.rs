//! The delivery worker: claims due notifications, sends them, records the outcome.
//!
//! On PostgreSQL a notification is claimed with `SELECT … FOR UPDATE SKIP LOCKED` in a
//! transaction that stays open while it is sent and is committed with its new status: another
//! instance skips the locked row, and if this one dies before the commit the lock is released
//! and the row is still queued, so it is sent again (at least once), with the same key. On
//! SQLite, a single-file store served by one instance, the row is read, sent and updated.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use cpts_projections::at_rest::{column, AtRest};
use cpts_projections::db::{Param, Statement};
use cpts_projections::ReadDb;
use hmac::{Hmac, Mac};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;

use super::{now_text, outbox, NotifyConfig};
use crate::projector::Projector;
use crate::store::EventRepository;

/// The header carrying a webhook's stable delivery id.
pub const DELIVERY_HEADER: &str = "X-Cpts-Delivery";
/// The header carrying a webhook's signature, `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Cpts-Signature";
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The signature of a webhook body with a secret: `sha256=<hex>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The Message-ID of an e-mail: its notification's stable key.
pub fn message_id(key: &str) -> String {
    format!("<{key}@cpts-ledger>")
}

/// An SMTP server as `CPTS_SMTP_URL` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    /// Host name or address.
    pub host: String,
    /// Port (25 when not given).
    pub port: u16,
    /// User and password, if given.
    pub credentials: Option<(String, String)>,
}

impl SmtpServer {
    /// Parses `smtp://[user:password@]host[:port]`. The connection is plain SMTP, for a relay
    /// on the same host or a trusted network (the relay carries mail on, with TLS).
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let rest = url
            .strip_prefix("smtp://")
            .context("CPTS_SMTP_URL must be smtp://[user:password@]host[:port]")?;
        let rest = rest.trim_end_matches('/');
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((credentials, address)) => {
                let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
                (Some((user.to_owned(), password.to_owned())), address)
            }
            None => (None, rest),
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .context("the port of CPTS_SMTP_URL must be a number")?,
            ),
            None => (address, 25),
        };
        anyhow::ensure!(!host.is_empty(), "CPTS_SMTP_URL names no host");
        Ok(Self {
            host: host.to_owned(),
            port,
            credentials,
        })
    }
}

/// A notification claimed for delivery.
#[derive(Debug, sqlx::FromRow)]
struct Due {
    notification_key: String,
    channel: String,
    recipient: Option<String>,
    title: String,
    body: String,
    attempts: i64,
}

const DUE: &str = "SELECT notification_key, channel, recipient, title, body, attempts \
                   FROM notify_outbox WHERE status = 'queued' AND next_attempt_at <= $1 \
                   AND ((channel = 'email' AND $2 = 'y') OR (channel = 'webhook' AND $3 = 'y')) \
                   ORDER BY next_attempt_at, position, notification_key LIMIT 1";

const SENT: &str = "UPDATE notify_outbox SET status = 'sent', attempts = attempts + 1, \
                    sent_at = $2, last_error = NULL \
                    WHERE notification_key = $1 AND status = 'queued'";

const RETRY: &str = "UPDATE notify_outbox SET status = $2, attempts = attempts + 1, \
                     next_attempt_at = $3, last_error = $4 \
                     WHERE notification_key = $1 AND status = 'queued'";

/// The worker of one service instance.
pub struct Notifier {
    repo: EventRepository,
    projector: Arc<Projector>,
    config: NotifyConfig,
    mailer: Option<AsyncSmtpTransport<Tokio1Executor>>,
    http: reqwest::Client,
}

impl Notifier {
    /// A worker over a store and its read models.
    pub fn new(
        repo: EventRepository,
        projector: Arc<Projector>,
        config: NotifyConfig,
    ) -> anyhow::Result<Self> {
        let mailer = match config.smtp_url.as_deref() {
            Some(url) => {
                let server = SmtpServer::parse(url)?;
                let mut builder =
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host)
                        .port(server.port)
                        .timeout(Some(config.send_timeout));
                if let Some((user, password)) = server.credentials {
                    builder = builder.credentials(Credentials::new(user, password));
                }
                Some(builder.build())
            }
            None => None,
        };
        let http = reqwest::Client::builder()
            .timeout(config.send_timeout)
            .build()
            .context("building the webhook client")?;
        Ok(Self {
            repo,
            projector,
            config,
            mailer,
            http,
        })
    }

    fn db(&self) -> &ReadDb {
        self.projector.db()
    }

    fn webhooks_on(&self) -> bool {
        self.config.webhook_secret.is_some()
    }

    /// One round: brings the read models and the outbox up to the log, then sends every due
    /// notification. Returns how many were sent or failed an attempt.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        self.projector.catch_up().await?;
        outbox::feed(&self.repo, self.db(), &self.config).await?;
        let mut handled = 0;
        while self.deliver_one().await? {
            handled += 1;
        }
        Ok(handled)
    }

    /// Runs a round every `poll`, logging failures, until the task is dropped.
    pub fn spawn(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        if self.mailer.is_none() {
            tracing::warn!("no SMTP server configured (CPTS_SMTP_URL): e-mails stay queued");
        }
        if self.config.webhook_url.is_some() && !self.webhooks_on() {
            tracing::warn!("CPTS_WEBHOOK_URL without CPTS_WEBHOOK_SECRET: webhooks stay queued");
        }
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(self.config.poll);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = self.run_once().await {
                    tracing::error!(
                        error = format!("{error:#}"),
                        "notifications: a round failed"
                    );
                }
            }
        })
    }

    /// Claims, sends and records one due notification; false when none is due.
    pub async fn deliver_one(&self) -> anyhow::Result<bool> {
        let email = if self.mailer.is_some() { "y" } else { "n" };
        let webhook = if self.webhooks_on() { "y" } else { "n" };
        if email == "n" && webhook == "n" {
            return Ok(false);
        }
        let now = now_text(Utc::now());
        let db = self.db();
        let sql = format!("{DUE}{}", db.dialect().skip_locked());
        let params: [Param; 3] = [now.as_str().into(), email.into(), webhook.into()];
        // PostgreSQL: the row stays locked while it is sent, in a transaction that commits its
        // new status, so another instance skips it. SQLite (one instance on one file) has no
        // row locks: the row is read, sent and updated, without holding the database's write
        // lock while it waits for the SMTP server.
        let mut claim = if db.dialect().locks_rows() {
            Some(db.begin().await?)
        } else {
            None
        };
        let due: Option<Due> = match &mut claim {
            Some(tx) => tx.fetch_optional(&sql, &params).await?,
            None => db.fetch_optional(&sql, &params).await?,
        };
        let Some(mut due) = due else {
            if let Some(tx) = claim {
                tx.commit().await?;
            }
            return Ok(false);
        };
        let at_rest = db.at_rest()?;
        due.recipient = at_rest.open_opt(column::OUTBOX_RECIPIENT, due.recipient.as_deref())?;
        due.title = at_rest.open(column::OUTBOX_TITLE, &due.title)?;
        due.body = at_rest.open(column::OUTBOX_BODY, &due.body)?;
        let outcome = self.send(&due).await;
        let (sql, params) = self.outcome(at_rest, &due, outcome);
        let statement = Statement {
            sql: sql.into(),
            params: params.into_iter().map(Param::from).collect(),
        };
        match claim {
            Some(mut tx) => {
                tx.execute(&statement).await?;
                tx.commit().await?;
            }
            None => {
                db.execute(&statement).await?;
            }
        }
        Ok(true)
    }

    /// The statement recording an attempt's outcome, and its parameters.
    fn outcome(
        &self,
        at_rest: &AtRest,
        due: &Due,
        outcome: anyhow::Result<()>,
    ) -> (&'static str, Vec<Option<String>>) {
        let now = Utc::now();
        match outcome {
            Ok(()) => (
                SENT,
                vec![Some(due.notification_key.clone()), Some(now_text(now))],
            ),
            Err(error) => {
                let attempts = u32::try_from(due.attempts + 1).unwrap_or(u32::MAX);
                let status = if attempts >= self.config.max_attempts {
                    "failed"
                } else {
                    "queued"
                };
                let wait = self
                    .config
                    .backoff
                    .saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1)))
                    .min(MAX_BACKOFF);
                let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
                let error: String = format!("{error:#}").chars().take(500).collect();
                tracing::warn!(
                    key = due.notification_key,
                    channel = due.channel,
                    attempts,
                    status,
                    error,
                    "notifications: delivery failed"
                );
                (
                    RETRY,
                    vec![
                        Some(due.notification_key.clone()),
                        Some(status.to_owned()),
                        Some(now_text(next)),
                        // An SMTP server's answer may quote the address.
                        Some(at_rest.seal(column::OUTBOX_LAST_ERROR, &error)),
                    ],
                )
            }
        }
    }

    async fn send(&self, due: &Due) -> anyhow::Result<()> {
        let recipient = due
            .recipient
            .as_deref()
            .context("the notification has no recipient")?;
        match due.channel.as_str() {
            "email" => {
                let mailer = self.mailer.as_ref().context("no SMTP server")?;
                let message = Message::builder()
                    .from(self.config.mail_from.parse().context("CPTS_MAIL_FROM")?)
                    .to(recipient.parse().context("the recipient's address")?)
                    .subject(due.title.clone())
                    .message_id(Some(message_id(&due.notification_key)))
                    .header(ContentType::TEXT_PLAIN)
                    .body(due.body.clone())
                    .context("building the e-mail")?;
                mailer.send(message).await.context("sending the e-mail")?;
                Ok(())
            }
            "webhook" => {
                let secret = self
                    .config
                    .webhook_secret
                    .as_deref()
                    .context("no webhook secret")?;
                let response = self
                    .http
                    .post(recipient)
                    .header("content-type", "application/json")
                    .header(DELIVERY_HEADER, &due.notification_key)
                    .header(SIGNATURE_HEADER, sign(secret, due.body.as_bytes()))
                    .body(due.body.clone())
                    .send()
                    .await
                    .context("posting the webhook")?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "the webhook receiver answered {}",
                    response.status()
                );
                Ok(())
            }
            other => anyhow::bail!("unknown channel {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_read_with_or_without_credentials_and_port() {
        let plain = SmtpServer::parse("smtp://127.0.0.1:2525").expect("parses");
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 2525));
        assert_eq!(plain.credentials, None);
        let full = SmtpServer::parse("smtp://cpts:s3cret@relay.local").expect("parses");
        assert_eq!((full.host.as_str(), full.port), ("relay.local", 25));
        assert_eq!(full.credentials, Some(("cpts".into(), "s3cret".into())));
        assert!(SmtpServer::parse("https://relay").is_err());
    }

    #[test]
    fn signatures_are_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
