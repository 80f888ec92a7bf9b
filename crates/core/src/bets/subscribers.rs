//! Bets' reaction to ordering's events: an order that ends settles its bets.

use super::{BetsTx, Outcome, settle};
use crate::error::Result;
use crate::kernel::command::Subscriber;
use crate::kernel::events::RecordedEvent;
use crate::ordering::OrderingEvent;

/// Settles an order's bets when it ends (`order_completed`, `order_cancelled`, `order_failed`),
/// in the ending's own transaction, with its time and actor: the `bets_settled` it records is
/// then posted by billing's ledger subscriber in the same transaction. Its position starts at the
/// end of the log in its migration (no bets existed before).
pub struct Pools;

impl<T: BetsTx + ?Sized> Subscriber<T> for Pools {
    fn name(&self) -> &'static str {
        "bets.pools"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        let Some(event) = stored.decode::<OrderingEvent>()? else { return Ok(()) };
        let (order, outcome) = match event {
            OrderingEvent::OrderCompleted { order, .. } => (order, Outcome::Completed),
            OrderingEvent::OrderCancelled { order, .. } => (order, Outcome::Cancelled),
            OrderingEvent::OrderFailed { order, .. } => (order, Outcome::Failed),
            _ => return Ok(()),
        };
        settle(tx, stored.at, stored.actor, order, outcome)
    }
}
