//! The right to erasure in an append-only log: a representative asks to be forgotten. Their
//! name and texts must then be nowhere in the database, while every trail and figure stays
//! whole and the hash chain still verifies.

use std::sync::Arc;

use chrono::NaiveDate;
use cpts_domain::access::Role;
use cpts_domain::ids::{CommunityId, MemberId};
use cpts_domain::personal::ERASED;
use cpts_ledger::demo::{self, id_of};
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger::{app, personal, tokens};
use cpts_ledger_tests::{dump_read_models, open_store, postgres_db, sqlite_db};
use cpts_projections::queries;
use serde_json::{json, Value};

/// What the scenario says about Martine Roussel, and which must disappear.
const HER_WORDS: [&str; 6] = [
    "Martine Roussel",
    "Roussel",
    "Villeveyrac et Montbazin consultent",
    "dépistage du pied diabétique en pharmacie",
    "Prise en charge des séances de podologue",
    "Porter la parole des personnes vivant avec un diabète",
];

fn as_of() -> NaiveDate {
    "2026-12-31".parse().expect("date")
}

/// Every row of every table of the database, as text.
async fn every_row(repo: &EventRepository) -> Vec<String> {
    let mut rows = Vec::new();
    match (repo.pg_pool(), repo.sqlite_pool()) {
        (Some(pool), _) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .fetch_all(pool)
            .await
            .expect("tables");
            assert!(tables.iter().any(|t| t == "person_keys"), "{tables:?}");
            for table in tables {
                let sql = format!("SELECT t::text FROM {table} t");
                let found: Vec<String> = sqlx::query_scalar(&sql)
                    .fetch_all(pool)
                    .await
                    .expect("rows");
                rows.extend(found.into_iter().map(|r| format!("{table}: {r}")));
            }
        }
        (_, Some(pool)) => {
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(pool)
                    .await
                    .expect("tables");
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .expect("columns");
                let select = columns
                    .iter()
                    .map(|c| {
                        format!(
                            "COALESCE(CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") \
                             ELSE CAST(\"{c}\" AS TEXT) END, '')"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                let sql = format!("SELECT {select} FROM \"{table}\"");
                let found: Vec<String> = sqlx::query_scalar(&sql)
                    .fetch_all(pool)
                    .await
                    .expect("rows");
                rows.extend(found.into_iter().map(|r| format!("{table}: {r}")));
            }
        }
        _ => unreachable!(),
    }
    rows
}

/// The figures a report is made of, for the demo's CPTS.
async fn figures(ledger: &Ledger) -> Value {
    let db = ledger.projector().db();
    let trail =
        queries::influence_trail(db, &id_of("decision", "d-perimetre").to_string(), as_of())
            .await
            .expect("reads")
            .expect("the decision");
    let keeping =
        queries::promise_keeping(db, &id_of("consultation", "perimetre").to_string(), as_of())
            .await
            .expect("reads")
            .expect("the consultation");
    let register = queries::register(
        db,
        &id_of("community", "cpts-val-de-letang").to_string(),
        as_of(),
    )
    .await
    .expect("reads");
    let follow_up = queries::contributor_follow_up(
        db,
        &id_of("member", "martine-roussel").to_string(),
        as_of(),
    )
    .await
    .expect("reads");
    json!({
        "entries": trail.entries.len(),
        "counts": trail.counts,
        "share": trail.share_retained,
        "keeping": [keeping.owed, keeping.answered_on_time, keeping.answered_late],
        "representatives": register.representatives.len(),
        "active": register.representatives.iter().filter(|r| r.active).count(),
        "checks": register.checks.iter().map(|c| (c.code.clone(), c.ok)).collect::<Vec<_>>(),
        "members": register.members_by_kind,
        "her_contributions": follow_up.iter().map(|f| (f.status.clone(), f.disposition.clone())).collect::<Vec<_>>(),
    })
}

async fn a_representative_is_forgotten_and_every_figure_stays(url: &str) {
    let repo = open_store(url).await.expect("store opens");
    let ledger = Arc::new(Ledger::new(repo.clone()));
    demo::record_scenario(ledger.as_ref())
        .await
        .expect("demo recorded");
    let martine = MemberId(id_of("member", "martine-roussel"));

    // Before: the read models show her words, which no table holds in clear (the log holds
    // them encrypted with her key, the read models sealed).
    let before = every_row(&repo).await;
    let register_before = queries::register(
        ledger.projector().db(),
        &id_of("community", "cpts-val-de-letang").to_string(),
        as_of(),
    )
    .await
    .expect("reads");
    assert!(register_before
        .representatives
        .iter()
        .any(|r| r.name == "Martine Roussel"));
    assert!(
        !before.iter().any(|r| r.contains("Roussel")),
        "her name is held encrypted or sealed only"
    );
    let access = personal::export_person(&ledger, martine)
        .await
        .expect("exported");
    let text = access.to_string();
    assert!(
        text.contains("Martine Roussel") && text.contains("podologue"),
        "{text}"
    );
    assert_eq!(access["contributions"].as_array().map(Vec::len), Some(4));

    // Nor in the database's files (tests/tests/suite/at_rest.rs scans them for everyone).
    if let Some(path) = url.strip_prefix("sqlite://") {
        let in_files = [path.to_owned(), format!("{path}-wal")].iter().any(|file| {
            std::fs::read(file)
                .is_ok_and(|bytes| bytes.windows(15).any(|w| w == b"Martine Roussel"))
        });
        assert!(!in_files, "her name is in clear in {path}");
    }
    let figures_before = figures(&ledger).await;
    let digest = repo.verify(None).await.expect("verifies").digest;

    // The coordinator erases her, through the API; a board member may not.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = app::start(
        ledger.clone(),
        "127.0.0.1:0".parse().expect("address"),
        async {
            stopped.await.ok();
        },
    )
    .await
    .expect("service starts");
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let coordinator = tokens::create(&repo, community, Role::Coordinator, None, "coordination")
        .await
        .expect("token")
        .secret;
    let board = tokens::create(
        &repo,
        community,
        Role::BoardMember,
        Some(MemberId(id_of("member", "helene-castel"))),
        "board",
    )
    .await
    .expect("token")
    .secret;
    let erase = json!({
        "query": "mutation($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { events { eventType } } }",
        "variables": { "input": { "memberId": martine.to_string(), "on": "2026-11-30" } }
    });
    let url = format!("http://{}/graphql", server.addr);
    let http = reqwest::Client::new();
    let refused: Value = http
        .post(&url)
        .bearer_auth(&board)
        .json(&erase)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    let erased: Value = http
        .post(&url)
        .bearer_auth(&coordinator)
        .json(&erase)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        erased["data"]["erasePersonalData"]["events"][0]["eventType"], "PersonalDataErased",
        "{erased}"
    );
    stop.send(()).ok();

    // Nowhere in the database any more: not in the log, not in the read models, not in a key.
    for row in every_row(&repo).await {
        for words in HER_WORDS {
            assert!(!row.contains(words), "“{words}” is still in {row}");
        }
    }
    // Nor in the database's files, where the old versions of rows could linger.
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        for file in [path.to_owned(), format!("{path}-wal")] {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            for words in HER_WORDS {
                assert!(
                    !bytes.windows(words.len()).any(|w| w == words.as_bytes()),
                    "“{words}” is still in the bytes of {file}"
                );
            }
        }
    }

    // The projections show an erased person, and every figure is what it was.
    let register = queries::register(ledger.projector().db(), &community.to_string(), as_of())
        .await
        .expect("reads");
    assert!(register.representatives.iter().any(|r| r.name == ERASED));
    assert_eq!(figures(&ledger).await, figures_before);

    // The log is unchanged: it verifies, and the digest taken before still holds.
    let verification = repo.verify(Some(&digest)).await.expect("verifies");
    assert!(verification.is_intact(), "{verification:?}");

    // A rebuild from the log gives the same read models: the erasure holds there too.
    let live = dump_read_models(&repo).await;
    ledger.projector().rebuild().await.expect("rebuilt");
    assert_eq!(dump_read_models(&repo).await, live);

    // What is held about her now says she was erased.
    let access = personal::export_person(&ledger, martine)
        .await
        .expect("exported");
    let text = access.to_string();
    assert!(!text.contains("Roussel") && text.contains(ERASED), "{text}");

    // Erasing twice is refused; the log does not grow.
    let head = repo.head().await.expect("head").position;
    let again = personal::erase(&ledger, martine, "2026-12-01".parse().expect("date")).await;
    assert!(again.is_err());
    assert_eq!(repo.head().await.expect("head").position, head);
}

#[tokio::test]
async fn a_representative_is_forgotten_and_every_figure_stays_on_postgres() {
    let db = postgres_db().await;
    a_representative_is_forgotten_and_every_figure_stays(db.url()).await;
}

#[tokio::test]
async fn a_representative_is_forgotten_and_every_figure_stays_on_sqlite() {
    let db = sqlite_db();
    a_representative_is_forgotten_and_every_figure_stays(db.url()).await;
}
