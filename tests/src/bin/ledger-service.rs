//! The service as a process of its own, for the tests that kill it or run two of it: what
//! `cpts-ledger serve` runs (`cpts_ledger::app::serve`), configured from the environment:
//! `DATABASE_URL`, `CPTS_LISTEN` (default `127.0.0.1:0`) and the notifications' settings.
//! Prints `listening <address>` once it serves.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use cpts_ledger::app;
use cpts_ledger::config::DatabaseConfig;
use cpts_ledger::notify::NotifyConfig;
use cpts_ledger::service::Ledger;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let database = DatabaseConfig {
        url: std::env::var("DATABASE_URL").context("DATABASE_URL")?,
    };
    let listen: SocketAddr = std::env::var("CPTS_LISTEN")
        .unwrap_or_else(|_| "127.0.0.1:0".into())
        .parse()
        .context("CPTS_LISTEN")?;
    let repo = app::open_store(&database).await?;
    let ledger = Arc::new(Ledger::new(repo));
    let server = app::serve(
        ledger,
        listen,
        NotifyConfig::from_env()?,
        std::future::pending(),
    )
    .await?;
    println!("listening {}", server.addr);
    server.task.await.context("the HTTP task")??;
    Ok(())
}
