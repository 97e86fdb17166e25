//! What the shape guard costs on the worst queries it lets through, and what async-graphql's
//! parsing and validation of them cost once it has let them through.
//!
//!     cargo bench -p cpts-ledger-tests --bench guard
//!
//! No database: the candidates select `rungs`, which reads nothing. Among nested fragment
//! spreads of every depth and fan-out the guard accepts, a flat selection of as many fields as
//! it accepts, and fan-outs of one fragment, it prints the slowest to check.

use std::time::{Duration, Instant};

use async_graphql::Schema;
use cpts_graphql::shape::check_shape;
use cpts_graphql::{MutationRoot, QueryRoot, SubscriptionRoot};

/// `levels` fragments each spreading the next `fan` times, down to `leaf`.
fn nested(levels: usize, fan: usize, leaf: &str) -> String {
    let mut query = String::from("{ ...F0 }\n");
    for level in 0..levels {
        let spreads = vec![format!("...F{}", level + 1); fan].join(" ");
        query.push_str(&format!("fragment F{level} on Query {{ {spreads} }}\n"));
    }
    query.push_str(&format!("fragment F{levels} on Query {{ {leaf} }}\n"));
    query
}

fn candidates() -> Vec<(String, String)> {
    let mut all = Vec::new();
    for levels in 1..=6 {
        for fan in 2..=40 {
            for leaf in ["rungs { label }", "rungs { label promise owesAnswers }"] {
                all.push((
                    format!("{levels} levels of {fan} spreads of `{leaf}`"),
                    nested(levels, fan, leaf),
                ));
            }
        }
    }
    for count in [100, 250, 400, 490] {
        all.push((
            format!("{count} fields side by side"),
            format!("{{ rungs {{ {} }} }}", "label ".repeat(count)),
        ));
        all.push((
            format!("one fragment spread {count} times"),
            format!(
                "{{ rungs {{ {} }} }} fragment L on RungInfo {{ label }}",
                "...L ".repeat(count)
            ),
        ));
    }
    let aliases: Vec<String> = (0..30)
        .map(|i| format!("a{i}: rungs {{ {} }}", "label ".repeat(15)))
        .collect();
    all.push((
        "30 aliases of 15 fields".into(),
        format!("{{ {} }}", aliases.join(" ")),
    ));
    all
}

/// The best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let accepted: Vec<(String, String)> = candidates()
        .into_iter()
        .filter(|(_, query)| check_shape(query).is_ok())
        .collect();
    println!("{} candidate queries pass the guard", accepted.len());

    let mut worst = (Duration::ZERO, String::new(), String::new());
    for (what, query) in &accepted {
        let cost = best(5, || {
            let _ = check_shape(query);
        });
        if cost > worst.0 {
            worst = (cost, what.clone(), query.clone());
        }
    }
    let (_, what, query) = worst;
    let guard = best(200, || {
        let _ = check_shape(&query);
    });
    println!(
        "worst accepted query for the guard: {what} ({} bytes)",
        query.len()
    );
    println!("guard: {:.3} ms", guard.as_secs_f64() * 1000.0);

    // async-graphql's parsing and validation of every accepted query (a complexity limit of 1
    // refuses each right after validation, so nothing runs).
    let schema = Schema::build(QueryRoot, MutationRoot, SubscriptionRoot)
        .limit_depth(cpts_graphql::MAX_DEPTH)
        .limit_complexity(1)
        .finish();
    let mut slowest = (Duration::ZERO, String::new());
    for (what, query) in &accepted {
        let started = Instant::now();
        let response = schema.execute(query.as_str()).await;
        let cost = started.elapsed();
        assert!(response.is_err(), "{what} is refused after validation");
        if cost > slowest.0 {
            slowest = (cost, what.clone());
        }
    }
    println!(
        "slowest async-graphql parsing and validation of an accepted query: {} ({:.3} ms)",
        slowest.1,
        slowest.0.as_secs_f64() * 1000.0
    );
    let mut total = Duration::ZERO;
    for (_, query) in &accepted {
        total += best(1, || {
            let _ = check_shape(query);
        });
    }
    println!(
        "guard over all {} accepted candidates: {:.1} ms in all",
        accepted.len(),
        total.as_secs_f64() * 1000.0
    );
}
