//! Appends single-event commands from 16 concurrent writers on PostgreSQL, with the global
//! order and the hash chain on, and measures beside it, in the same run, raw single-row INSERTs
//! of the same row shape from 16 concurrent writers.
//!
//!     cargo bench -p cpts-ledger-tests --bench append
//!
//! (any PostgreSQL reachable as `CPTS_TEST_PG_ADMIN_URL`, default the local one; `./tests/run
//! bench` readies it).

use std::collections::HashMap;
use std::time::Instant;

use cpts_domain::consultation::{Author, ConsultationEvent};
use cpts_domain::ids::{CommunityId, ContributionId};
use cpts_domain::values::ContributionKind;
use cpts_ledger_tests::{open_store, postgres_db};
use cqrs_es::persist::SerializedEvent;
use cqrs_es::DomainEvent;
use uuid::Uuid;

const WRITERS: usize = 16;
const PER_WRITER: usize = 300;

fn contribution(community: CommunityId) -> (serde_json::Value, serde_json::Value, String) {
    let event = ConsultationEvent::ContributionSubmitted {
        contribution_id: ContributionId(Uuid::new_v4()),
        author: Author::Anonymous {
            commune: Some("Mèze".into()),
        },
        kind: ContributionKind::Opinion,
        text: "Il faudrait une permanence le samedi matin à la maison de santé.".into(),
        submitted_on: "2026-02-10".parse().expect("date"),
        attachment: None,
        late: None,
        imported: None,
        file: None,
    };
    let metadata = HashMap::from([
        ("actor".to_owned(), "anonymous".to_owned()),
        ("command_id".to_owned(), Uuid::new_v4().to_string()),
        ("community_id".to_owned(), community.to_string()),
    ]);
    (
        serde_json::to_value(&event).expect("serializes"),
        serde_json::to_value(metadata).expect("serializes"),
        event.event_type(),
    )
}

#[tokio::main]
async fn main() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let pool = repo.pg_pool().expect("PostgreSQL").clone();
    let community = CommunityId(Uuid::new_v4());
    let synchronous_commit: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(&pool)
        .await
        .expect("a setting");
    println!("{WRITERS} writers × {PER_WRITER} single-event commands; synchronous_commit = {synchronous_commit}");

    // The ledger: each command its own stream (one consultation per writer, sequence after
    // sequence), through the store's append: head lock, sequence check, command id, chain.
    let started = Instant::now();
    let writers = (0..WRITERS).map(|_| {
        let repo = repo.clone();
        tokio::spawn(async move {
            let stream = Uuid::new_v4().to_string();
            for sequence in 1..=PER_WRITER {
                let (payload, metadata, event_type) = contribution(community);
                let event = SerializedEvent::new(
                    stream.clone(),
                    sequence,
                    "consultation".into(),
                    event_type,
                    "1".into(),
                    payload,
                    metadata,
                );
                repo.append(&[event]).await.expect("appended");
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.expect("writer");
    }
    let ledger_seconds = started.elapsed().as_secs_f64();
    let total = (WRITERS * PER_WRITER) as f64;
    assert!(repo.verify(None).await.expect("verifies").is_intact());

    // Raw: the same rows into a plain table of the same shape, autocommit, no lock, no chain.
    sqlx::query(
        "CREATE TABLE raw_events (position BIGSERIAL PRIMARY KEY, aggregate_type TEXT NOT NULL, \
         aggregate_id TEXT NOT NULL, sequence BIGINT NOT NULL, event_type TEXT NOT NULL, \
         event_version TEXT NOT NULL, payload TEXT NOT NULL, metadata TEXT NOT NULL, \
         community_id TEXT, recorded_at TEXT NOT NULL, prev_hash BYTEA NOT NULL, \
         hash BYTEA NOT NULL, UNIQUE (aggregate_type, aggregate_id, sequence))",
    )
    .execute(&pool)
    .await
    .expect("a scratch table");
    let started = Instant::now();
    let writers = (0..WRITERS).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move {
            let stream = Uuid::new_v4().to_string();
            for sequence in 1..=PER_WRITER {
                let (payload, metadata, event_type) = contribution(community);
                sqlx::query(
                    "INSERT INTO raw_events (aggregate_type, aggregate_id, sequence, event_type, \
                     event_version, payload, metadata, community_id, recorded_at, prev_hash, hash) \
                     VALUES ('consultation', $1, $2, $3, '1', $4, $5, $6, $7, $8, $9)",
                )
                .bind(&stream)
                .bind(i64::try_from(sequence).expect("small"))
                .bind(event_type)
                .bind(payload.to_string())
                .bind(metadata.to_string())
                .bind(community.to_string())
                .bind(chrono::Utc::now().to_rfc3339())
                .bind(vec![0u8; 32])
                .bind(vec![1u8; 32])
                .execute(&pool)
                .await
                .expect("inserted");
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.expect("writer");
    }
    let raw_seconds = started.elapsed().as_secs_f64();

    let ledger_rate = total / ledger_seconds;
    let raw_rate = total / raw_seconds;
    println!("ledger appends (global order, hash chain): {ledger_rate:.0} events/s");
    println!("raw single-row INSERTs, same rows:         {raw_rate:.0} rows/s");
    println!("ratio: {:.2}", ledger_rate / raw_rate);
}
