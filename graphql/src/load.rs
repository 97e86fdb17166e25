//! Load shedding for the GraphQL routes: a time limit on every request, and a limit on the
//! requests in progress, for the whole service and for each caller. A request over a limit is
//! answered at once (`503` or `429`, with `Retry-After`) instead of waiting: what the service
//! cannot serve now it says so, and the health check, outside these routes, stays served.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use cpts_domain::texts::{t_args, Arg};
use cpts_domain::values::Lang;

use crate::errors::codes;

/// The limits of the GraphQL routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadLimits {
    /// The longest a request may take before it is abandoned and answered `503`.
    pub timeout: Duration,
    /// The most requests in progress in the service; beyond, `503`.
    pub max_concurrent: usize,
    /// The most requests in progress for one caller (one token, or one address without a
    /// token); beyond, `429`.
    pub max_concurrent_per_caller: usize,
}

/// The default time limit of a request, in seconds.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
/// The default number of requests in progress in the service.
pub const DEFAULT_MAX_CONCURRENT: usize = 64;
/// The default number of requests in progress for one caller.
pub const DEFAULT_MAX_CONCURRENT_PER_CALLER: usize = 16;

impl Default for LoadLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECONDS),
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            max_concurrent_per_caller: DEFAULT_MAX_CONCURRENT_PER_CALLER,
        }
    }
}

/// How long a refused caller is told to wait, in seconds.
const RETRY_AFTER_SECONDS: u64 = 1;

/// Who a request counts against: its token, or its address without one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum CallerKey {
    /// A hash of the `Authorization` value, or of the session's cookie (neither is kept).
    Token(u64),
    /// The client's address.
    Address(IpAddr),
    /// Neither is known (a server started without connection information).
    Unknown,
}

fn caller_key(request: &Request) -> CallerKey {
    if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        let mut hasher = DefaultHasher::new();
        value.as_bytes().hash(&mut hasher);
        return CallerKey::Token(hasher.finish());
    }
    // A browser signed in with the session's cookie counts as its session.
    if let Some(session) = crate::session::session_cookie(request.headers()) {
        let mut hasher = DefaultHasher::new();
        session.hash(&mut hasher);
        return CallerKey::Token(hasher.finish());
    }
    match request.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(address)) => CallerKey::Address(address.ip()),
        None => CallerKey::Unknown,
    }
}

/// The state the limits keep: the global permits and each caller's requests in progress.
#[derive(Clone)]
pub struct LoadShedder {
    limits: LoadLimits,
    global: Arc<Semaphore>,
    callers: Arc<Mutex<HashMap<CallerKey, usize>>>,
}

impl LoadShedder {
    /// A shedder enforcing these limits.
    pub fn new(limits: LoadLimits) -> Self {
        Self {
            limits,
            global: Arc::new(Semaphore::new(limits.max_concurrent)),
            callers: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Takes a slot for the caller, or `None` when they already hold as many as they may.
    fn enter(&self, key: CallerKey) -> Option<CallerSlot> {
        let mut callers = self.callers.lock().unwrap_or_else(|e| e.into_inner());
        let count = callers.entry(key.clone()).or_insert(0);
        if *count >= self.limits.max_concurrent_per_caller {
            return None;
        }
        *count += 1;
        Some(CallerSlot {
            key,
            callers: self.callers.clone(),
        })
    }
}

/// One request in progress for a caller; released when dropped.
struct CallerSlot {
    key: CallerKey,
    callers: Arc<Mutex<HashMap<CallerKey, usize>>>,
}

impl Drop for CallerSlot {
    fn drop(&mut self) {
        let mut callers = self.callers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = callers.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                callers.remove(&self.key);
            }
        }
    }
}

fn refusal(
    status: StatusCode,
    code: &str,
    key: &'static str,
    args: &[(&str, Arg<'_>)],
    retry: bool,
) -> Response {
    let (french, english) = (t_args(Lang::Fr, key, args), t_args(Lang::En, key, args));
    let body = serde_json::json!({
        "errors": [{ "message": french, "extensions": { "code": code, "messageEn": english } }]
    });
    let mut response = Response::new(axum::body::Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if retry {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    response
}

/// The middleware: refuses beyond the limits, and abandons a request over its time limit.
pub async fn shed(State(shedder): State<LoadShedder>, request: Request, next: Next) -> Response {
    let Some(_slot) = shedder.enter(caller_key(&request)) else {
        return refusal(
            StatusCode::TOO_MANY_REQUESTS,
            codes::TOO_MANY_REQUESTS,
            "api-too-many-requests",
            &[("count", shedder.limits.max_concurrent_per_caller.into())],
            true,
        );
    };
    let _permit: OwnedSemaphorePermit = match shedder.global.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::OVERLOADED,
                "api-overloaded",
                &[],
                true,
            )
        }
    };
    let timeout = shedder.limits.timeout;
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                ?timeout,
                "a GraphQL request was abandoned at its time limit"
            );
            refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::TIMEOUT,
                "api-timeout",
                &[("seconds", timeout.as_secs_f64().into())],
                false,
            )
        }
    }
}
