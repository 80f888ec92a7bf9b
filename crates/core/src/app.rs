//! Running commands: the context a command runs in, recording events, and delivering them to the
//! subscribed contexts exactly once.

use chrono::{DateTime, Utc};

use crate::authz::Actor;
use crate::error::Result;
use crate::events::{Event, StoredEvent};
use crate::ids::EventSeq;
use crate::matching::WorkerDefaults;
use crate::store::{Store, Tx};

/// Who runs a command, and when (time comes in from the shell, never from the system clock).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// Appends an event caused by the actor at the command's time.
pub fn record(tx: &mut dyn Tx, ctx: &Ctx, event: Event) -> Result<EventSeq> {
    tx.append_event(ctx.now, Some(ctx.actor.id), &event)
}

/// A context that reacts to events from others.
///
/// `handle` runs inside the transaction that advances the subscriber's position, so an event's
/// effects and the fact that it was handled commit together: each event is handled exactly once.
pub trait Subscriber {
    /// A stable name: the subscriber's position is stored under it. Never rename one.
    fn name(&self) -> &'static str;
    fn handle(&self, tx: &mut dyn Tx, event: &StoredEvent) -> Result<()>;
}

/// The subscribers of this build, in the order they run (IAM first: others look up the accounts
/// it creates).
pub fn subscribers(worker_defaults: WorkerDefaults) -> Vec<Box<dyn Subscriber>> {
    vec![
        Box::new(crate::iam::WorkerAccounts),
        Box::new(crate::ordering::MatchedAssignments),
        Box::new(crate::matching::MatchingView { defaults: worker_defaults }),
        Box::new(crate::mail::Notifications),
    ]
}

const BATCH: usize = 500;

/// Hands every event each subscriber has not seen yet to it, in log order, until none is behind
/// (a subscriber's reaction may append events that others then handle). Returns how many
/// deliveries were made.
pub fn dispatch(tx: &mut dyn Tx, subscribers: &[Box<dyn Subscriber>]) -> Result<usize> {
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

/// Runs a command in one write transaction and lets every subscriber catch up before commit.
pub fn execute<S: Store, R>(
    store: &mut S,
    subscribers: &[Box<dyn Subscriber>],
    command: impl FnOnce(&mut dyn Tx) -> Result<R>,
) -> Result<R> {
    store.write(|tx| {
        let out = command(tx)?;
        dispatch(tx, subscribers)?;
        Ok(out)
    })
}

/// Like [`execute`], but rolled back: what the command would do.
pub fn rehearse<S: Store, R>(
    store: &mut S,
    subscribers: &[Box<dyn Subscriber>],
    command: impl FnOnce(&mut dyn Tx) -> Result<R>,
) -> Result<R> {
    store.rehearse(|tx| {
        let out = command(tx)?;
        dispatch(tx, subscribers)?;
        Ok(out)
    })
}
