//! Consent in every copy of the record, and the right of access whole.
//!
//! Unsubscribing (from the link of an e-mail) and withdrawing an address (the person, or staff)
//! are events of the log: after an export and an import the person is still unsubscribed, the
//! contacts are rebuilt the same, nobody reads the address any more and no e-mail is sent for
//! an answer published later. `export-person` (and the coordinator's `personalData` query)
//! gives everything held about a person.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use cpts_domain::access::{Caller, Role};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::decision::DecisionCommand;
use cpts_domain::ids::{CommunityId, DecisionId, MemberId};
use cpts_domain::personal::ERASED;
use cpts_domain::texts::t;
use cpts_domain::values::Lang;
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::id_of;
use cpts_ledger::notify::deliver::Notifier;
use cpts_ledger::notify::NotifyConfig;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger_tests::notify::{
    expected_mails, free_port, record_scenario_unanswered, record_scenario_with_contacts,
    wait_until, SmtpSink,
};
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db};
use serde_json::{json, Value};

fn community() -> CommunityId {
    CommunityId(id_of("community", "cpts-val-de-letang"))
}

/// The contacts as the outbox derived them, in a stable order, addresses opened.
type ContactRow = (String, Option<String>, String, String, Option<String>);

async fn contacts(repo: &EventRepository) -> Vec<ContactRow> {
    let rows: Vec<ContactRow> = sqlx::query_as(
        "SELECT subject_id, email, lang, unsubscribe_token, unsubscribed_at FROM notify_contacts \
         ORDER BY subject_id",
    )
    .fetch_all(repo.pg_pool().expect("postgres"))
    .await
    .expect("contacts");
    let at_rest = repo.db().at_rest().expect("unlocked");
    rows.into_iter()
        .map(|(subject, email, lang, token, at)| {
            // Stored sealed: a copy of the database does not read it.
            assert!(
                !email.as_deref().is_some_and(|e| e.contains('@')),
                "{email:?}"
            );
            let email = at_rest
                .open_opt("notify_contacts.email", email.as_deref())
                .expect("an address opens");
            (subject, email, lang, token, at)
        })
        .collect()
}

fn email_of(rows: &[ContactRow], subject: &str) -> Option<String> {
    rows.iter()
        .find(|r| r.0 == subject)
        .and_then(|r| r.1.clone())
}

/// The HTTP service over a store, in this process (so with this process's master key), with
/// its notifications' feed; stopped when the sender is dropped.
async fn serve(repo: &EventRepository) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let ledger = Arc::new(Ledger::new(repo.clone()));
    let server = cpts_ledger::app::start_with(
        ledger,
        "127.0.0.1:0".parse().expect("address"),
        cpts_ledger::app::HttpOptions::default(),
        async {
            stopped.await.ok();
        },
    )
    .await
    .expect("service starts");
    (server.addr, stop)
}

/// One round of the outbox and the delivery worker, in this process.
async fn notify_round(repo: &EventRepository, smtp_port: Option<u16>) {
    let config = NotifyConfig {
        smtp_url: smtp_port.map(|port| format!("smtp://127.0.0.1:{port}")),
        public_url: "http://cpts.example".into(),
        ..NotifyConfig::default()
    };
    let projector = Arc::new(cpts_ledger::projector::Projector::new(repo.clone()));
    Notifier::new(repo.clone(), projector, config)
        .expect("notifier")
        .run_once()
        .await
        .expect("a round");
}

async fn graphql(addr: SocketAddr, token: &str, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a JSON body")
}

async fn token(
    repo: &EventRepository,
    role: Role,
    member: Option<MemberId>,
    label: &str,
) -> String {
    cpts_ledger::tokens::create(repo, community(), role, member, label)
        .await
        .expect("token")
        .secret
}

/// The e-mail address a member's record reads as now, in the log (as staff read it).
async fn logged_addresses(ledger: &Ledger, member: &str) -> Vec<String> {
    ledger
        .events_of("member", id_of("member", member))
        .await
        .expect("events")
        .iter()
        .filter(|e| e.event_type == "ContactSet")
        .filter_map(|e| e.payload["ContactSet"]["email"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn unsubscribed_and_withdrawn_stay_so_after_export_and_import_and_are_sent_nothing() {
    let source = postgres_db().await;
    let repo = open_store(source.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    record_scenario_unanswered(&ledger).await;
    notify_round(&repo, None).await;
    assert_eq!(
        contacts(&repo)
            .await
            .iter()
            .filter(|r| r.1.is_some())
            .count(),
        6
    );
    let (addr, _stop) = serve(&repo).await;
    let martine = id_of("member", "martine-roussel").to_string();
    let karim = id_of("member", "karim-benali").to_string();
    let julien = id_of("member", "julien-fabre").to_string();
    let p10 = id_of("contribution", "p10").to_string();
    let rows = contacts(&repo).await;
    let link = |subject: &str| {
        let token = &rows.iter().find(|r| r.0 == subject).expect("a contact").3;
        format!("http://{addr}/unsubscribe/{token}")
    };

    // Martine Roussel and the inhabitant of Sète unsubscribe with their links, no login; a
    // second click says it is done, and records nothing more.
    let http = reqwest::Client::new();
    for (subject, lang) in [(&martine, Lang::Fr), (&p10, Lang::En)] {
        let url = link(subject);
        for click in 0..2 {
            let page = http.post(&url).send().await.expect("POST");
            assert_eq!(page.status(), 200, "click {click}");
            let text = page.text().await.expect("page");
            assert!(text.contains(t(lang, "unsubscribe-done")), "{text}");
        }
    }
    let unsubscriptions = cpts_ledger_tests::log_envelopes(&repo)
        .await
        .iter()
        .filter(|e| {
            matches!(
                e.event_type.as_str(),
                "Unsubscribed" | "InhabitantUnsubscribed"
            )
        })
        .map(|e| (e.event_type.clone(), e.actor.to_metadata()))
        .collect::<Vec<_>>();
    assert_eq!(
        unsubscriptions,
        vec![
            ("Unsubscribed".to_owned(), "system".to_owned()),
            ("InhabitantUnsubscribed".to_owned(), "system".to_owned()),
        ]
    );

    // Karim Benali withdraws his own address; the coordinator withdraws Julien Fabre's.
    let karim_token = token(
        &repo,
        Role::Representative,
        Some(MemberId(karim.parse().expect("id"))),
        "k",
    )
    .await;
    let coordinator = token(&repo, Role::Coordinator, None, "c").await;
    let withdraw = "mutation($id: ID!) { withdrawContact(input: { memberId: $id }) \
                    { events { eventType } } }";
    for (who, member) in [(&karim_token, &karim), (&coordinator, &julien)] {
        let answer = graphql(addr, who, withdraw, json!({ "id": member })).await;
        assert_eq!(
            answer["data"]["withdrawContact"]["events"],
            json!([{ "eventType": "ContactWithdrawn" }]),
            "{answer}"
        );
    }
    // Nobody else withdraws someone's address, and no token unsubscribes anyone.
    let refused = graphql(addr, &karim_token, withdraw, json!({ "id": martine })).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");

    notify_round(&repo, None).await;
    let before = contacts(&repo).await;
    for subject in [&martine, &karim, &julien, &p10] {
        assert!(
            before
                .iter()
                .any(|r| &r.0 == subject && r.1.is_none() && r.4.is_some()),
            "{subject}: {before:?}"
        );
    }
    assert_eq!(
        email_of(&before, &id_of("member", "sophie-marty").to_string()).as_deref(),
        Some("sophie.marty@example.org"),
        "the others stay subscribed"
    );
    // Staff reading the log read the addresses as erased: their keys are gone.
    for member in ["martine-roussel", "karim-benali", "julien-fabre"] {
        assert_eq!(logged_addresses(&ledger, member).await, vec![ERASED]);
    }
    assert_eq!(
        logged_addresses(&ledger, "sophie-marty").await,
        vec!["sophie.marty@example.org"]
    );
    // Exported, then imported into a new database as `cpts-ledger import` does.
    let mut exported = Vec::new();
    cpts_ledger::backup::export(&repo, &mut exported)
        .await
        .expect("exported");
    let text = String::from_utf8(exported.clone()).expect("text");
    for address in [
        "martine.roussel@example.org",
        "karim.benali@example.org",
        "resident.sete@example.org",
    ] {
        assert!(!text.contains(address), "the export holds {address}");
    }
    let target = postgres_db().await;
    let restored = open_store(target.url()).await.expect("store opens");
    cpts_ledger::backup::import(&restored, exported.as_slice())
        .await
        .expect("imported");
    let projector = cpts_ledger::projector::Projector::new(restored.clone());
    projector.catch_up().await.expect("projected");
    cpts_ledger::notify::outbox::feed_quietly(&restored, projector.db())
        .await
        .expect("fed");
    assert_eq!(
        contacts(&restored).await,
        before,
        "the contacts are rebuilt the same from the log"
    );
    let restored_ledger = Ledger::new(restored.clone());
    for member in ["martine-roussel", "karim-benali", "julien-fabre"] {
        assert_eq!(
            logged_addresses(&restored_ledger, member).await,
            vec![ERASED]
        );
    }

    // The answers are published on the restored store: only those still subscribed are told.
    let folder = tempfile::tempdir().expect("folder");
    let sink = SmtpSink::start(folder.path(), free_port(), 0.0);
    let decisions: Vec<String> = sqlx::query_scalar("SELECT decision_id FROM proj_decisions")
        .fetch_all(restored.pg_pool().expect("postgres"))
        .await
        .expect("decisions");
    for decision in decisions {
        let command = AddressedCommand::Decision {
            id: DecisionId(decision.parse().expect("an id")),
            command: DecisionCommand::PublishAllAnswers {
                on: "2026-06-30".parse().expect("date"),
            },
        };
        let context = CommandContext {
            caller: Caller::Trusted(Actor::System),
            command_id: uuid::Uuid::new_v4(),
        };
        // A decision without a drafted answer has nothing to publish.
        let _ = restored_ledger.execute(command, context).await;
    }
    let silenced: BTreeSet<&str> = [
        "martine.roussel@example.org",
        "karim.benali@example.org",
        "julien.fabre@example.org",
        "resident.sete@example.org",
    ]
    .into();
    let expected: Vec<String> = expected_mails()
        .into_iter()
        .map(|m| m.to)
        .filter(|to| !silenced.contains(to.as_str()))
        .collect();
    assert!(!expected.is_empty());
    notify_round(&restored, Some(sink.port)).await;
    // Each e-mail was sent once the server accepted it: all are in its folder by now.
    assert!(
        wait_until(Duration::from_secs(10), || sink.mails().len()
            >= expected.len())
        .await,
        "{} e-mails of {} arrived",
        sink.mails().len(),
        expected.len()
    );
    let queued: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notify_outbox WHERE channel = 'email' AND status <> 'sent'",
    )
    .fetch_one(restored.pg_pool().expect("postgres"))
    .await
    .expect("count");
    assert_eq!(queued, 0, "no e-mail waits for anyone unsubscribed");
    let mut sent: Vec<String> = sink.mails().into_iter().map(|m| m.to).collect();
    sent.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(sent, expected);
}

/// Every event of the log whose actor is `actor`, by position.
async fn positions_by(repo: &EventRepository, actor: &str) -> Vec<u64> {
    cpts_ledger_tests::log_envelopes(repo)
        .await
        .iter()
        .filter(|e| e.actor.to_metadata() == actor)
        .map(|e| e.position)
        .collect()
}

fn positions(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|e| e["position"].as_u64().expect("a position"))
        .collect()
}

#[tokio::test]
async fn export_person_lists_every_event_the_coordinator_performed() {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    record_scenario_with_contacts(&ledger).await;
    // The outbox derives the contacts from the log (no SMTP server: nothing is sent).
    notify_round(&repo, None).await;
    let sophie = id_of("member", "sophie-marty");
    let document = cpts_ledger::personal::export_person(&ledger, MemberId(sophie))
        .await
        .expect("exported");
    assert_eq!(document["format"], "cpts-ledger-personal-data/1");
    let performed = positions(&document["events_performed"]);
    let in_the_log = positions_by(&repo, &format!("member:{sophie}")).await;
    assert!(in_the_log.len() > 50, "{}", in_the_log.len());
    assert_eq!(performed, in_the_log);
    assert!(document["events_performed"]
        .as_array()
        .expect("a list")
        .iter()
        .all(|e| e["actor"] == format!("member:{sophie}")));
    assert_eq!(
        document["contact"]["email"], "sophie.marty@example.org",
        "{}",
        document["contact"]
    );
}

#[tokio::test]
async fn a_representative_gets_their_contributions_contact_notifications_and_tokens() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    record_scenario_with_contacts(&ledger).await;
    // No SMTP server: the outbox is fed, the e-mails stay queued.
    notify_round(&repo, None).await;
    let martine = MemberId(id_of("member", "martine-roussel"));
    let secret = token(
        &repo,
        Role::Representative,
        Some(martine),
        "téléphone de Martine",
    )
    .await;

    let document = cpts_ledger::personal::export_person(&ledger, martine)
        .await
        .expect("exported");
    let text = document.to_string();
    assert!(!text.contains(&secret), "no token's secret");
    assert_eq!(document["member_id"], martine.to_string());
    assert_eq!(document["community_id"], community().0.to_string());

    // Her four contributions, each with its answer.
    let contributions = document["contributions"].as_array().expect("a list");
    assert_eq!(contributions.len(), 4);
    for contribution in contributions {
        let types: Vec<&str> = contribution["events"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|e| e["event_type"].as_str().expect("a type"))
            .collect();
        assert_eq!(types.first(), Some(&"ContributionSubmitted"), "{types:?}");
        assert!(types.contains(&"AnswerPublished"), "{types:?}");
    }
    let performed = positions(&document["events_performed"]);
    assert_eq!(
        performed,
        positions_by(&repo, &format!("member:{martine}")).await
    );
    assert!(performed.len() >= 4);

    // Her address and how she consented to it.
    assert_eq!(
        document["contact"],
        json!({
            "email": "martine.roussel@example.org", "language": "fr",
            "subscribed": true, "withdrawn_at": null,
        })
    );
    let consent = document["consent_history"].as_array().expect("a list");
    assert_eq!(consent.len(), 1);
    assert_eq!(consent[0]["event_type"], "ContactSet");
    assert_eq!(consent[0]["email"], "martine.roussel@example.org");

    // What she was told: in the service and by e-mail, one of each per answer.
    let notifications = document["notifications"].as_array().expect("a list");
    let of = |channel: &str| {
        notifications
            .iter()
            .filter(|n| n["channel"] == channel)
            .collect::<Vec<_>>()
    };
    assert_eq!(of("member").len(), 4);
    assert_eq!(of("email").len(), 4);
    assert!(of("email").iter().all(|n| n["status"] == "queued"
        && n["body"]
            .as_str()
            .is_some_and(|b| b.contains("/unsubscribe/"))));
    assert!(notifications
        .iter()
        .all(|n| n["title"].as_str().is_some_and(|t| !t.is_empty())));

    // Her token, by its label, never its secret.
    let tokens = document["api_tokens"].as_array().expect("a list");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["label"], "téléphone de Martine");
    assert_eq!(tokens[0]["role"], "representative");

    // The coordinator of her CPTS reads the same document through the API; nobody else does.
    let (addr, _stop) = serve(&repo).await;
    let query = "query($id: ID!) { personalData(memberId: $id) }";
    let variables = json!({ "id": martine.to_string() });
    let coordinator = token(&repo, Role::Coordinator, None, "c").await;
    let answer = graphql(addr, &coordinator, query, variables.clone()).await;
    let mut served = answer["data"]["personalData"].clone();
    let mut local = document.clone();
    for doc in [&mut served, &mut local] {
        doc.as_object_mut()
            .expect("an object")
            .remove("generated_at");
    }
    assert_eq!(served, local, "{answer}");

    let elsewhere = cpts_ledger::tokens::create(
        &repo,
        CommunityId(uuid::Uuid::new_v4()),
        Role::Coordinator,
        None,
        "another CPTS",
    )
    .await
    .expect("token")
    .secret;
    let refused = graphql(addr, &elsewhere, query, variables.clone()).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert!(refused["data"].is_null() || refused["data"]["personalData"].is_null());
    for role in [Role::Auditor, Role::Representative] {
        let member = (role == Role::Representative).then_some(martine);
        let other = token(&repo, role, member, "r").await;
        let refused = graphql(addr, &other, query, variables.clone()).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{role:?}: {refused}"
        );
    }
}
