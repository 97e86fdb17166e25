//! The event store: cqrs-es's [`PersistedEventRepository`] over sqlx, for PostgreSQL and SQLite.
//!
//! Every append runs in one transaction that locks the head of the log (`log_head`), checks the
//! stream's last sequence (a writer that lost a race gets
//! [`PersistenceError::OptimisticLockError`] and nothing is written), numbers the events from the
//! head, chains their hashes (chain version 2, `chain.rs`), inserts them and moves the head. The
//! lock is held until commit, so global positions are handed out in commit order and never leave
//! a gap: a reader that has seen position *n* will never see a lower position appear later.
//! ARCHITECTURE.md tells why.
//!
//! Every statement is written once for both backends and runs through the service's one way
//! to the database ([`cpts_projections::db`]); the append protocol is `append.rs`, which
//! PostgreSQL's group commit (`postgres.rs`) runs for a whole group in one transaction.
//!
//! Personal fields are encrypted on the way in and decrypted on the way out ([`vault`]): what
//! is stored, hashed and exported is the ciphertext. The people's keys are kept wrapped by the
//! master key, which lives outside the database ([`keyring`]): the store must be unlocked with
//! it ([`EventRepository::unlock`]) before it reads or writes anything personal.

mod append;
pub mod chain;
pub mod keyring;
mod postgres;
mod vault;
mod verify;

use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, SubsecRound, Utc};
use cpts_domain::claims::{claims, Claim, Claiming, SubRecord};
use cpts_domain::community::{Community, CommunityEvent};
use cpts_domain::consultation::{Consultation, ConsultationEvent};
use cpts_projections::db::{Dialect, Param, ReadDb};
use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use serde_json::Value;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use self::chain::{event_hash, ChainVersion, Encoding, HashInput};
pub use self::vault::ImportedKey;
pub use self::verify::{BadDigest, Broken, ChainCheck, Digest, Problem, Verification};

/// The event store, on one of the two backends.
#[derive(Clone, Debug)]
pub struct EventRepository {
    /// The database, reached as every other part of the service reaches it.
    db: ReadDb,
    /// PostgreSQL: the writer that gathers this process's concurrent appends (shared by clones).
    group: Option<std::sync::Arc<postgres::GroupCommit>>,
    /// The master key once unlocked (shared by clones).
    keys: keyring::KeyState,
}

/// The last event of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHead {
    /// Its position; 0 when the log is empty.
    pub position: u64,
    /// Its hash; zeros when the log is empty.
    pub hash: [u8; 32],
    /// When it was recorded.
    pub recorded_at: Option<DateTime<Utc>>,
    /// The position of the log's first version 2 event, once there is one (`log_head.
    /// chain_v2_from`, set by the append that writes it).
    pub chain_v2_from: Option<u64>,
}

impl LogHead {
    /// The chain version of the head's event: version 2 from the first version 2 event on,
    /// and for an empty log (its first event will be version 2); version 1 before.
    pub fn chain_version(&self) -> ChainVersion {
        match self.chain_v2_from {
            Some(from) if self.position >= from => ChainVersion::V2,
            _ if self.position == 0 => ChainVersion::V2,
            _ => ChainVersion::V1,
        }
    }

    /// How the next event appended after this head is hashed: version 2, starting at the
    /// next position if it has not started yet.
    fn next_encoding(&self) -> Encoding {
        Encoding::V2 {
            from: self.chain_v2_from.unwrap_or(self.position + 1),
        }
    }
}

/// One event as stored, with its place in the log and its hash link.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Global position, from 1.
    pub position: u64,
    /// Aggregate type.
    pub aggregate_type: String,
    /// Aggregate id.
    pub aggregate_id: String,
    /// Sequence in the aggregate's stream, from 1.
    pub sequence: u64,
    /// Event type name.
    pub event_type: String,
    /// Version of the event's shape.
    pub event_version: String,
    /// The payload, parsed.
    pub payload: Value,
    /// The metadata, parsed.
    pub metadata: Value,
    /// The payload's stored text (what the hash covers).
    pub payload_text: String,
    /// The metadata's stored text (what the hash covers).
    pub metadata_text: String,
    /// The CPTS the event belongs to.
    pub community_id: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The recording time's stored text (what the hash covers).
    pub recorded_at_text: String,
    /// The hash of the event before it.
    pub prev_hash: [u8; 32],
    /// Its hash.
    pub hash: [u8; 32],
    /// The chain version it was hashed with, as stored (`events.chain_version`: 1 or 2, see
    /// [`ChainVersion`]; anything else is an edit, which [`ChainCheck`] names).
    pub chain_version: i64,
}

impl StoredEvent {
    /// Recomputes the hash from the stored fields and `prev_hash`, in `encoding`.
    pub fn recompute_hash(&self, encoding: Encoding) -> [u8; 32] {
        event_hash(&self.prev_hash, encoding, &self.hash_input())
    }

    /// The CPTS its hashed metadata names (`community_id`), which the column must repeat: the
    /// store fills the column from it.
    pub fn hashed_community(&self) -> Option<&str> {
        self.metadata.get("community_id").and_then(Value::as_str)
    }

    fn hash_input(&self) -> HashInput<'_> {
        HashInput {
            position: self.position,
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: &self.payload_text,
            metadata: &self.metadata_text,
            community_id: self.community_id.as_deref(),
            recorded_at: &self.recorded_at_text,
        }
    }

    fn into_serialized(self) -> SerializedEvent {
        SerializedEvent::new(
            self.aggregate_id,
            usize::try_from(self.sequence).unwrap_or(usize::MAX),
            self.aggregate_type,
            self.event_type,
            self.event_version,
            self.payload,
            self.metadata,
        )
    }
}

/// The text form of a recording time: RFC 3339, UTC, exactly six fractional digits.
pub fn timestamp_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, PersistenceError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| PersistenceError::DeserializationError(Box::new(e)))
}

fn hash32(bytes: &[u8]) -> Result<[u8; 32], PersistenceError> {
    bytes
        .try_into()
        .map_err(|_| unknown(format!("a stored hash has {} bytes, not 32", bytes.len())))
}

fn unknown(message: impl Into<String>) -> PersistenceError {
    PersistenceError::UnknownError(message.into().into())
}

fn to_i64(value: u64) -> Result<i64, PersistenceError> {
    i64::try_from(value).map_err(|_| unknown(format!("{value} does not fit a BIGINT")))
}

fn to_u64(value: i64) -> Result<u64, PersistenceError> {
    u64::try_from(value).map_err(|_| {
        unknown(format!(
            "a stored position or sequence is negative: {value}"
        ))
    })
}

/// Maps a database error: a violation of the stream's sequence constraint is a lost race,
/// a connection problem is a connection error, anything else is unexpected.
fn map_sqlx(error: sqlx::Error) -> PersistenceError {
    if let sqlx::Error::Database(db) = &error {
        let on_stream = db.constraint() == Some("events_stream_sequence")
            || db
                .message()
                .contains("events.aggregate_type, events.aggregate_id, events.sequence");
        if db.is_unique_violation() && on_stream {
            return PersistenceError::OptimisticLockError;
        }
    }
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => PersistenceError::ConnectionError(Box::new(error)),
        other => PersistenceError::UnknownError(Box::new(other)),
    }
}

/// A row about to be inserted, with everything the hash covers fixed.
pub(crate) struct NewRow {
    position: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: String,
    metadata: String,
    community_id: Option<String>,
    recorded_at: DateTime<Utc>,
    recorded_at_text: String,
    prev_hash: [u8; 32],
    hash: [u8; 32],
    /// `events.chain_version`.
    chain_version: i64,
    command_id: Option<String>,
    /// Who sent the command, from the metadata, for the `commands` table.
    actor: Option<String>,
    /// The digest of the command, handed over under [`COMMAND_HASH`] and kept only in the
    /// `commands` table.
    command_hash: Option<String>,
}

impl NewRow {
    /// The row of an event read from an export, as it was stored.
    fn from_stored(event: &StoredEvent) -> Result<Self, PersistenceError> {
        Ok(Self {
            position: to_i64(event.position)?,
            aggregate_type: event.aggregate_type.clone(),
            aggregate_id: event.aggregate_id.clone(),
            sequence: to_i64(event.sequence)?,
            event_type: event.event_type.clone(),
            event_version: event.event_version.clone(),
            payload: event.payload_text.clone(),
            metadata: event.metadata_text.clone(),
            community_id: event.community_id.clone(),
            recorded_at: event.recorded_at,
            recorded_at_text: event.recorded_at_text.clone(),
            prev_hash: event.prev_hash,
            hash: event.hash,
            chain_version: event.chain_version,
            command_id: event
                .metadata
                .get("command_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            actor: event
                .metadata
                .get("actor")
                .and_then(Value::as_str)
                .map(str::to_owned),
            command_hash: None,
        })
    }
}

/// The run of consecutive rows one command recorded, for the `commands` table.
struct CommandSpan<'a> {
    command_id: &'a str,
    first: &'a NewRow,
    last: &'a NewRow,
}

fn command_spans(rows: &[NewRow]) -> Vec<CommandSpan<'_>> {
    let mut spans: Vec<CommandSpan<'_>> = Vec::new();
    for row in rows {
        let Some(command_id) = row.command_id.as_deref() else {
            continue;
        };
        match spans.last_mut() {
            Some(span)
                if span.command_id == command_id && span.last.position + 1 == row.position =>
            {
                span.last = row;
            }
            _ => spans.push(CommandSpan {
                command_id,
                first: row,
                last: row,
            }),
        }
    }
    spans
}

/// Numbers, stamps and chains `events` after `head`, in chain version 2. The caller holds the
/// append lock and has checked that the stream continues at `events[0].sequence`.
fn prepare_rows(
    head: &LogHead,
    events: &[SerializedEvent],
) -> Result<Vec<NewRow>, PersistenceError> {
    // Times never go back along the log, even if the clock does.
    let now = Utc::now().trunc_subsecs(6);
    let recorded_at = head.recorded_at.map_or(now, |last| now.max(last));
    let recorded_at_text = timestamp_text(recorded_at);
    let encoding = head.next_encoding();
    let mut prev_hash = head.hash;
    let mut rows = Vec::with_capacity(events.len());
    for (offset, event) in (1u64..).zip(events) {
        let position = head.position + offset;
        let mut metadata = match &event.metadata {
            Value::Object(map) => map.clone(),
            Value::Null => serde_json::Map::new(),
            other => {
                return Err(unknown(format!(
                    "event metadata must be an object, not {other}"
                )))
            }
        };
        let command_hash = match metadata.remove(COMMAND_HASH) {
            Some(Value::String(digest)) => Some(digest),
            _ => None,
        };
        metadata.insert(
            "recorded_at".to_owned(),
            Value::String(recorded_at_text.clone()),
        );
        let community_id = metadata
            .get("community_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let command_id = metadata
            .get("command_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let actor = metadata
            .get("actor")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let payload = serde_json::to_string(&event.payload)?;
        let metadata = serde_json::to_string(&Value::Object(metadata))?;
        let sequence =
            u64::try_from(event.sequence).map_err(|_| unknown("sequence out of range"))?;
        let hash = event_hash(
            &prev_hash,
            encoding,
            &HashInput {
                position,
                aggregate_type: &event.aggregate_type,
                aggregate_id: &event.aggregate_id,
                sequence,
                event_type: &event.event_type,
                event_version: &event.event_version,
                payload: &payload,
                metadata: &metadata,
                community_id: community_id.as_deref(),
                recorded_at: &recorded_at_text,
            },
        );
        rows.push(NewRow {
            position: to_i64(position)?,
            aggregate_type: event.aggregate_type.clone(),
            aggregate_id: event.aggregate_id.clone(),
            sequence: to_i64(sequence)?,
            event_type: event.event_type.clone(),
            event_version: event.event_version.clone(),
            payload,
            metadata,
            community_id,
            recorded_at,
            recorded_at_text: recorded_at_text.clone(),
            prev_hash,
            hash,
            chain_version: encoding.version().number(),
            command_id,
            actor,
            command_hash,
        });
        prev_hash = hash;
    }
    Ok(rows)
}

/// Checks that a batch is one stream's contiguous run of events.
fn check_batch(events: &[SerializedEvent]) -> Result<(), PersistenceError> {
    let first = &events[0];
    for (i, event) in events.iter().enumerate() {
        if event.aggregate_type != first.aggregate_type
            || event.aggregate_id != first.aggregate_id
            || event.sequence != first.sequence + i
        {
            return Err(unknown("an append must be one stream's contiguous events"));
        }
    }
    if first.sequence == 0 {
        return Err(unknown("sequences start at 1"));
    }
    Ok(())
}

/// A command that already recorded its events: its answer is the events of its first
/// execution, found with [`EventRepository::command_events`].
#[derive(Debug, thiserror::Error)]
#[error("the command {0} was already recorded")]
pub struct DuplicateCommand(pub String);

/// The metadata key under which the service hands the store a command's digest. The store
/// takes it out of the metadata before the event is written, hashed or chained, and keeps it
/// only in the `commands` table.
pub const COMMAND_HASH: &str = "command_hash";

/// A command that recorded events, as the `commands` table keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRecord {
    /// The command's id.
    pub command_id: String,
    /// The kind of record it addressed.
    pub aggregate_type: String,
    /// The record it addressed.
    pub aggregate_id: String,
    /// Who sent it; `None` for commands recorded before actors were kept.
    pub actor: Option<String>,
    /// The digest of the command; `None` for commands recorded before digests were kept.
    pub command_hash: Option<String>,
    /// The position of its first event.
    pub first_position: i64,
    /// The position of its last event.
    pub last_position: i64,
}

type CommandRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

impl From<CommandRow> for CommandRecord {
    fn from(row: CommandRow) -> Self {
        let (command_id, aggregate_type, aggregate_id, actor, command_hash, first, last) = row;
        Self {
            command_id,
            aggregate_type,
            aggregate_id,
            actor,
            command_hash,
            first_position: first,
            last_position: last,
        }
    }
}

const COMMAND_COLUMNS: &str = "c.command_id, c.aggregate_type, c.aggregate_id, c.actor, \
     c.command_hash, c.first_position, c.last_position";

/// The id of the command that caused these events, from their metadata.
fn command_id_of(events: &[SerializedEvent]) -> Option<String> {
    events
        .first()?
        .metadata
        .get("command_id")?
        .as_str()
        .map(str::to_owned)
}

/// An event claimed the id of a collège, a body or a contribution that an earlier event of the
/// log already claimed (see `cpts_domain::claims`): the append is refused, nothing written.
#[derive(Debug, thiserror::Error)]
#[error("the {} id is already claimed by another event of the log", .0.wire_name())]
pub struct IdTaken(pub SubRecord);

/// A sub-record id claimed by one event, as recorded in `claimed_ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClaimRow {
    kind: SubRecord,
    id: String,
    aggregate_type: String,
    aggregate_id: String,
    position: i64,
}

impl ClaimRow {
    /// The `(kind, id)` key of the claim.
    fn key(&self) -> (String, String) {
        (self.kind.wire_name().to_owned(), self.id.clone())
    }
}

/// The sub-record ids an event claims, by the domain's rule. A payload that does not read as
/// an event of its record claims nothing (it is no event the domain decided).
fn payload_claims(aggregate_type: &str, payload: &Value) -> Vec<Claim> {
    use serde::Deserialize;
    match aggregate_type {
        Community::TYPE => CommunityEvent::deserialize(payload)
            .map(|event| claims(Claiming::Community(&event)))
            .unwrap_or_default(),
        Consultation::TYPE => ConsultationEvent::deserialize(payload)
            .map(|event| claims(Claiming::Consultation(&event)))
            .unwrap_or_default(),
        _ => vec![],
    }
}

/// The claims of events about to be appended as `rows` (one row per event, in order).
fn claim_rows(events: &[SerializedEvent], rows: &[NewRow]) -> Vec<ClaimRow> {
    events
        .iter()
        .zip(rows)
        .flat_map(|(event, row)| {
            payload_claims(&event.aggregate_type, &event.payload)
                .into_iter()
                .map(|claim| ClaimRow {
                    kind: claim.kind,
                    id: claim.id.to_string(),
                    aggregate_type: row.aggregate_type.clone(),
                    aggregate_id: row.aggregate_id.clone(),
                    position: row.position,
                })
        })
        .collect()
}

/// The claims of exported events being imported.
fn stored_claim_rows(events: &[StoredEvent]) -> Result<Vec<ClaimRow>, PersistenceError> {
    let mut rows = Vec::new();
    for event in events {
        for claim in payload_claims(&event.aggregate_type, &event.payload) {
            rows.push(ClaimRow {
                kind: claim.kind,
                id: claim.id.to_string(),
                aggregate_type: event.aggregate_type.clone(),
                aggregate_id: event.aggregate_id.clone(),
                position: to_i64(event.position)?,
            });
        }
    }
    Ok(rows)
}

/// Fails with [`IdTaken`] if a claim is in `taken` or appears twice among `claims`.
fn check_claims(
    claims: &[ClaimRow],
    taken: &std::collections::HashSet<(String, String)>,
) -> Result<(), PersistenceError> {
    let mut seen = std::collections::HashSet::new();
    for claim in claims {
        let key = claim.key();
        if taken.contains(&key) || !seen.insert(key) {
            return Err(PersistenceError::UnknownError(Box::new(IdTaken(
                claim.kind,
            ))));
        }
    }
    Ok(())
}

/// Columns read back for a [`StoredEvent`], in [`EventRow`] order, by both backends.
fn event_columns(dialect: Dialect) -> String {
    format!(
        "position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
         metadata, community_id, {}, prev_hash, hash, chain_version",
        dialect.timestamp_text("recorded_at")
    )
}

/// An event's row, as [`event_columns`] reads it.
type EventRow = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Vec<u8>,
    Vec<u8>,
    i64,
);

fn event_from(row: EventRow) -> Result<StoredEvent, PersistenceError> {
    let (position, aggregate_type, aggregate_id, sequence, event_type, event_version) =
        (row.0, row.1, row.2, row.3, row.4, row.5);
    let (payload, metadata, community_id, recorded_at, prev_hash, hash) =
        (row.6, row.7, row.8, row.9, row.10, row.11);
    let chain_version = row.12;
    stored_event(
        position,
        aggregate_type,
        aggregate_id,
        sequence,
        event_type,
        event_version,
        payload,
        metadata,
        community_id,
        parse_timestamp(&recorded_at)?,
        recorded_at,
        &prev_hash,
        &hash,
        chain_version,
    )
}

/// Creates a folder (and its missing parents) readable by its owner only; an existing folder
/// is left as it is.
pub(crate) fn create_private_folder(path: &std::path::Path) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .with_context(|| format!("creating the folder {}", path.display()))
}

/// Creates the SQLite database file, mode 0600, unless it exists.
fn create_private_file(path: &std::path::Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => {
            Err(error).with_context(|| format!("creating the database {}", path.display()))
        }
    }
}

/// Makes the SQLite database and its -wal and -shm files readable by their owner only (files
/// of an older version may have been created 0644).
fn private_database_files(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_os_string();
            name.push(suffix);
            let file = std::path::PathBuf::from(name);
            if let Ok(metadata) = std::fs::metadata(&file) {
                if metadata.permissions().mode() & 0o077 != 0 {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                        .with_context(|| format!("making {} private", file.display()))?;
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl EventRepository {
    /// Connects to `postgres://…` / `postgresql://…`, or to `sqlite:…` (creating the file and
    /// its folder when missing).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            let db = ReadDb::postgres(pool.clone());
            Ok(Self {
                group: Some(std::sync::Arc::new(postgres::GroupCommit::start(
                    db.clone(),
                    pool,
                ))),
                db,
                keys: keyring::KeyState::default(),
            })
        } else if url.starts_with("sqlite:") {
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let options = SqliteConnectOptions::from_str(url)
                .context("reading the SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit that returned survives a power cut; the ledger is an audit record.
                .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                // What is deleted or overwritten (a destroyed key, an erased person's rows) is
                // zeroed in the file, not left in a free page.
                .pragma("secure_delete", "ON")
                .foreign_keys(true);
            if !in_memory {
                let file = options.get_filename();
                if let Some(parent) = file.parent() {
                    if !parent.as_os_str().is_empty() {
                        create_private_folder(parent)?;
                    }
                }
                // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files
                // the database file's mode.
                create_private_file(file)?;
            }
            // An in-memory database lives in one connection; a file is shared by several.
            let max = if in_memory { 1 } else { 8 };
            let file = options.get_filename().to_path_buf();
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .connect_with(options)
                .await
                .context("opening the SQLite database")?;
            if !in_memory {
                private_database_files(&file)?;
            }
            Ok(Self {
                db: ReadDb::sqlite(pool),
                group: None,
                keys: keyring::KeyState::default(),
            })
        } else {
            let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
            bail!(
                "unsupported store URL scheme `{scheme}`: use postgres://… for PostgreSQL or sqlite://… for a SQLite file"
            )
        }
    }

    /// Creates or updates the tables of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        if let Some(pool) = self.db.pg_pool() {
            sqlx::migrate!("../migrations/postgres").run(pool).await
        } else if let Some(pool) = self.db.sqlite_pool() {
            sqlx::migrate!("../migrations/sqlite").run(pool).await
        } else {
            Ok(())
        }
        .context("applying the migrations")
    }

    /// `"postgres"` or `"sqlite"`.
    pub fn backend_name(&self) -> &'static str {
        self.db.dialect().name()
    }

    /// The database, for whatever else the service keeps beside the log (read models, tokens,
    /// the outbox): the one way every part of it reaches the backend.
    pub fn db(&self) -> &ReadDb {
        &self.db
    }

    /// The PostgreSQL pool, on that backend (for tests that look under the hood).
    pub fn pg_pool(&self) -> Option<&PgPool> {
        self.db.pg_pool()
    }

    /// The SQLite pool, on that backend (for tests that look under the hood).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        self.db.sqlite_pool()
    }

    /// The last event of the log.
    pub async fn head(&self) -> Result<LogHead, PersistenceError> {
        let sql = append::head_sql(self.db.dialect(), false);
        let row: Option<append::HeadRow> =
            self.db.fetch_optional(&sql, &[]).await.map_err(map_sqlx)?;
        append::head_from(row.ok_or_else(|| unknown("the log has no head"))?)
    }

    /// Events in global order after position `after`, at most `limit` of them.
    pub async fn read_log(
        &self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        let sql = format!(
            "SELECT {} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            self.columns()
        );
        self.select(
            &sql,
            &[Param::from(to_i64(after)?), Param::from(i64::from(limit))],
        )
        .await
    }

    /// The events of one CPTS in global order after position `after`, at most `limit`.
    pub async fn read_community_log(
        &self,
        community_id: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        let sql = format!(
            "SELECT {} FROM events WHERE community_id = $1 AND position > $2 \
             ORDER BY position LIMIT $3",
            self.columns()
        );
        self.select(
            &sql,
            &[
                Param::from(community_id),
                Param::from(to_i64(after)?),
                Param::from(i64::from(limit)),
            ],
        )
        .await
    }

    /// Every event of one aggregate, in sequence order.
    pub async fn read_stream(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        self.read_stream_after(aggregate_type, aggregate_id, "sequence", 0)
            .await
    }

    /// The events of one aggregate appended after global position `after`, in order.
    pub async fn read_stream_since(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        after: u64,
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        self.read_stream_after(aggregate_type, aggregate_id, "position", after)
            .await
    }

    /// The events of one aggregate whose `column` (`sequence` or `position`) is above `after`.
    async fn read_stream_after(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        column: &'static str,
        after: u64,
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        let sql = format!(
            "SELECT {} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
             AND {column} > $3 ORDER BY sequence",
            self.columns()
        );
        let args = [
            Param::from(aggregate_type),
            Param::from(aggregate_id),
            Param::from(to_i64(after)?),
        ];
        self.select(&sql, &args).await
    }

    fn columns(&self) -> String {
        event_columns(self.db.dialect())
    }

    async fn select(
        &self,
        sql: &str,
        args: &[Param],
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        let rows: Vec<EventRow> = self.db.fetch_uncounted(sql, args).await.map_err(map_sqlx)?;
        let mut events = rows
            .into_iter()
            .map(event_from)
            .collect::<Result<Vec<_>, _>>()?;
        self.open(&mut events).await?;
        Ok(events)
    }

    /// The command recorded under this id, if any.
    pub async fn command(
        &self,
        command_id: &str,
    ) -> Result<Option<CommandRecord>, PersistenceError> {
        let sql = format!("SELECT {COMMAND_COLUMNS} FROM commands c WHERE c.command_id = $1");
        self.select_command(&sql, &[command_id]).await
    }

    /// The command that created a record (recorded its first event), if it is known.
    pub async fn creating_command(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Option<CommandRecord>, PersistenceError> {
        let sql = format!(
            "SELECT {COMMAND_COLUMNS} FROM commands c JOIN events e ON e.position = c.first_position \
             WHERE e.aggregate_type = $1 AND e.aggregate_id = $2 AND e.sequence = 1"
        );
        self.select_command(&sql, &[aggregate_type, aggregate_id])
            .await
    }

    async fn select_command(
        &self,
        sql: &str,
        args: &[&str],
    ) -> Result<Option<CommandRecord>, PersistenceError> {
        let params: Vec<Param> = args.iter().map(|a| Param::from(*a)).collect();
        let row: Option<CommandRow> = self
            .db
            .fetch_optional(sql, &params)
            .await
            .map_err(map_sqlx)?;
        Ok(row.map(CommandRecord::from))
    }

    /// The events a command recorded, if a command with this id was recorded.
    pub async fn command_events(
        &self,
        command_id: &str,
    ) -> Result<Option<Vec<StoredEvent>>, PersistenceError> {
        match self.command(command_id).await? {
            Some(command) => self.events_of_command(&command).await.map(Some),
            None => Ok(None),
        }
    }

    /// The events a recorded command recorded, in order.
    pub async fn events_of_command(
        &self,
        command: &CommandRecord,
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        let sql = format!(
            "SELECT {} FROM events WHERE position BETWEEN $1 AND $2 ORDER BY position",
            self.columns()
        );
        self.select(
            &sql,
            &[
                Param::from(command.first_position),
                Param::from(command.last_position),
            ],
        )
        .await
    }

    /// Whether a sub-record id is already claimed by an event of the log.
    pub async fn claimed(&self, claim: Claim) -> Result<bool, PersistenceError> {
        const SQL: &str = "SELECT 1 FROM claimed_ids WHERE kind = $1 AND id = $2";
        let kind = claim.kind.wire_name();
        let id = claim.id.to_string();
        let found: Option<(i32,)> = self
            .db
            .fetch_optional(SQL, &[kind.into(), id.into()])
            .await
            .map_err(map_sqlx)?;
        Ok(found.is_some())
    }

    /// The CPTS recorded on the first event of an aggregate.
    pub async fn community_of(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Option<String>, PersistenceError> {
        const SQL: &str = "SELECT community_id FROM events \
                           WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = 1";
        let found: Option<(Option<String>,)> = self
            .db
            .fetch_optional(SQL, &[aggregate_type.into(), aggregate_id.into()])
            .await
            .map_err(map_sqlx)?;
        Ok(found.and_then(|(community,)| community))
    }

    /// Appends one stream's events; see the module documentation.
    pub async fn append(&self, events: &[SerializedEvent]) -> Result<(), PersistenceError> {
        if events.is_empty() {
            return Ok(());
        }
        check_batch(events)?;
        let events = self.seal(events).await?;
        match &self.group {
            Some(group) => group.append(&events).await,
            None => append::append(&self.db, &events).await,
        }
    }

    /// Loads an exported log into this store, which must be empty: the events keep their
    /// positions, times and hashes. The caller has verified their chain.
    pub async fn import(&self, events: &[StoredEvent]) -> Result<(), PersistenceError> {
        let rows = events
            .iter()
            .map(NewRow::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        let claims = stored_claim_rows(events)?;
        append::import(&self.db, &rows, &claims).await
    }

    /// Builds a [`StoredEvent`] from exported fields, parsing the texts the hash covers.
    #[allow(clippy::too_many_arguments)]
    pub fn event_from_export(
        position: u64,
        aggregate_type: String,
        aggregate_id: String,
        sequence: u64,
        event_type: String,
        event_version: String,
        payload_text: String,
        metadata_text: String,
        community_id: Option<String>,
        recorded_at_text: String,
        prev_hash: &[u8],
        hash: &[u8],
        chain_version: i64,
    ) -> Result<StoredEvent, PersistenceError> {
        stored_event(
            to_i64(position)?,
            aggregate_type,
            aggregate_id,
            to_i64(sequence)?,
            event_type,
            event_version,
            payload_text,
            metadata_text,
            community_id,
            parse_timestamp(&recorded_at_text)?,
            recorded_at_text,
            prev_hash,
            hash,
            chain_version,
        )
    }

    async fn stream(&self, events: Vec<StoredEvent>) -> ReplayStream {
        let (mut feed, stream) = ReplayStream::new(events.len().max(1));
        tokio::spawn(async move {
            for event in events {
                if feed.push(Ok(event.into_serialized())).await.is_err() {
                    return;
                }
            }
        });
        stream
    }
}

impl PersistedEventRepository for EventRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let events = self.read_stream(A::TYPE, aggregate_id).await?;
        Ok(events
            .into_iter()
            .map(StoredEvent::into_serialized)
            .collect())
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let after = u64::try_from(last_sequence).map_err(|_| unknown("sequence out of range"))?;
        let events = self
            .read_stream_after(A::TYPE, aggregate_id, "sequence", after)
            .await?;
        Ok(events
            .into_iter()
            .map(StoredEvent::into_serialized)
            .collect())
    }

    /// The store runs cqrs-es in event-store mode: there are no snapshots.
    async fn get_snapshot<A: Aggregate>(
        &self,
        _aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        Ok(None)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        _snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        self.append(events).await
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        let events = self.read_stream(A::TYPE, aggregate_id).await?;
        Ok(self.stream(events).await)
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        let sql = format!(
            "SELECT {} FROM events WHERE aggregate_type = $1 ORDER BY position",
            self.columns()
        );
        let events = self.select(&sql, &[Param::from(A::TYPE)]).await?;
        Ok(self.stream(events).await)
    }
}

/// Builds a [`StoredEvent`] from the columns both backends read, in [`EventRow`] order.
#[allow(clippy::too_many_arguments)]
fn stored_event(
    position: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload_text: String,
    metadata_text: String,
    community_id: Option<String>,
    recorded_at: DateTime<Utc>,
    recorded_at_text: String,
    prev_hash: &[u8],
    hash: &[u8],
    chain_version: i64,
) -> Result<StoredEvent, PersistenceError> {
    Ok(StoredEvent {
        position: to_u64(position)?,
        aggregate_type,
        aggregate_id,
        sequence: to_u64(sequence)?,
        event_type,
        event_version,
        payload: serde_json::from_str(&payload_text)?,
        metadata: serde_json::from_str(&metadata_text)?,
        payload_text,
        metadata_text,
        community_id,
        recorded_at,
        recorded_at_text,
        prev_hash: hash32(prev_hash)?,
        hash: hash32(hash)?,
        chain_version,
    })
}
