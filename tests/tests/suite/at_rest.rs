//! A copy of the database alone reads nothing personal: the log holds personal fields encrypted
//! with each person's key, and every other table that receives one (the read models, the
//! outbox) holds it sealed with the read-model key. On the demo, with its contacts and
//! notifications, no name, commune, cadre d'intervention, contribution text or address of the
//! log is found in clear: not in any column of any table, not in a `pg_dump`, not in the bytes
//! of the SQLite file, its write-ahead log or its shared memory. After an erasure, the bytes of
//! the SQLite file hold neither the name nor the address of the person erased, while the
//! service still reads everyone else.

use std::collections::BTreeSet;
use std::path::Path;

use cpts_domain::ids::MemberId;
use cpts_domain::personal::{personal_fields, ERASED};
use cpts_ledger::demo::id_of;
use cpts_ledger::notify::deliver::Notifier;
use cpts_ledger::notify::NotifyConfig;
use cpts_ledger::service::Ledger;
use cpts_ledger::store::EventRepository;
use cpts_ledger_tests::notify::{free_port, record_scenario_with_contacts};
use cpts_ledger_tests::{log_envelopes, open_store, postgres_db, sqlite_db};
use cpts_projections::{listing, queries, Fact};

/// Shorter values (a two-letter initial, "Sète") would be found by chance in ciphertexts'
/// hexadecimal or in unrelated words; every value the demo holds is longer.
const SHORTEST: usize = 5;

/// A personal value of the log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Personal {
    /// `Event.field`.
    field: String,
    /// The record whose event held it.
    record: String,
    /// The value, decrypted.
    value: String,
}

/// Every value of a personal field of the log (decrypted), at least [`SHORTEST`] characters,
/// except the communes a representative lives in that are communes of the CPTS's territory:
/// the territory is public (`CommunityRegistered`), so finding "Villeveyrac" in clear says
/// nothing about anyone.
async fn personal_values(repo: &EventRepository) -> Vec<Personal> {
    let envelopes = log_envelopes(repo).await;
    let mut territory = BTreeSet::new();
    let mut values = BTreeSet::new();
    for envelope in &envelopes {
        let payload = match &envelope.fact {
            Fact::Community(e) => {
                let payload = serde_json::to_value(e).expect("JSON");
                collect_strings(&payload, &mut territory);
                continue;
            }
            Fact::Association(e) => serde_json::to_value(e),
            Fact::Member(e) => serde_json::to_value(e),
            Fact::Consultation(e) => serde_json::to_value(e),
            Fact::Decision(e) => serde_json::to_value(e),
            Fact::Unreadable { reason } => panic!("an unreadable event: {reason}"),
        }
        .expect("JSON");
        for field in personal_fields(&envelope.event_type) {
            let Some(value) = payload[field.event_type][field.field].as_str() else {
                continue;
            };
            if value.chars().count() < SHORTEST || value == ERASED {
                continue;
            }
            if field.field == "commune" && territory.contains(value) {
                continue;
            }
            values.insert(Personal {
                field: format!("{}.{}", field.event_type, field.field),
                record: envelope.aggregate_id.clone(),
                value: value.to_owned(),
            });
        }
    }
    let values: Vec<Personal> = values.into_iter().collect();
    // Not vacuous: every kind of personal value of the demo is looked for.
    for (field, at_least) in [
        ("MemberAdmitted.name", 7),
        ("MandateGranted.commune", 1),
        ("MandateGranted.cadre_intervention", 1),
        ("ContributionSubmitted.text", 10),
        ("ContributionSubmitted.attachment", 1),
        ("ContactSet.email", 2),
        ("ContactLeft.email", 2),
    ] {
        assert!(
            values.iter().filter(|p| p.field == field).count() >= at_least,
            "the demo has values of {field}: {values:?}"
        );
    }
    assert!(values.iter().any(|p| p.value == "Martine Roussel"));
    values
}

fn collect_strings(value: &serde_json::Value, into: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) => {
            into.insert(s.clone());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, into)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, into)),
        _ => {}
    }
}

/// Every value of every column of every table, as text: `(table.column, value)`.
async fn every_value(repo: &EventRepository) -> Vec<(String, String)> {
    let db = repo.db();
    let (tables_sql, columns_sql) = if repo.pg_pool().is_some() {
        (
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
    } else {
        (
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
            "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        )
    };
    let tables: Vec<(String,)> = db.fetch_uncounted(tables_sql, &[]).await.expect("tables");
    assert!(
        tables.iter().any(|(t,)| t == "notify_outbox") && tables.len() > 20,
        "{tables:?}"
    );
    let mut values = Vec::new();
    for (table,) in tables {
        let columns: Vec<(String,)> = db
            .fetch_uncounted(columns_sql, &[table.as_str().into()])
            .await
            .expect("columns");
        for (column,) in columns {
            let sql = if repo.pg_pool().is_some() {
                format!("SELECT CAST(\"{column}\" AS TEXT) FROM \"{table}\"")
            } else {
                format!(
                    "SELECT CASE WHEN typeof(\"{column}\") = 'blob' THEN hex(\"{column}\") \
                     ELSE CAST(\"{column}\" AS TEXT) END FROM \"{table}\""
                )
            };
            let found: Vec<(Option<String>,)> =
                db.fetch_uncounted(&sql, &[]).await.expect("values");
            values.extend(
                found
                    .into_iter()
                    .filter_map(|(v,)| v)
                    .map(|v| (format!("{table}.{column}"), v)),
            );
        }
    }
    values
}

/// The demo with its contacts and answers published, its outbox fed, and one delivery round
/// against an SMTP server that is not there, so that delivery errors are recorded too.
async fn the_demo_with_its_notifications(url: &str) -> (EventRepository, Ledger) {
    let repo = open_store(url).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    record_scenario_with_contacts(&ledger).await;
    let notifier = Notifier::new(
        repo.clone(),
        ledger.projector().clone(),
        NotifyConfig {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", free_port())),
            send_timeout: std::time::Duration::from_secs(5),
            ..NotifyConfig::default()
        },
    )
    .expect("notifier");
    notifier.run_once().await.expect("a round");
    let problems = cpts_ledger::notify::delivery_problems(
        repo.db(),
        &id_of("community", "cpts-val-de-letang").to_string(),
    )
    .await
    .expect("the delivery problems read");
    assert!(
        !problems.is_empty() && problems.iter().all(|p| p.last_error.is_some()),
        "every e-mail failed once, with its error: {problems:?}"
    );
    (repo, ledger)
}

/// Checks that no column holds a personal value in clear .
async fn no_column_holds_any(repo: &EventRepository, personal: &[Personal]) {
    let values = every_value(repo).await;
    let sealed = values
        .iter()
        .filter(|(column, value)| column == "proj_members.name" && value.starts_with("sealed:"))
        .count();
    assert!(sealed >= 7, "the members' names are there, sealed");
    for p in personal {
        for (column, value) in &values {
            assert!(
                !value.contains(&p.value),
                "{} “{}” is in clear in {column}",
                p.field,
                p.value
            );
        }
    }
}

/// The byte scan of a SQLite database's files: the personal values found in them.
fn found_in_files(path: &Path, personal: &[Personal]) -> Vec<String> {
    let mut found = Vec::new();
    let mut read_any = false;
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        read_any = true;
        for p in personal {
            if bytes
                .windows(p.value.len())
                .any(|w| w == p.value.as_bytes())
            {
                found.push(format!("{} “{}” in {file}", p.field, p.value));
            }
        }
    }
    assert!(read_any, "the database's files are at {}", path.display());
    found
}

#[tokio::test]
async fn no_table_nor_dump_of_postgres_reads_anything_personal() {
    let db = postgres_db().await;
    let (repo, _ledger) = the_demo_with_its_notifications(db.url()).await;
    let personal = personal_values(&repo).await;
    no_column_holds_any(&repo, &personal).await;

    // A dump, as an operator or a thief would take it.
    let dump = std::process::Command::new("pg_dump")
        .arg("--no-owner")
        .arg(db.url())
        .output()
        .expect("pg_dump runs (tests/run installs postgresql-client)");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dump = String::from_utf8(dump.stdout).expect("a text dump");
    assert!(
        dump.contains("COPY public.proj_members"),
        "a dump of the data"
    );
    // The dump's sections, one per table's data.
    let mut section = "";
    let mut scanned = 0;
    for line in dump.lines() {
        if let Some(rest) = line.strip_prefix("COPY public.") {
            section = rest.split(' ').next().unwrap_or_default();
        }
        for p in &personal {
            assert!(
                !line.contains(&p.value),
                "{} “{}” is in the dump ({section}): {line}",
                p.field,
                p.value
            );
        }
        scanned += 1;
    }
    assert!(scanned > 500, "the dump has the demo's rows");
}

#[tokio::test]
async fn no_byte_of_the_sqlite_files_reads_anything_personal_before_or_after_an_erasure() {
    let db = sqlite_db();
    let path = db.sqlite_file().expect("a SQLite file");
    let (repo, ledger) = the_demo_with_its_notifications(db.url()).await;
    let personal = personal_values(&repo).await;
    no_column_holds_any(&repo, &personal).await;

    // The files as they are while the service runs: the write-ahead log is where new pages go.
    let nowhere = personal.clone();
    assert!(nowhere.len() > 10, "{nowhere:?}");
    assert_eq!(found_in_files(&path, &nowhere), Vec::<String>::new());

    // Martine Roussel is erased; the outbox follows the log, the storage is scrubbed.
    let martine = id_of("member", "martine-roussel");
    let hers: Vec<Personal> = personal
        .iter()
        .filter(|p| {
            p.record == martine.to_string()
                && matches!(p.field.as_str(), "MemberAdmitted.name" | "ContactSet.email")
        })
        .cloned()
        .collect();
    assert_eq!(hers.len(), 2, "her name and her address: {hers:?}");
    let community = id_of("community", "cpts-val-de-letang").to_string();
    let before = listing::members(ledger.projector().db(), &community)
        .await
        .expect("the members read");
    assert!(
        before
            .iter()
            .any(|m| m.name == hers[0].value || m.name == hers[1].value),
        "before the erasure the service reads her name, sealed in the same files"
    );
    // The erasure scrubs the storage once the read models follow it, and again once the
    // outbox does (the notifier's next round).
    cpts_ledger::personal::erase(
        &ledger,
        MemberId(martine),
        "2026-11-30".parse().expect("day"),
    )
    .await
    .expect("erased");
    cpts_ledger::notify::outbox::feed(&repo, ledger.projector().db(), &NotifyConfig::default())
        .await
        .expect("the outbox follows");
    assert_eq!(found_in_files(&path, &hers), Vec::<String>::new());
    assert_eq!(found_in_files(&path, &nowhere), Vec::<String>::new());
    // Her e-mails are blanked, the delivery errors that quoted her address with them.
    let at_rest = repo.db().at_rest().expect("unlocked");
    let rows: Vec<(Option<String>, String, Option<String>)> = repo
        .db()
        .fetch_uncounted(
            "SELECT recipient, body, last_error FROM notify_outbox \
             WHERE subject_id = $1 AND channel = 'email'",
            &[martine.to_string().into()],
        )
        .await
        .expect("her e-mails");
    assert!(!rows.is_empty());
    for (recipient, body, last_error) in rows {
        assert_eq!((recipient, last_error), (None, None));
        assert_eq!(
            at_rest.open("notify_outbox.body", &body).as_deref(),
            Ok(ERASED)
        );
    }

    // The service still reads everyone else, from the same sealed columns.
    let read = ledger.projector().db();
    let names: Vec<String> = listing::members(read, &community)
        .await
        .expect("the members read")
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert!(names.contains(&ERASED.to_owned()), "{names:?}");
    for p in personal
        .iter()
        .filter(|p| p.field == "MemberAdmitted.name" && p.record != martine.to_string())
    {
        assert!(names.contains(&p.value), "{} is read: {names:?}", p.value);
    }
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "by name, as before");
    let register = queries::register(read, &community, "2026-12-31".parse().expect("day"))
        .await
        .expect("the register reads");
    let communes: Vec<&Personal> = personal
        .iter()
        .filter(|p| p.field == "MandateGranted.commune" && p.record != martine.to_string())
        .collect();
    assert!(!communes.is_empty());
    for p in communes {
        assert!(
            register
                .representatives
                .iter()
                .any(|r| r.member_id == p.record
                    && r.name != ERASED
                    && r.commune.as_deref() == Some(p.value.as_str())),
            "{p:?} in {:?}",
            register.representatives
        );
    }
    let karim = queries::contributor_follow_up(
        read,
        &id_of("member", "karim-benali").to_string(),
        "2026-12-31".parse().expect("day"),
    )
    .await
    .expect("his contributions read");
    assert!(karim.iter().all(|f| f.text != ERASED && !f.text.is_empty()) && !karim.is_empty());
}

#[tokio::test]
async fn a_sealed_value_that_does_not_open_fails_the_read_and_is_never_shown() {
    let db = sqlite_db();
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    cpts_ledger::demo::record_scenario(&ledger)
        .await
        .expect("demo recorded");
    // A name copied from another column does not open as a name; a name in clear neither.
    let pool = repo.sqlite_pool().expect("SQLite");
    let karim = id_of("member", "karim-benali").to_string();
    let community = id_of("community", "cpts-val-de-letang").to_string();
    for forged in [
        "UPDATE proj_members SET name = (SELECT text FROM proj_contributions LIMIT 1) \
         WHERE member_id = $1",
        "UPDATE proj_members SET name = 'Karim Benali' WHERE member_id = $1",
    ] {
        sqlx::query(forged)
            .bind(&karim)
            .execute(pool)
            .await
            .expect("forged");
        let read = listing::members(ledger.projector().db(), &community).await;
        assert!(
            matches!(read, Err(sqlx::Error::Decode(_))),
            "{forged}: {read:?}"
        );
    }
}

/// A database written before sealed columns: its read models, outbox and tokens in clear.
#[tokio::test]
async fn a_database_written_in_clear_is_sealed_at_start_up_and_reads_the_same() {
    use cpts_domain::access::Role;
    use cpts_domain::ids::CommunityId;
    use cpts_ledger::tokens;

    let db = sqlite_db();
    let (repo, ledger) = the_demo_with_its_notifications(db.url()).await;
    let community = CommunityId(id_of("community", "cpts-val-de-letang"));
    let martine = MemberId(id_of("member", "martine-roussel"));
    tokens::create(
        &repo,
        community,
        Role::Representative,
        Some(martine),
        "Téléphone de Martine Roussel",
    )
    .await
    .expect("a token");
    let read_models = cpts_ledger_tests::dump_read_models(&repo).await;
    let problems = cpts_ledger::notify::delivery_problems(repo.db(), &community.to_string())
        .await
        .expect("problems");
    let labels = |list: Vec<tokens::TokenInfo>| -> Vec<String> {
        list.into_iter().map(|t| t.label).collect()
    };
    let token_labels = labels(tokens::list(&repo).await.expect("tokens"));
    assert!(token_labels.contains(&"Téléphone de Martine Roussel".to_owned()));

    // As the version before sealed columns left it: the outbox and the labels in clear, and the
    // migration that introduced them applied once more.
    let pool = repo.sqlite_pool().expect("SQLite").clone();
    let at_rest = repo.db().at_rest().expect("unlocked").clone();
    type Row = (String, Option<String>, String, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT notification_key, recipient, title, body, last_error FROM notify_outbox",
    )
    .fetch_all(&pool)
    .await
    .expect("outbox");
    assert!(rows.len() > 10);
    for (key, recipient, title, body, last_error) in rows {
        let open = |column: &str, v: Option<String>| {
            at_rest.open_opt(column, v.as_deref()).expect("opens")
        };
        sqlx::query(
            "UPDATE notify_outbox SET recipient = $2, title = $3, body = $4, last_error = $5 \
             WHERE notification_key = $1",
        )
        .bind(&key)
        .bind(open("notify_outbox.recipient", recipient))
        .bind(open("notify_outbox.title", Some(title)))
        .bind(open("notify_outbox.body", Some(body)))
        .bind(open("notify_outbox.last_error", last_error))
        .execute(&pool)
        .await
        .expect("written in clear");
    }
    let tokens_rows: Vec<(String, String)> =
        sqlx::query_as("SELECT token_id, label FROM api_tokens")
            .fetch_all(&pool)
            .await
            .expect("tokens");
    for (token, label) in tokens_rows {
        sqlx::query("UPDATE api_tokens SET label = $2 WHERE token_id = $1")
            .bind(&token)
            .bind(at_rest.open("api_tokens.label", &label).expect("opens"))
            .execute(&pool)
            .await
            .expect("written in clear");
    }
    sqlx::query("DROP TABLE pending_sealing")
        .execute(&pool)
        .await
        .expect("dropped");
    sqlx::raw_sql(include_str!(
        "../../../migrations/sqlite/0015_sealed_columns.sql"
    ))
    .execute(&pool)
    .await
    .expect("the migration applies");
    // The versions of the texts came later (0023), and were projected from the log as well.
    sqlx::query("DELETE FROM proj_contribution_versions")
        .execute(&pool)
        .await
        .expect("emptied");
    drop((ledger, repo, pool));

    // The service starts on it: everything reads as before, and nothing is left in clear.
    let repo = open_store(db.url()).await.expect("store opens");
    let ledger = Ledger::new(repo.clone());
    ledger.projector().catch_up().await.expect("rebuilt");
    assert_eq!(
        cpts_ledger_tests::dump_read_models(&repo).await,
        read_models
    );
    assert_eq!(
        cpts_ledger::notify::delivery_problems(repo.db(), &community.to_string())
            .await
            .expect("problems"),
        problems
    );
    assert_eq!(
        labels(tokens::list(&repo).await.expect("tokens")),
        token_labels
    );
    let values = every_value(&repo).await;
    for sealed in cpts_projections::at_rest::SEALED_COLUMNS {
        let stored: Vec<&String> = values
            .iter()
            .filter(|(column, _)| column == sealed)
            .map(|(_, v)| v)
            .collect();
        assert!(
            stored.iter().all(|v| v.starts_with("sealed:v1:")),
            "{sealed}: {stored:?}"
        );
    }
    let path = db.sqlite_file().expect("a file");
    let label = Personal {
        field: "api_tokens.label".into(),
        record: String::new(),
        value: "Téléphone de Martine Roussel".into(),
    };
    assert_eq!(found_in_files(&path, &[label]), Vec::<String>::new());
}
