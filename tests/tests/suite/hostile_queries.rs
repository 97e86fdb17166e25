//! Queries shaped to freeze or exhaust the service, sent to the real service over PostgreSQL:
//! every one is refused with a code before it costs anything, the health check keeps answering
//! meanwhile, costly fields are priced by the caller's role, and the time and concurrency
//! limits answer `503` / `429` with `Retry-After`. The shape guard holds over WebSocket too.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cpts_domain::access::Role;
use cpts_graphql::limits::{PUBLIC_COMPLEXITY, TRAIL_COMPLEXITY};
use cpts_graphql::load::LoadLimits;
use cpts_ledger_tests::service::Service;
use serde_json::{json, Value};

const REGISTER: &str = "mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId } }";
const COLLEGE: &str =
    "mutation($input: DefineCollegeInput!) { defineCollege(input: $input) { aggregateId } }";
const BODY: &str =
    "mutation($input: EstablishBodyInput!) { establishBody(input: $input) { aggregateId } }";
const ADMIT: &str =
    "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { aggregateId } }";
const PROPOSE: &str =
    "mutation($input: ProposeDecisionInput!) { proposeDecision(input: $input) { aggregateId } }";
const VOTE: &str =
    "mutation($input: RecordVoteInput!) { recordVote(input: $input) { aggregateId } }";

/// The service's CPTS with a board, a representative and one adopted (so public) decision.
struct Fixture {
    community: String,
    representative: String,
    decision: String,
}

async fn fixture(service: &Service) -> Fixture {
    let data = service
        .ok(REGISTER, json!({ "input": { "name": "CPTS du Val de l'Étang", "territory": [{ "insee": "34301", "name": "Sète" }] } }))
        .await;
    let community = data["registerCommunity"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    let college = uuid::Uuid::new_v4().to_string();
    service
        .ok(COLLEGE, json!({ "input": { "communityId": community, "collegeId": college, "name": "Collège des usagers", "isUsersCollege": true } }))
        .await;
    let board = uuid::Uuid::new_v4().to_string();
    service
        .ok(BODY, json!({ "input": { "communityId": community, "bodyId": board, "kind": "BOARD", "name": "Conseil d'administration" } }))
        .await;
    let data = service
        .ok(ADMIT, json!({ "input": { "communityId": community, "name": "Martine Roussel", "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" } }))
        .await;
    let member = data["admitMember"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    let data = service
        .ok(PROPOSE, json!({ "input": { "communityId": community, "bodyId": board, "title": "Périmètre de la CPTS",
            "text": "La CPTS couvre les communes listées.", "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "proposedOn": "2026-03-20" } }))
        .await;
    let decision = data["proposeDecision"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    service
        .ok(VOTE, json!({ "input": { "decisionId": decision, "on": "2026-04-02", "outcome": "ADOPTED",
            "colleges": [{ "collegeId": college, "votesFor": 1, "votesAgainst": 0, "abstentions": 0 }] } }))
        .await;
    let representative = service.token(Role::Representative, Some(&member)).await;
    Fixture {
        community,
        representative,
        decision,
    }
}

/// `levels` fragments, each spreading the next `fan` times: `fan^levels` fields once inlined.
fn nested_fragments(levels: usize, fan: usize) -> String {
    let mut query = String::from("query { ...F0 }\n");
    for level in 0..levels {
        let spreads = vec![format!("...F{}", level + 1); fan].join(" ");
        query.push_str(&format!("fragment F{level} on Query {{ {spreads} }}\n"));
    }
    query.push_str(&format!(
        "fragment F{levels} on Query {{ rungs {{ label promise }} }}\n"
    ));
    query
}

fn repeated(count: usize, item: impl Fn(usize) -> String) -> String {
    (0..count).map(item).collect::<Vec<_>>().join(" ")
}

/// Every hostile shape the guard must refuse, with what it is.
fn hostile_queries() -> Vec<(String, String)> {
    let mut queries = Vec::new();
    // The freezing query: about 1.4 KB of nested spreads, and variants of it.
    for (levels, fan) in [(7, 6), (5, 9), (12, 3), (30, 2), (4, 40)] {
        queries.push((
            format!("nested fragments {levels}×{fan}"),
            nested_fragments(levels, fan),
        ));
    }
    queries.push((
        "a fragment cycle".into(),
        "{ ...A } fragment A on Query { rungs { label } ...B } fragment B on Query { ...A }".into(),
    ));
    queries.push((
        "a thousand aliases".into(),
        format!(
            "{{ {} }}",
            repeated(1_000, |i| format!("a{i}: rungs {{ label }}"))
        ),
    ));
    queries.push((
        "a thousand reports".into(),
        format!(
            "{{ {} }}",
            repeated(1_000, |i| format!("r{i}: report(asOf: \"2026-12-31\")"))
        ),
    ));
    queries.push((
        "a report and a verification".into(),
        "{ report(asOf: \"2026-12-31\") verifyLedger { intact } }".into(),
    ));
    queries.push((
        "directives on every field".into(),
        format!(
            "{{ rungs {{ {} }} }}",
            repeated(100, |i| format!(
                "l{i}: label @include(if: true) @skip(if: false)"
            ))
        ),
    ));
    queries.push((
        "a long list".into(),
        format!(
            "{{ viewer(communityId: [{}]) {{ role }} }}",
            repeated(150, |i| format!("\"{i}\""))
        ),
    ));
    queries.push((
        "deep nesting".into(),
        format!(
            "{{ __type(name: \"Decision\") {{ fields {{ type {{ {}name{} }} }} }} }}",
            "ofType { ".repeat(200),
            " }".repeat(200)
        ),
    ));
    queries.push((
        "deeply nested values".into(),
        format!(
            "{{ viewer(communityId: {}1{}) {{ role }} }}",
            "[".repeat(500),
            "]".repeat(500)
        ),
    ));
    queries.push((
        "a huge argument list".into(),
        format!(
            "{{ rungs({}) {{ label }} }}",
            repeated(500, |i| format!("a{i}: FR"))
        ),
    ));
    queries.push((
        "many operations".into(),
        repeated(200, |i| format!("query Q{i} {{ rungs {{ label }} }}")),
    ));
    queries.push((
        "many tokens".into(),
        format!("{{ rungs {{ {} }} }}", "label ".repeat(2_500)),
    ));
    queries.push((
        "a long text".into(),
        format!("{{ rungs {{ label }} }} #{}", "x".repeat(100_000)),
    ));
    queries
}

async fn healthz_within_a_second(http: &reqwest::Client, url: &str) {
    let started = Instant::now();
    let response = tokio::time::timeout(Duration::from_secs(1), http.get(url).send())
        .await
        .unwrap_or_else(|_| panic!("/healthz did not answer within a second"))
        .expect("health check sent");
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "/healthz took {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_shapes_are_refused_while_the_health_check_answers() {
    let service = Arc::new(Service::start().await);
    let auditor = service.token(Role::Auditor, None).await;
    let healthz = service.url.replace("/graphql", "/healthz");
    let queries = Arc::new(hostile_queries());
    let rounds = 3;

    // Four senders at once (within one caller's limit), each sending every shape in turn.
    let mut senders = Vec::new();
    for sender in 0..4 {
        let (service, queries, auditor) = (service.clone(), queries.clone(), auditor.clone());
        senders.push(tokio::spawn(async move {
            let mut refused = 0;
            for _ in 0..rounds {
                for (what, query) in queries.iter() {
                    let token = match sender {
                        0 => None,
                        1 => Some(auditor.as_str()),
                        _ => Some(service.coordinator.as_str()),
                    };
                    let (status, body) = service.send_as(token, query, json!({})).await;
                    assert_eq!(status, 200, "{what}: {body}");
                    let error = &body["errors"][0];
                    assert_eq!(
                        error["extensions"]["code"], "QUERY_LIMIT",
                        "{what} is refused by its shape: {body}"
                    );
                    assert!(
                        !error["message"].as_str().unwrap_or("").is_empty()
                            && !error["extensions"]["messageEn"]
                                .as_str()
                                .unwrap_or("")
                                .is_empty(),
                        "{what}: {body}"
                    );
                    assert!(
                        body.get("data").is_none_or(Value::is_null),
                        "{what} served nothing: {body}"
                    );
                    refused += 1;
                }
            }
            refused
        }));
    }

    let http = reqwest::Client::new();
    let mut polls = 0;
    while senders.iter().any(|s| !s.is_finished()) && polls < 600 {
        healthz_within_a_second(&http, &healthz).await;
        polls += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut refused = 0;
    for sender in senders {
        refused += sender.await.expect("the sender finished");
    }
    assert_eq!(
        refused,
        4 * rounds * queries.len(),
        "every query was refused"
    );
    assert!(
        polls >= 1,
        "the health check was polled while they were sent"
    );
    healthz_within_a_second(&http, &healthz).await;

    // The clients' queries still pass, the introspection of GraphiQL among them.
    let data = service
        .ok("{ ledgerHead { position } rungs { label } }", json!({}))
        .await;
    assert!(data["rungs"].as_array().is_some_and(|r| !r.is_empty()));
    let data = service
        .ok(cpts_graphql::shape::INTROSPECTION, json!({}))
        .await;
    assert!(data["__schema"]["types"]
        .as_array()
        .is_some_and(|t| t.len() > 50));
}

#[tokio::test]
async fn a_thousand_reports_are_refused_before_any_work() {
    let service = Service::start().await;
    fixture(&service).await;
    let auditor = service.token(Role::Auditor, None).await;
    let thousand = format!(
        "{{ {} }}",
        repeated(1_000, |i| format!("r{i}: report(asOf: \"2026-12-31\")"))
    );
    let (status, body) = service.send_as(Some(&auditor), &thousand, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "QUERY_LIMIT",
        "{body}"
    );
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    // Fewer, within every other limit, are refused for what they are, whatever their aliases
    // or fragments.
    for query in [
        format!(
            "{{ {} }}",
            repeated(20, |i| format!("r{i}: report(asOf: \"2026-12-31\")"))
        ),
        "{ a: report(asOf: \"2026-12-31\") ...V } fragment V on Query { verifyLedger { intact } }"
            .to_owned(),
        "{ ...R ...R } fragment R on Query { report(asOf: \"2026-12-31\") }".to_owned(),
    ] {
        let (_, body) = service.send_as(Some(&auditor), &query, json!({})).await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "QUERY_LIMIT", "{body}");
        assert!(
            error["message"].as_str().unwrap_or("").contains("`report`"),
            "the refusal names the field: {body}"
        );
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }
    // One is served.
    let (_, body) = service
        .send_as(
            Some(&auditor),
            "{ report(asOf: \"2026-11-30\") }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["report"]
        .as_str()
        .is_some_and(|r| r.contains("CPTS du Val de l'Étang")));
}

/// `count` reads of the decision's trail, each at its own date, so that no cache serves two.
fn trails(decision: &str, count: usize) -> String {
    let reads = repeated(count, |i| {
        format!(
            "t{i}: decision(id: \"{decision}\", asOf: \"2026-05-{:02}\") {{ trail {{ shareRetained }} }}",
            i + 1
        )
    });
    format!("{{ {reads} }}")
}

#[tokio::test]
async fn a_representative_or_the_public_cannot_ask_for_more_than_a_few_trails() {
    let service = Service::start().await;
    let f = fixture(&service).await;
    // A read of a trail costs the decision, the trail and at least one of its fields.
    let bound = PUBLIC_COMPLEXITY / (TRAIL_COMPLEXITY + 2);
    assert!(bound <= 20, "at most {bound} trails per request");

    for (who, token) in [
        ("public", None),
        ("representative", Some(f.representative.as_str())),
    ] {
        // One trail is served, all of it.
        let one = format!(
            "{{ decision(id: \"{}\") {{ title trail {{ shareRetained counts {{ disposition count }} \
             consultations {{ id subject }} entries {{ text disposition rationale }} }} \
             milestones {{ milestone }} indicators {{ value }} }} }}",
            f.decision
        );
        let (_, body) = service.send_as(token, &one, json!({})).await;
        assert!(body.get("errors").is_none(), "{who}: {body}");
        assert_eq!(body["data"]["decision"]["title"], "Périmètre de la CPTS");

        // As many as the bound allows are served; one more read of a trail is refused.
        let (_, body) = service
            .send_as(token, &trails(&f.decision, bound), json!({}))
            .await;
        assert!(
            body.get("errors").is_none(),
            "{who}, {bound} trails: {body}"
        );
        let (_, body) = service
            .send_as(token, &trails(&f.decision, bound + 1), json!({}))
            .await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "QUERY_LIMIT", "{who}: {body}");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or("")
                .contains("trop complexe"),
            "{who}: {body}"
        );
        assert!(body.get("data").is_none_or(Value::is_null), "{who}: {body}");

        // A page of a hundred decisions with their trails is as many trails.
        let page = format!(
            "{{ decisions(communityId: \"{}\", first: 100) {{ edges {{ node {{ title trail {{ shareRetained }} }} }} }} }}",
            f.community
        );
        let (_, body) = service.send_as(token, &page, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "QUERY_LIMIT",
            "{who}: {body}"
        );
        // The dashboard's public page (ten decisions) is served.
        let dashboard = format!(
            "{{ decisions(communityId: \"{}\", first: 10) {{ totalCount edges {{ node {{ id title status bodyName moment mission proposedOn votedOn trail {{ shareRetained }} }} }} }} }}",
            f.community
        );
        let (_, body) = service.send_as(token, &dashboard, json!({})).await;
        assert!(body.get("errors").is_none(), "{who}: {body}");
        assert_eq!(body["data"]["decisions"]["totalCount"], 1, "{who}: {body}");
    }

    // Staff read the whole CPTS: their budget is the schema's.
    let (_, body) = service
        .send(&trails(&f.decision, bound + 1), json!({}))
        .await;
    assert!(body.get("errors").is_none(), "coordinator: {body}");
}

/// A request that waits on a table the test holds locked, as a slow one would.
const SLOW: &str = "{ members { name } }";

async fn post(service: &Service, token: Option<&str>, query: &str) -> reqwest::Response {
    let mut request = service
        .http
        .post(&service.url)
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent")
}

async fn code_of(response: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        status,
        retry_after,
        response.json().await.expect("a JSON body"),
    )
}

/// Waits until `count` requests of the service wait on the test's lock.
async fn until_waiting(pool: &sqlx::PgPool, count: i64) {
    for _ in 0..250 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .expect("the activity read");
        if waiting >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{count} requests never reached the locked table");
}

/// A second request of a caller whose first one is in progress: refused (`429`).
async fn second_request(service: &Service, token: Option<&str>) -> (Option<String>, Value) {
    let (status, retry_after, body) =
        code_of(post(service, token, "{ rungs { label } }").await).await;
    assert_eq!(status, 429, "{body}");
    (retry_after, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_requests_meet_their_time_limit_and_the_load_beyond_the_limits_is_shed() {
    let service = Arc::new(
        Service::start_with_limits(LoadLimits {
            timeout: Duration::from_secs(3),
            max_concurrent: 2,
            max_concurrent_per_caller: 1,
        })
        .await,
    );
    let auditor = service.token(Role::Auditor, None).await;
    let healthz = service.url.replace("/graphql", "/healthz");
    let pool = service.repo.pg_pool().expect("PostgreSQL").clone();
    let mut lock = pool.begin().await.expect("a transaction");
    sqlx::query("LOCK TABLE proj_members IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .expect("the members' table locked");

    // The coordinator's slow request holds their one slot: a second one is refused, 429.
    let first = {
        let service = service.clone();
        tokio::spawn(async move {
            let token = service.coordinator.clone();
            code_of(post(&service, Some(&token), SLOW).await).await
        })
    };
    until_waiting(&pool, 1).await;
    let (retry_after, body) = second_request(&service, Some(&service.coordinator)).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "TOO_MANY_REQUESTS",
        "{body}"
    );
    assert!(!body["errors"][0]["extensions"]["messageEn"]
        .as_str()
        .unwrap_or("")
        .is_empty());
    assert_eq!(retry_after.as_deref(), Some("1"));

    // The auditor's takes the last slot of the service: anyone else is refused, 503.
    let second = {
        let (service, auditor) = (service.clone(), auditor.clone());
        tokio::spawn(async move { code_of(post(&service, Some(&auditor), SLOW).await).await })
    };
    until_waiting(&pool, 2).await;
    second_request(&service, Some(&auditor)).await;
    let (status, retry_after, body) =
        code_of(post(&service, None, "{ rungs { label } }").await).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "OVERLOADED",
        "{body}"
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("réessayez"));
    assert_eq!(retry_after.as_deref(), Some("1"));

    // The health check is outside these limits.
    healthz_within_a_second(&service.http, &healthz).await;

    // Both slow requests are abandoned at the time limit, with a clear answer.
    for slow in [first, second] {
        let (status, _, body) = slow.await.expect("the request finished");
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("3 s"),
            "{body}"
        );
    }
    lock.rollback().await.expect("the lock released");

    // Their slots are free again.
    let data = service.ok(SLOW, json!({})).await;
    assert!(data["members"].is_array());
    let (_, body) = service.send_as(Some(&auditor), SLOW, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_json(socket: &mut Socket) -> Value {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a message");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON");
        }
    }
}

#[tokio::test]
async fn the_shape_guard_refuses_over_websocket_too() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let service = Service::start().await;
    let url = service.url.replace("http://", "ws://") + "/ws";
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connected");
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", service.coordinator) } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("sent");
    let ack = next_json(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");

    let hostile = nested_fragments(5, 9).replace("on Query", "on Subscription");
    let hostile = hostile.replace("query {", "subscription {");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": hostile } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("sent");
    let message = next_json(&mut socket).await;
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"]["data"].is_null(), "{message}");
    let error = &message["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "QUERY_LIMIT", "{message}");
    assert!(!error["extensions"]["messageEn"]
        .as_str()
        .unwrap_or("")
        .is_empty());
}
