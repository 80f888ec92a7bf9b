//! Quality's view of ordering's events: every order's life, and the cases cancelled and failed
//! orders open in the review queue.

use super::{Case, CaseReason, Ending, OrderLife, QualityTx};
use crate::error::Result;
use crate::ids::OrderId;
use crate::kernel::command::Subscriber;
use crate::kernel::events::RecordedEvent;
use crate::ordering::OrderingEvent;

/// Keeps quality's view of orders and queues every cancelled or failed order for review. It
/// records no events of its own (the queue is a view); it starts at the beginning of the log, so
/// a database that existed before quality gets its whole history queued.
pub struct ReviewQueue;

impl<T: QualityTx + ?Sized> Subscriber<T> for ReviewQueue {
    fn name(&self) -> &'static str {
        "quality.review_queue"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        let Some(event) = stored.decode::<OrderingEvent>()? else { return Ok(()) };
        let at = stored.at;
        match event {
            OrderingEvent::OrderCreated { order, client, .. } => tx.put_life(&OrderLife {
                order,
                client,
                worker: None,
                ending: Ending::Open,
                assigned_at: None,
                checked_in_at: None,
                finished_at: None,
            }),
            OrderingEvent::OrderAssigned { order, worker, .. } => change(tx, order, |l| {
                l.worker = Some(worker);
                l.assigned_at = Some(at);
            }),
            OrderingEvent::OrderReopened { order, .. } => change(tx, order, |l| {
                (l.ending, l.assigned_at, l.checked_in_at, l.finished_at) = (Ending::Open, None, None, None);
            }),
            OrderingEvent::OrderCheckedIn { order, .. } => change(tx, order, |l| l.checked_in_at = Some(at)),
            OrderingEvent::OrderCompleted { order, .. } => change(tx, order, |l| {
                (l.ending, l.finished_at) = (Ending::Completed, Some(at));
            }),
            OrderingEvent::OrderFailed { order, .. } => {
                change(tx, order, |l| (l.ending, l.finished_at) = (Ending::Failed, Some(at)))?;
                queue(tx, order, CaseReason::Failed, stored)
            }
            OrderingEvent::OrderCancelled { order, .. } => {
                change(tx, order, |l| (l.ending, l.finished_at) = (Ending::Cancelled, Some(at)))?;
                queue(tx, order, CaseReason::Cancelled, stored)
            }
            _ => Ok(()),
        }
    }
}

fn change(tx: &mut (impl QualityTx + ?Sized), order: OrderId, f: impl FnOnce(&mut OrderLife)) -> Result<()> {
    // An order placed before quality's view began is read from ordering once.
    let mut life = match tx.life(order)? {
        Some(l) => l,
        None => match tx.order(order)? {
            Some(o) => OrderLife {
                order,
                client: o.client,
                worker: o.worker,
                ending: Ending::Open,
                assigned_at: None,
                checked_in_at: None,
                finished_at: None,
            },
            None => return Ok(()),
        },
    };
    f(&mut life);
    tx.put_life(&life)
}

/// Queues the order (a reopened and failed-again order keeps its first case, reviewed or not,
/// but its latest reason).
fn queue(tx: &mut (impl QualityTx + ?Sized), order: OrderId, reason: CaseReason, stored: &RecordedEvent) -> Result<()> {
    let Some(life) = tx.life(order)? else { return Ok(()) };
    let case = match tx.case(order)? {
        Some(mut c) => {
            c.reason = reason;
            c.worker = life.worker;
            c
        }
        None => Case { order, client: life.client, worker: life.worker, reason, queued_at: stored.at, reviewed: false },
    };
    tx.put_case(&case)
}
