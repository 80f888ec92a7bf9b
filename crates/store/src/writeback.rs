//! Handing a running write's pages to the kernel's write-back as it goes, so that the commit's
//! `fsync`s find them on the disk already (see [`Writeback`]).

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a running write's files are handed to the kernel's write-back.
pub(crate) const EVERY: Duration = Duration::from_millis(5);

/// While it lives, a thread asks the kernel every [`EVERY`] to start writing the dirty pages of
/// the database file and of its WAL to the disk: Linux's `sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE`, which starts write-back and waits for nothing. It changes no data and
/// promises nothing: durability is still SQLite's own `fsync`s, which then find most pages
/// written. A large write otherwise leaves all of it to those `fsync`s: a 100,000-row intake
/// stores 65 MB into the WAL and its commit copies them into the database, and the two `fsync`s
/// took 36 ms and 26 ms while the second core was idle; with this, 3 ms and 2 ms (BENCHMARKS.md,
/// "The tenth round"). The idea is PostgreSQL's `checkpoint_flush_after` and RocksDB's
/// `bytes_per_sync`.
///
/// A write shorter than [`EVERY`] opens no file. Dropping it stops the thread and waits for it
/// (woken at once, not at its next turn). Elsewhere than on Linux it does nothing.
pub(crate) struct Writeback {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Writeback {
    /// Starts handing `db`'s and `db-wal`'s dirty pages to the kernel until dropped. A thread
    /// that cannot be started, or a file that cannot be opened (a WAL not made yet), is skipped:
    /// the write goes on as it would without.
    pub(crate) fn start(db: &Path) -> Writeback {
        let mut wal = OsString::from(db.as_os_str());
        wal.push("-wal");
        let paths = [db.to_path_buf(), PathBuf::from(wal)];
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("crew-writeback".into())
            .spawn(move || {
                let mut files: [Option<File>; 2] = [None, None];
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    for (file, path) in files.iter_mut().zip(&paths) {
                        if file.is_none() {
                            *file = File::open(path).ok();
                        }
                        if let Some(file) = file {
                            start_writing_back(file);
                        }
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

#[cfg(target_os = "linux")]
fn start_writing_back(file: &File) {
    use std::os::fd::AsRawFd;
    // The whole file (length 0: to its end). A failure (a file system without it) changes
    // nothing: the `fsync`s write the pages.
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

    /// It hands the files over while the write runs (the database's file open, the WAL that
    /// does not exist skipped), and stops when dropped, keeping no descriptor.
    #[test]
    fn it_runs_while_the_write_runs_and_stops_at_once_leaving_nothing_open() {
        let dir = std::env::temp_dir().join(format!("crew-writeback-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("crew.db");
        let mut file = File::create(&db).unwrap();
        let writeback = Writeback::start(&db);
        // Dirty pages for it to hand over while it runs.
        for _ in 0..64 {
            file.write_all(&[7u8; 16 * 1024]).unwrap();
        }
        std::thread::sleep(EVERY * 6);
        assert_eq!(open_on(&db), 2, "the test's own and the write-back's");
        let stopping = Instant::now();
        drop(writeback);
        assert!(stopping.elapsed() < Duration::from_secs(1), "stopped in {:?}", stopping.elapsed());
        assert_eq!(open_on(&db), 1, "the write-back's closed");
        drop(file);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A write shorter than its first turn opens nothing (dropped before it: nothing was open on
    /// the file, then or after).
    #[test]
    fn a_short_write_opens_nothing() {
        let dir = std::env::temp_dir().join(format!("crew-writeback-short-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("crew.db");
        File::create(&db).unwrap();
        let writeback = Writeback::start(&db);
        let stopping = Instant::now();
        drop(writeback);
        assert!(stopping.elapsed() < Duration::from_secs(1), "stopped in {:?}", stopping.elapsed());
        assert_eq!(open_on(&db), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
