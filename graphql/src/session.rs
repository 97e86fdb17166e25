//! The dashboard's session: `POST /session` checks an API token once and answers with a cookie,
//! [`COOKIE`], that names a session kept by the ledger ([`LedgerPort::open_session`]); `/graphql`
//! and `/graphql/ws` then accept the cookie where no `Authorization` is given, and
//! `DELETE /session` ends it. The cookie is `HttpOnly` (no script reads it), `SameSite=Strict`
//! and, behind an https address, `Secure`.
//!
//! - **CSRF.** A request the cookie authenticates and that may change something (`POST
//!   /graphql`, `DELETE /session`) must show it comes from the service's own pages: the header
//!   `X-Requested-With: cpts-ledger` (which a page of another site cannot send without the
//!   service's consent, never given), or `Sec-Fetch-Site: same-origin`, or an `Origin` that is
//!   the service's own. Otherwise `403`. A WebSocket opened with the cookie must come from the
//!   service's own `Origin`.
//! - **Guessing.** Failed attempts at `POST /session` are counted per client address: beyond
//!   [`SessionLimits::max_failures`] in [`SessionLimits::window`], the address is answered `429`
//!   until the window ends, good token or not.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::errors::codes;
use crate::port::LedgerPort;
use crate::server::refusal;
use crate::ws::Connections;

/// The name of the session's cookie.
pub const COOKIE: &str = "cpts_session";

/// The header, and its value, that a cookie-authenticated request that changes something
/// carries to show it comes from the dashboard.
pub const CSRF_HEADER: (&str, &str) = ("x-requested-with", "cpts-ledger");

/// The largest body `POST /session` reads.
const MAX_BODY_BYTES: usize = 4 * 1024;

/// The rules of the sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Whether the cookie is `Secure`: the service's public address is https.
    pub secure: bool,
    /// Failed attempts at `POST /session` allowed from one address in [`Self::window`].
    pub max_failures: u32,
    /// How long failed attempts are remembered.
    pub window: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            secure: false,
            max_failures: 10,
            window: Duration::from_secs(15 * 60),
        }
    }
}

impl SessionLimits {
    /// The default limits, the cookie `Secure` when `public_url` (`CPTS_PUBLIC_URL`) is https.
    pub fn for_public_url(public_url: &str) -> Self {
        Self {
            secure: public_url
                .trim()
                .get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://")),
            ..Self::default()
        }
    }
}

/// Failed attempts per client address, in the current window of each.
#[derive(Debug, Default)]
struct Failures {
    by_address: HashMap<Option<IpAddr>, (u32, Instant)>,
}

/// What the session routes share.
#[derive(Clone)]
pub(crate) struct Sessions {
    pub(crate) limits: SessionLimits,
    failures: Arc<Mutex<Failures>>,
    /// The open WebSocket connections, closed when their session ends.
    connections: Arc<Connections>,
}

impl Sessions {
    pub(crate) fn new(limits: SessionLimits, connections: Arc<Connections>) -> Self {
        Self {
            limits,
            failures: Arc::default(),
            connections,
        }
    }

    /// How long `address` must still wait, if it failed too often.
    fn blocked(&self, address: Option<IpAddr>) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let (count, since) = failures.by_address.get(&address)?;
        let left = self.limits.window.checked_sub(since.elapsed())?;
        (*count >= self.limits.max_failures).then_some(left)
    }

    fn failed(&self, address: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let window = self.limits.window;
        if failures.by_address.len() > 10_000 {
            failures
                .by_address
                .retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = failures
            .by_address
            .entry(address)
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= window {
            *entry = (0, Instant::now());
        }
        entry.0 = entry.0.saturating_add(1);
    }
}

/// The session named by the request's cookie, if any.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
}

/// Whether `Origin` names the host the request was sent to.
pub(crate) fn origin_is_own(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
}

/// Whether a cookie-authenticated request shows it comes from the service's own pages.
pub(crate) fn from_own_pages(headers: &HeaderMap) -> bool {
    let (name, value) = CSRF_HEADER;
    if headers
        .get(name)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(value.as_bytes()))
    {
        return true;
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin",
        None => origin_is_own(headers),
    }
}

/// The refusal of a cookie-authenticated request that does not show it comes from the service's
/// own pages.
pub(crate) fn cross_site() -> Response {
    refusal(
        StatusCode::FORBIDDEN,
        codes::FORBIDDEN,
        "api-session-cross-site",
    )
}

/// The `Set-Cookie` that opens a session, or (`None`) that clears it.
pub(crate) fn set_cookie(session: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = match session {
        Some(id) => format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/{secure}"),
        None => format!("{COOKIE}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/{secure}"),
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn no_content(cookie: HeaderValue) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::SET_COOKIE, cookie);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The token of a `POST /session`: in `Authorization: Bearer`, or as `{"token": "cpts_…"}`.
async fn token_of(headers: &HeaderMap, body: Body) -> Result<String, Response> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default();
        return value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(|token| token.trim().to_owned())
            .ok_or_else(|| {
                refusal(
                    StatusCode::UNAUTHORIZED,
                    codes::UNAUTHENTICATED,
                    "api-session-bad-token",
                )
            });
    }
    let bad_request = || {
        refusal(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            "api-session-bad-request",
        )
    };
    // A JSON body only: a form of another site cannot send one without the service's consent.
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(bad_request());
    }
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| bad_request())?;
    #[derive(serde::Deserialize)]
    struct Login {
        token: String,
    }
    let login: Login = serde_json::from_slice(&bytes).map_err(|_| bad_request())?;
    Ok(login.token.trim().to_owned())
}

/// `POST /session`: a session for a good token (`204`, with the cookie); `401` for a bad one.
pub(crate) async fn open(
    State((ledger, sessions)): State<(Arc<dyn LedgerPort>, Sessions)>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    body: Body,
) -> Response {
    let address = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(left) = sessions.blocked(address) {
        let mut response = refusal(
            StatusCode::TOO_MANY_REQUESTS,
            codes::TOO_MANY_REQUESTS,
            "api-session-too-many-failures",
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(left.as_secs().max(1)),
        );
        return response;
    }
    let token = match token_of(&headers, body).await {
        Ok(token) => token,
        Err(response) => {
            sessions.failed(address);
            return response;
        }
    };
    match ledger.open_session(&token).await {
        Ok(Some(session)) => no_content(set_cookie(Some(&session.id), sessions.limits.secure)),
        Ok(None) => {
            sessions.failed(address);
            refusal(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHENTICATED,
                "api-session-bad-token",
            )
        }
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "opening a session failed");
            refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::UNAVAILABLE,
                "api-internal",
            )
        }
    }
}

/// `DELETE /session`: ends the session of the cookie, and clears the cookie; the WebSocket
/// connections it opened are closed.
pub(crate) async fn close(
    State((ledger, sessions)): State<(Arc<dyn LedgerPort>, Sessions)>,
    headers: HeaderMap,
) -> Response {
    if let Some(session) = session_cookie(&headers) {
        if !from_own_pages(&headers) {
            return cross_site();
        }
        if let Err(error) = ledger.close_session(&session).await {
            tracing::error!(error = format!("{error:#}"), "ending a session failed");
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::UNAVAILABLE,
                "api-internal",
            );
        }
        sessions.connections.end_session(&session);
    }
    no_content(set_cookie(None, sessions.limits.secure))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_session_is_read_from_its_cookie_among_others() {
        let map = headers(&[("cookie", "a=1; cpts_session=abc ; b=2")]);
        assert_eq!(session_cookie(&map).as_deref(), Some("abc"));
        assert_eq!(
            session_cookie(&headers(&[("cookie", "xcpts_session=1")])),
            None
        );
    }

    #[test]
    fn only_the_service_s_own_pages_pass_the_csrf_check() {
        assert!(from_own_pages(&headers(&[(
            "x-requested-with",
            "cpts-ledger"
        )])));
        assert!(from_own_pages(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(from_own_pages(&headers(&[
            ("origin", "http://cpts.example:8080"),
            ("host", "cpts.example:8080")
        ])));
        assert!(!from_own_pages(&headers(&[])));
        assert!(!from_own_pages(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!from_own_pages(&headers(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://cpts.example"),
            ("host", "cpts.example")
        ])));
        assert!(!from_own_pages(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "cpts.example")
        ])));
        assert!(!from_own_pages(&headers(&[(
            "x-requested-with",
            "XMLHttpRequest"
        )])));
    }

    #[test]
    fn the_cookie_is_secure_behind_https_only() {
        assert!(SessionLimits::for_public_url("https://cpts.example").secure);
        assert!(!SessionLimits::for_public_url("http://127.0.0.1:8080").secure);
        let cookie = set_cookie(Some("ab"), true);
        assert_eq!(
            cookie.to_str().ok(),
            Some("cpts_session=ab; HttpOnly; SameSite=Strict; Path=/; Secure")
        );
    }
}
