//! Many rows in one statement: a multi-row `INSERT … VALUES (…), (…), …`, for the commands that
//! store thousands of rows at once (the intake: BENCHMARKS.md, "Intake"). One statement per
//! [`ROWS`] rows rather than one per row: SQLite compiles, binds and steps it once.

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
                sql.push('?');
                sql.push_str(&n.to_string());
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
}
