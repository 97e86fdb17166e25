//! Backup: the whole log as JSON Lines, one event a line with its hashes, and the way back
//! into an empty store. An import whose chain does not verify is refused, whole.

use std::io::{BufRead, Write};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::store::{ChainCheck, Digest, EventRepository, StoredEvent};

const BATCH: u32 = 5_000;

/// One line of an export. Payload and metadata are the stored JSON, byte for byte, so the
/// hashes can be recomputed from the file alone.
#[derive(Debug, Serialize, Deserialize)]
struct ExportLine {
    position: u64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: u64,
    event_type: String,
    event_version: String,
    payload: Box<RawValue>,
    metadata: Box<RawValue>,
    community_id: Option<String>,
    recorded_at: String,
    prev_hash: String,
    hash: String,
}

impl ExportLine {
    fn from_event(event: &StoredEvent) -> anyhow::Result<Self> {
        Ok(Self {
            position: event.position,
            aggregate_type: event.aggregate_type.clone(),
            aggregate_id: event.aggregate_id.clone(),
            sequence: event.sequence,
            event_type: event.event_type.clone(),
            event_version: event.event_version.clone(),
            payload: RawValue::from_string(event.payload_text.clone())?,
            metadata: RawValue::from_string(event.metadata_text.clone())?,
            community_id: event.community_id.clone(),
            recorded_at: event.recorded_at_text.clone(),
            prev_hash: hex::encode(event.prev_hash),
            hash: hex::encode(event.hash),
        })
    }

    fn into_event(self) -> anyhow::Result<StoredEvent> {
        let prev_hash = hex::decode(&self.prev_hash).context("reading prev_hash")?;
        let hash = hex::decode(&self.hash).context("reading hash")?;
        Ok(EventRepository::event_from_export(
            self.position,
            self.aggregate_type,
            self.aggregate_id,
            self.sequence,
            self.event_type,
            self.event_version,
            self.payload.get().to_owned(),
            self.metadata.get().to_owned(),
            self.community_id,
            self.recorded_at,
            &prev_hash,
            &hash,
        )?)
    }
}

/// Writes the whole log to `out`; returns how many events and the digest of the log written.
pub async fn export(repo: &EventRepository, out: &mut impl Write) -> anyhow::Result<(u64, Digest)> {
    let mut chain = ChainCheck::new(None);
    loop {
        let events = repo
            .read_log(chain.last_position(), BATCH)
            .await
            .context("reading the log")?;
        if events.is_empty() {
            break;
        }
        for event in &events {
            // An export is a backup: never write one of a log that does not verify.
            if let Err(broken) = chain.check(event) {
                bail!(
                    "the log does not verify at position {}: {}; nothing exported",
                    broken.position,
                    broken.problem.english()
                );
            }
            serde_json::to_writer(&mut *out, &ExportLine::from_event(event)?)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok((
        chain.last_position(),
        Digest {
            position: chain.last_position(),
            hash: chain.last_hash(),
        },
    ))
}

/// Loads an export into an empty store after verifying its whole chain; returns how many
/// events and the digest of the log loaded.
pub async fn import(repo: &EventRepository, input: impl BufRead) -> anyhow::Result<(u64, Digest)> {
    let mut chain = ChainCheck::new(None);
    let mut events = Vec::new();
    for (number, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", number + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let event = serde_json::from_str::<ExportLine>(&line)
            .map_err(anyhow::Error::from)
            .and_then(ExportLine::into_event)
            .with_context(|| format!("line {} is not an exported event", number + 1))?;
        if let Err(broken) = chain.check(&event) {
            bail!(
                "refused: the chain does not verify at position {} ({}); nothing imported",
                broken.position,
                broken.problem.english()
            );
        }
        events.push(event);
    }
    repo.import(&events).await.context("loading the events")?;
    Ok((
        chain.last_position(),
        Digest {
            position: chain.last_position(),
            hash: chain.last_hash(),
        },
    ))
}
