//! The command path: a command goes to its aggregate through cqrs-es, and the events it
//! decides are appended to the store. Losing a race with another writer is retried here.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use async_trait::async_trait;
use cpts_domain::access::{self, AccessError, Principal};
use cpts_domain::association::Association;
use cpts_domain::claims::Claim;
use cpts_domain::command::AddressedCommand;
use cpts_domain::community::Community;
use cpts_domain::consultation::Consultation;
use cpts_domain::decision::Decision;
use cpts_domain::directory::{Directory, DirectoryService};
use cpts_domain::ids::{AssociationId, CommunityId, ConsultationId, MemberId};
use cpts_domain::member::Member;
use cpts_domain::DomainError;
use cpts_graphql::port::{
    CommandContext, FeedItem, IssuedToken, LedgerError, LedgerPort, OpenedSession, ProjectionLag,
    Receipt, RecordedEvent, TokenRecord, VerificationReport,
};
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework, EventStore};
use rand::Rng;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::projector::Projector;
use crate::session;
use crate::store::{
    CommandRecord, Digest, DuplicateCommand, EventRepository, IdTaken, StoredEvent, COMMAND_HASH,
};
use crate::tokens;
use crate::whole_log_cache::{HeadKey, WholeLogCache};

type Framework<A> = CqrsFramework<A, PersistedEventStore<EventRepository, A>>;

/// How often, and how patiently, a command that lost a race is tried again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The longest pause between two attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 200,
            max_backoff: Duration::from_millis(50),
        }
    }
}

/// The ledger: executes commands and reads back what was recorded.
pub struct Ledger {
    repo: EventRepository,
    communities: Framework<Community>,
    associations: Framework<Association>,
    members: Framework<Member>,
    consultations: Framework<Consultation>,
    decisions: Framework<Decision>,
    retry: RetryPolicy,
    /// Commands to the same record from this process wait for each other instead of racing:
    /// a lost race costs a reload, and a consultation can hold thousands of contributions.
    /// Races with other processes are still settled by the store and retried.
    stripes: Vec<tokio::sync::Mutex<()>>,
    retried: AtomicU64,
    /// The read models, brought up to date after each command when `project_after_commands`.
    projector: Arc<Projector>,
    project_after_commands: bool,
    /// Events announced to subscribers once the feed is started: one channel per CPTS that
    /// has subscribers, so that a busy CPTS cannot push another's subscribers behind.
    feeds: std::sync::Mutex<HashMap<CommunityId, tokio::sync::broadcast::Sender<FeedItem>>>,
    /// Members' new notifications, pushed once their feed is started.
    notifications: Arc<crate::notify::live::NotificationFeed>,
    /// Wakes the feed when this process has just recorded events.
    feed_wakeup: Arc<tokio::sync::Notify>,
    /// Verifications already made at a head, by digest asked about.
    verifications: WholeLogCache<(HeadKey, Option<String>), VerificationReport>,
    /// Reports already built at a head, by their arguments.
    reports:
        WholeLogCache<(HeadKey, crate::report::ReportRequest), cpts_projections::report::Report>,
}

/// How many announced events of its CPTS a slow subscriber may fall behind before it catches
/// up from the log instead.
const FEED_CAPACITY: usize = 1_024;

/// How many locks the records of one process share.
const STRIPES: usize = 64;

fn framework<A: Aggregate>(repo: &EventRepository, services: A::Services) -> Framework<A> {
    CqrsFramework::new(
        PersistedEventStore::new_event_store(repo.clone()),
        vec![],
        services,
    )
}

impl Ledger {
    /// A ledger over this store.
    pub fn new(repo: EventRepository) -> Self {
        let directory: DirectoryService = Arc::new(StoreDirectory { repo: repo.clone() });
        let projector = Arc::new(Projector::new(repo.clone()));
        Self {
            communities: framework(&repo, directory.clone()),
            associations: framework(&repo, directory.clone()),
            members: framework(&repo, directory.clone()),
            consultations: framework(&repo, directory.clone()),
            decisions: framework(&repo, directory),
            repo,
            retry: RetryPolicy::default(),
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            retried: AtomicU64::new(0),
            projector,
            project_after_commands: true,
            feeds: std::sync::Mutex::new(HashMap::new()),
            notifications: Arc::new(crate::notify::live::NotificationFeed::new()),
            feed_wakeup: Arc::new(tokio::sync::Notify::new()),
            verifications: WholeLogCache::default(),
            reports: WholeLogCache::default(),
        }
    }

    /// The head of the log, as the key of the answers computed at it.
    async fn head_key(&self) -> Result<HeadKey, LedgerError> {
        let head = self
            .repo
            .head()
            .await
            .map_err(|e| internal("reading the head of the log", e))?;
        Ok(HeadKey {
            position: head.position,
            hash: head.hash,
        })
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Whether each command waits until its events are projected before it answers (the
    /// default), so that a read right after a command sees its change.
    #[must_use]
    pub fn projecting_after_commands(mut self, project: bool) -> Self {
        self.project_after_commands = project;
        self
    }

    /// The read models of this ledger's store.
    pub fn projector(&self) -> &Arc<Projector> {
        &self.projector
    }

    /// Announces every event recorded from now on, by this process or any other, to
    /// [`LedgerPort::subscribe`]rs: right after a command of this process, and otherwise within
    /// `every`. The task ends when the ledger is dropped.
    pub fn spawn_feed(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let ledger = Arc::downgrade(self);
        let wakeup = self.feed_wakeup.clone();
        tokio::spawn(async move {
            let mut cursor = match ledger.upgrade() {
                Some(ledger) => match ledger.repo.head().await {
                    Ok(head) => head.position,
                    Err(error) => {
                        tracing::error!(%error, "the event feed could not start");
                        return;
                    }
                },
                None => return,
            };
            loop {
                tokio::select! {
                    () = wakeup.notified() => {}
                    () = tokio::time::sleep(every) => {}
                }
                let Some(ledger) = ledger.upgrade() else {
                    return;
                };
                loop {
                    let events = match ledger.repo.read_log(cursor, 500).await {
                        Ok(events) => events,
                        Err(error) => {
                            tracing::warn!(%error, "the event feed could not read the log");
                            break;
                        }
                    };
                    let Some(last) = events.last().map(|e| e.position) else {
                        break;
                    };
                    cursor = last;
                    let mut feeds = ledger
                        .feeds
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    feeds.retain(|_, sender| sender.receiver_count() > 0);
                    for event in events {
                        let community: Option<CommunityId> =
                            event.community_id.as_deref().and_then(|c| c.parse().ok());
                        let Some(sender) = community.and_then(|c| feeds.get(&c)) else {
                            continue;
                        };
                        // A subscriber that just left is not an error.
                        let _ = sender.send(FeedItem {
                            community,
                            event: recorded(event),
                        });
                    }
                }
            }
        })
    }

    /// Pushes members' new notifications to their subscriptions, watching the outbox every
    /// `every`. The task ends when the ledger is dropped.
    pub fn spawn_notification_feed(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        self.notifications.spawn(self.projector.db().clone(), every)
    }

    /// How many times a command lost a race with another writer and was tried again.
    pub fn conflicts_retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }

    fn stripe(&self, aggregate_type: &str, aggregate_id: Uuid) -> &tokio::sync::Mutex<()> {
        let mut hasher = DefaultHasher::new();
        (aggregate_type, aggregate_id).hash(&mut hasher);
        let index = usize::try_from(hasher.finish() % STRIPES as u64).unwrap_or(0);
        &self.stripes[index]
    }

    /// The store under the ledger.
    pub fn repository(&self) -> &EventRepository {
        &self.repo
    }

    async fn execute_once(
        &self,
        command: AddressedCommand,
        metadata: HashMap<String, String>,
    ) -> Result<(), AggregateError<DomainError>> {
        match command {
            AddressedCommand::Community { id, command } => {
                self.communities
                    .execute_with_metadata(&id.to_string(), command, metadata)
                    .await
            }
            AddressedCommand::Association { id, command } => {
                self.associations
                    .execute_with_metadata(&id.to_string(), command, metadata)
                    .await
            }
            AddressedCommand::Member { id, command } => {
                self.members
                    .execute_with_metadata(&id.to_string(), command, metadata)
                    .await
            }
            AddressedCommand::Consultation { id, command } => {
                self.consultations
                    .execute_with_metadata(&id.to_string(), command, metadata)
                    .await
            }
            AddressedCommand::Decision { id, command } => {
                self.decisions
                    .execute_with_metadata(&id.to_string(), command, metadata)
                    .await
            }
        }
    }

    /// The receipt of a command already recorded under this id, if any: the same sender
    /// repeating the same command gets the first answer; anything else is
    /// [`LedgerError::CommandIdReused`], with no events.
    async fn earlier_receipt(
        &self,
        command_id: &str,
        aggregate_type: &str,
        aggregate_id: Uuid,
        sender: &Sender,
    ) -> Result<Option<Receipt>, LedgerError> {
        let Some(earlier) = self
            .repo
            .command(command_id)
            .await
            .map_err(|e| internal("looking up an earlier command", e))?
        else {
            return Ok(None);
        };
        let same_record = earlier.aggregate_type == aggregate_type
            && earlier.aggregate_id == aggregate_id.to_string();
        if !same_record {
            return Err(LedgerError::CommandIdReused);
        }
        let events = self
            .repo
            .events_of_command(&earlier)
            .await
            .map_err(|e| internal("reading an earlier command's events", e))?;
        if !sender.sent(&earlier, &events) {
            return Err(LedgerError::CommandIdReused);
        }
        Ok(Some(
            self.receipt(aggregate_type, aggregate_id, events).await,
        ))
    }

    /// The receipt of the command that created this record, if it is this very command sent
    /// again by the same sender (under another command id, or none).
    async fn creation_receipt(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
        sender: &Sender,
    ) -> Result<Option<Receipt>, LedgerError> {
        let Some(creation) = self
            .repo
            .creating_command(aggregate_type, &aggregate_id.to_string())
            .await
            .map_err(|e| internal("looking up the command that created a record", e))?
        else {
            return Ok(None);
        };
        // Without a digest (recorded before digests were kept), the content cannot be compared:
        // the refusal stands.
        if !sender.same_content(&creation) {
            return Ok(None);
        }
        let events = self
            .repo
            .events_of_command(&creation)
            .await
            .map_err(|e| internal("reading the events of a record's creation", e))?;
        Ok(Some(
            self.receipt(aggregate_type, aggregate_id, events).await,
        ))
    }

    /// The answer to a command recorded earlier, once the read models show its events.
    async fn receipt(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
        events: Vec<StoredEvent>,
    ) -> Receipt {
        let events: Vec<RecordedEvent> = events.into_iter().map(recorded).collect();
        if let (true, Some(last)) = (self.project_after_commands, events.last()) {
            if let Err(error) = self.projector.wait_for(last.position).await {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the projections did not follow a repeated command"
                );
            }
        }
        Receipt {
            aggregate_type: aggregate_type.to_owned(),
            aggregate_id,
            events,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = Duration::from_millis(1u64 << attempt.min(16)).min(self.retry.max_backoff);
        let micros = u64::try_from(ceiling.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        Duration::from_micros(rand::thread_rng().gen_range(0..=micros))
    }
}

/// Who sends a command and what it says, to tell a command sent again from another one under
/// the same id.
struct Sender {
    /// The actor, as recorded in the events' metadata.
    actor: String,
    /// SHA-256 (hex) of the command's canonical JSON.
    command_hash: String,
}

impl Sender {
    fn of(command: &AddressedCommand, context: &CommandContext) -> Result<Self, LedgerError> {
        // serde_json writes a struct's fields in their declared order and the commands hold no
        // maps, so the same command always gives the same bytes.
        let canonical =
            serde_json::to_vec(command).map_err(|e| internal("serializing the command", e))?;
        Ok(Self {
            actor: context.caller.actor().to_metadata(),
            command_hash: hex::encode(Sha256::digest(&canonical)),
        })
    }

    /// Whether this sender sent that command, with this content. A command recorded before
    /// actors and digests were kept is answered only to the actor its events name, whatever
    /// the content.
    fn sent(&self, earlier: &CommandRecord, events: &[StoredEvent]) -> bool {
        let actor = earlier.actor.clone().or_else(|| {
            events
                .first()
                .and_then(|e| e.metadata.get("actor"))
                .and_then(|a| a.as_str())
                .map(str::to_owned)
        });
        let same_content = earlier
            .command_hash
            .as_ref()
            .is_none_or(|hash| *hash == self.command_hash);
        actor.as_deref() == Some(self.actor.as_str()) && same_content
    }

    /// Whether that command was this sender's, with this content, as far as its digest tells.
    fn same_content(&self, earlier: &CommandRecord) -> bool {
        earlier.actor.as_deref() == Some(self.actor.as_str())
            && earlier.command_hash.as_deref() == Some(self.command_hash.as_str())
    }
}

fn internal(context: &str, error: impl Into<anyhow::Error>) -> LedgerError {
    LedgerError::Internal(error.into().context(context.to_owned()))
}

fn recorded(event: StoredEvent) -> RecordedEvent {
    RecordedEvent {
        position: event.position,
        aggregate_type: event.aggregate_type,
        aggregate_id: event.aggregate_id,
        sequence: event.sequence,
        event_type: event.event_type,
        event_version: event.event_version,
        payload: event.payload,
        metadata: event.metadata,
        recorded_at: event.recorded_at,
        hash: hex::encode(event.hash),
    }
}

#[async_trait]
impl LedgerPort for Ledger {
    async fn execute(
        &self,
        command: AddressedCommand,
        context: CommandContext,
    ) -> Result<Receipt, LedgerError> {
        if !command.ids_agree() {
            return Err(LedgerError::MismatchedIds);
        }
        let aggregate_type = command.aggregate_type();
        let aggregate_id = command.aggregate_id();
        let command_id = context.command_id.to_string();
        access::authorize(&context.caller, &command)?;
        let community_id = match command.creates_in() {
            Some(community) => Some(community.to_string()),
            None => self
                .repo
                .community_of(aggregate_type, &aggregate_id.to_string())
                .await
                .map_err(|e| internal("finding the CPTS of the record", e))?,
        };
        if let Some(scope) = context.caller.community() {
            if community_id != Some(scope.to_string()) {
                return Err(AccessError::OutsideCommunity.into());
            }
        }
        let sender = Sender::of(&command, &context)?;
        if let Some(receipt) = self
            .earlier_receipt(&command_id, aggregate_type, aggregate_id, &sender)
            .await?
        {
            return Ok(receipt);
        }
        let creates = command.creates_in().is_some();
        let mut metadata = HashMap::from([
            ("actor".to_owned(), sender.actor.clone()),
            ("command_id".to_owned(), context.command_id.to_string()),
            // Taken out by the store before the event is written: see `store::COMMAND_HASH`.
            (COMMAND_HASH.to_owned(), sender.command_hash.clone()),
        ]);
        if let Some(community_id) = community_id {
            metadata.insert("community_id".to_owned(), community_id);
        }

        // Positions follow commit order: the command's events come after the head seen now.
        let _turn = self.stripe(aggregate_type, aggregate_id).lock().await;
        let before = self
            .repo
            .head()
            .await
            .map_err(|e| internal("reading the head of the log", e))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.execute_once(command.clone(), metadata.clone()).await {
                Ok(()) => break,
                Err(AggregateError::UserError(error)) => {
                    // The same command, sent at the same time through another instance, may
                    // have been recorded since we looked: then this is its answer, not an error.
                    if let Some(receipt) = self
                        .earlier_receipt(&command_id, aggregate_type, aggregate_id, &sender)
                        .await?
                    {
                        return Ok(receipt);
                    }
                    // A create sent again (after a timeout, under a new command id) by the same
                    // sender with the same content is answered as the first one was.
                    if creates {
                        if let Some(receipt) = self
                            .creation_receipt(aggregate_type, aggregate_id, &sender)
                            .await?
                        {
                            return Ok(receipt);
                        }
                    }
                    return Err(LedgerError::Domain(error));
                }
                Err(AggregateError::AggregateConflict) if attempt < self.retry.attempts => {
                    tracing::debug!(aggregate_type, %aggregate_id, attempt, "lost a race; retrying");
                    self.retried.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(AggregateError::AggregateConflict) => {
                    tracing::warn!(aggregate_type, %aggregate_id, attempt, "gave up after repeated conflicts");
                    return Err(LedgerError::Contended);
                }
                // The same command, sent again by another process, got there first.
                Err(AggregateError::UnexpectedError(e))
                    if e.downcast_ref::<DuplicateCommand>().is_some() =>
                {
                    return self
                        .earlier_receipt(&command_id, aggregate_type, aggregate_id, &sender)
                        .await?
                        .ok_or_else(|| {
                            internal(
                                "answering a repeated command",
                                anyhow!("its events are gone"),
                            )
                        });
                }
                // Another command claimed the same collège, body or contribution id between
                // the rule's check and the append: refused as the rule would have.
                Err(AggregateError::UnexpectedError(e))
                    if e.downcast_ref::<IdTaken>().is_some() =>
                {
                    let kind = e.downcast_ref::<IdTaken>().map(|taken| taken.0.record());
                    return Err(LedgerError::Domain(DomainError::IdTaken(
                        kind.unwrap_or(cpts_domain::error::Record::Contribution),
                    )));
                }
                Err(
                    AggregateError::DatabaseConnectionError(e)
                    | AggregateError::DeserializationError(e)
                    | AggregateError::UnexpectedError(e),
                ) => {
                    return Err(internal("executing the command", anyhow!(e)));
                }
            }
        }

        let events = self
            .repo
            .read_stream_since(aggregate_type, &aggregate_id.to_string(), before.position)
            .await
            .map_err(|e| internal("reading back the recorded events", e))?
            .into_iter()
            .filter(|event| {
                event.metadata.get("command_id").and_then(|v| v.as_str()) == Some(&command_id)
            })
            .map(recorded)
            .collect::<Vec<_>>();
        if !events.is_empty() {
            self.feed_wakeup.notify_one();
        }
        if events.iter().any(|e| e.event_type == "PersonalDataErased") {
            // Once the read models have applied the erasure (below, or by the follower), the
            // database is asked to drop what it still keeps of the old rows.
            if let Err(error) = self
                .projector
                .wait_for(events[events.len() - 1].position)
                .await
            {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the projections did not follow an erasure"
                );
            }
            // Their tokens stop working, and their labels (which may hold a name) are erased.
            if let Err(error) = tokens::revoke_member(&self.repo, MemberId(aggregate_id)).await {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the tokens of an erased member were not revoked"
                );
            }
            if let Err(error) = crate::personal::scrub_storage(&self.repo).await {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the storage was not scrubbed after an erasure"
                );
            }
        }
        if let (true, Some(last)) = (self.project_after_commands, events.last()) {
            // The events are recorded whatever happens here; a projection that fails now is
            // caught up by the follower, and the failure is logged.
            if let Err(error) = self.projector.wait_for(last.position).await {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the projections did not follow the command"
                );
            }
        }
        Ok(Receipt {
            aggregate_type: aggregate_type.to_owned(),
            aggregate_id,
            events,
        })
    }

    async fn events_of(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
    ) -> Result<Vec<RecordedEvent>, LedgerError> {
        let events = self
            .repo
            .read_stream(aggregate_type, &aggregate_id.to_string())
            .await
            .map_err(|e| internal("reading the events of a record", e))?;
        Ok(events.into_iter().map(recorded).collect())
    }

    async fn head(&self) -> Result<(u64, String), LedgerError> {
        let head = self
            .repo
            .head()
            .await
            .map_err(|e| internal("reading the head of the log", e))?;
        Ok((head.position, hex::encode(head.hash)))
    }

    async fn verify(&self, digest: Option<&str>) -> Result<VerificationReport, LedgerError> {
        let digest = digest
            .map(|text| {
                text.parse::<Digest>()
                    .map_err(|e| LedgerError::BadDigest(e.0))
            })
            .transpose()?;
        let key = (
            self.head_key().await?,
            digest.as_ref().map(ToString::to_string),
        );
        if let Some(cached) = self.verifications.get(&key) {
            return Ok(cached);
        }
        let verification = self
            .repo
            .verify(digest.as_ref())
            .await
            .map_err(|e| internal("verifying the log", e))?;
        let report = VerificationReport {
            intact: verification.is_intact(),
            events_checked: verification.events_checked,
            digest: verification.digest.to_string(),
            first_broken_position: verification.broken.as_ref().map(|b| b.position),
            problem: verification
                .broken
                .as_ref()
                .map(|b| b.problem.french().to_owned()),
            problem_en: verification
                .broken
                .as_ref()
                .map(|b| b.problem.english().to_owned()),
        };
        self.verifications.put(key, report.clone());
        Ok(report)
    }

    async fn report(
        &self,
        community: CommunityId,
        period: (chrono::NaiveDate, chrono::NaiveDate),
        as_of: chrono::NaiveDate,
        position: Option<u64>,
        today: chrono::NaiveDate,
        lang: cpts_domain::values::Lang,
    ) -> Result<cpts_projections::report::Report, LedgerError> {
        let request = crate::report::ReportRequest {
            community,
            period,
            as_of,
            position,
            today,
            lang,
        };
        let key = (self.head_key().await?, request);
        if let Some(cached) = self.reports.get(&key) {
            return Ok(cached);
        }
        let report = crate::report::generate(&self.repo, request)
            .await
            .map_err(|e| match e.downcast_ref::<crate::report::ReportRefusal>() {
                Some(refusal) => LedgerError::Refused {
                    fr: refusal.message_fr(),
                    en: refusal.message_en(),
                },
                None => internal("building the report", e),
            })?;
        self.reports.put(key, report.clone());
        Ok(report)
    }

    async fn personal_data(&self, member: MemberId) -> Result<serde_json::Value, LedgerError> {
        crate::personal::export_person(self, member)
            .await
            .map_err(|e| internal("gathering a person's data", e))
    }

    async fn projection_lag(&self) -> Result<Vec<ProjectionLag>, LedgerError> {
        let lag = self
            .projector
            .lag()
            .await
            .map_err(|e| internal("measuring the projections' lag", e))?;
        Ok(lag
            .into_iter()
            .map(|(name, position, behind)| ProjectionLag {
                name,
                position,
                behind,
            })
            .collect())
    }

    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, LedgerError> {
        tokens::authenticate(&self.repo, token)
            .await
            .map_err(|e| internal("checking an API token", e))
    }

    async fn community_of(
        &self,
        aggregate_type: &str,
        aggregate_id: Uuid,
    ) -> Result<Option<CommunityId>, LedgerError> {
        let community = self
            .repo
            .community_of(aggregate_type, &aggregate_id.to_string())
            .await
            .map_err(|e| internal("finding the CPTS of a record", e))?;
        Ok(community.and_then(|c| c.parse().ok()))
    }

    fn subscribe(&self, community: CommunityId) -> tokio::sync::broadcast::Receiver<FeedItem> {
        let mut feeds = self
            .feeds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        feeds
            .entry(community)
            .or_insert_with(|| tokio::sync::broadcast::channel(FEED_CAPACITY).0)
            .subscribe()
    }

    async fn community_events_after(
        &self,
        community: CommunityId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, LedgerError> {
        let events = self
            .repo
            .read_community_log(&community.to_string(), after, limit)
            .await
            .map_err(|e| internal("reading the log of a CPTS", e))?;
        Ok(events.into_iter().map(recorded).collect())
    }

    fn notification_feed(
        &self,
        member: MemberId,
    ) -> Option<tokio::sync::broadcast::Receiver<cpts_projections::notifications::MemberNotification>>
    {
        Some(self.notifications.subscribe(&member.to_string()))
    }

    async fn tokens_in_force(&self, token_ids: &[Uuid]) -> Result<Vec<Uuid>, LedgerError> {
        let alive = tokens::in_force(&self.repo, token_ids)
            .await
            .map_err(|e| internal("checking API tokens", e))?;
        Ok(alive.into_iter().collect())
    }

    async fn issue_token(
        &self,
        community: CommunityId,
        role: access::Role,
        member: Option<MemberId>,
        label: &str,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<IssuedToken, LedgerError> {
        session::port::issue(&self.repo, community, role, member, label, expires_at).await
    }

    async fn tokens_of(&self, community: CommunityId) -> Result<Vec<TokenRecord>, LedgerError> {
        session::port::list(&self.repo, community).await
    }

    async fn revoke_token(&self, community: CommunityId, token: Uuid) -> Result<bool, LedgerError> {
        session::port::revoke(&self.repo, community, token).await
    }

    async fn open_session(&self, token: &str) -> Result<Option<OpenedSession>, LedgerError> {
        session::port::open(&self.repo, token).await
    }

    async fn session_caller(&self, session: &str) -> Result<Option<Principal>, LedgerError> {
        session::port::caller(&self.repo, session).await
    }

    async fn close_session(&self, session: &str) -> Result<(), LedgerError> {
        session::port::close(&self.repo, session).await
    }

    async fn keep_file(
        &self,
        consultation: ConsultationId,
        author: Option<MemberId>,
        file: &cpts_domain::files::AttachedFile,
        bytes: &[u8],
    ) -> Result<(), LedgerError> {
        let subject = author.map_or(consultation.0, |m| m.0).to_string();
        match self.repo.keep_file(&subject, file, bytes).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(LedgerError::Domain(DomainError::AlreadyErased)),
            Err(e) => Err(internal("keeping a contribution's file", e)),
        }
    }

    async fn contribution_file(
        &self,
        community: CommunityId,
        contribution: cpts_domain::ids::ContributionId,
    ) -> Result<Option<cpts_graphql::port::ContributionFile>, LedgerError> {
        let found = cpts_projections::queries::contribution_file(
            self.projector.db(),
            &community.to_string(),
            &contribution.to_string(),
        )
        .await
        .map_err(|e| internal("reading a contribution's file", e))?;
        let Some(found) = found else {
            return Ok(None);
        };
        // Sealed under the key of the author's words: the member's, or the consultation's.
        let subject = found
            .author_member_id
            .clone()
            .unwrap_or_else(|| found.consultation_id.clone());
        let bytes = self
            .repo
            .kept_file(&subject, &found.sha256)
            .await
            .map_err(|e| internal("opening a contribution's file", e))?;
        Ok(bytes.map(|bytes| cpts_graphql::port::ContributionFile {
            name: found.name,
            media_type: found.media_type,
            bytes,
            author: found
                .author_member_id
                .and_then(|m| m.parse().ok())
                .map(MemberId),
        }))
    }

    async fn ping(&self) -> Result<(), LedgerError> {
        self.repo
            .head()
            .await
            .map(|_| ())
            .map_err(|e| internal("checking the store", e))
    }
}

/// The [`Directory`] the aggregates consult, reading the other aggregates from the store.
struct StoreDirectory {
    repo: EventRepository,
}

impl StoreDirectory {
    async fn load<A: Aggregate>(&self, id: Uuid) -> Result<Option<A>, DomainError> {
        let store = PersistedEventStore::<EventRepository, A>::new_event_store(self.repo.clone());
        match store.load_aggregate(&id.to_string()).await {
            Ok(context) if context.current_sequence == 0 => Ok(None),
            Ok(context) => Ok(Some(context.aggregate)),
            Err(error) => {
                tracing::error!(aggregate_type = A::TYPE, %id, %error, "could not load a record for a rule check");
                Err(DomainError::DirectoryUnavailable(format!(
                    "{} {id}",
                    A::TYPE
                )))
            }
        }
    }
}

#[async_trait]
impl Directory for StoreDirectory {
    async fn community(&self, id: CommunityId) -> Result<Option<Community>, DomainError> {
        self.load(id.0).await
    }

    async fn association(&self, id: AssociationId) -> Result<Option<Association>, DomainError> {
        self.load(id.0).await
    }

    async fn member(&self, id: MemberId) -> Result<Option<Member>, DomainError> {
        self.load(id.0).await
    }

    async fn consultation(&self, id: ConsultationId) -> Result<Option<Consultation>, DomainError> {
        self.load(id.0).await
    }

    async fn sub_record_taken(&self, claim: Claim) -> Result<bool, DomainError> {
        self.repo.claimed(claim).await.map_err(|error| {
            tracing::error!(%error, "could not look up a claimed id for a rule check");
            DomainError::DirectoryUnavailable(claim.kind.wire_name().to_owned())
        })
    }
}
