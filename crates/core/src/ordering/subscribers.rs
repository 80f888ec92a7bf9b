//! Ordering's reactions to events.

use super::{AssignedBy, OrderStatus, OrderingEvent, OrderingTx, Transition, apply_transition, load};
use crate::error::{Error, Result};
use crate::kernel::command::Subscriber;
use crate::kernel::events::RecordedEvent;

/// Applies the assignments the matching cycle records (`OrderAssigned { by: matching }`),
/// refusing one whose order is no longer open.
pub struct MatchedAssignments;

impl<T: OrderingTx + ?Sized> Subscriber<T> for MatchedAssignments {
    fn name(&self) -> &'static str {
        "ordering.matched_assignments"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        let Some(OrderingEvent::OrderAssigned { order, worker, price, by: AssignedBy::Matching, .. }) =
            stored.decode()?
        else {
            return Ok(());
        };
        let o = load(tx, order)?;
        if o.status != OrderStatus::Open {
            return Err(Error::conflict(format!("matching assigned order #{order}, which is {}", o.status)));
        }
        let o = apply_transition(o, Transition::Assign { worker, price, by: AssignedBy::Matching }, stored.at);
        tx.update_order(&o)
    }
}
