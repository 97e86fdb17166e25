//! The database of the read models: the same as the event log's, on either backend.
//!
//! Statements are written once, with `$1, $2…` placeholders that both PostgreSQL and SQLite
//! accept, and only text, integer and floating-point columns, so one SQL text serves both.

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// A parameter of a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// Text, or NULL.
    Text(Option<String>),
    /// An integer, or NULL.
    Int(Option<i64>),
    /// A floating-point number, or NULL.
    Float(Option<f64>),
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
    pub sql: &'static str,
    /// The parameters, in order.
    pub params: Vec<Param>,
}

/// Builds a [`Statement`]: `stmt!("UPDATE … $1", value)`.
#[macro_export]
macro_rules! stmt {
    ($sql:expr $(, $param:expr)* $(,)?) => {
        $crate::db::Statement { sql: $sql, params: vec![$($crate::db::Param::from($param)),*] }
    };
}

/// The read models' database.
#[derive(Debug, Clone)]
pub enum ReadDb {
    /// PostgreSQL.
    Postgres(PgPool),
    /// SQLite.
    Sqlite(SqlitePool),
}

/// A transaction on either backend.
pub enum Tx {
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
    /// SQLite.
    Sqlite(Transaction<'static, Sqlite>),
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Text(v) => query.bind(v.clone()),
                Param::Int(v) => query.bind(*v),
                Param::Float(v) => query.bind(*v),
            };
        }
        query
    }};
}

impl ReadDb {
    /// Starts a transaction that holds the projections' write lock until it ends: on
    /// PostgreSQL the checkpoint rows are locked, on SQLite the database's write lock is taken.
    pub async fn begin_projecting(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            ReadDb::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT position FROM proj_checkpoints FOR UPDATE")
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
            ReadDb::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    /// Runs a query and maps each row.
    pub async fn fetch<T>(&self, sql: &str, params: &[Param]) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + Send
            + Unpin,
    {
        match self {
            ReadDb::Postgres(pool) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(pool)
                    .await
            }
            ReadDb::Sqlite(pool) => {
                bind_all!(sqlx::query_as::<_, T>(sql), params)
                    .fetch_all(pool)
                    .await
            }
        }
    }
}

impl Tx {
    /// Executes one statement.
    pub async fn execute(&mut self, statement: &Statement) -> Result<u64, sqlx::Error> {
        let sql = statement.sql;
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

    /// Reads `(name, position)` rows.
    pub async fn checkpoints(&mut self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        const SQL: &str = "SELECT projection, position FROM proj_checkpoints";
        match self {
            Tx::Postgres(tx) => sqlx::query_as(SQL).fetch_all(&mut **tx).await,
            Tx::Sqlite(tx) => sqlx::query_as(SQL).fetch_all(&mut **tx).await,
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
