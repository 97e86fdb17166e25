//! Backup: the whole log as JSON Lines, one event a line with its hashes, and the way back
//! into an empty store. An import whose chain does not verify is refused, whole.
//!
//! After the events come the keys of the people whose personal data the events hold, one
//! `{"person_key": …}` line each (an erased person's with no key): without them a restored log
//! could not show anyone's name. A backup is therefore personal data itself; an erasure after
//! it was taken does not reach it, so keep backups as long as needed and no longer.

use std::io::{BufRead, Write};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::store::{ChainCheck, Digest, EventRepository, StoredEvent};

const BATCH: u32 = 5_000;

/// One line of an export. Payload and metadata are the stored JSON, byte for byte, so the
/// hashes can be recomputed from the file alone; `chain_version` says how the event was hashed
/// (absent from exports made before chain version 2, whose events are all version 1). On
/// import every column is checked against what was hashed, before anything is written.
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
    #[serde(default = "version_1")]
    chain_version: i64,
}

fn version_1() -> i64 {
    1
}

/// A person's key, after the events.
#[derive(Debug, Serialize, Deserialize)]
struct KeyLine {
    person_key: PersonKey,
}

#[derive(Debug, Serialize, Deserialize)]
struct PersonKey {
    subject_id: String,
    key: Option<String>,
    erased_at: Option<String>,
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
            chain_version: event.chain_version,
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
            self.chain_version,
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
    for (subject_id, key, erased_at) in repo.export_keys().await.context("reading the keys")? {
        let line = KeyLine {
            person_key: PersonKey {
                subject_id,
                key,
                erased_at,
            },
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok((chain.last_position(), chain.digest()))
}

/// Loads an export into an empty store after verifying its whole chain; returns how many
/// events and the digest of the log loaded.
pub async fn import(repo: &EventRepository, input: impl BufRead) -> anyhow::Result<(u64, Digest)> {
    let mut chain = ChainCheck::new(None);
    let mut events = Vec::new();
    let mut keys = Vec::new();
    for (number, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", number + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("{\"person_key\"") {
            let key: KeyLine = serde_json::from_str(&line)
                .with_context(|| format!("line {} is not a person's key", number + 1))?;
            keys.push((
                key.person_key.subject_id,
                key.person_key.key,
                key.person_key.erased_at,
            ));
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
    // Keys first: an import that fails after them can be run again, since an existing key is
    // left alone, while the events go in whole or not at all.
    repo.import_keys(&keys)
        .await
        .context("loading the people's keys")?;
    repo.import(&events).await.context("loading the events")?;
    Ok((chain.last_position(), chain.digest()))
}
