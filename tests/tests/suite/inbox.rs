//! A member's notifications page: each notification names the decision it is about (so the
//! dashboard can link to it), and "mark all read" reads the caller's own notifications only.

use std::net::SocketAddr;
use std::sync::Arc;

use cpts_domain::access::Role;
use cpts_domain::ids::MemberId;
use cpts_ledger::notify::NotifyConfig;
use cpts_ledger::service::Ledger;
use cpts_ledger::{app, demo, tokens};
use cpts_ledger_tests::{open_store, postgres_db};
use serde_json::{json, Value};

const NOTES: &str = "{ notifications { key title body read decisionId decisionTitle } }";

async fn graphql(url: &str, token: &str, query: &str) -> Value {
    let body: Value = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a JSON body");
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    body["data"].clone()
}

fn unread(notes: &Value) -> usize {
    notes["notifications"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|n| n["read"] == false)
        .count()
}

#[tokio::test]
async fn marking_all_read_reads_the_callers_notifications_and_no_one_elses() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    let summary = demo::record_scenario(ledger.as_ref())
        .await
        .expect("the demo is recorded");
    ledger.projector().catch_up().await.expect("caught up");
    cpts_ledger::notify::outbox::feed(&repo, ledger.projector().db(), &NotifyConfig::default())
        .await
        .expect("the outbox is fed");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let server = app::start(ledger, listen, async {
        stopped.await.ok();
    })
    .await
    .expect("service starts");
    let url = format!("http://{}/graphql", server.addr);
    let community = summary.community_id;
    let token = |slug: &str| {
        let member = MemberId(summary.ids[&format!("member/{slug}")]);
        let repo = repo.clone();
        async move {
            tokens::create(&repo, community, Role::Representative, Some(member), "r")
                .await
                .expect("token")
                .secret
        }
    };
    let martine = token("martine-roussel").await;
    let karim = token("karim-benali").await;

    // Martine's notifications each name the decision that answered her, as the demo has it.
    let hers = graphql(&url, &martine, NOTES).await;
    let before = unread(&hers);
    assert!(
        before >= 2,
        "the demo's representative has unread notifications: {hers}"
    );
    let titles: Vec<String> = demo::scenario()
        .expect("the scenario")
        .decisions
        .into_iter()
        .map(|d| d.title)
        .collect();
    for n in hers["notifications"].as_array().expect("a list") {
        let id = n["decisionId"].as_str().expect("a decision id");
        assert!(summary.ids.values().any(|v| v.to_string() == id), "{n}");
        let title = n["decisionTitle"].as_str().expect("a decision title");
        assert!(titles.iter().any(|t| t == title), "{n}");
    }
    let his = graphql(&url, &karim, NOTES).await;
    let his_before = unread(&his);
    assert!(his_before >= 1, "another member has unread ones too: {his}");

    // One read by hand, then all: the count is of those still unread, and goes to 0.
    let first = hers["notifications"][0]["key"].clone();
    let one = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&martine)
        .json(&json!({
            "query": "mutation($key: ID!) { markNotificationRead(key: $key) }",
            "variables": { "key": first },
        }))
        .send()
        .await
        .expect("sent")
        .json::<Value>()
        .await
        .expect("JSON");
    assert_eq!(one["data"]["markNotificationRead"], true, "{one}");
    let all = graphql(&url, &martine, "mutation { markAllNotificationsRead }").await;
    assert_eq!(all["markAllNotificationsRead"], before - 1);
    let hers_after = graphql(&url, &martine, NOTES).await;
    assert_eq!(unread(&hers_after), 0);
    assert_eq!(
        hers_after["notifications"].as_array().map(Vec::len),
        hers["notifications"].as_array().map(Vec::len),
        "nothing is deleted, only read"
    );
    let again = graphql(&url, &martine, "mutation { markAllNotificationsRead }").await;
    assert_eq!(again["markAllNotificationsRead"], 0);

    // Karim's are untouched, and a token that names no member reads nothing.
    assert_eq!(unread(&graphql(&url, &karim, NOTES).await), his_before);
    let coordinator = tokens::create(&repo, community, Role::Coordinator, None, "c")
        .await
        .expect("token")
        .secret;
    let none = graphql(&url, &coordinator, "mutation { markAllNotificationsRead }").await;
    assert_eq!(none["markAllNotificationsRead"], 0);
    assert_eq!(unread(&graphql(&url, &karim, NOTES).await), his_before);

    stop.send(()).ok();
    server.task.await.expect("the server task").expect("served");
    drop(db);
}
