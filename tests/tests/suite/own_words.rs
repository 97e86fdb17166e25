//! The representative's own words: they amend or withdraw their own contribution, with a
//! reason, while its consultation is open; *Mes contributions* and the decision's trail show the
//! amendment and the withdrawal with their dates and reasons; another's contribution is refused,
//! and so is a change once the consultation is closed while its answer is being written; once
//! answered, an amendment is a new version, the answer staying with the words it answered, and
//! a withdrawal is refused (`cpts_domain::consultation::own_words_allowed`).

use std::sync::Arc;

use chrono::NaiveDate;
use cpts_domain::access::{Caller, Role};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::decision::{DecisionCommand, Proposal, Tally};
use cpts_domain::ids::{BodyId, CommunityId, ConsultationId, ContributionId, DecisionId, MemberId};
use cpts_domain::values::{Disposition, Mission, Moment, VoteOutcome};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, sqlite_db};
use serde_json::{json, Value};
use uuid::Uuid;

const WORKSHOP: ConsultationId = ConsultationId(Uuid::from_u128(0x0e0d_0001));
const DECISION: DecisionId = DecisionId(Uuid::from_u128(0x0e0d_00d1));
const AMENDED: ContributionId = ContributionId(Uuid::from_u128(0x0e0d_0c01));
const WITHDRAWN: ContributionId = ContributionId(Uuid::from_u128(0x0e0d_0c02));
const KARIMS: ContributionId = ContributionId(Uuid::from_u128(0x0e0d_0c03));

const SUBMIT: &str = "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }";
const AMEND: &str = "mutation($input: AmendContributionInput!) { amendContribution(input: $input) { aggregateId } }";
const WITHDRAW: &str = "mutation($input: WithdrawContributionInput!) { withdrawContribution(input: $input) { aggregateId } }";
const MINE: &str = "{ myContributions(asOf: \"2026-06-20\") { contributionId text status amendments amendedOn amendmentReason withdrawnOn withdrawalReason changeable amendable withdrawable answeredText answeredOn timeline { kind on reason } } }";

const AMEND_REASON: &str = "J'avais oublié Montbazin.";
const WITHDRAW_REASON: &str = "Mon association a déjà porté cette demande ailleurs.";

fn community() -> CommunityId {
    CommunityId(id_of("community", "cpts-val-de-letang"))
}

fn martine() -> MemberId {
    MemberId(id_of("member", "martine-roussel"))
}

fn karim() -> MemberId {
    MemberId(id_of("member", "karim-benali"))
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

struct World {
    _db: cpts_ledger_tests::TestDb,
    ledger: Arc<Ledger>,
}

impl World {
    async fn run(
        &self,
        role: Role,
        member: Option<MemberId>,
        query: &str,
        variables: Value,
    ) -> async_graphql::Response {
        cpts_ledger_tests::graphql_as(
            self.ledger.clone(),
            community(),
            role,
            member,
            query,
            variables,
        )
        .await
    }

    async fn ok(
        &self,
        role: Role,
        member: Option<MemberId>,
        query: &str,
        variables: Value,
    ) -> Value {
        let response = self.run(role, member, query, variables).await;
        assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
        response.data.into_json().expect("JSON")
    }

    /// Runs it as Martine, a representative, and expects it refused: the French message.
    async fn refused_to_martine(&self, query: &str, variables: Value) -> String {
        let response = self
            .run(Role::Representative, Some(martine()), query, variables)
            .await;
        response.errors.first().expect("refused").message.clone()
    }

    async fn send(&self, command: DecisionCommand) {
        let what = format!("{command:?}");
        let context = CommandContext {
            caller: Caller::Trusted(Actor::System),
            command_id: Uuid::new_v4(),
        };
        self.ledger
            .execute(
                AddressedCommand::Decision {
                    id: DECISION,
                    command,
                },
                context,
            )
            .await
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    }

    /// Martine's contributions as *Mes contributions* reads them, by id.
    async fn mine(&self) -> Vec<Value> {
        let data = self
            .ok(Role::Representative, Some(martine()), MINE, json!({}))
            .await;
        data["myContributions"].as_array().expect("a list").clone()
    }

    /// The decision's trail as the coordinator reads it.
    async fn trail(&self) -> Vec<Value> {
        let data = self
            .ok(
                Role::Coordinator,
                None,
                "query($id: ID!) { decision(id: $id) { trail { entries { contributionId text withdrawnOn withdrawalReason amendedOn amendmentReason answeredText answeredOn } } } }",
                json!({ "id": DECISION.to_string() }),
            )
            .await;
        data["decision"]["trail"]["entries"]
            .as_array()
            .expect("entries")
            .clone()
    }
}

fn one(list: &[Value], id: ContributionId) -> Value {
    list.iter()
        .find(|c| c["contributionId"] == id.to_string())
        .cloned()
        .unwrap_or_else(|| panic!("{id} in {list:?}"))
}

fn amend(id: ContributionId, text: &str, reason: Option<&str>) -> Value {
    json!({ "input": {
        "consultationId": WORKSHOP.to_string(), "contributionId": id.to_string(),
        "text": text, "on": "2026-06-10", "reason": reason,
    } })
}

/// The demo's CPTS, a workshop open in June, and a decision drawing on it; Martine's two
/// contributions and Karim's, each sent by its author.
async fn world() -> World {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("demo recorded");
    let world = World { _db: db, ledger };
    world
        .ok(
            Role::Coordinator,
            None,
            "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }",
            json!({ "input": {
                "id": WORKSHOP.to_string(), "communityId": community().to_string(),
                "subject": "Périmètre de la CPTS", "moment": "DIAGNOSIS",
                "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "associations",
                "method": "WORKSHOP", "opensOn": "2026-06-01", "closesOn": "2026-06-30",
                "answerWithinDays": 30 } }),
        )
        .await;
    for (id, member, text) in [
        (
            AMENDED,
            martine(),
            "Villeveyrac doit rester dans le périmètre.",
        ),
        (WITHDRAWN, martine(), "Une maison de santé à Poussan."),
        (KARIMS, karim(), "Un transport solidaire vers Sète."),
    ] {
        world
            .ok(
                Role::Representative,
                Some(member),
                SUBMIT,
                json!({ "input": {
                    "consultationId": WORKSHOP.to_string(), "contributionId": id.to_string(),
                    "memberId": member.to_string(), "kind": "OPINION", "text": text,
                    "submittedOn": "2026-06-05",
                } }),
            )
            .await;
    }
    world
        .send(DecisionCommand::Propose {
            decision_id: DECISION,
            community_id: community(),
            proposal: Proposal {
                body_id: BodyId(id_of("body", "ca")),
                title: "Le périmètre de la CPTS".into(),
                text: "Le conseil arrête le périmètre.".into(),
                moment: Moment::Diagnosis,
                mission: Mission::AccessToCare,
                proposed_on: date("2026-06-02"),
            },
        })
        .await;
    world
        .send(DecisionCommand::LinkConsultation {
            consultation_id: WORKSHOP,
        })
        .await;
    world
}

#[tokio::test]
async fn a_representative_amends_and_withdraws_their_own_contribution_with_a_reason() {
    let world = world().await;
    let martine = Some(martine());
    let new_text = "Villeveyrac et Montbazin doivent rester dans le périmètre.";

    // A reason is asked for, in French, and nothing is recorded without one.
    let message = world
        .refused_to_martine(AMEND, amend(AMENDED, new_text, None))
        .await;
    assert_eq!(message, "Il manque le motif.");
    let message = world
        .refused_to_martine(AMEND, amend(AMENDED, new_text, Some("  ")))
        .await;
    assert_eq!(message, "Il manque le motif.");

    world
        .ok(
            Role::Representative,
            martine,
            AMEND,
            amend(AMENDED, new_text, Some(AMEND_REASON)),
        )
        .await;
    world
        .ok(
            Role::Representative,
            martine,
            WITHDRAW,
            json!({ "input": {
                "consultationId": WORKSHOP.to_string(), "contributionId": WITHDRAWN.to_string(),
                "on": "2026-06-12", "reason": WITHDRAW_REASON,
            } }),
        )
        .await;

    // *Mes contributions*: the new text with the day and reason of the amendment; the
    // withdrawal with its day and reason, and nothing more to change on it.
    let mine = world.mine().await;
    let amended = one(&mine, AMENDED);
    assert_eq!(amended["text"], new_text);
    assert_eq!(amended["amendments"], 1);
    assert_eq!(amended["amendedOn"], "2026-06-10");
    assert_eq!(amended["amendmentReason"], AMEND_REASON);
    assert_eq!(amended["changeable"], true);
    let withdrawn = one(&mine, WITHDRAWN);
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["withdrawnOn"], "2026-06-12");
    assert_eq!(withdrawn["withdrawalReason"], WITHDRAW_REASON);
    assert_eq!(withdrawn["changeable"], false);

    // The decision's trail shows the same, the withdrawn one as withdrawn.
    let trail = world.trail().await;
    let amended = one(&trail, AMENDED);
    assert_eq!(amended["text"], new_text);
    assert_eq!(amended["amendedOn"], "2026-06-10");
    assert_eq!(amended["amendmentReason"], AMEND_REASON);
    let withdrawn = one(&trail, WITHDRAWN);
    assert_eq!(withdrawn["withdrawnOn"], "2026-06-12");
    assert_eq!(withdrawn["withdrawalReason"], WITHDRAW_REASON);
}

#[tokio::test]
async fn another_representatives_contribution_is_refused() {
    let world = world().await;
    let not_yours = "Cette contribution n'est pas la vôtre : vous ne pouvez modifier ou retirer que les vôtres.";
    let message = world
        .refused_to_martine(AMEND, amend(KARIMS, "Un autre texte.", Some("Je préfère.")))
        .await;
    assert_eq!(message, not_yours);
    let message = world
        .refused_to_martine(
            WITHDRAW,
            json!({ "input": {
                "consultationId": WORKSHOP.to_string(), "contributionId": KARIMS.to_string(),
                "on": "2026-06-12", "reason": "Je préfère.",
            } }),
        )
        .await;
    assert_eq!(message, not_yours);
    // Karim's text is unchanged, and an auditor changes nothing either.
    let trail = world.trail().await;
    assert_eq!(
        one(&trail, KARIMS)["text"],
        "Un transport solidaire vers Sète."
    );
    let response = world
        .run(
            Role::Auditor,
            None,
            AMEND,
            amend(KARIMS, "Un autre texte.", Some("Essai.")),
        )
        .await;
    assert!(!response.errors.is_empty(), "an auditor amends nothing");
}

#[tokio::test]
async fn once_answered_an_amendment_is_a_new_version_and_the_answer_keeps_the_words_it_answered() {
    let world = world().await;
    world
        .ok(
            Role::Coordinator,
            None,
            "mutation($input: CloseConsultationInput!) { closeConsultation(input: $input) { aggregateId } }",
            json!({ "input": { "consultationId": WORKSHOP.to_string(), "on": "2026-06-15" } }),
        )
        .await;
    let withdraw = json!({ "input": {
        "consultationId": WORKSHOP.to_string(), "contributionId": AMENDED.to_string(),
        "on": "2026-06-17", "reason": "Un oubli.",
    } });
    // Closed, its answer being written: neither changed.
    let message = world
        .refused_to_martine(
            AMEND,
            amend(AMENDED, "Un texte avant la réponse.", Some("Un oubli.")),
        )
        .await;
    assert!(
        message.starts_with("La consultation est close et sa réponse est en préparation"),
        "{message}"
    );
    let message = world.refused_to_martine(WITHDRAW, withdraw.clone()).await;
    assert_eq!(
        message,
        "La consultation est close : elle ne reçoit plus de contributions."
    );
    world
        .send(DecisionCommand::DraftAnswer {
            consultation_id: WORKSHOP,
            contribution_id: AMENDED,
            disposition: Disposition::Retained,
            rationale: None,
            on: date("2026-06-16"),
        })
        .await;
    world
        .send(DecisionCommand::PublishAnswer {
            contribution_id: AMENDED,
            on: date("2026-06-16"),
        })
        .await;

    // Answered: no withdrawal, and *Mes contributions* offers the amendment only.
    let message = world.refused_to_martine(WITHDRAW, withdraw).await;
    assert!(
        message.starts_with(
            "La réponse à cette contribution est publiée : elle ne peut plus être retirée."
        ),
        "{message}"
    );
    let mine = world.mine().await;
    let answered = one(&mine, AMENDED);
    assert_eq!(answered["status"], "answered");
    assert_eq!(
        (
            answered["amendable"].clone(),
            answered["withdrawable"].clone()
        ),
        (json!(true), json!(false))
    );

    // Amended after its answer: a new version, the answer tied to the words it answered.
    let mut later = amend(
        AMENDED,
        "Villeveyrac et Montbazin doivent rester dans le périmètre.",
        Some("J'ajoute Montbazin après la réponse."),
    );
    later["input"]["on"] = json!("2026-06-18");
    world
        .ok(Role::Representative, Some(martine()), AMEND, later)
        .await;
    let mine = world.mine().await;
    let answered = one(&mine, AMENDED);
    assert_eq!(
        answered["text"],
        "Villeveyrac et Montbazin doivent rester dans le périmètre."
    );
    assert_eq!(
        answered["answeredText"],
        "Villeveyrac doit rester dans le périmètre."
    );
    assert_eq!(answered["answeredOn"], "2026-06-05");
    let steps: Vec<(String, String, Value)> = answered["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap_or_default().to_owned(),
                s["on"].as_str().unwrap_or_default().to_owned(),
                s["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("SUBMITTED".into(), "2026-06-05".into(), Value::Null),
            ("ANSWER_PUBLISHED".into(), "2026-06-16".into(), Value::Null),
            (
                "AMENDED".into(),
                "2026-06-18".into(),
                json!("J'ajoute Montbazin après la réponse.")
            ),
        ]
    );
    let trail = world.trail().await;
    let entry = one(&trail, AMENDED);
    assert_eq!(
        entry["text"],
        "Villeveyrac et Montbazin doivent rester dans le périmètre."
    );
    assert_eq!(
        entry["answeredText"],
        "Villeveyrac doit rester dans le périmètre."
    );
    assert_eq!(entry["answeredOn"], "2026-06-05");
}

/// A representative reading the trail sees their own contributions, marked as theirs, before
/// any answer is published; another's unanswered contribution and every name stay hidden.
#[tokio::test]
async fn a_representative_sees_their_own_contributions_in_the_trail_marked_as_theirs() {
    let world = world().await;
    // Representatives read decisions once voted.
    world
        .send(DecisionCommand::RecordVote {
            on: date("2026-06-15"),
            tally: Tally::Consensus,
            outcome: VoteOutcome::Adopted,
        })
        .await;
    let data = world
        .ok(
            Role::Representative,
            Some(martine()),
            "query($id: ID!) { decision(id: $id, asOf: \"2026-06-20\") { trail { entries { contributionId mine authorName disposition } } } }",
            json!({ "id": DECISION.to_string() }),
        )
        .await;
    let entries = data["decision"]["trail"]["entries"]
        .as_array()
        .expect("entries")
        .clone();
    let ids: Vec<&str> = entries
        .iter()
        .map(|e| e["contributionId"].as_str().expect("an id"))
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "her two contributions, not Karim's: {entries:?}"
    );
    assert!(!ids.contains(&KARIMS.to_string().as_str()));
    for entry in &entries {
        assert_eq!(entry["mine"], true, "{entry}");
        assert_eq!(entry["authorName"], Value::Null, "no name is shown to her");
    }
    // Staff see every entry, none of them theirs.
    let data = world
        .ok(
            Role::Coordinator,
            None,
            "query($id: ID!) { decision(id: $id, asOf: \"2026-06-20\") { trail { entries { mine } } } }",
            json!({ "id": DECISION.to_string() }),
        )
        .await;
    let entries = data["decision"]["trail"]["entries"]
        .as_array()
        .expect("entries");
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["mine"] == false));
}
