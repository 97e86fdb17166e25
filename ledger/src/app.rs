//! The HTTP service: the dashboard, GraphQL, GraphiQL and the health check, over one ledger.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use cpts_graphql::port::LedgerPort;
use tokio::net::TcpListener;

use crate::config::DatabaseConfig;
use crate::service::Ledger;
use crate::store::EventRepository;

/// Opens the store named by the configuration and brings its schema up to date.
pub async fn open_store(database: &DatabaseConfig) -> anyhow::Result<EventRepository> {
    let repo = EventRepository::connect(&database.url)
        .await
        .with_context(|| format!("connecting to the store {}", database.redacted()))?;
    repo.migrate()
        .await
        .with_context(|| format!("migrating the store {}", database.redacted()))?;
    Ok(repo)
}

/// The service's routes over a ledger.
pub fn router(ledger: Arc<Ledger>) -> Router {
    let port: Arc<dyn LedgerPort> = ledger.clone();
    let read_models = ledger.projector().db().clone();
    let schema = cpts_graphql::build_schema(port.clone(), read_models.clone());
    cpts_graphql::server::router(schema, port, read_models)
        .merge(
            Router::new()
                .route("/healthz", get(healthz))
                .with_state(ledger),
        )
        .merge(crate::web::router())
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

/// A running service: its address, and the task serving it.
pub struct RunningServer {
    /// The address it listens on (useful when started on port 0).
    pub addr: SocketAddr,
    /// The serving task; it ends when the shutdown signal resolves.
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Binds `listen` and serves the ledger until `shutdown` resolves.
pub async fn start(
    ledger: Arc<Ledger>,
    listen: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    ledger.spawn_feed(std::time::Duration::from_millis(500));
    let app = router(ledger);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")
    });
    Ok(RunningServer { addr, task })
}
