//! The two backends' migrations build the same schema: the same tables, columns (name,
//! nullability, family of type), primary keys, unique keys, indexes, foreign keys and checks.
//!
//! Both databases are migrated fresh with the project's migrations and introspected
//! (PostgreSQL: `information_schema` and `pg_catalog`; SQLite: `sqlite_master` and the
//! `table_info`, `index_list`, `index_info` and `foreign_key_list` pragmas, the checks read from
//! the `CREATE TABLE` text). What SQLite cannot say like PostgreSQL is normalised, and every
//! difference the two dialects impose is named in [`ALLOWED`], with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use cpts_ledger_tests::{open_store, postgres_db, sqlite_db};

/// The family of a column's type, as both backends can store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Text,
    Integer,
    Boolean,
    Real,
    Bytes,
    /// A date and time held as such (PostgreSQL `TIMESTAMPTZ`).
    Timestamp,
    Other,
}

impl Family {
    /// PostgreSQL's `information_schema.columns.data_type`.
    fn of_postgres(data_type: &str) -> Self {
        match data_type {
            "text" | "character varying" | "character" => Family::Text,
            "bigint" | "integer" | "smallint" => Family::Integer,
            "boolean" => Family::Boolean,
            "double precision" | "real" | "numeric" => Family::Real,
            "bytea" => Family::Bytes,
            "timestamp with time zone" | "timestamp without time zone" => Family::Timestamp,
            _ => Family::Other,
        }
    }

    /// A SQLite declared type, by SQLite's own affinity rules (boolean and timestamps first,
    /// since SQLite would file them under numeric).
    fn of_sqlite(declared: &str) -> Self {
        let t = declared.to_ascii_uppercase();
        if t.contains("BOOL") {
            Family::Boolean
        } else if t.contains("TIMESTAMP") || t.contains("DATETIME") {
            Family::Timestamp
        } else if t.contains("INT") {
            Family::Integer
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            Family::Text
        } else if t.is_empty() || t.contains("BLOB") {
            Family::Bytes
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            Family::Real
        } else {
            Family::Other
        }
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    family: Family,
    not_null: bool,
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let family = format!("{:?}", self.family).to_lowercase();
        let null = if self.not_null { "not null" } else { "null" };
        write!(f, "{family} {null}")
    }
}

/// A foreign key: these columns reference those of that table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
}

/// One table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    /// Column lists of unique constraints and unique indexes (the primary key aside).
    unique: BTreeSet<Vec<String>>,
    /// Column lists of the other indexes.
    indexes: BTreeSet<Vec<String>>,
    foreign_keys: BTreeSet<ForeignKey>,
    /// Check expressions, normalised by [`normalise_check`].
    checks: BTreeSet<String>,
}

/// A schema: its tables by name.
type Schema = BTreeMap<String, Table>;

/// Every difference between the two schemas, one sentence each, in a stable order.
fn differences(postgres: &Schema, sqlite: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = postgres.keys().chain(sqlite.keys()).collect();
    for name in names {
        let (pg, lite) = match (postgres.get(name), sqlite.get(name)) {
            (Some(pg), Some(lite)) => (pg, lite),
            (Some(_), None) => {
                out.push(format!("table {name}: only in postgres"));
                continue;
            }
            (None, Some(_)) => {
                out.push(format!("table {name}: only in sqlite"));
                continue;
            }
            (None, None) => unreachable!(),
        };
        let columns: BTreeSet<&String> = pg.columns.keys().chain(lite.columns.keys()).collect();
        for column in columns {
            match (pg.columns.get(column), lite.columns.get(column)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), Some(b)) => {
                    out.push(format!("column {name}.{column}: postgres {a}, sqlite {b}"));
                }
                (Some(a), None) => {
                    out.push(format!("column {name}.{column}: only in postgres ({a})"))
                }
                (None, Some(b)) => {
                    out.push(format!("column {name}.{column}: only in sqlite ({b})"));
                }
                (None, None) => unreachable!(),
            }
        }
        if pg.primary_key != lite.primary_key {
            out.push(format!(
                "primary key of {name}: postgres ({}), sqlite ({})",
                pg.primary_key.join(", "),
                lite.primary_key.join(", ")
            ));
        }
        let sets = |what: &str, a: &BTreeSet<Vec<String>>, b: &BTreeSet<Vec<String>>| {
            let mut found = Vec::new();
            for cols in a.difference(b) {
                found.push(format!(
                    "{what} of {name} ({}): only in postgres",
                    cols.join(", ")
                ));
            }
            for cols in b.difference(a) {
                found.push(format!(
                    "{what} of {name} ({}): only in sqlite",
                    cols.join(", ")
                ));
            }
            found
        };
        out.extend(sets("unique key", &pg.unique, &lite.unique));
        out.extend(sets("index", &pg.indexes, &lite.indexes));
        for (fks, side) in [
            (pg.foreign_keys.difference(&lite.foreign_keys), "postgres"),
            (lite.foreign_keys.difference(&pg.foreign_keys), "sqlite"),
        ] {
            for fk in fks {
                out.push(format!(
                    "foreign key of {name} ({}) -> {} ({}): only in {side}",
                    fk.columns.join(", "),
                    fk.table,
                    fk.references.join(", ")
                ));
            }
        }
        for check in pg.checks.difference(&lite.checks) {
            out.push(format!("check of {name} `{check}`: only in postgres"));
        }
        for check in lite.checks.difference(&pg.checks) {
            out.push(format!("check of {name} `{check}`: only in sqlite"));
        }
    }
    out
}

/// The differences the two dialects impose, each with its reason. The test fails on any
/// other difference, and on an entry here that no longer occurs.
const ALLOWED: &[(&str, &str)] = &[
    (
        "column events.recorded_at: postgres timestamp not null, sqlite text not null",
        "PostgreSQL keeps the recording time as a TIMESTAMPTZ; SQLite has no such type and \
         keeps the RFC 3339 text the hash covers. Both are read back as that same text \
         (`Dialect::timestamp_text` in projections/src/db.rs).",
    ),
    (
        "column log_head.recorded_at: postgres timestamp null, sqlite text null",
        "The head's copy of the last recording time, as in `events.recorded_at`.",
    ),
    (
        "column log_head.singleton: postgres boolean not null, sqlite integer not null",
        "The head's one-row key: SQLite has no boolean type.",
    ),
    (
        "check of log_head `singleton`: only in postgres",
        "The same rule (one row only) said with each dialect's boolean.",
    ),
    (
        "check of log_head `singleton=1`: only in sqlite",
        "The same rule (one row only) said with each dialect's boolean.",
    ),
];

/// Normalises what the two backends say differently but means the same:
///
/// - SQLite lets a PRIMARY KEY column other than an `INTEGER PRIMARY KEY` hold NULL unless
///   it is declared NOT NULL (a quirk kept for compatibility,
///   <https://sqlite.org/lang_createtable.html#the_primary_key>); PostgreSQL never does. The
///   ledger never writes a NULL key, and rebuilding a dozen SQLite tables to restate it would
///   change nothing it writes, so a primary-key column counts as NOT NULL on both sides.
fn normalise(mut schema: Schema) -> Schema {
    for table in schema.values_mut() {
        for key in &table.primary_key {
            if let Some(column) = table.columns.get_mut(key) {
                column.not_null = true;
            }
        }
    }
    schema
}

/// A check's expression without `CHECK`, spaces, case, identifier quotes and the parentheses
/// PostgreSQL adds; `octet_length` (PostgreSQL) and `length` (SQLite) both count a blob's bytes.
fn normalise_check(definition: &str) -> String {
    let mut text: String = definition
        .trim()
        .trim_start_matches("CHECK")
        .trim_start_matches("check")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .collect::<String>()
        .to_lowercase()
        .replace("octet_length(", "length(");
    while text.starts_with('(') && text.ends_with(')') && wrapped(&text) {
        text = text[1..text.len() - 1].to_owned();
    }
    text
}

/// Whether the parenthesis opening `text` closes at its very end.
fn wrapped(text: &str) -> bool {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// The `CHECK (…)` clauses of a SQLite `CREATE TABLE` text, with their parentheses
/// (comments left out, and `CHECK` only as a word of its own followed by its expression).
fn sqlite_checks(create: &str) -> Vec<String> {
    let text: String = create
        .lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n");
    let upper = text.to_ascii_uppercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut checks = Vec::new();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CHECK") {
        let start = from + at;
        let after = start + "CHECK".len();
        from = after;
        if word(text[..start].chars().next_back()) || word(text[after..].chars().next()) {
            continue;
        }
        let rest = text[after..].trim_start();
        if !rest.starts_with('(') {
            continue;
        }
        let open = text.len() - rest.len();
        let mut depth = 0;
        let mut end = None;
        for (i, c) in text[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            break;
        };
        checks.push(text[open..=end].to_owned());
        from = end + 1;
    }
    checks
}

/// Tables of sqlx's own bookkeeping, not of the ledger.
fn ours(table: &str) -> bool {
    table != "_sqlx_migrations"
}

/// A constraint of PostgreSQL's catalogue: table, kind (`p`, `f`, `c`), its columns, the table
/// and columns it references, its definition.
type ConstraintRow = (
    String,
    String,
    Vec<String>,
    Option<String>,
    Vec<String>,
    String,
);

async fn postgres_schema(pool: &sqlx::PgPool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    for table in tables.into_iter().filter(|t| ours(t)) {
        schema.insert(table, Table::default());
    }
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text, data_type::text \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(pool)
    .await
    .expect("columns");
    for (table, column, nullable, data_type) in columns {
        if let Some(t) = schema.get_mut(&table) {
            t.columns.insert(
                column,
                Column {
                    family: Family::of_postgres(&data_type),
                    not_null: nullable == "NO",
                },
            );
        }
    }
    // Constraints, with their columns in key order.
    let constraints: Vec<ConstraintRow> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.contype::text, \
             ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(n, o) \
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n \
                   ORDER BY k.o), \
             CASE WHEN c.confrelid = 0 THEN NULL ELSE c.confrelid::regclass::text END, \
             ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(n, o) \
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n \
                   ORDER BY k.o), \
             pg_get_constraintdef(c.oid) \
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = 'public' AND c.contype IN ('p', 'f', 'c')",
    )
    .fetch_all(pool)
    .await
    .expect("constraints");
    for (table, kind, columns, target, references, definition) in constraints {
        let Some(t) = schema.get_mut(&table) else {
            continue;
        };
        match kind.as_str() {
            "p" => t.primary_key = columns,
            "f" => {
                t.foreign_keys.insert(ForeignKey {
                    columns,
                    table: target.unwrap_or_default(),
                    references,
                });
            }
            _ => {
                t.checks.insert(normalise_check(&definition));
            }
        }
    }
    // Indexes other than the primary key's: those of unique constraints are unique indexes.
    let indexes: Vec<(String, bool, Vec<String>)> = sqlx::query_as(
        "SELECT t.relname::text, ix.indisunique, \
         ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(n, o) \
               JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n \
               ORDER BY k.o) \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND NOT ix.indisprimary",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    for (table, unique, columns) in indexes {
        if let Some(t) = schema.get_mut(&table) {
            if unique {
                t.unique.insert(columns);
            } else {
                t.indexes.insert(columns);
            }
        }
    }
    schema
}

async fn sqlite_schema(pool: &sqlx::SqlitePool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    for (name, create) in tables.into_iter().filter(|(t, _)| ours(t)) {
        let mut table = Table::default();
        let columns: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .expect("columns");
        let mut key: Vec<(i64, String)> = Vec::new();
        for (column, declared, not_null, pk) in columns {
            let family = Family::of_sqlite(&declared);
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            table.columns.insert(
                column,
                Column {
                    family,
                    not_null: not_null == 1,
                },
            );
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        let indexes: Vec<(String, bool, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&name)
                .fetch_all(pool)
                .await
                .expect("indexes");
        for (index, unique, origin) in indexes {
            if origin == "pk" {
                continue;
            }
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .expect("index columns");
            if unique {
                table.unique.insert(columns);
            } else {
                table.indexes.insert(columns);
            }
        }
        let keys: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($1) \
             ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .expect("foreign keys");
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for (id, _, target, from, to) in keys {
            let fk = by_id.entry(id).or_insert_with(|| ForeignKey {
                columns: vec![],
                table: target,
                references: vec![],
            });
            fk.columns.push(from);
            fk.references.push(to.unwrap_or_default());
        }
        table.foreign_keys = by_id.into_values().collect();
        table.checks = sqlite_checks(&create)
            .iter()
            .map(|c| normalise_check(c))
            .collect();
        schema.insert(name, table);
    }
    schema
}

/// The differences left once the allowed ones are taken out, and the allowed ones that did
/// not occur, as one readable report (empty when the schemas match).
fn report(postgres: Schema, sqlite: Schema) -> String {
    let found = differences(&normalise(postgres), &normalise(sqlite));
    let mut text = String::new();
    for difference in &found {
        if !ALLOWED.iter().any(|(allowed, _)| allowed == difference) {
            writeln!(text, "  {difference}").ok();
        }
    }
    for (allowed, _) in ALLOWED {
        if !found.iter().any(|d| d == allowed) {
            writeln!(text, "  allowed but no longer found (remove it): {allowed}").ok();
        }
    }
    text
}

#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let pg = postgres_db().await;
    let lite = sqlite_db();
    let pg_repo = open_store(pg.url()).await.expect("PostgreSQL migrates");
    let lite_repo = open_store(lite.url()).await.expect("SQLite migrates");
    let postgres = postgres_schema(pg_repo.pg_pool().expect("a PostgreSQL store")).await;
    let sqlite = sqlite_schema(lite_repo.sqlite_pool().expect("a SQLite store")).await;
    assert!(postgres.len() >= 20, "{:?}", postgres.keys());
    assert!(postgres.contains_key("events") && sqlite.contains_key("events"));
    let diff = report(postgres, sqlite);
    assert!(
        diff.is_empty(),
        "the migrations of migrations/postgres and migrations/sqlite build different \
         schemas; add a migration to both folders, or explain the difference in ALLOWED:\n{diff}"
    );
}

#[tokio::test]
async fn a_column_one_backend_only_gains_fails_the_comparison_by_name() {
    let pg = postgres_db().await;
    let lite = sqlite_db();
    let pg_repo = open_store(pg.url()).await.expect("PostgreSQL migrates");
    let lite_repo = open_store(lite.url()).await.expect("SQLite migrates");
    let pool = lite_repo.sqlite_pool().expect("a SQLite store");
    // What a migration written for one folder only would do.
    sqlx::query("ALTER TABLE proj_members ADD COLUMN nickname TEXT")
        .execute(pool)
        .await
        .expect("altered");
    let postgres = postgres_schema(pg_repo.pg_pool().expect("a PostgreSQL store")).await;
    let diff = report(postgres, sqlite_schema(pool).await);
    assert_eq!(
        diff.trim(),
        "column proj_members.nickname: only in sqlite (text null)"
    );
}

fn column(family: Family, not_null: bool) -> Column {
    Column { family, not_null }
}

/// Two hand-made schemas, the same but for what `change` does to the SQLite one.
fn pair(change: impl FnOnce(&mut Table)) -> (Schema, Schema) {
    let mut table = Table::default();
    table
        .columns
        .insert("id".into(), column(Family::Text, true));
    table
        .columns
        .insert("on".into(), column(Family::Text, false));
    table.primary_key = vec!["id".into()];
    table
        .checks
        .insert(normalise_check("CHECK ((length(id) > 0))"));
    let postgres = Schema::from([("things".to_owned(), table.clone())]);
    change(&mut table);
    (postgres, Schema::from([("things".to_owned(), table)]))
}

#[test]
fn a_column_added_to_one_backend_only_is_a_readable_difference() {
    let (postgres, sqlite) = pair(|t| {
        t.columns.insert("note".into(), column(Family::Text, false));
    });
    assert_eq!(
        differences(&postgres, &sqlite),
        vec!["column things.note: only in sqlite (text null)"]
    );
    let text = report(postgres, sqlite);
    assert!(
        text.contains("column things.note: only in sqlite (text null)"),
        "{text}"
    );
}

#[test]
fn nullability_type_keys_and_checks_are_compared() {
    let (postgres, sqlite) = pair(|t| {
        t.columns.insert("on".into(), column(Family::Integer, true));
        t.unique.insert(vec!["on".into()]);
        t.checks.clear();
        t.foreign_keys.insert(ForeignKey {
            columns: vec!["on".into()],
            table: "days".into(),
            references: vec!["day".into()],
        });
    });
    assert_eq!(
        differences(&postgres, &sqlite),
        vec![
            "column things.on: postgres text null, sqlite integer not null",
            "unique key of things (on): only in sqlite",
            "foreign key of things (on) -> days (day): only in sqlite",
            "check of things `length(id)>0`: only in postgres",
        ]
    );
}

#[test]
fn identical_schemas_have_no_difference() {
    let (postgres, sqlite) = pair(|_| {});
    assert!(differences(&postgres, &sqlite).is_empty());
}

#[test]
fn each_dialect_s_way_of_writing_a_check_compares_equal() {
    assert_eq!(
        normalise_check("CHECK ((octet_length(hash) = 32))"),
        normalise_check("(length(hash) = 32)")
    );
    assert_eq!(
        normalise_check("CHECK ((\"position\" >= 1))"),
        normalise_check("(position >= 1)")
    );
    assert_eq!(
        sqlite_checks(
            "CREATE TABLE t (\n  -- no CHECK (here)\n  a INTEGER CHECK (a >= 1),\n  \
             checked TEXT,\n  b BLOB CHECK(length(b) = 32)\n)"
        ),
        vec!["(a >= 1)", "(length(b) = 32)"]
    );
}

#[test]
fn sqlite_types_fall_in_the_family_of_their_affinity() {
    assert_eq!(Family::of_sqlite("BIGINT"), Family::Integer);
    assert_eq!(Family::of_sqlite("INTEGER"), Family::Integer);
    assert_eq!(Family::of_sqlite("TEXT"), Family::Text);
    assert_eq!(Family::of_sqlite("REAL"), Family::Real);
    assert_eq!(Family::of_sqlite("BLOB"), Family::Bytes);
    assert_eq!(Family::of_postgres("double precision"), Family::Real);
    assert_eq!(Family::of_postgres("bytea"), Family::Bytes);
}
