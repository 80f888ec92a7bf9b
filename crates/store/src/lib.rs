//! crew's SQLite store: the one crate with SQL in it.
//!
//! Opens the database in WAL mode with foreign keys on, applies forward-only migrations, and runs
//! every write in a `BEGIN IMMEDIATE` transaction under a busy timeout, so that concurrent `crew`
//! processes queue instead of failing with "database is locked".
//!
//! One file per context implements that context's storage traits over [`row::SqliteTx`], plus
//! the event log (`events.rs`); `row.rs` holds what they share; `database_file.rs` knows the
//! database as a file (is it crew's, may it be changed, what went wrong on the disk).

mod batch;
mod bets;
mod billing;
mod clashes;
#[cfg(test)]
mod contract;
pub mod copy;
mod database_file;
mod events;
mod hiring;
mod iam;
mod mail;
mod matching;
mod memory;
mod migrate;
mod ordering;
pub mod postgres;
mod quality;
mod row;
mod settings;
mod supplies;
#[cfg(test)]
mod tests;
mod writeback;

use std::fs;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crew_core::error::{Error, Result};
use crew_core::wiring::{Store, Tx};
use database_file::{Identity, environment, not_crew};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use clashes::IdentityClash;
pub use memory::use_mimalloc;
pub use migrate::{SCHEMA_VERSION, write_old_schema};
pub use postgres::{PostgresStore, PostgresTarget, is_postgres_url};

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The page size, in bytes, of the SQLite databases crew creates (`crew init`, `crew db copy`);
/// a database keeps the page size it was created with. SQLite's default is 4096: with 16 KiB
/// pages SQLite alone stores a 100,000-row intake's rows with about a fifth less CPU (fewer,
/// larger writes to the log, shallower b-trees; BENCHMARKS.md, "Intake").
pub const PAGE_SIZE: u32 = 16384;

/// The mode of a database crew creates (and so of its `-wal` and `-shm`, which SQLite creates
/// with the database's mode): readable and writable by its owner alone, whatever the umask.
pub const DATABASE_MODE: u32 = 0o600;

/// Turns on SQLite's query planner stability guarantee (QPSG): a statement's plan never depends
/// on the values bound to it.
///
/// Without it, SQLite marks a statement whose plan *might* depend on a bound value (an `x = ?1`
/// term the chosen index does not use, a `LIMIT ?2`) to be recompiled whenever that value is
/// rebound, and rusqlite's statement cache clears the bindings of every statement it takes back,
/// which counts as a rebinding: such a statement was parsed and planned again on every use
/// (`sqlite3Reprepare`, 18% of a 10,000-assignment `crew matching run`: BENCHMARKS.md, "Matching in
/// time"). crew keeps no planner statistics (it never runs `ANALYZE` on SQLite) and its `LIKE`
/// patterns cannot use its BINARY indexes, so bound values told the planner next to nothing
/// (whether an `x = ?` is 0 or 1, the number in a `LIMIT ?`). Results never depend on the plan.
fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).map(|_| ())
}

/// A crew database in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
    /// The file, for messages (`None` in memory).
    path: Option<PathBuf>,
    /// Why changes are refused, when the database was opened for reading only.
    read_only: Option<String>,
}

impl SqliteStore {
    /// Creates a crew database in a new file (pages of [`PAGE_SIZE`] bytes), or in an existing empty one (mode 0600 either way),
    /// and applies every migration. Refuses anything else at `path` without changing it.
    pub fn create(path: &Path) -> Result<Self> {
        // Claim the file atomically: of two processes creating the same database, one wins and
        // the other is refused without touching it.
        let claimed = fs::OpenOptions::new().write(true).create_new(true).mode(DATABASE_MODE).open(path);
        let file = match claimed {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::claim_empty(path)?,
            Err(e) => {
                return Err(Error::internal(format!("cannot create the database {}: {e}", path.display())));
            }
        };
        // The file is this process's to make a database of only while it holds the file's lock
        // (an advisory lock, apart from SQLite's own): a second `crew init` that found the file
        // still empty (created a moment ago by the first) is refused instead of making it too —
        // both did, and one failed on SQLite's lock with an internal error. Held until made.
        let creating = Self::lock_for_creation(file, path)?;
        // The mode given at creation is masked by the umask; set it exactly.
        creating
            .set_permissions(fs::Permissions::from_mode(DATABASE_MODE))
            .map_err(|e| Error::internal(format!("cannot make the database {} private: {e}", path.display())))?;
        let mut conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| environment(path, &e))?;
        // Set while the file is still empty: WAL fixes a database's page size once it exists.
        conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE};")).map_err(|e| environment(path, &e))?;
        Self::configure(&conn, path)?;
        stable_plans(&conn).map_err(|e| environment(path, &e))?;
        migrate::create(&mut conn).map_err(|e| database_file::locate(path, e))?;
        // Closing any descriptor of a file drops every POSIX lock the process holds on it, and
        // SQLite's connection holds one on the database for as long as it is open
        // (<https://sqlite.org/howtocorrupt.html>, 2.2): the connection is closed before the
        // creation's descriptor, and opened again (test
        // `a_write_keeps_the_connections_lock_on_the_database`). It lost its lock, and ran
        // unprotected for the rest of `crew init`, when the descriptor was closed under it.
        drop(conn);
        drop(creating);
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| environment(path, &e))?;
        Self::configure(&conn, path)?;
        stable_plans(&conn).map_err(|e| environment(path, &e))?;
        Ok(SqliteStore { conn, path: Some(path.to_path_buf()), read_only: None })
    }

    /// Takes the lock of a file about to become a database, and checks it is still empty: another
    /// process holding it, or a file no longer empty, is a conflict (exit 5), and nothing is
    /// changed.
    fn lock_for_creation(file: fs::File, path: &Path) -> Result<fs::File> {
        let taken = || Error::conflict(format!("{} already exists; crew init makes a new database", path.display()));
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(taken()),
            Err(fs::TryLockError::Error(e)) => {
                return Err(Error::internal(format!("cannot lock the new database {}: {e}", path.display())));
            }
        }
        let len = file
            .metadata()
            .map_err(|e| Error::internal(format!("cannot create the database {}: {e}", path.display())))?
            .len();
        if len > 0 {
            return Err(taken());
        }
        Ok(file)
    }

    /// An existing file may become a database only if it is a regular, empty file.
    fn claim_empty(path: &Path) -> Result<fs::File> {
        let meta = fs::metadata(path)
            .map_err(|e| Error::internal(format!("cannot create the database {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(Error::bad_input(format!(
                "{} is {}; crew init makes a database in a new or empty file",
                path.display(),
                database_file::kind_of(&meta.file_type())
            )));
        }
        if meta.len() > 0 {
            return Err(Error::conflict(format!("{} already exists; crew init makes a new database", path.display())));
        }
        fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::internal(format!("cannot create the database {}: {e}", path.display())))
    }

    /// Opens an existing crew database, applying any migrations it lacks.
    ///
    /// Refused, with nothing changed: a missing file (exit 1); a folder, FIFO or device, an empty
    /// file, a file that is not SQLite, another program's SQLite database and a database of a newer
    /// crew ("not a crew database", exit 2). A database this process may not change (a read-only
    /// file or folder, a full disk) is opened for reading only: queries work, and every change is
    /// refused naming the reason (exit 1).
    pub fn open(path: &Path) -> Result<Self> {
        database_file::probe(path)?;
        let mut read_only = database_file::why_read_only(path);
        let mut conn = None;
        if read_only.is_none() {
            let rw =
                Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                    .map_err(|e| environment(path, &e))?;
            rw.busy_timeout(BUSY_TIMEOUT).map_err(|e| environment(path, &e))?;
            match database_file::identify(&rw) {
                Ok(identity) => conn = Some((rw, identity)),
                // A full disk cannot hold the `-shm` SQLite needs even to read; read without it.
                Err(e) => match database_file::disk_full(path) {
                    Some(full) => read_only = Some(full),
                    None => return Err(environment(path, &e)),
                },
            }
        }
        let (mut conn, identity) = match conn {
            Some(opened) => opened,
            None => {
                let ro = database_file::open_read_only(path)?;
                ro.busy_timeout(BUSY_TIMEOUT).map_err(|e| environment(path, &e))?;
                let identity = database_file::identify(&ro).map_err(|e| environment(path, &e))?;
                (ro, identity)
            }
        };
        stable_plans(&conn).map_err(|e| environment(path, &e))?;
        let version = match identity {
            Identity::Crew(version) => version,
            Identity::Empty => return Err(not_crew(path, "it is an empty SQLite database (no crew tables)")),
            Identity::Foreign(why) => return Err(not_crew(path, why)),
        };
        if version > SCHEMA_VERSION {
            return Err(Error::bad_input(format!(
                "{} is not a crew database this crew can use: its schema version {version} is from a newer crew \
                 (this one knows up to {SCHEMA_VERSION}); upgrade crew",
                path.display()
            )));
        }
        match &read_only {
            None => {
                Self::configure(&conn, path)?;
                migrate::apply(&mut conn).map_err(|e| database_file::locate(path, e))?;
            }
            Some(why) if version < SCHEMA_VERSION => {
                return Err(Error::internal(format!(
                    "the database {} needs upgrading to schema version {SCHEMA_VERSION} (it is at {version}), \
                     but cannot be changed: {why}",
                    path.display()
                )));
            }
            Some(_) => {}
        }
        Ok(SqliteStore { conn, path: Some(path.to_path_buf()), read_only })
    }

    /// A private database in memory, for tests.
    pub fn in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory().map_err(row::internal)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(row::internal)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(row::internal)?;
        stable_plans(&conn).map_err(row::internal)?;
        migrate::create(&mut conn)?;
        Ok(SqliteStore { conn, path: None, read_only: None })
    }

    /// Why changes are refused, if this database was opened for reading only.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// WAL (so readers never wait for the writer), `synchronous=NORMAL`, foreign keys, and the busy
    /// timeout on a connection that may write.
    fn configure(conn: &Connection, path: &Path) -> Result<()> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| environment(path, &e))?;
        let mode: String =
            conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(|e| environment(path, &e))?;
        if mode != "wal" {
            let mode: String =
                conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| environment(path, &e))?;
            if mode != "wal" {
                return Err(Error::internal(format!(
                    "could not switch the database {} to WAL (it is in {mode} mode)",
                    path.display()
                )));
            }
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| environment(path, &e))?;
        // Statement journals and savepoints (one per ledger entry) in memory rather than spilled to
        // a temporary file: a tenth of a 10,000-collection close-week was their writes
        // (BENCHMARKS.md, billing).
        conn.execute_batch("PRAGMA temp_store = MEMORY;").map_err(|e| environment(path, &e))?;
        // A page cache of 8 MiB rather than SQLite's 2 MiB (125 pages of crew's 16 KiB): a large
        // write's pages that do not fit are written to the WAL and read back when touched again,
        // and the unique index on the applicants' emails, written all over, outgrows 2 MiB at
        // 70,000 applications. For a 100,000-row intake 3,600 pages fewer written and read back
        // (BENCHMARKS.md, "The tenth round"); 16 MiB saved no more.
        conn.execute_batch("PRAGMA cache_size = -8192;").map_err(|e| environment(path, &e))
    }

    /// Refuses a change up front on a database opened for reading only.
    fn writable(&self) -> Result<()> {
        match (&self.read_only, &self.path) {
            (Some(why), Some(path)) => Err(Error::internal(format!(
                "cannot change the database {}: {why} (commands that only read still work)",
                path.display()
            ))),
            _ => Ok(()),
        }
    }

    fn run<R>(&mut self, behavior: TransactionBehavior, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        let tx = self.conn.transaction_with_behavior(behavior).map_err(|e| environment_of(&self.path, e))?;
        let out = f(&mut row::SqliteTx::new(&tx)).map_err(|e| locate_of(&self.path, e))?;
        tx.commit().map_err(|e| environment_of(&self.path, e))?;
        Ok(out)
    }
}

fn environment_of(path: &Option<PathBuf>, e: rusqlite::Error) -> Error {
    match path {
        Some(path) => environment(path, &e),
        None => row::internal(e),
    }
}

fn locate_of(path: &Option<PathBuf>, e: Error) -> Error {
    match path {
        Some(path) => database_file::locate(path, e),
        None => e,
    }
}

impl Store for SqliteStore {
    fn write<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.writable()?;
        // A long write's pages go to the disk while it runs, not all at its commit's `fsync`s.
        let _writeback = writeback::Writeback::start(writeback::descriptors_of(&self.conn));
        self.run(TransactionBehavior::Immediate, f)
    }

    fn read<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.run(TransactionBehavior::Deferred, f)
    }

    fn rehearse<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| environment_of(&self.path, e))?;
        let out = f(&mut row::SqliteTx::new(&tx)).map_err(|e| locate_of(&self.path, e))?;
        tx.rollback().map_err(|e| environment_of(&self.path, e))?;
        Ok(out)
    }
}

/// A crew database in either store, chosen by where it is: a `postgres://` (or `postgresql://`)
/// URL selects the PostgreSQL store, anything else is a SQLite file.
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(Box<PostgresStore>),
}

impl Database {
    /// Opens the crew database at `location` (see [`SqliteStore::open`], [`PostgresStore::open`]).
    pub fn open(location: &Path) -> Result<Self> {
        match location.to_str() {
            Some(url) if is_postgres_url(url) => Ok(Database::Postgres(Box::new(PostgresStore::open(url)?))),
            _ => Ok(Database::Sqlite(SqliteStore::open(location)?)),
        }
    }

    /// The identity clashes an admin has not settled yet (see [`IdentityClash`]).
    pub fn identity_clashes(&mut self) -> Result<Vec<IdentityClash>> {
        match self {
            Database::Sqlite(s) => s.identity_clashes(),
            Database::Postgres(s) => s.identity_clashes(),
        }
    }

    /// Whether `location` names a PostgreSQL database.
    pub fn is_postgres(location: &Path) -> bool {
        location.to_str().is_some_and(is_postgres_url)
    }
}

impl Store for Database {
    fn write<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        match self {
            Database::Sqlite(s) => s.write(f),
            Database::Postgres(s) => s.write(f),
        }
    }

    fn read<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        match self {
            Database::Sqlite(s) => s.read(f),
            Database::Postgres(s) => s.read(f),
        }
    }

    fn rehearse<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        match self {
            Database::Sqlite(s) => s.rehearse(f),
            Database::Postgres(s) => s.rehearse(f),
        }
    }
}
