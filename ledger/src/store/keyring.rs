//! Envelope encryption: the master key (key-encryption key, KEK) that wraps every other key of
//! the store, kept outside the database.
//!
//! Each person's data key (`person_keys`, see [`super::vault`]) and the read models' key are
//! stored only *wrapped*: sealed with XChaCha20-Poly1305 under the master key, the associated
//! data naming what the key is for (the person's subject id, or the read models) and the master
//! key's generation, so a wrapped key cannot be moved to another person nor replayed from
//! before a rotation. A copy of the database, a `pg_dump` or an export without the master key
//! therefore opens nothing.
//!
//! **Where the master key comes from** ([`KeySource`]), first match wins:
//! 1. `CPTS_MASTER_KEY_FILE`: a file of mode 0600 or stricter (anything readable by the group
//!    or others is refused) holding one line `cpts-ledger-master-key:v1:<64 hex digits>`;
//! 2. `CPTS_MASTER_KEY`: the 64 hex digits themselves (or that same line);
//! 3. a SQLite store: `master.key` beside the database file (the embedded default:
//!    `<data dir>/master.key`), created on first start of a new database, with `create_new`
//!    so that two processes starting at once never overwrite each other's key.
//!
//! PostgreSQL without 1 or 2 is refused, with the command that creates a key
//! (`cpts-ledger keys init --file PATH`).
//!
//! **Fail closed.** The `keyring` table holds one row: the key-check value (KCV), an
//! HMAC-SHA256 of a fixed label under the master key, the generation and the wrapped read
//! models' key. [`EventRepository::unlock`] refuses a key whose KCV differs, and no key is ever
//! created for a database that already has a keyring row or any person key: a lost key file is
//! an error to see, never silently a new key that would make the old data unreadable.
//!
//! **Rotation** ([`rotate`]) rewraps every key and the KCV in one transaction, after the new key
//! has been written to `<file>.next` and the old one copied to `<file>.previous`; then
//! `<file>.next` is renamed over `<file>`. A crash before the commit leaves the old key opening
//! the database (the `.next` file is a stale leftover); a crash after it leaves `<file>.next`
//! opening it, and the next start finishes the rename ([`open`]). At every point one of the
//! files opens the database.
//!
//! The people's keys are not cached unwrapped: an erasure by another instance must take effect
//! at once, and unwrapping 32 bytes costs nothing beside the look-up that says whether the key
//! still exists.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use cpts_projections::at_rest::AtRest;
use cpts_projections::stmt;
use cqrs_es::persist::PersistenceError;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::{map_sqlx, timestamp_text, unknown, EventRepository};
use crate::config::DatabaseConfig;

/// The environment variable naming the master key file.
pub const ENV_FILE: &str = "CPTS_MASTER_KEY_FILE";
/// The environment variable holding the master key itself (64 hex digits).
pub const ENV_KEY: &str = "CPTS_MASTER_KEY";
/// The name of the embedded default's key file, beside the SQLite database.
pub const DEFAULT_FILE_NAME: &str = "master.key";
/// What a key file's one line starts with; 64 hex digits follow.
pub const FILE_PREFIX: &str = "cpts-ledger-master-key:v1:";
/// The label whose HMAC under the master key is the key-check value.
const KCV_LABEL: &[u8] = b"cpts-ledger:key-check:v1";

/// The master key: 32 bytes that wrap every other key. Its `Debug` shows only its check value.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey(check {})", &self.key_check()[..12])
    }
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// A key from its bytes (tests use a fixed one).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self { bytes }
    }

    /// A key from its text: 64 hex digits, or a key file's line.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        let digits = text.strip_prefix(FILE_PREFIX).unwrap_or(text);
        let bytes = hex::decode(digits)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .context(
                "une clé maîtresse s'écrit avec 64 chiffres hexadécimaux / a master key is 64 hex digits",
            )?;
        Ok(Self { bytes })
    }

    /// Reads a key file, refusing one that the group or others may read or write.
    pub fn read_file(path: &Path) -> anyhow::Result<Self> {
        let metadata = std::fs::metadata(path).with_context(|| {
            format!(
                "fichier de clé maîtresse {0} illisible / cannot read the master key file {0}",
                path.display()
            )
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                anyhow::bail!(
                    "le fichier de clé maîtresse {0} est accessible à d'autres (mode {mode:o}) : \
                     `chmod 600 {0}` / the master key file {0} is readable by others (mode \
                     {mode:o}): run `chmod 600 {0}`",
                    path.display()
                );
            }
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the master key file {}", path.display()))?;
        if !text.trim_start().starts_with(FILE_PREFIX) {
            anyhow::bail!(
                "{0} n'est pas un fichier de clé maîtresse ({FILE_PREFIX}…) / {0} is not a master key file",
                path.display()
            );
        }
        Self::parse(&text).with_context(|| format!("reading {}", path.display()))
    }

    /// The key file's text: one line.
    pub fn file_text(&self) -> String {
        format!("{FILE_PREFIX}{}\n", hex::encode(self.bytes))
    }

    /// Writes the key to a new file of mode 0600 (never over an existing one), flushed to disk
    /// with its folder's entry.
    pub fn write_new_file(&self, path: &Path) -> anyhow::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(path)
            .with_context(|| format!("creating the master key file {}", path.display()))?;
        file.write_all(self.file_text().as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing the master key file {}", path.display()))?;
        sync_folder(path)
    }

    /// The key-check value: HMAC-SHA256 of a fixed label under the key, in hex. It tells
    /// whether a key is the one a database was sealed under, without revealing it.
    pub fn key_check(&self) -> String {
        // HMAC takes a key of any length: this cannot fail.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(KCV_LABEL);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Seals a key under this one: `<nonce hex>:<ciphertext hex>`.
    pub(crate) fn wrap(&self, aad: &str, key: &[u8; 32]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.bytes).into());
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        format!("{}:{}", hex::encode(nonce), hex::encode(sealed))
    }

    /// Opens a key wrapped by [`MasterKey::wrap`] with the same associated data.
    pub(crate) fn unwrap(&self, aad: &str, wrapped: &str) -> Option<[u8; 32]> {
        let (nonce, body) = wrapped.split_once(':')?;
        let nonce = hex::decode(nonce).ok().filter(|n| n.len() == 24)?;
        let body = hex::decode(body).ok()?;
        let cipher = XChaCha20Poly1305::new((&self.bytes).into());
        let plain = cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &body,
                    aad: aad.as_bytes(),
                },
            )
            .ok()?;
        <[u8; 32]>::try_from(plain).ok()
    }
}

/// Flushes a file's folder, so that a new name in it survives a power cut.
fn sync_folder(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        std::fs::File::open(parent)
            .and_then(|folder| folder.sync_all())
            .with_context(|| format!("flushing the folder {}", parent.display()))?;
    }
    Ok(())
}

/// The associated data of a person's wrapped key.
pub(crate) fn person_aad(subject: &str, generation: i64) -> String {
    format!("cpts-ledger:person-key:v1:{subject}:{generation}")
}

/// The associated data of the read models' wrapped key.
fn read_model_aad(generation: i64) -> String {
    format!("cpts-ledger:read-model-key:v1:{generation}")
}

/// Where the master key comes from (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A key file named by the operator (`CPTS_MASTER_KEY_FILE`).
    File(PathBuf),
    /// The key itself, from the environment (`CPTS_MASTER_KEY`).
    Env(String),
    /// The embedded default's file beside the SQLite database, created for a new database.
    Beside(PathBuf),
    /// None configured (PostgreSQL): refused.
    Missing,
}

impl KeySource {
    /// The source the environment names for this store.
    pub fn from_env(database: &DatabaseConfig) -> Self {
        Self::resolve(
            std::env::var_os(ENV_FILE).map(PathBuf::from),
            std::env::var(ENV_KEY).ok(),
            database,
        )
    }

    /// The source given a key file, a key from the environment and the store.
    pub fn resolve(file: Option<PathBuf>, key: Option<String>, database: &DatabaseConfig) -> Self {
        if let Some(file) = file.filter(|f| !f.as_os_str().is_empty()) {
            return Self::File(file);
        }
        if let Some(key) = key.filter(|k| !k.trim().is_empty()) {
            return Self::Env(key);
        }
        match sqlite_file(&database.url) {
            Some(db_file) => Self::Beside(
                db_file
                    .parent()
                    .unwrap_or_else(|| Path::new(""))
                    .join(DEFAULT_FILE_NAME),
            ),
            None => Self::Missing,
        }
    }

    /// The key file, when the key lives in one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::File(path) | Self::Beside(path) => Some(path),
            Self::Env(_) | Self::Missing => None,
        }
    }

    /// How to name the key in a message.
    fn describe(&self) -> String {
        match self {
            Self::File(path) | Self::Beside(path) => path.display().to_string(),
            Self::Env(_) => ENV_KEY.to_owned(),
            Self::Missing => "-".to_owned(),
        }
    }
}

/// The SQLite database file of a `sqlite:` URL, unless it is in memory.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    if rest.contains(":memory:") || rest.contains("mode=memory") {
        return None;
    }
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Why the store does not open.
#[derive(Debug, thiserror::Error)]
pub enum KeyRefusal {
    /// The master key is not the one the database was sealed under.
    #[error(
        "la clé maîtresse {0} n'est pas celle de cette base (valeur de contrôle différente) : \
         le service ne démarre pas / the master key {0} is not this database's (its key-check \
         value differs): the service does not start"
    )]
    WrongKey(String),
    /// The key file of a database that already holds keys is gone.
    #[error(
        "le fichier de clé maîtresse {0} est introuvable, alors que cette base contient déjà des \
         clés chiffrées par lui : restaurez-le depuis sa sauvegarde (sans lui, les données \
         personnelles sont illisibles) / the master key file {0} is missing, while this database \
         already holds keys wrapped by it: restore it from its backup (without it, the personal \
         data cannot be read)"
    )]
    MissingFile(String),
    /// The key file named for a database that holds no key yet does not exist.
    #[error(
        "le fichier de clé maîtresse {0} n'existe pas : créez-le avec `cpts-ledger keys init \
         --file {0}` (et sauvegardez-le à part des données) / the master key file {0} does not \
         exist: create it with `cpts-ledger keys init --file {0}` (and back it up apart from the \
         data)"
    )]
    NoFile(String),
    /// PostgreSQL, and no key configured.
    #[error(
        "aucune clé maîtresse configurée : créez-en une avec `cpts-ledger keys init --file \
         /chemin/master.key`, puis CPTS_MASTER_KEY_FILE=/chemin/master.key (sauvegardez-la à \
         part des données) / no master key configured: create one with `cpts-ledger keys init \
         --file /path/master.key`, then set CPTS_MASTER_KEY_FILE=/path/master.key (back it up \
         apart from the data)"
    )]
    NotConfigured,
    /// Wrapped keys without the row that says which master key wrapped them.
    #[error(
        "la base contient des clés chiffrées mais pas de trousseau (table keyring vide) : elle \
         a été altérée ou restaurée partiellement / the database holds wrapped keys but no \
         keyring row: it was altered or partly restored"
    )]
    NoKeyring,
    /// The store was used before it was unlocked.
    #[error("the store is locked: it was opened without its master key")]
    Locked,
}

/// The master key the store was unlocked with, and its generation.
#[derive(Clone)]
pub(crate) struct Unlocked {
    pub(crate) master: MasterKey,
    pub(crate) generation: i64,
}

impl std::fmt::Debug for Unlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unlocked")
            .field("master", &self.master)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// The state of a repository's keyring, shared by its clones.
pub(crate) type KeyState = std::sync::Arc<std::sync::RwLock<Option<Unlocked>>>;

/// The keyring's row: generation, check value, wrapped read models' key.
type KeyringRow = (i64, String, String);

impl EventRepository {
    /// Unlocks the store with its master key: checks the key-check value (a wrong key is
    /// [`KeyRefusal::WrongKey`], nothing changed), creates the keyring on first use (with a new
    /// random read models' key) or unwraps its read models' key, wraps the people's keys still
    /// kept in clear by an older version (and reclaims the space they held), then unlocks the
    /// read models with their key.
    pub async fn unlock(&self, master: &MasterKey) -> anyhow::Result<()> {
        let now = timestamp_text(chrono::Utc::now());
        let mut tx = self.db.begin_write().await.context("opening the keyring")?;
        let select = format!(
            "SELECT generation, key_check, read_model_key FROM keyring WHERE singleton = 1{}",
            tx.dialect().for_update()
        );
        let mut row: Option<KeyringRow> = tx.fetch_optional(&select, &[]).await?;
        if row.is_none() {
            let wrapped: Option<(i32,)> = tx
                .fetch_optional(
                    "SELECT 1 FROM person_keys WHERE wrapped_key IS NOT NULL LIMIT 1",
                    &[],
                )
                .await?;
            if wrapped.is_some() {
                return Err(KeyRefusal::NoKeyring.into());
            }
            let mut read_model_key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut read_model_key);
            let wrapped = master.wrap(&read_model_aad(1), &read_model_key);
            // Two instances starting at once: the second finds the first's row.
            tx.execute(&stmt!(
                "INSERT INTO keyring (singleton, generation, key_check, read_model_key, created_at) \
                 VALUES (1, 1, $1, $2, $3) ON CONFLICT (singleton) DO NOTHING",
                master.key_check(),
                wrapped,
                now.as_str()
            ))
            .await?;
            row = tx.fetch_optional(&select, &[]).await?;
        }
        let (generation, key_check, wrapped_read_model_key) =
            row.context("the keyring row is missing after its creation")?;
        if key_check != master.key_check() {
            return Err(KeyRefusal::WrongKey(String::new()).into());
        }
        let read_model_key = master
            .unwrap(&read_model_aad(generation), &wrapped_read_model_key)
            .context("the read models' key does not unwrap under the master key")?;
        // Keys an older version kept in clear: wrapped, and the clear text gone, at once.
        let clear: Vec<(String, String)> = tx
            .fetch(
                "SELECT subject_id, key_hex FROM person_keys WHERE key_hex IS NOT NULL",
                &[],
            )
            .await?;
        for (subject, key_hex) in &clear {
            let key = super::vault::parse_key(key_hex)?;
            let wrapped = master.wrap(&person_aad(subject, generation), &key);
            tx.execute(&stmt!(
                "UPDATE person_keys SET wrapped_key = $1, key_hex = NULL WHERE subject_id = $2",
                wrapped,
                subject.as_str()
            ))
            .await?;
        }
        tx.commit().await.context("committing the keyring")?;
        if !clear.is_empty() {
            tracing::info!(
                keys = clear.len(),
                "the people's keys kept in clear are now wrapped by the master key"
            );
            crate::personal::scrub_storage(self).await?;
        }
        self.set_unlocked(Unlocked {
            master: master.clone(),
            generation,
        })?;
        self.db.unlock(AtRest::new(read_model_key));
        Ok(())
    }

    fn set_unlocked(&self, unlocked: Unlocked) -> anyhow::Result<()> {
        let mut state = self
            .keys
            .write()
            .map_err(|_| anyhow::anyhow!("the keyring's lock is poisoned"))?;
        *state = Some(unlocked);
        Ok(())
    }

    /// The master key and generation the store was unlocked with.
    pub(crate) fn unlocked(&self) -> Result<Unlocked, PersistenceError> {
        self.keys
            .read()
            .map_err(|_| unknown("the keyring's lock is poisoned"))?
            .clone()
            .ok_or_else(|| PersistenceError::UnknownError(Box::new(KeyRefusal::Locked)))
    }

    /// The key-check value and generation of the master key the store is sealed under.
    pub async fn key_check(&self) -> Result<Option<(String, i64)>, PersistenceError> {
        let row: Option<(String, i64)> = self
            .db
            .fetch_optional(
                "SELECT key_check, generation FROM keyring WHERE singleton = 1",
                &[],
            )
            .await
            .map_err(map_sqlx)?;
        Ok(row)
    }

    /// Whether the database already holds keys: a keyring row, or any person's key.
    async fn holds_keys(&self) -> Result<bool, PersistenceError> {
        let row: Option<(i32,)> = self
            .db
            .fetch_optional(
                "SELECT 1 FROM keyring UNION ALL SELECT 1 FROM person_keys LIMIT 1",
                &[],
            )
            .await
            .map_err(map_sqlx)?;
        Ok(row.is_some())
    }

    /// Rewraps every key under `new`, with the next generation, in one transaction; returns the
    /// number of people's keys rewrapped. Refused if the stored check value is not the
    /// current key's (another rotation happened meanwhile).
    async fn rewrap(&self, new: &MasterKey) -> anyhow::Result<usize> {
        let current = self.unlocked()?;
        let now = timestamp_text(chrono::Utc::now());
        let mut tx = self.db.begin_write().await?;
        let select = format!(
            "SELECT generation, key_check, read_model_key FROM keyring WHERE singleton = 1{}",
            tx.dialect().for_update()
        );
        let (generation, key_check, read_model_key): KeyringRow = tx
            .fetch_optional(&select, &[])
            .await?
            .ok_or(KeyRefusal::NoKeyring)?;
        if key_check != current.master.key_check() || generation != current.generation {
            return Err(KeyRefusal::WrongKey(String::new()).into());
        }
        let next = generation + 1;
        let read_model_key = current
            .master
            .unwrap(&read_model_aad(generation), &read_model_key)
            .context("the read models' key does not unwrap under the master key")?;
        let people: Vec<(String, String)> = tx
            .fetch(
                &format!(
                    "SELECT subject_id, wrapped_key FROM person_keys WHERE wrapped_key IS NOT NULL{}",
                    tx.dialect().for_update()
                ),
                &[],
            )
            .await?;
        for (subject, wrapped) in &people {
            let key = current
                .master
                .unwrap(&person_aad(subject, generation), wrapped)
                .with_context(|| {
                    format!("the key of {subject} does not unwrap under the master key")
                })?;
            tx.execute(&stmt!(
                "UPDATE person_keys SET wrapped_key = $1 WHERE subject_id = $2",
                new.wrap(&person_aad(subject, next), &key),
                subject.as_str()
            ))
            .await?;
        }
        tx.execute(&stmt!(
            "UPDATE keyring SET generation = $1, key_check = $2, read_model_key = $3, \
             rotated_at = $4 WHERE singleton = 1",
            next,
            new.key_check(),
            new.wrap(&read_model_aad(next), &read_model_key),
            now.as_str()
        ))
        .await?;
        tx.commit().await.context("committing the new keyring")?;
        self.set_unlocked(Unlocked {
            master: new.clone(),
            generation: next,
        })?;
        Ok(people.len())
    }
}

/// `<file>` with a suffix added to its name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Removes a leftover file, saying so.
fn remove_leftover(path: &Path, why: &str) {
    if path.exists() {
        match std::fs::remove_file(path) {
            Ok(()) => tracing::info!(file = %path.display(), why, "removed a leftover key file"),
            Err(error) => {
                tracing::warn!(file = %path.display(), %error, "cannot remove a leftover key file")
            }
        }
    }
}

/// Finds the master key from `source` and unlocks the store with it (see the module
/// documentation): the embedded default's file is created for a new database; a rotation
/// interrupted after its commit is finished; anything else that does not open the database
/// is refused.
pub async fn open(repo: &EventRepository, source: &KeySource) -> anyhow::Result<MasterKey> {
    let describe = source.describe();
    let wrong = |error: anyhow::Error| match error.downcast::<KeyRefusal>() {
        Ok(KeyRefusal::WrongKey(_)) => KeyRefusal::WrongKey(describe.clone()).into(),
        Ok(other) => other.into(),
        Err(other) => other,
    };
    let key = match source {
        KeySource::Missing => return Err(KeyRefusal::NotConfigured.into()),
        KeySource::Env(text) => {
            MasterKey::parse(text).with_context(|| format!("reading {ENV_KEY}"))?
        }
        KeySource::File(path) | KeySource::Beside(path) => {
            if !path.exists() {
                if repo.holds_keys().await? {
                    return Err(KeyRefusal::MissingFile(describe).into());
                }
                if matches!(source, KeySource::File(_)) {
                    return Err(KeyRefusal::NoFile(describe).into());
                }
                create_beside(path)?
            } else {
                MasterKey::read_file(path)?
            }
        }
    };
    let Some(path) = source.file() else {
        repo.unlock(&key).await.map_err(wrong)?;
        return Ok(key);
    };
    let (next, previous) = (sibling(path, ".next"), sibling(path, ".previous"));
    match repo.unlock(&key).await {
        Ok(()) => {
            // A rotation that stopped before its commit, or after its rename.
            remove_leftover(
                &next,
                "a rotation stopped before its commit: this key never served",
            );
            remove_leftover(&previous, "the former key of a finished rotation");
            Ok(key)
        }
        Err(error) => {
            let is_wrong = matches!(error.downcast_ref(), Some(KeyRefusal::WrongKey(_)));
            if !is_wrong || !next.exists() {
                return Err(wrong(error));
            }
            let new = MasterKey::read_file(&next)?;
            repo.unlock(&new).await.map_err(wrong)?;
            std::fs::rename(&next, path)
                .with_context(|| format!("renaming {} to {}", next.display(), path.display()))?;
            sync_folder(path)?;
            remove_leftover(&previous, "the former key of a finished rotation");
            tracing::warn!(
                file = %path.display(),
                "a rotation of the master key had stopped after its commit: it is finished"
            );
            Ok(new)
        }
    }
}

/// Creates the embedded default's key file for a new database (its folder too, mode 0700).
fn create_beside(path: &Path) -> anyhow::Result<MasterKey> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::store::create_private_folder(parent)?;
    }
    let key = MasterKey::generate();
    match key.write_new_file(path) {
        Ok(()) => {
            tracing::info!(
                file = %path.display(),
                "clé maîtresse créée : sauvegardez ce fichier à part des données / master key \
                 created: back this file up apart from the data"
            );
            Ok(key)
        }
        // Another process created it first: use that one.
        Err(_) if path.exists() => MasterKey::read_file(path),
        Err(error) => Err(error),
    }
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The file that now holds the new key.
    pub file: PathBuf,
    /// How many people's keys were rewrapped.
    pub keys: usize,
    /// The new generation.
    pub generation: i64,
    /// The new key-check value.
    pub key_check: String,
}

/// Rotates the master key of an unlocked store: a new key, every key rewrapped in one
/// transaction, then the key file replaced (crash-safe, see the module documentation). A key
/// from the environment has no file to replace: the new key is written to `new_file`, and the
/// operator puts it in the environment after.
pub async fn rotate(
    repo: &EventRepository,
    source: &KeySource,
    new_file: Option<&Path>,
) -> anyhow::Result<Rotated> {
    let current = repo.unlocked()?;
    let new = MasterKey::generate();
    let rotated = |file: PathBuf, keys: usize, repo: &EventRepository| -> anyhow::Result<Rotated> {
        Ok(Rotated {
            file,
            keys,
            generation: repo.unlocked()?.generation,
            key_check: new.key_check(),
        })
    };
    match (source.file(), new_file) {
        (Some(path), None) => {
            let (next, previous) = (sibling(path, ".next"), sibling(path, ".previous"));
            remove_leftover(&next, "a rotation stopped before its commit");
            remove_leftover(&previous, "the former key of a finished rotation");
            current.master.write_new_file(&previous)?;
            new.write_new_file(&next)?;
            let keys = repo.rewrap(&new).await?;
            // Committed: from here, `next` opens the database, and `open` finishes the rename
            // if this process stops before it does.
            std::fs::rename(&next, path)
                .with_context(|| format!("renaming {} to {}", next.display(), path.display()))?;
            sync_folder(path)?;
            std::fs::remove_file(&previous)
                .with_context(|| format!("removing {}", previous.display()))?;
            sync_folder(path)?;
            rotated(path.to_owned(), keys, repo)
        }
        (None, Some(target)) => {
            new.write_new_file(target)?;
            let keys = repo.rewrap(&new).await?;
            rotated(target.to_owned(), keys, repo)
        }
        (Some(path), Some(_)) => anyhow::bail!(
            "la clé maîtresse est dans {0}, que la rotation remplace : --new-file est inutile / \
             the master key is in {0}, which the rotation replaces: leave out --new-file",
            path.display()
        ),
        (None, None) => anyhow::bail!(
            "la clé maîtresse vient de {ENV_KEY} : donnez --new-file CHEMIN pour la nouvelle / \
             the master key comes from {ENV_KEY}: give --new-file PATH for the new one"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_with_its_master_key_and_associated_data() {
        let master = MasterKey::from_bytes([1; 32]);
        let wrapped = master.wrap(&person_aad("m1", 1), &[9; 32]);
        assert_eq!(master.unwrap(&person_aad("m1", 1), &wrapped), Some([9; 32]));
        assert_eq!(master.unwrap(&person_aad("m2", 1), &wrapped), None);
        assert_eq!(master.unwrap(&person_aad("m1", 2), &wrapped), None);
        let other = MasterKey::from_bytes([2; 32]);
        assert_eq!(other.unwrap(&person_aad("m1", 1), &wrapped), None);
        assert!(!wrapped.contains(&hex::encode([9u8; 32])));
    }

    #[test]
    fn the_check_value_tells_keys_apart_and_the_file_line_reads_back() {
        let a = MasterKey::from_bytes([1; 32]);
        let b = MasterKey::from_bytes([2; 32]);
        assert_ne!(a.key_check(), b.key_check());
        assert_eq!(a.key_check().len(), 64);
        assert_eq!(MasterKey::parse(&a.file_text()).expect("a key line"), a);
        assert_eq!(MasterKey::parse(&hex::encode([1u8; 32])).expect("hex"), a);
        assert!(MasterKey::parse("abcd").is_err());
        assert!(!format!("{a:?}").contains(&hex::encode([1u8; 32])));
    }

    #[test]
    fn a_key_file_others_can_read_is_refused() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("master.key");
        let key = MasterKey::generate();
        key.write_new_file(&path).expect("written");
        assert_eq!(MasterKey::read_file(&path).expect("read"), key);
        assert!(key.write_new_file(&path).is_err(), "never over a key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let refused = MasterKey::read_file(&path).expect_err("refused");
            assert!(format!("{refused:#}").contains("chmod 600"), "{refused:#}");
        }
    }

    #[test]
    fn the_source_is_the_file_then_the_environment_then_beside_a_sqlite_file() {
        let sqlite = DatabaseConfig {
            url: "sqlite://data/ledger.db".into(),
        };
        let postgres = DatabaseConfig {
            url: "postgres://u@h/db".into(),
        };
        assert_eq!(
            KeySource::resolve(Some("k".into()), Some("x".into()), &postgres),
            KeySource::File("k".into())
        );
        assert_eq!(
            KeySource::resolve(None, Some("x".into()), &sqlite),
            KeySource::Env("x".into())
        );
        assert_eq!(
            KeySource::resolve(None, None, &sqlite),
            KeySource::Beside("data/master.key".into())
        );
        assert_eq!(
            KeySource::resolve(None, None, &postgres),
            KeySource::Missing
        );
    }
}
