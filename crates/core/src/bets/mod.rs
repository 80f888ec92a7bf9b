//! Bets (DESIGN.md "Bets"): managers stake their own money on how an order ends — `completed`,
//! `cancelled` or `failed`. When the order ends, the whole pot goes to the managers who bet on
//! that outcome in proportion to their stakes (largest remainder, so the parts sum to the pot);
//! if nobody did, the house takes it. The money is billing's: bets records `bet_placed` and
//! `bets_settled`, and billing's ledger subscriber posts each exactly once (the stake from the
//! manager's ledger account to `company:stakes`, where it is held until the order ends; the pot
//! from there to the winners or to `company:house`). See docs/bets.md.
//!
//! Rules (each refusal changes nothing):
//! - only managers stake (an admin passes the permission matrix but has no manager ledger
//!   account): otherwise not allowed (exit 3);
//! - a stake is more than zero, and a manager's stakes on one order together are at most the
//!   company rule `bets.max_stake` (bad input, exit 2);
//! - no stakes on an order that has ended (completed, cancelled, failed), whose betting was
//!   closed, or whose bets were settled (conflict, exit 5);
//! - a manager who has acted on the order (assigned or reassigned it by hand, reopened, cancelled
//!   or failed it: any of ordering's events on it recorded by them, except an assignment by the
//!   matching cycle they ran) may not bet on it: they could steer its outcome (not allowed,
//!   exit 3).
//!
//! An order's bets settle once, on its first ending: a failed order that is reopened and later
//! completed keeps the settlement of its failure.

pub mod events;
pub mod notifications;
pub mod store;
pub mod subscribers;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use events::BetsEvent;
pub use store::{BetsRead, BetsStore, BetsTx};

use crate::authz::{Action, Role, require};
use crate::billing::split;
use crate::error::{Error, Result};
use crate::ids::{AccountId, BetId, OrderId};
use crate::kernel::command::{Ctx, record};
use crate::kernel::events::EventFilter;
use crate::ordering::{AssignedBy, OrderStatus, OrderingEvent};
use crate::types::Money;

/// How an order ends: what a bet is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    Cancelled,
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Completed, Outcome::Cancelled, Outcome::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
        }
    }

    /// Reads `completed`, `cancelled` or `failed` (any case, spaces around).
    pub fn parse(raw: &str) -> Result<Outcome> {
        let s = raw.trim().to_lowercase();
        Outcome::ALL.into_iter().find(|o| o.as_str() == s).ok_or_else(|| {
            Error::bad_input(format!("`{raw}` is not an outcome to bet on: completed, cancelled or failed"))
        })
    }

    /// The outcome an order status is, if it has ended.
    pub fn of(status: OrderStatus) -> Option<Outcome> {
        match status {
            OrderStatus::Completed => Some(Outcome::Completed),
            OrderStatus::Cancelled => Some(Outcome::Cancelled),
            OrderStatus::Failed => Some(Outcome::Failed),
            OrderStatus::Open | OrderStatus::Assigned | OrderStatus::Active => None,
        }
    }
}

/// A stake placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bet {
    pub id: BetId,
    pub order: OrderId,
    pub manager: AccountId,
    pub on: Outcome,
    /// More than zero, in the company's currency.
    pub stake: Money,
    pub placed_at: DateTime<Utc>,
}

/// A stake about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBet {
    pub order: OrderId,
    pub manager: AccountId,
    pub on: Outcome,
    pub stake: Money,
    pub placed_at: DateTime<Utc>,
}

/// An order's betting: whether it still takes stakes, and how it settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Book {
    pub order: OrderId,
    /// When a manager closed it to new stakes, and who.
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<AccountId>,
    /// How the order ended, once its bets are settled.
    pub outcome: Option<Outcome>,
    pub settled_at: Option<DateTime<Utc>>,
}

impl Book {
    fn new(order: OrderId) -> Book {
        Book { order, closed_at: None, closed_by: None, outcome: None, settled_at: None }
    }
}

/// What one manager won from a pot: their stakes on the winning outcome and their share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Winning {
    pub manager: AccountId,
    /// Their stakes on the outcome that happened.
    pub stake: Money,
    /// Their share of the pot (at least their stake).
    pub won: Money,
}

/// How a pot is shared: the winners' parts and the house's, which together are the pot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settlement {
    pub pot: Money,
    /// By manager id ascending; empty when nobody bet on the outcome.
    pub winnings: Vec<Winning>,
    /// The whole pot when nobody won, else zero.
    pub house: Money,
}

/// Shares the pot of `bets` for `outcome`: every stake is in the pot; the managers who bet on
/// `outcome` share it in proportion to their stakes on it (largest remainder, ties to the lower
/// manager id), so the parts sum to the pot exactly; nobody → the house takes it all.
pub fn share(bets: &[Bet], outcome: Outcome) -> Settlement {
    let pot = Money::from_cents(bets.iter().map(|b| b.stake.cents()).sum());
    let mut stakes: BTreeMap<AccountId, i64> = BTreeMap::new();
    for b in bets.iter().filter(|b| b.on == outcome) {
        *stakes.entry(b.manager).or_default() += b.stake.cents();
    }
    if stakes.is_empty() {
        return Settlement { pot, winnings: Vec::new(), house: pot };
    }
    let weights: Vec<u64> = stakes.values().map(|s| s.unsigned_abs()).collect();
    let parts = split(pot.cents(), &weights);
    let winnings = stakes
        .iter()
        .zip(parts)
        .map(|((manager, stake), won)| Winning {
            manager: *manager,
            stake: Money::from_cents(*stake),
            won: Money::from_cents(won),
        })
        .collect();
    Settlement { pot, winnings, house: Money::from_cents(0) }
}

/// `crew bets place ORDER --on OUTCOME --stake X`: a manager stakes `stake` on `order` ending
/// `on` (the rules are in the module's doc; `max_stake` is the rule `bets.max_stake`).
pub fn place(
    tx: &mut (impl BetsTx + ?Sized),
    ctx: &Ctx,
    order: OrderId,
    on: Outcome,
    stake: Money,
    max_stake: Money,
) -> Result<Bet> {
    require(&ctx.actor, Action::PlaceBets)?;
    if ctx.actor.role != Role::Manager {
        return Err(Error::not_allowed(format!(
            "{} `{}` may not stake: only managers bet (with their own manager ledger account)",
            ctx.actor.role, ctx.actor.login
        )));
    }
    if stake.cents() <= 0 {
        return Err(Error::bad_input(format!("--stake {stake}: a stake must be more than zero")));
    }
    let o = tx.order(order)?.ok_or_else(|| Error::not_found(format!("no order #{order}")))?;
    if let Some(ended) = Outcome::of(o.status) {
        return Err(Error::conflict(format!("order #{order} has ended ({}): it takes no stakes", ended.as_str())));
    }
    let book = tx.book(order)?;
    if let Some(b) = &book {
        if let Some(outcome) = b.outcome {
            return Err(Error::conflict(format!(
                "order #{order}'s bets were settled when it ended {} (it was reopened since): it takes no stakes",
                outcome.as_str()
            )));
        }
        if b.closed_at.is_some() {
            return Err(Error::conflict(format!("betting on order #{order} is closed: it takes no new stakes")));
        }
    }
    // Running the matching cycle is not steering an order: its assignments do not count.
    let acted = tx.find_events(&EventFilter { order: Some(order), ..Default::default() })?.into_iter().find(|e| {
        e.actor == Some(ctx.actor.id)
            && match e.decode::<OrderingEvent>() {
                Ok(Some(OrderingEvent::OrderAssigned { by: AssignedBy::Matching, .. })) => false,
                Ok(Some(_)) => true,
                _ => false,
            }
    });
    if let Some(e) = acted {
        return Err(Error::not_allowed(format!(
            "you acted on order #{order} ({} at event #{}), so you cannot bet on it: whoever steers an order \
             does not bet on it",
            e.type_name, e.seq
        )));
    }
    let before: i64 = tx.bets(Some(order))?.iter().filter(|b| b.manager == ctx.actor.id).map(|b| b.stake.cents()).sum();
    if before + stake.cents() > max_stake.cents() {
        let left = Money::from_cents((max_stake.cents() - before).max(0));
        return Err(Error::bad_input(format!(
            "--stake {stake}: your stakes on order #{order} would come to {}, over the company's limit of {max_stake} \
             (bets.max_stake); you may stake {left} more",
            Money::from_cents(before + stake.cents())
        )));
    }
    let new = NewBet { order, manager: ctx.actor.id, on, stake, placed_at: ctx.now };
    let id = tx.insert_bet(&new)?;
    if book.is_none() {
        tx.put_book(&Book::new(order))?;
    }
    record(tx, ctx, BetsEvent::BetPlaced { bet: id, order, manager: ctx.actor.id, on, stake })?;
    Ok(Bet { id, order, manager: new.manager, on, stake, placed_at: new.placed_at })
}

/// What closing a book did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closed {
    pub book: Book,
    /// It was closed (or settled) before: nothing changed.
    pub already: bool,
}

/// `crew bets close ORDER`: no new stakes on the order; the bets placed stay and settle when it
/// ends. Closing a closed or settled book changes nothing; an order that does not exist is not
/// found.
pub fn close(tx: &mut (impl BetsTx + ?Sized), ctx: &Ctx, order: OrderId) -> Result<Closed> {
    require(&ctx.actor, Action::PlaceBets)?;
    tx.order(order)?.ok_or_else(|| Error::not_found(format!("no order #{order}")))?;
    let mut book = tx.book(order)?.unwrap_or_else(|| Book::new(order));
    if book.closed_at.is_some() || book.outcome.is_some() {
        return Ok(Closed { book, already: true });
    }
    book.closed_at = Some(ctx.now);
    book.closed_by = Some(ctx.actor.id);
    tx.put_book(&book)?;
    record(tx, ctx, BetsEvent::BettingClosed { order })?;
    Ok(Closed { book, already: false })
}

/// Where an order's betting stands, with its bets and, once settled, how the pot was shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pool {
    pub order: OrderId,
    /// `open` (takes stakes), `closed` (no new stakes), `settled`, or `ended` (the order ended
    /// with no bets on it).
    pub state: &'static str,
    pub book: Option<Book>,
    pub bets: Vec<Bet>,
    /// The pot so far (every stake).
    pub pot: Money,
    /// Per outcome, the stakes on it (outcomes nobody bet on left out).
    pub stakes: Vec<(Outcome, Money)>,
    /// How the pot was shared, once the order ended.
    pub settlement: Option<Settlement>,
}

fn pool(book: Option<Book>, order: OrderId, bets: Vec<Bet>, ended: bool) -> Pool {
    let pot = Money::from_cents(bets.iter().map(|b| b.stake.cents()).sum());
    let stakes = Outcome::ALL
        .into_iter()
        .filter_map(|o| {
            let s: i64 = bets.iter().filter(|b| b.on == o).map(|b| b.stake.cents()).sum();
            (s > 0).then(|| (o, Money::from_cents(s)))
        })
        .collect();
    let settlement = book.as_ref().and_then(|b| b.outcome).map(|o| share(&bets, o));
    let state = match &book {
        Some(b) if b.outcome.is_some() => "settled",
        _ if ended => "ended",
        Some(b) if b.closed_at.is_some() => "closed",
        _ => "open",
    };
    Pool { order, state, book, bets, pot, stakes, settlement }
}

/// `crew bets show ORDER`: the order's pool (staff who see bets). An order nobody bet on has an
/// empty open pool; one that does not exist is not found.
pub fn show(tx: &mut (impl BetsTx + ?Sized), ctx: &Ctx, order: OrderId) -> Result<Pool> {
    require(&ctx.actor, Action::ViewBets)?;
    let o = tx.order(order)?.ok_or_else(|| Error::not_found(format!("no order #{order}")))?;
    let book = tx.book(order)?;
    let bets = tx.bets(Some(order))?;
    Ok(pool(book, order, bets, Outcome::of(o.status).is_some()))
}

/// `crew bets list`: every order with a book (bets or closed), by order id; only the open or
/// closed ones (stakes still held) unless `all`.
pub fn list(tx: &mut (impl BetsTx + ?Sized), ctx: &Ctx, all: bool) -> Result<Vec<Pool>> {
    require(&ctx.actor, Action::ViewBets)?;
    let mut by_order: BTreeMap<OrderId, Vec<Bet>> = BTreeMap::new();
    for b in tx.bets(None)? {
        by_order.entry(b.order).or_default().push(b);
    }
    let mut out = Vec::new();
    for book in tx.books()? {
        if !all && book.outcome.is_some() {
            continue;
        }
        let bets = by_order.remove(&book.order).unwrap_or_default();
        let ended = book.outcome.is_some() || tx.order(book.order)?.is_some_and(|o| Outcome::of(o.status).is_some());
        out.push(pool(Some(book.clone()), book.order, bets, ended));
    }
    Ok(out)
}

/// Settles the order's bets for `outcome` (the subscriber's work, in the ending event's
/// transaction): records `bets_settled` with the shares, once; an order nobody bet on, or whose
/// bets are settled already, records nothing.
pub(crate) fn settle(
    tx: &mut (impl BetsTx + ?Sized),
    at: DateTime<Utc>,
    actor: Option<AccountId>,
    order: OrderId,
    outcome: Outcome,
) -> Result<()> {
    let Some(mut book) = tx.book(order)? else { return Ok(()) };
    if book.outcome.is_some() {
        return Ok(());
    }
    let bets = tx.bets(Some(order))?;
    if bets.is_empty() {
        return Ok(());
    }
    let s = share(&bets, outcome);
    book.outcome = Some(outcome);
    book.settled_at = Some(at);
    tx.put_book(&book)?;
    crate::kernel::command::append(
        tx,
        at,
        actor,
        &BetsEvent::BetsSettled { order, outcome, pot: s.pot, winnings: s.winnings, house: s.house },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
