//! Closing the loop: every contributor with an address is told, once, what became of their
//! contribution, through a real SMTP server on loopback (aiosmtpd) and a webhook receiver,
//! with the service running as a process that can be killed, and as two instances.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use cpts_domain::values::Lang;
use cpts_ledger::notify::deliver::message_id;
use cpts_ledger::notify::member_notifications;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger_tests::notify::{
    expected_mails, free_port, record_scenario_unanswered, record_scenario_with_contacts,
    wait_until, ExpectedMail, Mail, ServiceProcess, SmtpSink,
};
use cpts_ledger_tests::{open_store, postgres_db, TestDb};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The service as a process of its own.
const SERVICE: &str = env!("CARGO_BIN_EXE_ledger-service");

/// Waits until `count` e-mails have arrived, or fails saying how many did.
async fn all_arrive(sink: &SmtpSink, count: usize, when: &str) {
    assert!(
        wait_until(Duration::from_secs(60), || sink.mails().len() >= count).await,
        "only {} e-mails of {count} arrived{when}",
        sink.mails().len()
    );
}

/// A fresh database, its store, and a ledger in the test process that records the scenario.
async fn setup() -> (TestDb, EventRepository, Ledger) {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    (db, repo, ledger)
}

fn smtp_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("CPTS_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
        (
            "CPTS_MAIL_FROM",
            "CPTS du Val de l'Étang <contact@cpts.example>".into(),
        ),
        ("CPTS_PUBLIC_URL", "http://cpts.example".into()),
        ("CPTS_NOTIFY_POLL_MS", "100".into()),
        ("CPTS_NOTIFY_BACKOFF_MS", "200".into()),
        ("CPTS_NOTIFY_MAX_ATTEMPTS", "1000".into()),
    ]
}

/// The keys of the queued-or-sent e-mails of the outbox, as Message-IDs.
async fn outbox_message_ids(repo: &EventRepository) -> BTreeSet<String> {
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT notification_key FROM notify_outbox WHERE channel = 'email'")
            .fetch_all(repo.pg_pool().expect("postgres"))
            .await
            .expect("outbox read");
    keys.iter().map(|k| message_id(k)).collect()
}

/// `(attempts, status)` of every e-mail of the outbox.
async fn email_rows(repo: &EventRepository) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT attempts, status FROM notify_outbox WHERE channel = 'email'")
        .fetch_all(repo.pg_pool().expect("postgres"))
        .await
        .expect("outbox read")
}

/// Checks the received e-mails against the expected ones: each expected e-mail is matched by
/// exactly one received e-mail to the same address, in the right language, with the
/// disposition, the rationale and the decision.
fn check_contents(mails: &[Mail], expected: &[ExpectedMail]) {
    assert_eq!(
        mails.len(),
        expected.len(),
        "one e-mail per expected answer"
    );
    let mut unused: Vec<&Mail> = mails.iter().collect();
    for want in expected {
        let (disposition, rationale, decision, subject) = match want.lang {
            Lang::Fr => (
                format!("Suite donnée : {}\n", want.disposition),
                want.rationale
                    .as_ref()
                    .map(|r| format!("Justification : {r}\n")),
                format!("Décision : {}\n", want.decision),
                "CPTS du Val de l'Étang : suite donnée à votre contribution",
            ),
            Lang::En => (
                format!("Disposition: {}\n", want.disposition),
                want.rationale.as_ref().map(|r| format!("Rationale: {r}\n")),
                format!("Decision: {}\n", want.decision),
                "CPTS du Val de l'Étang: what became of your contribution",
            ),
        };
        let at = unused
            .iter()
            .position(|m| {
                m.rcpt_tos == vec![want.to.clone()]
                    && m.to == want.to
                    && m.subject == subject
                    && m.body.contains(&disposition)
                    && m.body.contains(&decision)
                    && match &rationale {
                        Some(r) => m.body.contains(r),
                        None => !m.body.contains("Justification") && !m.body.contains("Rationale"),
                    }
            })
            .unwrap_or_else(|| {
                panic!(
                    "no e-mail for {want:?} among {:#?}",
                    unused
                        .iter()
                        .map(|m| (&m.to, &m.subject, &m.body))
                        .collect::<Vec<_>>()
                )
            });
        let mail = unused.remove(at);
        assert!(
            mail.body.contains("http://cpts.example/unsubscribe/"),
            "an unsubscribe link: {}",
            mail.body
        );
    }
}

#[tokio::test]
async fn publishing_the_answers_emails_each_contributor_with_an_address_once() {
    let folder = tempfile::tempdir().expect("folder");
    let sink = SmtpSink::start(folder.path(), free_port(), 0.0);
    let (db, repo, ledger) = setup().await;
    let _service = ServiceProcess::start(SERVICE, db.url(), &smtp_env(sink.port));

    record_scenario_with_contacts(&ledger).await;

    let expected = expected_mails();
    assert_eq!(
        expected.len(),
        11,
        "the members and inhabitants with an address"
    );
    all_arrive(&sink, expected.len(), "").await;
    // Several rounds of the worker later, nothing more arrives.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = sink.mails();
    check_contents(&mails, &expected);
    let ids: BTreeSet<String> = mails.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), mails.len(), "distinct Message-IDs");
    assert_eq!(ids, outbox_message_ids(&repo).await, "the stable keys");
    assert!(email_rows(&repo)
        .await
        .iter()
        .all(|(a, s)| *a == 1 && s == "sent"));

    // In the service, each member is told of each answer to their contributions, unread.
    let martine = cpts_ledger::demo::id_of("member", "martine-roussel").to_string();
    let notes = member_notifications(ledger.projector().db(), &martine)
        .await
        .expect("notifications");
    assert_eq!(notes.len(), 4, "p01, p09, a01, a05");
    assert!(notes.iter().all(|n| n.status == "unread"));
    assert!(notes
        .iter()
        .any(|n| n.body.contains("Suite donnée : Hors champ")));
}

#[tokio::test]
async fn with_the_mail_server_down_nothing_is_lost_and_each_email_arrives_once() {
    let folder = tempfile::tempdir().expect("folder");
    let port = free_port();
    let (db, repo, ledger) = setup().await;
    let _service = ServiceProcess::start(SERVICE, db.url(), &smtp_env(port));

    record_scenario_with_contacts(&ledger).await;
    let expected = expected_mails();

    // The worker tried every e-mail and failed: they stay queued, with the error recorded.
    let mut tried = false;
    for _ in 0..600 {
        let rows = email_rows(&repo).await;
        if rows.len() == expected.len() && rows.iter().all(|(a, s)| *a >= 1 && s == "queued") {
            tried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        tried,
        "every e-mail was attempted: {:?}",
        email_rows(&repo).await
    );
    let errors: Vec<Option<String>> =
        sqlx::query_scalar("SELECT last_error FROM notify_outbox WHERE channel = 'email'")
            .fetch_all(repo.pg_pool().expect("postgres"))
            .await
            .expect("errors");
    let at_rest = repo.db().at_rest().expect("unlocked");
    assert!(errors.iter().all(|e| e.as_deref().is_some_and(|e| at_rest
        .open("notify_outbox.last_error", e)
        .is_ok_and(|e| !e.is_empty()))));

    let sink = SmtpSink::start(folder.path(), port, 0.0);
    all_arrive(&sink, expected.len(), " once the server was back").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = sink.mails();
    check_contents(&mails, &expected);
    let ids: BTreeSet<String> = mails.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids, outbox_message_ids(&repo).await);
}

#[tokio::test]
async fn a_service_killed_while_sending_resends_at_most_the_one_in_flight() {
    let folder = tempfile::tempdir().expect("folder");
    // Each message takes 0.4 s to be accepted: the kill lands in the middle of sending.
    let sink = SmtpSink::start(folder.path(), free_port(), 0.4);
    let (db, repo, ledger) = setup().await;
    let mut first = ServiceProcess::start(SERVICE, db.url(), &smtp_env(sink.port));

    record_scenario_with_contacts(&ledger).await;
    let expected = expected_mails();
    assert!(wait_until(Duration::from_secs(60), || sink.mails().len() >= 3).await);
    first.kill();
    let at_kill = sink.mails().len();
    assert!(at_kill < expected.len(), "killed before it sent everything");

    let _second = ServiceProcess::start(SERVICE, db.url(), &smtp_env(sink.port));
    let mut arrived = false;
    for _ in 0..600 {
        let keys = outbox_message_ids(&repo).await;
        let got: BTreeSet<String> = sink.mails().into_iter().map(|m| m.message_id).collect();
        if keys.len() == expected.len() && got == keys {
            arrived = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(arrived, "every e-mail arrives after the restart");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = sink.mails();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &mails {
        *count.entry(m.message_id.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.len() <= 1,
        "at most the one in flight twice: {twice:?}"
    );
    assert!(count.values().all(|n| *n <= 2), "{count:?}");
    assert!(mails.len() <= expected.len() + 1);
    // Whatever arrived twice is the same message, recognisable by its Message-ID.
    let mut unique: Vec<Mail> = Vec::new();
    for m in mails {
        if let Some(seen) = unique.iter().find(|u| u.message_id == m.message_id) {
            assert_eq!((&seen.to, &seen.body), (&m.to, &m.body));
        } else {
            unique.push(m);
        }
    }
    check_contents(&unique, &expected);
}

#[tokio::test]
async fn two_service_instances_on_one_database_send_each_email_once() {
    let folder = tempfile::tempdir().expect("folder");
    let sink = SmtpSink::start(folder.path(), free_port(), 0.1);
    let (db, repo, ledger) = setup().await;
    let _one = ServiceProcess::start(SERVICE, db.url(), &smtp_env(sink.port));
    let _two = ServiceProcess::start(SERVICE, db.url(), &smtp_env(sink.port));

    record_scenario_with_contacts(&ledger).await;
    let expected = expected_mails();
    all_arrive(&sink, expected.len(), "").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = sink.mails();
    check_contents(&mails, &expected);
    let ids: BTreeSet<String> = mails.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), expected.len(), "no e-mail sent twice");
    assert_eq!(ids, outbox_message_ids(&repo).await);
    assert!(email_rows(&repo)
        .await
        .iter()
        .all(|(a, s)| *a == 1 && s == "sent"));
}

/// A delivery as the webhook receiver got it.
#[derive(Debug, Clone)]
struct Delivery {
    id: String,
    signature: String,
    body: String,
    answered: u16,
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_webhook_receiver_checks_the_signature_of_every_delivery() {
    const SECRET: &str = "a shared secret of the CPTS website";
    let received: Arc<Mutex<Vec<Delivery>>> = Arc::default();
    let store = received.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let mut deliveries = store.lock().expect("lock");
                // The receiver is down for the first delivery: it must be retried.
                let answered = if deliveries.is_empty() { 503 } else { 200 };
                let signature = header("x-cpts-signature");
                let valid = signature == hmac_hex(SECRET, &body);
                deliveries.push(Delivery {
                    id: header("x-cpts-delivery"),
                    signature,
                    body: String::from_utf8_lossy(&body).into_owned(),
                    answered,
                });
                match (valid, answered) {
                    (false, _) => StatusCode::UNAUTHORIZED,
                    (true, 503) => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::OK,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (db, repo, ledger) = setup().await;
    // No SMTP server configured: e-mails stay queued, untouched.
    let _service = ServiceProcess::start(
        SERVICE,
        db.url(),
        &[
            ("CPTS_WEBHOOK_URL", format!("http://{addr}/hook")),
            ("CPTS_WEBHOOK_SECRET", SECRET.to_owned()),
            ("CPTS_NOTIFY_POLL_MS", "100".into()),
            ("CPTS_NOTIFY_BACKOFF_MS", "100".into()),
        ],
    );
    record_scenario_with_contacts(&ledger).await;

    // One delivery per published answer of the scenario: 14 + 5.
    let distinct = || {
        received
            .lock()
            .expect("lock")
            .iter()
            .filter(|d| d.answered == 200)
            .map(|d| d.id.clone())
            .collect::<BTreeSet<_>>()
    };
    assert!(
        wait_until(Duration::from_secs(60), || distinct().len() >= 19).await,
        "{} deliveries",
        distinct().len()
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let deliveries = received.lock().expect("lock").clone();
    assert_eq!(distinct().len(), 19);
    for d in &deliveries {
        assert_eq!(d.signature, hmac_hex(SECRET, d.body.as_bytes()), "{d:?}");
        assert_ne!(d.signature, hmac_hex("another secret", d.body.as_bytes()));
        let body: serde_json::Value = serde_json::from_str(&d.body).expect("JSON");
        assert_eq!(
            body["delivery"],
            d.id.as_str(),
            "the delivery id is the stable key"
        );
        assert_eq!(body["type"], "answer_published");
        assert!(body["disposition"].is_string() && body["decision"].is_string());
    }
    // The refused delivery came again, with the same id, and was then accepted once.
    let refused = deliveries
        .iter()
        .find(|d| d.answered == 503)
        .expect("one refused");
    let retried: Vec<_> = deliveries.iter().filter(|d| d.id == refused.id).collect();
    assert_eq!(retried.len(), 2, "{retried:?}");
    assert_eq!(deliveries.iter().filter(|d| d.answered == 200).count(), 19);
    let p05 = deliveries
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(&d.body).expect("JSON"))
        .find(|b| {
            b["contribution_id"] == cpts_ledger::demo::id_of("contribution", "p05").to_string()
        })
        .expect("the answer to p05");
    assert_eq!(p05["disposition"], "partly_retained");
    assert!(p05["rationale"]
        .as_str()
        .is_some_and(|r| r.starts_with("Frontignan reste dans le périmètre")));

    // Without an SMTP server, the e-mails wait in the outbox, never attempted.
    let rows = email_rows(&repo).await;
    assert_eq!(rows.len(), 11);
    assert!(
        rows.iter().all(|(a, s)| *a == 0 && s == "queued"),
        "{rows:?}"
    );
}

/// Sends a GraphQL request to a service process with a token; returns the `data`.
async fn graphql(
    service: &ServiceProcess,
    token: &str,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", service.addr))
        .bearer_auth(token)
        .json(&serde_json::json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a JSON body");
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    body["data"].clone()
}

#[tokio::test]
async fn members_read_their_notifications_failures_are_shown_and_inhabitants_can_unsubscribe() {
    use cpts_domain::access::Role;
    use cpts_domain::ids::{CommunityId, MemberId};
    use cpts_graphql::port::LedgerPort;
    use cpts_ledger::demo::id_of;

    let (db, repo, ledger) = setup().await;
    // A mail server that is not there, and one attempt only: every e-mail fails at once.
    let mut env = smtp_env(free_port());
    env.retain(|(name, _)| *name != "CPTS_NOTIFY_MAX_ATTEMPTS");
    env.push(("CPTS_NOTIFY_MAX_ATTEMPTS", "1".into()));
    let service = ServiceProcess::start(SERVICE, db.url(), &env);
    record_scenario_with_contacts(&ledger).await;
    let failed_all = || async {
        let rows = email_rows(&repo).await;
        rows.len() == 11 && rows.iter().all(|(a, s)| *a == 1 && s == "failed")
    };
    let mut done = false;
    for _ in 0..600 {
        if failed_all().await {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "{:?}", email_rows(&repo).await);

    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let coordinator = cpts_ledger::tokens::create(&repo, community, Role::Coordinator, None, "c")
        .await
        .expect("token")
        .secret;
    let problems = graphql(
        &service,
        &coordinator,
        "{ deliveryProblems { key channel status attempts lastError } }",
        serde_json::json!({}),
    )
    .await;
    let problems = problems["deliveryProblems"].as_array().expect("a list");
    assert_eq!(problems.len(), 11);
    assert!(problems.iter().all(|p| p["status"] == "failed"
        && p["channel"] == "email"
        && p["attempts"] == 1
        && p["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("Connection"))));

    // A member reads what became of their contributions, and marks one read.
    let martine = MemberId(id_of("member", "martine-roussel"));
    let token =
        cpts_ledger::tokens::create(&repo, community, Role::Representative, Some(martine), "m")
            .await
            .expect("token")
            .secret;
    let query = "{ notifications { key title body read } }";
    let notes = graphql(&service, &token, query, serde_json::json!({})).await;
    let notes = notes["notifications"].as_array().expect("a list").clone();
    assert_eq!(notes.len(), 4);
    assert!(notes.iter().all(|n| n["read"] == false));
    assert!(notes.iter().any(|n| n["body"]
        .as_str()
        .is_some_and(|b| b.contains("Suite donnée : Hors champ"))));
    let marked = graphql(
        &service,
        &token,
        "mutation($key: ID!) { markNotificationRead(key: $key) }",
        serde_json::json!({ "key": notes[0]["key"] }),
    )
    .await;
    assert_eq!(marked["markNotificationRead"], true);
    let notes = graphql(&service, &token, query, serde_json::json!({})).await;
    let read: Vec<bool> = notes["notifications"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| n["read"] == true)
        .collect();
    assert_eq!(read, vec![true, false, false, false]);

    // The inhabitant of Sète unsubscribes with the link of their e-mail: the address is gone
    // from the outbox and, its key destroyed, from the log too; the other inhabitant's stays.
    let p10 = id_of("contribution", "p10").to_string();
    let body: String = sqlx::query_scalar(
        "SELECT body FROM notify_outbox WHERE channel = 'email' AND subject_id = $1",
    )
    .bind(&p10)
    .fetch_one(repo.pg_pool().expect("postgres"))
    .await
    .expect("the e-mail to p10's author");
    let body = repo
        .db()
        .at_rest()
        .expect("unlocked")
        .open("notify_outbox.body", &body)
        .expect("the body opens");
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("http://cpts.example/unsubscribe/"))
        .expect("an unsubscribe link");
    let url = link.replace("http://cpts.example", &format!("http://{}", service.addr));
    let http = reqwest::Client::new();
    let form = http.get(&url).send().await.expect("GET");
    assert_eq!(form.status(), 200);
    assert!(form
        .text()
        .await
        .expect("page")
        .contains("<form method=\"post\""));
    let done = http.post(&url).send().await.expect("POST");
    assert_eq!(done.status(), 200);
    assert!(
        done.text().await.expect("page").contains("Done"),
        "in English, as chosen"
    );
    // A second click finds the address gone, records nothing, and says it is done.
    let again = http.post(&url).send().await.expect("POST");
    assert_eq!(again.status(), 200);
    assert!(again.text().await.expect("page").contains("Done"));
    let recipients: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT recipient FROM notify_outbox WHERE channel = 'email' AND subject_id = $1",
    )
    .bind(&p10)
    .fetch_all(repo.pg_pool().expect("postgres"))
    .await
    .expect("rows");
    assert_eq!(recipients, vec![None]);
    let events = ledger
        .events_of("consultation", id_of("consultation", "perimetre"))
        .await
        .expect("events");
    let left: Vec<(String, String)> = events
        .iter()
        .filter(|e| e.event_type == "ContactLeft")
        .map(|e| {
            let body = &e.payload["ContactLeft"];
            (
                body["contribution_id"].as_str().expect("id").to_owned(),
                body["email"].as_str().expect("email").to_owned(),
            )
        })
        .collect();
    assert!(
        left.contains(&(p10, cpts_domain::personal::ERASED.to_owned())),
        "{left:?}"
    );
    assert!(left.contains(&(
        id_of("contribution", "p04").to_string(),
        "habitant.marseillan@example.org".to_owned()
    )));
}

#[tokio::test]
async fn the_coordinator_gets_a_digest_of_answers_near_or_past_their_deadline_on_sqlite() {
    use cpts_ledger::notify::deliver::Notifier;
    use cpts_ledger::notify::{digest, NotifyConfig};

    let folder = tempfile::tempdir().expect("folder");
    let sink = SmtpSink::start(folder.path(), free_port(), 0.0);
    let db = cpts_ledger_tests::sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    record_scenario_unanswered(&ledger).await;
    let read = ledger.projector().db();
    let community = cpts_ledger::demo::id_of("community", "cpts-val-de-letang").to_string();
    let on = |d: &str| d.parse::<chrono::NaiveDate>().expect("date");

    // Two days before the perimeter's deadline (12 April), its 14 contributions are near; the
    // workshop's (20 July) are not yet.
    let near = digest::waiting(read, &community, on("2026-04-10"), 7)
        .await
        .expect("waiting");
    assert_eq!(near.len(), 14);
    assert!(near.iter().all(|w| w.deadline == "2026-04-12"));
    assert!(digest::waiting(read, &community, on("2026-04-01"), 7)
        .await
        .expect("waiting")
        .is_empty());

    // The worker on SQLite: the answers are unpublished, so only the digest goes out, once.
    let notifier = Notifier::new(
        repo.clone(),
        ledger.projector().clone(),
        NotifyConfig {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)),
            ..NotifyConfig::default()
        },
    )
    .expect("notifier");
    notifier.run_once().await.expect("a round");
    assert!(sink.mails().is_empty(), "no answer was published");
    let as_of = on("2026-04-20");
    assert_eq!(
        digest::queue(read, &community, as_of, 7, "https://cpts.example")
            .await
            .expect("queued"),
        1
    );
    assert_eq!(
        digest::queue(read, &community, as_of, 7, "https://cpts.example")
            .await
            .expect("queued"),
        0,
        "once a day"
    );
    notifier.run_once().await.expect("a round");
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, "sophie.marty@example.org");
    assert_eq!(
        mail.subject,
        "CPTS du Val de l'Étang : réponses en attente au 20 avril 2026"
    );
    assert!(
        mail.body.contains("Sans réponse, échéance dépassée (14)"),
        "{}",
        mail.body
    );
    assert!(mail.body.contains("Échéance proche (0)"), "{}", mail.body);
    let p10 = cpts_ledger::demo::id_of("contribution", "p10").to_string();
    assert!(!mail.body.contains(&p10), "no id: {}", mail.body);
    assert!(mail.body.contains("un habitant de Sète"), "{}", mail.body);
    assert!(
        mail.body.contains("https://cpts.example/#/"),
        "{}",
        mail.body
    );
}

#[tokio::test]
async fn a_member_subscribed_is_told_of_each_answer_as_it_is_published() {
    use cpts_domain::access::Role;
    use cpts_domain::ids::{CommunityId, MemberId};
    use cpts_ledger::demo::id_of;
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let (db, repo, ledger) = setup().await;
    let service = ServiceProcess::start(
        SERVICE,
        db.url(),
        &[("CPTS_NOTIFY_POLL_MS", "100".to_owned())],
    );
    // A member's token names a member of the CPTS: the record is there, its answers drafted.
    record_scenario_unanswered(&ledger).await;
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let martine = MemberId(id_of("member", "martine-roussel"));
    let token =
        cpts_ledger::tokens::create(&repo, community, Role::Representative, Some(martine), "m")
            .await
            .expect("token")
            .secret;
    let mut request = format!("ws://{}/graphql/ws", service.addr)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connected");
    let init = serde_json::json!({ "type": "connection_init",
        "payload": { "Authorization": format!("Bearer {token}") } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("sent");
    let subscribe = serde_json::json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "subscription { notificationAdded { title body read } }" } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("sent");
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The answers are published now, while she is subscribed.
    let decisions: Vec<String> = sqlx::query_scalar("SELECT decision_id FROM proj_decisions")
        .fetch_all(repo.pg_pool().expect("postgres"))
        .await
        .expect("decisions");
    for decision in decisions {
        let command = cpts_domain::command::AddressedCommand::Decision {
            id: cpts_domain::ids::DecisionId(decision.parse().expect("an id")),
            command: cpts_domain::decision::DecisionCommand::PublishAllAnswers {
                on: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
            },
        };
        let context = cpts_graphql::port::CommandContext {
            caller: cpts_domain::access::Caller::Trusted(cpts_domain::command::Actor::System),
            command_id: uuid::Uuid::new_v4(),
        };
        // A decision without a drafted answer has nothing to publish.
        let _ = cpts_graphql::port::LedgerPort::execute(&ledger, command, context).await;
    }

    let mut bodies = Vec::new();
    while bodies.len() < 4 {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message within 30 s")
            .expect("the socket is open")
            .expect("a message");
        let Message::Text(text) = message else {
            continue;
        };
        let message: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        if message["type"] != "next" {
            continue;
        }
        let note = &message["payload"]["data"]["notificationAdded"];
        assert_eq!(note["read"], false, "{message}");
        bodies.push(note["body"].as_str().expect("a body").to_owned());
    }
    // Martine Roussel's four contributions: three retained, one out of scope.
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b.contains("Suite donnée : Retenue\n"))
            .count(),
        3
    );
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b.contains("Suite donnée : Hors champ\n"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_restored_backup_announces_no_answer_again_but_keeps_the_addresses() {
    let (_db, repo, ledger) = setup().await;
    record_scenario_with_contacts(&ledger).await;
    let mut exported = Vec::new();
    cpts_ledger::backup::export(&repo, &mut exported)
        .await
        .expect("exported");

    // Restored as `cpts-ledger import` does it, into a new database.
    let target = postgres_db().await;
    let restored = open_store(target.url()).await.expect("store opens");
    cpts_ledger::backup::import(&restored, exported.as_slice())
        .await
        .expect("imported");
    let projector = cpts_ledger::projector::Projector::new(restored.clone());
    let reached = projector.catch_up().await.expect("projected");
    let fed = cpts_ledger::notify::outbox::feed_quietly(&restored, projector.db())
        .await
        .expect("fed");
    assert_eq!(
        fed, reached,
        "the outbox is at the head of the restored log"
    );
    let pool = restored.pg_pool().expect("postgres");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notify_outbox")
        .fetch_one(pool)
        .await
        .expect("count");
    assert_eq!(rows, 0, "no answer is announced twice");
    let at_rest = restored.db().at_rest().expect("unlocked");
    let mut addresses: Vec<String> = sqlx::query_scalar::<_, String>(
        "SELECT email FROM notify_contacts WHERE email IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .expect("contacts")
    .iter()
    .map(|sealed| {
        at_rest
            .open("notify_contacts.email", sealed)
            .expect("an address sealed at rest")
    })
    .collect();
    addresses.sort();
    assert_eq!(
        addresses,
        vec![
            "habitant.marseillan@example.org",
            "julien.fabre@example.org",
            "karim.benali@example.org",
            "martine.roussel@example.org",
            "resident.sete@example.org",
            "sophie.marty@example.org",
        ]
    );
}

#[tokio::test]
async fn erasing_a_member_forgets_their_address_and_cancels_their_queued_emails() {
    use cpts_ledger::notify::deliver::Notifier;
    use cpts_ledger::notify::NotifyConfig;

    let (_db, repo, ledger) = setup().await;
    record_scenario_with_contacts(&ledger).await;
    // No SMTP server: the worker feeds the outbox and the e-mails stay queued.
    let notifier = Notifier::new(
        repo.clone(),
        ledger.projector().clone(),
        NotifyConfig::default(),
    )
    .expect("notifier");
    notifier.run_once().await.expect("a round");
    let pool = repo.pg_pool().expect("postgres");
    let at_rest = repo.db().at_rest().expect("unlocked").clone();
    let rows_of = |member: &str| {
        let member = member.to_owned();
        let at_rest = at_rest.clone();
        async move {
            sqlx::query_as::<_, (Option<String>, String, String)>(
                "SELECT recipient, status, body FROM notify_outbox \
                 WHERE channel = 'email' AND subject_id = $1",
            )
            .bind(member)
            .fetch_all(pool)
            .await
            .expect("rows")
            .into_iter()
            .map(|(recipient, status, body)| {
                (
                    at_rest
                        .open_opt("notify_outbox.recipient", recipient.as_deref())
                        .expect("the address opens"),
                    status,
                    at_rest
                        .open("notify_outbox.body", &body)
                        .expect("the body opens"),
                )
            })
            .collect::<Vec<_>>()
        }
    };
    let karim = cpts_ledger::demo::id_of("member", "karim-benali");
    let martine = cpts_ledger::demo::id_of("member", "martine-roussel").to_string();
    let before = rows_of(&karim.to_string()).await;
    assert_eq!(before.len(), 3);
    assert!(before
        .iter()
        .all(|(r, s, _)| r.as_deref() == Some("karim.benali@example.org") && s == "queued"));

    cpts_ledger::personal::erase(
        &ledger,
        cpts_domain::ids::MemberId(karim),
        "2026-11-30".parse().expect("date"),
    )
    .await
    .expect("erased");
    notifier.run_once().await.expect("a round");

    let after = rows_of(&karim.to_string()).await;
    assert_eq!(after.len(), 3);
    assert!(
        after
            .iter()
            .all(|(r, s, b)| r.is_none() && s == "cancelled" && b == cpts_domain::personal::ERASED),
        "{after:?}"
    );
    let contacts: Vec<String> =
        sqlx::query_scalar("SELECT subject_id FROM notify_contacts WHERE subject_id = $1")
            .bind(karim.to_string())
            .fetch_all(pool)
            .await
            .expect("contacts");
    assert!(contacts.is_empty());
    let untouched = rows_of(&martine).await;
    assert_eq!(untouched.len(), 4);
    assert!(untouched
        .iter()
        .all(|(r, s, _)| r.is_some() && s == "queued"));
}
