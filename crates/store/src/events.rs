//! The event log: append-only (triggers refuse UPDATE and DELETE), and each subscriber's position.

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

impl EventLog for SqliteTx<'_> {
    fn append_event(&mut self, event: &NewEvent) -> Result<EventSeq> {
        self.conn
            .prepare_cached(
                // The real time, never before the previous event's (a clock stepped back must
                // not make the log run backwards). Same width as `ts`: sorts as text.
                "INSERT INTO events (at, actor_id, type, version, order_id, application_id, payload, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, max(strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'),
                     coalesce((SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1), '')))",
            )
            .and_then(|mut s| {
                s.execute(params![
                    ts(event.at),
                    event.actor.map(AccountId::get),
                    event.type_name,
                    event.version,
                    event.subject.order.map(OrderId::get),
                    event.subject.application.map(ApplicationId::get),
                    event.payload
                ])
            })
            .map_err(internal)?;
        Ok(EventSeq::new(self.conn.last_insert_rowid()))
    }

    fn append_events(&mut self, events: &[NewEvent]) -> Result<Vec<EventSeq>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        // The positions and the real time append_event would give the first of them; the rest
        // follow at the same real time.
        let (mut next, recorded_at): (i64, String) = self
            .conn
            .prepare_cached(
                "SELECT coalesce(max(seq), 0) + 1, max(strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'),
                     coalesce((SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1), ''))
                 FROM events",
            )
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(internal)?;
        let mut seqs = Vec::with_capacity(events.len());
        let mut times = batch::Times::default();
        let insert = batch::Insert {
            head:
                "INSERT INTO events (seq, at, actor_id, type, version, order_id, application_id, payload, recorded_at)
                 VALUES ",
            row: "(#, #, #, #, #, #, #, #, ?1)",
            tail: "",
            shared: &[&recorded_at],
        };
        insert
            .run(self.conn, events, |stmt, p, e| {
                stmt.raw_bind_parameter(p, next)?;
                stmt.raw_bind_parameter(p + 1, times.ts(e.at))?;
                stmt.raw_bind_parameter(p + 2, e.actor.map(AccountId::get))?;
                stmt.raw_bind_parameter(p + 3, e.type_name)?;
                stmt.raw_bind_parameter(p + 4, e.version)?;
                stmt.raw_bind_parameter(p + 5, e.subject.order.map(OrderId::get))?;
                stmt.raw_bind_parameter(p + 6, e.subject.application.map(ApplicationId::get))?;
                stmt.raw_bind_parameter(p + 7, &e.payload)?;
                seqs.push(EventSeq::new(next));
                next += 1;
                Ok(())
            })
            .map_err(internal)?;
        Ok(seqs)
    }

    fn events_after(&mut self, after: EventSeq, limit: usize) -> Result<Vec<RecordedEvent>> {
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
