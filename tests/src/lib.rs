//! The harness of the integration tests: a fresh database for every test.
//!
//! PostgreSQL is shared with others: each test creates its own database, named
//! `cpts_test_<random>`, and drops it when the [`TestDb`] is dropped. The server is the one
//! `tests/run` found or started (`CPTS_TEST_PG_ADMIN_URL`); without it the tests fail, they never
//! skip.

use std::path::PathBuf;

use rand::Rng;

pub mod busy;
pub mod graphql_client;
pub mod notify;
pub mod service;
use sqlx::{Connection, PgConnection};

/// The server used when `tests/run` did not say otherwise.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database that exists for one test.
pub struct TestDb {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    Sqlite { _dir: tempfile::TempDir },
}

impl TestDb {
    /// The database's URL, for the service.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SQLite file, for a SQLite database.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        self.url.strip_prefix("sqlite://").map(PathBuf::from)
    }
}

fn admin_url() -> String {
    std::env::var("CPTS_TEST_PG_ADMIN_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// Replaces the database name at the end of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let root = match base.rfind('/') {
        Some(i) if base[..i].contains("://") && !base[..i].ends_with('/') => &base[..i],
        _ => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// A fresh PostgreSQL database. Panics, with the reason, when PostgreSQL is unreachable.
pub async fn postgres_db() -> TestDb {
    let admin_url = admin_url();
    let name = format!("cpts_test_{:016x}", rand::thread_rng().gen::<u64>());
    let mut admin = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is unreachable at {admin_url} ({e}). Run the tests with ./tests/run, \
             which finds or starts it; the PostgreSQL tests never skip."
        )
    });
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("creating the test database {name}: {e}"));
    admin.close().await.ok();
    TestDb {
        url: with_database(&admin_url, &name),
        cleanup: Cleanup::Postgres { admin_url, name },
    }
}

/// A fresh SQLite file in a temporary folder, removed afterwards.
pub fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    TestDb {
        url,
        cleanup: Cleanup::Sqlite { _dir: dir },
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop may run inside a runtime: drop the database from a thread with its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!(
                "warning: the test database {} could not be dropped",
                self.url
            );
        }
    }
}

/// The whole log of a test's store, typed, in log order (a test's log is a few thousand
/// events at most: one read).
pub async fn log_envelopes(
    repo: &cpts_ledger::store::EventRepository,
) -> Vec<cpts_projections::Envelope> {
    let events = repo.read_log(0, 10_000).await.expect("the log reads");
    assert!(events.len() < 10_000, "the whole log in one read");
    events
        .into_iter()
        .map(|e| cpts_ledger::projector::envelope(e).expect("a readable event"))
        .collect()
}

/// The master key of the tests' stores: one for all, so a store reopened by a test opens. A
/// service started as a process (`tests/src/notify.rs`) is given the same one in a key file
/// ([`test_key_file`]), so what it seals, the test opens.
pub fn test_master_key() -> cpts_ledger::store::keyring::MasterKey {
    cpts_ledger::store::keyring::MasterKey::from_bytes([0; 32])
}

/// Writes the tests' master key to `<dir>/master.key` (mode 0600), for a service started as a
/// process (`CPTS_MASTER_KEY_FILE`); returns the file.
pub fn test_key_file(dir: &std::path::Path) -> PathBuf {
    let file = dir.join("master.key");
    test_master_key()
        .write_new_file(&file)
        .expect("the tests' key file is written");
    file
}

/// Runs a GraphQL operation on the schema the service serves, in the process, as a signed-in
/// caller of `community` with `role` (and `member`), as the HTTP layer would after reading their
/// token: the request carries the caller and the decisions' loader.
pub async fn graphql_as(
    ledger: std::sync::Arc<cpts_ledger::service::Ledger>,
    community: cpts_domain::ids::CommunityId,
    role: cpts_domain::access::Role,
    member: Option<cpts_domain::ids::MemberId>,
    query: &str,
    variables: serde_json::Value,
) -> async_graphql::Response {
    use async_graphql::dataloader::{DataLoader, HashMapCache};
    use cpts_domain::access::{Caller, Principal};
    let db = ledger.projector().db().clone();
    let port: std::sync::Arc<dyn cpts_graphql::port::LedgerPort> = ledger;
    let schema = cpts_graphql::build_schema(port, db.clone());
    let caller = Caller::Principal(Principal {
        token_id: uuid::Uuid::new_v4(),
        community,
        role,
        member,
    });
    let loader = DataLoader::with_cache(
        cpts_graphql::views::DecisionLoader::new(db),
        tokio::spawn,
        HashMapCache::default(),
    );
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables))
        .data(caller)
        .data(loader);
    schema.execute(request).await
}

/// Opens, migrates and unlocks the store at `url`, as the service does at start-up.
pub async fn open_store(url: &str) -> anyhow::Result<cpts_ledger::store::EventRepository> {
    let repo = cpts_ledger::store::EventRepository::connect(url).await?;
    repo.migrate().await?;
    repo.unlock(&test_master_key()).await?;
    cpts_ledger::at_rest::seal_pending(&repo).await?;
    Ok(repo)
}

/// Every row of every read model and the checkpoints, as sorted text: two dumps are equal
/// exactly when the read models are. Sealed values are opened (each sealing draws a fresh
/// nonce, so the same read model is never the same bytes twice).
pub async fn dump_read_models(repo: &cpts_ledger::store::EventRepository) -> Vec<String> {
    use cpts_projections::db::Dialect;
    let db = repo.db();
    // The catalogues differ by backend; everything read from the tables is one statement.
    let (tables_sql, columns_sql) = match db.dialect() {
        Dialect::Postgres => (
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name LIKE 'proj_%' ORDER BY 1",
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1 \
             ORDER BY ordinal_position",
        ),
        Dialect::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'proj_%' ORDER BY 1",
            "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        ),
    };
    let tables: Vec<(String,)> = db.fetch_uncounted(tables_sql, &[]).await.expect("tables");
    assert!(tables.len() >= 14, "{tables:?}");
    let mut rows = Vec::new();
    for (table,) in tables {
        let columns: Vec<(String,)> = db
            .fetch_uncounted(columns_sql, &[table.as_str().into()])
            .await
            .expect("columns");
        let select = columns
            .iter()
            .map(|(c,)| format!("COALESCE(CAST({c} AS TEXT), '∅')"))
            .collect::<Vec<_>>()
            .join(" || '\u{1f}' || ");
        let sql = format!("SELECT {select} FROM {table}");
        let at_rest = db.at_rest().expect("the store is unlocked");
        let mut table_rows: Vec<String> = db
            .fetch_uncounted::<(String,)>(&sql, &[])
            .await
            .expect("rows")
            .into_iter()
            .map(|(row,)| {
                row.split('\u{1f}')
                    .zip(&columns)
                    .map(|(value, (column,))| {
                        if value.starts_with("sealed:") {
                            at_rest
                                .open(&format!("{table}.{column}"), value)
                                .expect("a sealed value opens")
                        } else {
                            value.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        table_rows.sort();
        rows.extend(table_rows.into_iter().map(|r| format!("{table}: {r}")));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }
}
