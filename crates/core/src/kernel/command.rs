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
    /// Reacts to a batch of events, in log order, as [`handle`](Self::handle) on each in turn
    /// (the default). A subscriber that can store a batch's reactions at once (mail queuing an
    /// intake's acknowledgements in a few statements) overrides it; what it stores must be what
    /// `handle` one by one would have stored.
    fn handle_all(&self, tx: &mut T, events: &[RecordedEvent]) -> Result<()> {
        events.iter().try_for_each(|event| self.handle(tx, event))
    }
}

const BATCH: usize = 500;

/// Hands every event each subscriber has not seen yet to it, in log order, until none is behind
/// (a subscriber's reaction may append events that others then handle). Returns how many
/// deliveries were made.
///
/// Each event is read from the log once per dispatch, not once per subscriber: the log is
/// append-only, so the events one subscriber was handed are kept ([`Tail`]) and handed to the
/// next as they are (an intake of 100,000 rows otherwise read its 100,000 events once for every
/// subscriber). Subscribers still run one after another, each over everything it has not seen.
pub fn dispatch<T, S>(tx: &mut T, subscribers: &[Box<S>]) -> Result<usize>
where
    T: EventLog + ?Sized,
    S: Subscriber<T> + ?Sized,
{
    let mut delivered = 0;
    let mut tail = Tail::default();
    loop {
        let mut progressed = false;
        for subscriber in subscribers {
            let mut position = tx.subscriber_position(subscriber.name())?;
            loop {
                let batch = tail.after(tx, position)?;
                if batch.is_empty() {
                    break;
                }
                let events = &tail.events[batch];
                subscriber.handle_all(tx, events)?;
                position = events.last().map_or(position, |e| e.seq);
                delivered += events.len();
                tx.set_subscriber_position(subscriber.name(), position)?;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(delivered);
        }
    }
}

/// Lets the subscribers catch up part-way through a long command, so that its events are handled
/// as it goes instead of all being held until it ends (an intake of 100,000 rows otherwise kept
/// its 100,000 events in memory for the dispatch after it: 20 MiB; BENCHMARKS.md, "Intake").
///
/// Only a command whose events are complete facts when it calls `catch_up` may call it (the
/// subscribers see the transaction as it is then); everything still commits or rolls back as one,
/// and the dispatch at the command's end hands over whatever came after. `()` never catches up:
/// every event waits for that last dispatch, as for any other command.
pub trait CatchUp<T: ?Sized> {
    /// Hands every event recorded so far to the subscribers that have not seen it.
    fn catch_up(&mut self, tx: &mut T) -> Result<()>;
}

impl<T: ?Sized> CatchUp<T> for () {
    fn catch_up(&mut self, _: &mut T) -> Result<()> {
        Ok(())
    }
}

/// A command's subscribers, caught up by [`dispatch`] (the same as at the command's end).
pub struct Subscribers<'a, S: ?Sized>(pub &'a [Box<S>]);

impl<T, S> CatchUp<T> for Subscribers<'_, S>
where
    T: EventLog + ?Sized,
    S: Subscriber<T> + ?Sized,
{
    fn catch_up(&mut self, tx: &mut T) -> Result<()> {
        dispatch(tx, self.0).map(drop)
    }
}

/// The events one dispatch has read: every event of the log with `from < seq`, up to the last
/// one kept, in order (no gaps: each read continues where the previous one ended).
struct Tail {
    from: EventSeq,
    events: Vec<RecordedEvent>,
}

impl Default for Tail {
    fn default() -> Self {
        Tail { from: EventSeq::START, events: Vec::new() }
    }
}

impl Tail {
    /// Where in `events` the next batch after `position` is (at most [`BATCH`] events; empty at
    /// the end of the log), reading from the log only what is not kept yet.
    fn after<T: EventLog + ?Sized>(&mut self, tx: &mut T, position: EventSeq) -> Result<std::ops::Range<usize>> {
        let last = self.events.last().map_or(self.from, |e| e.seq);
        if position < self.from || position > last {
            // Not within what is kept (a subscriber further behind, or ahead): start again there.
            self.from = position;
            self.events = Tail::read(tx, position)?;
            return Ok(0..self.events.len().min(BATCH));
        }
        let start = self.events.partition_point(|e| e.seq <= position);
        if start == self.events.len() {
            // At the end of what is kept: the log may have grown since (reactions append).
            let more = Tail::read(tx, last)?;
            if self.events.is_empty() {
                self.events = more;
            } else {
                self.events.extend(more);
            }
        }
        Ok(start..self.events.len().min(start + BATCH))
    }

    /// The events after `after`: all of them if the store holds them in memory (handed over
    /// whole, not a batch at a time into a second list), else the next [`BATCH`] read.
    fn read<T: EventLog + ?Sized>(tx: &mut T, after: EventSeq) -> Result<Vec<RecordedEvent>> {
        match tx.take_kept_after(after)? {
            // Every event to the end of the log: none means the end (no read needed to know).
            Some(kept) => Ok(kept),
            None => tx.events_after(after, BATCH),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::error::Error;
    use crate::kernel::events::EventFilter;

    /// An event log in memory that counts the events it hands out; if it `keeps` them, the
    /// events appended since it last handed its kept ones over are kept to hand over whole, as
    /// a store keeps the events of its transaction.
    #[derive(Default)]
    struct Log {
        events: Vec<RecordedEvent>,
        positions: Vec<(String, EventSeq)>,
        read: usize,
        keeps: bool,
        kept: Vec<RecordedEvent>,
        handed: usize,
    }

    impl Log {
        fn push(&mut self, type_name: &str) -> EventSeq {
            let seq = EventSeq::new(self.events.len() as i64 * 2 + 1); // with gaps, as a log may have
            self.events.push(RecordedEvent {
                seq,
                at: chrono::DateTime::UNIX_EPOCH,
                recorded_at: None,
                actor: None,
                type_name: type_name.to_string(),
                version: 1,
                payload: "{}".into(),
            });
            if self.keeps {
                self.kept.push(self.events[self.events.len() - 1].clone());
            }
            seq
        }
    }

    impl EventLog for Log {
        fn append_event(&mut self, event: &NewEvent) -> Result<EventSeq> {
            Ok(self.push(event.type_name))
        }
        fn events_after(&mut self, after: EventSeq, limit: usize) -> Result<Vec<RecordedEvent>> {
            let out: Vec<_> = self.events.iter().filter(|e| e.seq > after).take(limit).cloned().collect();
            self.read += out.len();
            Ok(out)
        }
        fn take_kept_after(&mut self, after: EventSeq) -> Result<Option<Vec<RecordedEvent>>> {
            // Kept events are handed over only if none of the log's falls between `after` and them.
            let first = self.kept.first().map(|e| e.seq);
            if first.is_none_or(|first| self.events.iter().any(|e| e.seq > after && e.seq < first)) {
                return Ok(None);
            }
            let kept: Vec<_> = std::mem::take(&mut self.kept).into_iter().filter(|e| e.seq > after).collect();
            self.handed += kept.len();
            Ok(Some(kept))
        }
        fn find_events(&mut self, _: &EventFilter) -> Result<Vec<RecordedEvent>> {
            Err(Error::internal("not used"))
        }
        fn subscriber_position(&mut self, subscriber: &str) -> Result<EventSeq> {
            Ok(self.positions.iter().find(|(n, _)| n == subscriber).map_or(EventSeq::START, |(_, p)| *p))
        }
        fn set_subscriber_position(&mut self, subscriber: &str, seq: EventSeq) -> Result<()> {
            self.positions.retain(|(n, _)| n != subscriber);
            self.positions.push((subscriber.to_string(), seq));
            Ok(())
        }
        fn last_event_seq(&mut self) -> Result<EventSeq> {
            Ok(self.events.last().map_or(EventSeq::START, |e| e.seq))
        }
        fn last_event_of(&mut self, _: &[&str]) -> Result<EventSeq> {
            Err(Error::internal("not used"))
        }
    }

    /// Records what it is handed; reacts to each `cause` with a `reaction` event of its own.
    struct Recorder {
        name: &'static str,
        seen: RefCell<Vec<EventSeq>>,
        reacts: bool,
    }

    impl Subscriber<Log> for Recorder {
        fn name(&self) -> &'static str {
            self.name
        }
        fn handle(&self, tx: &mut Log, event: &RecordedEvent) -> Result<()> {
            self.seen.borrow_mut().push(event.seq);
            if self.reacts && event.type_name == "cause" {
                tx.push("reaction");
            }
            Ok(())
        }
    }

    fn recorder(name: &'static str, reacts: bool) -> Box<Recorder> {
        Box::new(Recorder { name, seen: RefCell::new(Vec::new()), reacts })
    }

    #[test]
    fn catching_up_hands_every_event_so_far_to_every_subscriber_once_and_nothing_catches_up_with_none() {
        let mut log = Log::default();
        let subscribers = vec![recorder("a", false), recorder("b", true)];
        let first = log.push("cause");
        // `()` never catches up: nothing is handed over.
        CatchUp::catch_up(&mut (), &mut log).unwrap();
        assert!(subscribers.iter().all(|s| s.seen.borrow().is_empty()));
        Subscribers(&subscribers).catch_up(&mut log).unwrap();
        let reaction = log.last_event_seq().unwrap();
        for s in &subscribers {
            assert_eq!(*s.seen.borrow(), [first, reaction], "{} has caught up, its reactions included", s.name);
        }
        // The dispatch at the command's end hands over only what came after.
        let later = log.push("other");
        assert_eq!(dispatch(&mut log, &subscribers).unwrap(), 2);
        assert_eq!(*subscribers[0].seen.borrow(), [first, reaction, later]);
    }

    #[test]
    fn every_subscriber_handles_every_event_once_in_order_and_the_log_is_read_about_once() {
        let mut log = Log::default();
        for _ in 0..(BATCH * 2 + 7) {
            log.push("cause");
        }
        // The second reacts: its reactions are appended after the first has finished, so the
        // first handles them on the next round, the third in its turn.
        let subscribers = vec![recorder("a", false), recorder("b", true), recorder("c", false)];
        let delivered = dispatch(&mut log, &subscribers).unwrap();
        let all: Vec<EventSeq> = log.events.iter().map(|e| e.seq).collect();
        assert_eq!(all.len(), (BATCH * 2 + 7) * 2);
        for s in &subscribers {
            assert_eq!(*s.seen.borrow(), all, "{} sees every event once, in order", s.name);
            assert_eq!(log.subscriber_position(s.name).unwrap(), *all.last().unwrap());
        }
        assert_eq!(delivered, all.len() * 3);
        assert_eq!(log.read, all.len(), "each event is read from the log once");

        // Nothing new: nothing is delivered. One more event: each subscriber gets just that one.
        assert_eq!(dispatch(&mut log, &subscribers).unwrap(), 0);
        let one = log.push("other");
        assert_eq!(dispatch(&mut log, &subscribers).unwrap(), 3);
        assert!(subscribers.iter().all(|s| s.seen.borrow().last() == Some(&one)));
    }

    #[test]
    fn events_the_log_keeps_are_handed_over_whole_and_each_is_handled_once_in_order() {
        let mut log = Log { keeps: true, ..Log::default() };
        for _ in 0..(BATCH * 2 + 7) {
            log.push("cause");
        }
        let subscribers = vec![recorder("a", false), recorder("b", true), recorder("c", false)];
        let delivered = dispatch(&mut log, &subscribers).unwrap();
        let all: Vec<EventSeq> = log.events.iter().map(|e| e.seq).collect();
        assert_eq!(all.len(), (BATCH * 2 + 7) * 2, "the reactions too");
        for s in &subscribers {
            assert_eq!(*s.seen.borrow(), all, "{} sees every event once, in order", s.name);
        }
        assert_eq!(delivered, all.len() * 3);
        assert_eq!((log.read, log.handed), (0, all.len()), "every event handed over once, none read");
        // A subscriber behind what was handed over reads the log from its own position.
        let late = vec![recorder("late", false)];
        dispatch(&mut log, &late).unwrap();
        assert_eq!(*late[0].seen.borrow(), all);
        assert_eq!(log.read, all.len());
    }

    #[test]
    fn a_subscriber_far_behind_the_others_catches_up_from_its_own_position() {
        let mut log = Log::default();
        for _ in 0..(BATCH + 3) {
            log.push("cause");
        }
        let first = vec![recorder("a", false)];
        dispatch(&mut log, &first).unwrap();
        for _ in 0..5 {
            log.push("cause");
        }
        // `a` is 5 behind, the new `n` everything: both end with every event seen once.
        let subscribers = vec![recorder("a", false), recorder("n", false)];
        dispatch(&mut log, &subscribers).unwrap();
        let all: Vec<EventSeq> = log.events.iter().map(|e| e.seq).collect();
        assert_eq!(subscribers[0].seen.borrow().len(), 5);
        assert_eq!(*subscribers[1].seen.borrow(), all);
    }
}
