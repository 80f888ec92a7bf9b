//! `crew db copy`: a whole company moved from one store to another — SQLite to PostgreSQL, and
//! back — table by table, verified before anything is kept.
//!
//! - The target must not hold a database yet: a new (or empty) SQLite file, or an empty (or
//!   missing) PostgreSQL schema. It is made at this crew's schema version, so the source is
//!   brought to the same version first (opening it applies its migrations).
//! - The source is read in one read transaction (a consistent snapshot: other commands may keep
//!   writing); the target is written in one transaction: a failure anywhere leaves no database
//!   behind (a SQLite file this command made is removed again).
//! - Every table in [`TABLES`] is copied with every column both stores have, ids included, in the
//!   source's insertion order; the installation key comes along (so idempotency keys sent to the
//!   money services stay those of the company, never a new installation's), and so do the id
//!   counters' high-water marks (an ended session's id is never given again, in either store).
//!   Both stores give ids the same way (the highest plus one; never again for sessions, kits and
//!   time off), so the copy goes on numbering as the source would have.
//! - Before the target commits, each table is read back and compared with the source: the same
//!   number of rows and the same SHA-256 over the rows in primary-key order, values written in
//!   one neutral form (times as RFC 3339 UTC to the microsecond, flags as 0/1). Any difference
//!   refuses the copy (exit 1) and nothing is kept.
//!
//! - A PostgreSQL copy ends with `ANALYZE` of its tables, so the planner knows their sizes from
//!   the first command on.
//!
//! Memory: one table at a time is held (the largest is usually the event log).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use crew_core::error::{Error, Result};
use postgres::types::ToSql;
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

use crate::postgres::row::internal as pg_internal;
use crate::row::{internal as sqlite_internal, time, ts};
use crate::{Database, PostgresStore, SqliteStore};

/// Every table of a crew database, parents before children (foreign keys). Not copied: the
/// stores' own bookkeeping (`crew_meta` of PostgreSQL; `sqlite_sequence` of SQLite and its twin
/// `id_counters`, carried as the counters' high-water marks) and `installation` (carried as the
/// key).
pub const TABLES: &[&str] = &[
    "accounts",
    "client_profiles",
    "sessions",
    "activations",
    "identity_clashes",
    "service_types",
    "orders",
    "events",
    "subscriptions",
    "clock_policy",
    "settings",
    "settings_steps",
    "matching_workers",
    "matching_orders",
    "matching_outcomes",
    "matching_hours",
    "matching_time_off",
    "outbox",
    "intake_hours",
    "hiring_tests",
    "hiring_test_versions",
    "hiring_sets",
    "applications",
    "billing_entries",
    "billing_postings",
    "billing_balances",
    "billing_periods",
    "billing_invoices",
    "billing_invoice_entries",
    "billing_payments",
    "supplies_boms",
    "supplies_stock",
    "supplies_kits",
    "quality_orders",
    "quality_cases",
    "quality_reviews",
    "quality_hypothesis_closures",
    "bets",
    "bet_books",
];

/// One table's copy: its rows and their digest (the same on both sides, or the copy failed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
    /// SHA-256, lower-case hex, of the rows in primary-key order in the neutral form.
    pub sha256: String,
}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CopyReport {
    /// Where from and to, without secrets.
    pub from: String,
    pub to: String,
    pub tables: Vec<TableCopy>,
}

/// How a column's values are read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Time,
    Text,
}

/// A value in the neutral form both stores' rows are compared in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Null,
    Int(i64),
    Text(String),
}

struct Table {
    name: &'static str,
    columns: Vec<(String, Kind)>,
    /// The primary key's columns, in key order.
    key: Vec<String>,
}

/// Copies the database `from` (opened, migrated) into a new database at `to`, verifies every
/// table, and returns what was copied. `progress(table, rows)` is called as each table is done.
///
/// Errors: `to` already holds a database or anything else (conflict or bad input, as `crew init`
/// says); `from` and `to` are the same place (bad input); a table that reads back differently
/// (internal). Nothing is kept at `to` on any error.
pub fn copy(from: &mut Database, to: &Path, progress: &mut dyn FnMut(&str, u64)) -> Result<CopyReport> {
    let from_shown = shown(from);
    same_place(&from_shown, to)?;
    match from {
        Database::Sqlite(source) => {
            let read = source
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
                .map_err(sqlite_internal)?;
            into(to, from_shown, &mut Side::Sqlite(&read), progress)
        }
        Database::Postgres(source) => {
            let (client, _) = source.session()?;
            let mut read = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(pg_internal)?;
            into(to, from_shown, &mut Side::Postgres(&mut read), progress)
        }
    }
}

fn shown(db: &Database) -> String {
    match db {
        Database::Sqlite(s) => s.path.as_ref().map_or("(memory)".into(), |p| p.display().to_string()),
        Database::Postgres(s) => s.target().shown().to_string(),
    }
}

/// Refuses a copy onto its own source.
fn same_place(from_shown: &str, to: &Path) -> Result<()> {
    let same = match to.to_str().filter(|t| crate::is_postgres_url(t)) {
        Some(url) => crate::PostgresTarget::parse(url)?.shown() == from_shown,
        None => std::fs::canonicalize(from_shown).ok().is_some_and(|f| Some(f) == std::fs::canonicalize(to).ok()),
    };
    if same {
        return Err(Error::bad_input(format!("--from and --to are both {from_shown}")));
    }
    Ok(())
}

/// Makes the new database at `to` and copies `source` into it, in the new database's one
/// transaction.
fn into(to: &Path, from: String, source: &mut Side<'_, '_>, progress: &mut dyn FnMut(&str, u64)) -> Result<CopyReport> {
    match to.to_str().filter(|t| crate::is_postgres_url(t)) {
        Some(url) => {
            let (mut store, tables) =
                PostgresStore::create_raw(url, |pg| copy_tables(source, &mut Side::Postgres(&mut pg.tx), progress))?;
            // The planner's statistics of the tables just filled: without them, the first
            // commands on the copy plan every lookup as if the tables were empty.
            let (client, _) = store.session()?;
            client.batch_execute(&format!("ANALYZE {}", TABLES.join(", "))).map_err(pg_internal)?;
            Ok(CopyReport { from, to: store.target().shown().into(), tables })
        }
        None => {
            let (store, tables) = into_sqlite(to, |target| copy_tables(source, &mut Side::Sqlite(target), progress))?;
            Ok(CopyReport { from, to: shown(&Database::Sqlite(store)), tables })
        }
    }
}

/// Every table, then the installation key and the counters' high-water marks.
fn copy_tables(
    source: &mut Side<'_, '_>,
    target: &mut Side<'_, '_>,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Vec<TableCopy>> {
    let (key, floors) = source.identity()?;
    target.clear()?;
    let mut tables = Vec::new();
    for name in TABLES {
        let shape = shape(source, target, name)?;
        let rows = source.read(&shape)?;
        target.write(&shape, &rows)?;
        let back = target.read(&shape)?;
        let copied = compare(&shape, rows, back)?;
        progress(name, copied.rows);
        tables.push(copied);
    }
    target.set_key(&key)?;
    target.raise_counters(&floors)?;
    Ok(tables)
}

/// One end of a copy: the source's read transaction, or the new database's write transaction.
enum Side<'a, 'b> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a mut postgres::Transaction<'b>),
}

impl Side<'_, '_> {
    /// The installation key and the id counters' high-water marks.
    fn identity(&mut self) -> Result<(String, BTreeMap<String, i64>)> {
        match self {
            Side::Sqlite(conn) => {
                let key = conn.query_row("SELECT key FROM installation", [], |r| r.get(0)).map_err(sqlite_internal)?;
                Ok((key, sqlite_floors(conn)?))
            }
            Side::Postgres(tx) => {
                let key = tx.query_one("SELECT key FROM installation", &[]).map_err(pg_internal)?.get(0);
                Ok((key, postgres_floors(*tx)?))
            }
        }
    }

    fn read(&mut self, t: &Table) -> Result<Vec<Vec<Value>>> {
        match self {
            Side::Sqlite(conn) => read_sqlite(conn, t),
            Side::Postgres(tx) => read_postgres(*tx, t),
        }
    }

    fn write(&mut self, t: &Table, rows: &[Vec<Value>]) -> Result<()> {
        match self {
            Side::Sqlite(conn) => write_sqlite(conn, t, rows),
            Side::Postgres(tx) => write_postgres(tx, t, rows),
        }
    }

    fn clear(&mut self) -> Result<()> {
        match self {
            Side::Sqlite(conn) => clear_sqlite(conn),
            Side::Postgres(tx) => clear_postgres(tx),
        }
    }

    fn set_key(&mut self, key: &str) -> Result<()> {
        match self {
            Side::Sqlite(conn) => set_sqlite_key(conn, key),
            Side::Postgres(tx) => set_postgres_key(tx, key),
        }
    }

    fn raise_counters(&mut self, floors: &BTreeMap<String, i64>) -> Result<()> {
        match self {
            Side::Sqlite(conn) => raise_sqlite_counters(conn, floors),
            Side::Postgres(tx) => raise_postgres_counters(tx, floors),
        }
    }

    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Side::Sqlite(conn) => Some(conn),
            Side::Postgres(_) => None,
        }
    }
}

/// A table's shape: PostgreSQL's catalog says the columns' kinds whenever it is one end (only
/// the columns both ends have), else SQLite's.
fn shape(source: &mut Side<'_, '_>, target: &mut Side<'_, '_>, name: &'static str) -> Result<Table> {
    match (source, target) {
        (Side::Postgres(pg), other) => postgres_shape(*pg, name, other.sqlite()),
        (other, Side::Postgres(pg)) => postgres_shape(*pg, name, other.sqlite()),
        (Side::Sqlite(conn), Side::Sqlite(_)) => sqlite_shape(conn, name),
    }
}

/// Makes a new SQLite database at `to` and runs `fill` in one transaction on it. `to` is claimed
/// first (a new file, or an existing empty one, as `crew init` takes), the database is built in a
/// hidden file beside it and renamed over it only once complete: a copy killed at any point
/// leaves `to` empty (a re-run takes it) and never a database without the company in it.
fn into_sqlite<R>(to: &Path, fill: impl FnOnce(&rusqlite::Connection) -> Result<R>) -> Result<(SqliteStore, R)> {
    use std::os::unix::fs::OpenOptionsExt;
    let claimed = std::fs::OpenOptions::new().write(true).create_new(true).mode(crate::DATABASE_MODE).open(to);
    let was_new = match claimed {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            SqliteStore::claim_empty(to)?;
            false
        }
        Err(e) => return Err(Error::internal(format!("cannot create the database {}: {e}", to.display()))),
    };
    let name = to.file_name().map_or_else(|| "crew.db".into(), |n| n.to_string_lossy().into_owned());
    let building = to.with_file_name(format!(".{name}.copy-{}", std::process::id()));
    let remove_building = || {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
        }
    };
    remove_building();
    let built = (|| {
        let mut store = SqliteStore::create(&building)?;
        let tx =
            store.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sqlite_internal)?;
        let out = fill(&tx)?;
        tx.commit().map_err(sqlite_internal)?;
        // Closing checkpoints the log into the file, so the one file is the whole database.
        drop(store);
        std::fs::rename(&building, to)
            .map_err(|e| Error::internal(format!("cannot put the copy in place at {}: {e}", to.display())))?;
        Ok(out)
    })();
    match built {
        Ok(out) => Ok((SqliteStore::open(to)?, out)),
        Err(e) => {
            remove_building();
            let _ = if was_new {
                std::fs::remove_file(to)
            } else {
                std::fs::OpenOptions::new().write(true).truncate(true).open(to).map(drop)
            };
            Err(e)
        }
    }
}

// ---------------------------------------------------------------- the new database

/// Empties the new database's tables (children first): a new database holds a few rows its
/// migrations made (the subscribers' positions), which the source's rows replace. Tables that
/// refuse deletion are empty in a new database, so no row of theirs is deleted.
fn clear_postgres(tx: &mut postgres::Transaction<'_>) -> Result<()> {
    for table in TABLES.iter().rev() {
        tx.batch_execute(&format!("DELETE FROM \"{table}\"")).map_err(pg_internal)?;
    }
    Ok(())
}

fn clear_sqlite(conn: &rusqlite::Connection) -> Result<()> {
    for table in TABLES.iter().rev() {
        conn.execute_batch(&format!("DELETE FROM \"{table}\"")).map_err(sqlite_internal)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- shapes

fn kind_of_postgres(data_type: &str) -> Result<Kind> {
    match data_type {
        "bigint" | "integer" | "smallint" => Ok(Kind::Int),
        "boolean" => Ok(Kind::Bool),
        "timestamp with time zone" => Ok(Kind::Time),
        "text" => Ok(Kind::Text),
        other => Err(Error::internal(format!("crew db copy cannot carry a column of type {other}"))),
    }
}

/// A table's shape from PostgreSQL's catalog; with `sqlite`, only the columns that store has too.
fn postgres_shape(
    pg: &mut impl postgres::GenericClient,
    name: &'static str,
    sqlite: Option<&rusqlite::Connection>,
) -> Result<Table> {
    let rows = pg
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[&name],
        )
        .map_err(pg_internal)?;
    let other: Option<Vec<String>> =
        sqlite.map(|c| sqlite_columns(c, name)).transpose()?.map(|cols| cols.into_iter().map(|(c, _, _)| c).collect());
    let mut columns = Vec::new();
    for row in &rows {
        let column: String = row.get(0);
        if other.as_ref().is_none_or(|o| o.contains(&column)) {
            columns.push((column, kind_of_postgres(row.get::<_, &str>(1))?));
        }
    }
    let key = pg
        .query(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass AND i.indisprimary
             ORDER BY array_position(i.indkey, a.attnum)",
            &[&name],
        )
        .map_err(pg_internal)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    check_shape(name, columns, key)
}

/// `(name, declared type, position in the primary key or 0)` of a SQLite table's columns.
fn sqlite_columns(conn: &rusqlite::Connection, name: &str) -> Result<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{name}\")")).map_err(sqlite_internal)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(5)?)))
        .map_err(sqlite_internal)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sqlite_internal)
}

/// A table's shape from SQLite alone (a copy between two SQLite files): its values stay as stored.
fn sqlite_shape(conn: &rusqlite::Connection, name: &'static str) -> Result<Table> {
    let cols = sqlite_columns(conn, name)?;
    let columns = cols
        .iter()
        .map(|(c, t, _)| (c.clone(), if t.eq_ignore_ascii_case("INTEGER") { Kind::Int } else { Kind::Text }))
        .collect();
    let mut key: Vec<(i64, String)> =
        cols.iter().filter(|(_, _, pk)| *pk > 0).map(|(c, _, pk)| (*pk, c.clone())).collect();
    key.sort();
    check_shape(name, columns, key.into_iter().map(|(_, c)| c).collect())
}

fn check_shape(name: &'static str, columns: Vec<(String, Kind)>, key: Vec<String>) -> Result<Table> {
    if columns.is_empty() || key.is_empty() {
        return Err(Error::internal(format!("the table {name} is missing or has no primary key")));
    }
    Ok(Table { name, columns, key })
}

impl Table {
    fn column_list(&self) -> String {
        self.columns.iter().map(|(c, _)| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
    }

    /// The order rows are read in: the primary key (text in byte order on PostgreSQL, SQLite's
    /// own order), which both stores agree on.
    fn key_order(&self, postgres: bool) -> String {
        self.key
            .iter()
            .map(|k| {
                let text = self.columns.iter().any(|(c, kind)| c == k && *kind == Kind::Text);
                if postgres && text { format!("\"{k}\" COLLATE \"C\"") } else { format!("\"{k}\"") }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The order rows were inserted in, so ids a store gives itself come out the same.
    fn insertion_order(&self, postgres: bool) -> String {
        match (self.name, postgres) {
            ("billing_periods", true) => "seq".into(),
            (_, false) => "rowid".into(),
            (_, true) => self.key_order(true),
        }
    }
}

// ---------------------------------------------------------------- reading and writing

fn read_sqlite(conn: &rusqlite::Connection, t: &Table) -> Result<Vec<Vec<Value>>> {
    let sql = format!("SELECT {} FROM \"{}\" ORDER BY {}", t.column_list(), t.name, t.insertion_order(false));
    let mut stmt = conn.prepare(&sql).map_err(sqlite_internal)?;
    let mut rows = stmt.query([]).map_err(sqlite_internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sqlite_internal)? {
        let mut values = Vec::with_capacity(t.columns.len());
        for (i, (column, kind)) in t.columns.iter().enumerate() {
            let raw = row.get_ref(i).map_err(sqlite_internal)?;
            values.push(match (raw, kind) {
                (ValueRef::Null, _) => Value::Null,
                (ValueRef::Integer(n), Kind::Int | Kind::Bool) => Value::Int(n),
                (ValueRef::Text(s), Kind::Time) => {
                    let s = std::str::from_utf8(s).map_err(|e| Error::internal(e.to_string()))?;
                    Value::Text(ts(time(s).map_err(|e| e.context(format!("{}.{column}", t.name)))?))
                }
                (ValueRef::Text(s), Kind::Text) => {
                    Value::Text(std::str::from_utf8(s).map_err(|e| Error::internal(e.to_string()))?.to_string())
                }
                (other, _) => {
                    return Err(Error::internal(format!(
                        "{}.{column} holds a {:?} value where {kind:?} was expected",
                        t.name,
                        other.data_type()
                    )));
                }
            });
        }
        out.push(values);
    }
    Ok(out)
}

fn read_postgres(pg: &mut impl postgres::GenericClient, t: &Table) -> Result<Vec<Vec<Value>>> {
    let sql = format!("SELECT {} FROM \"{}\" ORDER BY {}", t.column_list(), t.name, t.insertion_order(true));
    let rows = pg.query(&sql, &[]).map_err(pg_internal)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut values = Vec::with_capacity(t.columns.len());
        for (i, (_, kind)) in t.columns.iter().enumerate() {
            let value = match kind {
                Kind::Int => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
                Kind::Bool => row.try_get::<_, Option<bool>>(i).map(|v| v.map(|b| Value::Int(i64::from(b)))),
                Kind::Time => row.try_get::<_, Option<DateTime<Utc>>>(i).map(|v| v.map(|t| Value::Text(ts(t)))),
                Kind::Text => row.try_get::<_, Option<String>>(i).map(|v| v.map(Value::Text)),
            }
            .map_err(pg_internal)?;
            values.push(value.unwrap_or(Value::Null));
        }
        out.push(values);
    }
    Ok(out)
}

fn write_sqlite(conn: &rusqlite::Connection, t: &Table, rows: &[Vec<Value>]) -> Result<()> {
    let marks = (1..=t.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let mut stmt = conn
        .prepare(&format!("INSERT INTO \"{}\" ({}) VALUES ({marks})", t.name, t.column_list()))
        .map_err(sqlite_internal)?;
    for row in rows {
        let values = row.iter().map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Int(n) => rusqlite::types::Value::Integer(*n),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        });
        stmt.execute(rusqlite::params_from_iter(values)).map_err(|e| sqlite_internal(e).context(t.name))?;
    }
    Ok(())
}

/// Rows per INSERT statement on PostgreSQL (its limit is 65,535 parameters a statement).
const BATCH: usize = 500;

fn write_postgres(tx: &mut postgres::Transaction<'_>, t: &Table, rows: &[Vec<Value>]) -> Result<()> {
    let width = t.columns.len();
    for chunk in rows.chunks(BATCH) {
        let mut marks = Vec::with_capacity(chunk.len());
        for r in 0..chunk.len() {
            let row: Vec<String> = t
                .columns
                .iter()
                .enumerate()
                .map(|(c, (_, kind))| {
                    let cast = match kind {
                        Kind::Int => "bigint",
                        Kind::Bool => "boolean",
                        Kind::Time => "timestamptz",
                        Kind::Text => "text",
                    };
                    format!("${}::{cast}", r * width + c + 1)
                })
                .collect();
            marks.push(format!("({})", row.join(", ")));
        }
        let sql = format!("INSERT INTO \"{}\" ({}) VALUES {}", t.name, t.column_list(), marks.join(", "));
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(chunk.len() * width);
        for row in chunk {
            for (value, (column, kind)) in row.iter().zip(&t.columns) {
                params.push(match (value, kind) {
                    (Value::Null, Kind::Int) => Box::new(None::<i64>),
                    (Value::Null, Kind::Bool) => Box::new(None::<bool>),
                    (Value::Null, Kind::Time) => Box::new(None::<DateTime<Utc>>),
                    (Value::Null, Kind::Text) => Box::new(None::<String>),
                    (Value::Int(n), Kind::Int) => Box::new(*n),
                    (Value::Int(n), Kind::Bool) => Box::new(*n != 0),
                    (Value::Text(s), Kind::Time) => Box::new(time(s)?),
                    (Value::Text(s), Kind::Text) => Box::new(s.clone()),
                    (v, k) => {
                        return Err(Error::internal(format!("{}.{column}: {v:?} cannot be a {k:?}", t.name)));
                    }
                });
            }
        }
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        tx.execute(sql.as_str(), &refs).map_err(|e| pg_internal(e).context(t.name))?;
    }
    Ok(())
}

/// The same rows on both sides, compared in primary-key order (the neutral form sorts as the
/// stores do): the table's count and digest, or the first difference.
fn compare(t: &Table, mut source: Vec<Vec<Value>>, mut target: Vec<Vec<Value>>) -> Result<TableCopy> {
    let key: Vec<usize> = t.key.iter().filter_map(|k| t.columns.iter().position(|(c, _)| c == k)).collect();
    let by_key = |a: &Vec<Value>, b: &Vec<Value>| key.iter().map(|&i| &a[i]).cmp(key.iter().map(|&i| &b[i]));
    source.sort_by(by_key);
    target.sort_by(by_key);
    if source.len() != target.len() {
        return Err(Error::internal(format!(
            "{}: {} rows read, {} rows written; nothing was kept",
            t.name,
            source.len(),
            target.len()
        )));
    }
    if let Some(i) = (0..source.len()).find(|&i| source[i] != target[i]) {
        return Err(Error::internal(format!(
            "{}: row {} reads back differently ({:?} against {:?}); nothing was kept",
            t.name,
            i + 1,
            source[i],
            target[i]
        )));
    }
    Ok(TableCopy { table: t.name.to_string(), rows: source.len() as u64, sha256: digest(&source) })
}

fn digest(rows: &[Vec<Value>]) -> String {
    let mut hash = Sha256::new();
    for row in rows {
        for value in row {
            match value {
                Value::Null => hash.update(b"N;"),
                Value::Int(n) => hash.update(format!("I{n};").as_bytes()),
                Value::Text(s) => {
                    hash.update(format!("T{}:", s.len()).as_bytes());
                    hash.update(s.as_bytes());
                }
            }
        }
        hash.update(b"\n");
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------- the key and the counters

/// The installation key never changes — but a copy is the same installation, so the new
/// database's own key is replaced by the source's, the one time crew sets it.
fn set_postgres_key(tx: &mut postgres::Transaction<'_>, key: &str) -> Result<()> {
    tx.batch_execute("ALTER TABLE installation DISABLE TRIGGER installation_key_never_changes").map_err(pg_internal)?;
    tx.execute("UPDATE installation SET key = $1 WHERE id = 1", &[&key]).map_err(pg_internal)?;
    tx.batch_execute("ALTER TABLE installation ENABLE TRIGGER installation_key_never_changes").map_err(pg_internal)
}

/// As [`set_postgres_key`]; SQLite's trigger is dropped and made again as migration 0015 made it.
fn set_sqlite_key(conn: &rusqlite::Connection, key: &str) -> Result<()> {
    let migration = include_str!("migrations/0015_installation.sql");
    let start = migration.find("CREATE TRIGGER installation_key_never_changes").expect("0015 makes the trigger");
    let end = start + migration[start..].find("END;").expect("the trigger ends") + "END;".len();
    conn.execute_batch("DROP TRIGGER installation_key_never_changes").map_err(sqlite_internal)?;
    conn.execute("UPDATE installation SET key = ?1 WHERE id = 1", [key]).map_err(sqlite_internal)?;
    conn.execute_batch(&migration[start..end]).map_err(sqlite_internal)
}

/// The high-water marks of the source's id counters, by table: SQLite's `sqlite_sequence` (its
/// AUTOINCREMENT tables never give an id twice, even of a deleted row).
fn sqlite_floors(conn: &rusqlite::Connection) -> Result<BTreeMap<String, i64>> {
    let mut stmt = conn.prepare("SELECT name, seq FROM sqlite_sequence").map_err(sqlite_internal)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sqlite_internal)?;
    rows.collect::<rusqlite::Result<_>>().map_err(sqlite_internal)
}

/// The high-water marks of the PostgreSQL store's AUTOINCREMENT-like tables (`id_counters`,
/// its twin of `sqlite_sequence`).
fn postgres_floors(pg: &mut impl postgres::GenericClient) -> Result<BTreeMap<String, i64>> {
    let rows = pg.query("SELECT name, seq FROM id_counters", &[]).map_err(pg_internal)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The source's high-water marks, where they are above what the copied rows already raised
/// the counters to (a deleted session's id is never given again).
fn raise_postgres_counters(tx: &mut postgres::Transaction<'_>, floors: &BTreeMap<String, i64>) -> Result<()> {
    for (table, floor) in floors {
        tx.execute(
            "INSERT INTO id_counters (name, seq) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET seq = greatest(id_counters.seq, excluded.seq)",
            &[table, floor],
        )
        .map_err(pg_internal)?;
    }
    Ok(())
}

/// SQLite keeps its AUTOINCREMENT counters itself as rows go in; the source's higher marks are
/// carried over (its other tables take the highest id plus one, as PostgreSQL's do after a copy).
fn raise_sqlite_counters(conn: &rusqlite::Connection, floors: &BTreeMap<String, i64>) -> Result<()> {
    let auto: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'")
            .map_err(sqlite_internal)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(sqlite_internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(sqlite_internal)?
    };
    for table in auto {
        let Some(&floor) = floors.get(&table) else { continue };
        conn.execute("DELETE FROM sqlite_sequence WHERE name = ?1 AND seq < ?2", rusqlite::params![table, floor])
            .map_err(sqlite_internal)?;
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 WHERE NOT EXISTS
             (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
            rusqlite::params![table, floor],
        )
        .map_err(sqlite_internal)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every table either store makes is copied (or named as deliberately left out), so a new
    /// table cannot be forgotten by `crew db copy`.
    #[test]
    fn every_table_of_both_stores_is_copied() {
        let sqlite = crate::SqliteStore::in_memory().unwrap();
        let mut stmt =
            sqlite.conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").unwrap();
        let mut tables: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        tables.retain(|t| !["sqlite_sequence", "installation"].contains(&t.as_str()));
        let mut listed: Vec<String> = super::TABLES.iter().map(|t| t.to_string()).collect();
        listed.sort();
        assert_eq!(tables, listed);
    }
}
