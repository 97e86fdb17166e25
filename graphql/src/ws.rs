//! GraphQL over WebSocket (`/graphql/ws`), held to the same rules as HTTP and then some.
//!
//! - Every operation checks the connection's token again, as an HTTP request would: a token
//!   revoked, expired or erased since `connection_init` opens nothing more. A connection the
//!   session cookie authenticated checks its session the same way, and is closed (code 4401)
//!   when `DELETE /session` ends it.
//! - One watcher per process checks, every [`WsLimits::recheck`], the tokens of all open
//!   connections in one query, and closes (code 4401) the connections of a token no longer
//!   in force: running subscriptions stop too.
//! - Messages and frames are limited to the HTTP body's size; a larger one closes the socket
//!   (code 1009).
//! - Connections per token and per client address, and operations running at once on one
//!   connection, are capped; a connection with no message and nothing running for
//!   [`WsLimits::idle`] is closed (code 4408).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::futures_util::stream::{self, BoxStream, SplitSink};
use async_graphql::futures_util::{SinkExt, StreamExt};
use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use cpts_domain::access::Caller;
use cpts_projections::ReadDb;
use tokio::sync::watch;
use uuid::Uuid;

use crate::errors::{catalogued, codes};
use crate::port::LedgerPort;
use crate::server::{caller_of, caller_of_session, explain, Refused, BAD_TOKEN, SESSION_ENDED};
use crate::views::DecisionLoader;
use crate::LedgerSchema;

/// The limits of WebSocket connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsLimits {
    /// Open connections per token.
    pub per_token: usize,
    /// Open connections per client address (behind a reverse proxy, the proxy's address).
    pub per_address: usize,
    /// Operations (subscriptions, queries, mutations) running at once on one connection.
    pub operations_per_connection: usize,
    /// How long a connection may stay with no message and nothing running.
    pub idle: Duration,
    /// How often the tokens of open connections are checked.
    pub recheck: Duration,
}

impl Default for WsLimits {
    fn default() -> Self {
        Self {
            per_token: 16,
            per_address: 256,
            operations_per_connection: 32,
            idle: Duration::from_secs(60),
            recheck: Duration::from_secs(1),
        }
    }
}

/// Why the service closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    /// The token was revoked, expired, or its holder erased.
    TokenWithdrawn,
    /// The token already has as many connections as allowed.
    TooManyForToken,
    /// Nothing happened on the connection for too long.
    Idle,
    /// A message larger than allowed.
    TooBig,
}

impl Closing {
    fn frame(self) -> (u16, &'static str) {
        match self {
            Self::TokenWithdrawn => (
                4401,
                "Jeton révoqué, expiré ou effacé / token revoked, expired or erased",
            ),
            Self::TooManyForToken => (
                4429,
                "Trop de connexions pour ce jeton / too many connections for this token",
            ),
            Self::Idle => (4408, "Connexion inactive / idle connection"),
            Self::TooBig => (
                1009,
                "Message trop grand (2 Mio au plus) / message too big (2 MiB at most)",
            ),
        }
    }
}

/// One open connection, as the registry knows it.
struct Open {
    address: Option<IpAddr>,
    token: Option<Uuid>,
    /// The session of the cookie, when it is what authenticated the connection.
    session: Option<String>,
    close: Arc<watch::Sender<Option<Closing>>>,
}

#[derive(Default)]
struct Registry {
    next: u64,
    open: HashMap<u64, Open>,
    per_address: HashMap<IpAddr, usize>,
}

/// The open WebSocket connections of the process, and the watcher of their tokens.
pub struct Connections {
    limits: WsLimits,
    ledger: Arc<dyn LedgerPort>,
    registry: Mutex<Registry>,
    watching: AtomicBool,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Connections {
    /// No connection yet.
    pub fn new(ledger: Arc<dyn LedgerPort>, limits: WsLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            ledger,
            registry: Mutex::new(Registry::default()),
            watching: AtomicBool::new(false),
        })
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a new connection from `address`; `None` if that address has too many.
    pub(crate) fn open(self: &Arc<Self>, address: Option<IpAddr>) -> Option<Slot> {
        if !self.watching.swap(true, Ordering::SeqCst) {
            tokio::spawn(watch_tokens(Arc::downgrade(self)));
        }
        let (close, closed) = watch::channel(None);
        let mut registry = self.registry();
        if let Some(address) = address {
            let count = registry.per_address.entry(address).or_insert(0);
            if *count >= self.limits.per_address {
                return None;
            }
            *count += 1;
        }
        registry.next += 1;
        let id = registry.next;
        let close = Arc::new(close);
        registry.open.insert(
            id,
            Open {
                address,
                token: None,
                session: None,
                close: close.clone(),
            },
        );
        Some(Slot {
            id,
            connections: self.clone(),
            closed,
            state: Arc::new(ConnectionState {
                secret: Mutex::new(None),
                session: Mutex::new(None),
                active: AtomicUsize::new(0),
                started: Instant::now(),
                last_message_ms: AtomicU64::new(0),
                refusal: Mutex::new(None),
                close,
            }),
        })
    }

    /// Ties connection `id` to a token; false if the token has as many connections as allowed.
    fn bind_token(&self, id: u64, token: Uuid) -> bool {
        let mut registry = self.registry();
        let count = registry
            .open
            .iter()
            .filter(|(other, open)| **other != id && open.token == Some(token))
            .count();
        if count >= self.limits.per_token {
            return false;
        }
        if let Some(open) = registry.open.get_mut(&id) {
            open.token = Some(token);
        }
        true
    }

    /// Ties connection `id` to the session that authenticated it.
    fn bind_session(&self, id: u64, session: &str) {
        if let Some(open) = self.registry().open.get_mut(&id) {
            open.session = Some(session.to_owned());
        }
    }

    /// Closes (code 4401) the connections a session authenticated, once it is ended.
    pub(crate) fn end_session(&self, session: &str) {
        for open in self.registry().open.values() {
            if open.session.as_deref() == Some(session) {
                open.close.send_replace(Some(Closing::TokenWithdrawn));
            }
        }
    }

    fn close(&self, id: u64) {
        let mut registry = self.registry();
        if let Some(open) = registry.open.remove(&id) {
            if let Some(address) = open.address {
                if let Some(count) = registry.per_address.get_mut(&address) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        registry.per_address.remove(&address);
                    }
                }
            }
        }
    }
}

/// Closes the connections whose token is no longer in force, every `recheck`.
async fn watch_tokens(connections: Weak<Connections>) {
    loop {
        let Some(every) = connections.upgrade().map(|c| c.limits.recheck) else {
            return;
        };
        tokio::time::sleep(every).await;
        let Some(connections) = connections.upgrade() else {
            return;
        };
        let tokens: Vec<Uuid> = connections
            .registry()
            .open
            .values()
            .filter_map(|open| open.token)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if tokens.is_empty() {
            continue;
        }
        let alive: HashSet<Uuid> = match connections.ledger.tokens_in_force(&tokens).await {
            Ok(alive) => alive.into_iter().collect(),
            Err(error) => {
                tracing::warn!(%error, "the tokens of open connections could not be checked");
                continue;
            }
        };
        for open in connections.registry().open.values() {
            if open.token.is_some_and(|token| !alive.contains(&token)) {
                open.close.send_replace(Some(Closing::TokenWithdrawn));
            }
        }
    }
}

/// A registered connection; unregistered when dropped.
pub(crate) struct Slot {
    id: u64,
    connections: Arc<Connections>,
    closed: watch::Receiver<Option<Closing>>,
    state: Arc<ConnectionState>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.connections.close(self.id);
    }
}

/// What one connection's operations share.
struct ConnectionState {
    /// The token presented at `connection_init`, checked again for every operation.
    secret: Mutex<Option<String>>,
    /// Or the session of the cookie sent with the upgrade, when no token was given.
    session: Mutex<Option<String>>,
    /// Operations running now.
    active: AtomicUsize,
    started: Instant,
    /// When the last message came, in milliseconds after `started`.
    last_message_ms: AtomicU64,
    /// Why `connection_init` was refused, when it was for a limit.
    refusal: Mutex<Option<Closing>>,
    close: Arc<watch::Sender<Option<Closing>>>,
}

impl ConnectionState {
    fn touch(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_message_ms.store(now, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_message_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    fn secret(&self) -> Option<String> {
        self.secret
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn session(&self) -> Option<String> {
        self.session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Counts an operation as running until it is dropped.
struct Running(Arc<ConnectionState>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The schema, behind the checks every WebSocket operation goes through.
#[derive(Clone)]
struct Checked {
    schema: LedgerSchema,
    ledger: Arc<dyn LedgerPort>,
    read_models: ReadDb,
    state: Arc<ConnectionState>,
    limits: WsLimits,
}

fn refused(error: async_graphql::Error) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![error.into_server_error(Default::default())])
}

impl Checked {
    /// The operation's own data, as for an HTTP request: its caller and its loader.
    fn prepare(&self, request: async_graphql::Request, caller: Caller) -> async_graphql::Request {
        let loader = DataLoader::with_cache(
            DecisionLoader::new(self.read_models.clone()),
            tokio::spawn,
            HashMapCache::default(),
        );
        request.data(caller).data(loader)
    }

    /// Counts the operation as running, in the order operations arrive; the response that
    /// refuses it beyond the cap.
    fn start(&self) -> Result<Running, async_graphql::Error> {
        let running = self.state.active.fetch_add(1, Ordering::SeqCst);
        let guard = Running(self.state.clone());
        if running >= self.limits.operations_per_connection {
            let most = self.limits.operations_per_connection;
            return Err(catalogued(
                codes::TOO_MANY_SUBSCRIPTIONS,
                "api-too-many-operations",
                &[("most", most.into())],
            ));
        }
        Ok(guard)
    }

    /// The checks before an operation runs; its caller, or the response that refuses it.
    async fn admit(
        &self,
        request: &async_graphql::Request,
    ) -> Result<Caller, async_graphql::Error> {
        // The caller is checked again for every operation, as for every HTTP request.
        let caller = match self.state.secret() {
            None => match self.state.session() {
                None => Caller::Public,
                Some(session) => match caller_of_session(self.ledger.as_ref(), &session).await {
                    Ok(caller) => caller,
                    Err(Refused::BadToken) => {
                        self.state.close.send_replace(Some(Closing::TokenWithdrawn));
                        return Err(catalogued(codes::UNAUTHENTICATED, SESSION_ENDED, &[]));
                    }
                    Err(Refused::Failed(error)) => return Err(error),
                },
            },
            Some(secret) => {
                let header = format!("Bearer {secret}");
                match caller_of(self.ledger.as_ref(), Some(&header)).await {
                    Ok(caller) => caller,
                    Err(Refused::BadToken) => {
                        self.state.close.send_replace(Some(Closing::TokenWithdrawn));
                        return Err(catalogued(codes::UNAUTHENTICATED, BAD_TOKEN, &[]));
                    }
                    Err(Refused::Failed(error)) => return Err(error),
                }
            }
        };
        // The query shape guard is not applied here: the schema's extension applies it to every
        // operation, over HTTP and WebSocket alike, before any parsing.
        let _ = request;
        Ok(caller)
    }
}

impl Executor for Checked {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        let _running = match self.start() {
            Ok(running) => running,
            Err(error) => return refused(error),
        };
        match self.admit(&request).await {
            Ok(caller) => {
                let mut response = self.schema.execute(self.prepare(request, caller)).await;
                response.errors.iter_mut().for_each(explain);
                response
            }
            Err(error) => refused(error),
        }
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let running = match self.start() {
            Ok(running) => running,
            Err(error) => return stream::once(async move { refused(error) }).boxed(),
        };
        let checked = self.clone();
        stream::once(async move {
            match checked.admit(&request).await {
                Ok(caller) => checked
                    .schema
                    .execute_stream_with_session_data(
                        checked.prepare(request, caller),
                        session_data.unwrap_or_default(),
                    )
                    .map(move |mut response| {
                        let _running = &running;
                        response.errors.iter_mut().for_each(explain);
                        response
                    })
                    .boxed(),
                Err(error) => stream::once(async move { refused(error) }).boxed(),
            }
        })
        .flatten()
        .boxed()
    }
}

fn close_message(code: u16, reason: &str) -> Message {
    // A close frame's reason holds at most 123 bytes.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason[..end].into(),
    }))
}

async fn close_with(sink: &mut SplitSink<WebSocket, Message>, closing: Closing) {
    let (code, reason) = closing.frame();
    // The peer may be gone already.
    let _ = sink.send(close_message(code, reason)).await;
}

/// What the upgrade request presented: its `Authorization` header, the session's cookie.
pub(crate) struct Presented {
    /// The `Authorization` header, used when `connection_init` gives none.
    pub(crate) authorization: Option<String>,
    /// The session's cookie, used when neither gives a token.
    pub(crate) session: Option<String>,
}

/// Serves one WebSocket connection until either side closes it.
pub(crate) async fn serve(
    socket: WebSocket,
    protocol: WebSocketProtocols,
    schema: LedgerSchema,
    ledger: Arc<dyn LedgerPort>,
    read_models: ReadDb,
    mut slot: Slot,
    presented: Presented,
) {
    let Presented {
        authorization: header_value,
        session,
    } = presented;
    let limits = slot.connections.limits;
    let state = slot.state.clone();
    let (mut sink, source) = socket.split();
    let too_big = Arc::new(AtomicBool::new(false));
    let input = {
        let state = state.clone();
        let too_big = too_big.clone();
        source
            .take_while(move |message| {
                if let Err(error) = message {
                    let text = error.to_string().to_lowercase();
                    if text.contains("too long") || text.contains("too big") {
                        too_big.store(true, Ordering::SeqCst);
                    }
                }
                std::future::ready(message.is_ok())
            })
            .filter_map(move |message| {
                state.touch();
                std::future::ready(match message {
                    Ok(message @ (Message::Text(_) | Message::Binary(_))) => {
                        Some(message.into_data())
                    }
                    _ => None,
                })
            })
    };
    let executor = Checked {
        schema,
        ledger: ledger.clone(),
        read_models,
        state: state.clone(),
        limits,
    };
    let connections = slot.connections.clone();
    let id = slot.id;
    let init_state = state.clone();
    let graphql = async_graphql::http::WebSocket::new(executor, input, protocol)
        .on_connection_init(move |payload| async move {
            let from_payload = ["Authorization", "authorization"]
                .iter()
                .find_map(|key| payload.get(key).and_then(|v| v.as_str()))
                .map(str::to_owned);
            let authorization = from_payload.or(header_value);
            // The session's cookie stands in for a token only when none is given.
            let session = session.filter(|_| authorization.is_none());
            let caller = match &session {
                Some(session) => caller_of_session(ledger.as_ref(), session).await,
                None => caller_of(ledger.as_ref(), authorization.as_deref()).await,
            };
            let caller = match caller {
                Ok(caller) => caller,
                Err(Refused::BadToken) if session.is_some() => {
                    return Err(catalogued(codes::UNAUTHENTICATED, SESSION_ENDED, &[]))
                }
                Err(Refused::BadToken) => {
                    return Err(catalogued(codes::UNAUTHENTICATED, BAD_TOKEN, &[]))
                }
                Err(Refused::Failed(error)) => return Err(error),
            };
            if let Caller::Principal(principal) = &caller {
                if !connections.bind_token(id, principal.token_id) {
                    *init_state
                        .refusal
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(Closing::TooManyForToken);
                    return Err(catalogued(
                        codes::TOO_MANY_CONNECTIONS,
                        "api-too-many-connections-for-token",
                        &[],
                    ));
                }
                let secret = authorization
                    .as_deref()
                    .and_then(|v| {
                        v.strip_prefix("Bearer ")
                            .or_else(|| v.strip_prefix("bearer "))
                    })
                    .map(|v| v.trim().to_owned());
                *init_state
                    .secret
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = secret;
                if let Some(session) = &session {
                    connections.bind_session(id, session);
                }
                *init_state
                    .session
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = session;
            }
            let mut data = Data::default();
            data.insert(caller);
            Ok(data)
        });
    let mut graphql = std::pin::pin!(graphql);
    let mut tick = tokio::time::interval(Duration::from_secs(1).min(limits.idle));
    loop {
        tokio::select! {
            message = graphql.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let refusal = *state.refusal.lock().unwrap_or_else(PoisonError::into_inner);
                    match refusal {
                        Some(closing) => close_with(&mut sink, closing).await,
                        None => {
                            let _ = sink.send(close_message(code, &reason)).await;
                        }
                    }
                    break;
                }
                None => {
                    if too_big.load(Ordering::SeqCst) {
                        close_with(&mut sink, Closing::TooBig).await;
                    }
                    break;
                }
            },
            changed = slot.closed.changed() => {
                let closing = *slot.closed.borrow();
                if let (Ok(()), Some(closing)) = (changed, closing) {
                    close_with(&mut sink, closing).await;
                    break;
                }
            }
            _ = tick.tick() => {
                if state.active.load(Ordering::SeqCst) == 0 && state.idle_for() >= limits.idle {
                    close_with(&mut sink, Closing::Idle).await;
                    break;
                }
            }
        }
    }
}
