//! Many rows in one statement: a multi-row `INSERT … VALUES (…), (…), …`, for the commands that
//! store thousands of rows at once (the intake: BENCHMARKS.md, "Intake"). One statement per
//! [`ROWS`] rows rather than one per row: SQLite compiles, binds and steps it once.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ffi::c_int;
use std::marker::PhantomData;
use std::ptr::NonNull;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, ffi};

/// Rows per statement. Each row binds a handful of parameters, 500 rows far below SQLite's limit
/// (32,766). A statement that may fail part-way keeps a journal of the pages it changes (SQLite's
/// statement journal: a copy of each page the first time the statement touches it); with 100
/// rows a statement that was 3.7% of a 100,000-row intake's instructions, with 500, 1.8%. A
/// dispatch hands mail 500 events at a time, so its inserts fill whole statements.
pub(crate) const ROWS: usize = 500;

/// `head` followed by `rows` copies of `row`, separated by commas. In `row`, each `#` is a
/// parameter of its own, numbered on from `shared` (row 0's first `#` is `?{shared + 1}`), so
/// the parameters `?1`…`?{shared}` are shared by every row and may be written out in `row`.
///
/// `values("INSERT INTO t (a, b, c) VALUES ", "(#, #, ?1)", 1, 2)` is
/// `INSERT INTO t (a, b, c) VALUES (?2, ?3, ?1), (?4, ?5, ?1)`.
pub(crate) fn values(head: &str, row: &str, shared: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * (row.len() + 16));
    sql.push_str(head);
    let mut n = shared;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        for (i, part) in row.split('#').enumerate() {
            if i > 0 {
                n += 1;
                sql.push('?');
                push_decimal(&mut sql, n);
            }
            sql.push_str(part);
        }
    }
    sql
}

/// `n` in decimal, appended without the formatting machinery (a parameter number per `#` of a
/// few hundred statements an intake).
fn push_decimal(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// The number of the first parameter of row `r` (0-based) of a statement made by [`values`]
/// with `per_row` `#`s in its row.
pub(crate) fn first_param(shared: usize, per_row: usize, r: usize) -> usize {
    shared + r * per_row + 1
}

/// One multi-row statement: `head`, the rows as [`values`] writes them, then `tail`.
pub(crate) struct Insert<'a> {
    pub(crate) head: &'a str,
    pub(crate) row: &'a str,
    pub(crate) tail: &'a str,
    /// The parameters `?1`…`?n` every row shares, bound once per statement.
    pub(crate) shared: &'a [&'a dyn ToSql],
}

impl<'a> Insert<'a> {
    /// Runs the statement over `items`, [`ROWS`] at a time, `bind` binding each item's own
    /// parameters ([`Row`]); returns the rows changed. The statements (one for a full chunk, one
    /// for the last) are prepared once per transaction and kept in `statements`.
    ///
    /// The statement runs on SQLite's C API rather than through rusqlite so that texts are bound
    /// without copies ([`Row::text`], `SQLITE_STATIC`): rusqlite copies every text it binds
    /// (`SQLITE_TRANSIENT`), which with SQLite's allocations was 5.6% of a 100,000-row intake's
    /// instructions (BENCHMARKS.md, "Intake"). Every statement is reset and its bindings cleared
    /// after it runs and when a binding fails, so a kept statement never points at a text of a run
    /// that has returned.
    pub(crate) fn run<T>(
        &self,
        conn: &Connection,
        statements: &mut Statements,
        items: &'a [T],
        mut bind: impl FnMut(&mut Row<'_, 'a>, &'a T) -> rusqlite::Result<()>,
    ) -> rusqlite::Result<usize> {
        let per_row = self.row.matches('#').count();
        // The shared values, kept as they are bound for the whole call.
        let shared: Vec<ToSqlOutput<'_>> = self.shared.iter().map(|v| v.to_sql()).collect::<rusqlite::Result<_>>()?;
        let mut owned = Vec::new();
        let mut changed = 0;
        for chunk in items.chunks(ROWS) {
            // Declared after `shared` and `owned`, so dropped before them on every way out of this
            // loop — an error, a panic in `bind` — and the kept statement then points at none of
            // this run's texts.
            let stmt = Cleared(statements.get(conn, self, chunk.len())?);
            for (i, value) in shared.iter().enumerate() {
                stmt.0.bind_shared(i + 1, value)?;
            }
            for (r, item) in chunk.iter().enumerate() {
                let first = first_param(self.shared.len(), per_row, r);
                let mut row = Row { stmt: &mut *stmt.0, first, owned: &mut owned, items: PhantomData };
                bind(&mut row, item)?;
            }
            changed += stmt.0.execute()?;
            drop(stmt);
            // Only now, with the statement reset and its bindings cleared, may the texts it
            // pointed at go.
            owned.clear();
        }
        Ok(changed)
    }
}

/// The statements of [`Insert`]s prepared in one transaction, each kept for the next run of the
/// same insert with as many rows (preparing a 100-row statement costs ~0.9 M instructions: once
/// per run, a few hundred times an intake, it was 5% of one). Finalized when dropped.
#[derive(Default)]
pub(crate) struct Statements(HashMap<String, Statement>);

impl Statements {
    fn get(&mut self, conn: &Connection, insert: &Insert<'_>, rows: usize) -> rusqlite::Result<&mut Statement> {
        let mut key = String::with_capacity(insert.head.len() + insert.row.len() + insert.tail.len() + 24);
        for part in [insert.head, insert.row, insert.tail] {
            key.push_str(part);
            key.push('\u{0}');
        }
        push_decimal(&mut key, insert.shared.len());
        key.push('\u{0}');
        push_decimal(&mut key, rows);
        let db = unsafe { conn.handle() };
        match self.0.entry(key) {
            // Kept for this very connection (a SqliteTx has one; a test could pass another).
            Entry::Occupied(e) if e.get().db == db => Ok(e.into_mut()),
            Entry::Occupied(mut e) => {
                let sql = format!("{}{}", values(insert.head, insert.row, insert.shared.len(), rows), insert.tail);
                e.insert(Statement::prepare(conn, &sql)?);
                Ok(e.into_mut())
            }
            Entry::Vacant(e) => {
                let sql = format!("{}{}", values(insert.head, insert.row, insert.shared.len(), rows), insert.tail);
                Ok(e.insert(Statement::prepare(conn, &sql)?))
            }
        }
    }
}

/// A kept statement in use by a run: reset, its bindings cleared, when dropped.
struct Cleared<'s>(&'s mut Statement);

impl Drop for Cleared<'_> {
    fn drop(&mut self) {
        self.0.clear();
    }
}

/// A statement prepared on the connection's own handle, finalized when dropped.
pub(crate) struct Statement {
    db: *mut ffi::sqlite3,
    stmt: NonNull<ffi::sqlite3_stmt>,
}

impl Statement {
    fn prepare(conn: &Connection, sql: &str) -> rusqlite::Result<Statement> {
        // The handle is used on this thread only, while `conn` is borrowed, with no statement
        // of rusqlite's in progress.
        let db = unsafe { conn.handle() };
        let len = c_int::try_from(sql.len()).map_err(|_| rusqlite::Error::InvalidQuery)?;
        let mut stmt = std::ptr::null_mut();
        let rc = unsafe { ffi::sqlite3_prepare_v3(db, sql.as_ptr().cast(), len, 0, &mut stmt, std::ptr::null_mut()) };
        if rc != ffi::SQLITE_OK {
            return Err(failure(db, rc));
        }
        let stmt = NonNull::new(stmt).ok_or(rusqlite::Error::InvalidQuery)?;
        Ok(Statement { db, stmt })
    }

    fn check(&self, rc: c_int) -> rusqlite::Result<()> {
        if rc == ffi::SQLITE_OK { Ok(()) } else { Err(failure(self.db, rc)) }
    }

    /// Binds `text` to parameter `i` without a copy: `text` must stay where it is until the
    /// statement has run and been reset ([`Statement::execute`]).
    fn bind_static(&mut self, i: usize, text: &str) -> rusqlite::Result<()> {
        let len = u64::try_from(text.len()).map_err(|_| rusqlite::Error::InvalidQuery)?;
        // An empty String's pointer is dangling; C wants a valid one even for no bytes.
        let text = if text.is_empty() { "" } else { text };
        self.check(unsafe {
            ffi::sqlite3_bind_text64(
                self.stmt.as_ptr(),
                param(i)?,
                text.as_ptr().cast(),
                len,
                ffi::SQLITE_STATIC(),
                ffi::SQLITE_UTF8 as u8,
            )
        })
    }

    fn bind_copy(&mut self, i: usize, text: &str) -> rusqlite::Result<()> {
        let len = u64::try_from(text.len()).map_err(|_| rusqlite::Error::InvalidQuery)?;
        self.check(unsafe {
            ffi::sqlite3_bind_text64(
                self.stmt.as_ptr(),
                param(i)?,
                text.as_ptr().cast(),
                len,
                ffi::SQLITE_TRANSIENT(),
                ffi::SQLITE_UTF8 as u8,
            )
        })
    }

    fn bind_int(&mut self, i: usize, value: i64) -> rusqlite::Result<()> {
        self.check(unsafe { ffi::sqlite3_bind_int64(self.stmt.as_ptr(), param(i)?, value) })
    }

    fn bind_null(&mut self, i: usize) -> rusqlite::Result<()> {
        self.check(unsafe { ffi::sqlite3_bind_null(self.stmt.as_ptr(), param(i)?) })
    }

    /// A shared value, which lives as long as the whole run.
    fn bind_shared(&mut self, i: usize, value: &ToSqlOutput<'_>) -> rusqlite::Result<()> {
        let value = match value {
            ToSqlOutput::Borrowed(v) => *v,
            ToSqlOutput::Owned(v) => ValueRef::from(v),
            _ => return Err(rusqlite::Error::InvalidQuery),
        };
        match value {
            ValueRef::Null => self.bind_null(i),
            ValueRef::Integer(n) => self.bind_int(i, n),
            ValueRef::Real(x) => self.check(unsafe { ffi::sqlite3_bind_double(self.stmt.as_ptr(), param(i)?, x) }),
            ValueRef::Text(t) => {
                let text = std::str::from_utf8(t).map_err(|_| rusqlite::Error::InvalidQuery)?;
                self.bind_static(i, text)
            }
            ValueRef::Blob(_) => Err(rusqlite::Error::InvalidQuery),
        }
    }

    /// Steps the statement to its end, then resets it and clears its bindings; the rows changed.
    fn execute(&mut self) -> rusqlite::Result<usize> {
        let rc = unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) };
        let stepped = if rc == ffi::SQLITE_DONE {
            Ok(usize::try_from(unsafe { ffi::sqlite3_changes64(self.db) }).unwrap_or(0))
        } else {
            Err(failure(self.db, rc))
        };
        self.clear();
        stepped
    }

    /// Resets the statement and clears its bindings: afterwards it points at no text of a run.
    fn clear(&mut self) {
        unsafe {
            ffi::sqlite3_reset(self.stmt.as_ptr());
            ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
        }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

fn param(i: usize) -> rusqlite::Result<c_int> {
    c_int::try_from(i).map_err(|_| rusqlite::Error::InvalidParameterCount(i, c_int::MAX as usize))
}

/// The error SQLite reports for the connection, as rusqlite reports it.
fn failure(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    // The connection's extended code, unless it is stale (another primary code than `rc`'s).
    let code = unsafe { ffi::sqlite3_extended_errcode(db) };
    let code = if code & 0xff == rc & 0xff { code } else { rc };
    let message = unsafe { std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(db)) }.to_string_lossy().into_owned();
    rusqlite::Error::SqliteFailure(ffi::Error::new(code), Some(message))
}

/// One row's parameters of an [`Insert`], numbered from 0 within the row. A text is bound where
/// it lies ([`Row::text`], borrowed from the item for the whole run), moved into the run
/// ([`Row::text_owned`]), or copied ([`Row::text_copy`]).
pub(crate) struct Row<'r, 'a> {
    stmt: &'r mut Statement,
    first: usize,
    owned: &'r mut Vec<String>,
    /// What [`Row::text`] binds lives this long (the run's items).
    items: PhantomData<&'a str>,
}

impl<'a> Row<'_, 'a> {
    pub(crate) fn text(&mut self, k: usize, text: &'a str) -> rusqlite::Result<()> {
        self.stmt.bind_static(self.first + k, text)
    }

    /// A text made for this row: kept (its bytes do not move) until the statement has run.
    pub(crate) fn text_owned(&mut self, k: usize, text: String) -> rusqlite::Result<()> {
        self.owned.push(text);
        let text = self.owned.last().map_or("", String::as_str);
        self.stmt.bind_static(self.first + k, text)
    }

    pub(crate) fn text_copy(&mut self, k: usize, text: &str) -> rusqlite::Result<()> {
        self.stmt.bind_copy(self.first + k, text)
    }

    pub(crate) fn int(&mut self, k: usize, value: i64) -> rusqlite::Result<()> {
        self.stmt.bind_int(self.first + k, value)
    }

    pub(crate) fn opt_int(&mut self, k: usize, value: Option<i64>) -> rusqlite::Result<()> {
        match value {
            Some(v) => self.int(k, v),
            None => self.stmt.bind_null(self.first + k),
        }
    }
}

/// A time as stored ([`ts`](crate::row::ts)), written once for a run of rows at the same time
/// (a batch's rows mostly are).
#[derive(Default)]
pub(crate) struct Times {
    last: Option<(DateTime<Utc>, String)>,
}

impl Times {
    pub(crate) fn ts(&mut self, at: DateTime<Utc>) -> &str {
        match &self.last {
            Some((t, _)) if *t == at => {}
            _ => self.last = Some((at, crate::row::ts(at))),
        }
        self.last.as_ref().map_or("", |(_, text)| text.as_str())
    }
}

/// The rowids SQLite gave the `rows` rows of a multi-row insert into `table` that names no rowid:
/// `first` onwards, where `first` is the table's largest rowid + 1 read in the same transaction
/// before it. SQLite gives a row inserted without one "one larger than the largest ROWID in the
/// table prior to the insert" (<https://sqlite.org/autoinc.html>; `table` must not be
/// `AUTOINCREMENT`). Naming the rowid instead makes SQLite search the table for a row that has it,
/// row after row: 4.1% of a 100,000-row intake's instructions (BENCHMARKS.md, "The tenth
/// round").
///
/// Checked, not assumed: `stored` (the rows the insert reports) must be `rows` and the last row
/// inserted must have the rowid `first + rows - 1`, or this is an internal error and the
/// transaction keeps nothing (SQLite would pick rowids at random past `i64::MAX`, and `first`
/// cannot be read there).
pub(crate) fn expect_rowids(
    conn: &Connection,
    first: i64,
    stored: usize,
    rows: usize,
    table: &str,
) -> crew_core::error::Result<std::ops::Range<i64>> {
    let end = i64::try_from(rows).ok().and_then(|n| first.checked_add(n));
    let last = conn.last_insert_rowid();
    match end {
        Some(end) if stored == rows && (rows == 0 || last == end - 1) => Ok(first..end),
        _ => Err(crew_core::error::Error::internal(format!(
            "{table}: {stored} of {rows} rows stored, the last with the rowid {last}, not {first} onwards"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_number_their_own_parameters_after_the_shared_ones() {
        assert_eq!(
            values("INSERT INTO t (a, b, c) VALUES ", "(#, #, ?1)", 1, 2),
            "INSERT INTO t (a, b, c) VALUES (?2, ?3, ?1), (?4, ?5, ?1)"
        );
        assert_eq!(values("X ", "(#)", 0, 3), "X (?1), (?2), (?3)");
        assert_eq!((first_param(1, 2, 0), first_param(1, 2, 1)), (2, 4));
    }

    #[test]
    fn an_insert_runs_over_full_and_partial_chunks_in_order_with_the_shared_parameters() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, sq INTEGER, tag TEXT)").unwrap();
        let tag = "x".to_string();
        let insert =
            Insert { head: "INSERT INTO t (n, sq, tag) VALUES ", row: "(#, #, ?1)", tail: "", shared: &[&tag] };
        for count in [0, 1, ROWS - 1, ROWS, ROWS + 1, 2 * ROWS + 7] {
            conn.execute("DELETE FROM t", []).unwrap();
            let items: Vec<i64> = (1..=count as i64).collect();
            let changed = insert
                .run(&conn, &mut Statements::default(), &items, |row, n| {
                    row.int(0, *n)?;
                    row.int(1, n * n)
                })
                .unwrap();
            assert_eq!(changed, count);
            let rows: Vec<(i64, i64, String)> = conn
                .prepare("SELECT n, sq, tag FROM t ORDER BY rowid")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let want: Vec<(i64, i64, String)> = items.iter().map(|n| (*n, n * n, tag.clone())).collect();
            assert_eq!(rows, want, "{count} rows");
        }
        let ignoring = Insert { tail: " ON CONFLICT (n) DO NOTHING", ..insert };
        assert_eq!(
            ignoring
                .run(&conn, &mut Statements::default(), &[1i64, 3 * ROWS as i64], |row, n| {
                    row.int(0, *n)?;
                    row.int(1, 0)
                })
                .unwrap(),
            1
        );
    }

    /// Texts bound where they lie, moved into the run or copied, and the shared parameters, come
    /// back as given over full and partial chunks (the owned texts of one chunk are gone before
    /// the next is bound); NULLs and numbers too.
    #[test]
    fn texts_bound_without_copies_are_stored_as_given() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (n INTEGER PRIMARY KEY, a TEXT, b TEXT NOT NULL, c TEXT NOT NULL, d INTEGER, tag TEXT)",
        )
        .unwrap();
        let tag = String::from("shared tag");
        let insert = Insert {
            head: "INSERT INTO t (n, a, b, c, d, tag) VALUES ",
            row: "(#, #, #, #, #, ?1)",
            tail: "",
            shared: &[&tag],
        };
        let items: Vec<(i64, String)> = (1..=(2 * ROWS as i64 + 3))
            .map(|n| (n, if n % 7 == 0 { String::new() } else { format!("é{n}") }))
            .collect();
        let changed = insert
            .run(&conn, &mut Statements::default(), &items, |row, (n, text)| {
                row.int(0, *n)?;
                row.text(1, text)?;
                row.text_owned(2, format!("owned {n} {}", "x".repeat(*n as usize % 50)))?;
                let copied = format!("copied {n}");
                row.text_copy(3, &copied)?;
                row.opt_int(4, (n % 2 == 0).then_some(n * 10))
            })
            .unwrap();
        assert_eq!(changed, items.len());
        let rows: Vec<(i64, String, String, String, Option<i64>, String)> = conn
            .prepare("SELECT n, a, b, c, d, tag FROM t ORDER BY n")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let want: Vec<(i64, String, String, String, Option<i64>, String)> = items
            .iter()
            .map(|(n, text)| {
                (
                    *n,
                    text.clone(),
                    format!("owned {n} {}", "x".repeat(*n as usize % 50)),
                    format!("copied {n}"),
                    (n % 2 == 0).then_some(n * 10),
                    tag.clone(),
                )
            })
            .collect();
        assert_eq!(rows, want);
    }

    /// Rows inserted without a rowid get the largest so far + 1, one after another, across
    /// statements and past a gap; where SQLite would give others (an `AUTOINCREMENT` table whose
    /// largest row was deleted) or not every row was stored, the check refuses.
    #[test]
    fn rows_inserted_without_a_rowid_get_the_next_ones_or_the_check_refuses() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL);
             INSERT INTO t (n, s) VALUES (1, 'a'), (2, 'b'), (7, 'c');
             CREATE TABLE u (n INTEGER PRIMARY KEY AUTOINCREMENT, s TEXT NOT NULL);
             INSERT INTO u (s) VALUES ('a'), ('b'), ('c'); DELETE FROM u WHERE n = 3;",
        )
        .unwrap();
        let next = |table: &str| -> i64 {
            conn.query_row(&format!("SELECT coalesce(max(n), 0) + 1 FROM {table}"), [], |r| r.get(0)).unwrap()
        };
        let items: Vec<String> = (0..ROWS + 3).map(|i| format!("row {i}")).collect();
        let mut statements = Statements::default();
        let first = next("t");
        let insert = Insert { head: "INSERT INTO t (s) VALUES ", row: "(#)", tail: "", shared: &[] };
        let stored = insert.run(&conn, &mut statements, &items, |row, s| row.text(0, s)).unwrap();
        let ids = expect_rowids(&conn, first, stored, items.len(), "t").unwrap();
        assert_eq!(ids, 8..8 + items.len() as i64);
        let kept: Vec<(i64, String)> = conn
            .prepare("SELECT n, s FROM t WHERE n >= 8 ORDER BY n")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(kept, ids.zip(items.iter().cloned()).collect::<Vec<_>>());
        // Fewer rows stored than given: refused.
        let e = expect_rowids(&conn, first, items.len() - 1, items.len(), "t").unwrap_err();
        assert!(e.message.contains("t: 502 of 503 rows stored"), "{}", e.message);
        // AUTOINCREMENT never reuses 3: the rows are not where max + 1 says.
        let first = next("u");
        let insert = Insert { head: "INSERT INTO u (s) VALUES ", row: "(#)", tail: "", shared: &[] };
        let stored = insert.run(&conn, &mut statements, &items[..2], |row, s| row.text(0, s)).unwrap();
        let e = expect_rowids(&conn, first, stored, 2, "u").unwrap_err();
        assert!(e.message.contains("the last with the rowid 5, not 3 onwards"), "{}", e.message);
    }

    /// A row the table refuses fails the statement with SQLite's own error (a constraint, as
    /// rusqlite would report it), and the statement's earlier rows are not kept.
    #[test]
    fn a_refused_row_fails_the_run_with_sqlites_error() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE)").unwrap();
        let insert = Insert { head: "INSERT INTO t (n, s) VALUES ", row: "(#, #)", tail: "", shared: &[] };
        let items: Vec<(i64, &str)> = vec![(1, "a"), (2, "b"), (3, "a")];
        let e = insert.run(&conn, &mut Statements::default(), &items, |row, (n, s)| {
            row.int(0, *n)?;
            row.text(1, s)
        });
        match e {
            Err(rusqlite::Error::SqliteFailure(f, Some(message))) => {
                assert_eq!(f.code, rusqlite::ErrorCode::ConstraintViolation);
                assert!(message.contains("UNIQUE constraint failed: t.s"), "{message}");
            }
            other => panic!("expected a constraint failure, got {other:?}"),
        }
        let count: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 0, "the failed statement left nothing");
    }

    /// A run whose binding fails part-way stores nothing and leaves its kept statement bound to
    /// nothing of its own: the next run on the same statements stores exactly its own rows.
    #[test]
    fn a_binding_that_fails_leaves_the_kept_statement_clean() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL)").unwrap();
        let mut statements = Statements::default();
        let insert = Insert { head: "INSERT INTO t (n, s) VALUES ", row: "(#, #)", tail: "", shared: &[] };
        let items: Vec<i64> = (1..=5).collect();
        let failed = insert.run(&conn, &mut statements, &items, |row, n| {
            row.int(0, *n)?;
            if *n == 4 {
                return Err(rusqlite::Error::InvalidQuery);
            }
            row.text_owned(1, format!("first run {n}"))
        });
        assert!(failed.is_err());
        let count: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 0);
        insert
            .run(&conn, &mut statements, &items, |row, n| {
                row.int(0, *n)?;
                row.text_owned(1, format!("second run {n}"))
            })
            .unwrap();
        let texts: Vec<String> = conn
            .prepare("SELECT s FROM t ORDER BY n")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(texts, (1..=5).map(|n| format!("second run {n}")).collect::<Vec<_>>());
    }

    /// A panic in the binding (a bug) unwinds through the run: the kept statement is reset with
    /// its bindings cleared before the run's texts are dropped, so it points at none of them, and
    /// the next run stores its own rows.
    #[test]
    fn a_panic_while_binding_leaves_the_kept_statement_bound_to_nothing() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL)").unwrap();
        let mut statements = Statements::default();
        let insert = Insert { head: "INSERT INTO t (n, s) VALUES ", row: "(#, #)", tail: "", shared: &[] };
        let items: Vec<i64> = (1..=3).collect();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            insert.run(&conn, &mut statements, &items, |row, n| {
                row.int(0, *n)?;
                row.text_owned(1, format!("panicking run {n}"))?;
                assert!(*n < 3, "a bug while binding row {n}");
                Ok(())
            })
        }));
        assert!(unwound.is_err());
        for kept in statements.0.values() {
            let sql = unsafe { ffi::sqlite3_expanded_sql(kept.stmt.as_ptr()) };
            let text = unsafe { std::ffi::CStr::from_ptr(sql) }.to_string_lossy().into_owned();
            unsafe { ffi::sqlite3_free(sql.cast()) };
            assert!(!text.contains("panicking run"), "{text}");
            assert!(text.contains("(NULL, NULL)"), "{text}");
            assert_eq!(unsafe { ffi::sqlite3_stmt_busy(kept.stmt.as_ptr()) }, 0);
        }
        insert
            .run(&conn, &mut statements, &items, |row, n| {
                row.int(0, *n)?;
                row.text_owned(1, format!("next run {n}"))
            })
            .unwrap();
        let texts: Vec<String> = conn
            .prepare("SELECT s FROM t ORDER BY n")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(texts, (1..=3).map(|n| format!("next run {n}")).collect::<Vec<_>>());
    }

    /// Statements kept for one connection are not run on another: the same `Statements` used
    /// with a second connection prepares there and stores there.
    #[test]
    fn a_kept_statement_runs_only_on_its_own_connection() {
        let (one, two) = (Connection::open_in_memory().unwrap(), Connection::open_in_memory().unwrap());
        for conn in [&one, &two] {
            conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)").unwrap();
        }
        let mut statements = Statements::default();
        let insert = Insert { head: "INSERT INTO t (n) VALUES ", row: "(#)", tail: "", shared: &[] };
        insert.run(&one, &mut statements, &[1i64, 2], |row, n| row.int(0, *n)).unwrap();
        insert.run(&two, &mut statements, &[3i64, 4], |row, n| row.int(0, *n)).unwrap();
        let rows = |conn: &Connection| -> Vec<i64> {
            conn.prepare("SELECT n FROM t ORDER BY n")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!((rows(&one), rows(&two)), (vec![1, 2], vec![3, 4]));
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 100, 32_766, usize::MAX] {
            let mut out = String::from("?");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("?{n}"));
        }
    }

    /// One statement per insert and row count, however many runs: the second run prepares
    /// nothing, and an insert with other text gets its own.
    #[test]
    fn statements_are_prepared_once_per_insert_and_row_count() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT)").unwrap();
        let mut statements = Statements::default();
        let insert = Insert { head: "INSERT INTO t (n, s) VALUES ", row: "(#, 'x')", tail: "", shared: &[] };
        let items: Vec<i64> = (1..=(2 * ROWS as i64 + 7)).collect();
        insert.run(&conn, &mut statements, &items, |row, n| row.int(0, *n)).unwrap();
        assert_eq!(statements.0.len(), 2, "a full chunk's and the last chunk's");
        let more: Vec<i64> = items.iter().map(|n| n + 10 * ROWS as i64).collect();
        insert.run(&conn, &mut statements, &more, |row, n| row.int(0, *n)).unwrap();
        assert_eq!(statements.0.len(), 2);
        let other = Insert { row: "(#, 'y')", ..insert };
        other.run(&conn, &mut statements, &[100 * ROWS as i64], |row, n| row.int(0, *n)).unwrap();
        assert_eq!(statements.0.len(), 3);
        let counts: (i64, i64) =
            conn.query_row("SELECT count(*), sum(s = 'y') FROM t", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(counts, (2 * items.len() as i64 + 1, 1));
    }

    #[test]
    fn a_run_of_rows_at_one_time_is_written_once_each_time_the_time_changes() {
        let at = |s: i64| DateTime::<Utc>::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let mut times = Times::default();
        for s in [0, 0, 5, 5, 0] {
            assert_eq!(times.ts(at(s)), crate::row::ts(at(s)));
        }
    }
}
