//! The database as a file: is it there, is it a crew database, may this process change it, and
//! what is wrong when SQLite fails (the disk, the permissions, another program's file).
//!
//! Nothing here changes the file: a command refused for any of these reasons leaves no migration,
//! no journal-mode switch and no `-wal`/`-shm` behind.

use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crew_core::error::{Error, ErrorKind};
use rusqlite::{Connection, ErrorCode, OpenFlags};

/// The `application_id` in the header of every database crew creates ("crew" in ASCII), so that
/// crew and other tools can tell its files from other programs' SQLite files.
pub(crate) const APPLICATION_ID: i32 = 0x6372_6577;

/// The tables every crew schema since the first has; a file with a `user_version` but without
/// these is another program's database.
const CREW_TABLES: [&str; 3] = ["accounts", "events", "subscriptions"];

/// What a database file holds, read before anything is changed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    /// A crew database at this schema version.
    Crew(i64),
    /// An SQLite database with no tables and no version (what an empty file becomes).
    Empty,
    /// Another program's database; the reason says how we know.
    Foreign(String),
}

pub(crate) fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    let crew_tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN (?1, ?2, ?3)",
        CREW_TABLES,
        |r| r.get(0),
    )?;
    Ok(match app_id {
        APPLICATION_ID => Identity::Crew(version),
        0 if version >= 1 && crew_tables == CREW_TABLES.len() as i64 => Identity::Crew(version),
        0 if version == 0 && objects == 0 => Identity::Empty,
        0 if version == 0 => Identity::Foreign("it holds another program's tables, none of crew's".into()),
        0 => Identity::Foreign(format!("it has schema version {version} but not crew's tables")),
        other => Identity::Foreign(format!("it belongs to another program (application id {other:#x})")),
    })
}

/// `PATH is not a crew database: why` (exit 2: the user pointed crew at the wrong file).
pub(crate) fn not_crew(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::bad_input(format!("{} is not a crew database: {why}", path.display()))
}

/// Checks, without SQLite, that `path` is a non-empty SQLite file: a missing database, a folder,
/// a FIFO or a device, an empty file and a text file are refused before SQLite opens anything.
pub(crate) fn probe(path: &Path) -> Result<(), Error> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::internal(format!(
                "no crew database at {}; create one with `crew init` (or point --db / CREW_DB at one)",
                path.display()
            )));
        }
        Err(e) => return Err(Error::internal(format!("cannot reach the database {}: {e}", path.display()))),
    };
    if !meta.is_file() {
        return Err(not_crew(path, format!("it is {}", kind_of(&meta.file_type()))));
    }
    if meta.len() == 0 {
        return Err(not_crew(path, "the file is empty (`crew init` makes a database in it)"));
    }
    let mut header = [0u8; 16];
    // Non-blocking: a FIFO swapped in after the check above cannot make the open wait.
    let read = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .and_then(|mut f| f.read_exact(&mut header));
    match read {
        Ok(()) if &header == b"SQLite format 3\0" => Ok(()),
        Ok(()) => Err(not_crew(path, "it is not an SQLite file")),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(not_crew(path, "it is not an SQLite file")),
        Err(e) => Err(Error::internal(format!("cannot read the database {}: {e}", path.display()))),
    }
}

/// "a folder", "a FIFO", … for messages about files that are not regular files.
pub(crate) fn kind_of(t: &fs::FileType) -> &'static str {
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// `crew.db-wal`, `crew.db-shm` beside `crew.db`.
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether this process may write `path` (by its effective ids; `EROFS` on a read-only mount
/// counts as no).
fn writable(path: &Path) -> bool {
    write_access(path) == Access::Writable
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Writable,
    /// The file is not there (any more).
    Missing,
    NotWritable,
}

/// Whether this process may write `path`, and if not, whether that is because it is gone: the
/// `-wal` and `-shm` files come and go with the connections of other processes (the last to close
/// removes them), so one that was there a moment ago may be gone by the time it is asked about.
fn write_access(path: &Path) -> Access {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return Access::NotWritable };
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    if unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) } == 0 {
        return Access::Writable;
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::ENOENT) => Access::Missing,
        _ => Access::NotWritable,
    }
}

/// Bytes free for this process on the file system holding `path`, if it can be asked.
pub(crate) fn free_bytes(path: &Path) -> Option<u64> {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid path and `s` a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    Some(s.f_bavail as u64 * s.f_frsize as u64)
}

/// Below this, a failed write is put down to a full disk.
const NEARLY_FULL: u64 = 1024 * 1024;

/// Why this process cannot change the database at `path`, if it cannot: the file, its `-wal` or
/// `-shm`, or (when those must still be created) its folder is not writable.
pub(crate) fn why_read_only(path: &Path) -> Option<String> {
    if !writable(path) {
        return Some("the file is not writable by you".into());
    }
    let (wal, shm) = (beside(path, "-wal"), beside(path, "-shm"));
    for side in [&wal, &shm] {
        // Asked once, not "exists, then writable": between the two another process's last
        // connection may remove it, and a file that is gone is no reason.
        if write_access(side) == Access::NotWritable {
            return Some(format!("{} is not writable by you", side.display()));
        }
    }
    let folder = folder_of(path);
    let must_create = !wal.exists() || !shm.exists();
    if must_create && !writable(&folder) {
        return Some(format!(
            "its folder {} is not writable, and SQLite's write-ahead log needs {} and {} beside the database",
            folder.display(),
            wal.display(),
            shm.display()
        ));
    }
    None
}

/// Why the disk holding `path` cannot take a write, if it is (nearly) full.
pub(crate) fn disk_full(path: &Path) -> Option<String> {
    let folder = folder_of(path);
    let free = free_bytes(&folder)?;
    (free < NEARLY_FULL).then(|| format!("the disk holding {} is full ({free} bytes free)", folder.display()))
}

/// An SQLite failure on the database at `path`, said as what it is: the environment (exit 1)
/// for permissions, I/O and a full disk; a file that is not a database (exit 2).
pub(crate) fn environment(path: &Path, e: &rusqlite::Error) -> Error {
    let code = e.sqlite_error_code();
    let shown = path.display();
    match code {
        Some(ErrorCode::NotADatabase) => not_crew(path, e),
        Some(ErrorCode::DiskFull) => {
            let folder = folder_of(path);
            let free = free_bytes(&folder).map(|n| format!(" ({n} bytes free)")).unwrap_or_default();
            Error::internal(format!(
                "cannot write the database {shown}: the disk holding {} is full{free}",
                folder.display()
            ))
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            let why = why_read_only(path).or_else(|| disk_full(path)).unwrap_or_else(|| e.to_string());
            Error::internal(format!("cannot change the database {shown}: {why}"))
        }
        Some(ErrorCode::SystemIoFailure) => match disk_full(path) {
            Some(full) => Error::internal(format!("cannot use the database {shown}: {full}")),
            None => Error::internal(format!("cannot use the database {shown}: disk I/O error ({e})")),
        },
        Some(ErrorCode::DatabaseCorrupt) => {
            Error::internal(format!("the database {shown} is damaged ({e}); restore it from a backup"))
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::internal(format!(
            "the database {shown} stayed locked by another process for too long ({e}); try again"
        )),
        _ => Error::internal(format!("database {shown}: {e}")),
    }
}

/// Adds the database's path (and what is wrong with its file, if anything) to an internal
/// database error raised inside a transaction, where only SQLite's words were known.
pub(crate) fn locate(path: &Path, e: Error) -> Error {
    if e.kind != ErrorKind::Internal {
        return e;
    }
    let Some(rest) = e.message.strip_prefix("database: ") else { return e };
    let mut message = format!("database {}: {rest}", path.display());
    if let Some(why) = disk_full(path).or_else(|| why_read_only(path)) {
        message.push_str(&format!(" ({why})"));
    }
    Error::internal(message)
}

/// Opens the database at `path` for reading only, creating nothing beside it. Without a
/// write-ahead log to read (no `-wal`, or an empty one) the file is opened `immutable`: SQLite then
/// needs no `-shm` and takes no locks, which is right for a file nobody can be writing (nobody can
/// without a `-wal`); with a log, the existing `-wal` and `-shm` are read as they are.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection, Error> {
    let wal = beside(path, "-wal");
    let has_log = fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let target = if has_log {
        if !beside(path, "-shm").exists() {
            return Err(Error::internal(format!(
                "cannot read the database {} without changing it: its write-ahead log {} holds changes but {} is \
                 missing; open it once with write access",
                path.display(),
                wal.display(),
                beside(path, "-shm").display()
            )));
        }
        format!("file:{}", uri_path(path))
    } else {
        format!("file:{}?immutable=1", uri_path(path))
    };
    Connection::open_with_flags(target, flags).map_err(|e| environment(path, &e))
}

/// A path for an SQLite `file:` URI: every byte but unreserved ones and `/` percent-encoded.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for &b in absolute.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_file_that_is_gone_is_missing_not_unwritable() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("crew.db");
        std::fs::write(&db, b"").unwrap();
        assert_eq!(write_access(&db), Access::Writable);
        // What another process's last connection does between two questions: removes the -wal.
        let wal = beside(&db, "-wal");
        std::fs::write(&wal, b"").unwrap();
        std::fs::remove_file(&wal).unwrap();
        assert_eq!(write_access(&wal), Access::Missing);
        assert_eq!(why_read_only(&db), None);
    }

    #[test]
    fn uri_paths_escape_what_sqlite_would_read_as_syntax() {
        assert_eq!(uri_path(Path::new("/a b/c?d#e%f.db")), "/a%20b/c%3Fd%23e%25f.db");
    }

    #[test]
    fn a_full_disk_is_named_with_the_path() {
        let full = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL);
        let e = rusqlite::Error::SqliteFailure(full, Some("database or disk is full".into()));
        let err = environment(Path::new("/srv/crew.db"), &e);
        assert_eq!(err.kind, ErrorKind::Internal);
        assert!(err.message.starts_with("cannot write the database /srv/crew.db: "), "{}", err.message);
        assert!(err.message.contains("full"), "{}", err.message);
    }

    #[test]
    fn a_file_sqlite_does_not_recognise_is_not_a_crew_database() {
        let e = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB), None);
        let err = environment(Path::new("x.db"), &e);
        assert_eq!(err.kind, ErrorKind::BadInput);
        assert!(err.message.starts_with("x.db is not a crew database"), "{}", err.message);
    }
}
