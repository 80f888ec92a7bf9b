//! The event log on PostgreSQL: append-only (triggers refuse UPDATE, DELETE and TRUNCATE), and
//! each subscriber's position.

use crew_core::error::Result;
use crew_core::ids::{AccountId, ApplicationId, EventSeq, OrderId};
use crew_core::kernel::clock::{ClockPolicy, ClockStore};
use crew_core::kernel::events::{EventFilter, EventLog, NewEvent, RecordedEvent};
use crew_core::kernel::installation::InstallationRead;
use postgres::Row;

use super::row::{PgTx, get, int, narrow};

const EVENT_COLUMNS: &str = "seq, at, actor_id, type, version, payload, recorded_at";

fn event_row(row: &Row) -> Result<RecordedEvent> {
    Ok(RecordedEvent {
        seq: EventSeq::new(get(row, 0)?),
        at: get(row, 1)?,
        actor: get::<Option<i64>>(row, 2)?.map(AccountId::new),
        type_name: get(row, 3)?,
        version: narrow(get(row, 4)?)?,
        payload: get(row, 5)?,
        recorded_at: get(row, 6)?,
    })
}

fn event_rows(rows: Vec<Row>) -> Result<Vec<RecordedEvent>> {
    rows.iter().map(event_row).collect()
}

impl EventLog for PgTx<'_, '_> {
    fn append_event(&mut self, event: &NewEvent) -> Result<EventSeq> {
        // The real time, never before the previous event's (a clock stepped back must not make
        // the log run backwards); writers hold the schema's lock, so "previous" is well defined.
        let row = self.query_one(
            "INSERT INTO events (at, actor_id, type, version, order_id, application_id, payload, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, greatest(date_trunc('microseconds', clock_timestamp()),
                 (SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1)))
             RETURNING seq",
            &[
                &event.at,
                &event.actor.map(AccountId::get),
                &event.type_name,
                &i64::from(event.version),
                &event.subject.order.map(OrderId::get),
                &event.subject.application.map(ApplicationId::get),
                &event.payload,
            ],
        )?;
        Ok(EventSeq::new(get(&row, 0)?))
    }

    fn events_after(&mut self, after: EventSeq, limit: usize) -> Result<Vec<RecordedEvent>> {
        let rows = self.query(
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[&after.get(), &int(limit)?],
        )?;
        event_rows(rows)
    }

    fn find_events(&mut self, filter: &EventFilter) -> Result<Vec<RecordedEvent>> {
        let limit = filter.limit.map(int).transpose()?;
        let rows = self.query(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE ($1::bigint IS NULL OR order_id = $1) AND ($2::timestamptz IS NULL OR at >= $2) AND seq > $3
                   AND ($5::bigint IS NULL OR application_id = $5)
                 ORDER BY seq LIMIT $4"
            ),
            &[
                &filter.order.map(OrderId::get),
                &filter.since,
                &filter.after.unwrap_or(EventSeq::START).get(),
                &limit,
                &filter.application.map(ApplicationId::get),
            ],
        )?;
        event_rows(rows)
    }

    fn subscriber_position(&mut self, subscriber: &str) -> Result<EventSeq> {
        let row = self.query_opt("SELECT position FROM subscriptions WHERE name = $1", &[&subscriber])?;
        Ok(match row {
            Some(row) => EventSeq::new(get(&row, 0)?),
            None => EventSeq::START,
        })
    }

    fn last_event_seq(&mut self) -> Result<EventSeq> {
        let row = self.query_one("SELECT max(seq) FROM events", &[])?;
        Ok(get::<Option<i64>>(&row, 0)?.map_or(EventSeq::START, EventSeq::new))
    }

    fn last_event_of(&mut self, types: &[&str]) -> Result<EventSeq> {
        let row = self.query_opt("SELECT seq FROM events WHERE type = ANY($1) ORDER BY seq DESC LIMIT 1", &[&types])?;
        Ok(match row {
            Some(row) => EventSeq::new(get(&row, 0)?),
            None => EventSeq::START,
        })
    }

    fn set_subscriber_position(&mut self, subscriber: &str, seq: EventSeq) -> Result<()> {
        self.execute(
            "INSERT INTO subscriptions (name, position) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            &[&subscriber, &seq.get()],
        )?;
        Ok(())
    }
}

impl InstallationRead for PgTx<'_, '_> {
    fn installation_key(&mut self) -> Result<String> {
        let row = self.query_one("SELECT key FROM installation WHERE id = 1", &[])?;
        get(&row, 0)
    }
}

impl ClockStore for PgTx<'_, '_> {
    fn clock_policy(&mut self) -> Result<ClockPolicy> {
        let row = self.query_opt("SELECT policy FROM clock_policy WHERE id = 1", &[])?;
        let policy: Option<String> = row.map(|r| get(&r, 0)).transpose()?;
        Ok(match policy.as_deref() {
            Some("chosen") => ClockPolicy::Chosen,
            _ => ClockPolicy::System,
        })
    }

    fn set_clock_policy(&mut self, policy: ClockPolicy) -> Result<()> {
        self.execute("INSERT INTO clock_policy (id, policy) VALUES (1, $1)", &[&policy.as_str()])?;
        Ok(())
    }
}
