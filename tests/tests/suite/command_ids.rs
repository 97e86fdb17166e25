//! Command ids over real HTTP: a command sent again by the same sender with the same content
//! gets its first answer; the same id from anyone else, with other content, for another
//! record or from another CPTS is a `CONFLICT` that writes nothing; a create sent again with
//! the same record id is answered as the first one was, with or without a command id.

use cpts_domain::access::Role;
use cpts_domain::ids::CommunityId;
use cpts_ledger::tokens;
use cpts_ledger_tests::service::Service;
use serde_json::{json, Value};

const REGISTER: &str = "mutation($input: RegisterCommunityInput!, $commandId: ID) { \
    registerCommunity(input: $input, commandId: $commandId) { aggregateId events { position eventType metadata hash } } }";
const ADMIT: &str = "mutation($input: AdmitMemberInput!, $commandId: ID) { \
    admitMember(input: $input, commandId: $commandId) { aggregateId events { position eventType metadata hash } } }";
const BODY: &str = "mutation($input: EstablishBodyInput!, $commandId: ID) { \
    establishBody(input: $input, commandId: $commandId) { aggregateId events { position eventType metadata hash } } }";

fn register(name: &str) -> Value {
    json!({ "name": name, "territory": [{ "insee": "34301", "name": "Sète" }] })
}

fn admit(community: &CommunityId, id: &str, name: &str) -> Value {
    json!({ "id": id, "communityId": community.to_string(), "name": name,
        "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" })
}

/// Sends a mutation that must succeed and returns its result.
async fn ok(service: &Service, token: &str, query: &str, variables: Value) -> Value {
    let (status, body) = service.send_as(Some(token), query, variables).await;
    assert!(status == 200 && body.get("errors").is_none(), "{body}");
    let data = body["data"].as_object().expect("data").clone();
    data.into_iter().next().expect("one field").1
}

/// Sends a mutation that must be refused with `CONFLICT`, with no events and no change to the
/// log's head.
async fn conflict(service: &Service, token: &str, query: &str, variables: Value) {
    let before = service.head().await;
    let (_, body) = service.send_as(Some(token), query, variables).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{body}"
    );
    assert!(body["data"].is_null(), "no events answered: {body}");
    assert_eq!(service.head().await, before, "nothing was written");
}

#[tokio::test]
async fn a_repeated_command_id_is_answered_only_to_its_sender_with_the_same_command() {
    let service = Service::start().await;
    let coordinator = service.coordinator.clone();
    let command_id = uuid::Uuid::new_v4().to_string();
    let first = ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;
    assert_eq!(first["events"].as_array().map(Vec::len), Some(1));
    let head = service.head().await;

    // The same sender, the same command: the first answer, nothing written.
    let again = ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;
    assert_eq!(again, first);
    assert_eq!(service.head().await, head);

    // The same id with other content.
    conflict(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS des Étangs"), "commandId": command_id }),
    )
    .await;

    // The same id and content from another coordinator of the same CPTS.
    let colleague = service.token(Role::Coordinator, None).await;
    conflict(
        &service,
        &colleague,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;

    // The same id for a command to another record.
    let body = json!({ "communityId": service.community.to_string(), "bodyId": uuid::Uuid::new_v4().to_string(),
        "kind": "BOARD", "name": "Conseil d'administration" });
    conflict(
        &service,
        &coordinator,
        BODY,
        json!({ "input": body, "commandId": command_id }),
    )
    .await;

    // The same id from another CPTS, for its own registration: no event of the first CPTS
    // is answered.
    let other = CommunityId(uuid::Uuid::new_v4());
    let stranger = tokens::create(&service.repo, other, Role::Coordinator, None, "other")
        .await
        .expect("token")
        .secret;
    conflict(
        &service,
        &stranger,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;

    // The first sender still gets the first answer.
    let still = ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;
    assert_eq!(still, first);
}

#[tokio::test]
async fn a_create_sent_again_without_command_id_gets_its_first_answer() {
    let service = Service::start().await;
    let coordinator = service.coordinator.clone();
    ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang") }),
    )
    .await;
    let member = uuid::Uuid::new_v4().to_string();
    let input = admit(&service.community, &member, "Martine Roussel");
    let first = ok(&service, &coordinator, ADMIT, json!({ "input": input })).await;
    let head = service.head().await;

    let again = ok(&service, &coordinator, ADMIT, json!({ "input": input })).await;
    assert_eq!(again, first, "the first answer, under the first command id");
    assert_eq!(service.head().await, head, "recorded once");

    // With a command id of its own, too.
    let again = ok(
        &service,
        &coordinator,
        ADMIT,
        json!({ "input": input, "commandId": uuid::Uuid::new_v4().to_string() }),
    )
    .await;
    assert_eq!(again, first);

    // Other content for the same record, or the same content from someone else, is refused.
    conflict(
        &service,
        &coordinator,
        ADMIT,
        json!({ "input": admit(&service.community, &member, "Martine Rousselle") }),
    )
    .await;
    let colleague = service.token(Role::Coordinator, None).await;
    conflict(&service, &colleague, ADMIT, json!({ "input": input })).await;
}

#[tokio::test]
async fn sixteen_concurrent_retries_of_one_create_without_command_id_record_it_once() {
    let service = Service::start().await;
    assert_eq!(service.repo.backend_name(), "postgres");
    let coordinator = service.coordinator.clone();
    ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang") }),
    )
    .await;
    let before = service.head().await;
    let member = uuid::Uuid::new_v4().to_string();
    let input = admit(&service.community, &member, "Martine Roussel");
    let answers = futures_util::future::join_all((0..16).map(|_| {
        let variables = json!({ "input": input });
        let coordinator = coordinator.clone();
        let service = &service;
        async move { ok(service, &coordinator, ADMIT, variables).await }
    }))
    .await;

    let first = &answers[0];
    let events = first["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{first}");
    assert_eq!(events[0]["eventType"], "MemberAdmitted");
    for answer in &answers {
        assert_eq!(answer, first, "every retry gets the same answer");
    }
    assert_eq!(service.head().await, before + 1, "recorded once");
}

#[tokio::test]
async fn no_text_of_a_command_is_kept_beside_its_id() {
    let service = Service::start().await;
    let coordinator = service.coordinator.clone();
    ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang") }),
    )
    .await;
    let member = uuid::Uuid::new_v4().to_string();
    let first = ok(
        &service,
        &coordinator,
        ADMIT,
        json!({ "input": admit(&service.community, &member, "Martine Roussel") }),
    )
    .await;
    let pool = service.repo.pg_pool().expect("PostgreSQL");
    let rows: Vec<String> = sqlx::query_scalar("SELECT row_to_json(c)::text FROM commands c")
        .fetch_all(pool)
        .await
        .expect("commands read");
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(!row.contains("Roussel"), "{row}");
        assert!(row.contains("\"command_hash\":\""), "a digest: {row}");
    }
    // The digest stays out of the log itself.
    let metadata = first["events"][0]["metadata"]
        .as_object()
        .expect("metadata");
    assert!(!metadata.contains_key("command_hash"), "{metadata:?}");
}

#[tokio::test]
async fn a_command_recorded_before_digests_were_kept_is_answered_only_to_its_actor() {
    let service = Service::start().await;
    let coordinator = service.coordinator.clone();
    let command_id = uuid::Uuid::new_v4().to_string();
    let first = ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;
    // As the migration leaves the commands recorded before it.
    sqlx::query("UPDATE commands SET actor = NULL, command_hash = NULL")
        .execute(service.repo.pg_pool().expect("PostgreSQL"))
        .await
        .expect("commands updated");

    let again = ok(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;
    assert_eq!(
        again, first,
        "the actor named in its events gets its answer"
    );
    let colleague = service.token(Role::Coordinator, None).await;
    conflict(
        &service,
        &colleague,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang"), "commandId": command_id }),
    )
    .await;
    // Without a digest, a create sent again under a new id cannot be recognised: refused.
    conflict(
        &service,
        &coordinator,
        REGISTER,
        json!({ "input": register("CPTS du Val de l'Étang") }),
    )
    .await;
}
