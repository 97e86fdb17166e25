//! The read models: the scenario's figures, rebuild equality, crash catch-up, and concurrent
//! writers, read from the projections alone.

use std::sync::Arc;

use chrono::NaiveDate;
use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::consultation::{Author, ConsultationCommand};
use cpts_domain::ids::{ConsultationId, ContributionId};
use cpts_domain::values::ContributionKind;
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger_tests::{dump_read_models, open_store, postgres_db, sqlite_db};
use cpts_projections::queries;
use cpts_projections::ReadDb;
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn read_db(ledger: &Ledger) -> &ReadDb {
    ledger.projector().db()
}

async fn the_scenario_reads_back_from_the_projections(url: &str) {
    let repo = open_store(url).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");
    let db = read_db(&ledger);
    let as_of = date("2026-12-31");
    let community = id_of("community", "cpts-val-de-letang").to_string();

    // The perimeter decision's influence trail.
    let lag = ledger.projector().lag().await.expect("lag");
    assert!(
        lag.iter().all(|(_, _, behind)| *behind == 0),
        "each command waited for its projection: {lag:?}"
    );
    let trail = queries::influence_trail(db, &id_of("decision", "d-perimetre").to_string(), as_of)
        .await
        .expect("reads")
        .expect("the decision");
    assert_eq!(trail.entries.len(), 14);
    assert_eq!(trail.status, "adopted");
    assert_eq!(trail.consultations[0].answer_deadline, "2026-04-12");
    assert!(trail.consultations[0]
        .promise_fr
        .contains("influencé la décision"));
    let count = |d: &str| trail.counts.get(d).copied().unwrap_or(0);
    assert_eq!(
        (
            count("retained"),
            count("partly_retained"),
            count("not_retained")
        ),
        (9, 3, 2)
    );
    assert_eq!(trail.share_retained, Some(12.0 / 14.0));
    let not_retained: Vec<&str> = trail
        .entries
        .iter()
        .filter(|e| e.disposition.as_deref() == Some("not_retained"))
        .map(|e| e.rationale.as_deref().expect("a reason"))
        .collect();
    assert_eq!(not_retained.len(), 2);
    assert!(not_retained
        .iter()
        .any(|r| r.contains("CPTS Cœur d'Hérault")));
    let late: Vec<&str> = trail
        .entries
        .iter()
        .filter(|e| e.on_time == Some(false))
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(late.len(), 1, "one answer is late");
    assert!(late[0].starts_with("Depuis le départ de mon médecin"));
    let anonymous = trail
        .entries
        .iter()
        .find(|e| e.author_member_id.is_none())
        .expect("an anonymous contribution");
    assert!(anonymous
        .author(cpts_domain::values::Lang::Fr)
        .starts_with("Habitant anonyme ("));

    // Promise keeping of the perimeter consultation: 13 on time, 1 late.
    let keeping =
        queries::promise_keeping(db, &id_of("consultation", "perimetre").to_string(), as_of)
            .await
            .expect("reads")
            .expect("the consultation");
    assert_eq!(
        (
            keeping.owed,
            keeping.answered_on_time,
            keeping.answered_late,
            keeping.unanswered_overdue
        ),
        (14, 13, 1, 0)
    );
    assert_eq!(
        keeping.late_contributions,
        [id_of("contribution", "p10").to_string()]
    );
    // Asked as of a day before the late answer, the same contribution was overdue.
    let before = queries::promise_keeping(
        db,
        &id_of("consultation", "perimetre").to_string(),
        date("2026-04-15"),
    )
    .await
    .expect("reads")
    .expect("the consultation");
    assert_eq!(
        (before.answered_on_time, before.unanswered_overdue),
        (13, 1)
    );

    // A representative's follow-up.
    let martine =
        queries::contributor_follow_up(db, &id_of("member", "martine-roussel").to_string(), as_of)
            .await
            .expect("reads");
    assert_eq!(martine.len(), 4);
    assert!(martine.iter().all(|f| f.status == "answered"));
    let out_of_scope = martine
        .iter()
        .find(|f| f.disposition.as_deref() == Some("out_of_scope"))
        .expect("a05");
    assert!(out_of_scope
        .rationale
        .as_deref()
        .unwrap_or("")
        .contains("CPAM"));

    // The register and its compliance checks as of 2026-12-31.
    let register = queries::register(db, &community, as_of)
        .await
        .expect("reads");
    let outside: Vec<&str> = register
        .representatives
        .iter()
        .filter(|r| r.active && r.lives_in_territory == Some(0))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(outside, ["Karim Benali"]);
    let aidants = register
        .associations
        .iter()
        .find(|a| a.name == "Collectif des aidants du Val")
        .expect("aidants");
    assert_eq!(aidants.approval, "not_approved");
    assert!(aidants
        .next_step_fr
        .contains("délégation régionale de France Assos Santé"));
    let status = |code: &str| {
        register
            .checks
            .iter()
            .find(|c| c.code == code)
            .map(|c| (c.ok, c.detail_en.clone()))
            .expect(code)
    };
    assert_eq!(
        status("at_least_two_active_representatives"),
        (true, "2 association representative(s) in office".into())
    );
    assert!(status("users_college_exists_and_seated").0);
    assert!(status("travel_expenses_rule_adopted").0);
    assert_eq!(
        status("cadre_intervention_for_each_representative"),
        (false, "Without a cadre d'intervention: Karim Benali".into())
    );
    let moments = status("representatives_in_each_moment");
    assert!(
        !moments.0 && moments.1.ends_with("Adjustment and evaluation of actions"),
        "{moments:?}"
    );

    // The indicator, reported twice.
    let reports = queries::indicator_history(db, &community)
        .await
        .expect("reads");
    let values: Vec<(String, f64)> = reports
        .iter()
        .map(|r| (r.period.clone(), r.value))
        .collect();
    assert_eq!(
        values,
        [("2026-09".to_owned(), 31.0), ("2026-10".to_owned(), 44.0)]
    );

    // Rebuilding gives the same read models, to the row.
    let live = dump_read_models(&repo).await;
    ledger.projector().rebuild().await.expect("rebuilt");
    assert_eq!(
        dump_read_models(&repo).await,
        live,
        "a rebuilt projection is identical to the live one"
    );
}

#[tokio::test]
async fn the_scenario_reads_back_from_the_projections_on_postgres() {
    let db = postgres_db().await;
    the_scenario_reads_back_from_the_projections(db.url()).await;
}

#[tokio::test]
async fn the_scenario_reads_back_from_the_projections_on_sqlite() {
    let db = sqlite_db();
    the_scenario_reads_back_from_the_projections(db.url()).await;
}

async fn events_committed_but_not_projected_are_caught_up(url: &str) {
    let repo = open_store(url).await.expect("store opens");
    // The service dies after committing events and before projecting them: here, a ledger
    // that does not project records the whole scenario.
    let crashed = Ledger::new(repo.clone()).projecting_after_commands(false);
    demo::record_scenario(&crashed)
        .await
        .expect("demo recorded");
    let restarted = Ledger::new(repo.clone());
    let lag = restarted.projector().lag().await.expect("lag");
    assert!(
        lag.iter()
            .all(|(_, checkpoint, behind)| *checkpoint == 0 && *behind == 117),
        "{lag:?}"
    );
    assert_eq!(
        restarted.projector().catch_up().await.expect("caught up"),
        117
    );
    assert!(restarted
        .projector()
        .lag()
        .await
        .expect("lag")
        .iter()
        .all(|(_, _, behind)| *behind == 0));
    let caught_up = dump_read_models(&repo).await;
    // Catching up again applies nothing twice.
    restarted.projector().catch_up().await.expect("caught up");
    assert_eq!(dump_read_models(&repo).await, caught_up);
    restarted.projector().rebuild().await.expect("rebuilt");
    assert_eq!(
        dump_read_models(&repo).await,
        caught_up,
        "caught up exactly as a replay from scratch"
    );
}

#[tokio::test]
async fn events_committed_but_not_projected_are_caught_up_on_postgres() {
    let db = postgres_db().await;
    events_committed_but_not_projected_are_caught_up(db.url()).await;
}

#[tokio::test]
async fn events_committed_but_not_projected_are_caught_up_on_sqlite() {
    let db = sqlite_db();
    events_committed_but_not_projected_are_caught_up(db.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_followers_apply_every_event_once() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let seed = Ledger::new(repo.clone());
    demo::record_scenario(&seed).await.expect("demo recorded");
    let consultations = [
        id_of("consultation", "perimetre"),
        id_of("consultation", "atelier-diabete"),
    ];

    // Two instances write to two consultations at once, without projecting themselves; two
    // followers project whatever has committed, concurrently with the writes and each other.
    // Closed consultations take no contributions, so the writers record withdrawals and
    // contributions' amendments are refused; they record new consultations' contributions.
    let mut tasks = Vec::new();
    for instance in 0..2 {
        let ledger = Arc::new(
            Ledger::new(open_store(db.url()).await.expect("store"))
                .projecting_after_commands(false),
        );
        for (t, consultation) in consultations.iter().enumerate() {
            let ledger = ledger.clone();
            let consultation = ConsultationId(*consultation);
            tasks.push(tokio::spawn(async move {
                let opened = ConsultationId(Uuid::new_v4());
                let open = AddressedCommand::Consultation {
                    id: opened,
                    command: ConsultationCommand::Open {
                        consultation_id: opened,
                        community_id: cpts_domain::ids::CommunityId(id_of(
                            "community",
                            "cpts-val-de-letang",
                        )),
                        terms: cpts_domain::consultation::ConsultationTerms {
                            subject: format!("Évaluation {instance}-{t} ({consultation})"),
                            moment: cpts_domain::values::Moment::Evaluation,
                            mission: cpts_domain::values::Mission::Prevention,
                            rung: cpts_domain::values::Rung::Consult,
                            audience: "habitants".into(),
                            method: cpts_domain::values::Method::Questionnaire,
                            opens_on: date("2026-09-01"),
                            closes_on: date("2026-10-31"),
                            answer_within_days: 30,
                        },
                    },
                };
                let context = || CommandContext {
                    caller: Caller::Trusted(Actor::System),
                    command_id: Uuid::new_v4(),
                };
                ledger.execute(open, context()).await.expect("opened");
                for n in 0..60 {
                    let submit = AddressedCommand::Consultation {
                        id: opened,
                        command: ConsultationCommand::Submit {
                            contribution_id: ContributionId(Uuid::new_v4()),
                            author: Author::Anonymous {
                                commune: Some("Mèze".into()),
                            },
                            kind: ContributionKind::Opinion,
                            text: format!("Avis {n}"),
                            submitted_on: date("2026-09-15"),
                            attachment: None,
                            file: None,
                        },
                    };
                    ledger.execute(submit, context()).await.expect("submitted");
                }
            }));
        }
    }
    let followers: Vec<_> = (0..2)
        .map(|_| {
            let ledger = Ledger::new(repo.clone());
            tokio::spawn(async move {
                for _ in 0..40 {
                    ledger.projector().catch_up().await.expect("caught up");
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
    for follower in followers {
        follower.await.expect("follower");
    }
    let head = repo.head().await.expect("head").position;
    assert_eq!(seed.projector().catch_up().await.expect("caught up"), head);
    let timeline: Vec<i64> =
        sqlx::query_scalar("SELECT position FROM proj_timeline ORDER BY position")
            .fetch_all(repo.pg_pool().expect("postgres"))
            .await
            .expect("timeline");
    assert_eq!(
        timeline,
        (1..=head as i64).collect::<Vec<_>>(),
        "every position exactly once"
    );
    let live = dump_read_models(&repo).await;
    seed.projector().rebuild().await.expect("rebuilt");
    assert_eq!(
        dump_read_models(&repo).await,
        live,
        "what the followers built equals a replay"
    );
}
