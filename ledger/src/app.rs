//! The HTTP service: the dashboard, GraphQL, GraphiQL and the health check, over one ledger.
//! Every response, whichever route answers it, carries the security headers of
//! [`security_headers`].

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cpts_domain::texts::t;
use cpts_domain::values::Lang;
use cpts_graphql::load::LoadLimits;
use cpts_graphql::port::LedgerPort;
use cpts_graphql::session::SessionLimits;
use cpts_graphql::ws::WsLimits;
use tokio::net::TcpListener;

use crate::config::DatabaseConfig;
use crate::notify::deliver::Notifier;
use crate::notify::{self, NotifyConfig, Unsubscribed};
use crate::service::Ledger;
use crate::store::keyring::{self, KeySource};
use crate::store::EventRepository;

/// Opens the store named by the configuration, brings its schema up to date and unlocks it
/// with the master key the environment names (`CPTS_MASTER_KEY_FILE`, `CPTS_MASTER_KEY`, or
/// the embedded default's file beside the SQLite database): a missing or wrong key stops here.
pub async fn open_store(database: &DatabaseConfig) -> anyhow::Result<EventRepository> {
    open_store_with(database, &KeySource::from_env(database)).await
}

/// [`open_store`], with the master key from `keys`.
pub async fn open_store_with(
    database: &DatabaseConfig,
    keys: &KeySource,
) -> anyhow::Result<EventRepository> {
    let repo = EventRepository::connect(&database.url)
        .await
        .with_context(|| format!("connecting to the store {}", database.redacted()))?;
    repo.migrate()
        .await
        .with_context(|| format!("migrating the store {}", database.redacted()))?;
    keyring::open(&repo, keys).await?;
    crate::at_rest::seal_pending(&repo)
        .await
        .context("sealing the personal values written in clear")?;
    Ok(repo)
}

/// What the HTTP service serves besides the API and the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpOptions {
    /// GraphiQL at `GET /graphql` (on by default; `serve --no-graphiql` leaves it out).
    pub graphiql: bool,
    /// The limits on WebSocket connections.
    pub ws: WsLimits,
    /// The time and concurrency limits of the GraphQL routes (the health checks are outside
    /// them).
    pub load: LoadLimits,
    /// The dashboard's sessions (`/session`): whether the cookie is `Secure` (`CPTS_PUBLIC_URL`
    /// is https) and how many failed attempts an address may make.
    pub sessions: SessionLimits,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            graphiql: true,
            ws: WsLimits::default(),
            load: LoadLimits::default(),
            sessions: SessionLimits::default(),
        }
    }
}

/// The service's routes over a ledger, with GraphiQL.
pub fn router(ledger: Arc<Ledger>) -> Router {
    router_with(ledger, HttpOptions::default())
}

/// The service's routes over a ledger.
pub fn router_with(ledger: Arc<Ledger>, options: HttpOptions) -> Router {
    let port: Arc<dyn LedgerPort> = ledger.clone();
    let read_models = ledger.projector().db().clone();
    let schema = cpts_graphql::build_schema(port.clone(), read_models.clone());
    let mut api = cpts_graphql::server::router_with_sessions(
        schema,
        port,
        read_models,
        options.ws,
        options.load,
        options.sessions,
    );
    if options.graphiql {
        api = api.merge(crate::web::graphiql_router());
    }
    api.merge(
        Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route(
                "/unsubscribe/{token}",
                get(unsubscribe_form).post(unsubscribe),
            )
            .with_state(ledger),
    )
    .merge(crate::web::router())
    .layer(axum::middleware::map_response(security_headers))
}

/// The policy of a response that set none: nothing may load, frame or run from it (JSON, the
/// unsubscribe pages, errors). The dashboard and GraphiQL set their own, also from `'self'` only.
const DEFAULT_CSP: &str =
    "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds to every response the headers a browser needs to keep it from being framed, sniffed or
/// leaking the address it came from; a route's own Content-Security-Policy is kept.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn healthz(State(ledger): State<Arc<Ledger>>) -> (StatusCode, &'static str) {
    match ledger.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(error) => {
            tracing::error!(error = ?error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n")
        }
    }
}

/// Whether the service answers from complete, current read models: `200 ready`, or `503`
/// with a JSON body saying `degraded` and why. It names no CPTS and no content: positions in
/// the log and the projections' names only (the reasons are in the log and, for each CPTS's
/// staff, in `ledgerHead`). `/healthz` stays the liveness check.
async fn readyz(State(ledger): State<Arc<Ledger>>) -> Response {
    let readiness = match ledger.projector().readiness().await {
        Ok(readiness) => readiness,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "readiness check failed");
            let body = serde_json::json!({
                "status": "degraded",
                "reasons": ["store unavailable"],
            });
            return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
        }
    };
    if readiness.is_ready() {
        return (StatusCode::OK, "ready\n").into_response();
    }
    let mut reasons = Vec::new();
    if readiness.catch_up_failing {
        reasons.push("the read models cannot catch up with the log".to_owned());
    }
    if !readiness.set_aside.is_empty() {
        reasons.push(format!(
            "{} event(s) set aside by the read models",
            readiness.set_aside.len()
        ));
    }
    let set_aside: Vec<_> = readiness
        .set_aside
        .iter()
        .map(|(projection, position)| {
            serde_json::json!({ "projection": projection, "position": position })
        })
        .collect();
    let body = serde_json::json!({
        "status": "degraded",
        "reasons": reasons,
        "catchUpFailing": readiness.catch_up_failing,
        "setAside": set_aside,
    });
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
}

/// A short page of the unsubscribe links: the text of `key` in `first`, and in the other
/// language after it unless `first` alone is meant.
fn unsubscribe_page(key: &'static str, first: Lang, both: bool) -> String {
    let (code, other, other_code) = match first {
        Lang::Fr => ("fr", Lang::En, "en"),
        Lang::En => ("en", Lang::Fr, "fr"),
    };
    let second = if both {
        format!(" <span lang=\"{other_code}\">{}</span>", t(other, key))
    } else {
        String::new()
    };
    format!(
        "<!doctype html><html lang=\"{code}\"><meta charset=\"utf-8\"><p>{}{second}</p></html>",
        t(first, key)
    )
}

/// The page an unsubscribe link opens: a button, so that a mail scanner following links does
/// not unsubscribe anyone.
async fn unsubscribe_form(Path(token): Path<String>) -> Html<String> {
    let token: String = token.chars().filter(char::is_ascii_hexdigit).collect();
    Html(format!(
        "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>{}</title>\
         <p>{}<br><span lang=\"en\">{}</span></p>\
         <form method=\"post\" action=\"/unsubscribe/{token}\">\
         <button>{} / {}</button></form></html>",
        t(Lang::Fr, "unsubscribe-title"),
        t(Lang::Fr, "unsubscribe-question"),
        t(Lang::En, "unsubscribe-question"),
        t(Lang::Fr, "unsubscribe-button"),
        t(Lang::En, "unsubscribe-button"),
    ))
}

async fn unsubscribe(
    State(ledger): State<Arc<Ledger>>,
    Path(token): Path<String>,
) -> (StatusCode, Html<String>) {
    match notify::unsubscribe(&ledger, &token).await {
        Ok(Unsubscribed::Done(lang)) => (
            StatusCode::OK,
            Html(unsubscribe_page("unsubscribe-done", lang, false)),
        ),
        Ok(Unsubscribed::Unknown) => (
            StatusCode::NOT_FOUND,
            Html(unsubscribe_page("unsubscribe-unknown", Lang::Fr, true)),
        ),
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "unsubscribing failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(unsubscribe_page("unsubscribe-failed", Lang::Fr, true)),
            )
        }
    }
}

/// Everything `cpts-ledger serve` runs: the read models brought up to date (or, if that fails,
/// followed until they are) and followed, the notifications' worker, and the HTTP service,
/// until `shutdown` resolves.
pub async fn serve(
    ledger: Arc<Ledger>,
    listen: SocketAddr,
    notify: NotifyConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningServer> {
    serve_with(ledger, listen, notify, HttpOptions::default(), shutdown).await
}

/// [`serve`], with the HTTP options given.
pub async fn serve_with(
    ledger: Arc<Ledger>,
    listen: SocketAddr,
    notify: NotifyConfig,
    options: HttpOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningServer> {
    // A catch-up that fails does not stop the service: it serves what the read models hold,
    // says it is degraded (`/readyz`), and the follower keeps trying.
    match ledger.projector().catch_up().await {
        Ok(reached) => tracing::info!(position = reached, "read models up to date"),
        Err(error) => tracing::error!(
            error = format!("{error:#}"),
            "the read models could not catch up at start-up: serving degraded, still trying"
        ),
    }
    ledger
        .projector()
        .clone()
        .spawn_follower(std::time::Duration::from_secs(1));
    let notifier = Notifier::new(
        ledger.repository().clone(),
        ledger.projector().clone(),
        notify,
    )?;
    Arc::new(notifier).spawn();
    start_with(ledger, listen, options, shutdown).await
}

/// A running service: its address, and the task serving it.
pub struct RunningServer {
    /// The address it listens on (useful when started on port 0).
    pub addr: SocketAddr,
    /// The serving task; it ends when the shutdown signal resolves.
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Binds `listen` and serves the ledger, with GraphiQL, until `shutdown` resolves.
pub async fn start(
    ledger: Arc<Ledger>,
    listen: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningServer> {
    start_with(ledger, listen, HttpOptions::default(), shutdown).await
}

/// [`start`], with the HTTP options given.
pub async fn start_with(
    ledger: Arc<Ledger>,
    listen: SocketAddr,
    options: HttpOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    ledger.spawn_feed(std::time::Duration::from_millis(500));
    ledger.spawn_notification_feed(std::time::Duration::from_millis(500));
    let app = router_with(ledger, options);
    let task = tokio::spawn(async move {
        // The client's address counts its WebSocket connections, and is the key of its
        // concurrency limit when it sends no token.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")
    });
    Ok(RunningServer { addr, task })
}
