//! Starts the real service on a fresh PostgreSQL database holding the demo scenario, for the
//! dashboard's browser tests (`tests/browser/dashboard.mjs`).
//!
//! It prints one JSON line: the dashboard's URL, the CPTS's id, a token per role (the
//! representatives' tokens name them), the token of the coordinator of a second CPTS that is
//! not registered yet, and every member's name, so the browser test can check
//! that no name shows in the public view. The answers the demo published are already in the
//! members' notifications when the line is printed, and the notifications' worker runs (with
//! no mail server: e-mails stay queued), so the ones published in the browser arrive live. It
//! serves until its standard input closes, then drops the database.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use cpts_domain::access::Role;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_ledger::notify::{self, NotifyConfig};
use cpts_ledger::service::Ledger;
use cpts_ledger::{app, demo, tokens};
use cpts_ledger_tests::{open_store, postgres_db};
use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.context("opening the store")?;
    let ledger = Arc::new(Ledger::new(repo.clone()));
    let summary = demo::record_scenario(ledger.as_ref())
        .await
        .context("recording the demo")?;
    let community = summary.community_id;
    let member = |slug: &str| {
        summary
            .ids
            .get(&format!("member/{slug}"))
            .copied()
            .map(MemberId)
            .with_context(|| format!("the demo has no member {slug}"))
    };
    let token = |role: Role, member: Option<MemberId>, label: &'static str| {
        let repo = repo.clone();
        async move {
            tokens::create(&repo, community, role, member, label)
                .await
                .map(|t| t.secret)
        }
    };
    let coordinator = token(Role::Coordinator, None, "Coordination").await?;
    let board = token(
        Role::BoardMember,
        Some(member("helene-castel")?),
        "Présidente",
    )
    .await?;
    let auditor = token(Role::Auditor, None, "Commissaire aux comptes").await?;
    let martine = token(
        Role::Representative,
        Some(member("martine-roussel")?),
        "Martine Roussel",
    )
    .await?;
    let karim = token(
        Role::Representative,
        Some(member("karim-benali")?),
        "Karim Benali",
    )
    .await?;
    // A second CPTS, not registered yet: its coordinator starts the year from an empty ledger.
    let newcomer = CommunityId(uuid::Uuid::new_v4());
    let new_coordinator = tokens::create(&repo, newcomer, Role::Coordinator, None, "Coordination")
        .await?
        .secret;
    let names: Vec<String> = demo::scenario()?
        .members
        .into_iter()
        .map(|m| m.name)
        .collect();

    ledger.projector().catch_up().await?;
    notify::outbox::feed(&repo, ledger.projector().db(), &NotifyConfig::default()).await?;

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listen: SocketAddr = "127.0.0.1:0".parse().context("address")?;
    let server = app::serve(ledger, listen, NotifyConfig::default(), async {
        stopped.await.ok();
    })
    .await?;
    println!(
        "{}",
        json!({
            "url": format!("http://{}/", server.addr),
            "community": community.to_string(),
            "tokens": {
                "coordinator": coordinator,
                "boardMember": board,
                "auditor": auditor,
                "martine": martine,
                "karim": karim,
                "newCoordinator": new_coordinator,
            },
            "memberNames": names,
        })
    );
    tokio::task::spawn_blocking(|| {
        let mut rest = Vec::new();
        std::io::stdin().read_to_end(&mut rest).ok();
    })
    .await
    .ok();
    stop.send(()).ok();
    server.task.await.context("the server task")??;
    drop(db);
    Ok(())
}
