//! Concurrent appends gathered into one transaction each keep their own checks: one winner per
//! stream and sequence, one recording per command id, positions gap-free, the chain intact.

use std::collections::HashMap;

use cpts_ledger::store::{DuplicateCommand, EventRepository};
use cpts_ledger_tests::{open_store, postgres_db};
use cqrs_es::persist::{PersistenceError, SerializedEvent};
use uuid::Uuid;

fn event(stream: &str, sequence: usize, command_id: &str) -> SerializedEvent {
    let metadata = HashMap::from([
        ("actor".to_owned(), "system".to_owned()),
        ("command_id".to_owned(), command_id.to_owned()),
    ]);
    SerializedEvent::new(
        stream.to_owned(),
        sequence,
        "consultation".into(),
        "ConsultationClosed".into(),
        "1".into(),
        serde_json::json!({ "ConsultationClosed": { "on": "2026-03-13" } }),
        serde_json::to_value(metadata).expect("serializes"),
    )
}

async fn at_once(
    repo: &EventRepository,
    batches: Vec<SerializedEvent>,
) -> Vec<Result<(), PersistenceError>> {
    let tasks: Vec<_> = batches
        .into_iter()
        .map(|e| {
            let repo = repo.clone();
            tokio::spawn(async move { repo.append(&[e]).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("joined"));
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_gathered_in_one_transaction_keep_their_own_checks() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");

    // Sixteen writers race for the same stream and sequence: one wins, the others lost a race.
    let stream = Uuid::new_v4().to_string();
    let results = at_once(
        &repo,
        (0..16)
            .map(|_| event(&stream, 1, &Uuid::new_v4().to_string()))
            .collect(),
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(e, PersistenceError::OptimisticLockError)));

    // One command id sent twice at once, to two streams: recorded once.
    let command = Uuid::new_v4().to_string();
    let results = at_once(
        &repo,
        vec![
            event(&Uuid::new_v4().to_string(), 1, &command),
            event(&Uuid::new_v4().to_string(), 1, &command),
        ],
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results.iter().any(|r| matches!(
        r,
        Err(PersistenceError::UnknownError(e)) if e.downcast_ref::<DuplicateCommand>().is_some()
    )));

    // Many writers on their own streams, through two repositories (two service instances):
    // all recorded, positions gap-free, the chain intact.
    let other = open_store(db.url()).await.expect("store opens");
    let mut tasks = Vec::new();
    for writer in 0..16 {
        let repo = if writer % 2 == 0 {
            repo.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            let stream = Uuid::new_v4().to_string();
            for sequence in 1..=20 {
                repo.append(&[event(&stream, sequence, &Uuid::new_v4().to_string())])
                    .await
                    .expect("appended");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    let log = repo.read_log(0, 1_000).await.expect("the log");
    assert_eq!(log.len(), 2 + 16 * 20);
    for (i, event) in log.iter().enumerate() {
        assert_eq!(event.position, i as u64 + 1, "gap-free, in order");
    }
    assert!(repo.verify(None).await.expect("verifies").is_intact());
}
