//! Sealing what a database written before sealed columns still holds in clear.
//!
//! The columns listed in `cpts_projections::at_rest::SEALED_COLUMNS` are written sealed. A
//! database migrated from an earlier version had them in clear: the migration that introduced
//! them (`0015_sealed_columns.sql`) empties the read models, which the projector rebuilds from
//! the log, and lists in `pending_sealing` the tables that are not derived from the log (the
//! outbox, the tokens). Sealing needs the key, which SQL does not have: once the store is
//! unlocked, [`seal_pending`] seals every value of those tables and removes them from the list,
//! in one transaction, so no value is sealed twice and none is left in clear. Then the storage is
//! scrubbed, so the clear values do not stay in free pages.

use anyhow::Context;
use cpts_projections::at_rest::{column, AtRest};
use cpts_projections::db::{Param, Statement, Tx};
use cpts_projections::stmt;

use crate::store::EventRepository;

/// Seals the tables still listed in `pending_sealing`; returns how many values it sealed.
pub async fn seal_pending(repo: &EventRepository) -> anyhow::Result<u64> {
    let db = repo.db();
    let at_rest = db.at_rest()?;
    let mut tx = db.begin_write().await?;
    // Locked (PostgreSQL; SQLite holds the write lock): two instances starting at once seal
    // once, the second finds nothing left.
    let sql = format!(
        "SELECT table_name FROM pending_sealing ORDER BY table_name{}",
        tx.dialect().for_update()
    );
    let pending: Vec<(String,)> = tx
        .fetch(&sql, &[])
        .await
        .context("reading what is still to seal")?;
    if pending.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let mut sealed = 0;
    for (table,) in &pending {
        sealed += match table.as_str() {
            "notify_outbox" => seal_outbox(&mut tx, at_rest).await?,
            "api_tokens" => seal_tokens(&mut tx, at_rest).await?,
            other => anyhow::bail!("pending_sealing names an unknown table {other}"),
        };
        tx.execute(&stmt!(
            "DELETE FROM pending_sealing WHERE table_name = $1",
            table.as_str()
        ))
        .await?;
    }
    tx.commit().await?;
    if sealed > 0 {
        crate::personal::scrub_storage(repo).await?;
    }
    tracing::info!(sealed, "the personal values written in clear are sealed");
    Ok(sealed)
}

type OutboxRow = (String, Option<String>, String, String, Option<String>);

async fn seal_outbox(tx: &mut Tx<'_>, at_rest: &AtRest) -> anyhow::Result<u64> {
    let rows: Vec<OutboxRow> = tx
        .fetch(
            "SELECT notification_key, recipient, title, body, last_error FROM notify_outbox",
            &[],
        )
        .await?;
    let mut sealed = 0;
    for (key, recipient, title, body, last_error) in rows {
        tx.execute(&Statement {
            sql: "UPDATE notify_outbox SET recipient = $2, title = $3, body = $4, \
                  last_error = $5 WHERE notification_key = $1"
                .into(),
            params: vec![
                key.into(),
                Param::Text(at_rest.seal_opt(column::OUTBOX_RECIPIENT, recipient.as_deref())),
                at_rest.seal(column::OUTBOX_TITLE, &title).into(),
                at_rest.seal(column::OUTBOX_BODY, &body).into(),
                Param::Text(at_rest.seal_opt(column::OUTBOX_LAST_ERROR, last_error.as_deref())),
            ],
        })
        .await?;
        sealed += 1;
    }
    Ok(sealed)
}

async fn seal_tokens(tx: &mut Tx<'_>, at_rest: &AtRest) -> anyhow::Result<u64> {
    let rows: Vec<(String, String)> = tx
        .fetch("SELECT token_id, label FROM api_tokens", &[])
        .await?;
    let mut sealed = 0;
    for (token, label) in rows {
        tx.execute(&stmt!(
            "UPDATE api_tokens SET label = $2 WHERE token_id = $1",
            token,
            at_rest.seal(column::TOKEN_LABEL, &label),
        ))
        .await?;
        sealed += 1;
    }
    Ok(sealed)
}
