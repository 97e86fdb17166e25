//! Who may do what, over real HTTP: each role's allowed and forbidden operations, CPTS kept
//! apart whatever ids a caller sends, tokens that are unknown or revoked, and live events over
//! WebSocket.

use std::time::Duration;

use cpts_domain::access::Role;
use cpts_domain::ids::CommunityId;
use cpts_ledger::tokens;
use cpts_ledger_tests::service::Service;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const REGISTER: &str = "mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId } }";
const BODY: &str =
    "mutation($input: EstablishBodyInput!) { establishBody(input: $input) { aggregateId } }";
const ADMIT: &str =
    "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { aggregateId } }";
const OPEN: &str =
    "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }";
const SUBMIT: &str = "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }";
const PROPOSE: &str =
    "mutation($input: ProposeDecisionInput!) { proposeDecision(input: $input) { aggregateId } }";
const LINK: &str =
    "mutation($input: LinkConsultationInput!) { linkConsultation(input: $input) { aggregateId } }";
const DRAFT: &str =
    "mutation($input: DraftAnswerInput!) { draftAnswer(input: $input) { aggregateId } }";
const DECISION: &str = "query($id: ID!) { decision(id: $id) { title } }";
const DECISIONS_OF: &str =
    "query($c: ID) { decisions(communityId: $c, first: 10) { edges { node { title } } } }";
const EVENTS: &str =
    "query($id: ID!) { events(aggregateType: CONSULTATION, id: $id) { eventType } }";

/// One CPTS with a board, a representative, a board member, an open consultation with one
/// contribution, and a decision drawing on it; and a token for each role.
struct Cpts {
    coordinator: String,
    board_member: String,
    representative: String,
    auditor: String,
    representative_id: String,
    community: String,
    consultation: String,
    contribution: String,
    decision: String,
}

fn id(data: &Value, field: &str) -> String {
    data[field]["aggregateId"]
        .as_str()
        .expect("an id")
        .to_owned()
}

async fn cpts(service: &Service, coordinator: String, community: CommunityId) -> Cpts {
    let ok = |query: &'static str, input: Value| {
        let coordinator = coordinator.clone();
        async move {
            let (status, body) = service
                .send_as(Some(&coordinator), query, json!({ "input": input }))
                .await;
            assert!(status == 200 && body.get("errors").is_none(), "{body}");
            body["data"].clone()
        }
    };
    ok(REGISTER, json!({ "name": "CPTS du Val de l'Étang", "territory": [{ "insee": "34301", "name": "Sète" }] })).await;
    let community = community.to_string();
    let board = uuid::Uuid::new_v4().to_string();
    ok(BODY, json!({ "communityId": community, "bodyId": board, "kind": "BOARD", "name": "Conseil d'administration" })).await;
    let representative_id = id(
        &ok(ADMIT, json!({ "communityId": community, "name": "Martine Roussel", "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" })).await,
        "admitMember",
    );
    let board_member_id = id(
        &ok(ADMIT, json!({ "communityId": community, "name": "Dr Paul Mercier", "kind": "HEALTH_PROFESSIONAL", "profession": "médecin généraliste", "admittedOn": "2026-01-20" })).await,
        "admitMember",
    );
    let consultation = id(
        &ok(OPEN, json!({ "communityId": community, "subject": "Périmètre de la CPTS", "moment": "DIAGNOSIS",
            "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "membres et habitants",
            "method": "QUESTIONNAIRE", "opensOn": "2026-02-02", "closesOn": "2026-03-13", "answerWithinDays": 30 })).await,
        "openConsultation",
    );
    let contribution = uuid::Uuid::new_v4().to_string();
    ok(SUBMIT, json!({ "consultationId": consultation, "contributionId": contribution, "anonymousCommune": "Sète",
        "kind": "PROPOSAL", "text": "Une ligne unique pour les rendez-vous.", "submittedOn": "2026-02-10" })).await;
    let decision = id(
        &ok(PROPOSE, json!({ "communityId": community, "bodyId": board, "title": "Périmètre", "text": "Texte",
            "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "proposedOn": "2026-03-20" })).await,
        "proposeDecision",
    );
    ok(
        LINK,
        json!({ "decisionId": decision, "consultationId": consultation }),
    )
    .await;
    let token = |role: Role, member: Option<&str>| {
        let member = member.map(|m| cpts_domain::ids::MemberId(m.parse().expect("id")));
        let community: CommunityId = community.parse().expect("id");
        async move {
            tokens::create(&service.repo, community, role, member, "test")
                .await
                .expect("token")
                .secret
        }
    };
    Cpts {
        board_member: token(Role::BoardMember, Some(&board_member_id)).await,
        representative: token(Role::Representative, Some(&representative_id)).await,
        auditor: token(Role::Auditor, None).await,
        coordinator,
        representative_id,
        community,
        consultation,
        contribution,
        decision,
    }
}

async fn two_cpts() -> (Service, Cpts, Cpts) {
    let service = Service::start().await;
    let a = cpts(&service, service.coordinator.clone(), service.community).await;
    let other = CommunityId(uuid::Uuid::new_v4());
    let other_coordinator = tokens::create(&service.repo, other, Role::Coordinator, None, "other")
        .await
        .expect("token")
        .secret;
    let b = cpts(&service, other_coordinator, other).await;
    (service, a, b)
}

/// Sends a request that must fail with `code`, and checks that nothing was written.
async fn refused(
    service: &Service,
    token: Option<&str>,
    query: &str,
    variables: Value,
    code: &str,
) {
    let before = service.head().await;
    let (_, body) = service.send_as(token, query, variables).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    assert!(
        body["errors"][0]["extensions"]["messageEn"].is_string(),
        "{body}"
    );
    assert_eq!(service.head().await, before, "nothing was written");
}

async fn allowed(service: &Service, token: Option<&str>, query: &str, variables: Value) -> Value {
    let (status, body) = service.send_as(token, query, variables).await;
    assert!(status == 200 && body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn draft(cpts: &Cpts) -> Value {
    json!({ "input": { "decisionId": cpts.decision, "consultationId": cpts.consultation,
        "contributionId": cpts.contribution, "disposition": "RETAINED", "on": "2026-04-01" } })
}

fn open_input(cpts: &Cpts) -> Value {
    json!({ "input": { "communityId": cpts.community, "subject": "Atelier prévention", "moment": "PRIORITISATION",
        "mission": "PREVENTION", "rung": "INVOLVE", "audience": "représentants", "method": "WORKSHOP",
        "opensOn": "2026-05-11", "closesOn": "2026-06-05", "answerWithinDays": 45 } })
}

fn submit_as(cpts: &Cpts, member: &str) -> Value {
    json!({ "input": { "consultationId": cpts.consultation, "memberId": member, "kind": "OPINION",
        "text": "Montbazin doit rester dans le périmètre.", "submittedOn": "2026-02-12" } })
}

#[tokio::test]
async fn each_role_does_what_it_may_and_nothing_more() {
    let (service, a, _) = two_cpts().await;

    // Coordinator: every command of their CPTS.
    allowed(&service, Some(&a.coordinator), OPEN, open_input(&a)).await;

    // Board member: records answers, does not open consultations.
    allowed(&service, Some(&a.board_member), DRAFT, draft(&a)).await;
    refused(
        &service,
        Some(&a.board_member),
        OPEN,
        open_input(&a),
        "FORBIDDEN",
    )
    .await;

    // Representative: contributes in their own name only.
    allowed(
        &service,
        Some(&a.representative),
        SUBMIT,
        submit_as(&a, &a.representative_id),
    )
    .await;
    let someone_else = uuid::Uuid::new_v4().to_string();
    refused(
        &service,
        Some(&a.representative),
        SUBMIT,
        submit_as(&a, &someone_else),
        "FORBIDDEN",
    )
    .await;
    refused(
        &service,
        Some(&a.representative),
        DRAFT,
        draft(&a),
        "FORBIDDEN",
    )
    .await;

    // Auditor: reads the record, writes nothing.
    let data = allowed(
        &service,
        Some(&a.auditor),
        EVENTS,
        json!({ "id": a.consultation }),
    )
    .await;
    assert_eq!(data["events"][0]["eventType"], "ConsultationOpened");
    refused(&service, Some(&a.auditor), DRAFT, draft(&a), "FORBIDDEN").await;

    // Representatives do not read the raw log.
    refused(
        &service,
        Some(&a.representative),
        EVENTS,
        json!({ "id": a.consultation }),
        "FORBIDDEN",
    )
    .await;

    // No token: writes nothing, reads no raw event.
    refused(
        &service,
        None,
        SUBMIT,
        submit_as(&a, &a.representative_id),
        "UNAUTHENTICATED",
    )
    .await;
    refused(
        &service,
        None,
        EVENTS,
        json!({ "id": a.consultation }),
        "UNAUTHENTICATED",
    )
    .await;
}

#[tokio::test]
async fn no_token_reaches_another_cpts_whatever_ids_it_sends() {
    let (service, a, b) = two_cpts().await;
    for token in [
        &a.coordinator,
        &a.board_member,
        &a.representative,
        &a.auditor,
    ] {
        // Reading B's record, writing into it, creating a record in B by naming B's id: each
        // refused, nothing written, and nothing of B in the answer.
        for (query, variables) in [
            (EVENTS, json!({ "id": b.consultation })),
            (DECISION, json!({ "id": b.decision })),
            (DECISIONS_OF, json!({ "c": b.community })),
            (DRAFT, draft(&b)),
            (SUBMIT, submit_as(&b, &a.representative_id)),
            (OPEN, open_input(&b)),
        ] {
            let before = service.head().await;
            let (_, body) = service.send_as(Some(token), query, variables).await;
            let code = &body["errors"][0]["extensions"]["code"];
            assert!(code == "NOT_FOUND" || code == "FORBIDDEN", "{body}");
            assert!(body["data"].is_null(), "no data of the other CPTS: {body}");
            assert_eq!(service.head().await, before, "nothing was written");
        }
    }
    // B's own coordinator still works on B.
    allowed(&service, Some(&b.coordinator), DRAFT, draft(&b)).await;
}

#[tokio::test]
async fn unknown_and_revoked_tokens_are_refused() {
    let service = Service::start().await;
    let (status, body) = service
        .send_as(
            Some("cpts_not-a-token"),
            "{ ledgerHead { position } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let auditor = tokens::create(
        &service.repo,
        service.community,
        Role::Auditor,
        None,
        "audit",
    )
    .await
    .expect("token");
    allowed(
        &service,
        Some(&auditor.secret),
        "{ ledgerHead { position } }",
        json!({}),
    )
    .await;
    assert!(tokens::revoke(&service.repo, auditor.token_id)
        .await
        .expect("revoked"));
    let (status, body) = service
        .send_as(
            Some(&auditor.secret),
            "{ ledgerHead { position } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        !tokens::revoke(&service.repo, auditor.token_id)
            .await
            .expect("answered"),
        "revoking twice says so"
    );

    // Only the hash is stored: the secret appears nowhere in the table.
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_hash FROM api_tokens")
        .fetch_all(service.repo.pg_pool().expect("postgres"))
        .await
        .expect("rows");
    assert!(stored.iter().all(|h| !h.contains(&auditor.secret[5..])));
}

/// Opens a subscription to the CPTS's events and returns the socket after the server acked it.
async fn subscribe(
    service: &Service,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = service.url.replace("http://", "ws://") + "/ws";
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connected");
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("sent");
    let ack = next_json(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let subscribe = json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "subscription { events { eventType aggregateId metadata } }" } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("sent");
    socket
}

async fn next_json(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Value {
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
async fn a_subscriber_sees_events_another_client_records_and_only_its_own_cpts() {
    let (service, a, b) = two_cpts().await;
    let mut socket = subscribe(&service, &a.auditor).await;
    // Give the server a moment to register the subscription before recording.
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Another client records in B, then in A.
    allowed(&service, Some(&b.coordinator), DRAFT, draft(&b)).await;
    allowed(&service, Some(&a.board_member), DRAFT, draft(&a)).await;

    let message = next_json(&mut socket).await;
    assert_eq!(message["type"], "next", "{message}");
    let event = &message["payload"]["data"]["events"];
    assert_eq!(event["eventType"], "AnswerDrafted");
    assert_eq!(
        event["aggregateId"], a.decision,
        "only A's events reach A's auditor"
    );
    assert_eq!(event["metadata"]["community_id"], a.community);

    // A representative may not subscribe to the whole CPTS's events.
    let mut socket = subscribe(&service, &a.representative).await;
    let message = next_json(&mut socket).await;
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{message}"
    );
    assert!(message["payload"]["data"].is_null(), "{message}");
}
