//! Many rows in one statement: a multi-row `INSERT … VALUES (…), (…), …`, for the commands that
//! store thousands of rows at once (the intake: BENCHMARKS.md, "Intake"). One statement per
//! [`ROWS`] rows rather than one per row: SQLite compiles, binds and steps it once.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use rusqlite::{CachedStatement, Connection, Statement, ToSql};

/// Rows per statement. Each row binds a handful of parameters, far below SQLite's limit (32,766).
pub(crate) const ROWS: usize = 100;

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
                // Written in place (a String per number was 1% of a large intake).
                let _ = write!(sql, "?{n}");
            }
            sql.push_str(part);
        }
    }
    sql
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

impl Insert<'_> {
    /// Runs the statement over `items`, [`ROWS`] at a time, `bind` binding each item's own
    /// parameters from the number it is given; returns the rows changed. The statement for a
    /// full chunk is written and prepared once per call, not once per chunk (writing and looking
    /// up 100 rows' SQL per chunk was a few percent of a large intake).
    pub(crate) fn run<T>(
        &self,
        conn: &Connection,
        items: &[T],
        mut bind: impl FnMut(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
    ) -> rusqlite::Result<usize> {
        let per_row = self.row.matches('#').count();
        let sql = |rows: usize| format!("{}{}", values(self.head, self.row, self.shared.len(), rows), self.tail);
        let mut full: Option<CachedStatement<'_>> = None;
        let mut changed = 0;
        for chunk in items.chunks(ROWS) {
            let mut partial;
            let stmt = if chunk.len() == ROWS {
                match &mut full {
                    Some(stmt) => stmt,
                    None => full.insert(conn.prepare_cached(&sql(ROWS))?),
                }
            } else {
                partial = conn.prepare_cached(&sql(chunk.len()))?;
                &mut partial
            };
            for (i, value) in self.shared.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, value)?;
            }
            for (r, item) in chunk.iter().enumerate() {
                bind(stmt, first_param(self.shared.len(), per_row, r), item)?;
            }
            changed += stmt.raw_execute()?;
        }
        Ok(changed)
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
                .run(&conn, &items, |stmt, p, n| {
                    stmt.raw_bind_parameter(p, n)?;
                    stmt.raw_bind_parameter(p + 1, n * n)
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
                .run(&conn, &[1i64, 500], |s, p, n| {
                    s.raw_bind_parameter(p, n)?;
                    s.raw_bind_parameter(p + 1, 0)
                })
                .unwrap(),
            1
        );
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
