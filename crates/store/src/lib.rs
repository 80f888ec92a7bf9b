//! crew's SQLite store: the one crate with SQL in it.
//!
//! Opens the database in WAL mode with foreign keys on, applies forward-only migrations, and runs
//! every write in a `BEGIN IMMEDIATE` transaction under a busy timeout, so that concurrent `crew`
//! processes queue instead of failing with "database is locked".
//!
//! One file per context implements that context's storage traits over [`row::SqliteTx`], plus
//! the event log (`events.rs`); `row.rs` holds what they share.

#[cfg(test)]
mod contract;
mod events;
mod hiring;
mod iam;
mod mail;
mod matching;
mod migrate;
mod ordering;
mod row;
mod settings;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use crew_core::error::{Error, Result};
use crew_core::wiring::{Store, Tx};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use migrate::SCHEMA_VERSION;

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A crew database in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Creates the database file (and applies migrations). Refuses if it already holds tables.
    pub fn create(path: &Path) -> Result<Self> {
        // Claim the file atomically: of two processes creating the same database, one wins and
        // the other is refused without touching it.
        match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::conflict(format!(
                    "{} already exists; crew init makes a new database",
                    path.display()
                )));
            }
            Err(e) => return Err(Error::bad_input(format!("cannot create database {}: {e}", path.display()))),
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::bad_input(format!("cannot create database {}: {e}", path.display())))?;
        Self::setup(conn)
    }

    /// Opens an existing database, applying any migrations it lacks.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::not_found(format!(
                "no crew database at {} (create one with `crew init`, or point --db / CREW_DB at it)",
                path.display()
            )));
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| Error::bad_input(format!("cannot open database {}: {e}", path.display())))?;
        Self::setup(conn)
    }

    /// A private database in memory, for tests.
    pub fn in_memory() -> Result<Self> {
        Self::setup(Connection::open_in_memory().map_err(row::internal)?)
    }

    fn setup(mut conn: Connection) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(row::internal)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| Error::bad_input(format!("not a usable SQLite database: {e}")))?;
        if mode != "wal" && mode != "memory" {
            return Err(Error::internal(format!("could not switch the database to WAL (it is in {mode} mode)")));
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(row::internal)?;
        migrate::apply(&mut conn)?;
        Ok(SqliteStore { conn })
    }

    fn run<R>(&mut self, behavior: TransactionBehavior, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        let tx = self.conn.transaction_with_behavior(behavior).map_err(row::internal)?;
        let out = f(&mut row::SqliteTx::new(&tx))?;
        tx.commit().map_err(row::internal)?;
        Ok(out)
    }
}

impl Store for SqliteStore {
    fn write<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.run(TransactionBehavior::Immediate, f)
    }

    fn read<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.run(TransactionBehavior::Deferred, f)
    }

    fn rehearse<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(row::internal)?;
        let out = f(&mut row::SqliteTx::new(&tx))?;
        tx.rollback().map_err(row::internal)?;
        Ok(out)
    }
}
