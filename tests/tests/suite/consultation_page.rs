//! A consultation's page: every contribution it received, as typed in from paper forms, with
//! where each stands and when its answer is due, so that the record can be checked before any
//! decision is linked. The coordinator sees who wrote what; a representative sees their own
//! marked as theirs and nobody's name; anyone else is told the consultation does not exist.
//! The same entries come as a CSV file, its header in the language asked and no cell a formula.

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use chrono::NaiveDate;
use cpts_domain::access::{Caller, Role};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::decision::{DecisionCommand, Proposal};
use cpts_domain::ids::{BodyId, CommunityId, ConsultationId, ContributionId, DecisionId, MemberId};
use cpts_domain::values::{Disposition, Mission, Moment};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db, TestDb};
use serde_json::{json, Value};
use uuid::Uuid;

const AS_OF: &str = "2026-08-10";
const WORKSHOP: ConsultationId = ConsultationId(Uuid::from_u128(0xc0a5_0001));
const DECISION: DecisionId = DecisionId(Uuid::from_u128(0xc0a5_00d1));

const OVERDUE: ContributionId = ContributionId(Uuid::from_u128(0xc0a5_0c01));
const AMENDED: ContributionId = ContributionId(Uuid::from_u128(0xc0a5_0c02));
const WITHDRAWN: ContributionId = ContributionId(Uuid::from_u128(0xc0a5_0c03));
const ANSWERED: ContributionId = ContributionId(Uuid::from_u128(0xc0a5_0c04));
const LATE: ContributionId = ContributionId(Uuid::from_u128(0xc0a5_0c05));
const PENDING: ContributionId = ContributionId(Uuid::from_u128(0xc0a5_0c06));

/// What an inhabitant wrote on the form, which a spreadsheet would run as a formula.
const FORMULA: &str = "=SOMME(A1:A9) pharmacies de garde pour tout le bassin";
const LATE_REASON: &str = "Formulaire papier posté le 29 juin, reçu le 3 juillet.";
const AMEND_REASON: &str = "J'avais oublié Montbazin.";
const WITHDRAW_REASON: &str = "Mon association a déjà porté cette demande ailleurs.";

const SUBMIT: &str = "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }";
const ACCEPT_LATE: &str = "mutation($input: AcceptLateContributionInput!) { acceptLateContribution(input: $input) { aggregateId } }";
const AMEND: &str = "mutation($input: AmendContributionInput!) { amendContribution(input: $input) { aggregateId } }";
const WITHDRAW: &str = "mutation($input: WithdrawContributionInput!) { withdrawContribution(input: $input) { aggregateId } }";

const PAGE: &str = "query($id: ID!, $asOf: NaiveDate) { consultation(id: $id, asOf: $asOf) { \
    id subject entries { contributionId authorName anonymous anonymousCommune mine kind text \
    submittedOn lateReception { receivedOn reason } amendedOn amendmentReason withdrawnOn \
    withdrawalReason answerDeadline standing decision { id title } disposition rationale \
    publishedOn } } }";
const CSV: &str = "query($id: ID!, $asOf: NaiveDate) { consultation(id: $id, asOf: $asOf) { \
    fr: csv en: csv(lang: EN) } }";
const ODS: &str = "query($id: ID!, $asOf: NaiveDate) { consultation(id: $id, asOf: $asOf) { \
    csv ods } }";

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

fn page_of(id: &str) -> Value {
    json!({ "id": id, "asOf": AS_OF })
}

struct World {
    _db: TestDb,
    ledger: Arc<Ledger>,
}

impl World {
    /// Runs an operation on the served schema as a signed-in caller of `community`.
    async fn run_in(
        &self,
        community: CommunityId,
        role: Role,
        member: Option<MemberId>,
        query: &str,
        variables: Value,
    ) -> async_graphql::Response {
        cpts_ledger_tests::graphql_as(
            self.ledger.clone(),
            community,
            role,
            member,
            query,
            variables,
        )
        .await
    }

    /// Runs it as a caller of the demo's CPTS and expects no error; its data as JSON.
    async fn ok(
        &self,
        role: Role,
        member: Option<MemberId>,
        query: &str,
        variables: Value,
    ) -> Value {
        let response = self
            .run_in(community(), role, member, query, variables)
            .await;
        assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
        response.data.into_json().expect("JSON")
    }

    /// Runs it without a token, as the HTTP layer does for a request that carries none.
    async fn as_public(&self, query: &str, variables: Value) -> async_graphql::Response {
        let db = self.ledger.projector().db().clone();
        let port: Arc<dyn LedgerPort> = self.ledger.clone();
        let schema = cpts_graphql::build_schema(port, db.clone());
        let loader = DataLoader::with_cache(
            cpts_graphql::views::DecisionLoader::new(db),
            tokio::spawn,
            HashMapCache::default(),
        );
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables))
            .data(loader);
        schema.execute(request).await
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

    /// The consultation's entries as a caller reads them as of [`AS_OF`].
    async fn entries(&self, role: Role, member: Option<MemberId>) -> Vec<Value> {
        let data = self
            .ok(role, member, PAGE, page_of(&WORKSHOP.to_string()))
            .await;
        data["consultation"]["entries"]
            .as_array()
            .expect("entries")
            .clone()
    }
}

fn one(entries: &[Value], id: ContributionId) -> Value {
    entries
        .iter()
        .find(|e| e["contributionId"] == id.to_string())
        .cloned()
        .unwrap_or_else(|| panic!("{id} in {entries:?}"))
}

fn error_code(response: &async_graphql::Response) -> String {
    let error = response.errors.first().expect("refused");
    error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .map(|c| c.to_string().trim_matches('"').to_owned())
        .unwrap_or_default()
}

/// The demo's CPTS and a workshop of June (closing 30 June, answers promised within 30 days,
/// by 30 July), with six contributions typed in over the summer: as of 10 August one is
/// overdue, one amended, one withdrawn, one answered on 15 July, one received late on 3 July
/// (due 2 August, an answer drafted for it and not published), and one received late on 25
/// July, due 24 August and still pending.
async fn world(db: TestDb) -> World {
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("demo recorded");
    let world = World { _db: db, ledger };
    let coordinator = Role::Coordinator;
    world
        .ok(
            coordinator,
            None,
            "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }",
            json!({ "input": {
                "id": WORKSHOP.to_string(), "communityId": community().to_string(),
                "subject": "Pharmacies de garde du bassin", "moment": "DIAGNOSIS",
                "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "habitants",
                "method": "QUESTIONNAIRE", "opensOn": "2026-06-01", "closesOn": "2026-06-30",
                "answerWithinDays": 30 } }),
        )
        .await;
    let submitted = |id: ContributionId, member: Option<MemberId>, text: &str, on: &str| {
        json!({ "input": {
            "consultationId": WORKSHOP.to_string(), "contributionId": id.to_string(),
            "memberId": member.map(|m| m.to_string()),
            "anonymousCommune": member.is_none().then_some("Sète"),
            "kind": "OPINION", "text": text, "submittedOn": on,
        } })
    };
    for (id, member, text, on) in [
        (
            OVERDUE,
            martine(),
            "La pharmacie de Mèze ferme à midi le samedi.",
            "2026-06-05",
        ),
        (
            AMENDED,
            karim(),
            "Villeveyrac doit rester dans le périmètre.",
            "2026-06-06",
        ),
        (
            WITHDRAWN,
            martine(),
            "Une pharmacie de garde à Poussan.",
            "2026-06-07",
        ),
    ] {
        world
            .ok(
                Role::Representative,
                Some(member),
                SUBMIT,
                submitted(id, Some(member), text, on),
            )
            .await;
    }
    world
        .ok(
            coordinator,
            None,
            SUBMIT,
            submitted(ANSWERED, None, FORMULA, "2026-06-08"),
        )
        .await;
    world
        .ok(
            Role::Representative,
            Some(karim()),
            AMEND,
            json!({ "input": {
                "consultationId": WORKSHOP.to_string(), "contributionId": AMENDED.to_string(),
                "text": "Villeveyrac et Montbazin doivent rester dans le périmètre.",
                "on": "2026-06-10", "reason": AMEND_REASON,
            } }),
        )
        .await;
    world
        .ok(
            Role::Representative,
            Some(martine()),
            WITHDRAW,
            json!({ "input": {
                "consultationId": WORKSHOP.to_string(), "contributionId": WITHDRAWN.to_string(),
                "on": "2026-06-12", "reason": WITHDRAW_REASON,
            } }),
        )
        .await;
    world
        .ok(
            coordinator,
            None,
            "mutation($input: CloseConsultationInput!) { closeConsultation(input: $input) { aggregateId } }",
            json!({ "input": { "consultationId": WORKSHOP.to_string(), "on": "2026-06-30" } }),
        )
        .await;
    for (id, member, commune, text, on) in [
        (
            LATE,
            Some(martine()),
            None,
            "Le dimanche, la pharmacie de garde est introuvable.",
            "2026-07-03",
        ),
        (
            PENDING,
            None,
            Some("Balaruc-les-Bains"),
            "Pas de pharmacie de garde à Balaruc.",
            "2026-07-25",
        ),
    ] {
        world
            .ok(
                coordinator,
                None,
                ACCEPT_LATE,
                json!({ "input": {
                    "consultationId": WORKSHOP.to_string(), "contributionId": id.to_string(),
                    "memberId": member.map(|m| m.to_string()), "anonymousCommune": commune,
                    "kind": "TESTIMONY", "text": text, "receivedOn": on, "reason": LATE_REASON,
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
                title: "Tour de garde des pharmacies".into(),
                text: "Le conseil propose un tour de garde commun aux pharmacies du bassin.".into(),
                moment: Moment::Diagnosis,
                mission: Mission::AccessToCare,
                proposed_on: date("2026-07-01"),
            },
        })
        .await;
    world
        .send(DecisionCommand::LinkConsultation {
            consultation_id: WORKSHOP,
        })
        .await;
    world
        .send(DecisionCommand::DraftAnswer {
            consultation_id: WORKSHOP,
            contribution_id: ANSWERED,
            disposition: Disposition::Retained,
            rationale: Some("Le tour de garde couvre tout le bassin.".into()),
            on: date("2026-07-15"),
        })
        .await;
    world
        .send(DecisionCommand::PublishAnswer {
            contribution_id: ANSWERED,
            on: date("2026-07-15"),
        })
        .await;
    world
        .send(DecisionCommand::DraftAnswer {
            consultation_id: WORKSHOP,
            contribution_id: LATE,
            disposition: Disposition::PartlyRetained,
            rationale: Some("Le dimanche matin seulement.".into()),
            on: date("2026-08-05"),
        })
        .await;
    world
}

async fn every_contribution_is_listed_with_its_standing_and_due_date(world: World) {
    let entries = world.entries(Role::Coordinator, None).await;
    let listed: Vec<(String, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["contributionId"].as_str().expect("an id").to_owned(),
                e["standing"].as_str().expect("a standing"),
                e["answerDeadline"].as_str().expect("a deadline"),
            )
        })
        .collect();
    // In submission order, the withdrawn one included; the late ones due as many days after
    // their reception as the workshop promised after its closing.
    let expected = [
        (OVERDUE, "OVERDUE", "2026-07-30"),
        (AMENDED, "OVERDUE", "2026-07-30"),
        (WITHDRAWN, "WITHDRAWN", "2026-07-30"),
        (ANSWERED, "ANSWERED_ON_TIME", "2026-07-30"),
        (LATE, "OVERDUE", "2026-08-02"),
        (PENDING, "PENDING", "2026-08-24"),
    ]
    .map(|(id, standing, due)| (id.to_string(), standing, due));
    assert_eq!(listed, expected);

    let amended = one(&entries, AMENDED);
    assert_eq!(
        amended["text"],
        "Villeveyrac et Montbazin doivent rester dans le périmètre."
    );
    assert_eq!(amended["amendedOn"], "2026-06-10");
    assert_eq!(amended["amendmentReason"], AMEND_REASON);
    let withdrawn = one(&entries, WITHDRAWN);
    assert_eq!(withdrawn["withdrawnOn"], "2026-06-12");
    assert_eq!(withdrawn["withdrawalReason"], WITHDRAW_REASON);
    let late = one(&entries, LATE);
    assert_eq!(
        late["lateReception"],
        json!({ "receivedOn": "2026-07-03", "reason": LATE_REASON })
    );
    assert_eq!(one(&entries, OVERDUE)["lateReception"], Value::Null);
    let answered = one(&entries, ANSWERED);
    assert_eq!(
        answered["decision"],
        json!({ "id": DECISION.to_string(), "title": "Tour de garde des pharmacies" })
    );
    assert_eq!(answered["disposition"], "RETAINED");
    assert_eq!(
        answered["rationale"],
        "Le tour de garde couvre tout le bassin."
    );
    assert_eq!(answered["publishedOn"], "2026-07-15");
    assert_eq!(answered["text"], FORMULA);

    // Before the late ones came in and the answer was published, the page says so.
    let data = world
        .ok(
            Role::Coordinator,
            None,
            PAGE,
            json!({ "id": WORKSHOP.to_string(), "asOf": "2026-07-10" }),
        )
        .await;
    let earlier = data["consultation"]["entries"]
        .as_array()
        .expect("entries")
        .clone();
    assert_eq!(earlier.len(), 5, "{earlier:?}");
    assert_eq!(one(&earlier, ANSWERED)["standing"], "PENDING");
    assert_eq!(one(&earlier, ANSWERED)["decision"], Value::Null);

    // The list of consultations gives the same entries, read for the whole list at once.
    let data = world
        .ok(
            Role::Coordinator,
            None,
            "query($asOf: NaiveDate) { consultations(asOf: $asOf) { id entries { contributionId standing answerDeadline } } }",
            json!({ "asOf": AS_OF }),
        )
        .await;
    let listed = data["consultations"]
        .as_array()
        .expect("consultations")
        .iter()
        .find(|c| c["id"] == WORKSHOP.to_string())
        .expect("the workshop is listed")["entries"]
        .clone();
    let ids: Vec<&str> = listed
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["contributionId"].as_str().expect("an id"))
        .collect();
    let expected_ids: Vec<String> = [OVERDUE, AMENDED, WITHDRAWN, ANSWERED, LATE, PENDING]
        .map(|c| c.to_string())
        .to_vec();
    assert_eq!(ids, expected_ids);
}

async fn each_caller_sees_what_their_role_allows(world: World) {
    // The coordinator sees who wrote what, and the answer drafted but not published yet.
    let entries = world.entries(Role::Coordinator, None).await;
    assert_eq!(one(&entries, OVERDUE)["authorName"], "Martine Roussel");
    assert_eq!(one(&entries, AMENDED)["authorName"], "Karim Benali");
    let answered = one(&entries, ANSWERED);
    assert_eq!(answered["authorName"], Value::Null);
    assert_eq!(answered["anonymous"], true);
    assert_eq!(answered["anonymousCommune"], "Sète");
    assert_eq!(
        one(&entries, PENDING)["anonymousCommune"],
        "Balaruc-les-Bains"
    );
    assert!(entries.iter().all(|e| e["mine"] == false), "{entries:?}");
    let drafted = one(&entries, LATE);
    assert_eq!(drafted["decision"]["id"], DECISION.to_string());
    assert_eq!(drafted["disposition"], "PARTLY_RETAINED");
    assert_eq!(drafted["publishedOn"], Value::Null);
    assert_eq!(drafted["standing"], "OVERDUE");

    // Martine sees every contribution, hers marked as hers, nobody's name or commune, and only
    // the answers published.
    let entries = world.entries(Role::Representative, Some(martine())).await;
    assert_eq!(entries.len(), 6);
    let mine: Vec<String> = entries
        .iter()
        .filter(|e| e["mine"] == true)
        .map(|e| e["contributionId"].as_str().expect("an id").to_owned())
        .collect();
    assert_eq!(
        mine,
        [OVERDUE, WITHDRAWN, LATE].map(|c| c.to_string()).to_vec()
    );
    assert!(
        entries
            .iter()
            .all(|e| e["authorName"].is_null() && e["anonymousCommune"].is_null()),
        "{entries:?}"
    );
    assert_eq!(one(&entries, AMENDED)["anonymous"], false);
    let drafted = one(&entries, LATE);
    assert_eq!(drafted["decision"], Value::Null);
    assert_eq!(drafted["disposition"], Value::Null);
    assert_eq!(drafted["rationale"], Value::Null);
    assert_eq!(drafted["standing"], "OVERDUE");
    let answered = one(&entries, ANSWERED);
    assert_eq!(answered["disposition"], "RETAINED");
    assert_eq!(answered["publishedOn"], "2026-07-15");

    // Another CPTS's coordinator, a caller without a token, and an id of nothing: not found,
    // the same answer for each.
    let workshop = page_of(&WORKSHOP.to_string());
    let elsewhere = world
        .run_in(
            CommunityId(Uuid::new_v4()),
            Role::Coordinator,
            None,
            PAGE,
            workshop.clone(),
        )
        .await;
    assert_eq!(error_code(&elsewhere), "NOT_FOUND");
    assert!(elsewhere.data.into_json().expect("JSON").is_null());
    let public = world.as_public(PAGE, workshop).await;
    assert_eq!(error_code(&public), "NOT_FOUND");
    let unknown = world
        .run_in(
            community(),
            Role::Coordinator,
            None,
            PAGE,
            page_of(&Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(error_code(&unknown), "NOT_FOUND");
    assert_eq!(elsewhere.errors[0].message, unknown.errors[0].message);
}

async fn the_csv_is_in_the_language_asked_and_runs_no_formula(world: World) {
    let data = world
        .ok(Role::Coordinator, None, CSV, page_of(&WORKSHOP.to_string()))
        .await;
    let french = data["consultation"]["fr"].as_str().expect("a CSV");
    let english = data["consultation"]["en"].as_str().expect("a CSV");
    let lines: Vec<&str> = french.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 7, "a header and six contributions: {french}");
    assert_eq!(
        lines[0],
        "Contribution,Auteur,Anonyme,Commune,Nature,Texte,Soumise le,Reçue en retard le,\
         Motif de l'acceptation en retard,Modifiée le,Motif de la modification,Retirée le,\
         Motif du retrait,Réponse due le,Situation,Décision,Suite donnée,\
         Motif de la suite donnée,Réponse publiée le"
    );
    let english_header = english.split("\r\n").next().expect("a header");
    assert!(
        english_header.starts_with("Contribution,Author,Anonymous,Commune,Kind,Text,Submitted on,"),
        "{english_header}"
    );
    assert!(english_header.ends_with(",Answer published on"));

    // The inhabitant's text stays text: the cell begins with an apostrophe.
    let answered = lines
        .iter()
        .find(|l| l.starts_with(&ANSWERED.to_string()))
        .expect("the answered contribution's line");
    assert_eq!(
        *answered,
        format!(
            "{ANSWERED},,oui,Sète,Avis,'{FORMULA},2026-06-08,,,,,,,2026-07-30,Répondu à temps,\
             Tour de garde des pharmacies,Retenue,Le tour de garde couvre tout le bassin.,2026-07-15"
        )
    );
    assert!(!french.contains(&format!(",{FORMULA}")), "{french}");
    assert!(!english.contains(&format!(",{FORMULA}")), "{english}");

    // Standings and dispositions by their labels, in each language; the late one with its
    // reception and reason (quoted, for its comma).
    let late = lines
        .iter()
        .find(|l| l.starts_with(&LATE.to_string()))
        .expect("the late contribution's line");
    assert_eq!(
        *late,
        format!(
            "{LATE},Martine Roussel,non,,Témoignage,\"Le dimanche, la pharmacie de garde est \
             introuvable.\",2026-07-03,2026-07-03,\"{LATE_REASON}\",,,,,2026-08-02,\
             \"Sans réponse, échéance dépassée\",Tour de garde des pharmacies,\
             Partiellement retenue,Le dimanche matin seulement.,"
        )
    );
    assert!(english.contains(",Answered on time,"), "{english}");
    assert!(
        english.contains(",\"Awaiting, within the deadline\","),
        "{english}"
    );
    assert!(english.contains(",Retained,"), "{english}");

    // The spreadsheet holds the same cells, each a text: the formula is never one.
    let data = world
        .ok(Role::Coordinator, None, ODS, page_of(&WORKSHOP.to_string()))
        .await;
    let bytes = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(data["consultation"]["ods"].as_str().expect("base64"))
            .expect("decodes")
    };
    let book = spreadsheet_ods::read_ods_buf(&bytes).expect("an OpenDocument spreadsheet");
    let sheet = book.sheet(0);
    assert_eq!(sheet.value(0, 0).as_str_or(""), "Contribution");
    assert_eq!(sheet.value(0, 18).as_str_or(""), "Réponse publiée le");
    let row = (1..=6)
        .find(|r| sheet.value(*r, 0).as_str_or("") == ANSWERED.to_string())
        .expect("the answered contribution's row");
    assert!(
        matches!(sheet.value(row, 5), spreadsheet_ods::Value::Text(text) if text == FORMULA),
        "{:?}",
        sheet.value(row, 5)
    );
    assert_eq!(sheet.value(row, 14).as_str_or(""), "Répondu à temps");
    assert_eq!(
        sheet.value(7, 0).as_str_or(""),
        "",
        "six contributions, no more"
    );

    // A representative's file names nobody, as their page does.
    let data = world
        .ok(
            Role::Representative,
            Some(martine()),
            CSV,
            page_of(&WORKSHOP.to_string()),
        )
        .await;
    let theirs = data["consultation"]["fr"].as_str().expect("a CSV");
    assert!(!theirs.contains("Martine Roussel"), "{theirs}");
    assert!(!theirs.contains("Sète"), "{theirs}");
}

#[tokio::test]
async fn every_contribution_is_listed_with_its_standing_and_due_date_on_sqlite() {
    every_contribution_is_listed_with_its_standing_and_due_date(world(sqlite_db()).await).await;
}

#[tokio::test]
async fn every_contribution_is_listed_with_its_standing_and_due_date_on_postgres() {
    every_contribution_is_listed_with_its_standing_and_due_date(world(postgres_db().await).await)
        .await;
}

#[tokio::test]
async fn each_caller_sees_what_their_role_allows_on_sqlite() {
    each_caller_sees_what_their_role_allows(world(sqlite_db()).await).await;
}

#[tokio::test]
async fn each_caller_sees_what_their_role_allows_on_postgres() {
    each_caller_sees_what_their_role_allows(world(postgres_db().await).await).await;
}

#[tokio::test]
async fn the_csv_is_in_the_language_asked_and_runs_no_formula_on_sqlite() {
    the_csv_is_in_the_language_asked_and_runs_no_formula(world(sqlite_db()).await).await;
}

#[tokio::test]
async fn the_csv_is_in_the_language_asked_and_runs_no_formula_on_postgres() {
    the_csv_is_in_the_language_asked_and_runs_no_formula(world(postgres_db().await).await).await;
}
