//! SQLite's memory through mimalloc (`crew_store::use_mimalloc`), in a process of its own: the
//! setting is process-wide and only taken before SQLite initialises, so this file holds one test.

use rusqlite::{Connection, ffi};

#[test]
fn sqlite_takes_mimalloc_before_it_starts_and_keeps_working() {
    assert!(crew_store::use_mimalloc(), "taken before the first connection");
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT NOT NULL)").unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    {
        let mut insert = tx.prepare("INSERT INTO t (s) VALUES (?1)").unwrap();
        for n in 0..20_000 {
            insert.execute([format!("row {n} {}", "x".repeat(n % 300))]).unwrap();
        }
    }
    tx.commit().unwrap();
    let (count, total): (i64, i64) =
        conn.query_row("SELECT count(*), sum(length(s)) FROM t", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(count, 20_000);
    let want: i64 = (0..20_000).map(|n: i64| format!("row {n} ").len() as i64 + n % 300).sum();
    assert_eq!(total, want);
    // Memory statistics are off: SQLite counts nothing.
    assert_eq!(unsafe { ffi::sqlite3_memory_used() }, 0);
    // Once SQLite has started, the setting is refused and nothing changes.
    assert!(!crew_store::use_mimalloc());
}
