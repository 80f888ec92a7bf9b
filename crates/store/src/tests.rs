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
        execute(&mut store, &subscribers(), |tx| logged_in(tx, login)).unwrap();
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
