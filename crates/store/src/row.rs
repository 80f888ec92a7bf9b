//! What every context's SQL shares: one transaction's connection, and converting values to and
//! from columns.

use chrono::{DateTime, SecondsFormat, Utc};
use crew_core::error::{Error, Result};
use rusqlite::types::Type;
use rusqlite::{Connection, Row};

pub(crate) fn internal(e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return Error::conflict(format!("the database refused the change: {e}"));
    }
    Error::internal(format!("database: {e}"))
}

/// Times are stored as RFC 3339 UTC text of fixed width, so they sort as text. A time past the
/// year 9999 — only one computed ahead of a command near the end of that year can be (`--now` is
/// refused past it), such as a retry or a lease — is stored as the last instant of 9999: chrono
/// would write `+10000-…`, which no reader takes back, and one such row once jammed every command
/// that read its table. "The end of time" is what such a time means.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    use chrono::Datelike;
    if t.year() > 9999 {
        return LAST_STORED.to_string();
    }
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The last instant a stored time can say.
const LAST_STORED: &str = "9999-12-31T23:59:59.999999Z";

/// Reads a column into a domain type, turning a bad stored value into a conversion error.
pub(crate) fn col<T>(row: &Row<'_>, idx: usize, parse: impl FnOnce(&str) -> Result<T>) -> rusqlite::Result<T> {
    let raw: String = row.get(idx)?;
    parse(&raw).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub(crate) fn opt_col<T>(
    row: &Row<'_>,
    idx: usize,
    parse: impl FnOnce(&str) -> Result<T>,
) -> rusqlite::Result<Option<T>> {
    let raw: Option<String> = row.get(idx)?;
    raw.map(|raw| parse(&raw).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))))
        .transpose()
}

/// Why a stored time with a sign before its year (`+10899-…`) cannot be read.
pub(crate) const OUT_OF_YEARS: &str = "a year outside 0 to 9999, which crew never stores";

pub(crate) fn time(raw: &str) -> Result<DateTime<Utc>> {
    if raw.starts_with(['+', '-']) {
        return Err(Error::internal(format!("stored time `{raw}`: {OUT_OF_YEARS}")));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::internal(format!("stored time `{raw}`: {e}")))
}

/// The storage traits of every context over one SQLite transaction (each context's `impl`
/// lives in its own file).
pub(crate) struct SqliteTx<'a> {
    pub(crate) conn: &'a Connection,
    /// The newest events of the log, appended by this transaction and not yet handed out
    /// (`events_after` hands them out without reading them back).
    pub(crate) appended: crate::events::Appended,
    /// The multi-row inserts prepared in this transaction ([`crate::batch::Insert`]).
    pub(crate) statements: crate::batch::Statements,
}

impl<'a> SqliteTx<'a> {
    pub(crate) fn new(conn: &'a Connection) -> Self {
        SqliteTx { conn, appended: crate::events::Appended::default(), statements: Default::default() }
    }
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("encoding: {e}")))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let raw: String = row.get(idx)?;
    serde_json::from_str(&raw).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub(crate) fn bad(idx: usize, e: Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

pub(crate) fn to_sql(e: Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_past_the_year_9999_is_stored_as_its_last_instant_and_reads_back() {
        let last = time(LAST_STORED).unwrap();
        assert_eq!(ts(last), LAST_STORED);
        assert_eq!(ts(last + chrono::Duration::microseconds(1)), LAST_STORED);
        assert_eq!(ts(last + chrono::Duration::days(400)), LAST_STORED);
        assert_eq!(time(&ts(last + chrono::Duration::days(400))).unwrap(), last);
        let before = last - chrono::Duration::microseconds(1);
        assert_eq!(ts(before), "9999-12-31T23:59:59.999998Z");
    }
}
