//! Matching's tables: worker profiles, its view of orders, past outcomes.

use chrono::{DateTime, Utc};
use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, OrderId, TimeOffId};
use crew_core::matching::time::{Slot, TimeOff};
use crew_core::matching::{
    MatchOrder, MatchingRead, MatchingStore, Outcome, WorkerFilter, WorkerProfile, WorkerStatus,
};
use crew_core::ordering::{OrderStatus, Timing};
use crew_core::settings::hours::WeeklyHours;
use crew_core::types::{ServiceCode, SkillSet, Text, Zone};
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, internal, time, ts};

fn profile_row(row: &Row<'_>) -> rusqlite::Result<WorkerProfile> {
    Ok(WorkerProfile {
        worker: AccountId::new(row.get(0)?),
        zone: col(row, 1, Zone::parse)?,
        skills: col(row, 2, SkillSet::parse)?,
        capacity: row.get(3)?,
        rating: row.get(4)?,
        status: col(row, 5, WorkerStatus::parse)?,
        hired_at: col(row, 6, time)?,
        load: row.get(7)?,
        completed: row.get(8)?,
        failed: row.get(9)?,
    })
}

const PROFILES: &str = "
    SELECT w.worker_id, w.zone, w.skills, w.capacity, w.rating, w.status, w.hired_at,
           coalesce(l.load, 0), coalesce(h.completed, 0), coalesce(h.failed, 0)
    FROM matching_workers w
    LEFT JOIN (SELECT worker_id, count(*) AS load FROM matching_orders
               WHERE worker_id IS NOT NULL AND status IN ('assigned', 'active') GROUP BY worker_id) l
           ON l.worker_id = w.worker_id
    LEFT JOIN (SELECT worker_id, sum(completed) AS completed, sum(failed) AS failed FROM matching_outcomes
               GROUP BY worker_id) h
           ON h.worker_id = w.worker_id";

fn match_order_row(row: &Row<'_>) -> rusqlite::Result<MatchOrder> {
    Ok(MatchOrder {
        order: OrderId::new(row.get(0)?),
        client: AccountId::new(row.get(1)?),
        service_type: col(row, 2, ServiceCode::parse)?,
        skills: col(row, 3, SkillSet::parse)?,
        zone: col(row, 4, Zone::parse)?,
        scheduled_at: col(row, 5, time)?,
        status: col(row, 6, OrderStatus::parse)?,
        worker: row.get::<_, Option<i64>>(7)?.map(AccountId::new),
        timing: Timing { duration_minutes: row.get(8)?, buffer_minutes: row.get(9)? },
    })
}

const MATCH_ORDER_COLUMNS: &str = "order_id, client_id, service_type, skills, zone, scheduled_at, status, worker_id, duration_minutes, buffer_minutes";

/// `(worker, slot)` from `worker_id, order_id, zone, scheduled_at, duration_minutes, buffer_minutes`.
fn slot_row(row: &Row<'_>) -> rusqlite::Result<(AccountId, Slot)> {
    let slot =
        Slot::new(OrderId::new(row.get(1)?), col(row, 2, Zone::parse)?, col(row, 3, time)?, row.get(4)?, row.get(5)?);
    Ok((AccountId::new(row.get(0)?), slot))
}

const SLOT_COLUMNS: &str = "worker_id, order_id, zone, scheduled_at, duration_minutes, buffer_minutes";

fn time_off_row(row: &Row<'_>) -> rusqlite::Result<TimeOff> {
    Ok(TimeOff {
        id: TimeOffId::new(row.get(0)?),
        worker: AccountId::new(row.get(1)?),
        starts_at: col(row, 2, time)?,
        ends_at: col(row, 3, time)?,
        reason: col(row, 4, Text::parse)?,
    })
}

const TIME_OFF_COLUMNS: &str = "id, worker_id, starts_at, ends_at, reason";

impl MatchingRead for SqliteTx<'_> {
    fn worker_profile(&mut self, worker: AccountId) -> Result<Option<WorkerProfile>> {
        self.conn
            .prepare_cached(&format!("{PROFILES} WHERE w.worker_id = ?1"))
            .and_then(|mut s| s.query_row([worker.get()], profile_row).optional())
            .map_err(internal)
    }

    fn worker_profiles(&mut self, f: &WorkerFilter) -> Result<Vec<WorkerProfile>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{PROFILES} WHERE (?1 IS NULL OR w.zone = ?1) AND (?2 IS NULL OR w.status = ?2) ORDER BY w.worker_id"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(params![f.zone.as_ref().map(Zone::as_str), f.status.map(WorkerStatus::as_str)], profile_row)
            .map_err(internal)?;
        let all: Vec<WorkerProfile> = rows.collect::<rusqlite::Result<_>>().map_err(internal)?;
        Ok(match &f.skill {
            Some(skill) => all.into_iter().filter(|p| p.skills.level(skill).is_some()).collect(),
            None => all,
        })
    }

    fn match_order(&mut self, order: OrderId) -> Result<Option<MatchOrder>> {
        self.conn
            .prepare_cached(&format!("SELECT {MATCH_ORDER_COLUMNS} FROM matching_orders WHERE order_id = ?1"))
            .and_then(|mut s| s.query_row([order.get()], match_order_row).optional())
            .map_err(internal)
    }

    fn held_slots(&mut self, worker: AccountId) -> Result<Vec<Slot>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SLOT_COLUMNS} FROM matching_orders
                 WHERE worker_id = ?1 AND status IN ('assigned', 'active') ORDER BY scheduled_at, order_id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([worker.get()], slot_row).map_err(internal)?;
        rows.map(|r| r.map(|(_, s)| s)).collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn worker_hours(&mut self, worker: AccountId) -> Result<Option<WeeklyHours>> {
        self.conn
            .prepare_cached("SELECT hours FROM matching_hours WHERE worker_id = ?1")
            .and_then(|mut s| s.query_row([worker.get()], |r| col(r, 0, WeeklyHours::parse)).optional())
            .map_err(internal)
    }

    fn worker_time_off(&mut self, worker: AccountId) -> Result<Vec<TimeOff>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TIME_OFF_COLUMNS} FROM matching_time_off WHERE worker_id = ?1 ORDER BY starts_at, id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([worker.get()], time_off_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

impl MatchingStore for SqliteTx<'_> {
    fn insert_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO matching_workers (worker_id, zone, skills, capacity, rating, status, hired_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    p.worker.get(),
                    p.zone.as_str(),
                    p.skills.to_string(),
                    p.capacity,
                    p.rating,
                    p.status.as_str(),
                    ts(p.hired_at)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn update_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE matching_workers SET zone = ?2, skills = ?3, capacity = ?4, rating = ?5, status = ?6
                 WHERE worker_id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    p.worker.get(),
                    p.zone.as_str(),
                    p.skills.to_string(),
                    p.capacity,
                    p.rating,
                    p.status.as_str()
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn upsert_match_order(&mut self, o: &MatchOrder) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO matching_orders ({MATCH_ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, worker_id = excluded.worker_id"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    o.order.get(),
                    o.client.get(),
                    o.service_type.as_str(),
                    o.skills.to_string(),
                    o.zone.as_str(),
                    ts(o.scheduled_at),
                    o.status.as_str(),
                    o.worker.map(AccountId::get),
                    o.timing.duration_minutes,
                    o.timing.buffer_minutes
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn open_match_orders(&mut self) -> Result<Vec<MatchOrder>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MATCH_ORDER_COLUMNS} FROM matching_orders WHERE status = 'open' ORDER BY scheduled_at, order_id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([], match_order_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn held_slots_since(&mut self, since: DateTime<Utc>) -> Result<Vec<(AccountId, Slot)>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SLOT_COLUMNS} FROM matching_orders
                 WHERE worker_id IS NOT NULL AND status IN ('assigned', 'active') AND scheduled_at >= ?1
                 ORDER BY worker_id, scheduled_at, order_id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([ts(since)], slot_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn all_worker_hours(&mut self) -> Result<Vec<(AccountId, WeeklyHours)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT worker_id, hours FROM matching_hours ORDER BY worker_id")
            .map_err(internal)?;
        let rows = stmt
            .query_map([], |r| Ok((AccountId::new(r.get(0)?), col(r, 1, WeeklyHours::parse)?)))
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn set_worker_hours(&mut self, worker: AccountId, hours: Option<&WeeklyHours>) -> Result<()> {
        if self.worker_profile(worker)?.is_none() {
            return Err(Error::conflict(format!("account #{worker} is not a worker in the pool")));
        }
        let done = match hours {
            Some(h) => self
                .conn
                .prepare_cached(
                    "INSERT INTO matching_hours (worker_id, hours) VALUES (?1, ?2)
                     ON CONFLICT (worker_id) DO UPDATE SET hours = excluded.hours",
                )
                .and_then(|mut s| s.execute(params![worker.get(), h.to_string()])),
            None => self
                .conn
                .prepare_cached("DELETE FROM matching_hours WHERE worker_id = ?1")
                .and_then(|mut s| s.execute([worker.get()])),
        };
        done.map(|_| ()).map_err(internal)
    }

    fn time_off_since(&mut self, since: DateTime<Utc>) -> Result<Vec<TimeOff>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TIME_OFF_COLUMNS} FROM matching_time_off WHERE ends_at > ?1 ORDER BY worker_id, starts_at, id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([ts(since)], time_off_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn insert_time_off(
        &mut self,
        worker: AccountId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: &Text,
    ) -> Result<TimeOffId> {
        if self.worker_profile(worker)?.is_none() {
            return Err(Error::conflict(format!("account #{worker} is not a worker in the pool")));
        }
        self.conn
            .prepare_cached(
                "INSERT INTO matching_time_off (worker_id, starts_at, ends_at, reason) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![worker.get(), ts(starts_at), ts(ends_at), reason.as_str()]))
            .map_err(internal)?;
        Ok(TimeOffId::new(self.conn.last_insert_rowid()))
    }

    fn time_off(&mut self, id: TimeOffId) -> Result<Option<TimeOff>> {
        self.conn
            .prepare_cached(&format!("SELECT {TIME_OFF_COLUMNS} FROM matching_time_off WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], time_off_row).optional())
            .map_err(internal)
    }

    fn delete_time_off(&mut self, id: TimeOffId) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM matching_time_off WHERE id = ?1")
            .and_then(|mut s| s.execute([id.get()]))
            .map(|_| ())
            .map_err(internal)
    }

    fn record_outcome(&mut self, worker: AccountId, client: AccountId, completed: bool) -> Result<()> {
        let (c, f) = if completed { (1, 0) } else { (0, 1) };
        self.conn
            .prepare_cached(
                "INSERT INTO matching_outcomes (worker_id, client_id, completed, failed) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (worker_id, client_id) DO UPDATE
                 SET completed = completed + excluded.completed, failed = failed + excluded.failed",
            )
            .and_then(|mut s| s.execute(params![worker.get(), client.get(), c, f]))
            .map_err(internal)?;
        Ok(())
    }

    fn outcomes(&mut self) -> Result<Vec<Outcome>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT worker_id, client_id, completed, failed FROM matching_outcomes")
            .map_err(internal)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Outcome {
                    worker: AccountId::new(r.get(0)?),
                    client: AccountId::new(r.get(1)?),
                    completed: r.get(2)?,
                    failed: r.get(3)?,
                })
            })
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}
