//! The event log: append-only (triggers refuse UPDATE and DELETE), and each subscriber's position.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, ApplicationId, EventSeq, OrderId};
use crew_core::kernel::clock::{ClockPolicy, ClockStore};
use crew_core::kernel::events::{EventFilter, EventLog, NewEvent, RecordedEvent};
use crew_core::kernel::installation::InstallationRead;
use rusqlite::{OptionalExtension, Row, params};

use crate::batch;
use crate::row::{SqliteTx, col, internal, opt_col, time, ts};

const EVENT_COLUMNS: &str = "seq, at, actor_id, type, version, payload, recorded_at";

fn event_row(row: &Row<'_>) -> rusqlite::Result<RecordedEvent> {
    Ok(RecordedEvent {
        seq: EventSeq::new(row.get(0)?),
        at: col(row, 1, time)?,
        actor: row.get::<_, Option<i64>>(2)?.map(AccountId::new),
        type_name: row.get(3)?,
        version: row.get(4)?,
        payload: row.get(5)?,
        recorded_at: opt_col(row, 6, time)?,
    })
}

/// The event `append_event(s)` stored, as `events_after` reads it back: its time to the
/// microsecond as stored, the real time the log gave it.
fn as_read_back(event: &NewEvent, seq: EventSeq, at: DateTime<Utc>, recorded_at: DateTime<Utc>) -> RecordedEvent {
    RecordedEvent {
        seq,
        at,
        recorded_at: Some(recorded_at),
        actor: event.actor,
        type_name: event.type_name.to_string(),
        version: event.version,
        payload: event.payload.clone(),
    }
}

/// The newest events of the log, appended by this transaction and not yet handed out by
/// `events_after`, oldest first: a dispatch hands a command's events to the subscribers without
/// reading back from the log what it has just written (an intake's 80,000-odd events; BENCHMARKS.md,
/// "Intake").
///
/// What is kept is always every event of the log from the first kept one on: each append pushes
/// what it stored; an append that fails forgets everything (some rows of a batch may be in the log),
/// and so does a position that does not follow the last kept one (a rolled-back savepoint let the
/// log reuse it). `events_after` uses them only when they cover the position asked for and the log's newest
/// event is the last kept one; otherwise it reads the log, as it always may.
#[derive(Default)]
pub(crate) struct Appended {
    events: VecDeque<RecordedEvent>,
}

impl Appended {
    fn push(&mut self, event: RecordedEvent) {
        // The log numbers its events one after another: anything else means it changed in a way
        // this did not see.
        if self.events.back().is_some_and(|last| last.seq.get() + 1 != event.seq.get()) {
            self.events.clear();
        }
        self.events.push_back(event);
    }

    fn forget(&mut self) {
        self.events.clear();
    }

    /// Whether every event after `after` is kept (none is missing between `after` and the first).
    fn covers(&self, after: EventSeq) -> bool {
        self.events.front().is_some_and(|first| after.get() >= first.seq.get() - 1)
    }

    fn newest(&self) -> Option<EventSeq> {
        self.events.back().map(|e| e.seq)
    }

    /// The kept events after `after`, at most `limit`; they and those before them are forgotten
    /// (a reader further behind reads the log).
    fn take_after(&mut self, after: EventSeq, limit: usize) -> Vec<RecordedEvent> {
        while self.events.front().is_some_and(|e| e.seq <= after) {
            self.events.pop_front();
        }
        self.events.drain(..limit.min(self.events.len())).collect()
    }

    /// Every kept event after `after`, handed over in the list they were kept in (no copy of
    /// the events; made contiguous in place); nothing is kept afterwards.
    fn take_all_after(&mut self, after: EventSeq) -> Vec<RecordedEvent> {
        while self.events.front().is_some_and(|e| e.seq <= after) {
            self.events.pop_front();
        }
        Vec::from(std::mem::take(&mut self.events))
    }
}

impl SqliteTx<'_> {
    /// Keeps the events of a batch just appended (see [`Appended`]).
    fn keep_appended(&mut self, events: &[NewEvent], seqs: &[EventSeq], recorded_at: &str) -> Result<()> {
        let recorded_at = time(recorded_at)?;
        // A batch's events mostly share one time: read each distinct time back once.
        let mut back: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for (event, seq) in events.iter().zip(seqs) {
            let at = match back {
                Some((given, read)) if given == event.at => read,
                _ => {
                    let read = time(&ts(event.at))?;
                    back = Some((event.at, read));
                    read
                }
            };
            self.appended.push(as_read_back(event, *seq, at, recorded_at));
        }
        Ok(())
    }
}

impl EventLog for SqliteTx<'_> {
    fn append_event(&mut self, event: &NewEvent) -> Result<EventSeq> {
        let stored = self
            .conn
            .prepare_cached(
                // The real time, never before the previous event's (a clock stepped back must
                // not make the log run backwards). Same width as `ts`: sorts as text.
                "INSERT INTO events (at, actor_id, type, version, order_id, application_id, payload, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, max(strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'),
                     coalesce((SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1), '')))
                 RETURNING seq, recorded_at",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        ts(event.at),
                        event.actor.map(AccountId::get),
                        event.type_name,
                        event.version,
                        event.subject.order.map(OrderId::get),
                        event.subject.application.map(ApplicationId::get),
                        event.payload
                    ],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
                )
            })
            .map_err(internal);
        let (seq, recorded_at) = match stored {
            Ok(stored) => stored,
            Err(e) => {
                self.appended.forget();
                return Err(e);
            }
        };
        let seq = EventSeq::new(seq);
        match (time(&ts(event.at)), time(&recorded_at)) {
            (Ok(at), Ok(recorded_at)) => self.appended.push(as_read_back(event, seq, at, recorded_at)),
            _ => self.appended.forget(),
        }
        Ok(seq)
    }

    fn append_events(&mut self, events: &[NewEvent]) -> Result<Vec<EventSeq>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        // The positions and the real time append_event would give the first of them; the rest
        // follow at the same real time.
        let (first, recorded_at): (i64, String) = self
            .conn
            .prepare_cached(
                "SELECT coalesce(max(seq), 0) + 1, max(strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'),
                     coalesce((SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1), ''))
                 FROM events",
            )
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(internal)?;
        let mut times = batch::Times::default();
        // Each position is the largest so far + 1, SQLite's own ([`batch::expect_rowids`]).
        let insert = batch::Insert {
            head: "INSERT INTO events (at, actor_id, type, version, order_id, application_id, payload, recorded_at)
                 VALUES ",
            row: "(#, #, #, #, #, #, #, ?1)",
            tail: "",
            shared: &[&recorded_at],
        };
        let stored = insert
            .run(self.conn, &mut self.statements, events, |row, e| {
                row.text_copy(0, times.ts(e.at))?;
                row.opt_int(1, e.actor.map(AccountId::get))?;
                row.text(2, e.type_name)?;
                row.int(3, i64::from(e.version))?;
                row.opt_int(4, e.subject.order.map(OrderId::get))?;
                row.opt_int(5, e.subject.application.map(ApplicationId::get))?;
                row.text(6, &e.payload)
            })
            .map_err(internal)
            .and_then(|stored| batch::expect_rowids(self.conn, first, stored, events.len(), "events"));
        let seqs: Vec<EventSeq> = match stored {
            Ok(seqs) => seqs.map(EventSeq::new).collect(),
            Err(e) => {
                // Some of the rows may be in the log (a statement per chunk): keep nothing.
                self.appended.forget();
                return Err(e);
            }
        };
        if self.keep_appended(events, &seqs, &recorded_at).is_err() {
            self.appended.forget();
        }
        Ok(seqs)
    }

    fn take_kept_after(&mut self, after: EventSeq) -> Result<Option<Vec<RecordedEvent>>> {
        if self.appended.covers(after) && self.appended.newest() == Some(self.last_event_seq()?) {
            return Ok(Some(self.appended.take_all_after(after)));
        }
        Ok(None)
    }

    fn events_after(&mut self, after: EventSeq, limit: usize) -> Result<Vec<RecordedEvent>> {
        if self.appended.covers(after) && self.appended.newest() == Some(self.last_event_seq()?) {
            return Ok(self.appended.take_after(after, limit));
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"))
            .map_err(internal)?;
        let rows = stmt.query_map(params![after.get(), limit as i64], event_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn find_events(&mut self, filter: &EventFilter) -> Result<Vec<RecordedEvent>> {
        let mut stmt = self.conn.prepare_cached(&find_events_sql()).map_err(internal)?;
        let rows = stmt
            .query_map(
                params![
                    filter.order.map(OrderId::get),
                    filter.since.map(ts),
                    filter.after.unwrap_or(EventSeq::START).get(),
                    filter.limit.map_or(-1, |l| l as i64),
                    filter.application.map(ApplicationId::get)
                ],
                event_row,
            )
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn subscriber_position(&mut self, subscriber: &str) -> Result<EventSeq> {
        let pos: Option<i64> = self
            .conn
            .prepare_cached("SELECT position FROM subscriptions WHERE name = ?1")
            .and_then(|mut s| s.query_row([subscriber], |r| r.get(0)).optional())
            .map_err(internal)?;
        Ok(pos.map_or(EventSeq::START, EventSeq::new))
    }

    fn last_event_seq(&mut self) -> Result<EventSeq> {
        let seq: Option<i64> =
            self.conn.query_row("SELECT max(seq) FROM events", [], |r| r.get(0)).map_err(internal)?;
        Ok(seq.map_or(EventSeq::START, EventSeq::new))
    }

    fn last_event_of(&mut self, types: &[&str]) -> Result<EventSeq> {
        let list = serde_json::to_string(types).map_err(|e| Error::internal(e.to_string()))?;
        let seq: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT seq FROM events WHERE type IN (SELECT value FROM json_each(?1)) ORDER BY seq DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row([list], |r| r.get(0)).optional())
            .map_err(internal)?;
        Ok(seq.map_or(EventSeq::START, EventSeq::new))
    }

    fn set_subscriber_position(&mut self, subscriber: &str, seq: EventSeq) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO subscriptions (name, position) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            )
            .and_then(|mut s| s.execute(params![subscriber, seq.get()]))
            .map_err(internal)?;
        Ok(())
    }
}

impl InstallationRead for SqliteTx<'_> {
    fn installation_key(&mut self) -> Result<String> {
        self.conn
            .prepare_cached("SELECT key FROM installation WHERE id = 1")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(internal)
    }
}

impl ClockStore for SqliteTx<'_> {
    fn clock_policy(&mut self) -> Result<ClockPolicy> {
        // A database opened read-only before its migrations could run has no such table yet: it
        // was made before policies existed, so it runs on the system clock.
        let exists: bool = self
            .conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'clock_policy'",
                [],
                |r| r.get(0),
            )
            .map_err(internal)?;
        if !exists {
            return Ok(ClockPolicy::System);
        }
        let policy: Option<String> = self
            .conn
            .query_row("SELECT policy FROM clock_policy WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(internal)?;
        Ok(match policy.as_deref() {
            Some("chosen") => ClockPolicy::Chosen,
            _ => ClockPolicy::System,
        })
    }

    fn set_clock_policy(&mut self, policy: ClockPolicy) -> Result<()> {
        self.conn
            .execute("INSERT INTO clock_policy (id, policy) VALUES (1, ?1)", [policy.as_str()])
            .map_err(internal)?;
        Ok(())
    }
}

/// `find_events`' statement: planned once, without its filters (parameters), so SQLite walks the
/// log in `seq` order from `?3` (test `the_intakes_dropped_indexes_leave_every_query_its_plan`).
pub(crate) fn find_events_sql() -> String {
    format!(
        "SELECT {EVENT_COLUMNS} FROM events
         WHERE (?1 IS NULL OR order_id = ?1) AND (?2 IS NULL OR at >= ?2) AND seq > ?3
           AND (?5 IS NULL OR application_id = ?5)
         ORDER BY seq LIMIT ?4"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64) -> RecordedEvent {
        RecordedEvent {
            seq: EventSeq::new(seq),
            at: DateTime::UNIX_EPOCH,
            recorded_at: None,
            actor: None,
            type_name: "t".into(),
            version: 1,
            payload: "{}".into(),
        }
    }

    fn seqs(events: &[RecordedEvent]) -> Vec<i64> {
        events.iter().map(|e| e.seq.get()).collect()
    }

    #[test]
    fn kept_events_cover_only_positions_with_nothing_missing_before_the_first() {
        let mut kept = Appended::default();
        assert!(!kept.covers(EventSeq::new(0)), "nothing kept covers nothing");
        for seq in 5..=9 {
            kept.push(event(seq));
        }
        assert!(!kept.covers(EventSeq::new(3)), "event 4 is not kept");
        assert!(kept.covers(EventSeq::new(4)) && kept.covers(EventSeq::new(9)) && kept.covers(EventSeq::new(20)));
        assert_eq!(kept.newest(), Some(EventSeq::new(9)));
        assert_eq!(seqs(&kept.take_after(EventSeq::new(5), 2)), [6, 7]);
        assert!(!kept.covers(EventSeq::new(5)), "handed out events are forgotten");
        assert_eq!(seqs(&kept.take_after(EventSeq::new(7), 0)), Vec::<i64>::new());
        assert_eq!(seqs(&kept.take_after(EventSeq::new(7), 10)), [8, 9]);
        assert_eq!(kept.newest(), None);
    }

    #[test]
    fn a_position_that_does_not_follow_the_last_kept_one_forgets_the_rest() {
        let mut kept = Appended::default();
        for seq in [1, 2, 3] {
            kept.push(event(seq));
        }
        // A savepoint rolled back 3 and the log gave its position again.
        kept.push(event(3));
        assert_eq!(seqs(&kept.take_after(EventSeq::START, 10)), [3]);
        for seq in [4, 6] {
            kept.push(event(seq));
        }
        assert_eq!(seqs(&kept.take_after(EventSeq::new(3), 10)), [6], "after a gap only what follows it is kept");
        kept.push(event(7));
        kept.forget();
        assert_eq!(kept.newest(), None);
    }
}
