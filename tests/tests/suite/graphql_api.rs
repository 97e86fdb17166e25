//! The API as a client sees it: the real service over HTTP, on PostgreSQL.

use cpts_ledger_tests::service::Service;
use serde_json::{json, Value};

const REGISTER: &str = "mutation($input: RegisterCommunityInput!) { registerCommunity(input: $input) { aggregateId events { eventType } } }";
const COLLEGE: &str = "mutation($input: DefineCollegeInput!) { defineCollege(input: $input) { events { eventType } } }";
const BODY: &str = "mutation($input: EstablishBodyInput!) { establishBody(input: $input) { events { eventType } } }";
const ADMIT: &str =
    "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { aggregateId } }";
const OPEN: &str =
    "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }";
const SUBMIT: &str = "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { events { payload } } }";
const CLOSE: &str = "mutation($input: CloseConsultationInput!) { closeConsultation(input: $input) { events { eventType } } }";
const PROPOSE: &str =
    "mutation($input: ProposeDecisionInput!) { proposeDecision(input: $input) { aggregateId } }";
const LINK: &str = "mutation($input: LinkConsultationInput!) { linkConsultation(input: $input) { events { eventType } } }";
const DRAFT: &str =
    "mutation($input: DraftAnswerInput!) { draftAnswer(input: $input) { events { eventType } } }";
const PUBLISH: &str = "mutation($input: PublishAllAnswersInput!) { publishAllAnswers(input: $input) { events { eventType } } }";
const VOTE: &str =
    "mutation($input: RecordVoteInput!) { recordVote(input: $input) { events { eventType } } }";
const SEAT: &str = "mutation($input: SeatInCollegeInput!) { seatInCollege(input: $input) { events { eventType } } }";

struct Fixture {
    community: String,
    college: String,
    board: String,
    member: String,
    consultation: String,
}

/// A CPTS with a users' college, a board, a representative and an open consultation.
async fn fixture(service: &Service) -> Fixture {
    let data = service
        .ok(REGISTER, json!({ "input": { "name": "CPTS du Val de l'Étang", "territory": [{ "insee": "34301", "name": "Sète" }, { "insee": "34157", "name": "Mèze" }] } }))
        .await;
    let community = data["registerCommunity"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        data["registerCommunity"]["events"][0]["eventType"],
        "CommunityRegistered"
    );
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
        .ok(OPEN, json!({ "input": {
            "communityId": community, "subject": "Périmètre de la CPTS", "moment": "DIAGNOSIS",
            "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "membres et habitants",
            "method": "QUESTIONNAIRE", "opensOn": "2026-02-02", "closesOn": "2026-03-13", "answerWithinDays": 30 } }))
        .await;
    let consultation = data["openConsultation"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    Fixture {
        community,
        college,
        board,
        member,
        consultation,
    }
}

#[tokio::test]
async fn a_consultation_is_answered_and_voted_through_graphql_alone() {
    let service = Service::start().await;
    let f = fixture(&service).await;
    service.ok(SEAT, json!({ "input": { "memberId": f.member, "collegeId": f.college, "on": "2026-01-20" } })).await;

    let contribution = uuid::Uuid::new_v4().to_string();
    let data = service
        .ok(SUBMIT, json!({ "input": { "consultationId": f.consultation, "contributionId": contribution, "memberId": f.member,
            "kind": "OPINION", "text": "Villeveyrac et Montbazin doivent rester dans le périmètre.", "submittedOn": "2026-02-05" } }))
        .await;
    assert_eq!(
        data["submitContribution"]["events"][0]["payload"]["ContributionSubmitted"]["author"]
            ["member_id"],
        f.member
    );
    let anonymous = uuid::Uuid::new_v4().to_string();
    service
        .ok(SUBMIT, json!({ "input": { "consultationId": f.consultation, "contributionId": anonymous, "anonymousCommune": "Marseillan",
            "kind": "TESTIMONY", "text": "Sans voiture, il me faut une heure de bus pour voir un médecin à Sète.", "submittedOn": "2026-02-11" } }))
        .await;
    service
        .ok(
            CLOSE,
            json!({ "input": { "consultationId": f.consultation, "on": "2026-03-13" } }),
        )
        .await;

    let data = service
        .ok(PROPOSE, json!({ "input": { "communityId": f.community, "bodyId": f.board, "title": "Périmètre de la CPTS",
            "text": "La CPTS couvre les communes listées.", "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "proposedOn": "2026-03-20" } }))
        .await;
    let decision = data["proposeDecision"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    service
        .ok(
            LINK,
            json!({ "input": { "decisionId": decision, "consultationId": f.consultation } }),
        )
        .await;
    service
        .ok(DRAFT, json!({ "input": { "decisionId": decision, "consultationId": f.consultation, "contributionId": contribution,
            "disposition": "RETAINED", "on": "2026-04-07" } }))
        .await;
    service
        .ok(DRAFT, json!({ "input": { "decisionId": decision, "consultationId": f.consultation, "contributionId": anonymous,
            "disposition": "PARTLY_RETAINED", "rationale": "Le besoin est inscrit au diagnostic.", "on": "2026-04-07" } }))
        .await;
    let data = service
        .ok(
            PUBLISH,
            json!({ "input": { "decisionId": decision, "on": "2026-04-07" } }),
        )
        .await;
    assert_eq!(
        data["publishAllAnswers"]["events"].as_array().map(Vec::len),
        Some(2),
        "both answers published"
    );
    service
        .ok(VOTE, json!({ "input": { "decisionId": decision, "on": "2026-04-02", "outcome": "ADOPTED",
            "colleges": [{ "collegeId": f.college, "votesFor": 1, "votesAgainst": 0, "abstentions": 0 }] } }))
        .await;

    let data = service
        .ok("query($id: ID!) { events(aggregateType: DECISION, id: $id) { sequence eventType metadata } }", json!({ "id": decision }))
        .await;
    let types: Vec<&str> = data["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["eventType"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        types,
        [
            "DecisionProposed",
            "ConsultationLinked",
            "AnswerDrafted",
            "AnswerDrafted",
            "AnswerPublished",
            "AnswerPublished",
            "VoteRecorded"
        ]
    );
    for (i, event) in data["events"]
        .as_array()
        .expect("events")
        .iter()
        .enumerate()
    {
        assert_eq!(event["sequence"], i + 1);
        assert_eq!(
            event["metadata"]["community_id"], f.community,
            "every event names its CPTS"
        );
        assert!(
            event["metadata"]["actor"]
                .as_str()
                .is_some_and(|a| a.starts_with("token:")),
            "the coordinator's token acted: {event}"
        );
        assert!(
            event["metadata"]["command_id"].is_string()
                && event["metadata"]["recorded_at"].is_string()
        );
    }

    // Each mutation waited for its events to be projected: no read model is behind.
    let data = service
        .ok(
            "{ ledgerHead { position projections { name position behind } } }",
            json!({}),
        )
        .await;
    let head = &data["ledgerHead"];
    let projections = head["projections"].as_array().expect("projections");
    let names: Vec<&str> = projections
        .iter()
        .map(|p| p["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        ["consultations", "decisions", "register", "timeline"]
    );
    for projection in projections {
        assert_eq!(projection["position"], head["position"], "{projection}");
        assert_eq!(projection["behind"], 0, "{projection}");
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_writes_nothing() {
    let service = Service::start().await;
    let f = fixture(&service).await;

    // An empty title.
    let error = service
        .refused(PROPOSE, json!({ "input": { "communityId": f.community, "bodyId": f.board, "title": "  ",
            "text": "Texte", "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "proposedOn": "2026-03-20" } }), "INVALID_INPUT")
        .await;
    assert_eq!(error["message"], "Il manque le titre.");
    assert_eq!(error["extensions"]["messageEn"], "The title is missing.");

    // An unknown id, and an id that is no id at all.
    let unknown = uuid::Uuid::new_v4().to_string();
    service
        .refused(
            SEAT,
            json!({ "input": { "memberId": unknown, "collegeId": f.college, "on": "2026-02-01" } }),
            "NOT_FOUND",
        )
        .await;
    service
        .refused(
            SEAT,
            json!({ "input": { "memberId": f.member, "collegeId": unknown, "on": "2026-02-01" } }),
            "NOT_FOUND",
        )
        .await;
    let error = service
        .refused(
            SEAT,
            json!({ "input": { "memberId": "42", "collegeId": f.college, "on": "2026-02-01" } }),
            "INVALID_INPUT",
        )
        .await;
    assert!(
        error["message"].as_str().unwrap_or("").contains("memberId"),
        "{error}"
    );

    // A period that ends before it starts.
    let error = service
        .refused(OPEN, json!({ "input": { "communityId": f.community, "subject": "Atelier", "moment": "PRIORITISATION",
            "mission": "PREVENTION", "rung": "INVOLVE", "audience": "représentants", "method": "WORKSHOP",
            "opensOn": "2026-06-05", "closesOn": "2026-05-11", "answerWithinDays": 45 } }), "INVALID_INPUT")
        .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("11 mai 2026"),
        "{error}"
    );

    // A text longer than the ledger accepts, and a body larger than the service reads.
    let long = "é".repeat(30_000);
    let error = service
        .refused(SUBMIT, json!({ "input": { "consultationId": f.consultation, "kind": "OPINION", "text": long, "submittedOn": "2026-02-05" } }), "INVALID_INPUT")
        .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("Trop de caractères"),
        "{error}"
    );
    let before = service.head().await;
    let huge = "a".repeat(10 * 1024 * 1024);
    let (status, body) = service
        .send(SUBMIT, json!({ "input": { "consultationId": f.consultation, "kind": "OPINION", "text": huge, "submittedOn": "2026-02-05" } }))
        .await;
    assert_eq!(status, 413);
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(service.head().await, before, "nothing was written");

    // Both an author and an anonymous commune.
    service
        .refused(SUBMIT, json!({ "input": { "consultationId": f.consultation, "memberId": f.member, "anonymousCommune": "Sète",
            "kind": "OPINION", "text": "Avis", "submittedOn": "2026-02-05" } }), "INVALID_INPUT")
        .await;

    // A contribution dated after a consultation's last day, sent as an ordinary one.
    let contribution = uuid::Uuid::new_v4().to_string();
    service
        .ok(SUBMIT, json!({ "input": { "consultationId": f.consultation, "contributionId": contribution, "anonymousCommune": "Sète",
            "kind": "PROPOSAL", "text": "Une ligne unique pour trouver un rendez-vous.", "submittedOn": "2026-03-12" } }))
        .await;
    service
        .ok(
            CLOSE,
            json!({ "input": { "consultationId": f.consultation, "on": "2026-03-13" } }),
        )
        .await;
    let error = service
        .refused(SUBMIT, json!({ "input": { "consultationId": f.consultation, "kind": "OPINION", "text": "Trop tard", "submittedOn": "2026-03-14" } }), "INVALID_INPUT")
        .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("comme reçue en retard"),
        "{error}"
    );

    // An answer "not retained" without its rationale.
    let data = service
        .ok(PROPOSE, json!({ "input": { "communityId": f.community, "bodyId": f.board, "title": "Périmètre",
            "text": "Texte", "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "proposedOn": "2026-03-20" } }))
        .await;
    let decision = data["proposeDecision"]["aggregateId"]
        .as_str()
        .expect("id")
        .to_owned();
    service
        .ok(
            LINK,
            json!({ "input": { "decisionId": decision, "consultationId": f.consultation } }),
        )
        .await;
    let error = service
        .refused(DRAFT, json!({ "input": { "decisionId": decision, "consultationId": f.consultation, "contributionId": contribution,
            "disposition": "NOT_RETAINED", "on": "2026-04-07" } }), "INVALID_INPUT")
        .await;
    assert_eq!(
        error["message"],
        "Une réponse « Non retenue » doit être justifiée."
    );
}

#[tokio::test]
async fn a_malformed_body_gets_a_graphql_shaped_error() {
    let service = Service::start().await;
    let response = service
        .http
        .post(&service.url)
        .body("{ not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    let page = service.http.get(&service.url).send().await.expect("sent");
    assert!(
        page.text().await.expect("text").contains("graphiql"),
        "GraphiQL is served at /graphql"
    );
}
