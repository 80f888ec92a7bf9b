//! [`QualityRead`](crew_core::quality::QualityRead) and
//! [`QualityStore`](crew_core::quality::QualityStore): quality's view of orders, cases, reviews.

use crew_core::authz::Role;
use crew_core::ids::{AccountId, OrderId};
use crew_core::quality::{Case, CaseReason, Ending, OrderLife, Review, Verdict};
use crew_core::wiring::{Store, Tx};

use super::{account, at, order, read, service_type, text, write};

fn setup(tx: &mut dyn Tx) -> crew_core::Result<(AccountId, AccountId, Vec<OrderId>)> {
    let client = account(tx, "ann", Role::Client)?;
    let worker = account(tx, "tom", Role::Worker)?;
    service_type(tx, "cleaning")?;
    let orders = (1..=3).map(|i| order(tx, client, "cleaning", 60 * i)).collect::<crew_core::Result<_>>()?;
    Ok((client, worker, orders))
}

fn case(order: OrderId, client: AccountId, worker: Option<AccountId>, minutes: i64) -> Case {
    Case { order, client, worker, reason: CaseReason::Failed, queued_at: at(minutes), reviewed: false }
}

pub(crate) fn nothing_is_queued_reviewed_or_seen_at_first<S: Store>(store: &mut S) {
    let (_, _, orders) = write(store, setup);
    read(store, |tx| {
        assert_eq!((tx.case(orders[0])?, tx.review(orders[0])?, tx.life(orders[0])?), (None, None, None));
        assert!(tx.cases()?.is_empty() && tx.reviews()?.is_empty() && tx.lives()?.is_empty());
        Ok(())
    });
}

pub(crate) fn cases_read_back_by_queue_time_then_order_and_are_replaced_not_duplicated<S: Store>(store: &mut S) {
    let (client, worker, orders) = write(store, setup);
    write(store, |tx| {
        tx.put_case(&case(orders[2], client, Some(worker), 5))?;
        tx.put_case(&case(orders[1], client, None, 9))?;
        tx.put_case(&case(orders[0], client, Some(worker), 5))
    });
    let mut reviewed = case(orders[1], client, Some(worker), 9);
    reviewed.reviewed = true;
    reviewed.reason = CaseReason::Cancelled;
    write(store, |tx| tx.put_case(&reviewed));
    let cases = read(store, |tx| tx.cases());
    assert_eq!(cases.iter().map(|c| c.order).collect::<Vec<_>>(), [orders[0], orders[2], orders[1]]);
    assert_eq!(cases[2], reviewed);
    assert_eq!(read(store, |tx| tx.case(orders[0])), Some(case(orders[0], client, Some(worker), 5)));
}

pub(crate) fn a_review_reads_back_and_a_later_revision_replaces_it_while_its_case_stays<S: Store>(store: &mut S) {
    let (client, worker, orders) = write(store, setup);
    let first = Review {
        order: orders[0],
        worker: Some(worker),
        client,
        verdict: Verdict::Fault,
        cause: text("late"),
        hypothesis: text("reminders"),
        revision: 1,
        reviewer: client,
        reviewed_at: at(10),
    };
    write(store, |tx| {
        tx.put_case(&case(orders[0], client, Some(worker), 5))?;
        tx.put_review(&first)
    });
    assert_eq!(read(store, |tx| tx.review(orders[0])), Some(first.clone()));
    let second = Review { verdict: Verdict::Fine, revision: 2, reviewed_at: at(20), ..first };
    write(store, |tx| {
        tx.put_review(&second)?;
        let mut c = tx.case(orders[0])?.unwrap();
        c.reviewed = true;
        tx.put_case(&c)
    });
    assert_eq!(read(store, |tx| tx.reviews()), [second]);
    assert!(read(store, |tx| tx.case(orders[0])).unwrap().reviewed);
}

pub(crate) fn an_order_life_reads_back_and_is_replaced_by_order_id<S: Store>(store: &mut S) {
    let (client, worker, orders) = write(store, setup);
    let mut life = OrderLife {
        order: orders[1],
        client,
        worker: None,
        ending: Ending::Open,
        assigned_at: None,
        checked_in_at: None,
        finished_at: None,
    };
    write(store, |tx| tx.put_life(&life));
    life.worker = Some(worker);
    life.ending = Ending::Completed;
    life.assigned_at = Some(at(1));
    life.checked_in_at = Some(at(2));
    life.finished_at = Some(at(3));
    let other = OrderLife { order: orders[0], ..life.clone() };
    write(store, |tx| {
        tx.put_life(&life)?;
        tx.put_life(&other)
    });
    assert_eq!(read(store, |tx| tx.lives()), [other, life]);
}
