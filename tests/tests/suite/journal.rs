//! The Journal as a coordinator reads it: every event named in French from the catalogue, the
//! record it touched and who acted named in words (a member's name, « le service », a token's
//! label), times in the CPTS's time zone, and no id in what a person reads; a form's
//! confirmation says the same words.

use std::collections::BTreeSet;

use chrono::DateTime;
use cpts_domain::access::Role;
use cpts_domain::ids::CommunityId;
use cpts_domain::texts;
use cpts_domain::values::Lang;
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger::tokens;
use cpts_ledger_tests::service::Service;
use serde_json::{json, Value};

const PAGE: &str = "query($after: String) { timeline(first: 100, after: $after) { hasNextPage endCursor timeZone entries {
    position aggregateType aggregateId eventType actor recordedAt recordedAtLocal
    label labelEn recordName actorName actorNameEn about aboutEn summary summaryEn } } }";

/// Whether a text holds a UUID written the usual way (8-4-4-4-12 hex digits).
fn holds_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(36).any(|w| {
        w.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
    })
}

/// The demo's CPTS on a running service, with a coordinator's token labelled « coordination ».
async fn demo_service() -> (Service, String, CommunityId) {
    let service = Service::start().await;
    let ledger = Ledger::new(service.repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let token = tokens::create(
        &service.repo,
        community,
        Role::Coordinator,
        None,
        "coordination",
    )
    .await
    .expect("token created")
    .secret;
    (service, token, community)
}

async fn whole_timeline(service: &Service, token: &str) -> (Vec<Value>, String) {
    let mut entries = vec![];
    let mut after: Option<String> = None;
    loop {
        let (status, body) = service
            .send_as(Some(token), PAGE, json!({ "after": after }))
            .await;
        assert_eq!(status, 200);
        assert!(body.get("errors").is_none(), "{body}");
        let page = &body["data"]["timeline"];
        entries.extend(page["entries"].as_array().expect("entries").iter().cloned());
        if page["hasNextPage"] != true {
            let zone = page["timeZone"].as_str().expect("a zone").to_owned();
            return (entries, zone);
        }
        after = page["endCursor"].as_str().map(str::to_owned);
    }
}

#[tokio::test]
async fn the_demo_s_journal_names_events_records_and_people_in_french_without_an_id() {
    let (service, token, community) = demo_service().await;

    // A command sent with the token: the Journal names the token by its label, and the
    // confirmation says what the Journal says.
    let (_, body) = service
        .send_as(
            Some(&token),
            "mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { aggregateId summary summaryEn } }",
            json!({ "input": { "communityId": community.to_string(), "subject": "Horaires de la maison de santé de Mèze",
                "moment": "EVALUATION", "mission": "ACCESS_TO_CARE", "rung": "CONSULT", "audience": "habitants",
                "method": "WORKSHOP", "opensOn": "2026-12-01", "closesOn": "2026-12-20", "answerWithinDays": 30 } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let opened = &body["data"]["openConsultation"];
    assert_eq!(
        opened["summary"],
        json!(["Consultation ouverte : Horaires de la maison de santé de Mèze"])
    );
    assert_eq!(
        opened["summaryEn"],
        json!(["Consultation opened: Horaires de la maison de santé de Mèze"])
    );

    let (entries, zone) = whole_timeline(&service, &token).await;
    assert!(entries.len() > 100, "the whole demo: {}", entries.len());
    assert_eq!(zone, "Europe/Paris");

    let mut types = BTreeSet::new();
    let mut actors = BTreeSet::new();
    let mut records = BTreeSet::new();
    for e in &entries {
        let event_type = e["eventType"].as_str().expect("a type");
        types.insert(event_type.to_owned());
        let label = e["label"].as_str().expect("a label");
        let label_en = e["labelEn"].as_str().expect("an English label");
        assert_ne!(label, event_type, "{event_type} has a French name");
        assert_ne!(label_en, event_type, "{event_type} has an English name");
        for field in [
            "label",
            "labelEn",
            "recordName",
            "actorName",
            "actorNameEn",
            "summary",
            "summaryEn",
        ] {
            let text = e[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} of {e}"));
            assert!(!text.is_empty(), "{field} of {e}");
            assert!(!holds_uuid(text), "{field} shows an id: {text}");
        }
        for field in ["about", "aboutEn"] {
            if let Some(text) = e[field].as_str() {
                assert!(!holds_uuid(text), "{field} shows an id: {text}");
            }
        }
        // The same moment, written in the CPTS's time: Paris is one or two hours ahead.
        let utc =
            DateTime::parse_from_rfc3339(e["recordedAt"].as_str().expect("utc")).expect("RFC 3339");
        let local = e["recordedAtLocal"].as_str().expect("local");
        assert!(
            local.ends_with("+01:00") || local.ends_with("+02:00"),
            "{local}"
        );
        let local = DateTime::parse_from_rfc3339(local).expect("RFC 3339");
        assert_eq!(local.timestamp(), utc.timestamp(), "the same second");
        actors.insert(e["actorName"].as_str().expect("actor").to_owned());
        records.insert(e["recordName"].as_str().expect("record").to_owned());
    }

    // French names from the catalogue, for every type the demo records.
    let by_type = |t: &str| {
        entries
            .iter()
            .find(|e| e["eventType"] == t)
            .unwrap_or_else(|| panic!("the demo records {t}"))
    };
    assert_eq!(
        by_type("ContributionSubmitted")["label"],
        "Contribution déposée"
    );
    assert_eq!(by_type("AnswerDrafted")["label"], "Réponse rédigée");
    assert_eq!(by_type("AnswerDrafted")["labelEn"], "Answer drafted");
    assert_eq!(by_type("MemberAdmitted")["label"], "Membre admis");

    // Records by name: the CPTS, a member, an association, a consultation, a decision.
    for name in [
        "CPTS du Val de l'Étang",
        "Martine Roussel",
        "Association Diabète Thau Littoral",
        "Périmètre de la CPTS : où les habitants se soignent-ils au quotidien ?",
        "Périmètre de la CPTS du Val de l'Étang",
        "Horaires de la maison de santé de Mèze",
    ] {
        assert!(records.contains(name), "{name} among {records:?}");
    }
    // Who acted: the service, the coordinator by her name, a representative, the token.
    for name in [
        "le service",
        "Sophie Marty",
        "Martine Roussel",
        "jeton « coordination »",
    ] {
        assert!(actors.contains(name), "{name} among {actors:?}");
    }
    let last = entries.last().expect("an entry");
    assert_eq!(last["actorName"], "jeton « coordination »");
    assert_eq!(last["actorNameEn"], "token \"coordination\"");

    // An answer names the contribution it answers: its author and its consultation.
    let answer = entries
        .iter()
        .filter(|e| e["eventType"] == "AnswerDrafted")
        .filter_map(|e| e["summary"].as_str())
        .find(|s| s.contains("Martine Roussel"))
        .expect("an answer to Martine Roussel");
    let about = entries
        .iter()
        .find(|e| e["summary"] == answer)
        .map(|e| e["about"].clone());
    assert_eq!(
        about,
        Some(json!("la contribution de Martine Roussel à « Périmètre de la CPTS : où les habitants se soignent-ils au quotidien ? »"))
    );
    assert_eq!(
        answer,
        "Réponse rédigée pour la contribution de Martine Roussel à « Périmètre de la CPTS : où les habitants se soignent-ils au quotidien ? »"
    );

    // Every event type of the domain has a name in both languages, not only those the demo
    // records.
    for event_type in cpts_domain::event_types() {
        let key = format!("event-{event_type}");
        for lang in [Lang::Fr, Lang::En] {
            assert!(
                texts::keys(lang).contains(&key),
                "{key} is missing from the {lang:?} catalogue"
            );
        }
    }
    assert!(types.len() > 15, "the demo records many kinds: {types:?}");

    // A representative's confirmation names no one: she reads no names but her own record's.
    let martine = id_of("member", "martine-roussel").to_string();
    let representative = tokens::create(
        &service.repo,
        community,
        Role::Representative,
        Some(cpts_domain::ids::MemberId(
            martine.parse().expect("a member id"),
        )),
        "martine",
    )
    .await
    .expect("token created")
    .secret;
    let (_, body) = service
        .send_as(
            Some(&representative),
            "mutation($input: SubmitContributionInput!) { submitContribution(input: $input) { summary } }",
            json!({ "input": { "consultationId": opened["aggregateId"], "memberId": martine, "kind": "OPINION",
                "text": "Ouvrir le samedi matin.", "submittedOn": "2026-12-02" } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["submitContribution"]["summary"],
        json!([
            "Contribution déposée : une contribution à « Horaires de la maison de santé de Mèze »"
        ])
    );
}

#[test]
fn the_uuid_finder_finds_ids_and_lets_names_pass() {
    assert!(holds_uuid("member:8c1f6a3e-7b4d-5e2a-9c0f-1d2e3f4a5b6c"));
    assert!(!holds_uuid("jeton « coordination »"));
    assert!(!holds_uuid("2026-12-03T11:31:00+01:00"));
}

/// The names of a page's records, contributions and tokens, read the same way on both
/// backends: sealed names and labels opened, another CPTS's records left unnamed.
async fn names_are_read_in_one_go(url: &str) {
    let repo = cpts_ledger_tests::open_store(url).await.expect("store");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let token = tokens::create(
        &repo,
        community,
        Role::Auditor,
        None,
        "Commissaire aux comptes",
    )
    .await
    .expect("token");
    let stranger = tokens::create(
        &repo,
        CommunityId(uuid::Uuid::new_v4()),
        Role::Auditor,
        None,
        "Ailleurs",
    )
    .await
    .expect("token");
    let p01 = id_of("contribution", "p01").to_string();
    let names = cpts_projections::listing::names(
        repo.db(),
        &community.to_string(),
        &[
            id_of("member", "martine-roussel").to_string(),
            id_of("decision", "d-perimetre").to_string(),
            id_of("association", "adtl").to_string(),
            community.to_string(),
        ],
        std::slice::from_ref(&p01),
        &[token.token_id.to_string(), stranger.token_id.to_string()],
    )
    .await
    .expect("names read");
    let mut records: Vec<&str> = names.records.values().map(String::as_str).collect();
    records.sort_unstable();
    assert_eq!(
        records,
        [
            "Association Diabète Thau Littoral",
            "CPTS du Val de l'Étang",
            "Martine Roussel",
            "Périmètre de la CPTS du Val de l'Étang"
        ]
    );
    assert_eq!(
        names.tokens.values().collect::<Vec<_>>(),
        ["Commissaire aux comptes"],
        "another CPTS's token has no name here"
    );
    let contribution = names.contributions.get(&p01).expect("p01 named");
    assert_eq!(contribution.author_name.as_deref(), Some("Martine Roussel"));
    assert!(contribution.subject.starts_with("Périmètre de la CPTS : "));
}

#[tokio::test]
async fn names_are_read_in_one_go_on_postgres() {
    let db = cpts_ledger_tests::postgres_db().await;
    names_are_read_in_one_go(db.url()).await;
}

#[tokio::test]
async fn names_are_read_in_one_go_on_sqlite() {
    let db = cpts_ledger_tests::sqlite_db();
    names_are_read_in_one_go(db.url()).await;
}
