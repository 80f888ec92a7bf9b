//! [`Store`]: `write` commits on `Ok` and rolls back otherwise, `rehearse` always rolls back,
//! `read` sees what was committed.

use crew_core::authz::Role;
use crew_core::error::{Error, ErrorKind, Result};
use crew_core::iam::IamEvent;
use crew_core::ids::{AccountId, EventSeq};
use crew_core::kernel::command::append;
use crew_core::mail::NewMail;
use crew_core::ordering::OrderFilter;
use crew_core::wiring::{Store, Tx};

use super::{account, at, code, email, expect_err, login, order, read, service_type, write};

/// A change touching several contexts: an account, an event, a mail, a subscriber's position, an
/// order. Returns the account.
fn change(tx: &mut dyn Tx, who: &str) -> Result<AccountId> {
    let id = account(tx, who, Role::Client)?;
    let seq = append(tx, at(1), Some(id), &IamEvent::SessionStarted { account: id, login: login(who) })?;
    tx.insert_mail(&NewMail {
        cause: format!("contract:{who}"),
        to: email(&format!("{who}@example.com")),
        subject: "Hello".to_string(),
        body: "Hello.".to_string(),
        created_at: at(1),
        activation_for: None,
        class: crew_core::mail::MailClass::Transactional,
    })?;
    tx.set_subscriber_position("contract.reader", seq)?;
    if tx.service_type(&code("cleaning"))?.is_none() {
        service_type(tx, "cleaning")?;
    }
    order(tx, id, "cleaning", 60)?;
    Ok(id)
}

/// What `change` leaves: accounts, events, mails, the subscriber's position, orders.
fn footprint(tx: &mut dyn Tx) -> Result<(u64, usize, usize, EventSeq, usize)> {
    Ok((
        tx.count_accounts()?,
        tx.events_after(EventSeq::START, 100)?.len(),
        tx.mails(None, None)?.len(),
        tx.subscriber_position("contract.reader")?,
        tx.orders(&OrderFilter::default())?.len(),
    ))
}

fn nothing() -> (u64, usize, usize, EventSeq, usize) {
    (0, 0, 0, EventSeq::START, 0)
}

pub(crate) fn a_write_commits_what_it_did_and_returns_its_value<S: Store>(store: &mut S) {
    let ann = store.write(|tx| change(tx, "ann")).unwrap();
    let (found, (accounts, events, mails, position, orders)) =
        read(store, |tx| Ok((tx.account_by_login(&login("ann"))?.map(|a| a.id), footprint(tx)?)));
    assert_eq!(found, Some(ann));
    assert_eq!((accounts, events, mails, orders), (1, 1, 1, 1));
    assert!(position > EventSeq::START);
}

pub(crate) fn a_write_sees_its_own_changes_before_commit<S: Store>(store: &mut S) {
    write(store, |tx| {
        let ann = change(tx, "ann")?;
        assert_eq!(tx.account(ann)?.map(|a| a.login), Some(login("ann")));
        let (accounts, events, mails, position, orders) = footprint(tx)?;
        assert_eq!((accounts, events, mails, orders), (1, 1, 1, 1));
        assert_eq!(position, tx.last_event_seq()?);
        Ok(())
    });
}

pub(crate) fn a_failed_write_leaves_nothing_and_returns_its_error<S: Store>(store: &mut S) {
    let err = store
        .write(|tx| {
            change(tx, "ann")?;
            Err::<(), _>(Error::bad_input("row 3 is bad"))
        })
        .unwrap_err();
    assert_eq!((err.kind, err.message.as_str()), (ErrorKind::BadInput, "row 3 is bad"));
    assert_eq!(read(store, footprint), nothing());
    // What was there before stays.
    write(store, |tx| change(tx, "bob"));
    let before = read(store, footprint);
    expect_err(
        store.write(|tx| {
            change(tx, "cat")?;
            Err::<(), _>(Error::not_allowed("no"))
        }),
        ErrorKind::NotAllowed,
    );
    assert_eq!(read(store, footprint), before);
    assert_eq!(read(store, |tx| tx.account_by_login(&login("cat"))), None);
}

pub(crate) fn a_write_that_propagates_a_conflict_keeps_none_of_its_earlier_changes<S: Store>(store: &mut S) {
    write(store, |tx| account(tx, "ann", Role::Manager));
    let before = read(store, footprint);
    expect_err(
        store.write(|tx| {
            change(tx, "bob")?;
            // A taken login: the store refuses, the command gives up.
            account(tx, "ann", Role::Client)
        }),
        ErrorKind::Conflict,
    );
    assert_eq!(read(store, footprint), before);
    assert_eq!(read(store, |tx| tx.account_by_login(&login("bob"))), None);
}

pub(crate) fn a_rehearsal_sees_its_own_changes_then_leaves_nothing<S: Store>(store: &mut S) {
    let (ann, inside) = store
        .rehearse(|tx| {
            let ann = change(tx, "ann")?;
            Ok((ann, footprint(tx)?))
        })
        .unwrap();
    assert_eq!((inside.0, inside.1, inside.2, inside.4), (1, 1, 1, 1), "the rehearsal saw what it did");
    assert_eq!(read(store, footprint), nothing());
    assert_eq!(read(store, |tx| tx.account(ann)), None);
    // The store is usable afterwards, and a real write of the same keeps it.
    write(store, |tx| change(tx, "ann"));
    assert_eq!(read(store, footprint).0, 1);
}

pub(crate) fn a_failed_rehearsal_leaves_nothing_and_returns_its_error<S: Store>(store: &mut S) {
    let err = store
        .rehearse(|tx| {
            change(tx, "ann")?;
            Err::<(), _>(Error::conflict("would clash"))
        })
        .unwrap_err();
    assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Conflict, "would clash"));
    assert_eq!(read(store, footprint), nothing());
}

pub(crate) fn a_read_returns_its_value_and_sees_what_was_committed<S: Store>(store: &mut S) {
    assert_eq!(store.read(|_| Ok(42)).unwrap(), 42);
    assert_eq!(read(store, footprint), nothing());
    write(store, |tx| change(tx, "ann"));
    write(store, |tx| change(tx, "bob"));
    let (accounts, events, mails, _, orders) = read(store, footprint);
    assert_eq!((accounts, events, mails, orders), (2, 2, 2, 2));
    let err = store.read(|_| Err::<(), _>(Error::not_found("no such thing"))).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
}

pub(crate) fn the_log_keeps_growing_after_a_rolled_back_append<S: Store>(store: &mut S) {
    let first = write(store, |tx| append(tx, at(0), None, &IamEvent::ActivationIssued { account: AccountId::new(1) }));
    let _ = store.write(|tx| {
        append(tx, at(1), None, &IamEvent::ActivationIssued { account: AccountId::new(2) })?;
        Err::<(), _>(Error::internal("gone"))
    });
    let _ = store.rehearse(|tx| append(tx, at(2), None, &IamEvent::ActivationIssued { account: AccountId::new(3) }));
    let next = write(store, |tx| append(tx, at(3), None, &IamEvent::ActivationIssued { account: AccountId::new(4) }));
    assert!(next > first, "{next:?} after {first:?}");
    let log = read(store, |tx| tx.events_after(EventSeq::START, 10));
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), [first, next]);
    let accounts: Vec<Option<IamEvent>> = log.iter().map(|e| e.decode().unwrap()).collect();
    assert_eq!(
        accounts,
        [
            Some(IamEvent::ActivationIssued { account: AccountId::new(1) }),
            Some(IamEvent::ActivationIssued { account: AccountId::new(4) })
        ]
    );
}
