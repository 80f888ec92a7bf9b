//! Billing's reactions to ordering's events (charges, earnings and fines) and bets' events (stakes
//! and pots shared), each posted exactly once
//! (the subscriber's position advances in the same transaction as its entries, and each entry's id
//! is derived from its cause, so a replay is the first outcome again).

use super::ledger::{CompanyAccount, Entry, EntryId, EntryKind, LedgerAccount, Posting, split};
use super::{BillingTx, post};
use crate::bets::BetsEvent;
use crate::error::{Error, Result};
use crate::ids::{AccountId, OrderId};
use crate::kernel::command::Subscriber;
use crate::kernel::events::RecordedEvent;
use crate::ordering::OrderingEvent;
use crate::settings;
use crate::types::Money;

/// Billing's ledger subscriber (DESIGN.md "Billing and accounting"):
/// - the client is charged the order's price when it becomes active (`order_checked_in`), or when
///   it is cancelled after assignment; once per order (a copy is a new order, charged again);
/// - the worker earns `billing.worker_share_percent` of a completed order's price (largest
///   remainder), nothing for a cancelled one;
/// - the worker of a failed order is fined `billing.failure_fine`;
/// - a manager's stake (`bet_placed`) moves from their ledger account to `company:stakes`, where
///   it is held until the order ends; the pot (`bets_settled`) moves from there to the winners'
///   ledger accounts, or to `company:house` when nobody won.
///
/// The rules in force when the event is handled apply (handled in the event's own transaction).
pub struct Ledger;

impl<T: BillingTx + ?Sized> Subscriber<T> for Ledger {
    fn name(&self) -> &'static str {
        "billing.ledger"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        if let Some(event) = stored.decode::<BetsEvent>()? {
            return bet(tx, stored, event);
        }
        let Some(event) = stored.decode::<OrderingEvent>()? else { return Ok(()) };
        match event {
            OrderingEvent::OrderCheckedIn { order, .. } => charge(tx, stored, order),
            OrderingEvent::OrderCancelled { order, after_assignment: true, .. } => charge(tx, stored, order),
            OrderingEvent::OrderCompleted { order, worker, .. } => earn(tx, stored, order, worker),
            OrderingEvent::OrderFailed { order, worker: Some(worker), .. } => fine(tx, stored, order, worker),
            _ => Ok(()),
        }
    }
}

fn id(raw: String) -> Result<EntryId> {
    EntryId::parse(&raw).map_err(|e| Error::internal(e.message))
}

/// The order's price as fixed at assignment.
fn price(tx: &mut (impl BillingTx + ?Sized), order: OrderId) -> Result<(AccountId, Money)> {
    let o = tx.order(order)?.ok_or_else(|| Error::internal(format!("billing: order #{order} does not exist")))?;
    let price = o.price.ok_or_else(|| Error::internal(format!("billing: order #{order} has no price")))?;
    Ok((o.client, price))
}

fn entry(stored: &RecordedEvent, id: EntryId, kind: EntryKind, order: OrderId, postings: Vec<Posting>) -> Entry {
    Entry {
        id,
        kind,
        at: stored.at,
        order: Some(order),
        cause: Some(stored.seq),
        actor: stored.actor,
        memo: String::new(),
        postings,
    }
}

fn charge(tx: &mut (impl BillingTx + ?Sized), stored: &RecordedEvent, order: OrderId) -> Result<()> {
    let id = id(format!("order:{order}:charge"))?;
    // Once per order: an order reopened and done again is not charged twice.
    if tx.entry(&id)?.is_some() {
        return Ok(());
    }
    let (client, price) = price(tx, order)?;
    if price.cents() == 0 {
        return Ok(());
    }
    let postings = vec![
        Posting { account: LedgerAccount::Client(client), amount: price },
        Posting { account: LedgerAccount::Company(CompanyAccount::Revenue), amount: Money::from_cents(-price.cents()) },
    ];
    post(tx, entry(stored, id, EntryKind::Charge, order, postings)).map(|_| ())
}

fn earn(tx: &mut (impl BillingTx + ?Sized), stored: &RecordedEvent, order: OrderId, worker: AccountId) -> Result<()> {
    let id = id(format!("order:{order}:earning"))?;
    if tx.entry(&id)?.is_some() {
        return Ok(());
    }
    let (_, price) = price(tx, order)?;
    let share = u64::from(settings::rules(tx)?.worker_share_percent);
    let parts = split(price.cents(), &[share, 100 - share.min(100)]);
    let earned = parts[0];
    if earned == 0 {
        return Ok(());
    }
    let postings = vec![
        Posting { account: LedgerAccount::Company(CompanyAccount::WorkerPayouts), amount: Money::from_cents(earned) },
        Posting { account: LedgerAccount::Worker(worker), amount: Money::from_cents(-earned) },
    ];
    post(tx, entry(stored, id, EntryKind::Earning, order, postings)).map(|_| ())
}

fn fine(tx: &mut (impl BillingTx + ?Sized), stored: &RecordedEvent, order: OrderId, worker: AccountId) -> Result<()> {
    // Per failure: an order reopened and failed again by another worker fines that worker too.
    let id = id(format!("order:{order}:fine:{}", stored.seq))?;
    let amount = settings::rules(tx)?.failure_fine;
    if amount.cents() == 0 {
        return Ok(());
    }
    let postings = vec![
        Posting { account: LedgerAccount::Worker(worker), amount },
        Posting { account: LedgerAccount::Company(CompanyAccount::Fines), amount: Money::from_cents(-amount.cents()) },
    ];
    post(tx, entry(stored, id, EntryKind::Fine, order, postings)).map(|_| ())
}

fn bet(tx: &mut (impl BillingTx + ?Sized), stored: &RecordedEvent, event: BetsEvent) -> Result<()> {
    let stakes = LedgerAccount::Company(CompanyAccount::Stakes);
    let (id, kind, order, memo, postings) = match event {
        BetsEvent::BetPlaced { bet, order, manager, on, stake } => (
            id(format!("bet:{bet}:stake"))?,
            EntryKind::Stake,
            order,
            format!("bet {bet} on {}", on.as_str()),
            vec![
                Posting { account: LedgerAccount::Manager(manager), amount: stake },
                Posting { account: stakes, amount: Money::from_cents(-stake.cents()) },
            ],
        ),
        BetsEvent::BetsSettled { order, outcome, pot, winnings, house } => {
            let mut postings = vec![Posting { account: stakes, amount: pot }];
            for w in &winnings {
                postings.push(Posting {
                    account: LedgerAccount::Manager(w.manager),
                    amount: Money::from_cents(-w.won.cents()),
                });
            }
            if house.cents() != 0 {
                postings.push(Posting {
                    account: LedgerAccount::Company(CompanyAccount::House),
                    amount: Money::from_cents(-house.cents()),
                });
            }
            let memo = if winnings.is_empty() {
                format!("order {}: nobody won, the house takes the pot", outcome.as_str())
            } else {
                format!("order {}: pot shared by {} winner(s)", outcome.as_str(), winnings.len())
            };
            (id(format!("order:{order}:bets"))?, EntryKind::BetSettlement, order, memo, postings)
        }
        BetsEvent::BettingClosed { .. } => return Ok(()),
    };
    if postings[0].amount.cents() == 0 || tx.entry(&id)?.is_some() {
        return Ok(());
    }
    let mut e = entry(stored, id, kind, order, postings);
    e.memo = memo;
    post(tx, e).map(|_| ())
}
