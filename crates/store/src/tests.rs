//! The store against real SQLite: transactions, the append-only log, subscribers, migrations.

use std::cell::RefCell;
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

#[test]
fn upgrading_gives_login_sessions_twelve_hours_from_their_start_tokens_none_and_every_one_an_id() {
    // A database as crew left it before sessions expired: every migration before 0007_sessions.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    let sessions = include_str!("migrations/0007_sessions.sql");
    let before = super::migrate::MIGRATIONS.iter().position(|m| *m == sessions).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
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
fn a_database_from_a_newer_crew_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crew.db");
    drop(SqliteStore::create(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let err = SqliteStore::open(&path).err().unwrap();
    assert_eq!(err.kind, ErrorKind::Conflict);
}

#[test]
fn opening_a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "hello, this is not SQLite at all, just some text that is long enough").unwrap();
    let err = SqliteStore::open(&path).err().unwrap();
    assert_eq!(err.kind, ErrorKind::BadInput, "{}", err.message);
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
        execute(&mut store, &subscribers(Default::default()), |tx| logged_in(tx, login)).unwrap();
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
