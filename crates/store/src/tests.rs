//! The store against real SQLite: transactions, the append-only log, subscribers, migrations.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use chrono::{TimeZone, Utc};
use crew_core::authz::Role;
use crew_core::error::{Error, ErrorKind};
use crew_core::iam::{IamEvent, NewAccount};
use crew_core::ids::EventSeq;
use crew_core::kernel::command::{Subscriber, append, dispatch};
use crew_core::kernel::events::RecordedEvent;
use crew_core::types::{Login, Name};
use crew_core::wiring::{BoxedSubscriber, Store, Tx, execute, subscribers};

use super::SqliteStore;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap()
}

fn account(login: &str) -> NewAccount {
    NewAccount {
        login: Login::parse(login).unwrap(),
        name: Name::parse(login).unwrap(),
        email: None,
        role: Role::Manager,
        password_hash: None,
        created_at: now(),
    }
}

fn logged_in(tx: &mut dyn Tx, login: &str) -> crew_core::Result<()> {
    let id = tx.insert_account(&account(login))?;
    append(tx, now(), Some(id), &IamEvent::SessionStarted { account: id, login: Login::parse(login).unwrap() })?;
    Ok(())
}

#[test]
fn a_failed_transaction_leaves_nothing_behind() {
    let mut store = SqliteStore::in_memory().unwrap();
    let err = store
        .write(|tx| {
            logged_in(tx, "ann")?;
            Err::<(), _>(Error::bad_input("row 3 is bad"))
        })
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadInput);
    let (accounts, events) =
        store.read(|tx| Ok((tx.count_accounts()?, tx.events_after(EventSeq::START, 10)?.len()))).unwrap();
    assert_eq!((accounts, events), (0, 0));
}

#[test]
fn the_event_log_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let mut store = SqliteStore::create(&path).unwrap();
    store.write(|tx| logged_in(tx, "ann")).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let update = conn.execute("UPDATE events SET type = 'x'", []).unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = conn.execute("DELETE FROM events", []).unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
}

#[test]
fn each_database_has_its_own_installation_key_which_never_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, old) = (dir.path().join("a.db"), dir.path().join("b.db"), dir.path().join("old.db"));
    let key_a = SqliteStore::create(&a).unwrap().read(|tx| tx.installation_key()).unwrap();
    let key_b = SqliteStore::create(&b).unwrap().read(|tx| tx.installation_key()).unwrap();
    for key in [&key_a, &key_b] {
        assert!(key.len() == 16 && key.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{key}");
    }
    assert_ne!(key_a, key_b, "two databases, two keys");
    assert_eq!(SqliteStore::open(&a).unwrap().read(|tx| tx.installation_key()).unwrap(), key_a, "kept on reopening");
    // A database from before the key existed gets one when it is migrated.
    super::write_old_schema(&old, 14).unwrap();
    let key_old = SqliteStore::open(&old).unwrap().read(|tx| tx.installation_key()).unwrap();
    assert!(key_old.len() == 16 && key_old != key_a && key_old != key_b, "{key_old}");
    let conn = rusqlite::Connection::open(&a).unwrap();
    for sql in ["UPDATE installation SET key = '0000000000000000'", "DELETE FROM installation"] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("never changes"), "{sql}: {err}");
    }
}

#[test]
fn reopening_applies_no_migration_twice_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    SqliteStore::create(&path).unwrap().write(|tx| logged_in(tx, "ann")).unwrap();
    let mut again = SqliteStore::open(&path).unwrap();
    assert_eq!(again.read(|tx| tx.count_accounts()).unwrap(), 1);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, super::SCHEMA_VERSION);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

/// The POSIX locks this process holds on `path`'s file, as `/proc/locks` lists them
/// (`1: POSIX  ADVISORY  READ <pid> <major>:<minor>:<inode> <start> <end>`).
fn posix_locks_on(path: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(path).unwrap().ino().to_string();
    let pid = std::process::id().to_string();
    let locks = std::fs::read_to_string("/proc/locks").unwrap();
    locks
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.get(1) == Some(&"POSIX") && f.get(4) == Some(&pid.as_str()))
        .filter(|f| f.get(5).and_then(|file| file.rsplit(':').next()) == Some(inode.as_str()))
        .count()
}

/// A connection keeps its POSIX lock on the database file: closing any descriptor of a file drops
/// every POSIX lock the process holds on it, so crew never closes one of its own on the database
/// while a connection is open — not when `create` lets the new file go (it did: `crew init` ran
/// unprotected), and not when a write long enough for the write-back's turns ends (a reviewer's
/// finding: the write-back opened the database too, and another connection then corrupted it).
#[test]
fn a_write_keeps_the_connections_lock_on_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let long_write = |store: &mut SqliteStore, login: &str| {
        store
            .write(|tx| {
                std::thread::sleep(super::writeback::EVERY * 10);
                logged_in(tx, login)
            })
            .unwrap()
    };
    let mut store = SqliteStore::create(&path).unwrap();
    let held = posix_locks_on(&path);
    assert!(held > 0, "a connection in WAL mode holds a shared lock on its database");
    long_write(&mut store, "ann");
    assert_eq!(posix_locks_on(&path), held, "every lock of the connection is still held");
    drop(store);
    assert_eq!(posix_locks_on(&path), 0);
    let mut store = SqliteStore::open(&path).unwrap();
    store.read(|tx| tx.count_accounts()).unwrap();
    let held = posix_locks_on(&path);
    assert!(held > 0);
    long_write(&mut store, "bob");
    assert_eq!(posix_locks_on(&path), held, "every lock of the connection is still held");
    assert_eq!(store.read(|tx| tx.count_accounts()).unwrap(), 2);
}

#[test]
fn a_new_database_has_16_kib_pages_and_an_older_one_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let page_size = |path: &Path| -> i64 {
        rusqlite::Connection::open(path).unwrap().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap()
    };
    let new = dir.path().join("new.db");
    SqliteStore::create(&new).unwrap().write(|tx| logged_in(tx, "ann")).unwrap();
    assert_eq!(page_size(&new), i64::from(super::PAGE_SIZE));
    assert_eq!(super::PAGE_SIZE, 16384);
    // A database made with SQLite's default pages (as every crew before made them) opens, takes
    // writes and keeps its 4 KiB pages.
    let old = dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&old).unwrap();
    conn.execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;").unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS.iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    drop(conn);
    let mut store = SqliteStore::open(&old).unwrap();
    store.write(|tx| logged_in(tx, "bob")).unwrap();
    assert_eq!(store.read(|tx| tx.count_accounts()).unwrap(), 1);
    drop(store);
    assert_eq!(page_size(&old), 4096);
}

#[test]
fn upgrading_gives_login_sessions_twelve_hours_from_their_start_tokens_none_and_every_one_an_id() {
    // A database as crew left it before sessions expired: every migration before 0007_sessions.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let sessions = include_str!("migrations/0007_sessions.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == sessions).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS[..before].iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO accounts (id, login, name, role, active, created_at)
             VALUES (1, 'ann', 'Ann', 'manager', 1, '2026-11-30T08:00:00.000000Z'),
                    (2, 'cron', 'Cron', 'service', 1, '2026-11-30T08:00:00.000000Z');
         INSERT INTO sessions (token_hash, account_id, kind, created_at)
             VALUES ('old', 1, 'login', '2026-11-29T20:30:00.250000Z'),
                    ('token', 2, 'service_token', '2026-01-01T00:00:00.000000Z');",
    )
    .unwrap();
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    let (old, token) = store.read(|tx| Ok((tx.session("old")?.unwrap(), tx.session("token")?.unwrap()))).unwrap();
    assert_eq!(
        old.expires_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 30, 8, 30, 0).unwrap() + chrono::Duration::milliseconds(250))
    );
    assert_eq!(token.expires_at, None);
    // Ids in the order the sessions were opened; new ones follow.
    assert_eq!((token.id.get(), old.id.get()), (1, 2));
    let ann = crew_core::ids::AccountId::new(1);
    let new = crew_core::iam::NewSession {
        token_hash: "new".into(),
        account: ann,
        kind: crew_core::iam::SessionKind::Login,
        created_at: now(),
        expires_at: Some(now()),
    };
    assert_eq!(store.write(|tx| tx.insert_session(&new)).unwrap().get(), 3);
    // Stored in the same fixed-width form as every other time, so it sorts as text.
    let raw: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT expires_at FROM sessions WHERE token_hash = 'old'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, "2026-11-30T08:30:00.250000Z");
}

#[test]
fn a_database_from_a_newer_crew_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    drop(SqliteStore::create(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = SqliteStore::open(&path).err().unwrap();
    assert_eq!(err.kind, ErrorKind::BadInput);
    assert!(err.message.contains("is not a crew database this crew can use: its schema version 99"), "{}", err.message);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn opening_a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "hello, this is not SQLite at all, just some text that is long enough").unwrap();
    let err = SqliteStore::open(&path).err().unwrap();
    assert_eq!(err.kind, ErrorKind::BadInput, "{}", err.message);
    assert!(err.message.ends_with("notes.txt is not a crew database: it is not an SQLite file"), "{}", err.message);
}

/// The file and what SQLite might have left beside it, to compare before and after.
fn snapshot(path: &Path) -> (Vec<u8>, bool, bool) {
    let side = |suffix: &str| Path::new(&format!("{}{suffix}", path.display())).exists();
    (std::fs::read(path).unwrap(), side("-wal"), side("-shm"))
}

fn foreign(path: &Path, sql: &str) {
    rusqlite::Connection::open(path).unwrap().execute_batch(sql).unwrap();
}

#[test]
fn another_programs_database_is_refused_and_left_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("notes.db", "CREATE TABLE notes (body TEXT);", "it holds another program's tables, none of crew's"),
        (
            "versioned.db",
            "CREATE TABLE accounts (x); PRAGMA user_version = 3;",
            "it has schema version 3 but not crew's tables",
        ),
        ("marked.db", "PRAGMA application_id = 42; CREATE TABLE t (x);", "another program (application id 0x2a)"),
        ("wal.db", "PRAGMA journal_mode = WAL; CREATE TABLE t (x);", "another program"),
        ("blank.db", "PRAGMA page_size = 4096; VACUUM;", "an empty SQLite database"),
    ];
    for (name, sql, why) in cases {
        let path = dir.path().join(name);
        foreign(&path, sql);
        let before = snapshot(&path);
        for attempt in [SqliteStore::open(&path).err(), SqliteStore::create(&path).err()] {
            let err = attempt.expect("refused");
            assert!(matches!(err.kind, ErrorKind::BadInput | ErrorKind::Conflict), "{name}: {err:?}");
            assert_eq!(snapshot(&path), before, "{name} is unchanged, with no -wal or -shm left behind");
        }
        let err = SqliteStore::open(&path).err().unwrap();
        assert_eq!(err.kind, ErrorKind::BadInput, "{name}");
        assert!(err.message.contains(&format!("{name} is not a crew database: ")), "{}", err.message);
        assert!(err.message.contains(why), "{name}: {}", err.message);
    }
}

#[test]
fn an_empty_file_is_no_database_to_open_but_create_makes_one_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    std::fs::write(&path, "").unwrap();
    let err = SqliteStore::open(&path).err().unwrap();
    assert_eq!(err.kind, ErrorKind::BadInput);
    assert!(err.message.contains("is not a crew database: the file is empty"), "{}", err.message);
    assert_eq!(snapshot(&path), (vec![], false, false));
    SqliteStore::create(&path).unwrap().write(|tx| logged_in(tx, "ann")).unwrap();
    assert_eq!(SqliteStore::open(&path).unwrap().read(|tx| tx.count_accounts()).unwrap(), 1);
    let err = SqliteStore::create(&path).err().unwrap();
    assert_eq!(err.kind, ErrorKind::Conflict, "a file with content is never made a new database");
}

#[test]
fn a_missing_database_says_how_to_make_one_and_special_files_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let err = SqliteStore::open(&missing).err().unwrap();
    assert_eq!(err.kind, ErrorKind::Internal, "the environment, exit 1");
    assert!(err.message.starts_with("no crew database at ") && err.message.contains("crew init"), "{}", err.message);
    assert!(!missing.exists());
    let fifo = dir.path().join("fifo.db");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for (path, kind) in
        [(fifo.as_path(), "a FIFO"), (dir.path(), "a folder"), (Path::new("/dev/zero"), "a character device")]
    {
        let err = SqliteStore::open(path).err().unwrap();
        assert_eq!(err.kind, ErrorKind::BadInput);
        assert!(err.message.contains(&format!("is not a crew database: it is {kind}")), "{}", err.message);
        let err = SqliteStore::create(path).err().unwrap();
        assert_eq!(err.kind, ErrorKind::BadInput, "{}", err.message);
    }
}

#[test]
fn a_new_database_and_its_log_files_are_readable_by_the_owner_alone_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    // The most permissive umask: only crew's own modes stand between the files and other users.
    // (Other tests create files meanwhile, but none depends on the umask: crew sets its modes.)
    // SAFETY: umask has no preconditions.
    let previous = unsafe { libc::umask(0) };
    let created = SqliteStore::create(&path);
    let mut store = created.unwrap();
    store.write(|tx| logged_in(tx, "ann")).unwrap();
    unsafe { libc::umask(previous) };
    // While the store is open its write-ahead log and shared memory exist beside it.
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }
}

#[test]
fn a_crew_database_made_before_crew_marked_its_files_is_still_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    SqliteStore::create(&path).unwrap().write(|tx| logged_in(tx, "ann")).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(id, crate::database_file::APPLICATION_ID, "crew marks the files it creates");
    conn.pragma_update(None, "application_id", 0).unwrap();
    drop(conn);
    assert_eq!(SqliteStore::open(&path).unwrap().read(|tx| tx.count_accounts()).unwrap(), 1);
}

#[test]
fn an_error_inside_a_command_names_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let mut store = SqliteStore::create(&path).unwrap();
    let err = store.write(|_| Err::<(), _>(crate::row::internal(rusqlite::Error::InvalidQuery))).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert!(err.message.starts_with(&format!("database {}: ", path.display())), "{}", err.message);
}

/// Counts the events it sees; optionally fails on one kind to prove nothing is half-handled.
struct Counter {
    seen: Rc<RefCell<Vec<EventSeq>>>,
    fail_on_login: Option<&'static str>,
}

impl<T: ?Sized> Subscriber<T> for Counter {
    fn name(&self) -> &'static str {
        "test.counter"
    }
    fn handle(&self, _tx: &mut T, event: &RecordedEvent) -> crew_core::Result<()> {
        if let (Some(bad), Some(IamEvent::SessionStarted { login, .. })) = (self.fail_on_login, event.decode()?)
            && login.as_str() == bad
        {
            return Err(Error::internal("subscriber failed"));
        }
        self.seen.borrow_mut().push(event.seq);
        Ok(())
    }
}

#[test]
fn a_late_subscriber_catches_up_from_the_log_and_sees_each_event_once() {
    let mut store = SqliteStore::in_memory().unwrap();
    for login in ["ann", "bob", "cat"] {
        execute(&mut store, &subscribers(chrono_tz::UTC), |tx| logged_in(tx, login)).unwrap();
    }
    let seen = Rc::new(RefCell::new(Vec::new()));
    let counter: Vec<BoxedSubscriber> = vec![Box::new(Counter { seen: seen.clone(), fail_on_login: None })];
    store.write(|tx| dispatch(tx, &counter)).unwrap();
    store.write(|tx| dispatch(tx, &counter)).unwrap();
    store.write(|tx| logged_in(tx, "dan")).unwrap();
    store.write(|tx| dispatch(tx, &counter)).unwrap();
    // Built-in subscribers ran too (IAM's), but this one saw every event exactly once, in order.
    let all: Vec<EventSeq> =
        store.read(|tx| tx.events_after(EventSeq::START, 100)).unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(all.len(), 4);
    assert_eq!(*seen.borrow(), all);
    assert_eq!(store.read(|tx| tx.subscriber_position("test.counter")).unwrap(), *all.last().unwrap());
}

#[test]
fn a_failing_subscriber_rolls_back_the_command_and_its_position() {
    let mut store = SqliteStore::in_memory().unwrap();
    let sub = Counter { seen: Rc::new(RefCell::new(vec![])), fail_on_login: Some("bob") };
    let subs: Vec<BoxedSubscriber> = vec![Box::new(sub)];
    store
        .write(|tx| {
            logged_in(tx, "ann")?;
            dispatch(tx, &subs)
        })
        .unwrap();
    let err = store
        .write(|tx| {
            logged_in(tx, "bob")?;
            dispatch(tx, &subs)
        })
        .unwrap_err();
    assert_eq!(err.message, "subscriber failed");
    let (accounts, position) =
        store.read(|tx| Ok((tx.count_accounts()?, tx.subscriber_position("test.counter")?))).unwrap();
    assert_eq!(accounts, 1, "bob's account went with the failed transaction");
    assert_eq!(position, EventSeq::new(1));
}

#[test]
fn the_newest_event_of_some_types_ignores_the_others() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.write(|tx| logged_in(tx, "ann")).unwrap();
    let (none, all) =
        store.read(|tx| Ok((tx.last_event_of(&["order_created"])?, tx.last_event_of(&["session_started"])?))).unwrap();
    assert_eq!((none, all), (EventSeq::START, EventSeq::new(1)));
}

/// A database as crew wrote it before identity keys were normalised (schema 4), holding one
/// email in its composed (`é`) and decomposed (`e` + U+0301) forms, and one decomposed alone.
fn database_with_two_unicode_forms(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for migration in &crate::migrate::MIGRATIONS[..4] {
        conn.execute_batch(migration).unwrap();
    }
    conn.pragma_update(None, "user_version", 4).unwrap();
    let at = "2026-11-30T08:00:00.000000Z";
    for (login, email) in [
        ("jos\u{e9}@example.com", "jos\u{e9}@example.com"),
        ("jose\u{301}@example.com", "jose\u{301}@example.com"),
        ("zoe\u{308}@example.com", "zoe\u{308}@example.com"),
        ("mia", "mia@crew.example"),
    ] {
        conn.execute(
            "INSERT INTO accounts (login, name, email, role, active, created_at) VALUES (?1, 'A', ?2, 'client', 1, ?3)",
            rusqlite::params![login, email, at],
        )
        .unwrap();
    }
    let candidate = r#"{"name":"A","zone":"north","strengths":"cleaning:3","weaknesses":"","age":null,"breed":null,"coat":null,"photo":null,"source":null}"#;
    for email in ["jos\u{e9}@example.com", "jose\u{301}@example.com", "zoe\u{308}@example.com"] {
        conn.execute(
            "INSERT INTO applications (email, candidate, status, tests, created_at, updated_at)
             VALUES (?1, ?2, 'applied', '[]', ?3, ?3)",
            rusqlite::params![email, candidate, at],
        )
        .unwrap();
    }
}

#[test]
fn keys_are_brought_into_nfc_and_clashes_are_reported_not_merged() {
    use crew_core::types::Email;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    database_with_two_unicode_forms(&path);
    let mut store = SqliteStore::open(&path).unwrap();
    let login = |s: &str| Login::parse(s).unwrap();
    let (josé, twin, zoë, mia, zoë_application) = store
        .read(|tx| {
            Ok((
                tx.account_by_login(&login("jos\u{e9}@example.com"))?.map(|a| a.id.get()),
                tx.account_by_login(&login("unicode-clash-2"))?.map(|a| a.id.get()),
                tx.account_by_login(&login("zo\u{eb}@example.com"))?.map(|a| a.id.get()),
                tx.account_by_login(&login("mia"))?.map(|a| a.id.get()),
                tx.application_by_email(&Email::parse("zo\u{eb}@example.com")?)?.map(|a| a.id.get()),
            ))
        })
        .unwrap();
    // The composed account keeps its login; its decomposed twin can still log in, by a login
    // that can be typed; a decomposed key without a twin is simply rewritten.
    assert_eq!((josé, twin, zoë, mia, zoë_application), (Some(1), Some(2), Some(3), Some(4), Some(3)));
    let clashes = store.identity_clashes().unwrap();
    let found: Vec<(&str, &str, &[i64])> =
        clashes.iter().map(|c| (c.kind.as_str(), c.key.as_str(), c.ids.as_slice())).collect();
    assert_eq!(
        found,
        [("account", "jos\u{e9}@example.com", &[1, 2][..]), ("application", "jos\u{e9}@example.com", &[1, 2][..])]
    );
    // Nothing was merged: both accounts and both applications are still there.
    let counts: (i64, i64) = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM applications)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(counts, (4, 3));
    // An admin settles them: one account deactivated, one application rejected.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE accounts SET active = 0 WHERE id = 2", []).unwrap();
    assert_eq!(store.identity_clashes().unwrap().len(), 1);
    conn.execute("UPDATE applications SET status = 'rejected' WHERE id = 1", []).unwrap();
    assert_eq!(store.identity_clashes().unwrap(), []);
}

#[test]
fn a_database_without_two_forms_of_a_key_reports_no_clash() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.write(|tx| logged_in(tx, "ann")).unwrap();
    assert_eq!(store.identity_clashes().unwrap(), []);
}

#[test]
fn a_stored_rule_this_crew_cannot_read_stops_what_decides_with_it_and_can_be_set_again() {
    use crew_core::authz::Actor;
    use crew_core::kernel::command::Ctx;
    use crew_core::settings::{self, StoredSetting};
    let mut store = SqliteStore::in_memory().unwrap();
    let ctx = store
        .write(|tx| {
            let id = tx.insert_account(&NewAccount { role: Role::Admin, ..account("root") })?;
            // As a later crew, or a hand in the file, might have left it.
            tx.put_setting(&StoredSetting {
                key: "pricing.base_price".into(),
                value: "lots".into(),
                changed_at: now(),
                changed_by: Some(id),
            })?;
            Ok(Ctx { actor: Actor { id, login: Login::parse("root").unwrap(), role: Role::Admin }, now: now() })
        })
        .unwrap();
    let err = store.read(|tx| settings::rules(tx)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert!(err.message.contains("`crew settings set pricing.base_price VALUE`"), "{err}");
    let shown = store.read(|tx| settings::show(tx, &ctx)).unwrap();
    assert_eq!(shown.iter().find(|s| s.key == "pricing.base_price").unwrap().value, "lots");
    let change = store.write(|tx| settings::set(tx, &ctx, "pricing.base_price", "90")).unwrap().unwrap();
    assert_eq!((change.old.as_str(), change.new.as_str()), ("lots", "90.00"));
    assert_eq!(store.read(|tx| settings::rules(tx)).unwrap().base_price.cents(), 9000);
}

#[test]
fn upgrading_to_bets_keeps_every_ledger_entry_its_postings_and_triggers_and_accepts_stakes() {
    // A database with a posted entry as crew left it before 0017_bets.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let bets = include_str!("migrations/0017_bets.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == bets).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS[..before].iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO accounts (id, login, name, role, active, created_at)
             VALUES (1, 'mia', 'Mia', 'manager', 1, '2026-11-30T08:00:00.000000Z');
         INSERT INTO billing_entries (seq, id, kind, at, order_id, cause, actor, memo)
             VALUES (7, 'award:1', 'award', '2026-11-30T08:00:00.000000Z', NULL, NULL, 1, 'kept');
         INSERT INTO billing_postings (entry_seq, line, account, amount)
             VALUES (7, 1, 'company:awards', 500), (7, 2, 'manager:1', -500);",
    )
    .unwrap();
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    let id = |s: &str| crew_core::billing::EntryId::parse(s).unwrap();
    let kept = store.read(|tx| tx.entry(&id("award:1"))).unwrap().unwrap();
    assert_eq!((kept.memo.as_str(), kept.postings.len()), ("kept", 2));
    let stake = crew_core::billing::Entry::transfer(
        id("bet:1:stake"),
        crew_core::billing::EntryKind::Stake,
        now(),
        crew_core::billing::LedgerAccount::parse("manager:1").unwrap(),
        crew_core::billing::LedgerAccount::parse("company:stakes").unwrap(),
        crew_core::types::Money::from_cents(100),
        String::new(),
    );
    store.write(|tx| tx.insert_entry(&stake)).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let refused = conn.execute("UPDATE billing_entries SET memo = 'x'", []).unwrap_err();
    assert!(refused.to_string().contains("immutable"), "{refused}");
    let refused = conn.execute("DELETE FROM billing_entries", []).unwrap_err();
    assert!(refused.to_string().contains("immutable"), "{refused}");
    let dangling: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(dangling, 0);
    let seqs: Vec<i64> = conn
        .prepare("SELECT seq FROM billing_entries ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(seqs, [7, 8], "rows keep their seq; new ones follow");
}

#[test]
fn upgrading_to_the_manager_cycle_keeps_periods_invoices_their_lines_and_payments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let cycle = include_str!("migrations/0018_billing_manager_cycle.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == cycle).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS[..before].iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO accounts (id, login, name, role, active, created_at)
             VALUES (1, 'tom', 'Tom', 'worker', 1, '2026-11-30T08:00:00.000000Z');
         INSERT INTO billing_entries (seq, id, kind, at, order_id, cause, actor, memo)
             VALUES (1, 'award:1', 'award', '2026-11-30T08:00:00.000000Z', NULL, NULL, 1, '');
         INSERT INTO billing_postings (entry_seq, line, account, amount)
             VALUES (1, 1, 'company:awards', 500), (1, 2, 'worker:1', -500);
         INSERT INTO billing_periods VALUES ('worker', '2026-11', '2026-12-01T00:00:00.000000Z',
             '2026-12-01T06:00:00.000000Z', 1, 1, 500);
         INSERT INTO billing_invoices VALUES (1, 'worker', 1, '2026-11', 500, 1, '2026-12-01T06:00:00.000000Z', 'issued');
         INSERT INTO billing_invoice_entries VALUES (1, 1);
         INSERT INTO billing_payments (id, kind, invoice, holder, amount, method, key, status, attempts, updated_at)
             VALUES (1, 'payout', 1, 1, 500, 'transfer', 'k1', 'reserved', 0, '2026-12-01T06:00:00.000000Z');",
    )
    .unwrap();
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    let one = crew_core::ids::InvoiceNo::new(1);
    let (invoice, payment) = store.read(|tx| Ok((tx.invoice(one)?.unwrap(), tx.payment_of(one)?.unwrap()))).unwrap();
    assert_eq!((invoice.amount.cents(), invoice.entries, payment.key.as_str()), (500, 1, "k1"));
    let manager = crew_core::billing::Invoice {
        number: crew_core::ids::InvoiceNo::new(2),
        cycle: crew_core::billing::Cycle::Manager,
        holder: crew_core::ids::AccountId::new(1),
        period: "2026-11".into(),
        amount: crew_core::types::Money::from_cents(100),
        entries: 0,
        issued_at: now(),
        status: crew_core::billing::InvoiceStatus::Issued,
    };
    store.write(|tx| tx.insert_invoice(&manager)).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let refused = conn.execute("DELETE FROM billing_invoices", []).unwrap_err();
    assert!(refused.to_string().contains("never deleted"), "{refused}");
    let refused = conn.execute("UPDATE billing_invoices SET amount = 1", []).unwrap_err();
    assert!(refused.to_string().contains("only changes its status"), "{refused}");
    let refused = conn.execute("DELETE FROM billing_periods", []).unwrap_err();
    assert!(refused.to_string().contains("never changes"), "{refused}");
    let dangling: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(dangling, 0);
}

#[test]
fn upgrading_to_collection_retries_keeps_every_payment_as_its_invoices_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let retries = include_str!("migrations/0019_billing_collection_retries.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == retries).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS[..before].iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO accounts (id, login, name, role, active, created_at)
             VALUES (1, 'ann', 'Ann', 'client', 1, '2026-11-30T08:00:00.000000Z');
         INSERT INTO billing_invoices VALUES (1, 'client', 1, '2026-W49', 500, 0, '2026-12-07T06:00:00.000000Z', 'failed');
         INSERT INTO billing_payments (id, kind, invoice, holder, amount, method, key, status, attempts, note, updated_at)
             VALUES (4, 'collection', 1, 1, 500, 'card', 'k1', 'failed', 1, 'declined', '2026-12-07T06:00:00.000000Z');",
    )
    .unwrap();
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    let p = store.read(|tx| tx.payment_of(crew_core::ids::InvoiceNo::new(1))).unwrap().unwrap();
    assert_eq!((p.id.get(), p.retry, p.key.as_str(), p.note.as_deref()), (4, 0, "k1", Some("declined")));
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let refused = conn.execute("UPDATE billing_payments SET key = 'k2'", []).unwrap_err();
    assert!(refused.to_string().contains("keeps its invoice"), "{refused}");
    let refused = conn.execute("DELETE FROM billing_payments", []).unwrap_err();
    assert!(refused.to_string().contains("never deleted"), "{refused}");
}

#[test]
fn upgrading_to_the_outbox_status_check_without_in_keeps_every_mail_and_still_refuses_other_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let check = include_str!("migrations/0022_outbox_status_without_in.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == check).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS[..before].iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    let ephemeral = |conn: &rusqlite::Connection| {
        conn.prepare(
            "EXPLAIN INSERT INTO outbox (cause, recipient, subject, body, status, attempts, next_attempt_at, created_at,
                                         activation_for, priority)
             VALUES ('c', 'b@x.example', 's', 'b', 'queued', 0, '', '', NULL, 1) ON CONFLICT (cause) DO NOTHING",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(1))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap()
        .iter()
        .any(|op| op == "OpenEphemeral")
    };
    assert!(ephemeral(&conn), "before: the `IN` list is checked with a temporary table");
    // Mails as older versions left them: a sent one, a dead one, a queued activation of an
    // account, with a gap in ids.
    conn.execute_batch(
        "INSERT INTO accounts (id, login, name, role, active, created_at)
             VALUES (3, 'ann@x.example', 'Ann', 'worker', 0, '2026-11-30T08:00:00.000000Z');
         INSERT INTO outbox (id, cause, recipient, subject, body, status, attempts, next_attempt_at, last_error,
                             created_at, sent_at, activation_for, priority)
         VALUES (2, 'event:5:order_placed', 'c@x.example', 'Order', 'Body', 'sent', 1, '2026-11-30T08:00:00.000000Z',
                 NULL, '2026-11-30T08:00:00.000000Z', '2026-11-30T08:01:00.000000Z', NULL, 0),
                (5, 'event:6:application_received', 'd@x.example', 'Ack', 'Body', 'dead', 5,
                 '2026-11-30T09:00:00.000000Z', '550 no such user', '2026-11-30T08:00:00.000000Z', NULL, NULL, 1),
                (9, 'event:7:worker_activation', 'ann@x.example', 'Welcome', 'Body {activation_secret}', 'queued', 0,
                 '2026-11-30T08:00:00.000000Z', NULL, '2026-11-30T08:00:00.000000Z', NULL, 3, 0);",
    )
    .unwrap();
    let rows = |conn: &rusqlite::Connection| {
        conn.prepare("SELECT * FROM outbox ORDER BY id")
            .unwrap()
            .query_map([], |r| {
                (0..13).map(|i| r.get::<_, rusqlite::types::Value>(i)).collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
    };
    let kept = rows(&conn);
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    let mail = store.read(|tx| tx.mail(crew_core::ids::MailId::new(9))).unwrap().unwrap().unwrap();
    assert_eq!((mail.cause.as_str(), mail.activation_for.map(|a| a.get())), ("event:7:worker_activation", Some(3)));
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(rows(&conn), kept, "every mail as it was, ids kept");
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(indexes, ["outbox_queue", "sqlite_autoindex_outbox_1"]);
    let refused = conn.execute("UPDATE outbox SET status = 'lost' WHERE id = 9", []).unwrap_err();
    assert!(refused.to_string().contains("CHECK"), "{refused}");
    let refused = conn.execute("UPDATE outbox SET priority = 2 WHERE id = 9", []).unwrap_err();
    assert!(refused.to_string().contains("CHECK"), "{refused}");
    for status in ["queued", "sent", "dead"] {
        conn.execute("UPDATE outbox SET status = ?1 WHERE id = 9", [status]).unwrap();
    }
    conn.execute("UPDATE outbox SET priority = 1 WHERE id = 9", []).unwrap();
    let refused = conn.execute("UPDATE outbox SET activation_for = 99 WHERE id = 9", []);
    assert!(refused.is_err(), "the activation still refers to an account");
    // The check is no longer an `IN` list: no temporary table per insert.
    assert!(!ephemeral(&conn));
}

#[test]
fn upgrading_to_the_status_check_without_in_keeps_every_application_and_still_refuses_other_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let check = include_str!("migrations/0021_applications_status_without_in.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == check).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS[..before].iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    let ephemeral = |conn: &rusqlite::Connection| {
        conn.prepare(
            "EXPLAIN INSERT INTO applications (email, candidate, status, tests, created_at, updated_at)
             VALUES ('b@x.example', '{}', 'applied', '[]', '', '')",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(1))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap()
        .iter()
        .any(|op| op == "OpenEphemeral")
    };
    assert!(ephemeral(&conn), "before: the `IN` list is checked with a temporary table");
    // An application stored the old way (every field written out, nulls too), with a gap in ids.
    conn.execute_batch(
        r#"INSERT INTO hiring_sets (id, name, description, tests, created_at)
               VALUES (1, 'Set', '', '[]', '2026-11-30T08:00:00.000000Z');
           INSERT INTO applications (id, email, candidate, status, set_id, tests, score, max_score, passed, reason,
                                     created_at, updated_at)
               VALUES (7, 'a@x.example', '{"name":"A","zone":"north","strengths":"cleaning:3","weaknesses":"","age":null,"breed":null,"coat":null,"photo":null,"source":null}',
                       'tests_submitted', 1, '[]', 10, 20, 0, NULL, '2026-11-30T08:00:00.000000Z', '2026-11-30T09:00:00.000000Z');"#,
    )
    .unwrap();
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    let a = store.read(|tx| tx.application(crew_core::ids::ApplicationId::new(7))).unwrap().unwrap();
    assert_eq!((a.applicant.email.as_str(), a.status.as_str(), a.score), ("a@x.example", "tests_submitted", Some(10)));
    assert_eq!(a.applicant.strengths.to_string(), "cleaning:3");
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'applications' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    // 0021 kept both indexes; 0023 (applied on opening too) replaced `applications_status` by
    // the partial `applications_holding_tests`.
    assert_eq!(indexes, ["applications_holding_tests", "applications_set", "sqlite_autoindex_applications_1"]);
    let refused = conn.execute("UPDATE applications SET status = 'hired' WHERE id = 7", []).unwrap_err();
    assert!(refused.to_string().contains("CHECK"), "{refused}");
    for status in ["applied", "tests_assigned", "tests_submitted", "accepted", "rejected"] {
        conn.execute("UPDATE applications SET status = ?1 WHERE id = 7", [status]).unwrap();
    }
    // The check is no longer an `IN` list: no temporary table per insert.
    assert!(!ephemeral(&conn));
}

/// How often SQLite parsed and planned one cached statement again, over three uses with different
/// values (the statement cache clears a statement's bindings each time it takes it back).
fn reprepared(conn: &rusqlite::Connection, sql: &str) -> i32 {
    for order in [1, 2, 3] {
        let mut s = conn.prepare_cached(sql).unwrap();
        let rows = s.query_map([order], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(rows.count(), 0);
    }
    conn.prepare_cached(sql).unwrap().get_status(rusqlite::StatementStatus::RePrepare)
}

#[test]
fn a_cached_statement_is_not_parsed_again_each_time_it_is_used() {
    // The kits subscriber's question (once per assignment): without the planner stability
    // guarantee SQLite recompiled it on every use, as its `order_id = ?1` might change the plan.
    let sql = "SELECT kit_id FROM supplies_kits WHERE order_id = ?1 ORDER BY scheduled_at, kit_id";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let created = SqliteStore::create(&path).unwrap();
    assert_eq!(reprepared(&created.conn, sql), 0, "a database crew creates");
    drop(created);
    assert_eq!(reprepared(&SqliteStore::open(&path).unwrap().conn, sql), 0, "a database crew opens");
    assert_eq!(reprepared(&SqliteStore::in_memory().unwrap().conn, sql), 0, "in memory");
    // What the setting prevents, on a plain connection to the same file.
    let plain = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(reprepared(&plain, sql), 3, "without it, each use after the first is parsed again");
}

/// The plan SQLite gives `sql`, one line per step (`EXPLAIN QUERY PLAN`'s details).
fn plan(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    // The plan is made without the parameters' values, as when crew prepares the statement.
    for i in 1..=stmt.parameter_count() {
        stmt.raw_bind_parameter(i, rusqlite::types::Null).unwrap();
    }
    let mut rows = stmt.raw_query();
    let mut steps = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        steps.push(row.get::<_, String>(3).unwrap());
    }
    steps
}

#[test]
fn the_intakes_dropped_indexes_leave_every_query_its_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let migration = include_str!("migrations/0023_intake_indexes.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == migration).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    super::migrate::register_nfc(&conn).unwrap();
    for (i, migration) in super::migrate::MIGRATIONS[..before].iter().enumerate() {
        conn.execute_batch(migration).unwrap();
        conn.pragma_update(None, "user_version", (i + 1) as i64).unwrap();
    }
    // Applications in every status; two hold test 1, one holds test 2, the rest none.
    conn.execute_batch(
        r#"INSERT INTO hiring_sets (id, name, description, tests, created_at)
               VALUES (1, 'Set', '', '[1]', '2026-11-30T08:00:00.000000Z');
           INSERT INTO applications (id, email, candidate, status, set_id, tests, created_at, updated_at) VALUES
               (1, 'a@x.example', '{}', 'applied', NULL, '[]', '2026-11-30T08:00:00.000000Z', '2026-11-30T08:00:00.000000Z'),
               (2, 'b@x.example', '{}', 'tests_assigned', 1, '[[1,1]]', '2026-11-30T08:00:00.000000Z', '2026-11-30T08:00:00.000000Z'),
               (3, 'c@x.example', '{}', 'tests_submitted', 1, '[[1,2],[2,1]]', '2026-11-30T08:00:00.000000Z', '2026-11-30T08:00:00.000000Z'),
               (4, 'd@x.example', '{}', 'accepted', 1, '[[1,1]]', '2026-11-30T08:00:00.000000Z', '2026-11-30T08:00:00.000000Z'),
               (5, 'e@x.example', '{}', 'rejected', 1, '[[1,1]]', '2026-11-30T08:00:00.000000Z', '2026-11-30T08:00:00.000000Z');"#,
    )
    .unwrap();
    let holding = super::hiring::APPLICATIONS_HOLDING_TEST;
    let events = super::events::find_events_sql();
    assert!(plan(&conn, holding).iter().any(|s| s.contains("USING INDEX applications_status")));
    let events_before = plan(&conn, &events);
    assert_eq!(events_before, ["SEARCH events USING INTEGER PRIMARY KEY (rowid>?)"], "events_at was never read");
    drop(conn);

    let mut store = SqliteStore::open(&path).unwrap();
    let held = |store: &mut SqliteStore, test: i64| {
        store.read(|tx| tx.applications_holding_test(crew_core::ids::TestId::new(test))).unwrap()
    };
    // Only applications holding tests (assigned or submitted) count, whatever their other tests.
    assert_eq!((held(&mut store, 1), held(&mut store, 2), held(&mut store, 3)), (2, 1, 0));
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let indexes: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('applications', 'events') ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        indexes,
        [
            "applications_holding_tests",
            "applications_set",
            "events_application",
            "events_order",
            "sqlite_autoindex_applications_1"
        ]
    );
    // The lookup by status reads the partial index, not the table; the log's reader walks it as before.
    assert_eq!(
        plan(&conn, holding)[0],
        "SEARCH applications USING INDEX applications_holding_tests (status=?)",
        "{:?}",
        plan(&conn, holding)
    );
    assert_eq!(plan(&conn, &events), events_before);
    // A new application ('applied') does not enter the index: it holds the two statuses only.
    let sql: String = conn
        .query_row("SELECT sql FROM sqlite_master WHERE name = 'applications_holding_tests'", [], |r| r.get(0))
        .unwrap();
    assert!(sql.ends_with("WHERE status = 'tests_assigned' OR status = 'tests_submitted'"), "{sql}");
}

#[test]
fn the_events_a_transaction_appended_are_handed_over_whole_once() {
    let mut store = SqliteStore::in_memory().unwrap();
    store
        .write(|tx: &mut dyn Tx| {
            let before = tx.last_event_seq()?;
            for i in 0..3 {
                logged_in(tx, &format!("kept{i}"))?;
            }
            let kept = tx.take_kept_after(before)?.expect("SQLite keeps the events it appended");
            let read = tx.events_after(before, 100)?;
            assert_eq!(kept, read, "as the log reads them");
            assert!(!kept.is_empty());
            assert!(tx.take_kept_after(before)?.is_none_or(|k| k.is_empty()), "handed over once");
            Ok(())
        })
        .unwrap();
}
