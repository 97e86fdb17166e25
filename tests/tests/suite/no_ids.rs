//! No raw id is shown to a person: the coordinator's digest e-mail and the dashboard's list of
//! answers due name each contribution by its consultation's subject, its author, its text and
//! its dates, including the overdue contributions that no decision took up yet.

use std::net::SocketAddr;
use std::sync::Arc;

use cpts_domain::access::Role;
use cpts_domain::ids::CommunityId;
use cpts_domain::values::Lang;
use cpts_ledger::demo::id_of;
use cpts_ledger::notify::digest;
use cpts_ledger::service::Ledger;
use cpts_ledger::{app, tokens};
use cpts_ledger_tests::notify::record_scenario_unanswered;
use cpts_ledger_tests::{open_store, postgres_db};
use serde_json::{json, Value};

const AS_OF: &str = "2026-07-15";
const PERIMETER: &str = "Périmètre de la CPTS : où les habitants se soignent-ils au quotidien ?";
const WORKSHOP: &str =
    "Atelier : quelles actions prioritaires pour les personnes vivant avec un diabète ?";
const HOURS: &str = "Horaires de la maison de santé de Mèze";

/// The first text that reads as a UUID (8-4-4-4-12 hex digits), if any.
fn uuid_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let groups = [8, 4, 4, 4, 12];
    let length = 36;
    (0..chars.len().saturating_sub(length - 1)).find_map(|start| {
        if start > 0 && chars[start - 1].is_ascii_hexdigit() {
            return None;
        }
        let mut i = start;
        for (n, &size) in groups.iter().enumerate() {
            if n > 0 {
                if chars.get(i) != Some(&'-') {
                    return None;
                }
                i += 1;
            }
            if !(i..i + size).all(|k| chars.get(k).is_some_and(char::is_ascii_hexdigit)) {
                return None;
            }
            i += size;
        }
        Some(chars[start..i].iter().collect())
    })
}

#[test]
fn the_scan_finds_a_uuid_and_only_a_uuid() {
    assert_eq!(
        uuid_in("lien https://x/#/decision/0b0e6c4e-8f61-4a5e-9d1b-0f6c2f7d9e11 ici").as_deref(),
        Some("0b0e6c4e-8f61-4a5e-9d1b-0f6c2f7d9e11")
    );
    assert_eq!(uuid_in("le 12 avril 2026, 2026-04-12, 34301-34-1"), None);
}

/// The demo with no answer published, and a consultation of June that no decision took up,
/// with a member's and an anonymous inhabitant's contributions: served over HTTP, with the
/// coordinator's and a representative's tokens.
struct Setting {
    _db: cpts_ledger_tests::TestDb,
    ledger: Arc<Ledger>,
    url: String,
    coordinator: String,
    representative: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn setting() -> Setting {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    record_scenario_unanswered(&ledger).await;
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let coordinator = tokens::create(&repo, community, Role::Coordinator, None, "coordination")
        .await
        .expect("token")
        .secret;
    let martine = cpts_domain::ids::MemberId(id_of("member", "martine-roussel"));
    let representative = tokens::create(
        &repo,
        community,
        Role::Representative,
        Some(martine),
        "Martine",
    )
    .await
    .expect("token")
    .secret;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let server = app::start(ledger.clone(), listen, async {
        stopped.await.ok();
    })
    .await
    .expect("service starts");
    let setting = Setting {
        _db: db,
        ledger,
        url: format!("http://{}/graphql", server.addr),
        coordinator,
        representative,
        _stop: stop,
    };
    let consultation = uuid::Uuid::new_v4().to_string();
    setting
        .ok(
            "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId } }",
            json!({ "input": { "id": consultation, "communityId": community.to_string(), "subject": HOURS,
                "moment": "DIAGNOSIS", "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "habitants",
                "method": "QUESTIONNAIRE", "opensOn": "2026-06-01", "closesOn": "2026-06-20", "answerWithinDays": 10 } }),
        )
        .await;
    for (member, commune, text, on) in [
        (
            Some(martine.0.to_string()),
            None,
            "Ouvrir le samedi matin, une semaine sur deux.",
            "2026-06-03",
        ),
        (
            None,
            Some("Mèze"),
            "Le soir après 19 heures, personne ne répond au téléphone.",
            "2026-06-09",
        ),
    ] {
        setting
            .ok(
                "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { aggregateId } }",
                json!({ "input": { "consultationId": consultation, "contributionId": uuid::Uuid::new_v4().to_string(),
                    "memberId": member, "anonymousCommune": commune, "kind": "OPINION", "text": text, "submittedOn": on } }),
            )
            .await;
    }
    setting
}

impl Setting {
    async fn send(&self, token: &str, query: &str, variables: Value) -> Value {
        reqwest::Client::new()
            .post(&self.url)
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent")
            .json()
            .await
            .expect("a JSON answer")
    }

    async fn ok(&self, query: &str, variables: Value) -> Value {
        let answer = self.send(&self.coordinator, query, variables).await;
        assert!(answer.get("errors").is_none(), "{answer}");
        answer["data"].clone()
    }
}

#[tokio::test]
async fn the_digest_and_the_list_of_answers_due_name_every_contribution_without_an_id() {
    let setting = setting().await;
    let db = setting.ledger.projector().db();
    let community = id_of("community", "cpts-val-de-letang").to_string();
    let as_of: chrono::NaiveDate = AS_OF.parse().expect("date");

    // The digest e-mail, in French and in English: subjects, authors, dates written out, the
    // decision where each is answered or that none took it up yet, the link; never an id.
    let french = digest::render(db, &community, as_of, 7, "https://cpts.example", Lang::Fr)
        .await
        .expect("the digest renders")
        .expect("contributions wait");
    let english = digest::render(db, &community, as_of, 7, "https://cpts.example", Lang::En)
        .await
        .expect("the digest renders")
        .expect("contributions wait");
    for (subject, body) in [&french, &english] {
        assert_eq!(uuid_in(subject), None, "{subject}");
        assert_eq!(uuid_in(body), None, "{body}");
        for words in [
            PERIMETER,
            WORKSHOP,
            HOURS,
            "Martine Roussel",
            "Ouvrir le samedi matin",
            "https://cpts.example/#/",
        ] {
            assert!(body.contains(words), "{words} in {body}");
        }
    }
    let (subject, body) = &french;
    assert_eq!(
        subject,
        "CPTS du Val de l'Étang : réponses en attente au 15 juillet 2026"
    );
    for words in [
        "Sans réponse, échéance dépassée (16)",
        "Échéance proche (5)",
        "(auteur : Martine Roussel), reçue le 5 février 2026, réponse due le 12 avril 2026",
        "(auteur : un habitant de Sète)",
        "(auteur : un habitant de Mèze), reçue le 9 juin 2026, réponse due le 30 juin 2026",
        "À répondre dans la décision « Périmètre de la CPTS du Val de l'Étang ».",
        "Aucune décision n'a encore repris sa consultation",
    ] {
        assert!(body.contains(words), "{words} in {body}");
    }
    assert!(!body.contains("2026-04-12"), "no ISO date: {body}");
    let (_, body) = &english;
    for words in [
        "received on 5 February 2026, answer due by 12 April 2026",
        "(author: an inhabitant of Mèze)",
        "No decision has taken up its consultation yet",
    ] {
        assert!(body.contains(words), "{words} in {body}");
    }

    // What the dashboard's lists show: the same contributions, each with its subject, author,
    // text and dates, and the decisions where it is answered (none for June's).
    const DUE: &str = "query($asOf: NaiveDate) { answersDue(asOf: $asOf, withinDays: 7) { subject author authorEn text
        submittedOn answerDeadline standing daysLate decisions { id title } } }";
    let data = setting.ok(DUE, json!({ "asOf": AS_OF })).await;
    let due = data["answersDue"].as_array().expect("a list");
    assert_eq!(due.len(), 21, "14 + 2 overdue, 5 near: {data}");
    for d in due {
        for field in [
            "subject",
            "author",
            "authorEn",
            "text",
            "submittedOn",
            "answerDeadline",
        ] {
            let value = d[field].as_str().unwrap_or("");
            assert!(!value.is_empty(), "{field} of {d}");
            assert_eq!(uuid_in(value), None, "{field} of {d}");
        }
    }
    let hours: Vec<&Value> = due.iter().filter(|d| d["subject"] == HOURS).collect();
    assert_eq!(hours.len(), 2, "{data}");
    assert!(hours.iter().all(|d| d["standing"] == "OVERDUE"
        && d["daysLate"] == 15
        && d["decisions"].as_array().is_some_and(Vec::is_empty)));
    assert_eq!(hours[0]["author"], "Martine Roussel");
    assert_eq!(hours[1]["author"], "un habitant de Mèze");
    assert_eq!(hours[1]["authorEn"], "an inhabitant of Mèze");
    assert_eq!(
        hours[1]["text"],
        "Le soir après 19 heures, personne ne répond au téléphone."
    );
    let perimeter = due
        .iter()
        .find(|d| d["subject"] == PERIMETER)
        .expect("the perimeter's contributions");
    assert_eq!(
        perimeter["decisions"][0]["title"],
        "Périmètre de la CPTS du Val de l'Étang"
    );

    // Names are for staff: a representative is refused.
    let refused = setting
        .send(&setting.representative, DUE, json!({ "asOf": AS_OF }))
        .await;
    assert!(refused.get("errors").is_some(), "{refused}");
}
