//! Feeding the outbox from the log: what each event means for the notifications.
//!
//! The outbox is applied like a read model: events past its checkpoint, in position order, in
//! one transaction that first locks the checkpoint (PostgreSQL: `SELECT … FOR UPDATE`; SQLite:
//! `BEGIN IMMEDIATE`), re-reads it, inserts the notifications and moves the checkpoint. A crash
//! before the commit leaves both as they were; two instances feeding at once serialize on the
//! checkpoint and the second skips what the first inserted. Each notification's key is a UUID
//! v5 of the event and the recipient, so the same news is the same row whoever inserts it.
//!
//! The outbox only reads events the read models have applied: the answer's disposition and
//! rationale, the decision's title and the contribution's author come from them.
//!
//! `notify_contacts` is derived from the log alone: an address set or left, withdrawn or
//! unsubscribed, each an event; the unsubscribe link is a MAC under a key of the store (see
//! `store::vault`). A store imported from an export therefore rebuilds the same contacts, and
//! someone who unsubscribed stays unsubscribed.
//!
//! A notification's recipient, title, text and last error are stored sealed
//! (`cpts_projections::at_rest`): an address, and a message that quotes the record, are
//! personal data a copy of the database must not show.

use std::collections::HashMap;

use anyhow::Context;
use chrono::Utc;
use cpts_domain::consultation::ConsultationEvent;
use cpts_domain::decision::DecisionEvent;
use cpts_domain::member::MemberEvent;
use cpts_domain::personal::ERASED;
use cpts_domain::values::Lang;
use cpts_projections::at_rest::{column, AtRest};
use cpts_projections::db::{Param, Statement, Tx};
use cpts_projections::{projector, stmt, Envelope, Fact, ReadDb};
use uuid::Uuid;

use super::texts::{answer_message, AnswerNews};
use super::{now_text, NotifyConfig};
use crate::projector::envelope_or_unreadable;
use crate::store::EventRepository;

/// The namespace of notification keys.
const KEYS: Uuid = Uuid::from_u128(0x5d1c_6a2e_8f7b_4c39_9a0e_2b4f_6c8d_1e3f);

/// How many events one transaction of the outbox covers.
const BATCH: u32 = 1_000;

/// The stable key of one notification: the event (by its place in its record's stream, which
/// never changes) and the recipient.
pub fn notification_key(event: &Envelope, recipient: &str) -> Uuid {
    let name = format!(
        "{}/{}/{}/{recipient}",
        event.aggregate_type, event.aggregate_id, event.sequence
    );
    Uuid::new_v5(&KEYS, name.as_bytes())
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

/// Parses a stored language name; French unless English was chosen.
pub fn parse_lang(name: &str) -> Lang {
    if name == "en" {
        Lang::En
    } else {
        Lang::Fr
    }
}

fn to_i64(position: u64) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
}

/// Reads the outbox's checkpoint.
const CHECKPOINT: &str = "SELECT position FROM notify_checkpoint WHERE name = 'outbox'";

/// The outbox's checkpoint: the last log position turned into notifications. Background
/// work: not counted as a read of the read models.
pub async fn checkpoint(db: &ReadDb) -> anyhow::Result<u64> {
    let position: Option<(i64,)> = db.fetch_optional(CHECKPOINT, &[]).await?;
    Ok(position.map_or(0, |(p,)| u64::try_from(p).unwrap_or(0)))
}

/// The checkpoint, locked until the transaction (begun by [`ReadDb::begin_write`]) ends.
async fn locked_checkpoint(tx: &mut Tx<'_>) -> anyhow::Result<u64> {
    let sql = format!("{CHECKPOINT}{}", tx.dialect().for_update());
    let position: Option<(i64,)> = tx.fetch_optional(&sql, &[]).await?;
    let (position,) = position.context("the outbox has no checkpoint")?;
    Ok(u64::try_from(position).unwrap_or(0))
}

/// A person's contact as the outbox knows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Contact {
    email: Option<String>,
    lang: String,
    unsubscribe_token: String,
    unsubscribed_at: Option<String>,
}

/// Brings the outbox up to the read models: turns every event they applied, and the outbox
/// has not, into notifications. Returns the outbox's checkpoint.
pub async fn feed(
    repo: &EventRepository,
    db: &ReadDb,
    config: &NotifyConfig,
) -> anyhow::Result<u64> {
    feed_with(repo, db, config, true).await
}

/// After a backup is restored into a new store: brings the outbox up to the log, keeping the
/// contact details and erasures it records, without announcing any answer again (they were
/// announced when they were published, from the store the backup was taken from).
pub async fn feed_quietly(repo: &EventRepository, db: &ReadDb) -> anyhow::Result<u64> {
    feed_with(repo, db, &NotifyConfig::default(), false).await
}

async fn feed_with(
    repo: &EventRepository,
    db: &ReadDb,
    config: &NotifyConfig,
    announce: bool,
) -> anyhow::Result<u64> {
    loop {
        let projected = projector::checkpoints(db)
            .await?
            .into_values()
            .min()
            .unwrap_or(0);
        let done = checkpoint(db).await?;
        if done >= projected {
            return Ok(done);
        }
        let limit = u32::try_from((projected - done).min(u64::from(BATCH))).unwrap_or(BATCH);
        let events = repo
            .read_log(done, limit)
            .await
            .map_err(|e| anyhow::anyhow!("reading the log: {e}"))?;
        let events = events
            .into_iter()
            .filter(|e| e.position <= projected)
            .map(envelope_or_unreadable)
            .collect::<Vec<_>>();
        if events.is_empty() {
            return Ok(done);
        }
        apply(repo, db, &events, config, announce).await?;
        if events
            .iter()
            .any(|e| matches!(e.fact, Fact::Member(MemberEvent::PersonalDataErased { .. })))
        {
            // The erased person's address and messages are gone from the outbox: the database
            // is asked to drop what it still keeps of the old rows, as after the read models.
            crate::personal::scrub_storage(repo).await?;
        }
    }
}

async fn apply(
    repo: &EventRepository,
    db: &ReadDb,
    events: &[Envelope],
    config: &NotifyConfig,
    announce: bool,
) -> anyhow::Result<()> {
    let Some(last) = events.last() else {
        return Ok(());
    };
    // The links of the contacts set in this batch, before the transaction: their keys may have
    // to be created, which on SQLite cannot wait for the write lock this transaction holds.
    let mut links = HashMap::new();
    for subject in events.iter().filter_map(contact_set_subject) {
        if let std::collections::hash_map::Entry::Vacant(entry) = links.entry(subject) {
            let link = repo.unsubscribe_token(entry.key()).await?;
            entry.insert(link);
        }
    }
    let at_rest = db.at_rest()?;
    let mut tx = db.begin_write().await?;
    let checkpoint = locked_checkpoint(&mut tx).await?;
    let pending = events.iter().filter(|e| e.position > checkpoint);
    // Contacts changed by earlier events of this batch, not yet committed.
    let mut contacts: HashMap<String, Option<Contact>> = HashMap::new();
    for (expected, event) in (checkpoint + 1..).zip(pending) {
        anyhow::ensure!(
            event.position == expected,
            "the outbox is at {checkpoint} but was handed position {}",
            event.position
        );
        for statement in
            statements(db, at_rest, event, config, &mut contacts, &links, announce).await?
        {
            tx.execute(&statement).await?;
        }
    }
    if last.position > checkpoint {
        tx.execute(&stmt!(
            "UPDATE notify_checkpoint SET position = $1 WHERE name = 'outbox'",
            to_i64(last.position),
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn contact_of(
    db: &ReadDb,
    contacts: &HashMap<String, Option<Contact>>,
    subject: &str,
) -> anyhow::Result<Option<Contact>> {
    if let Some(known) = contacts.get(subject) {
        return Ok(known.clone());
    }
    let rows: Vec<Contact> = db
        .fetch(
            "SELECT email, lang, unsubscribe_token, unsubscribed_at FROM notify_contacts \
             WHERE subject_id = $1",
            &[subject.into()],
        )
        .await?;
    let Some(mut contact) = rows.into_iter().next() else {
        return Ok(None);
    };
    contact.email = db
        .at_rest()?
        .open_opt(EMAIL_COLUMN, contact.email.as_deref())?;
    Ok(Some(contact))
}

/// The column of the contacts' addresses, sealed at rest (see `cpts_projections::at_rest`).
pub const EMAIL_COLUMN: &str = "notify_contacts.email";

/// What an address set or left does: the contact is (again) subscribed, with the link the
/// store derives for that subject. `None` once the subject's link key is gone (erased).
fn set_contact(
    db: &ReadDb,
    links: &HashMap<String, Option<String>>,
    contacts: &mut HashMap<String, Option<Contact>>,
    subject: &str,
    email: Option<String>,
    lang: Lang,
) -> anyhow::Result<Option<Statement>> {
    let Some(token) = links.get(subject).cloned().flatten() else {
        return Ok(None);
    };
    let sealed = db.at_rest()?.seal_opt(EMAIL_COLUMN, email.as_deref());
    contacts.insert(
        subject.to_owned(),
        Some(Contact {
            email: email.clone(),
            lang: lang_name(lang).into(),
            unsubscribe_token: token.clone(),
            unsubscribed_at: None,
        }),
    );
    Ok(Some(stmt!(
        "INSERT INTO notify_contacts (subject_id, email, lang, unsubscribe_token) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (subject_id) DO UPDATE SET email = $2, lang = $3, \
         unsubscribe_token = $4, unsubscribed_at = NULL",
        subject,
        sealed,
        lang_name(lang),
        token,
    )))
}

/// The subject whose address an event sets (a member, or an anonymous inhabitant's
/// contribution), if it sets one.
fn contact_set_subject(event: &Envelope) -> Option<String> {
    match &event.fact {
        Fact::Member(MemberEvent::ContactSet { .. }) => Some(event.aggregate_id.clone()),
        Fact::Consultation(ConsultationEvent::ContactLeft {
            contribution_id, ..
        }) => Some(contribution_id.0.to_string()),
        _ => None,
    }
}

/// What a withdrawal or an unsubscription does: the address is forgotten (its key is already
/// destroyed in the store), the contact stays with the time consent was withdrawn, and the
/// e-mails still queued for it are cancelled. The unsubscribe route runs the same statements
/// at once, so nothing is sent between its page and the outbox reaching the event.
pub(super) fn forget_address(subject: &str, at: &str) -> Vec<Statement> {
    vec![
        stmt!(
            "UPDATE notify_contacts SET email = NULL, unsubscribed_at = $2 WHERE subject_id = $1",
            subject,
            at,
        ),
        stmt!(
            "UPDATE notify_outbox SET recipient = NULL, last_error = NULL, \
             status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END \
             WHERE subject_id = $1 AND channel = 'email'",
            subject,
        ),
    ]
}

/// The subject whose address an event withdraws (a member, or an anonymous inhabitant's
/// contribution), if it withdraws one.
pub(super) fn withdrawn_subject(event: &Envelope) -> Option<String> {
    match &event.fact {
        Fact::Member(MemberEvent::ContactWithdrawn | MemberEvent::Unsubscribed) => {
            Some(event.aggregate_id.clone())
        }
        Fact::Consultation(
            ConsultationEvent::InhabitantContactWithdrawn { contribution_id }
            | ConsultationEvent::InhabitantUnsubscribed { contribution_id },
        ) => Some(contribution_id.0.to_string()),
        _ => None,
    }
}

/// Row of the read models describing a published answer.
#[derive(Debug, sqlx::FromRow)]
struct Published {
    disposition: String,
    rationale: Option<String>,
    published_on: Option<String>,
    title: String,
    community_id: String,
    community: Option<String>,
    author_member_id: Option<String>,
    consultation_id: String,
    subject: String,
}

async fn statements(
    db: &ReadDb,
    at_rest: &AtRest,
    event: &Envelope,
    config: &NotifyConfig,
    contacts: &mut HashMap<String, Option<Contact>>,
    links: &HashMap<String, Option<String>>,
    announce: bool,
) -> anyhow::Result<Vec<Statement>> {
    Ok(match &event.fact {
        Fact::Member(MemberEvent::ContactSet { email, language }) => {
            let subject = event.aggregate_id.as_str();
            // An address that reads as erased (withdrawn since, or its person erased) is no
            // address.
            let email = email.clone().filter(|e| e != ERASED);
            set_contact(db, links, contacts, subject, email, *language)?
                .into_iter()
                .collect()
        }
        Fact::Consultation(ConsultationEvent::ContactLeft {
            contribution_id,
            email,
            language,
        }) => {
            let subject = contribution_id.0.to_string();
            let email = Some(email.clone()).filter(|e| e != ERASED);
            set_contact(db, links, contacts, &subject, email, *language)?
                .into_iter()
                .collect()
        }
        Fact::Member(MemberEvent::ContactWithdrawn | MemberEvent::Unsubscribed)
        | Fact::Consultation(
            ConsultationEvent::InhabitantContactWithdrawn { .. }
            | ConsultationEvent::InhabitantUnsubscribed { .. },
        ) => {
            let Some(subject) = withdrawn_subject(event) else {
                return Ok(vec![]);
            };
            let at = now_text(event.recorded_at);
            if let Some(contact) = contact_of(db, contacts, &subject).await? {
                contacts.insert(
                    subject.clone(),
                    Some(Contact {
                        email: None,
                        unsubscribed_at: Some(at.clone()),
                        ..contact
                    }),
                );
            }
            forget_address(&subject, &at)
        }
        Fact::Member(MemberEvent::PersonalDataErased { .. }) => {
            let subject = event.aggregate_id.as_str();
            contacts.insert(subject.to_owned(), None);
            let mut statements = erase_subject(at_rest, subject);
            // Also done right after the erasure is recorded; here it follows the log, so a
            // crash in between cannot leave their tokens working.
            statements.push(stmt!(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2), label = $3 \
                 WHERE member_id = $1",
                subject,
                now_text(Utc::now()),
                at_rest.seal(column::TOKEN_LABEL, ERASED),
            ));
            statements
        }
        Fact::Decision(DecisionEvent::AnswerPublished {
            contribution_id, ..
        }) if announce => {
            let rows: Vec<Published> = db
                .fetch(
                    "SELECT a.disposition, a.rationale, a.published_on, d.title, d.community_id, \
                     cm.name AS community, c.author_member_id, c.consultation_id, co.subject \
                     FROM proj_answers a \
                     JOIN proj_decisions d ON d.decision_id = a.decision_id \
                     JOIN proj_contributions c ON c.contribution_id = a.contribution_id \
                     JOIN proj_consultations co ON co.consultation_id = c.consultation_id \
                     LEFT JOIN proj_communities cm ON cm.community_id = d.community_id \
                     WHERE a.decision_id = $1 AND a.contribution_id = $2",
                    &[
                        event.aggregate_id.as_str().into(),
                        contribution_id.0.to_string().into(),
                    ],
                )
                .await
                .context("reading the published answer")?;
            let Some(answer) = rows.into_iter().next() else {
                return Ok(vec![]);
            };
            published(
                db,
                at_rest,
                event,
                config,
                contacts,
                answer,
                contribution_id.0,
            )
            .await?
        }
        _ => vec![],
    })
}

/// What an erasure does to the outbox: the person's address is forgotten, and so is every
/// notification addressed to them (a queued e-mail is not sent), the delivery errors that
/// quoted the address included.
pub(super) fn erase_subject(at_rest: &AtRest, subject: &str) -> Vec<Statement> {
    vec![
        stmt!("DELETE FROM notify_contacts WHERE subject_id = $1", subject),
        stmt!(
            "UPDATE notify_outbox SET recipient = NULL, title = $2, body = $3, last_error = NULL, \
             status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END \
             WHERE subject_id = $1 AND channel <> 'webhook'",
            subject,
            at_rest.seal(column::OUTBOX_TITLE, ERASED),
            at_rest.seal(column::OUTBOX_BODY, ERASED),
        ),
    ]
}

/// A notification about to be inserted.
struct NewRow<'a> {
    key: Uuid,
    channel: &'a str,
    subject_id: Option<&'a str>,
    member_id: Option<&'a str>,
    recipient: Option<&'a str>,
    lang: Lang,
    message: (String, String),
    status: &'a str,
}

fn insert(at_rest: &AtRest, event: &Envelope, community_id: &str, row: NewRow<'_>) -> Statement {
    let NewRow {
        key,
        channel,
        subject_id,
        member_id,
        recipient,
        lang,
        message: (title, body),
        status,
    } = row;
    let now = now_text(Utc::now());
    Statement {
        sql: "INSERT INTO notify_outbox (notification_key, position, community_id, channel, \
              subject_id, member_id, recipient, lang, title, body, status, attempts, \
              next_attempt_at, created_at) \
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12) \
              ON CONFLICT (notification_key) DO NOTHING"
            .into(),
        params: vec![
            key.to_string().into(),
            Param::Int(Some(to_i64(event.position))),
            community_id.into(),
            channel.into(),
            Param::Text(subject_id.map(str::to_owned)),
            Param::Text(member_id.map(str::to_owned)),
            Param::Text(at_rest.seal_opt(column::OUTBOX_RECIPIENT, recipient)),
            lang_name(lang).into(),
            at_rest.seal(column::OUTBOX_TITLE, &title).into(),
            at_rest.seal(column::OUTBOX_BODY, &body).into(),
            status.into(),
            now.into(),
        ],
    }
}

async fn published(
    db: &ReadDb,
    at_rest: &AtRest,
    event: &Envelope,
    config: &NotifyConfig,
    contacts: &mut HashMap<String, Option<Contact>>,
    answer: Published,
    contribution_id: Uuid,
) -> anyhow::Result<Vec<Statement>> {
    let news = AnswerNews {
        community: answer
            .community
            .clone()
            .unwrap_or_else(|| "CPTS".to_owned()),
        consultation: answer.subject.clone(),
        decision: answer.title.clone(),
        disposition: answer.disposition.clone(),
        rationale: answer.rationale.clone(),
        published_on: answer.published_on.clone().unwrap_or_default(),
    };
    let subject = answer
        .author_member_id
        .clone()
        .unwrap_or_else(|| contribution_id.to_string());
    let contact = contact_of(db, contacts, &subject).await?;
    let lang = contact
        .as_ref()
        .map(|c| parse_lang(&c.lang))
        .unwrap_or_default();
    let community = answer.community_id.as_str();
    let mut out = Vec::new();
    if let Some(member) = answer.author_member_id.as_deref() {
        out.push(insert(
            at_rest,
            event,
            community,
            NewRow {
                key: notification_key(event, &format!("member:{member}")),
                channel: "member",
                subject_id: Some(member),
                member_id: Some(member),
                recipient: None,
                lang,
                message: answer_message(&news, lang, None),
                status: "unread",
            },
        ));
    }
    if let Some(contact) = contact.filter(|c| c.unsubscribed_at.is_none()) {
        if let Some(email) = contact.email.as_deref() {
            let link = format!(
                "{}/unsubscribe/{}",
                config.public_url.trim_end_matches('/'),
                contact.unsubscribe_token
            );
            out.push(insert(
                at_rest,
                event,
                community,
                NewRow {
                    key: notification_key(event, &format!("email:{subject}")),
                    channel: "email",
                    subject_id: Some(&subject),
                    member_id: answer.author_member_id.as_deref(),
                    recipient: Some(email),
                    lang,
                    message: answer_message(&news, lang, Some(&link)),
                    status: "queued",
                },
            ));
        }
    }
    if let Some(url) = config.webhook_url.as_deref() {
        let key = notification_key(event, &format!("webhook:{url}"));
        let payload = serde_json::json!({
            "delivery": key.to_string(),
            "type": "answer_published",
            "community_id": community,
            "decision_id": event.aggregate_id,
            "decision": answer.title,
            "consultation_id": answer.consultation_id,
            "contribution_id": contribution_id.to_string(),
            "disposition": answer.disposition,
            "rationale": answer.rationale,
            "published_on": answer.published_on,
            "position": event.position,
        });
        out.push(insert(
            at_rest,
            event,
            community,
            NewRow {
                key,
                channel: "webhook",
                subject_id: None,
                member_id: None,
                recipient: Some(url),
                lang: Lang::Fr,
                message: ("answer_published".to_owned(), payload.to_string()),
                status: "queued",
            },
        ));
    }
    Ok(out)
}
