//! Total projections: no command can put into the log an event that stops the read models,
//! and an event that still cannot be projected is set aside, without stopping any CPTS.
//!
//! Run against the real service (`app::serve`, port 0): one CPTS's representative and
//! coordinator reuse ids shown by another CPTS and are refused, while the other CPTS's answers
//! still reach their contributors; a poisoned event written straight into the log is set aside,
//! reported by `ledgerHead` and `/readyz`, and a rebuild leaves the same working read models.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use cpts_domain::access::{Caller, Role};
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::consultation::{Author, ConsultationCommand, ConsultationTerms};
use cpts_domain::decision::DecisionCommand;
use cpts_domain::ids::{
    BodyId, CollegeId, CommunityId, ConsultationId, ContributionId, DecisionId, MemberId,
};
use cpts_domain::member::{MemberCommand, MemberKind};
use cpts_domain::values::{BodyKind, Commune, ContributionKind, Method, Mission, Moment, Rung};
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::app;
use cpts_ledger::demo;
use cpts_ledger::notify::NotifyConfig;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger::tokens;
use cpts_ledger_tests::graphql_client::GraphqlClient;
use cpts_ledger_tests::notify::record_scenario_unanswered;
use cpts_ledger_tests::{dump_read_models, open_store, postgres_db, sqlite_db, TestDb};
use cqrs_es::persist::SerializedEvent;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use uuid::Uuid;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn trusted() -> CommandContext {
    CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    }
}

/// The demo's CPTS, the one whose ids the other CPTS tries to reuse.
fn demo_community() -> CommunityId {
    CommunityId(demo::id_of("community", "cpts-val-de-letang"))
}

/// `cpts-ledger serve` on port 0, stopped by `stop`.
struct Served {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Served {
    async fn start(ledger: Arc<Ledger>) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let notify = NotifyConfig {
            poll: Duration::from_millis(100),
            ..NotifyConfig::default()
        };
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("an address");
        let server = app::serve(ledger, listen, notify, async {
            stopped.await.ok();
        })
        .await
        .expect("the service starts");
        Self {
            addr: server.addr,
            stop: Some(stop),
            task: server.task,
        }
    }

    fn graphql(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    async fn readyz(&self) -> (u16, String) {
        let response = reqwest::get(format!("http://{}/readyz", self.addr))
            .await
            .expect("/readyz answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("the service stops within 10 s")
            .expect("the serving task ends")
            .expect("the service stopped cleanly");
    }
}

async fn token(
    repo: &EventRepository,
    community: CommunityId,
    role: Role,
    member: Option<MemberId>,
) -> String {
    tokens::create(repo, community, role, member, role.wire_name())
        .await
        .expect("a token")
        .secret
}

/// A second CPTS, with a representative and an open consultation.
struct OtherCpts {
    community: CommunityId,
    representative: MemberId,
    consultation: ConsultationId,
}

async fn other_cpts(ledger: &Ledger) -> OtherCpts {
    let community = CommunityId(Uuid::new_v4());
    let representative = MemberId(Uuid::new_v4());
    let consultation = ConsultationId(Uuid::new_v4());
    let commands = [
        AddressedCommand::Community {
            id: community,
            command: CommunityCommand::Register {
                community_id: community,
                name: "CPTS du Bassin de Thau Nord".into(),
                territory: vec![Commune {
                    insee: "34213".into(),
                    name: "Poussan".into(),
                }],
            },
        },
        AddressedCommand::Member {
            id: representative,
            command: MemberCommand::Admit {
                member_id: representative,
                community_id: community,
                name: "Nadia Ferrer".into(),
                kind: MemberKind::AssociationRepresentative,
                admitted_on: date(2026, 1, 10),
            },
        },
        AddressedCommand::Consultation {
            id: consultation,
            command: ConsultationCommand::Open {
                consultation_id: consultation,
                community_id: community,
                terms: ConsultationTerms {
                    subject: "Horaires des soins non programmés".into(),
                    moment: Moment::Diagnosis,
                    mission: Mission::AccessToCare,
                    rung: Rung::Consult,
                    audience: "habitants".into(),
                    method: Method::Questionnaire,
                    opens_on: date(2026, 2, 1),
                    closes_on: date(2026, 3, 31),
                    answer_within_days: 30,
                },
            },
        },
    ];
    for command in commands {
        ledger
            .execute(command, trusted())
            .await
            .unwrap_or_else(|e| panic!("the other CPTS records: {e:?}"));
    }
    OtherCpts {
        community,
        representative,
        consultation,
    }
}

/// Sends a command through the API and returns the error's text, which must be the refusal of
/// an id already used in the register, in French and English.
async fn refused_as_taken(client: &GraphqlClient, command: AddressedCommand) -> String {
    // The client's error carries the API's answer: message, code and English message.
    let error = client
        .execute(command, trusted())
        .await
        .expect_err("the command is refused");
    let error = format!("{error:?}");
    assert!(error.contains("CONFLICT"), "{error}");
    assert!(error.contains("déjà utilisé dans le registre"), "{error}");
    assert!(error.contains("already used in the register"), "{error}");
    error
}

/// Polls `done` every 100 ms for at most `within`.
async fn eventually<F, Fut>(within: Duration, mut done: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if done().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn outbox_rows_from(repo: &EventRepository, position: u64) -> i64 {
    let pool = repo.pg_pool().expect("PostgreSQL");
    sqlx::query_scalar("SELECT COUNT(*) FROM notify_outbox WHERE position >= $1")
        .bind(i64::try_from(position).expect("a position"))
        .fetch_one(pool)
        .await
        .expect("the outbox reads")
}

const HEAD: &str = "{ ledgerHead { position degraded setAside { position projection reason } \
                    projections { name position behind } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reused_ids_are_refused_and_every_other_cpts_stays_current() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("the store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    record_scenario_unanswered(&ledger).await;
    let other = other_cpts(&ledger).await;
    let served = Served::start(ledger.clone()).await;

    let representative = GraphqlClient::new(
        served.graphql(),
        token(
            &repo,
            other.community,
            Role::Representative,
            Some(other.representative),
        )
        .await,
    );
    let coordinator = GraphqlClient::new(
        served.graphql(),
        token(&repo, other.community, Role::Coordinator, None).await,
    );
    let before = repo.head().await.expect("the head").position;

    // The demo's contribution p01 is shown in its public trail; another CPTS's representative
    // submits a contribution under its id.
    let submit = |contribution_id| AddressedCommand::Consultation {
        id: other.consultation,
        command: ConsultationCommand::Submit {
            contribution_id,
            author: Author::Member {
                member_id: other.representative,
            },
            kind: ContributionKind::Opinion,
            text: "Ouvrir le samedi matin à Poussan.".into(),
            submitted_on: date(2026, 2, 10),
            attachment: None,
            file: None,
        },
    };
    let reused = ContributionId(demo::id_of("contribution", "p01"));
    refused_as_taken(&representative, submit(reused)).await;
    // Its coordinator reuses a collège id and a body id the demo's `viewer` shows.
    refused_as_taken(
        &coordinator,
        AddressedCommand::Community {
            id: other.community,
            command: CommunityCommand::DefineCollege {
                college_id: CollegeId(demo::id_of("college", "college-usagers")),
                name: "Collège des usagers".into(),
                is_users_college: true,
            },
        },
    )
    .await;
    refused_as_taken(
        &coordinator,
        AddressedCommand::Community {
            id: other.community,
            command: CommunityCommand::EstablishBody {
                body_id: BodyId(demo::id_of("body", "ca")),
                kind: BodyKind::Board,
                name: "Conseil d'administration".into(),
            },
        },
    )
    .await;
    assert_eq!(
        repo.head().await.expect("the head").position,
        before,
        "no refused command wrote anything"
    );
    // With ids of its own, the same commands are recorded.
    representative
        .execute(submit(ContributionId(Uuid::new_v4())), trusted())
        .await
        .expect("a fresh contribution id is accepted");
    coordinator
        .execute(
            AddressedCommand::Community {
                id: other.community,
                command: CommunityCommand::DefineCollege {
                    college_id: CollegeId(Uuid::new_v4()),
                    name: "Collège des usagers".into(),
                    is_users_college: true,
                },
            },
            trusted(),
        )
        .await
        .expect("a fresh collège id is accepted");

    // The demo's CPTS goes on: an answer published now reaches its contributors.
    let demo_coordinator = GraphqlClient::new(
        served.graphql(),
        token(&repo, demo_community(), Role::Coordinator, None).await,
    );
    let published = demo_coordinator
        .execute(
            AddressedCommand::Decision {
                id: DecisionId(demo::id_of("decision", "d-perimetre")),
                command: DecisionCommand::PublishAllAnswers {
                    on: date(2026, 5, 4),
                },
            },
            trusted(),
        )
        .await
        .expect("the demo's answers are published");
    let first = published.events.first().expect("events").position;
    assert!(
        eventually(Duration::from_secs(20), || async {
            outbox_rows_from(&repo, first).await > 0
        })
        .await,
        "the published answers produced no notification"
    );
    let email_or_member: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT channel FROM notify_outbox WHERE position >= $1 ORDER BY 1",
    )
    .bind(i64::try_from(first).expect("a position"))
    .fetch_all(repo.pg_pool().expect("PostgreSQL"))
    .await
    .expect("the outbox reads");
    assert!(
        email_or_member.iter().any(|c| c == "email")
            && email_or_member.iter().any(|c| c == "member"),
        "an e-mail and a member notification: {email_or_member:?}"
    );
    let head = demo_coordinator.send(HEAD, json!({})).await;
    assert_eq!(head["data"]["ledgerHead"]["degraded"], false, "{head}");
    for projection in head["data"]["ledgerHead"]["projections"]
        .as_array()
        .expect("projections")
    {
        assert_eq!(projection["behind"], 0, "{head}");
    }
    assert_eq!(served.readyz().await, (200, "ready\n".to_owned()));
    served.stop().await;

    // The service restarts on that database.
    drop(ledger);
    let repo = open_store(db.url()).await.expect("the store opens again");
    let served = Served::start(Arc::new(Ledger::new(repo.clone()))).await;
    assert_eq!(served.readyz().await, (200, "ready\n".to_owned()));
    let again = GraphqlClient::new(
        served.graphql(),
        token(&repo, demo_community(), Role::Coordinator, None).await,
    );
    let head = again.send(HEAD, json!({})).await;
    assert_eq!(
        head["data"]["ledgerHead"]["position"].as_u64(),
        Some(repo.head().await.expect("the head").position),
        "{head}"
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_cpts_racing_for_one_contribution_id_record_it_once() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("the store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    let first = other_cpts(&ledger).await;
    let second = other_cpts(&ledger).await;
    let submit = |cpts: &OtherCpts, contribution_id| AddressedCommand::Consultation {
        id: cpts.consultation,
        command: ConsultationCommand::Submit {
            contribution_id,
            author: Author::Member {
                member_id: cpts.representative,
            },
            kind: ContributionKind::Opinion,
            text: "Un cabinet de garde le dimanche.".into(),
            submitted_on: date(2026, 2, 10),
            attachment: None,
            file: None,
        },
    };
    for _ in 0..20 {
        let id = ContributionId(Uuid::new_v4());
        let (one, other) = tokio::join!(
            ledger.execute(submit(&first, id), trusted()),
            ledger.execute(submit(&second, id), trusted()),
        );
        let refused: Vec<String> = [&one, &other]
            .into_iter()
            .filter_map(|outcome| outcome.as_ref().err())
            .map(|error| format!("{error:?}"))
            .collect();
        assert_eq!(
            refused.len(),
            1,
            "exactly one of the two is recorded: {refused:?}"
        );
        assert!(refused[0].contains("IdTaken(Contribution)"), "{refused:?}");
    }
    let claimed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE event_type = 'ContributionSubmitted'",
    )
    .fetch_one(repo.pg_pool().expect("PostgreSQL"))
    .await
    .expect("the log reads");
    assert_eq!(claimed, 20, "one contribution per id in the log");
    let ready = ledger.projector().readiness().await.expect("readiness");
    assert!(ready.is_ready(), "{ready:?}");
}

/// Past the rules, the store itself refuses an event claiming an id already claimed: a command
/// that raced another for it is refused and writes nothing.
async fn the_store_refuses_a_claimed_id(db: TestDb) {
    let repo = open_store(db.url()).await.expect("the store opens");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger)
        .await
        .expect("the demo records");
    let other = other_cpts(&ledger).await;
    let community = other.community.to_string();
    let before = repo.head().await.expect("the head").position;
    let event = SerializedEvent::new(
        community.clone(),
        2,
        "community".into(),
        "CollegeDefined".into(),
        "1".into(),
        json!({ "CollegeDefined": {
            "college_id": demo::id_of("college", "college-usagers").to_string(),
            "name": "Collège des usagers",
            "is_users_college": true,
        }}),
        json!({ "actor": "system", "community_id": community }),
    );
    let error = repo
        .append(&[event])
        .await
        .expect_err("the store refuses the claim");
    assert!(
        format!("{error}").contains("college id is already claimed"),
        "{error}"
    );
    assert_eq!(repo.head().await.expect("the head").position, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_refuses_a_claimed_id_on_postgres() {
    the_store_refuses_a_claimed_id(postgres_db().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_refuses_a_claimed_id_on_sqlite() {
    the_store_refuses_a_claimed_id(sqlite_db()).await;
}

/// Writes straight into the log, bypassing the rules, a second draft of an answer the demo's
/// decision already holds: a valid link of the chain that the answers' read model cannot
/// hold twice. Returns its position.
async fn poison(repo: &EventRepository) -> u64 {
    let decision = demo::id_of("decision", "d-perimetre").to_string();
    let stream = repo
        .read_stream("decision", &decision)
        .await
        .expect("the decision's events");
    let drafted = stream
        .iter()
        .find(|e| e.event_type == "AnswerDrafted")
        .expect("a drafted answer");
    let last = stream.last().expect("events").sequence;
    let event = SerializedEvent::new(
        decision,
        usize::try_from(last + 1).expect("a sequence"),
        "decision".into(),
        "AnswerDrafted".into(),
        drafted.event_version.clone(),
        drafted.payload.clone(),
        json!({
            "actor": "system",
            "command_id": Uuid::new_v4().to_string(),
            "community_id": demo_community().to_string(),
        }),
    );
    repo.append(&[event]).await.expect("the store appends it");
    repo.head().await.expect("the head").position
}

/// Writes straight into the log an event of the demo's consultation that reads as no event
/// of a consultation (as a newer version might write). Returns its position.
async fn unreadable(repo: &EventRepository) -> u64 {
    let consultation = demo::id_of("consultation", "perimetre").to_string();
    let last = repo
        .read_stream("consultation", &consultation)
        .await
        .expect("the consultation's events")
        .last()
        .expect("events")
        .sequence;
    let event = SerializedEvent::new(
        consultation,
        usize::try_from(last + 1).expect("a sequence"),
        "consultation".into(),
        "ConsultationReopened".into(),
        "2".into(),
        json!({ "ConsultationReopened": { "on": "2026-06-01" } }),
        json!({
            "actor": "system",
            "command_id": Uuid::new_v4().to_string(),
            "community_id": demo_community().to_string(),
        }),
    );
    repo.append(&[event]).await.expect("the store appends it");
    repo.head().await.expect("the head").position
}

/// The read models without the record of what was set aside (which says when).
async fn read_models(repo: &EventRepository) -> Vec<String> {
    dump_read_models(repo)
        .await
        .into_iter()
        .filter(|row| !row.starts_with("proj_set_aside:"))
        .collect()
}

async fn a_poisoned_event_is_set_aside_and_rebuilt_around(db: TestDb) {
    let repo = open_store(db.url()).await.expect("the store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("the demo records");
    let poisoned = poison(&repo).await;
    let unread = unreadable(&repo).await;

    // The service starts on that log and serves.
    let served = Served::start(ledger.clone()).await;
    let later = other_cpts(&ledger).await;
    let head = repo.head().await.expect("the head").position;
    assert!(head > unread && unread > poisoned);

    let demo_staff = GraphqlClient::new(
        served.graphql(),
        token(&repo, demo_community(), Role::Coordinator, None).await,
    );
    let answer = demo_staff.send(HEAD, json!({})).await;
    let state = &answer["data"]["ledgerHead"];
    assert_eq!(state["degraded"], true, "{answer}");
    let set_aside = state["setAside"].as_array().expect("setAside");
    assert_eq!(set_aside.len(), 2, "{answer}");
    assert_eq!(
        set_aside[0]["position"].as_u64(),
        Some(poisoned),
        "{answer}"
    );
    assert_eq!(set_aside[0]["projection"], "decisions", "{answer}");
    assert_eq!(set_aside[1]["position"].as_u64(), Some(unread), "{answer}");
    assert_eq!(set_aside[1]["projection"], "consultations", "{answer}");
    for entry in set_aside {
        assert!(
            !entry["reason"].as_str().unwrap_or("").is_empty(),
            "staff read why: {answer}"
        );
    }
    // A representative of the demo's CPTS sees what was set aside, not why.
    let martine = MemberId(demo::id_of("member", "martine-roussel"));
    let representative = GraphqlClient::new(
        served.graphql(),
        token(&repo, demo_community(), Role::Representative, Some(martine)).await,
    );
    let answer = representative.send(HEAD, json!({})).await;
    let seen = answer["data"]["ledgerHead"]["setAside"]
        .as_array()
        .expect("setAside");
    assert_eq!(seen.len(), 2, "{answer}");
    assert!(seen.iter().all(|e| e["reason"].is_null()), "{answer}");
    // Every read model went past it, and the events after it are projected.
    for projection in state["projections"].as_array().expect("projections") {
        assert_eq!(projection["position"].as_u64(), Some(head), "{answer}");
        assert_eq!(projection["behind"], 0, "{answer}");
    }
    let registered: Vec<String> = cpts_projections::ReadDb::fetch::<(String,)>(
        ledger.projector().db(),
        "SELECT name FROM proj_communities WHERE community_id = $1",
        &[later.community.to_string().into()],
    )
    .await
    .expect("the register reads")
    .into_iter()
    .map(|(name,)| name)
    .collect();
    assert_eq!(registered, vec!["CPTS du Bassin de Thau Nord".to_owned()]);

    // Another CPTS is told the service is degraded, but not what of the demo's was set aside.
    let other_staff = GraphqlClient::new(
        served.graphql(),
        token(&repo, later.community, Role::Coordinator, None).await,
    );
    let answer = other_staff.send(HEAD, json!({})).await;
    assert_eq!(answer["data"]["ledgerHead"]["degraded"], true, "{answer}");
    assert_eq!(
        answer["data"]["ledgerHead"]["setAside"],
        json!([]),
        "{answer}"
    );

    let (status, body) = served.readyz().await;
    assert_eq!(status, 503, "{body}");
    let body: Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(
        body["setAside"],
        json!([
            { "projection": "decisions", "position": poisoned },
            { "projection": "consultations", "position": unread },
        ]),
        "{body}"
    );

    // The outbox follows the read models past the event set aside.
    let outbox_reached = eventually(Duration::from_secs(20), || async {
        cpts_ledger::notify::outbox::checkpoint(ledger.projector().db())
            .await
            .is_ok_and(|done| done >= head)
    })
    .await;
    assert!(outbox_reached, "the outbox stopped at the event set aside");

    // A rebuild on that log gives the same working read models, and sets the event aside again.
    let live = read_models(&repo).await;
    let reached = ledger
        .projector()
        .rebuild()
        .await
        .expect("the rebuild succeeds");
    assert_eq!(reached, head);
    assert_eq!(read_models(&repo).await, live);
    let again = cpts_projections::projector::set_aside(ledger.projector().db())
        .await
        .expect("the events set aside");
    assert_eq!(
        again
            .iter()
            .map(|e| (e.projection.as_str(), e.position))
            .collect::<Vec<_>>(),
        vec![
            ("decisions", i64::try_from(poisoned).expect("a position")),
            ("consultations", i64::try_from(unread).expect("a position")),
        ]
    );
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_poisoned_event_is_set_aside_and_rebuilt_around_on_postgres() {
    a_poisoned_event_is_set_aside_and_rebuilt_around(postgres_db().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_poisoned_event_is_set_aside_and_rebuilt_around_on_sqlite() {
    a_poisoned_event_is_set_aside_and_rebuilt_around(sqlite_db()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_service_serves_degraded_while_the_read_models_cannot_catch_up() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("the store opens");
    let pool = repo.pg_pool().expect("PostgreSQL").clone();
    let ledger = Arc::new(Ledger::new(repo.clone()));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("the demo records");
    // The read models' checkpoints become unreachable: no catch-up can succeed.
    sqlx::query("ALTER TABLE proj_checkpoints RENAME TO proj_checkpoints_away")
        .execute(&pool)
        .await
        .expect("the checkpoints are moved away");
    let served = Served::start(Arc::new(Ledger::new(repo.clone()))).await;
    let healthz = reqwest::get(format!("http://{}/healthz", served.addr))
        .await
        .expect("/healthz answers");
    assert_eq!(healthz.status().as_u16(), 200, "the process is alive");
    let (status, body) = served.readyz().await;
    assert_eq!(status, 503, "{body}");
    let body: Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["catchUpFailing"], true, "{body}");
    // Commands are still recorded meanwhile.
    let later = other_cpts(&ledger).await;

    // Once the cause is gone, the follower catches up on its own.
    sqlx::query("ALTER TABLE proj_checkpoints_away RENAME TO proj_checkpoints")
        .execute(&pool)
        .await
        .expect("the checkpoints are back");
    let ready = eventually(Duration::from_secs(20), || async {
        served.readyz().await == (200, "ready\n".to_owned())
    })
    .await;
    assert!(ready, "the service did not become ready again");
    let registered: Vec<(String,)> = ledger
        .projector()
        .db()
        .fetch(
            "SELECT name FROM proj_communities WHERE community_id = $1",
            &[later.community.to_string().into()],
        )
        .await
        .expect("the register reads");
    assert_eq!(
        registered.len(),
        1,
        "the events recorded meanwhile are projected"
    );
    served.stop().await;
}
