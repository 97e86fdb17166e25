//! Questionnaire import: a coordinator previews an online questionnaire's CSV export, imports
//! its 500 responses as contributions (each with the file's hash and its row), imports the same
//! file again and nothing is added, then a later export and only its new responses are. A file
//! with one wrong row records nothing; only a coordinator imports.

use std::sync::Arc;

use cpts_domain::access::Role;
use cpts_domain::ids::{CommunityId, ConsultationId, MemberId};
use cpts_graphql::port::LedgerPort;
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const SURVEY: ConsultationId = ConsultationId(Uuid::from_u128(0x5e7e_0001));
const PREVIEW: &str = "query($input: QuestionnaireInput!) { questionnairePreview(input: $input) {
    fileSha256 headers headerLine rows new alreadyRecorded skipped wrong
    mapping { textColumns dateColumn communeColumn responseColumn }
    sample { line status response submittedOn commune text error errorEn } } }";
const IMPORT: &str = "mutation($input: QuestionnaireInput!) { importQuestionnaire(input: $input) {
    aggregateId recorded alreadyRecorded skipped summary summaryEn } }";
const ENTRIES: &str = "query($id: ID!) { consultation(id: $id) { contributions entries {
    text submittedOn anonymous anonymousCommune kind imported { format fileSha256 line response } } } }";

fn community() -> CommunityId {
    CommunityId(id_of("community", "cpts-val-de-letang"))
}

/// A LimeSurvey export of `responses` numbered from `first`, dated over March to May 2026, with
/// one response never sent and one sent without an answer after them.
fn limesurvey(first: u32, responses: u32) -> String {
    let mut csv = String::from(
        "\u{feff}\"id\",\"submitdate\",\"lastpage\",\"startlanguage\",\"seed\",\"startdate\",\
         \"G01Q01\",\"G01Q02\",\"Votre commune\"\n",
    );
    let communes = ["Sète", "Frontignan", "Balaruc-les-Bains", "Mèze"];
    for id in first..first + responses {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
            + chrono::Days::new(u64::from(id % 90));
        csv.push_str(&format!(
            "\"{id}\",\"{day} 10:{:02}:00\",\"2\",\"fr\",\"{}\",\"{day} 09:58:00\",\
             \"Réponse {id} : il faudrait des consultations le soir, \"\"vraiment\"\".\",\
             \"{}\",\"{}\"\n",
            id % 60,
            id * 7,
            if id % 3 == 0 {
                ""
            } else {
                "Trop d'attente aux urgences."
            },
            communes[(id % 4) as usize],
        ));
    }
    let last = first + responses;
    csv.push_str(&format!(
        "\"{last}\",\"\",\"1\",\"fr\",\"1\",\"2026-04-01 10:00:00\",\"Abandonnée\",\"\",\"\"\n"
    ));
    csv.push_str(&format!(
        "\"{}\",\"2026-04-02 10:00:00\",\"2\",\"fr\",\"2\",\"2026-04-02 09:00:00\",\"\",\"\",\"Sète\"\n",
        last + 1
    ));
    csv
}

fn input(csv: &str) -> Value {
    json!({ "input": { "consultationId": SURVEY.to_string(), "csv": csv, "format": "LIMESURVEY" } })
}

fn hex_sha256(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    hex::encode(Sha256::digest(text.as_bytes()))
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

    async fn ok(&self, query: &str, variables: Value) -> Value {
        let response = self.run(Role::Coordinator, None, query, variables).await;
        assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
        response.data.into_json().expect("JSON")
    }

    async fn entries(&self) -> Vec<Value> {
        let data = self.ok(ENTRIES, json!({ "id": SURVEY.to_string() })).await;
        data["consultation"]["entries"]
            .as_array()
            .expect("entries")
            .clone()
    }
}

/// The demo's CPTS and an online questionnaire open from March to May 2026, on SQLite.
async fn world() -> World {
    world_on(sqlite_db()).await
}

async fn world_on(db: cpts_ledger_tests::TestDb) -> World {
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("demo recorded");
    let world = World { _db: db, ledger };
    world
        .ok(
            "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }",
            json!({ "input": {
                "id": SURVEY.to_string(), "communityId": community().to_string(),
                "subject": "Questionnaire sur l'accès aux soins", "moment": "DIAGNOSIS",
                "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "habitants",
                "method": "QUESTIONNAIRE", "opensOn": "2026-03-01", "closesOn": "2026-05-31",
                "answerWithinDays": 60 } }),
        )
        .await;
    world
}

#[tokio::test]
async fn five_hundred_responses_are_imported_once_and_appear_on_the_consultation_page() {
    five_hundred_responses(world().await).await;
}

#[tokio::test]
async fn five_hundred_responses_are_imported_once_on_postgres_too() {
    five_hundred_responses(world_on(postgres_db().await).await).await;
}

async fn five_hundred_responses(world: World) {
    let csv = limesurvey(1, 500);
    let sha = hex_sha256(&csv);

    // The preview: the mapping LimeSurvey's columns suggest, and what each row gives.
    let data = world.ok(PREVIEW, input(&csv)).await;
    let preview = &data["questionnairePreview"];
    assert_eq!(preview["fileSha256"], sha.as_str());
    assert_eq!(preview["rows"], 502);
    assert_eq!(preview["new"], 500);
    assert_eq!(preview["skipped"], 2);
    assert_eq!(preview["wrong"], 0);
    assert_eq!(preview["alreadyRecorded"], 0);
    assert_eq!(
        preview["mapping"],
        json!({ "textColumns": ["G01Q01", "G01Q02"], "dateColumn": "submitdate",
                "communeColumn": "Votre commune", "responseColumn": "id" })
    );
    let first = &preview["sample"][0];
    assert_eq!(first["line"], 2);
    assert_eq!(first["status"], "NEW");
    assert_eq!(first["submittedOn"], "2026-03-02");
    assert_eq!(first["commune"], "Frontignan");
    assert_eq!(
        first["text"],
        "G01Q01 : Réponse 1 : il faudrait des consultations le soir, \"vraiment\".\n\n\
         G01Q02 : Trop d'attente aux urgences."
    );

    // The import records every response, in one command.
    let data = world.ok(IMPORT, input(&csv)).await;
    let done = &data["importQuestionnaire"];
    assert_eq!(done["aggregateId"], SURVEY.to_string());
    assert_eq!(done["recorded"], 500);
    assert_eq!(done["alreadyRecorded"], 0);
    assert_eq!(done["skipped"], 2);
    assert_eq!(
        done["summary"][0],
        "500 contributions importées du questionnaire (0 déjà enregistrées par un import précédent, 2 lignes sans réponse)."
    );

    // The consultation's page lists them, each with its source.
    let entries = world.entries().await;
    assert_eq!(entries.len(), 500);
    let third = entries
        .iter()
        .find(|e| e["imported"]["response"] == "3")
        .expect("response 3 is listed");
    assert_eq!(
        third["imported"],
        json!({ "format": "LIMESURVEY", "fileSha256": sha, "line": 4, "response": "3" })
    );
    assert_eq!(third["anonymous"], true);
    assert_eq!(third["anonymousCommune"], "Mèze");
    assert_eq!(third["kind"], "OPINION");
    assert_eq!(
        third["text"],
        "G01Q01 : Réponse 3 : il faudrait des consultations le soir, \"vraiment\"."
    );
    assert_eq!(third["submittedOn"], "2026-03-04");

    // The log holds the file's hash and the row of each.
    let events = world
        .ledger
        .events_of("consultation", SURVEY.0)
        .await
        .expect("events");
    assert_eq!(events.len(), 501);
    let last = &events.last().expect("an event").payload["ContributionSubmitted"]["imported"];
    assert_eq!(last["file_sha256"], sha.as_str());
    assert_eq!(last["row"], 501);
    assert_eq!(last["format"], "limesurvey");

    // The same file again: the preview says every row is on the record, the import adds nothing.
    let data = world.ok(PREVIEW, input(&csv)).await;
    assert_eq!(data["questionnairePreview"]["new"], 0);
    assert_eq!(data["questionnairePreview"]["alreadyRecorded"], 500);
    assert_eq!(
        data["questionnairePreview"]["sample"][0]["status"],
        "ALREADY_RECORDED"
    );
    let data = world.ok(IMPORT, input(&csv)).await;
    assert_eq!(data["importQuestionnaire"]["recorded"], 0);
    assert_eq!(data["importQuestionnaire"]["alreadyRecorded"], 500);
    assert_eq!(world.entries().await.len(), 500);
    let events = world
        .ledger
        .events_of("consultation", SURVEY.0)
        .await
        .expect("events");
    assert_eq!(events.len(), 501, "a second import records nothing");

    // A later export of the same questionnaire: its first 500 responses are known by number.
    let later = limesurvey(1, 510);
    let data = world.ok(IMPORT, input(&later)).await;
    assert_eq!(data["importQuestionnaire"]["recorded"], 10);
    assert_eq!(data["importQuestionnaire"]["alreadyRecorded"], 500);
    assert_eq!(world.entries().await.len(), 510);
}

#[tokio::test]
async fn a_file_with_a_wrong_row_records_nothing_and_says_which() {
    let world = world().await;
    let csv = "date;avis;commune\n2026-03-10;Plus de kinés;Sète\n2026-06-15;Trop tard;Mèze\nle 3 mars;Date illisible;Sète\n";
    let generic = |csv: &str| json!({ "input": { "consultationId": SURVEY.to_string(), "csv": csv, "format": "GENERIC" } });
    let data = world.ok(PREVIEW, generic(csv)).await;
    let preview = &data["questionnairePreview"];
    assert_eq!(preview["new"], 1);
    assert_eq!(preview["wrong"], 2);
    assert_eq!(preview["sample"][1]["status"], "WRONG");
    assert_eq!(
        preview["sample"][1]["error"],
        "La contribution est datée du 15 juin 2026, après le dernier jour de la consultation \
         (31 mai 2026). Si elle a été reçue après la clôture, un coordinateur peut l'enregistrer \
         comme reçue en retard, avec sa date de réception et un motif."
    );
    assert_eq!(
        preview["sample"][2]["error"],
        "« le 3 mars » n'est pas une date lisible (attendu : 2026-03-02 ou 02/03/2026)."
    );

    let response = world
        .run(Role::Coordinator, None, IMPORT, generic(csv))
        .await;
    let error = response.errors.first().expect("refused");
    assert!(
        error.message.starts_with(
            "2 lignes ne peuvent être importées ; rien n'a été enregistré. Ligne 3 : La contribution est datée du 15 juin 2026"
        ),
        "{}",
        error.message
    );
    assert!(world.entries().await.is_empty(), "nothing was recorded");

    // Not a CSV, no column for the text, a column that is not there: each says so.
    for (csv, mapping, expected) in [
        (
            "PK\u{3}\u{4}\u{0}\u{0}[Content_Types].xml",
            None,
            "Ce fichier n'est pas un fichier CSV",
        ),
        ("date,avis\n", None, "Le fichier ne contient aucune réponse"),
        (
            "date,avis\n2026-03-10,Oui\n",
            Some(json!({ "textColumns": ["opinion"], "dateColumn": "date" })),
            "Le fichier n'a pas de colonne « opinion ».",
        ),
        (
            "date,avis\n2026-03-10,Oui\n",
            Some(json!({ "textColumns": [], "dateColumn": "date" })),
            "Choisissez au moins une colonne de réponses",
        ),
    ] {
        let mut variables = generic(csv);
        variables["input"]["mapping"] = mapping.unwrap_or(Value::Null);
        let response = world.run(Role::Coordinator, None, PREVIEW, variables).await;
        let error = response.errors.first().expect("refused");
        assert!(
            error.message.starts_with(expected),
            "{csv}: {}",
            error.message
        );
    }
}

#[tokio::test]
async fn only_a_coordinator_imports_a_questionnaire() {
    let world = world().await;
    let csv = limesurvey(1, 3);
    let martine = MemberId(id_of("member", "martine-roussel"));
    for (role, member) in [
        (Role::Representative, Some(martine)),
        (Role::BoardMember, None),
        (Role::Auditor, None),
    ] {
        for query in [PREVIEW, IMPORT] {
            let response = world.run(role, member, query, input(&csv)).await;
            let code = response
                .errors
                .first()
                .and_then(|e| e.extensions.as_ref())
                .and_then(|e| e.get("code"))
                .map(|c| c.to_string());
            assert_eq!(code.as_deref(), Some("\"FORBIDDEN\""), "{role:?}: {query}");
        }
    }
    assert!(world.entries().await.is_empty());
}

#[tokio::test]
async fn a_consultation_closed_early_receives_no_response_dated_after_its_closing() {
    let world = world().await;
    world
        .ok(
            "mutation($input: CloseConsultationInput!) { closeConsultation(input: $input) { aggregateId } }",
            json!({ "input": { "consultationId": SURVEY.to_string(), "on": "2026-04-15" } }),
        )
        .await;
    let csv = "date,avis\n2026-04-10,Avant la clôture\n2026-04-20,Après la clôture anticipée\n";
    let variables = json!({ "input": { "consultationId": SURVEY.to_string(), "csv": csv, "format": "GENERIC" } });
    let data = world.ok(PREVIEW, variables.clone()).await;
    let preview = &data["questionnairePreview"];
    assert_eq!(
        (preview["new"].clone(), preview["wrong"].clone()),
        (json!(1), json!(1))
    );
    assert!(
        preview["sample"][1]["error"]
            .as_str()
            .expect("why")
            .contains("après le dernier jour de la consultation (15 avril 2026)"),
        "{preview}"
    );
    let response = world.run(Role::Coordinator, None, IMPORT, variables).await;
    assert!(
        !response.errors.is_empty(),
        "the import is refused as the preview said"
    );
    assert!(world.entries().await.is_empty());
}
