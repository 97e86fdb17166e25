//! The dashboard's reads over real HTTP: paging through many decisions, filters, the public
//! view, mutations that answer with the view they changed, and the limits that protect the
//! service from queries too deep, too complex or too large.

use cpts_ledger_tests::service::Service;
use serde_json::{json, Value};

const REGISTER: &str = "mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId } }";
const BODY: &str =
    "mutation($input: EstablishBodyInput!) { establishBody(input: $input) { aggregateId } }";
const PROPOSE: &str = "mutation($input: ProposeDecisionInput!) { proposeDecision(input: $input) { aggregateId decision { title status trail { entries { text } } } } }";
const VOTE: &str = "mutation($input: RecordVoteInput!) { recordVote(input: $input) { decision { status votedOn } } }";
const PAGE: &str = "query($first: Int!, $after: String, $filter: DecisionFilterInput) { decisions(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title proposedOn status } } } }";

async fn cpts_with_board(service: &Service) -> (String, String) {
    service
        .ok(REGISTER, json!({ "input": { "name": "CPTS du bassin de Thau", "territory": [{ "insee": "34301", "name": "Sète" }] } }))
        .await;
    let community = service.community.to_string();
    let board = uuid::Uuid::new_v4().to_string();
    service
        .ok(BODY, json!({ "input": { "communityId": community, "bodyId": board, "kind": "BOARD", "name": "Conseil d'administration" } }))
        .await;
    (community, board)
}

fn day(i: usize) -> String {
    let base: chrono::NaiveDate = "2025-01-01".parse().expect("date");
    (base + chrono::Days::new(u64::try_from(i).expect("small"))).to_string()
}

#[tokio::test]
async fn two_hundred_and_fifty_decisions_page_by_page() {
    let service = Service::start().await;
    let (community, board) = cpts_with_board(&service).await;
    for i in 0..250 {
        // Several decisions share a date: the cursor must still order them all.
        let moment = if i % 5 == 0 {
            "EVALUATION"
        } else {
            "DIAGNOSIS"
        };
        service
            .ok(PROPOSE, json!({ "input": { "communityId": community, "bodyId": board, "title": format!("Décision {i:03}"),
                "text": "Texte", "moment": moment, "mission": "ACCESS_TO_CARE", "proposedOn": day(i / 3) } }))
            .await;
    }

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let data = service
            .ok(PAGE, json!({ "first": 100, "after": after }))
            .await;
        let page = &data["decisions"];
        assert_eq!(page["totalCount"], 250);
        let edges = page["edges"].as_array().expect("edges");
        seen.extend(edges.iter().map(|e| {
            (
                e["node"]["proposedOn"].as_str().unwrap_or("").to_owned(),
                e["node"]["id"].as_str().unwrap_or("").to_owned(),
            )
        }));
        pages += 1;
        if page["pageInfo"]["hasNextPage"] == false {
            assert_eq!(edges.len(), 50, "the last page holds the rest");
            break;
        }
        assert_eq!(edges.len(), 100);
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 250, "no decision twice, none skipped");
    let mut newest_first = seen.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, newest_first, "newest first, ties broken by id");

    // A filter narrows the list and its count.
    let data = service
        .ok(
            PAGE,
            json!({ "first": 100, "filter": { "moment": "EVALUATION", "proposedFrom": day(30) } }),
        )
        .await;
    let expected = (0..250).filter(|i| i % 5 == 0 && i / 3 >= 30).count();
    assert_eq!(data["decisions"]["totalCount"], expected);

    // Pages larger than 100, and cursors that are not cursors, are refused clearly.
    for (variables, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": 0 }), "first"),
        (json!({ "first": 10, "after": "n'importe quoi" }), "after"),
    ] {
        let (_, body) = service.send(PAGE, variables).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "INVALID_INPUT",
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains(field),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_mutation_answers_with_the_view_it_changed_and_the_public_sees_only_voted_decisions() {
    let service = Service::start().await;
    let (community, board) = cpts_with_board(&service).await;
    let data = service
        .ok(PROPOSE, json!({ "input": { "communityId": community, "bodyId": board, "title": "Périmètre",
            "text": "Texte", "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "proposedOn": "2026-03-20" } }))
        .await;
    let decision = data["proposeDecision"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(data["proposeDecision"]["decision"]["title"], "Périmètre");
    let admitted = service
        .ok("mutation($input: AdmitMemberInput!) { admitMember(input: $input) { member { name kind admittedOn } consultation { id } } }",
            json!({ "input": { "communityId": community, "name": "Karim Benali", "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-02-01" } }))
        .await;
    let member = &admitted["admitMember"];
    assert_eq!(member["member"]["name"], "Karim Benali", "{admitted}");
    assert_eq!(member["member"]["admittedOn"], "2026-02-01");
    assert!(member["consultation"].is_null(), "no view of another kind");
    assert_eq!(data["proposeDecision"]["decision"]["status"], "PROPOSED");

    // Without a token, a decision not voted yet does not exist; the CPTS must be named.
    let public_page = "query($c: ID) { decisions(communityId: $c, first: 10) { totalCount edges { node { title } } } }";
    let (_, body) = service
        .send_as(None, public_page, json!({ "c": community }))
        .await;
    assert_eq!(body["data"]["decisions"]["totalCount"], 0, "{body}");
    let (_, body) = service.send_as(None, public_page, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_INPUT");
    let one = "query($id: ID!) { decision(id: $id) { title status } }";
    let (_, body) = service.send_as(None, one, json!({ "id": decision })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );

    // Once voted, it is public, and the vote's answer shows the new status.
    let data = service
        .ok(VOTE, json!({ "input": { "decisionId": decision, "on": "2026-04-02", "outcome": "ADOPTED", "consensus": true } }))
        .await;
    assert_eq!(data["recordVote"]["decision"]["status"], "ADOPTED");
    assert_eq!(data["recordVote"]["decision"]["votedOn"], "2026-04-02");
    let (_, body) = service
        .send_as(None, public_page, json!({ "c": community }))
        .await;
    assert_eq!(body["data"]["decisions"]["totalCount"], 1, "{body}");
    let (_, body) = service.send_as(None, one, json!({ "id": decision })).await;
    assert_eq!(body["data"]["decision"]["status"], "ADOPTED", "{body}");

    // The public cannot read the register, the timeline or anyone's contributions.
    for query in [
        "{ register { checks { code } } }",
        "{ timeline { entries { eventType } } }",
        "{ myContributions { text } }",
    ] {
        let (_, body) = service.send_as(None, query, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
    }

    // The auditor reads the timeline in log order, a page at a time.
    let auditor = service
        .token(cpts_domain::access::Role::Auditor, None)
        .await;
    let timeline = "query($after: String) { timeline(first: 2, after: $after) { hasNextPage endCursor entries { position eventType actor } } }";
    let (_, body) = service.send_as(Some(&auditor), timeline, json!({})).await;
    let first = &body["data"]["timeline"];
    assert_eq!(
        first["entries"][0]["eventType"], "CommunityRegistered",
        "{body}"
    );
    assert_eq!(first["hasNextPage"], true);
    let (_, body) = service
        .send_as(
            Some(&auditor),
            timeline,
            json!({ "after": first["endCursor"] }),
        )
        .await;
    let second = &body["data"]["timeline"];
    assert_eq!(
        second["entries"][0]["position"].as_i64(),
        first["entries"][1]["position"].as_i64().map(|p| p + 1),
        "the next page starts right after: {body}"
    );
}

fn nested(depth: usize) -> String {
    // `decisions { edges { node { trail { consultations { id } } } } }` is 6 deep; pad with
    // repeated `__typename`-free nesting of the introspection type, which nests without limit.
    let mut query = String::from("name");
    for _ in 0..depth {
        query = format!("ofType {{ {query} }}");
    }
    format!("{{ __type(name: \"Decision\") {{ fields {{ type {{ {query} }} }} }} }}")
}

#[tokio::test]
async fn queries_too_deep_too_complex_or_too_large_are_refused_clearly() {
    let service = Service::start().await;
    cpts_with_board(&service).await;

    // Deep: refused before it runs, with a message that says why.
    let (status, body) = service.send(&nested(20), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INVALID_INPUT",
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("trop profonde"), "{body}");
    let english = body["errors"][0]["extensions"]["messageEn"]
        .as_str()
        .unwrap_or("");
    assert!(english.contains("nested too deep"), "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    // A reasonable depth passes.
    let (_, body) = service.send(&nested(3), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");

    // Complex: 100 decisions × their trails × every field, many times over, by aliases.
    let node = "node { id title text moment mission proposedOn status trail { entries { text disposition rationale authorName } counts { disposition count } } milestones { milestone } indicators { value } }";
    let aliases: Vec<String> = (0..5)
        .map(|i| format!("a{i}: decisions(first: 100) {{ edges {{ {node} }} }}"))
        .collect();
    let (_, body) = service
        .send(&format!("{{ {} }}", aliases.join(" ")), json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INVALID_INPUT",
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("trop complexe"), "{body}");
    // One such page is within bounds.
    let (_, body) = service
        .send(
            &format!("{{ decisions(first: 100) {{ edges {{ {node} }} }} }}"),
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");

    // Large: a body over 2 MiB is refused before it is parsed.
    let huge = format!(
        "{{ ledgerHead {{ position }} }} #{}",
        "x".repeat(3 * 1024 * 1024)
    );
    let (status, body) = service.send(&huge, json!({})).await;
    assert_eq!(status, 413);
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
}
