//! Generates the general assembly's report of a CPTS with 10,000 contributions and 200
//! decisions, on PostgreSQL, and prints how long it takes, in each format.
//!
//!     cargo bench -p cpts-ledger-tests --bench report
//!
//! (any PostgreSQL reachable as `CPTS_TEST_PG_ADMIN_URL`, default the local one; `./tests/run
//! bench` readies it). The time covers what `cpts-ledger report` does: reading the log up to
//! the as-of date with its hashes checked and its personal fields decrypted, the fold, and the
//! rendering.

use std::time::Instant;

use cpts_domain::values::Lang;
use cpts_ledger::report::{self, ReportRequest};
use cpts_ledger_tests::busy::{self, Shape};
use cpts_ledger_tests::{open_store, postgres_db};
use cpts_projections::report::render;

#[tokio::main]
async fn main() {
    let db = postgres_db().await;
    let repo = open_store(db.url()).await.expect("store opens");
    // 200 consultations of 50 contributions each (10,000), and 200 decisions answering them.
    let shape = Shape {
        members: 100,
        units: 200,
        contributions: 50,
        answers: 50,
    };
    let (community, total) = busy::record(&repo, shape).await;
    println!("recorded {total} events: 10,000 contributions, 200 decisions");

    let as_of = cpts_graphql::clock::today();
    let mut request = ReportRequest::year_of(community, as_of, as_of);
    request.period = (
        "2026-01-01".parse().expect("date"),
        "2026-12-31".parse().expect("date"),
    );
    request.lang = Lang::Fr;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let built = report::generate(&repo, request).await.expect("report");
        let html = render::html(&built);
        let markdown = render::markdown(&built);
        let json = render::json(&built);
        let seconds = started.elapsed().as_secs_f64();
        best = best.min(seconds);
        assert_eq!(built.decisions.len(), 200);
        println!(
            "report of {total} events: {:.0} ms (HTML {} kB, Markdown {} kB, JSON {} kB)",
            seconds * 1000.0,
            html.len() / 1024,
            markdown.len() / 1024,
            json.len() / 1024
        );
    }
    println!("best of 5: {:.0} ms", best * 1000.0);
}
