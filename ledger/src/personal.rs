//! The rights of the people the record is about: access (everything held about one person, as
//! JSON) and erasure (their key destroyed; see `store::vault`).

use anyhow::Context;
use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::ids::MemberId;
use cpts_domain::member::MemberCommand;
use cpts_graphql::port::{CommandContext, LedgerPort, Receipt};
use cpts_projections::db::Dialect;
use cpts_projections::stmt;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::service::Ledger;
use crate::store::{EventRepository, StoredEvent};
use crate::tokens;

fn event_json(event: &StoredEvent) -> Value {
    json!({
        "position": event.position,
        "record": { "type": event.aggregate_type, "id": event.aggregate_id },
        "event_type": event.event_type,
        "recorded_at": event.recorded_at_text,
        "payload": event.payload,
        "metadata": event.metadata,
    })
}

/// Everything the ledger holds about one member: the events of their record, the
/// contributions they wrote with every event about them (answers included), and the API tokens
/// that name them. Personal fields are decrypted; once erased they read as erased.
pub async fn export_person(ledger: &Ledger, member: MemberId) -> anyhow::Result<Value> {
    let repo = ledger.repository();
    let id = member.to_string();
    let about_them = repo
        .events_mentioning(&id)
        .await
        .context("reading the events about the person")?;
    anyhow::ensure!(
        about_them
            .iter()
            .any(|e| e.aggregate_type == "member" && e.aggregate_id == id),
        "no member {id} in this ledger"
    );
    // Their contributions, and through them the answers they received.
    let contributions: Vec<String> = about_them
        .iter()
        .filter(|e| e.event_type == "ContributionSubmitted")
        .filter_map(|e| {
            let body = &e.payload["ContributionSubmitted"];
            (body["author"]["member_id"].as_str() == Some(id.as_str()))
                .then(|| body["contribution_id"].as_str().map(str::to_owned))
                .flatten()
        })
        .collect();
    let mut contribution_events = Vec::new();
    for contribution in &contributions {
        for event in repo
            .events_mentioning(contribution)
            .await
            .context("reading the events about a contribution")?
        {
            contribution_events.push(event_json(&event));
        }
    }
    let record: Vec<Value> = about_them
        .iter()
        .filter(|e| e.aggregate_type == "member" && e.aggregate_id == id)
        .map(event_json)
        .collect();
    let mentioned: Vec<Value> = about_them
        .iter()
        .filter(|e| !(e.aggregate_type == "member" && e.aggregate_id == id))
        .filter(|e| e.event_type != "ContributionSubmitted")
        .map(event_json)
        .collect();
    let tokens: Vec<Value> = tokens::list(repo)
        .await?
        .into_iter()
        .filter(|t| t.member_id.as_deref() == Some(id.as_str()))
        .map(|t| {
            json!({
                "token_id": t.token_id, "role": t.role, "label": t.label,
                "created_at": t.created_at, "revoked_at": t.revoked_at,
            })
        })
        .collect();
    Ok(json!({
        "member_id": id,
        "member_record": record,
        "contributions": contributions,
        "contribution_events": contribution_events,
        "other_events_naming_them": mentioned,
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
        Dialect::Postgres => &[
            "VACUUM person_keys, proj_members, proj_contributions, notify_outbox, \
             notify_contacts, api_tokens",
        ],
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
