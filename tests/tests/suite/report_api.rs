//! The report as the general assembly's rapporteur asks for it: over GraphQL, sealed with the
//! log it was built from, and cut at the as-of date.

use std::sync::Arc;

use chrono::Days;
use cpts_domain::access::Role;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger::{app, tokens};
use cpts_ledger_tests::{open_store, postgres_db};
use serde_json::{json, Value};

#[tokio::test]
async fn the_report_is_sealed_with_the_log_it_was_built_from_and_cut_at_its_date() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("demo recorded");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = app::start(
        ledger.clone(),
        "127.0.0.1:0".parse().expect("address"),
        async {
            stopped.await.ok();
        },
    )
    .await
    .expect("service starts");
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let auditor = tokens::create(&repo, community, Role::Auditor, None, "rapporteur")
        .await
        .expect("token")
        .secret;
    let representative = tokens::create(
        &repo,
        community,
        Role::Representative,
        Some(MemberId(id_of("member", "martine-roussel"))),
        "représentante",
    )
    .await
    .expect("token")
    .secret;
    let url = format!("http://{}/graphql", server.addr);
    let ask = |token: String, variables: Value| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .post(&url)
                .bearer_auth(token)
                .json(&json!({
                    "query": "query($asOf: NaiveDate!, $position: Int, $format: ReportFormat = MARKDOWN, $lang: Lang = FR) { report(asOf: $asOf, position: $position, format: $format, lang: $lang) }",
                    "variables": variables,
                }))
                .send()
                .await
                .expect("sent")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };

    // The scenario's facts are dated in 2026, up to its autumn: a report as of yesterday (in
    // the CPTS's time zone) holds them all, at the head, sealed.
    let today = cpts_graphql::clock::today();
    let yesterday = today - Days::new(1);
    let body = ask(
        auditor.clone(),
        json!({ "asOf": yesterday, "format": "JSON", "lang": "EN" }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let report: Value =
        serde_json::from_str(body["data"]["report"].as_str().expect("a report")).expect("JSON");
    let digest = repo
        .verify(None)
        .await
        .expect("verifies")
        .digest
        .to_string();
    assert_eq!(report["ledger"]["position"], 117);
    assert_eq!(report["ledger"]["digest"], digest);
    assert_eq!(report["ledger"]["intact"], true);
    assert_eq!(report["community"]["name"], "CPTS du Val de l'Étang");
    assert_eq!(report["ledger"]["provisional"], false);
    assert!(report["ledger"]["recorded_at"].is_string());

    // At an earlier position: the log as it stood then, only the CPTS's first events.
    let body = ask(
        auditor.clone(),
        json!({ "asOf": yesterday, "position": 10, "format": "JSON" }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let before: Value =
        serde_json::from_str(body["data"]["report"].as_str().expect("a report")).expect("JSON");
    assert_eq!(before["ledger"]["position"], 10);
    assert_eq!(before["decisions"].as_array().map(Vec::len), Some(0));

    // Beyond the head, or a day to come: refused, saying why.
    for variables in [
        json!({ "asOf": yesterday, "position": 118 }),
        json!({ "asOf": today + Days::new(1) }),
    ] {
        let refused = ask(auditor.clone(), variables).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "INVALID_INPUT",
            "{refused}"
        );
    }

    // Markdown in French by default, with the seal a later reader checks; as of today, a day
    // that has not ended, provisional.
    let body = ask(auditor.clone(), json!({ "asOf": today })).await;
    let markdown = body["data"]["report"].as_str().expect("a report");
    assert!(markdown.contains("## 7. Le registre"), "{markdown}");
    assert!(markdown.contains(&digest));
    assert!(markdown.starts_with("# Rapport à l'assemblée générale (provisoire)"));

    // Asked twice, the same bytes.
    let again = ask(auditor, json!({ "asOf": today })).await;
    assert_eq!(again["data"]["report"], body["data"]["report"]);

    // A representative does not get the whole record.
    let refused = ask(representative, json!({ "asOf": today })).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    stop.send(()).ok();
}
