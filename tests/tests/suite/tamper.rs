//! The log is append-only in the database itself, and any change made behind its back is found
//! by `verify`; the same command sent twice is recorded once.

use std::sync::Arc;

use cpts_domain::access::Caller;
use cpts_domain::command::{Actor, AddressedCommand};
use cpts_domain::community::CommunityCommand;
use cpts_domain::ids::CommunityId;
use cpts_domain::values::Commune;
use cpts_graphql::port::{CommandContext, LedgerPort};
use cpts_ledger::demo;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::{Digest, EventRepository, Problem};
use cpts_ledger_tests::{open_store, postgres_db, sqlite_db};
use uuid::Uuid;

async fn with_demo(url: &str) -> (EventRepository, Ledger) {
    let repo = open_store(url).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    demo::record_scenario(&ledger).await.expect("demo recorded");
    (repo, ledger)
}

/// Runs a statement on the backend behind `repo`, returning the error message if it fails.
async fn run(repo: &EventRepository, sql: &str) -> Result<u64, String> {
    match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        (_, Some(pool)) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        _ => unreachable!("one backend"),
    }
    .map_err(|e| e.to_string())
}

/// Runs statements one after the other on one connection, as an administrator's session would.
async fn session(repo: &EventRepository, statements: &[&str]) -> Result<(), String> {
    let script = statements.join(";\n");
    match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => sqlx::raw_sql(&script).execute(pool).await.map(drop),
        (_, Some(pool)) => sqlx::raw_sql(&script).execute(pool).await.map(drop),
        _ => unreachable!("one backend"),
    }
    .map_err(|e| e.to_string())
}

async fn the_log_refuses_updates_and_deletes(url: &str) {
    let (repo, _) = with_demo(url).await;
    let head = repo.head().await.expect("head");
    for sql in [
        "UPDATE events SET payload = '{}' WHERE position = 10",
        "DELETE FROM events WHERE position = 10",
        "DELETE FROM events",
    ] {
        let refused = run(&repo, sql).await.expect_err(sql);
        assert!(refused.contains("append-only"), "{sql}: {refused}");
    }
    if repo.pg_pool().is_some() {
        let refused = run(&repo, "TRUNCATE events CASCADE")
            .await
            .expect_err("truncate");
        assert!(refused.contains("append-only"), "{refused}");
    }
    assert_eq!(repo.head().await.expect("head"), head);
    assert!(repo.verify(None).await.expect("verifies").is_intact());
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes_on_postgres() {
    let db = postgres_db().await;
    the_log_refuses_updates_and_deletes(db.url()).await;
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes_on_sqlite() {
    let db = sqlite_db();
    the_log_refuses_updates_and_deletes(db.url()).await;
}

async fn an_edit_behind_the_ledgers_back_is_found(url: &str, disable: &str, enable: &str) {
    let (repo, ledger) = with_demo(url).await;
    let before = repo.verify(None).await.expect("verifies");
    assert!(before.is_intact(), "{before:?}");
    assert_eq!(before.events_checked, 117);
    let digest = before.digest;

    // A superuser turns the protection off and rewrites an answer's rationale.
    let target = repo
        .read_log(0, 1000)
        .await
        .expect("log")
        .into_iter()
        .find(|e| e.event_type == "AnswerDrafted")
        .expect("an answer");
    let edited = target
        .payload_text
        .replace("Données intégrées", "Données écartées");
    let forged = if edited == target.payload_text {
        target.payload_text.replace("retained", "not_retained")
    } else {
        edited
    };
    let sql = format!(
        "UPDATE events SET payload = '{}' WHERE position = {}",
        forged.replace('\'', "''"),
        target.position
    );
    session(&repo, &[disable, &sql, enable])
        .await
        .expect("edited with the protection off");

    let after = repo.verify(None).await.expect("verifies");
    let broken = after.broken.expect("the edit is found");
    assert_eq!(
        broken.position, target.position,
        "verify names the edited event"
    );
    assert_eq!(broken.problem, Problem::ContentChanged);
    let report = ledger
        .verify(Some(&digest.to_string()))
        .await
        .expect("verifies");
    assert!(
        !report.intact,
        "the digest taken before the edit no longer verifies"
    );
    assert_eq!(report.first_broken_position, Some(target.position));
}

#[tokio::test]
async fn an_edit_behind_the_ledgers_back_is_found_on_postgres() {
    let db = postgres_db().await;
    an_edit_behind_the_ledgers_back_is_found(
        db.url(),
        "ALTER TABLE events DISABLE TRIGGER USER",
        "ALTER TABLE events ENABLE TRIGGER USER",
    )
    .await;
}

#[tokio::test]
async fn an_edit_behind_the_ledgers_back_is_found_on_sqlite() {
    let db = sqlite_db();
    an_edit_behind_the_ledgers_back_is_found(
        db.url(),
        "DROP TRIGGER events_no_update",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE on events is refused'); END",
    )
    .await;
}

#[tokio::test]
async fn a_digest_still_verifies_after_later_events_and_not_after_a_rewrite_of_the_tail() {
    let db = postgres_db().await;
    let (repo, ledger) = with_demo(db.url()).await;
    let digest = repo.verify(None).await.expect("verifies").digest;
    let later = CommunityId(Uuid::new_v4());
    let register = AddressedCommand::Community {
        id: later,
        command: CommunityCommand::Register {
            community_id: later,
            name: "CPTS du Bassin de Thau".into(),
            territory: vec![Commune {
                insee: "34301".into(),
                name: "Sète".into(),
            }],
        },
    };
    ledger
        .execute(
            register,
            CommandContext {
                caller: Caller::Trusted(Actor::System),
                command_id: Uuid::new_v4(),
            },
        )
        .await
        .expect("recorded");
    let report = ledger
        .verify(Some(&digest.to_string()))
        .await
        .expect("verifies");
    assert!(report.intact, "{report:?}");
    assert_eq!(report.events_checked, 118);

    // A digest of a log that never existed here is refused.
    let forged = Digest {
        version: digest.version,
        position: digest.position,
        hash: [7; 32],
    };
    let report = ledger
        .verify(Some(&forged.to_string()))
        .await
        .expect("verifies");
    assert_eq!(report.first_broken_position, Some(digest.position));
    assert!(
        ledger.verify(Some("n'importe quoi")).await.is_err(),
        "a malformed digest is an error"
    );
}

#[tokio::test]
async fn the_same_command_sent_twice_is_recorded_once_and_answered_alike() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let first = Arc::new(Ledger::new(repo.clone()));
    let second = Arc::new(Ledger::new(
        open_store(db.url()).await.expect("store opens"),
    ));
    let id = CommunityId(Uuid::new_v4());
    let command = AddressedCommand::Community {
        id,
        command: CommunityCommand::Register {
            community_id: id,
            name: "CPTS du Val de l'Étang".into(),
            territory: vec![Commune {
                insee: "34301".into(),
                name: "Sète".into(),
            }],
        },
    };
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };

    // Twice in a row, then twice at once from two instances, all with the same command id.
    let a = first
        .execute(command.clone(), context)
        .await
        .expect("first");
    let b = first
        .execute(command.clone(), context)
        .await
        .expect("repeated");
    let (c, d) = tokio::join!(
        first.execute(command.clone(), context),
        second.execute(command.clone(), context)
    );
    assert_eq!(a.events.len(), 1);
    for other in [b, c.expect("concurrent"), d.expect("concurrent")] {
        assert_eq!(other, a, "answered the same way");
    }
    assert_eq!(
        repo.head().await.expect("head").position,
        1,
        "recorded once"
    );

    // The same id for a command to another record is a conflict, not a silent success.
    let other = CommunityId(Uuid::new_v4());
    let reused = AddressedCommand::Community {
        id: other,
        command: CommunityCommand::Register {
            community_id: other,
            name: "Autre".into(),
            territory: vec![Commune {
                insee: "34301".into(),
                name: "Sète".into(),
            }],
        },
    };
    assert!(matches!(
        first.execute(reused, context).await,
        Err(cpts_graphql::port::LedgerError::CommandIdReused)
    ));
}

#[tokio::test]
async fn sixteen_concurrent_sends_of_one_command_id_append_its_events_once() {
    let db = postgres_db().await;
    let instances = [
        Arc::new(Ledger::new(
            open_store(db.url()).await.expect("store opens"),
        )),
        Arc::new(Ledger::new(
            open_store(db.url()).await.expect("store opens"),
        )),
    ];
    let id = CommunityId(Uuid::new_v4());
    let command = AddressedCommand::Community {
        id,
        command: CommunityCommand::Register {
            community_id: id,
            name: "CPTS du Val de l'Étang".into(),
            territory: vec![Commune {
                insee: "34301".into(),
                name: "Sète".into(),
            }],
        },
    };
    let context = CommandContext {
        caller: Caller::Trusted(Actor::System),
        command_id: Uuid::new_v4(),
    };
    // Sixteen at once, none before: half through each of two service instances.
    let sends = (0..16).map(|i| {
        let ledger = instances[i % 2].clone();
        let command = command.clone();
        tokio::spawn(async move { ledger.execute(command, context).await })
    });
    let answers: Vec<_> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(|joined| joined.expect("joined").expect("answered"))
        .collect();
    assert_eq!(answers[0].events.len(), 1);
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "all sixteen answered with the same events"
    );
    let repo = instances[0].repository();
    assert_eq!(
        repo.head().await.expect("head").position,
        1,
        "recorded once"
    );
    assert!(repo.verify(None).await.expect("verifies").is_intact());
}
