//! Crypto-shredding: the personal fields of events (listed in `cpts_domain::personal`) are
//! stored encrypted with a key per person, kept in `person_keys`. Reading an event decrypts
//! them; once a person's key is destroyed they read as [`ERASED`], while the stored events,
//! and so the hash chain, stay exactly as they were.
//!
//! A stored personal field is `enc:v1:<subject>:<nonce hex>:<ciphertext hex>`, sealed with
//! XChaCha20-Poly1305 (random 192-bit nonces need no counter shared between instances). The
//! associated data binds the ciphertext to its subject, event type and field, so a ciphertext
//! moved to another field or person does not decrypt.
//!
//! The key is destroyed by the append that records `PersonalDataErased`, before that event is
//! written: once the erasure is in the log, the key is gone. A member's e-mail address has keys
//! of its own (one per `ContactSet`, subject `<member>.contact.<sequence>`), destroyed likewise
//! by the append that records its withdrawal or unsubscription (and by the erasure); an
//! anonymous inhabitant's address, keyed by the contribution, by theirs. The unsubscribe link
//! of a contact is a MAC under a key of its own (`<subject>.unsubscribe`), so it is the same
//! in every copy of the record, and no copy without the keys yields it.
//!
//! Every personal field with a subject is sealed, whatever its text: a text that merely looks
//! sealed (`enc:v1:…`) is sealed like any other, so nothing a person writes can pass as already
//! encrypted and escape erasure. On read, a field that looks sealed but does not open reads as
//! erased, never as its stored text.
//!
//! The keys are stored wrapped by the master key ([`super::keyring`]), the associated data
//! naming the subject and the master key's generation; `key_hex` (a key in clear) is what older
//! versions kept, wrapped at the first start with a master key.

use std::collections::{HashMap, HashSet};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use cpts_domain::files::AttachedFile;
use cpts_domain::personal::{personal_fields, Whose, ERASED};
use cqrs_es::persist::{PersistenceError, SerializedEvent};
use rand::RngCore;
use serde_json::Value;

use cpts_projections::stmt;

use super::keyring::person_aad;
use super::{map_sqlx, timestamp_text, unknown, EventRepository, StoredEvent};

const PREFIX: &str = "enc:v1:";
/// The event that destroys its member's key.
const ERASURE: &str = "PersonalDataErased";

/// The subjects whose keys an event destroys, before it is written: the member's own key and
/// their addresses' on erasure, the addresses' on a withdrawal or an unsubscription. A subject
/// ending in `.` stands for every key under that prefix.
fn shredded_by(event: &SerializedEvent) -> Vec<String> {
    let id = &event.aggregate_id;
    match (event.aggregate_type.as_str(), event.event_type.as_str()) {
        ("member", ERASURE) => vec![id.clone(), format!("{id}.contact.")],
        ("member", "ContactWithdrawn" | "Unsubscribed") => vec![format!("{id}.contact.")],
        ("consultation", "InhabitantContactWithdrawn" | "InhabitantUnsubscribed") => event
            .payload
            .get(&event.event_type)
            .and_then(|body| body.get("contribution_id"))
            .and_then(Value::as_str)
            .map(|c| vec![c.to_owned()])
            .unwrap_or_default(),
        _ => vec![],
    }
}

/// A person's key, or `None` once erased.
type Keys = HashMap<String, Option<[u8; 32]>>;

/// The associated data of a kept file: its subject and its hash.
fn file_aad(subject: &str, sha256: &str) -> String {
    format!("cpts-ledger:v1:{subject}:file.{sha256}")
}

fn aad(subject: &str, event_type: &str, field: &str) -> String {
    format!("cpts-ledger:v1:{subject}:{event_type}.{field}")
}

fn seal_text(key: &[u8; 32], subject: &str, aad_text: &str, plain: &str) -> String {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain.as_bytes(),
                aad: aad_text.as_bytes(),
            },
        )
        .unwrap_or_default();
    format!(
        "{PREFIX}{subject}:{}:{}",
        hex::encode(nonce),
        hex::encode(sealed)
    )
}

/// The subject of a sealed text, without opening it.
fn subject_of(sealed: &str) -> Option<&str> {
    sealed.strip_prefix(PREFIX)?.split(':').next()
}

fn open_text(key: &[u8; 32], sealed: &str, event_type: &str, field: &str) -> Option<String> {
    let mut parts = sealed.strip_prefix(PREFIX)?.split(':');
    let (subject, nonce, body) = (parts.next()?, parts.next()?, parts.next()?);
    let nonce = hex::decode(nonce).ok().filter(|n| n.len() == 24)?;
    let body = hex::decode(body).ok()?;
    let cipher = XChaCha20Poly1305::new(key.into());
    let plain = cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &body,
                aad: aad(subject, event_type, field).as_bytes(),
            },
        )
        .ok()?;
    String::from_utf8(plain).ok()
}

/// The body of an event's payload: `{"EventType": {...}}` → the inner object.
fn body_mut<'a>(
    payload: &'a mut Value,
    event_type: &str,
) -> Option<&'a mut serde_json::Map<String, Value>> {
    payload.get_mut(event_type)?.as_object_mut()
}

impl EventRepository {
    /// Encrypts the personal fields of events about to be appended, creating keys as needed,
    /// and destroys the key of a member whose erasure is among them.
    pub(super) async fn seal(
        &self,
        events: &[SerializedEvent],
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        for subject in events.iter().flat_map(shredded_by) {
            match subject.strip_suffix('.') {
                Some(prefix) => {
                    for (subject,) in self.subjects_under(prefix).await? {
                        self.destroy_key(&subject).await?;
                    }
                }
                None => self.destroy_key(&subject).await?,
            }
        }
        let mut sealed = Vec::with_capacity(events.len());
        // Authors of contributions submitted in this very batch.
        let mut authors: HashMap<String, Option<String>> = HashMap::new();
        let mut keys: Keys = HashMap::new();
        for event in events {
            let mut event = event.clone();
            let fields: Vec<_> = personal_fields(&event.event_type).collect();
            if fields.is_empty() {
                sealed.push(event);
                continue;
            }
            let event_type = event.event_type.clone();
            let aggregate_id = event.aggregate_id.clone();
            let sequence = event.sequence;
            let Some(body) = body_mut(&mut event.payload, &event_type) else {
                sealed.push(event);
                continue;
            };
            let contribution = body
                .get("contribution_id")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if event_type == "ContributionSubmitted" {
                let author = body
                    .get("author")
                    .filter(|a| a.get("type").and_then(Value::as_str) == Some("member"))
                    .and_then(|a| a.get("member_id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                if let Some(contribution) = &contribution {
                    authors.insert(contribution.clone(), author);
                }
            }
            for field in fields {
                let Some(Value::String(plain)) = body.get(field.field) else {
                    continue;
                };
                let subject = match field.whose {
                    Whose::Member => Some(aggregate_id.clone()),
                    Whose::MemberContact => Some(format!("{aggregate_id}.contact.{sequence}")),
                    // A member's words under their key; an anonymous inhabitant's under the
                    // key of the consultation, which no erasure destroys: nobody can ask for
                    // them by name, yet a copy of the database must not read them either.
                    Whose::ContributionAuthor => match &contribution {
                        Some(c) => match authors.get(c) {
                            Some(author) => author.clone(),
                            None => {
                                let author = self.author_of(&aggregate_id, c).await?;
                                authors.insert(c.clone(), author.clone());
                                author
                            }
                        },
                        None => None,
                    }
                    .or_else(|| Some(aggregate_id.clone())),
                    Whose::AnonymousContact => contribution.clone(),
                };
                let Some(subject) = subject else {
                    continue;
                };
                if !keys.contains_key(&subject) {
                    let key = self.key_for(&subject).await?;
                    keys.insert(subject.clone(), key);
                }
                let value = match keys.get(&subject).copied().flatten() {
                    Some(key) => seal_text(
                        &key,
                        &subject,
                        &aad(&subject, &event_type, field.field),
                        plain,
                    ),
                    // An erased person's new data is not kept either.
                    None => ERASED.to_owned(),
                };
                body.insert(field.field.to_owned(), Value::String(value));
            }
            sealed.push(event);
        }
        Ok(sealed)
    }

    /// Decrypts the personal fields of events read from the store; those whose key is gone
    /// read as [`ERASED`]. The stored texts (what the hash covers) are left as they are.
    pub(super) async fn open(&self, events: &mut [StoredEvent]) -> Result<(), PersistenceError> {
        let mut subjects = HashSet::new();
        for event in events.iter_mut() {
            let event_type = event.event_type.clone();
            for field in personal_fields(&event_type) {
                if let Some(Value::String(text)) =
                    body_mut(&mut event.payload, &event_type).and_then(|b| b.get(field.field))
                {
                    if let Some(subject) = subject_of(text) {
                        subjects.insert(subject.to_owned());
                    }
                }
            }
        }
        if subjects.is_empty() {
            return Ok(());
        }
        let keys = self.keys_of(subjects.into_iter().collect()).await?;
        for event in events.iter_mut() {
            let event_type = event.event_type.clone();
            let Some(body) = body_mut(&mut event.payload, &event_type) else {
                continue;
            };
            for field in personal_fields(&event_type) {
                let Some(Value::String(text)) = body.get(field.field) else {
                    continue;
                };
                let Some(subject) = subject_of(text) else {
                    continue;
                };
                let opened = keys
                    .get(subject)
                    .copied()
                    .flatten()
                    .and_then(|key| open_text(&key, text, &event_type, field.field))
                    .unwrap_or_else(|| ERASED.to_owned());
                body.insert(field.field.to_owned(), Value::String(opened));
            }
        }
        Ok(())
    }

    /// The key of a person, created on first use (wrapped by the master key); `None` if the
    /// person was erased.
    async fn key_for(&self, subject: &str) -> Result<Option<[u8; 32]>, PersistenceError> {
        let unlocked = self.unlocked()?;
        let mut fresh = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut fresh);
        let wrapped = unlocked
            .master
            .wrap(&person_aad(subject, unlocked.generation), &fresh);
        let now = timestamp_text(chrono::Utc::now());
        // Inserted only while the master key is still the one this process holds: after a
        // rotation by another process, a key wrapped by the former one would be lost.
        const INSERT: &str =
            "INSERT INTO person_keys (subject_id, key_hex, wrapped_key, created_at) \
                              SELECT $1, NULL, $2, $3 FROM keyring \
                              WHERE singleton = 1 AND generation = $4 \
                              ON CONFLICT (subject_id) DO NOTHING";
        const SELECT: &str =
            "SELECT subject_id, key_hex, wrapped_key FROM person_keys WHERE subject_id = $1";
        self.db
            .execute(&stmt!(
                INSERT,
                subject,
                wrapped.as_str(),
                now.as_str(),
                unlocked.generation
            ))
            .await
            .map_err(map_sqlx)?;
        let stored: Option<KeyRow> = self
            .db
            .fetch_optional(SELECT, &[subject.into()])
            .await
            .map_err(map_sqlx)?;
        match stored {
            Some(row) => self.key_of_row(row),
            None => Err(unknown(
                "the master key was rotated by another process: restart the service",
            )),
        }
    }

    /// A person's key from its row: unwrapped, or `None` once erased.
    fn key_of_row(
        &self,
        (subject, clear, wrapped): KeyRow,
    ) -> Result<Option<[u8; 32]>, PersistenceError> {
        if let Some(wrapped) = wrapped {
            let unlocked = self.unlocked()?;
            return unlocked
                .master
                .unwrap(&person_aad(&subject, unlocked.generation), &wrapped)
                .map(Some)
                .ok_or_else(|| unknown("a person's key does not unwrap under the master key"));
        }
        // Written in clear by an older version since this one started: wrapped at next start.
        clear.map(|k| parse_key(&k)).transpose()
    }

    /// The keys of several people, in as few statements as the backend allows.
    async fn keys_of(&self, subjects: Vec<String>) -> Result<Keys, PersistenceError> {
        let mut keys = Keys::new();
        for chunk in subjects.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT subject_id, key_hex, wrapped_key FROM person_keys WHERE subject_id IN ({})",
                placeholders.join(", ")
            );
            let params: Vec<_> = chunk.iter().map(|s| s.as_str().into()).collect();
            let rows: Vec<KeyRow> = self
                .db
                .fetch_uncounted(&sql, &params)
                .await
                .map_err(map_sqlx)?;
            for row in rows {
                let subject = row.0.clone();
                keys.insert(subject, self.key_of_row(row)?);
            }
        }
        Ok(keys)
    }

    /// The subjects of the keys under a prefix (a member's addresses).
    async fn subjects_under(&self, prefix: &str) -> Result<Vec<(String,)>, PersistenceError> {
        const SQL: &str = "SELECT subject_id FROM person_keys WHERE subject_id LIKE $1";
        self.db
            .fetch_uncounted(SQL, &[format!("{prefix}.%").into()])
            .await
            .map_err(map_sqlx)
    }

    /// The secret of a contact's unsubscribe link (a member, or an anonymous inhabitant's
    /// contribution): a MAC of the subject under a key of its own, created on first use. The
    /// same in every copy that holds the keys, so the outbox rebuilds the same link from an
    /// import; `None` once that key is destroyed.
    pub async fn unsubscribe_token(&self, subject: &str) -> anyhow::Result<Option<String>> {
        use hmac::{Hmac, Mac};
        let Some(key) = self
            .key_for(&format!("{subject}.unsubscribe"))
            .await
            .map_err(|e| anyhow::anyhow!("reading a contact's link key: {e}"))?
        else {
            return Ok(None);
        };
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key)
            .map_err(|e| anyhow::anyhow!("a link key: {e}"))?;
        mac.update(format!("cpts-ledger:unsubscribe:{subject}").as_bytes());
        Ok(Some(hex::encode(mac.finalize().into_bytes())))
    }

    /// Destroys a person's key (keeping a row that says they were erased), and the files
    /// sealed under it: unreadable once the key is gone, they are not kept either.
    async fn destroy_key(&self, subject: &str) -> Result<(), PersistenceError> {
        let now = timestamp_text(chrono::Utc::now());
        const SQL: &str = "INSERT INTO person_keys (subject_id, key_hex, wrapped_key, created_at, \
                           erased_at) VALUES ($1, NULL, NULL, $2, $2) ON CONFLICT (subject_id) \
                           DO UPDATE SET key_hex = NULL, wrapped_key = NULL, erased_at = $2";
        self.db
            .execute(&stmt!(SQL, subject, now.as_str()))
            .await
            .map_err(map_sqlx)?;
        self.db
            .execute(&stmt!(
                "DELETE FROM contribution_files WHERE subject_id = $1",
                subject
            ))
            .await
            .map_err(map_sqlx)?;
        Ok(())
    }

    /// Keeps a contribution's file beside the log, sealed under the key of its author's words
    /// (`subject`: the member, or the consultation for an anonymous inhabitant), the associated
    /// data naming the subject and the file's hash. The same file of the same author is kept
    /// once. Gives `false`, keeping nothing, when the subject's key was destroyed.
    pub async fn keep_file(
        &self,
        subject: &str,
        file: &AttachedFile,
        bytes: &[u8],
    ) -> anyhow::Result<bool> {
        let Some(key) = self.key_for(subject).await? else {
            return Ok(false);
        };
        let cipher = XChaCha20Poly1305::new((&key).into());
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let body = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: bytes,
                    aad: file_aad(subject, &file.sha256).as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("sealing a file failed"))?;
        let sealed = format!("{}:{}", hex::encode(nonce), hex::encode(body));
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        self.insert_file(subject, &file.sha256, &file.media_type, size, &sealed)
            .await?;
        Ok(true)
    }

    /// The one row of a sealed file; one already kept for its author is left as it is.
    async fn insert_file(
        &self,
        subject: &str,
        sha256: &str,
        media_type: &str,
        size: i64,
        sealed: &str,
    ) -> anyhow::Result<()> {
        let now = timestamp_text(chrono::Utc::now());
        self.db
            .execute(&stmt!(
                "INSERT INTO contribution_files (subject_id, sha256, media_type, size, sealed, \
                 stored_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (subject_id, sha256) DO NOTHING",
                subject,
                sha256,
                media_type,
                size,
                sealed,
                now.as_str(),
            ))
            .await?;
        Ok(())
    }

    /// The bytes of a file kept by [`EventRepository::keep_file`], checked against its hash;
    /// `None` when none is kept, or its key was destroyed.
    pub async fn kept_file(&self, subject: &str, sha256: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let row: Option<(String,)> = self
            .db
            .fetch_optional(
                "SELECT sealed FROM contribution_files WHERE subject_id = $1 AND sha256 = $2",
                &[subject.into(), sha256.into()],
            )
            .await?;
        let Some((sealed,)) = row else {
            return Ok(None);
        };
        let keys = self.keys_of(vec![subject.to_owned()]).await?;
        let Some(key) = keys.get(subject).copied().flatten() else {
            return Ok(None);
        };
        let (nonce, body) = sealed
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("a kept file is malformed"))?;
        let nonce = hex::decode(nonce)?;
        anyhow::ensure!(nonce.len() == 24, "a kept file's nonce is malformed");
        let plain = XChaCha20Poly1305::new((&key).into())
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &hex::decode(body)?,
                    aad: file_aad(subject, sha256).as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("a kept file does not open with its key"))?;
        anyhow::ensure!(
            cpts_domain::files::sha256_hex(&plain) == sha256,
            "a kept file does not match its hash"
        );
        Ok(Some(plain))
    }

    /// The member who wrote a contribution of a consultation, if a member did.
    async fn author_of(
        &self,
        consultation_id: &str,
        contribution_id: &str,
    ) -> Result<Option<String>, PersistenceError> {
        const SQL: &str = "SELECT payload FROM events WHERE aggregate_type = 'consultation' \
                           AND aggregate_id = $1 AND event_type = 'ContributionSubmitted'";
        let payloads: Vec<(String,)> = self
            .db
            .fetch_uncounted(SQL, &[consultation_id.into()])
            .await
            .map_err(map_sqlx)?;
        for (text,) in payloads {
            let payload: Value = serde_json::from_str(&text)?;
            let body = &payload["ContributionSubmitted"];
            if body["contribution_id"].as_str() == Some(contribution_id) {
                let author = &body["author"];
                return Ok((author["type"].as_str() == Some("member"))
                    .then(|| author["member_id"].as_str().map(str::to_owned))
                    .flatten());
            }
        }
        Ok(None)
    }

    /// Which files are kept, for a backup: `(subject, hash)`, in order.
    pub async fn kept_files(&self) -> anyhow::Result<Vec<(String, String)>> {
        Ok(self
            .db
            .fetch_uncounted(
                "SELECT subject_id, sha256 FROM contribution_files ORDER BY subject_id, sha256",
                &[],
            )
            .await?)
    }

    /// One kept file as stored, for a backup: its kind, size and sealed bytes. Sealed under a
    /// person's key, it travels like the keys do: whoever has the file and the master key opens
    /// it, nobody else.
    pub async fn kept_file_sealed(
        &self,
        subject: &str,
        sha256: &str,
    ) -> anyhow::Result<Option<(String, i64, String)>> {
        Ok(self
            .db
            .fetch_optional(
                "SELECT media_type, size, sealed FROM contribution_files \
                 WHERE subject_id = $1 AND sha256 = $2",
                &[subject.into(), sha256.into()],
            )
            .await?)
    }

    /// Restores a kept file from a backup, as it was sealed; one already kept is left as it is,
    /// and one whose person was erased is not restored.
    pub async fn restore_file(
        &self,
        subject: &str,
        sha256: &str,
        media_type: &str,
        size: i64,
        sealed: &str,
    ) -> anyhow::Result<()> {
        let keys = self.keys_of(vec![subject.to_owned()]).await?;
        if keys.get(subject).copied().flatten().is_none() {
            return Ok(());
        }
        self.insert_file(subject, sha256, media_type, size, sealed)
            .await
    }

    /// Every person's key, for a backup, wrapped as stored: `(subject, wrapped key or None if
    /// erased, erased_at)`, under the master key whose check value and generation
    /// [`EventRepository::key_check`] gives.
    pub async fn export_keys(
        &self,
    ) -> Result<Vec<(String, Option<String>, Option<String>)>, PersistenceError> {
        let unlocked = self.unlocked()?;
        const SQL: &str = "SELECT subject_id, key_hex, wrapped_key, erased_at FROM person_keys \
                           ORDER BY subject_id";
        let rows: Vec<ExportRow> = self.db.fetch_uncounted(SQL, &[]).await.map_err(map_sqlx)?;
        rows.into_iter()
            .map(|(subject, clear, wrapped, erased_at)| {
                let wrapped = match (wrapped, clear) {
                    (Some(wrapped), _) => Some(wrapped),
                    // A key an older version wrote in clear since start: never exported so.
                    (None, Some(clear)) => Some(unlocked.master.wrap(
                        &person_aad(&subject, unlocked.generation),
                        &parse_key(&clear)?,
                    )),
                    (None, None) => None,
                };
                Ok((subject, wrapped, erased_at))
            })
            .collect()
    }

    /// Restores people's keys from a backup; a key the store already has is left as it is.
    /// Each key is either wrapped at `generation` under `wrapped_by` (this store's master key
    /// when `None`, or the former key an export was made under), and rewrapped under the
    /// store's current key, or in clear (exports of older versions; wrapped now). Every key is
    /// checked before anything is written.
    pub async fn import_keys(
        &self,
        keys: &[ImportedKey],
        generation: Option<i64>,
        wrapped_by: Option<&super::keyring::MasterKey>,
    ) -> Result<(), PersistenceError> {
        let unlocked = self.unlocked()?;
        let wrapped_by = wrapped_by.unwrap_or(&unlocked.master);
        let mut rows = Vec::with_capacity(keys.len());
        for key in keys {
            let plain = match (&key.wrapped, &key.clear) {
                (Some(wrapped), _) => {
                    let from = generation.ok_or_else(|| {
                        unknown("wrapped keys without the master key's generation")
                    })?;
                    Some(
                        wrapped_by
                            .unwrap(&person_aad(&key.subject, from), wrapped)
                            .ok_or_else(|| {
                                unknown("a person's key does not unwrap under the master key")
                            })?,
                    )
                }
                (None, Some(clear)) => Some(parse_key(clear)?),
                (None, None) => None,
            };
            let wrapped = plain.map(|plain| {
                unlocked
                    .master
                    .wrap(&person_aad(&key.subject, unlocked.generation), &plain)
            });
            rows.push((key, wrapped));
        }
        let now = timestamp_text(chrono::Utc::now());
        const SQL: &str = "INSERT INTO person_keys (subject_id, key_hex, wrapped_key, created_at, \
                           erased_at) VALUES ($1, NULL, $2, $3, $4) ON CONFLICT (subject_id) \
                           DO NOTHING";
        for (key, wrapped) in rows {
            self.db
                .execute(&stmt!(
                    SQL,
                    key.subject.as_str(),
                    wrapped,
                    now.as_str(),
                    key.erased_at.clone()
                ))
                .await
                .map_err(map_sqlx)?;
        }
        Ok(())
    }
}

/// A person's key read from a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedKey {
    /// Whose key.
    pub subject: String,
    /// Wrapped by the master key the backup was made under.
    pub wrapped: Option<String>,
    /// In clear (backups of older versions).
    pub clear: Option<String>,
    /// When the person was erased, if they were.
    pub erased_at: Option<String>,
}

/// A row of `person_keys` for a backup: subject, key in clear, wrapped key, erasure time.
type ExportRow = (String, Option<String>, Option<String>, Option<String>);

/// A row of `person_keys`: subject, key in clear (older versions), wrapped key.
type KeyRow = (String, Option<String>, Option<String>);

pub(super) fn parse_key(text: &str) -> Result<[u8; 32], PersistenceError> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| unknown("a stored person key is not 32 bytes of hex"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_text_opens_only_with_its_key_subject_and_field() {
        let key = [7u8; 32];
        let sealed = seal_text(
            &key,
            "m1",
            &aad("m1", "MemberAdmitted", "name"),
            "Martine Roussel",
        );
        assert!(sealed.starts_with("enc:v1:m1:"));
        assert!(!sealed.contains("Martine"));
        assert_eq!(
            open_text(&key, &sealed, "MemberAdmitted", "name").as_deref(),
            Some("Martine Roussel")
        );
        assert_eq!(
            open_text(&[8u8; 32], &sealed, "MemberAdmitted", "name"),
            None
        );
        assert_eq!(open_text(&key, &sealed, "MandateGranted", "commune"), None);
        let moved = sealed.replacen("enc:v1:m1:", "enc:v1:m2:", 1);
        assert_eq!(open_text(&key, &moved, "MemberAdmitted", "name"), None);
    }

    #[test]
    fn two_seals_of_the_same_text_differ() {
        let key = [7u8; 32];
        let a = aad("m1", "MemberAdmitted", "name");
        assert_ne!(
            seal_text(&key, "m1", &a, "x"),
            seal_text(&key, "m1", &a, "x")
        );
    }
}
