//! The `viewer` query over real HTTP: what a client learns about the caller and their CPTS, so
//! it can offer only the forms the caller's role may submit.

use cpts_domain::access::Role;
use cpts_ledger_tests::service::Service;
use serde_json::json;

const VIEWER: &str = "query($c: ID) { viewer(communityId: $c) { role communityId communityName memberId readsEverything colleges { id name isUsersCollege } bodies { id kind name } } }";

async fn cpts(service: &Service) -> String {
    let community = service.community.to_string();
    service
        .ok("mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId } }",
            json!({ "input": { "name": "CPTS du bassin de Thau", "territory": [{ "insee": "34301", "name": "Sète" }] } }))
        .await;
    service
        .ok("mutation($input: DefineCollegeInput!) { defineCollege(input: $input) { aggregateId } }",
            json!({ "input": { "communityId": community, "name": "Collège des usagers", "isUsersCollege": true } }))
        .await;
    service
        .ok("mutation($input: EstablishBodyInput!) { establishBody(input: $input) { aggregateId } }",
            json!({ "input": { "communityId": community, "kind": "BOARD", "name": "Conseil d'administration" } }))
        .await;
    community
}

#[tokio::test]
async fn the_coordinator_learns_their_role_cpts_colleges_and_bodies() {
    let service = Service::start().await;
    let community = cpts(&service).await;
    let viewer = &service.ok(VIEWER, json!({})).await["viewer"];
    assert_eq!(viewer["role"], "coordinator");
    assert_eq!(viewer["communityId"], community);
    assert_eq!(viewer["communityName"], "CPTS du bassin de Thau");
    assert_eq!(viewer["memberId"], serde_json::Value::Null);
    assert_eq!(viewer["readsEverything"], true);
    assert_eq!(viewer["colleges"][0]["name"], "Collège des usagers");
    assert_eq!(viewer["colleges"][0]["isUsersCollege"], true);
    assert_eq!(viewer["bodies"][0]["kind"], "board");
    assert_eq!(viewer["bodies"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_representative_learns_they_are_a_member_who_does_not_read_everything() {
    let service = Service::start().await;
    let community = cpts(&service).await;
    // A member's token names a member of the CPTS.
    let admitted = service
        .ok(
            "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { aggregateId } }",
            json!({ "input": { "communityId": community, "name": "Martine Roussel",
                "kind": "ASSOCIATION_REPRESENTATIVE", "admittedOn": "2026-01-20" } }),
        )
        .await;
    let member = admitted["admitMember"]["aggregateId"]
        .as_str()
        .expect("the member's id")
        .to_owned();
    let token = service.token(Role::Representative, Some(&member)).await;
    let (status, body) = service.send_as(Some(&token), VIEWER, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["role"], "representative");
    assert_eq!(viewer["memberId"], member);
    assert_eq!(viewer["readsEverything"], false);
}

#[tokio::test]
async fn without_a_token_the_cpts_must_be_named_and_only_public_facts_come_back() {
    let service = Service::start().await;
    let community = cpts(&service).await;
    let (_, body) = service
        .send_as(None, VIEWER, json!({ "c": community }))
        .await;
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["role"], "public", "{body}");
    assert_eq!(viewer["communityName"], "CPTS du bassin de Thau");
    assert_eq!(viewer["readsEverything"], false);

    let (_, body) = service.send_as(None, VIEWER, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INVALID_INPUT",
        "{body}"
    );
}

#[tokio::test]
async fn a_token_naming_another_cpts_finds_nothing() {
    let service = Service::start().await;
    cpts(&service).await;
    let other = uuid::Uuid::new_v4().to_string();
    let (_, body) = service.send(VIEWER, json!({ "c": other })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );
}
