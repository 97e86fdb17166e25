//! Replays 100,000 events into every projection on PostgreSQL and prints events per second.
//!
//!     ./tests/run bench
//!
//! (or `cargo bench -p cpts-ledger-tests --bench replay` with any PostgreSQL reachable as
//! `CPTS_TEST_PG_ADMIN_URL`, default the local one).
//! The log is written straight through the store, in the mix a busy CPTS would produce:
//! consultations with many contributions (half of them from members, whose texts are stored
//! encrypted), decisions answering each one and publishing.

use std::time::Instant;

use cpts_ledger::service::Ledger;
use cpts_ledger_tests::busy::{self, Shape};
use cpts_ledger_tests::{open_store, postgres_db};

#[tokio::main]
async fn main() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    let shape = Shape {
        members: 100,
        units: 100,
        contributions: 500,
        answers: 248,
    };
    let (_, total) = busy::record(&repo, shape).await;
    println!("recorded {total} events");

    let started = Instant::now();
    let mut after = 0;
    loop {
        let events = repo.read_log(after, 5_000).await.expect("reads");
        let Some(last) = events.last() else { break };
        after = last.position;
    }
    println!(
        "reading the log alone: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let ledger = Ledger::new(repo.clone());
    let started = Instant::now();
    let reached = ledger.projector().rebuild().await.expect("rebuilt");
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(reached as usize, total);
    println!(
        "replayed {total} events into every projection in {seconds:.2} s: {:.0} events/s",
        total as f64 / seconds
    );
}
