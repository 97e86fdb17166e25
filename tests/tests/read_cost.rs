//! What a page of decisions costs in statements: as much for 100 decisions as for 10. Alone in
//! its test binary, because the counter it reads counts every read statement of the process.

use chrono::{Days, NaiveDate};
use cpts_domain::access::{Caller, Role};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::decision::{DecisionCommand, Proposal};
use cpts_domain::ids::{BodyId, CommunityId, ConsultationId, DecisionId};
use cpts_domain::values::{Mission, Moment};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger::{app, tokens};
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db};
use cpts_projections::db::reads_so_far;
use cpts_projections::listing::{self, DecisionFilter};
use cpts_projections::ReadDb;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::oneshot;
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

async fn send(ledger: &Ledger, id: DecisionId, command: DecisionCommand) {
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    ledger
        .execute(AddressedCommand::Decision { id, command }, context)
        .await
        .expect("recorded");
}

/// What one page of `first` decisions costs, with their trails, milestones and indicators:
/// the statements run, and the trail entries the page carried.
async fn page_cost(db: &ReadDb, community_id: &str, first: u32) -> (u64, usize) {
    let as_of = date("2026-12-31");
    let before = reads_so_far();
    let page = listing::decisions_page(db, community_id, &DecisionFilter::default(), None, first)
        .await
        .expect("reads");
    let ids: Vec<String> = page.items.iter().map(|d| d.decision_id.clone()).collect();
    let trails = listing::influence_trails(db, &ids, as_of)
        .await
        .expect("reads");
    let milestones = listing::milestones(db, &ids).await.expect("reads");
    let indicators = listing::indicators(db, &ids).await.expect("reads");
    let spent = reads_so_far() - before;
    assert_eq!(page.items.len(), first as usize);
    assert_eq!(trails.len(), first as usize, "every decision has its trail");
    assert_eq!(
        (milestones.len(), indicators.len()),
        (2, 1),
        "the demo's two decisions lead every page"
    );
    (spent, trails.values().map(|t| t.entries.len()).sum())
}

async fn the_cost_of_a_page_does_not_grow_with_its_size(url: &str) {
    let repo = open_store(url).await.expect("store opens");
    let ledger = Ledger::new(repo).projecting_after_commands(false);
    demo::record_scenario(&ledger).await.expect("demo recorded");
    // 150 older decisions of the demo's CPTS, each drawing on the perimeter consultation and
    // its 14 contributions: after the demo's two, they fill the pages.
    let community_id = CommunityId(id_of("community", "cpts-val-de-letang"));
    let perimetre = ConsultationId(id_of("consultation", "perimetre"));
    for i in 0..150u64 {
        let decision_id = DecisionId(Uuid::new_v4());
        let propose = DecisionCommand::Propose {
            decision_id,
            community_id,
            proposal: Proposal {
                body_id: BodyId(id_of("body", "ca")),
                title: format!("Décision {i}"),
                text: "Une décision de plus.".into(),
                moment: Moment::Diagnosis,
                mission: Mission::AccessToCare,
                proposed_on: date("2025-01-01") + Days::new(i % 60),
            },
        };
        send(&ledger, decision_id, propose).await;
        let link = DecisionCommand::LinkConsultation {
            consultation_id: perimetre,
        };
        send(&ledger, decision_id, link).await;
    }
    ledger.projector().catch_up().await.expect("caught up");
    let db = ledger.projector().db();
    let community = community_id.to_string();

    let (small, small_entries) = page_cost(db, &community, 10).await;
    let (large, large_entries) = page_cost(db, &community, 100).await;
    // Demo's screening (5) and perimeter (14), then 14 for each of the others.
    assert_eq!(small_entries, 5 + 14 + 8 * 14);
    assert_eq!(large_entries, 5 + 14 + 98 * 14);
    assert_eq!(
        small, large,
        "100 decisions cost what 10 cost: no statement per decision"
    );
    // The page and its count, the trails' decisions, consultations and entries, milestones,
    // indicators.
    assert_eq!(large, 7);

    // The same page asked over GraphQL: the DataLoader gathers the page's trails, milestones
    // and indicators into those same statements.
    let ledger = Arc::new(ledger);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = app::start(
        ledger.clone(),
        "127.0.0.1:0".parse().expect("address"),
        async {
            stopped.await.ok();
        },
    )
    .await
    .expect("service starts");
    let token = tokens::create(
        ledger.repository(),
        community_id,
        Role::Auditor,
        None,
        "cost",
    )
    .await
    .expect("token")
    .secret;
    let url = format!("http://{}/graphql", server.addr);
    let mut costs = Vec::new();
    for first in [10, 100] {
        let query = format!(
            "{{ decisions(first: {first}, asOf: \"2026-12-31\") {{ edges {{ node {{ title \
             trail {{ entries {{ text disposition }} counts {{ disposition count }} }} \
             milestones {{ milestone }} indicators {{ value }} }} }} }} }}"
        );
        let before = reads_so_far();
        let body: Value = reqwest::Client::new()
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("JSON");
        costs.push(reads_so_far() - before);
        assert!(body.get("errors").is_none(), "{body}");
        let edges = body["data"]["decisions"]["edges"]
            .as_array()
            .expect("edges");
        assert_eq!(edges.len(), first);
        let entries: usize = edges
            .iter()
            .map(|e| e["node"]["trail"]["entries"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(
            entries,
            if first == 10 {
                small_entries
            } else {
                large_entries
            }
        );
    }
    assert_eq!(
        costs[0], costs[1],
        "over GraphQL too, 100 cost what 10 cost"
    );
    assert_eq!(costs[1], 7, "{costs:?}");
    stop.send(()).ok();
}

#[tokio::test]
async fn a_page_of_decisions_costs_the_same_statements_whatever_its_size() {
    // One test, so that nothing else in this binary reads while it counts.
    let postgres = postgres_db().await;
    the_cost_of_a_page_does_not_grow_with_its_size(postgres.url()).await;
    let sqlite = sqlite_db();
    the_cost_of_a_page_does_not_grow_with_its_size(sqlite.url()).await;
}
