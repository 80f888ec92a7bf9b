//! Handing a running write's pages to the kernel's write-back as it goes, so that the commit's
//! `fsync`s find them on the disk already (see [`Writeback`]).

use std::ffi::{CStr, OsStr, c_int, c_void};
use std::os::fd::RawFd;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, ffi};

/// How often a running write's files are handed to the kernel's write-back.
pub(crate) const EVERY: Duration = Duration::from_millis(5);

/// While it lives, a thread asks the kernel every [`EVERY`] to start writing the dirty pages of
/// the database file and of its WAL to the disk: Linux's `sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE`, which starts write-back and waits for nothing. It changes no data and
/// promises nothing: durability is still SQLite's own `fsync`s, which then find most pages
/// written. A large write otherwise leaves all of it to those `fsync`s: a 100,000-row intake
/// writes 65 MB into the WAL and its commit copies them into the database, and the two `fsync`s
/// waited 36 ms and 26 ms on an idle second core (BENCHMARKS.md, "The tenth round"). The idea is
/// PostgreSQL's `checkpoint_flush_after` and RocksDB's `bytes_per_sync`.
///
/// **Through SQLite's own descriptors, never one of ours** ([`descriptors_of`]). On Linux,
/// closing any descriptor of a file drops every POSIX lock the process holds on it, and SQLite's
/// connection holds one on the database file for as long as it is open: a descriptor of our own
/// on it, closed after a write, left the connection unprotected and another connection free to
/// corrupt the database (a reviewer's finding; <https://sqlite.org/howtocorrupt.html>, 2.2; test
/// `a_write_keeps_the_connections_lock_on_the_database`). Nothing is opened by path either, so a
/// FIFO or a link where the WAL would be is never touched.
///
/// A write shorter than [`EVERY`] asks nothing. Dropping it stops the thread and waits for it
/// (woken at once, not at its next turn), before the write returns: the descriptors, which stay
/// open for as long as the connection is, are not used after. Elsewhere than on Linux nothing.
pub(crate) struct Writeback {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Writeback {
    /// Starts handing the pages written through `fds` to the kernel until dropped; `None` for
    /// no descriptor. A thread that cannot be started is skipped: the write goes on as it would
    /// without.
    pub(crate) fn start(fds: Vec<RawFd>) -> Option<Writeback> {
        if fds.is_empty() {
            return None;
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("crew-writeback".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    fds.iter().for_each(|fd| start_writing_back(*fd));
                }
            })
            .ok();
        Some(Writeback { stop: Some(stop), thread })
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        // The thread's channel disconnects: it wakes and ends.
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The descriptors SQLite reads and writes `conn`'s main database and its WAL through, each
/// checked to be that very file (same device and inode as the file at the name SQLite gives);
/// none for a database in memory, a WAL not opened yet, or anything that does not check out.
/// Called on the connection's own thread (the connection is not shared).
pub(crate) fn descriptors_of(conn: &Connection) -> Vec<RawFd> {
    use std::os::unix::ffi::OsStrExt;
    let db = unsafe { conn.handle() };
    let mut fds = Vec::with_capacity(2);
    // SAFETY: the handle is open while `conn` is borrowed, on this thread; SQLite owns the names
    // and files it returns, valid while the database is attached, and only read here at once.
    unsafe {
        let name = ffi::sqlite3_db_filename(db, c"main".as_ptr());
        if name.is_null() || *name == 0 {
            return fds;
        }
        let wal = ffi::sqlite3_filename_wal(name);
        for (op, file_name) in [(ffi::SQLITE_FCNTL_FILE_POINTER, name), (ffi::SQLITE_FCNTL_JOURNAL_POINTER, wal)] {
            if file_name.is_null() {
                continue;
            }
            let path = Path::new(OsStr::from_bytes(CStr::from_ptr(file_name).to_bytes()));
            let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
            let rc = ffi::sqlite3_file_control(db, c"main".as_ptr(), op, (&raw mut file).cast::<c_void>());
            if rc == ffi::SQLITE_OK
                && let Some(fd) = descriptor_of(file, path)
            {
                fds.push(fd);
            }
        }
    }
    fds
}

/// The descriptor of an open file of SQLite's unix VFS, if it is the file at `path`. SQLite
/// gives no API for it: a `unixFile` begins with three pointers and then its descriptor
/// (`struct unixFile` in sqlite3.c, the same since 2004), so that `int` is read, and then
/// checked against the file itself — what is not `path`'s device and inode (another VFS, another
/// layout) is no descriptor.
///
/// # Safety
/// `file` is null or an open `sqlite3_file` of at least that size, valid for the call.
unsafe fn descriptor_of(file: *mut ffi::sqlite3_file, path: &Path) -> Option<RawFd> {
    use std::os::unix::fs::MetadataExt;
    #[repr(C)]
    struct UnixFileHead {
        methods: *const c_void,
        vfs: *const c_void,
        inode: *const c_void,
        descriptor: c_int,
    }
    if file.is_null() || unsafe { (*file).pMethods.is_null() } {
        return None;
    }
    let fd = unsafe { (*file.cast::<UnixFileHead>()).descriptor };
    let expected = std::fs::metadata(path).ok()?;
    let mut seen: libc::stat = unsafe { std::mem::zeroed() };
    if fd < 0 || unsafe { libc::fstat(fd, &mut seen) } != 0 {
        return None;
    }
    (seen.st_dev == expected.dev() && seen.st_ino == expected.ino()).then_some(fd)
}

#[cfg(target_os = "linux")]
fn start_writing_back(fd: RawFd) {
    // The whole file (length 0: to its end). A failure (a file system without it) changes
    // nothing: the `fsync`s write the pages.
    // SAFETY: a plain system call on a descriptor the connection keeps open; it reads no memory.
    unsafe {
        libc::sync_file_range(fd, 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writing_back(_fd: RawFd) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Instant;

    fn link_of(fd: RawFd) -> PathBuf {
        std::fs::read_link(format!("/proc/self/fd/{fd}")).unwrap()
    }

    /// The descriptors found are SQLite's own for the database and, once made, its WAL; a
    /// database in memory has none.
    #[test]
    fn the_descriptors_are_sqlites_own_for_the_database_and_its_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().canonicalize().unwrap().join("crew.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        let fds = descriptors_of(&conn);
        let links: Vec<PathBuf> = fds.iter().map(|fd| link_of(*fd)).collect();
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        assert_eq!(links, vec![path.clone(), PathBuf::from(wal)]);
        // Not a descriptor of another file: the database's pointer checked against the WAL.
        let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
        let db = unsafe { conn.handle() };
        let rc = unsafe {
            ffi::sqlite3_file_control(db, c"main".as_ptr(), ffi::SQLITE_FCNTL_FILE_POINTER, (&raw mut file).cast())
        };
        assert_eq!(rc, ffi::SQLITE_OK);
        assert_eq!(unsafe { descriptor_of(file, &links[1]) }, None);
        assert_eq!(unsafe { descriptor_of(std::ptr::null_mut(), &path) }, None);
        assert!(descriptors_of(&Connection::open_in_memory().unwrap()).is_empty());
    }

    /// No descriptor, no thread; a thread stops at once when dropped, its turns or not.
    #[test]
    fn it_stops_at_once_when_dropped() {
        assert!(Writeback::start(Vec::new()).is_none());
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join("f")).unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
        for turns in [0, 4] {
            let writeback = Writeback::start(vec![fd]).unwrap();
            std::thread::sleep(EVERY * turns);
            let stopping = Instant::now();
            drop(writeback);
            assert!(stopping.elapsed() < Duration::from_secs(1), "stopped in {:?}", stopping.elapsed());
        }
    }
}
