//! The rights of the people the record is about: access (everything held about one person, as
//! JSON) and erasure (their key destroyed; see `store::vault`).

use anyhow::Context;
use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::ids::MemberId;
use cpts_domain::member::MemberCommand;
use cpts_graphql::port::{CommandContext, LedgerPort, Receipt};
use cpts_projections::at_rest::column;
use cpts_projections::db::Dialect;
use cpts_projections::stmt;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::service::Ledger;
use crate::store::{EventRepository, StoredEvent};
use crate::tokens;

/// The name of the document [`export_person`] writes, and of its version: a reader checks it
/// before anything else. Described key by key in `docs/personal-data.md`.
pub const FORMAT: &str = "cpts-ledger-personal-data/1";

/// How many events one read of the log covers while gathering a person's data.
const PAGE: u32 = 1_000;

/// The event types of a member's record that say how they consent to be written to.
const CONSENT: &[&str] = &[
    "ContactSet",
    "ContactWithdrawn",
    "Unsubscribed",
    "PersonalDataErased",
];

fn event_json(event: &StoredEvent) -> Value {
    json!({
        "position": event.position,
        "record": { "type": event.aggregate_type, "id": event.aggregate_id },
        "sequence": event.sequence,
        "event_type": event.event_type,
        "recorded_at": event.recorded_at_text,
        "actor": event.metadata.get("actor"),
        "payload": event.payload,
        "metadata": event.metadata,
    })
}

/// A contribution the person wrote, and every event about it.
struct Written {
    contribution_id: String,
    consultation_id: String,
    events: Vec<Value>,
}

/// One notification of the outbox, as sent (or as queued, or cancelled).
#[derive(Debug, sqlx::FromRow)]
struct Notification {
    notification_key: String,
    position: i64,
    channel: String,
    status: String,
    lang: String,
    title: String,
    body: String,
    attempts: i64,
    created_at: String,
    sent_at: Option<String>,
}

/// The contact as the outbox derived it from the log.
#[derive(Debug, sqlx::FromRow)]
struct ContactRow {
    email: Option<String>,
    lang: String,
    unsubscribed_at: Option<String>,
}

/// Everything the ledger holds about one member (right of access, GDPR article 15), as the
/// document [`FORMAT`]: the events they performed (their actor in the metadata), the events
/// about them (their record, the contributions they wrote with every event about those,
/// answers included, and every other event naming them), their contact details and the
/// history of their consent, the notifications addressed to them and their API tokens
/// (never a secret). Personal fields are decrypted; once erased or withdrawn they read as
/// erased. The same function answers `cpts-ledger export-person` and the `personalData` query.
pub async fn export_person(ledger: &Ledger, member: MemberId) -> anyhow::Result<Value> {
    let repo = ledger.repository();
    let id = member.to_string();
    let actor = Actor::Member(member).to_metadata();
    let mut performed = Vec::new();
    let mut record = Vec::new();
    let mut consent = Vec::new();
    let mut written: Vec<Written> = Vec::new();
    let mut naming_them = Vec::new();
    let mut community_id = None;
    let mut after = 0;
    loop {
        let page = repo
            .read_log(after, PAGE)
            .await
            .context("reading the log")?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.position;
        for event in &page {
            if event.metadata.get("actor").and_then(Value::as_str) == Some(actor.as_str()) {
                performed.push(event_json(event));
            }
            if event.aggregate_type == "member" && event.aggregate_id == id {
                community_id = community_id.or_else(|| event.community_id.clone());
                if CONSENT.contains(&event.event_type.as_str()) {
                    let body = event.payload.get(&event.event_type);
                    consent.push(json!({
                        "position": event.position,
                        "recorded_at": event.recorded_at_text,
                        "event_type": event.event_type,
                        "actor": event.metadata.get("actor"),
                        "email": body.and_then(|b| b.get("email")),
                        "language": body.and_then(|b| b.get("language")),
                    }));
                }
                record.push(event_json(event));
                continue;
            }
            let text = event.payload.to_string();
            if event.event_type == "ContributionSubmitted" {
                let body = &event.payload["ContributionSubmitted"];
                if body["author"]["member_id"].as_str() == Some(id.as_str()) {
                    if let Some(contribution) = body["contribution_id"].as_str() {
                        written.push(Written {
                            contribution_id: contribution.to_owned(),
                            consultation_id: event.aggregate_id.clone(),
                            events: vec![event_json(event)],
                        });
                        continue;
                    }
                }
            }
            let mut about_theirs = false;
            for contribution in written.iter_mut() {
                if text.contains(&contribution.contribution_id) {
                    contribution.events.push(event_json(event));
                    about_theirs = true;
                }
            }
            if !about_theirs && text.contains(&id) {
                naming_them.push(event_json(event));
            }
        }
        if page.len() < PAGE as usize {
            break;
        }
    }
    anyhow::ensure!(!record.is_empty(), "no member {id} in this ledger");
    let db = repo.db();
    let contact: Option<ContactRow> = db
        .fetch_uncounted(
            "SELECT email, lang, unsubscribed_at FROM notify_contacts WHERE subject_id = $1",
            &[id.as_str().into()],
        )
        .await
        .context("reading the contact details")?
        .into_iter()
        .next();
    let contact = match contact {
        Some(mut c) => {
            c.email = db
                .at_rest()?
                .open_opt(crate::notify::outbox::EMAIL_COLUMN, c.email.as_deref())?;
            Some(c)
        }
        None => None,
    };
    let notifications: Vec<Notification> = db
        .fetch_uncounted(
            "SELECT notification_key, position, channel, status, lang, title, body, attempts, \
             created_at, sent_at FROM notify_outbox WHERE member_id = $1 OR subject_id = $1 \
             ORDER BY position, created_at, notification_key",
            &[id.as_str().into()],
        )
        .await
        .context("reading the notifications")?;
    // Their title and text are sealed at rest (`cpts_projections::at_rest`).
    let at_rest = db.at_rest()?;
    let notifications = notifications
        .into_iter()
        .map(|n| {
            Ok(Notification {
                title: at_rest.open(column::OUTBOX_TITLE, &n.title)?,
                body: at_rest.open(column::OUTBOX_BODY, &n.body)?,
                ..n
            })
        })
        .collect::<Result<Vec<_>, cpts_projections::at_rest::Unreadable>>()
        .context("opening the notifications")?;
    let tokens: Vec<Value> = tokens::list(repo)
        .await?
        .into_iter()
        .filter(|t| t.member_id.as_deref() == Some(id.as_str()))
        .map(|t| {
            json!({
                "token_id": t.token_id, "role": t.role, "label": t.label,
                "created_at": t.created_at, "expires_at": t.expires_at,
                "revoked_at": t.revoked_at,
            })
        })
        .collect();
    let (position, hash) = ledger.head().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(json!({
        "format": FORMAT,
        "member_id": id,
        "community_id": community_id,
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "log_head": { "position": position, "hash": hash },
        "events_performed": performed,
        "member_record": record,
        "contributions": written.into_iter().map(|w| json!({
            "contribution_id": w.contribution_id,
            "consultation_id": w.consultation_id,
            "events": w.events,
        })).collect::<Vec<_>>(),
        "events_naming_them": naming_them,
        "contact": contact.map(|c| json!({
            "email": c.email,
            "language": c.lang,
            "subscribed": c.email.is_some() && c.unsubscribed_at.is_none(),
            "withdrawn_at": c.unsubscribed_at,
        })),
        "consent_history": consent,
        "notifications": notifications.into_iter().map(|n| json!({
            "key": n.notification_key,
            "position": n.position,
            "channel": n.channel,
            "status": n.status,
            "language": n.lang,
            "title": n.title,
            "body": n.body,
            "attempts": n.attempts,
            "created_at": n.created_at,
            "sent_at": n.sent_at,
        })).collect::<Vec<_>>(),
        "api_tokens": tokens,
    }))
}

/// After an erasure, asks the database to drop the old versions of the rows it changed: the
/// destroyed key and the read models' former texts would otherwise linger in dead row versions
/// (PostgreSQL) or free pages (SQLite) until the database reclaims them on its own.
pub async fn scrub_storage(repo: &EventRepository) -> anyhow::Result<()> {
    // The only statements that differ by backend: each database's own way of reclaiming
    // space. On SQLite the write-ahead log also holds the old pages until it is checkpointed.
    let statements: &[&'static str] = match repo.db().dialect() {
        Dialect::Postgres => &["VACUUM person_keys, proj_members, proj_contributions, \
             proj_contribution_versions, contribution_files, notify_outbox, notify_contacts, \
             api_tokens"],
        Dialect::Sqlite => &["VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"],
    };
    for &sql in statements {
        repo.db()
            .execute(&stmt!(sql))
            .await
            .with_context(|| format!("reclaiming space after an erasure ({sql})"))?;
    }
    Ok(())
}

/// Erases a member's personal data, as the service itself (the command line).
pub async fn erase(ledger: &Ledger, member: MemberId, on: NaiveDate) -> anyhow::Result<Receipt> {
    let command = AddressedCommand::Member {
        id: member,
        command: MemberCommand::ErasePersonalData { on },
    };
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    ledger
        .execute(command, context)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}
