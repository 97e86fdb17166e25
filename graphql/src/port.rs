//! What the API needs from the ledger: execute a command, read back what was recorded.
//!
//! The service implements [`LedgerPort`] over the event store; the API depends only on this
//! trait, so the dependency points from the service to the API and never back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cpts_domain::access::{AccessError, Caller, Principal, Role};
use cpts_domain::command::AddressedCommand;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_domain::DomainError;
use cpts_projections::notifications::MemberNotification;
use uuid::Uuid;

/// Who sends a command, and the id that makes it traceable in the events' metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandContext {
    /// Who acts, and what they may do.
    pub caller: Caller,
    /// The command's id, recorded in the metadata of every event it causes.
    pub command_id: Uuid,
}

/// One event as recorded in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// Global position in the log, from 1, gap-free, in commit order.
    pub position: u64,
    /// The aggregate type (`community`, `association`, `member`, `consultation`, `decision`).
    pub aggregate_type: String,
    /// The aggregate id.
    pub aggregate_id: String,
    /// Position within the aggregate's stream, from 1.
    pub sequence: u64,
    /// The event's type name, e.g. `ContributionSubmitted`.
    pub event_type: String,
    /// The version of the event's shape.
    pub event_version: String,
    /// The event's content.
    pub payload: serde_json::Value,
    /// Who acted, when, and the command id.
    pub metadata: serde_json::Value,
    /// When the store recorded it.
    pub recorded_at: DateTime<Utc>,
    /// The hash of this event, chained to the one before (hex).
    pub hash: String,
}

/// An event announced to subscribers, with the CPTS it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// The CPTS; `None` for events outside any CPTS.
    pub community: Option<CommunityId>,
    /// The event.
    pub event: RecordedEvent,
}

/// What executing a command recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// The aggregate type addressed.
    pub aggregate_type: String,
    /// The aggregate addressed.
    pub aggregate_id: Uuid,
    /// The events the command recorded, in order (empty if it recorded none).
    pub events: Vec<RecordedEvent>,
}

/// The outcome of verifying the log's hash chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationReport {
    /// Whether every event verified (and the digest asked about is contained, unchanged).
    pub intact: bool,
    /// How many events were checked.
    pub events_checked: u64,
    /// The digest of the log as it is now: one value that commits to all of it.
    pub digest: String,
    /// The position of the first event that does not verify.
    pub first_broken_position: Option<u64>,
    /// What is wrong there, in French.
    pub problem: Option<String>,
    /// What is wrong there, in English.
    pub problem_en: Option<String>,
}

/// How far one read model is behind the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionLag {
    /// The read model's name (`timeline`, `register`, `consultations`, `decisions`).
    pub name: String,
    /// The last log position it has applied.
    pub position: u64,
    /// How many recorded events it has not applied yet.
    pub behind: u64,
}

/// Why the ledger did not execute a command or answer a read.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The command broke a rule of the domain; nothing was written.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The caller may not do this.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The id inside a creating command is not the id it is addressed to.
    #[error("the id inside the command is not the id of the record it is addressed to")]
    MismatchedIds,
    /// A command id already used by another command: to another record, by another sender,
    /// or with other content. Nothing was written.
    #[error("the command id was already used by another command")]
    CommandIdReused,
    /// A digest that is not one of this ledger's (the text received).
    #[error("not a digest of this ledger: {0}")]
    BadDigest(String),
    /// A question the record cannot answer as asked (a report as of a day to come, at a
    /// position beyond the head): the caller's to correct, said in both languages.
    #[error("{fr}")]
    Refused {
        /// In French.
        fr: String,
        /// In English.
        en: String,
    },
    /// Other writers kept changing the same record; the command was retried and gave up.
    #[error("the record kept being changed by other writers")]
    Contended,
    /// The store failed; the cause is logged, not shown.
    #[error("internal error of the ledger")]
    Internal(#[source] anyhow::Error),
}

/// The file a contribution carries, as a download serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionFile {
    /// The name it was sent under.
    pub name: String,
    /// Its kind, as read from its bytes.
    pub media_type: String,
    /// Its bytes, checked against the hash the log records.
    pub bytes: Vec<u8>,
    /// The member who wrote the contribution, if a member did.
    pub author: Option<MemberId>,
}

/// The ledger as the API sees it.
#[async_trait]
pub trait LedgerPort: Send + Sync {
    /// Executes one command and returns the events it recorded.
    async fn execute(
        &self,
        command: AddressedCommand,
        context: CommandContext,
    ) -> Result<Receipt, LedgerError>;

    /// Every event of one aggregate, in order.
    async fn events_of(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
    ) -> Result<Vec<RecordedEvent>, LedgerError>;

    /// The position and hash (hex) of the last event of the log; position 0 when empty.
    async fn head(&self) -> Result<(u64, String), LedgerError>;

    /// Recomputes the hash chain; with a digest taken earlier, also checks that the log still
    /// contains, unchanged, everything it committed to.
    async fn verify(&self, digest: Option<&str>) -> Result<VerificationReport, LedgerError>;

    /// The general assembly's report of a CPTS for a period: the facts dated on or before
    /// `as_of`, as the log stood at `position` (the head if `None`), sealed with the position,
    /// its recording time and the digest it was built from. `today` is today in the CPTS's
    /// time zone ([`crate::clock::today`]): an `as_of` after it, or a position beyond the
    /// head, is [`LedgerError::Refused`]; a report as of today is provisional.
    async fn report(
        &self,
        community: CommunityId,
        period: (chrono::NaiveDate, chrono::NaiveDate),
        as_of: chrono::NaiveDate,
        position: Option<u64>,
        today: chrono::NaiveDate,
        lang: cpts_domain::values::Lang,
    ) -> Result<cpts_projections::report::Report, LedgerError>;

    /// How far each read model is behind the log.
    async fn projection_lag(&self) -> Result<Vec<ProjectionLag>, LedgerError>;

    /// Keeps the file a contribution to `consultation` by `author` (none: an anonymous
    /// inhabitant) is about to carry, sealed under the key of its author's words, before the
    /// command that records the contribution. Refused for an erased author.
    async fn keep_file(
        &self,
        consultation: cpts_domain::ids::ConsultationId,
        author: Option<MemberId>,
        file: &cpts_domain::files::AttachedFile,
        bytes: &[u8],
    ) -> Result<(), LedgerError> {
        let _ = (consultation, author, file, bytes);
        Err(LedgerError::Internal(anyhow::anyhow!(
            "this ledger keeps no files"
        )))
    }

    /// The file of a contribution of `community`, if it carries one still kept (its author's
    /// erasure removes it).
    async fn contribution_file(
        &self,
        community: CommunityId,
        contribution: cpts_domain::ids::ContributionId,
    ) -> Result<Option<ContributionFile>, LedgerError> {
        let _ = (community, contribution);
        Ok(None)
    }

    /// Everything the ledger holds about one member (right of access): the document
    /// `cpts-ledger-personal-data/1` described in `docs/personal-data.md`, the same that
    /// `cpts-ledger export-person` writes. The caller has checked who may read it.
    async fn personal_data(&self, member: MemberId) -> Result<serde_json::Value, LedgerError>;

    /// The holder of an API token, if the token is valid and not revoked.
    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, LedgerError>;

    /// The CPTS a record belongs to; `None` if there is no such record.
    async fn community_of(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
    ) -> Result<Option<CommunityId>, LedgerError>;

    /// The events of one CPTS as they are recorded, by this instance or any other. Each CPTS
    /// has its own feed: a busy one does not push another's subscribers behind.
    fn subscribe(&self, community: CommunityId) -> tokio::sync::broadcast::Receiver<FeedItem>;

    /// The events of one CPTS after log position `after`, in order, at most `limit`: where a
    /// subscription resumes from, or catches up after falling behind its feed.
    async fn community_events_after(
        &self,
        community: CommunityId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, LedgerError> {
        let _ = (community, after, limit);
        Err(LedgerError::Internal(anyhow::anyhow!(
            "this ledger cannot replay its log"
        )))
    }

    /// A member's new notifications as the outbox creates them (whichever instance does);
    /// `None` where the ledger has no such feed.
    fn notification_feed(
        &self,
        member: MemberId,
    ) -> Option<tokio::sync::broadcast::Receiver<MemberNotification>> {
        let _ = member;
        None
    }

    /// Of these token ids, those still in force (not revoked, not expired): what open
    /// WebSocket connections are checked against.
    async fn tokens_in_force(&self, token_ids: &[Uuid]) -> Result<Vec<Uuid>, LedgerError> {
        let _ = token_ids;
        Err(LedgerError::Internal(anyhow::anyhow!(
            "this ledger cannot check its tokens"
        )))
    }

    /// Creates a token of `community` (the caller has checked who may, and that a member it
    /// names is one of that CPTS), working until `expires_at` (a year if `None`). Its secret is
    /// in the answer and nowhere else.
    async fn issue_token(
        &self,
        community: CommunityId,
        role: Role,
        member: Option<MemberId>,
        label: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<IssuedToken, LedgerError> {
        let _ = (community, role, member, label, expires_at);
        Err(LedgerError::Internal(anyhow::anyhow!(
            "this ledger cannot issue tokens"
        )))
    }

    /// The tokens of one CPTS, newest first, without their secrets.
    async fn tokens_of(&self, community: CommunityId) -> Result<Vec<TokenRecord>, LedgerError> {
        let _ = community;
        Err(LedgerError::Internal(anyhow::anyhow!(
            "this ledger cannot list tokens"
        )))
    }

    /// Revokes a token of `community` and ends its sessions: `Ok(true)` if it was in force,
    /// `Ok(false)` if it was already revoked; [`AccessError::OutsideCommunity`] for a token of
    /// another CPTS or none.
    async fn revoke_token(&self, community: CommunityId, token: Uuid) -> Result<bool, LedgerError> {
        let _ = (community, token);
        Err(LedgerError::Internal(anyhow::anyhow!(
            "this ledger cannot revoke tokens"
        )))
    }

    /// Opens a session for a bearer token; `None` if the token is not in force.
    async fn open_session(&self, token: &str) -> Result<Option<OpenedSession>, LedgerError> {
        let _ = token;
        Err(LedgerError::Internal(anyhow::anyhow!(
            "this ledger has no sessions"
        )))
    }

    /// Who a session speaks for; `None` if it ended or its token is no longer in force.
    async fn session_caller(&self, session: &str) -> Result<Option<Principal>, LedgerError> {
        let _ = session;
        Ok(None)
    }

    /// Ends a session.
    async fn close_session(&self, session: &str) -> Result<(), LedgerError> {
        let _ = session;
        Ok(())
    }

    /// Whether the store answers (for `/healthz`).
    async fn ping(&self) -> Result<(), LedgerError>;
}

/// An API token as it is listed: everything but its secret, which is never shown again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token's id (not a secret).
    pub id: Uuid,
    /// What it allows.
    pub role: Role,
    /// The member who holds it, if it names one.
    pub member: Option<MemberId>,
    /// What it is for, in the words of whoever created it.
    pub label: String,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it opens anything now: neither revoked nor expired.
    pub in_force: bool,
}

/// A token just created, with its secret.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The token as it will be listed.
    pub token: TokenRecord,
    /// The bearer token itself (`cpts_…`), shown this once.
    pub secret: String,
}

/// A session just opened for a token.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    /// The session's id, for the cookie; stored only hashed.
    pub id: String,
    /// Who it speaks for.
    pub principal: Principal,
    /// When it ends at the latest, if it is not used for a while before.
    pub expires_at: DateTime<Utc>,
}
