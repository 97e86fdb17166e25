//! Backup: the whole log as JSON Lines, one event a line with its hashes, and the way back
//! into an empty store. An import whose chain does not verify is refused, whole.
//!
//! After the events come the keys of the people whose personal data the events hold, one
//! `{"person_key": …}` line each (an erased person's with no key), *wrapped* by the store's
//! master key, then the files contributions carry, one `{"file": …}` line each, sealed under
//! their author's key as the store keeps them, then one `{"keyring": …}` line with the master
//! key's check value and generation. The
//! file alone opens nothing: it is restored into a store unlocked with the same master key, and
//! a store under another key refuses it, saying so, before anything is written, unless it is
//! given the key the export was made under ([`import_under`]), which rewraps the keys.
//! Whoever holds the file and the master key holds the personal data; an erasure after the
//! file was taken does not reach it, so keep backups as long as needed and no longer. Files of
//! older versions, with keys in clear, are still read (and their keys wrapped on the way in).

use std::io::{BufRead, Write};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::store::keyring::MasterKey;
use crate::store::{ChainCheck, Digest, EventRepository, ImportedKey, StoredEvent};

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
    /// The key wrapped by the master key, `<nonce hex>:<ciphertext hex>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrapped_key: Option<String>,
    /// The key in clear: written only by older versions, read for their files.
    #[serde(default, skip_serializing)]
    key: Option<String>,
    erased_at: Option<String>,
}

/// A file a contribution carries, after the keys: as the store keeps it, sealed under its
/// author's key (`store::vault`).
#[derive(Debug, Serialize, Deserialize)]
struct FileLine {
    file: KeptFile,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptFile {
    subject_id: String,
    sha256: String,
    media_type: String,
    size: i64,
    /// `<nonce hex>:<ciphertext hex>`.
    sealed: String,
}

/// The master key the keys were wrapped under, after them.
#[derive(Debug, Serialize, Deserialize)]
struct KeyringLine {
    keyring: KeyringInfo,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeyringInfo {
    /// HMAC-SHA256 of a fixed label under the master key (see `store::keyring`).
    key_check: String,
    /// The master key's generation, bound into each wrapped key.
    generation: i64,
}

/// An export made under another master key than the store's.
#[derive(Debug, thiserror::Error)]
#[error(
    "refusé : cet export a été fait sous une autre clé maîtresse que celle de cette base ; rien \
     n'a été importé / refused: this export was made under another master key than this \
     database's; nothing imported"
)]
pub struct OtherMasterKey;

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
    for (subject_id, wrapped_key, erased_at) in
        repo.export_keys().await.context("reading the keys")?
    {
        let line = KeyLine {
            person_key: PersonKey {
                subject_id,
                wrapped_key,
                key: None,
                erased_at,
            },
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    for (subject_id, sha256) in repo.kept_files().await.context("listing the files")? {
        let Some((media_type, size, sealed)) = repo
            .kept_file_sealed(&subject_id, &sha256)
            .await
            .context("reading a file")?
        else {
            // Erased since it was listed.
            continue;
        };
        let line = FileLine {
            file: KeptFile {
                subject_id,
                sha256,
                media_type,
                size,
                sealed,
            },
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    let (key_check, generation) = repo
        .key_check()
        .await
        .context("reading the keyring")?
        .context("the store has no keyring: it was not unlocked")?;
    serde_json::to_writer(
        &mut *out,
        &KeyringLine {
            keyring: KeyringInfo {
                key_check,
                generation,
            },
        },
    )?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok((chain.last_position(), chain.digest()))
}

/// Writes the whole log to the file at `path`, created (or emptied) with mode 0600: an export
/// is personal data. Returns what [`export`] returns.
pub async fn export_to_file(
    repo: &EventRepository,
    path: &std::path::Path,
) -> anyhow::Result<(u64, Digest)> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("making {} private", path.display()))?;
    }
    let mut out = std::io::BufWriter::new(file);
    let written = export(repo, &mut out).await?;
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|file| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(written)
}

/// Loads an export into an empty store after verifying its whole chain; returns how many
/// events and the digest of the log loaded.
pub async fn import(repo: &EventRepository, input: impl BufRead) -> anyhow::Result<(u64, Digest)> {
    import_under(repo, input, None).await
}

/// [`import`] of an export made under `former`, a master key this store no longer has (the
/// one a rotation replaced, or another store's): its keys are rewrapped under the store's own.
/// An export made under the store's own key is taken as well.
pub async fn import_under(
    repo: &EventRepository,
    input: impl BufRead,
    former: Option<&MasterKey>,
) -> anyhow::Result<(u64, Digest)> {
    let mut chain = ChainCheck::new(None);
    let mut events = Vec::new();
    let mut keys = Vec::new();
    let mut files = Vec::new();
    let mut keyring: Option<KeyringInfo> = None;
    for (number, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", number + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("{\"person_key\"") {
            let key: KeyLine = serde_json::from_str(&line)
                .with_context(|| format!("line {} is not a person's key", number + 1))?;
            keys.push(ImportedKey {
                subject: key.person_key.subject_id,
                wrapped: key.person_key.wrapped_key,
                clear: key.person_key.key,
                erased_at: key.person_key.erased_at,
            });
            continue;
        }
        if line.starts_with("{\"file\"") {
            let line: FileLine = serde_json::from_str(&line)
                .with_context(|| format!("line {} is not a contribution's file", number + 1))?;
            files.push(line.file);
            continue;
        }
        if line.starts_with("{\"keyring\"") {
            let line: KeyringLine = serde_json::from_str(&line)
                .with_context(|| format!("line {} is not the keyring's", number + 1))?;
            keyring = Some(line.keyring);
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
    let ours = repo.key_check().await.context("reading the keyring")?;
    let mut wrapped_by = None;
    let generation = match (&keyring, ours) {
        (Some(theirs), Some((ours, _))) if theirs.key_check == ours => Some(theirs.generation),
        (Some(theirs), _) => match former {
            Some(former) if former.key_check() == theirs.key_check => {
                wrapped_by = Some(former);
                Some(theirs.generation)
            }
            _ => return Err(OtherMasterKey.into()),
        },
        (None, _) if keys.iter().any(|k| k.wrapped.is_some()) => {
            bail!("refused: wrapped keys without the keyring line; nothing imported")
        }
        (None, _) => None,
    };
    repo.import_keys(&keys, generation, wrapped_by)
        .await
        .context("loading the people's keys")?;
    repo.import(&events).await.context("loading the events")?;
    // The files after the events: sealed under people's keys, they open once those are in.
    for f in &files {
        repo.restore_file(&f.subject_id, &f.sha256, &f.media_type, f.size, &f.sealed)
            .await
            .context("loading a contribution's file")?;
    }
    Ok((chain.last_position(), chain.digest()))
}
