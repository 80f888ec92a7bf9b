//! Running commands: the context a command runs in, recording its events, and delivering them to
//! the subscribed contexts exactly once.

use chrono::{DateTime, Utc};

use crate::authz::Actor;
use crate::error::Result;
use crate::ids::{AccountId, EventSeq};
use crate::kernel::events::{DomainEvent, EventLog, NewEvent, RecordedEvent};

/// Who runs a command, and when (time comes in from the shell, never from the system clock).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// Appends an event caused by the actor at the command's time; returns its position.
pub fn record<E: DomainEvent>(tx: &mut (impl EventLog + ?Sized), ctx: &Ctx, event: E) -> Result<EventSeq> {
    append(tx, ctx.now, Some(ctx.actor.id), &event)
}

/// Appends an event with an explicit time and actor. Subscribers record their reactions with the
/// cause's time and actor (a hired worker's account is created by whoever hired them, when they
/// did); `None` is crew itself (the first admin).
pub fn append<E: DomainEvent>(
    tx: &mut (impl EventLog + ?Sized),
    at: DateTime<Utc>,
    actor: Option<AccountId>,
    event: &E,
) -> Result<EventSeq> {
    tx.append_event(&NewEvent::encode(at, actor, event)?)
}

/// A context that reacts to events, its own or other contexts'.
///
/// `T` is the transaction it works through: each context implements it for every `T` that offers
/// its own transaction trait (`impl<T: OrderingTx + ?Sized> Subscriber<T>`), so it can reach only
/// what that trait allows. `handle` runs inside the transaction that advances the subscriber's
/// position, so an event's effects and the fact that it was handled commit together: each event
/// is handled exactly once.
pub trait Subscriber<T: ?Sized> {
    /// A stable name: the subscriber's position is stored under it. Never rename one.
    fn name(&self) -> &'static str;
    /// Reacts to one event (most subscribers ignore most events: see [`RecordedEvent::decode`]).
    fn handle(&self, tx: &mut T, event: &RecordedEvent) -> Result<()>;
}

const BATCH: usize = 500;

/// Hands every event each subscriber has not seen yet to it, in log order, until none is behind
/// (a subscriber's reaction may append events that others then handle). Returns how many
/// deliveries were made.
pub fn dispatch<T, S>(tx: &mut T, subscribers: &[Box<S>]) -> Result<usize>
where
    T: EventLog + ?Sized,
    S: Subscriber<T> + ?Sized,
{
    let mut delivered = 0;
    loop {
        let mut progressed = false;
        for subscriber in subscribers {
            let mut position = tx.subscriber_position(subscriber.name())?;
            loop {
                let batch = tx.events_after(position, BATCH)?;
                if batch.is_empty() {
                    break;
                }
                for event in &batch {
                    subscriber.handle(tx, event)?;
                    position = event.seq;
                    delivered += 1;
                }
                tx.set_subscriber_position(subscriber.name(), position)?;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(delivered);
        }
    }
}
