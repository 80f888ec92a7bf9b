//! What every context's PostgreSQL SQL shares: one transaction with its cached statements, and
//! converting values to and from columns.
//!
//! Types (the baseline migration says the same): ids, counts and money (minor units) are
//! `bigint` (`i64` here), times `timestamptz` (`DateTime<Utc>`, microseconds), flags `boolean`,
//! JSON values crew reads back `text`.

use std::collections::HashMap;

use crew_core::error::{Error, Result};
use postgres::types::{FromSql, ToSql};
use postgres::{Row, Statement, Transaction};

/// Parameters of one statement.
pub(crate) type Params<'p> = [&'p (dyn ToSql + Sync)];

/// A PostgreSQL error as crew's: a constraint the database enforces (SQLSTATE class 23, which is
/// also what crew's own triggers raise) is a conflict, like SQLite's constraint violations; a
/// lost connection says so; anything else is internal, with the server's message and detail.
pub(crate) fn internal(e: postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        let mut message = db.message().to_string();
        if let Some(detail) = db.detail() {
            message.push_str(&format!(" ({detail})"));
        }
        if db.code().code().starts_with("23") {
            return Error::conflict(format!("the database refused the change: {message}"));
        }
        if db.code() == &postgres::error::SqlState::LOCK_NOT_AVAILABLE {
            return Error::internal(format!(
                "the database is busy: another crew command held its write lock too long ({message}); try again"
            ));
        }
        return Error::internal(format!("database: {message}"));
    }
    if e.is_closed() {
        return Error::internal(format!("the connection to the database server was lost: {e}"));
    }
    Error::internal(format!("database: {e}"))
}

/// Reads column `idx` of `row`.
pub(crate) fn get<'r, T: FromSql<'r>>(row: &'r Row, idx: usize) -> Result<T> {
    row.try_get(idx).map_err(|e| Error::internal(format!("stored value in column {idx}: {e}")))
}

/// Reads a text column into a domain type, naming a bad stored value.
pub(crate) fn col<T>(row: &Row, idx: usize, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    let raw: &str = get(row, idx)?;
    parse(raw).map_err(|e| Error::internal(format!("stored value `{raw}` in column {idx}: {}", e.message)))
}

/// Reads a nullable text column into a domain type.
pub(crate) fn opt_col<T>(row: &Row, idx: usize, parse: impl FnOnce(&str) -> Result<T>) -> Result<Option<T>> {
    let raw: Option<&str> = get(row, idx)?;
    raw.map(|raw| {
        parse(raw).map_err(|e| Error::internal(format!("stored value `{raw}` in column {idx}: {}", e.message)))
    })
    .transpose()
}

/// Reads a JSON text column.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(row: &Row, idx: usize) -> Result<T> {
    let raw: &str = get(row, idx)?;
    serde_json::from_str(raw).map_err(|e| Error::internal(format!("stored JSON in column {idx}: {e}")))
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("encoding: {e}")))
}

/// A count or size the database keeps as `bigint`.
pub(crate) fn int(n: impl TryInto<i64>) -> Result<i64> {
    n.try_into().map_err(|_| Error::internal("a number too large for the database"))
}

/// A `bigint` read back into a narrower or unsigned type.
pub(crate) fn narrow<T: TryFrom<i64>>(n: i64) -> Result<T> {
    T::try_from(n).map_err(|_| Error::internal(format!("stored number {n} is out of range")))
}

/// A time as the database keeps it (microseconds; `timestamptz`).
pub(crate) type Time = chrono::DateTime<chrono::Utc>;

/// The storage traits of every context over one PostgreSQL transaction (each context's `impl`
/// lives in its own file). Statements are prepared once per connection and kept in `cache`.
pub(crate) struct PgTx<'c, 't> {
    pub(crate) tx: Transaction<'t>,
    pub(crate) cache: &'c mut HashMap<String, Statement>,
}

impl PgTx<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(stmt) = self.cache.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.tx.prepare(sql).map_err(internal)?;
        self.cache.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    /// Every row `sql` returns.
    pub(crate) fn query(&mut self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        self.tx.query(&stmt, params).map_err(internal)
    }

    /// The one row `sql` returns, or `None`; more than one is an error.
    pub(crate) fn query_opt(&mut self, sql: &str, params: &Params<'_>) -> Result<Option<Row>> {
        let stmt = self.statement(sql)?;
        self.tx.query_opt(&stmt, params).map_err(internal)
    }

    /// The one row `sql` returns; none or more than one is an error.
    pub(crate) fn query_one(&mut self, sql: &str, params: &Params<'_>) -> Result<Row> {
        let stmt = self.statement(sql)?;
        self.tx.query_one(&stmt, params).map_err(internal)
    }

    /// Runs `sql`; the number of rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, params: &Params<'_>) -> Result<u64> {
        let stmt = self.statement(sql)?;
        self.tx.execute(&stmt, params).map_err(internal)
    }

    /// Runs statements without parameters or results (no statement cache): savepoints.
    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        self.tx.batch_execute(sql).map_err(internal)
    }
}
