//! [`BetsRead`](crew_core::bets::BetsRead) and [`BetsStore`](crew_core::bets::BetsStore): stakes
//! and each order's book.

use crew_core::authz::Role;
use crew_core::bets::{Book, NewBet, Outcome};
use crew_core::error::ErrorKind;
use crew_core::ids::{AccountId, OrderId};
use crew_core::types::Money;
use crew_core::wiring::{Store, Tx};

use super::{account, at, expect_err, order, read, service_type, write};

fn setup(tx: &mut dyn Tx) -> crew_core::Result<(AccountId, AccountId, Vec<OrderId>)> {
    let client = account(tx, "ann", Role::Client)?;
    let max = account(tx, "max", Role::Manager)?;
    let liv = account(tx, "liv", Role::Manager)?;
    service_type(tx, "cleaning")?;
    let orders = (1..=2).map(|i| order(tx, client, "cleaning", 60 * i)).collect::<crew_core::Result<_>>()?;
    Ok((max, liv, orders))
}

fn bet(order: OrderId, manager: AccountId, on: Outcome, cents: i64) -> NewBet {
    NewBet { order, manager, on, stake: Money::from_cents(cents), placed_at: at(5) }
}

pub(crate) fn no_bets_or_books_at_first<S: Store>(store: &mut S) {
    let (max, _, orders) = write(store, setup);
    read(store, |tx| {
        assert!(tx.bets(None)?.is_empty() && tx.bets(Some(orders[0]))?.is_empty());
        assert!(tx.held_bets(max)?.is_empty() && tx.books()?.is_empty());
        assert_eq!(tx.book(orders[0])?, None);
        Ok(())
    });
}

pub(crate) fn bets_read_back_by_id_for_one_order_or_all<S: Store>(store: &mut S) {
    let (max, liv, orders) = write(store, setup);
    let ids = write(store, |tx| {
        Ok([
            tx.insert_bet(&bet(orders[1], max, Outcome::Failed, 300))?,
            tx.insert_bet(&bet(orders[0], liv, Outcome::Completed, 100))?,
            tx.insert_bet(&bet(orders[1], liv, Outcome::Cancelled, 200))?,
        ])
    });
    assert!(ids[0] < ids[1] && ids[1] < ids[2], "ids increase: {ids:?}");
    let all = read(store, |tx| tx.bets(None));
    assert_eq!(all.iter().map(|b| b.id).collect::<Vec<_>>(), ids);
    let second = read(store, |tx| tx.bets(Some(orders[1])));
    assert_eq!(second.iter().map(|b| b.id).collect::<Vec<_>>(), [ids[0], ids[2]]);
    let b = &second[0];
    assert_eq!(
        (b.order, b.manager, b.on, b.stake, b.placed_at),
        (orders[1], max, Outcome::Failed, Money::from_cents(300), at(5))
    );
}

pub(crate) fn a_bet_by_a_missing_manager_or_on_a_missing_order_is_a_conflict_and_changes_nothing<S: Store>(
    store: &mut S,
) {
    let (max, _, orders) = write(store, setup);
    let missing = OrderId::new(999);
    expect_err(store.write(|tx| tx.insert_bet(&bet(missing, max, Outcome::Failed, 1))), ErrorKind::Conflict);
    expect_err(
        store.write(|tx| tx.insert_bet(&bet(orders[0], AccountId::new(999), Outcome::Failed, 1))),
        ErrorKind::Conflict,
    );
    assert!(read(store, |tx| tx.bets(None)).is_empty());
}

pub(crate) fn held_bets_are_a_managers_bets_on_books_not_settled<S: Store>(store: &mut S) {
    let (max, liv, orders) = write(store, setup);
    write(store, |tx| {
        tx.insert_bet(&bet(orders[0], max, Outcome::Failed, 100))?;
        tx.insert_bet(&bet(orders[1], max, Outcome::Failed, 200))?;
        tx.insert_bet(&bet(orders[1], liv, Outcome::Failed, 400))
    });
    assert_eq!(read(store, |tx| tx.held_bets(max)).len(), 2, "no book yet: held");
    let settled = Book {
        order: orders[0],
        closed_at: None,
        closed_by: None,
        outcome: Some(Outcome::Completed),
        settled_at: Some(at(9)),
    };
    write(store, |tx| tx.put_book(&settled));
    let held = read(store, |tx| tx.held_bets(max));
    assert_eq!(held.iter().map(|b| b.stake.cents()).collect::<Vec<_>>(), [200]);
    assert_eq!(read(store, |tx| tx.held_bets(liv)).len(), 1);
}

pub(crate) fn a_book_reads_back_and_is_replaced_not_duplicated<S: Store>(store: &mut S) {
    let (max, _, orders) = write(store, setup);
    let open = Book { order: orders[1], closed_at: None, closed_by: None, outcome: None, settled_at: None };
    write(store, |tx| tx.put_book(&open));
    let closed = Book { closed_at: Some(at(7)), closed_by: Some(max), ..open.clone() };
    write(store, |tx| {
        tx.put_book(&closed)?;
        tx.put_book(&Book { order: orders[0], ..open.clone() })
    });
    assert_eq!(read(store, |tx| tx.book(orders[1])), Some(closed.clone()));
    let books = read(store, |tx| tx.books());
    assert_eq!(books.iter().map(|b| b.order).collect::<Vec<_>>(), [orders[0], orders[1]]);
}
