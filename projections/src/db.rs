//! The one way to the database, on either backend: the read models', the event store's, the
//! outbox's and the tokens' statements all run through [`ReadDb`] and [`Tx`].
//!
//! Statements are written once, with `$1, $2…` placeholders that both PostgreSQL and SQLite
//! accept, and only text, integer, floating-point and byte parameters, so one SQL text serves
//! both. Where the dialects genuinely differ (a row lock, how a writing transaction starts, a
//! timestamp column), [`Dialect`] supplies the fragment, inside that one text.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::{Arc, OnceLock};

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::at_rest::AtRest;

/// A parameter of a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// Text, or NULL.
    Text(Option<String>),
    /// An integer, or NULL.
    Int(Option<i64>),
    /// A floating-point number, or NULL.
    Float(Option<f64>),
    /// Bytes (`BYTEA`, `BLOB`), or NULL.
    Bytes(Option<Vec<u8>>),
}

impl From<&[u8]> for Param {
    fn from(value: &[u8]) -> Self {
        Param::Bytes(Some(value.to_vec()))
    }
}

impl From<Option<&str>> for Param {
    fn from(value: Option<&str>) -> Self {
        Param::Text(value.map(str::to_owned))
    }
}

impl From<Option<i64>> for Param {
    fn from(value: Option<i64>) -> Self {
        Param::Int(value)
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Param::Text(Some(value))
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Param::Text(Some(value.to_owned()))
    }
}

impl From<Option<String>> for Param {
    fn from(value: Option<String>) -> Self {
        Param::Text(value)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Param::Int(Some(value))
    }
}

impl From<bool> for Param {
    fn from(value: bool) -> Self {
        Param::Int(Some(i64::from(value)))
    }
}

impl From<f64> for Param {
    fn from(value: f64) -> Self {
        Param::Float(Some(value))
    }
}

impl From<Option<f64>> for Param {
    fn from(value: Option<f64>) -> Self {
        Param::Float(value)
    }
}

impl From<chrono::NaiveDate> for Param {
    fn from(value: chrono::NaiveDate) -> Self {
        Param::Text(Some(value.to_string()))
    }
}

impl From<Option<chrono::NaiveDate>> for Param {
    fn from(value: Option<chrono::NaiveDate>) -> Self {
        Param::Text(value.map(|d| d.to_string()))
    }
}

/// One statement and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL, with `$N` placeholders.
    pub sql: Cow<'static, str>,
    /// The parameters, in order.
    pub params: Vec<Param>,
}

/// The most parameters one merged statement carries (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMS: usize = 1_000;

/// Whether a statement is a plain one-row `INSERT … VALUES (…)` that can share a statement
/// with the next ones of the same text.
fn mergeable(sql: &str) -> Option<(&str, &str)> {
    if !sql.starts_with("INSERT INTO") || sql.contains("ON CONFLICT") {
        return None;
    }
    let at = sql.find("VALUES (")?;
    let (head, tuple) = sql.split_at(at + "VALUES ".len());
    tuple
        .trim_end()
        .ends_with(')')
        .then_some((head, tuple.trim_end()))
}

/// Renumbers the `$N` placeholders of a VALUES tuple by `offset`.
fn shifted(tuple: &str, offset: usize) -> String {
    let mut out = String::with_capacity(tuple.len() + 8);
    let mut chars = tuple.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            let n: usize = digits.parse().unwrap_or(0);
            out.push_str(&(n + offset).to_string());
        }
    }
    out
}

/// Merges runs of identical one-row INSERTs into multi-row INSERTs, keeping the order of every
/// statement: the same effect in far fewer round trips.
pub fn merge_inserts(statements: Vec<Statement>) -> Vec<Statement> {
    let mut merged: Vec<Statement> = Vec::new();
    let mut run: Vec<Statement> = Vec::new();
    let flush = |run: &mut Vec<Statement>, merged: &mut Vec<Statement>| {
        if run.len() <= 1 {
            merged.append(run);
            return;
        }
        let Some((head, tuple)) = mergeable(&run[0].sql) else {
            merged.append(run);
            return;
        };
        let width = run[0].params.len().max(1);
        let rows_per_statement = (MAX_PARAMS / width).max(1);
        for chunk in run.chunks(rows_per_statement) {
            let tuples: Vec<String> = (0..chunk.len())
                .map(|r| shifted(tuple, r * width))
                .collect();
            merged.push(Statement {
                sql: Cow::Owned(format!("{head}{}", tuples.join(", "))),
                params: chunk
                    .iter()
                    .flat_map(|s| s.params.iter().cloned())
                    .collect(),
            });
        }
        run.clear();
    };
    for statement in statements {
        let joins = run.last().is_some_and(|last| last.sql == statement.sql)
            && mergeable(&statement.sql).is_some();
        if !joins {
            flush(&mut run, &mut merged);
        }
        run.push(statement);
    }
    flush(&mut run, &mut merged);
    merged
}

/// Builds a [`Statement`]: `stmt!("UPDATE … $1", value)`.
#[macro_export]
macro_rules! stmt {
    ($sql:expr $(, $param:expr)* $(,)?) => {
        $crate::db::Statement {
            sql: ::std::borrow::Cow::Borrowed($sql),
            params: vec![$($crate::db::Param::from($param)),*],
        }
    };
}

/// Read statements run so far by [`ReadDb::fetch`], by every `ReadDb` of the process.
static READS: AtomicU64 = AtomicU64::new(0);

/// How many read statements every [`ReadDb`] of this process has run so far, through
/// [`ReadDb::fetch`]: tests and benches compare it before and after a call to prove what a read
/// costs (e.g. that a page of decisions does not cost one query per decision). Process-wide, so
/// only meaningful when nothing else reads meanwhile.
pub fn reads_so_far() -> u64 {
    READS.load(Ordering::Relaxed)
}

/// What differs between PostgreSQL's SQL and SQLite's, and nothing else: each function gives
/// the fragment one statement, written once, needs on this backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

impl Dialect {
    /// Appended to a `SELECT` in a writing transaction ([`ReadDb::begin_write`]) to lock the
    /// rows it reads until commit. PostgreSQL takes a row lock (`FOR UPDATE`); on SQLite the
    /// transaction already holds the database's write lock, so nothing is needed.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        }
    }

    /// Appended to a `SELECT` that claims one row among several workers: PostgreSQL skips the
    /// rows another transaction holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        }
    }

    /// Whether a transaction can lock single rows (PostgreSQL); SQLite locks the whole
    /// database for a writer.
    pub fn locks_rows(self) -> bool {
        matches!(self, Dialect::Postgres)
    }

    /// A timestamp column read as the RFC 3339 text the store writes (UTC, six fractional
    /// digits). PostgreSQL holds a `TIMESTAMPTZ` and formats it; SQLite holds that text.
    pub fn timestamp_text(self, column: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            Dialect::Sqlite => column.to_owned(),
        }
    }

    /// The text parameter `$n` written to a timestamp column: PostgreSQL casts it.
    pub fn timestamp_param(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("CAST(${n} AS TIMESTAMPTZ)"),
            Dialect::Sqlite => format!("${n}"),
        }
    }

    /// The text parameter `$n` where nothing else says its type (`$n IS NULL`): PostgreSQL
    /// needs to be told.
    pub fn text_param(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("CAST(${n} AS TEXT)"),
            Dialect::Sqlite => format!("${n}"),
        }
    }

    /// `"postgres"` or `"sqlite"`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
        }
    }
}

/// The database (the log and the read models live in the same one), on either backend, with
/// the key that seals its personal columns once the service has unlocked it ([`AtRest`]).
/// Clones share the pool and the key.
#[derive(Debug, Clone)]
pub struct ReadDb {
    backend: Backend,
    at_rest: Arc<OnceLock<AtRest>>,
}

/// A pool of either backend.
#[derive(Debug, Clone)]
enum Backend {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// The personal columns were asked for before the service unlocked the database.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the database is locked: its master key has not been given")]
pub struct Locked;

impl From<Locked> for sqlx::Error {
    fn from(locked: Locked) -> Self {
        sqlx::Error::Configuration(Box::new(locked))
    }
}

/// A transaction on either backend (`'static` when it owns its connection from the pool).
pub enum Tx<'c> {
    /// PostgreSQL.
    Postgres(Transaction<'c, Postgres>),
    /// SQLite.
    Sqlite(Transaction<'c, Sqlite>),
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Text(v) => query.bind(v.clone()),
                Param::Int(v) => query.bind(*v),
                Param::Float(v) => query.bind(*v),
                Param::Bytes(v) => query.bind(v.clone()),
            };
        }
        query
    }};
}

/// Reads every projection's checkpoint, as `(name, position)`.
pub const CHECKPOINTS: &str = "SELECT projection, position FROM proj_checkpoints";

/// The bounds a row type needs to be read from either backend.
pub trait Row:
    for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + Send
    + Unpin
{
}

impl<T> Row for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + Send
        + Unpin
{
}

impl ReadDb {
    /// A PostgreSQL database, locked.
    pub fn postgres(pool: PgPool) -> Self {
        Self {
            backend: Backend::Postgres(pool),
            at_rest: Arc::default(),
        }
    }

    /// A SQLite database, locked.
    pub fn sqlite(pool: SqlitePool) -> Self {
        Self {
            backend: Backend::Sqlite(pool),
            at_rest: Arc::default(),
        }
    }

    /// The PostgreSQL pool, on that backend.
    pub fn pg_pool(&self) -> Option<&PgPool> {
        match &self.backend {
            Backend::Postgres(pool) => Some(pool),
            Backend::Sqlite(_) => None,
        }
    }

    /// The SQLite pool, on that backend.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.backend {
            Backend::Sqlite(pool) => Some(pool),
            Backend::Postgres(_) => None,
        }
    }

    /// Gives the database the key of its personal columns (for it and every clone). A second
    /// call keeps the first key: a process holds one.
    pub fn unlock(&self, at_rest: AtRest) {
        let _ = self.at_rest.set(at_rest);
    }

    /// The key of the personal columns; an error until [`Self::unlock`].
    pub fn at_rest(&self) -> Result<&AtRest, Locked> {
        self.at_rest.get().ok_or(Locked)
    }

    /// Which SQL this backend speaks.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Postgres(_) => Dialect::Postgres,
            Backend::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        Ok(match &self.backend {
            Backend::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Backend::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
        })
    }

    /// Starts a transaction that will write under a lock: on SQLite it takes the database's
    /// write lock at once (`BEGIN IMMEDIATE`); on PostgreSQL its first statement locks the
    /// rows it reads with [`Dialect::for_update`].
    pub async fn begin_write(&self) -> Result<Tx<'static>, sqlx::Error> {
        Ok(match &self.backend {
            Backend::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Backend::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    /// Starts a transaction that holds the projections' write lock until it ends: the
    /// checkpoint rows are locked (PostgreSQL), or the database's write lock taken (SQLite).
    pub async fn begin_projecting(&self) -> Result<Tx<'static>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let sql = format!("{CHECKPOINTS}{}", self.dialect().for_update());
        tx.execute(&Statement {
            sql: Cow::Owned(sql),
            params: vec![],
        })
        .await?;
        Ok(tx)
    }

    /// Runs a query and maps each row. Counted by [`reads_so_far`].
    pub async fn fetch<T: Row>(&self, sql: &str, params: &[Param]) -> Result<Vec<T>, sqlx::Error> {
        READS.fetch_add(1, Ordering::Relaxed);
        self.fetch_uncounted(sql, params).await
    }

    /// Runs a query and maps each row, without counting it in [`reads_so_far`]: for the
    /// store, the tokens and the background workers, whose reads are no part of what a read
    /// of the read models costs.
    pub async fn fetch_uncounted<T: Row>(
        &self,
        sql: &str,
        params: &[Param],
    ) -> Result<Vec<T>, sqlx::Error> {
        match &self.backend {
            Backend::Postgres(pool) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(pool)
                    .await
            }
            Backend::Sqlite(pool) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(pool)
                    .await
            }
        }
    }

    /// Runs a query expected to give at most one row, uncounted (see [`Self::fetch_uncounted`]).
    pub async fn fetch_optional<T: Row>(
        &self,
        sql: &str,
        params: &[Param],
    ) -> Result<Option<T>, sqlx::Error> {
        Ok(self.fetch_uncounted(sql, params).await?.into_iter().next())
    }

    /// Executes one statement outside any transaction of ours; the rows it changed.
    pub async fn execute(&self, statement: &Statement) -> Result<u64, sqlx::Error> {
        let sql: &str = &statement.sql;
        Ok(match &self.backend {
            Backend::Postgres(pool) => bind_all!(sqlx::query(sql), &statement.params)
                .execute(pool)
                .await?
                .rows_affected(),
            Backend::Sqlite(pool) => bind_all!(sqlx::query(sql), &statement.params)
                .execute(pool)
                .await?
                .rows_affected(),
        })
    }
}

impl Tx<'_> {
    /// Which SQL this backend speaks.
    pub fn dialect(&self) -> Dialect {
        match self {
            Tx::Postgres(_) => Dialect::Postgres,
            Tx::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// Executes one statement.
    pub async fn execute(&mut self, statement: &Statement) -> Result<u64, sqlx::Error> {
        let sql: &str = &statement.sql;
        Ok(match self {
            Tx::Postgres(tx) => bind_all!(sqlx::query(sql), &statement.params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Sqlite(tx) => bind_all!(sqlx::query(sql), &statement.params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs a query in the transaction and maps each row.
    pub async fn fetch<T: Row>(
        &mut self,
        sql: &str,
        params: &[Param],
    ) -> Result<Vec<T>, sqlx::Error> {
        match self {
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(&mut **tx)
                    .await
            }
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    /// Runs a query expected to give at most one row, in the transaction.
    pub async fn fetch_optional<T: Row>(
        &mut self,
        sql: &str,
        params: &[Param],
    ) -> Result<Option<T>, sqlx::Error> {
        match self {
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_optional(&mut **tx)
                    .await
            }
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_optional(&mut **tx)
                    .await
            }
        }
    }

    /// Reads `(name, position)` rows.
    pub async fn checkpoints(&mut self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        self.fetch(CHECKPOINTS, &[]).await
    }

    /// Opens a savepoint named `name` (a fixed name, never input).
    pub async fn savepoint(&mut self, name: &'static str) -> Result<(), sqlx::Error> {
        self.raw(&format!("SAVEPOINT {name}")).await
    }

    /// Undoes everything since the savepoint `name`, which stays open.
    pub async fn rollback_to(&mut self, name: &'static str) -> Result<(), sqlx::Error> {
        self.raw(&format!("ROLLBACK TO SAVEPOINT {name}")).await
    }

    /// Closes the savepoint `name`, keeping what was done since.
    pub async fn release(&mut self, name: &'static str) -> Result<(), sqlx::Error> {
        self.raw(&format!("RELEASE SAVEPOINT {name}")).await
    }

    async fn raw(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            Tx::Postgres(tx) => sqlx::query(sql).execute(&mut **tx).await.map(|_| ()),
            Tx::Sqlite(tx) => sqlx::query(sql).execute(&mut **tx).await.map(|_| ()),
        }
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Postgres(tx) => tx.commit().await,
            Tx::Sqlite(tx) => tx.commit().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_the_same_insert_become_one_and_order_is_kept() {
        let insert = |n: i64| crate::stmt!("INSERT INTO t (a, b) VALUES ($1, 'x', $2)", n, n * 10);
        let update = crate::stmt!("UPDATE t SET b = $1", 7i64);
        let merged = merge_inserts(vec![insert(1), insert(2), update.clone(), insert(3)]);
        assert_eq!(merged.len(), 3);
        assert_eq!(
            merged[0].sql,
            "INSERT INTO t (a, b) VALUES ($1, 'x', $2), ($3, 'x', $4)"
        );
        assert_eq!(
            merged[0].params,
            vec![
                Param::Int(Some(1)),
                Param::Int(Some(10)),
                Param::Int(Some(2)),
                Param::Int(Some(20))
            ]
        );
        assert_eq!(merged[1], update);
        assert_eq!(merged[2], insert(3));
    }

    #[test]
    fn the_dialects_differ_only_in_their_fragments() {
        let lock = |d: Dialect| format!("SELECT position FROM log_head{}", d.for_update());
        assert_eq!(
            lock(Dialect::Postgres),
            "SELECT position FROM log_head FOR UPDATE"
        );
        assert_eq!(lock(Dialect::Sqlite), "SELECT position FROM log_head");
        assert_eq!(Dialect::Sqlite.timestamp_text("recorded_at"), "recorded_at");
        assert_eq!(
            Dialect::Postgres.timestamp_text("recorded_at"),
            "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        );
        assert_eq!(
            Dialect::Postgres.timestamp_param(3),
            "CAST($3 AS TIMESTAMPTZ)"
        );
        assert_eq!(Dialect::Sqlite.timestamp_param(3), "$3");
        assert!(Dialect::Postgres.locks_rows() && !Dialect::Sqlite.locks_rows());
    }

    #[test]
    fn upserts_are_never_merged() {
        let upsert = || {
            crate::stmt!(
                "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO NOTHING",
                1i64
            )
        };
        assert_eq!(merge_inserts(vec![upsert(), upsert()]).len(), 2);
    }
}
