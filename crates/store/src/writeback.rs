//! Handing a running write's WAL pages to the kernel's write-back as it goes, so that the
//! commit's checkpoint finds them on the disk already (see [`Writeback`]).

use std::ffi::{CStr, OsStr};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, ffi};

/// How often a running write's WAL is handed to the kernel's write-back.
pub(crate) const EVERY: Duration = Duration::from_millis(5);

/// While it lives, a thread asks the kernel every [`EVERY`] to start writing the WAL's dirty
/// pages to the disk: Linux's `sync_file_range` with `SYNC_FILE_RANGE_WRITE`, which starts
/// write-back and waits for nothing. It changes no data and promises nothing: durability is
/// still SQLite's own `fsync`, which then finds most pages written. A large write otherwise
/// leaves all of it to that `fsync`: a 100,000-row intake writes 65 MB into the WAL, and the
/// commit's checkpoint waited 36 ms for them on an idle second core (BENCHMARKS.md, "The tenth
/// round"). The idea is PostgreSQL's `wal_writer_flush_after` and RocksDB's `bytes_per_sync`.
///
/// **Only the WAL, never the database file.** On Linux, closing any descriptor of a file drops
/// every POSIX lock the process holds on it, and SQLite's connection holds a lock on the database
/// file for as long as it is open: a descriptor of our own on it, closed after a write, would
/// leave the connection unprotected and another connection free to corrupt the database
/// (<https://sqlite.org/howtocorrupt.html>, 2.2). SQLite takes no lock on the WAL (its locks are on
/// the database file and the `-shm`). Test `a_write_keeps_the_connections_lock_on_the_database`.
///
/// The WAL is the one SQLite names ([`wal_of`]: beside the file it opened, symlinks resolved),
/// opened without following a symbolic link and without blocking, and used only if it is a
/// regular file (a FIFO put there would otherwise block the open, and the write's end with it).
/// A write shorter than [`EVERY`] opens nothing. Dropping it stops the thread and waits for it
/// (woken at once, not at its next turn). Elsewhere than on Linux it does nothing.
pub(crate) struct Writeback {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Writeback {
    /// Starts handing `wal`'s dirty pages to the kernel until dropped. A thread that cannot be
    /// started, or a WAL that cannot be opened (not made yet), is skipped: the write goes on as
    /// it would without.
    pub(crate) fn start(wal: PathBuf) -> Writeback {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("crew-writeback".into())
            .spawn(move || {
                let mut file: Option<File> = None;
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    if file.is_none() {
                        file = open_regular(&wal);
                    }
                    if let Some(file) = &file {
                        start_writing_back(file);
                    }
                }
            })
            .ok();
        Writeback { stop: Some(stop), thread }
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

/// The WAL of `conn`'s main database as SQLite names it (`sqlite3_filename_wal`); `None` for a
/// database in memory or a temporary one.
pub(crate) fn wal_of(conn: &Connection) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: the handle is open while `conn` is borrowed; SQLite owns the names it returns, valid
    // while the database is attached, and they are copied here at once.
    unsafe {
        let name = ffi::sqlite3_db_filename(conn.handle(), c"main".as_ptr());
        if name.is_null() || *name == 0 {
            return None;
        }
        let wal = ffi::sqlite3_filename_wal(name);
        if wal.is_null() {
            return None;
        }
        let wal = CStr::from_ptr(wal).to_bytes();
        (!wal.is_empty()).then(|| PathBuf::from(OsStr::from_bytes(wal)))
    }
}

/// `path` opened for reading if it is a regular file, not through a symbolic link and without
/// waiting (a FIFO's open would wait for a writer).
fn open_regular(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    if !std::fs::symlink_metadata(path).ok()?.file_type().is_file() {
        return None;
    }
    let file =
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).ok()?;
    file.metadata().ok()?.file_type().is_file().then_some(file)
}

#[cfg(target_os = "linux")]
fn start_writing_back(file: &File) {
    use std::os::fd::AsRawFd;
    // The whole file (length 0: to its end). A failure (a file system without it) changes
    // nothing: the `fsync` writes the pages.
    // SAFETY: `file` is an open descriptor for the call's duration; the call reads no memory.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writing_back(_file: &File) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::Instant;

    /// This process's descriptors open on `path` (tests run side by side: only these count).
    fn open_on(path: &Path) -> usize {
        let fds = std::fs::read_dir("/proc/self/fd").unwrap();
        fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok()).filter(|target| target == path).count()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("crew-writeback-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// It hands the WAL over while the write runs and stops when dropped, keeping no
    /// descriptor; a write shorter than its first turn opens nothing.
    #[test]
    fn it_runs_while_the_write_runs_and_stops_leaving_nothing_open() {
        let dir = scratch("runs");
        let wal = dir.join("crew.db-wal");
        let mut file = File::create(&wal).unwrap();
        let short = Writeback::start(wal.clone());
        drop(short);
        assert_eq!(open_on(&wal), 1, "only the test's own: the short write opened nothing");
        let writeback = Writeback::start(wal.clone());
        // Dirty pages for it to hand over while it runs.
        for _ in 0..64 {
            file.write_all(&[7u8; 16 * 1024]).unwrap();
        }
        std::thread::sleep(EVERY * 6);
        assert_eq!(open_on(&wal), 2, "the test's own and the write-back's");
        let stopping = Instant::now();
        drop(writeback);
        assert!(stopping.elapsed() < Duration::from_secs(1), "stopped in {:?}", stopping.elapsed());
        assert_eq!(open_on(&wal), 1, "the write-back's closed");
        drop(file);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A FIFO, a symbolic link or a folder where the WAL would be is left alone: never opened,
    /// and the write's end never waits on it.
    #[test]
    fn a_wal_that_is_not_a_regular_file_is_left_alone() {
        let dir = scratch("odd");
        let target = dir.join("elsewhere");
        File::create(&target).unwrap();
        let fifo = dir.join("fifo.db-wal");
        let fifo_c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo_c.as_ptr(), 0o600) }, 0);
        let link = dir.join("link.db-wal");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let folder = dir.join("folder.db-wal");
        std::fs::create_dir(&folder).unwrap();
        for wal in [&fifo, &link, &folder, &dir.join("missing.db-wal")] {
            assert!(open_regular(wal).is_none(), "{}", wal.display());
            let writeback = Writeback::start(wal.clone());
            std::thread::sleep(EVERY * 3);
            let stopping = Instant::now();
            drop(writeback);
            assert!(
                stopping.elapsed() < Duration::from_secs(1),
                "{}: stopped in {:?}",
                wal.display(),
                stopping.elapsed()
            );
        }
        assert_eq!(open_on(&target), 0, "the link's target never opened");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
