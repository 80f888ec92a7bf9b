//! Matching's tables on PostgreSQL: worker profiles, its view of orders, past outcomes, the
//! workers' own hours and time off.

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
use postgres::Row;

use super::row::{PgTx, col, get, narrow};

fn profile_row(row: &Row) -> Result<WorkerProfile> {
    Ok(WorkerProfile {
        worker: AccountId::new(get(row, 0)?),
        zone: col(row, 1, Zone::parse)?,
        skills: col(row, 2, SkillSet::parse)?,
        capacity: narrow(get(row, 3)?)?,
        rating: narrow(get(row, 4)?)?,
        status: col(row, 5, WorkerStatus::parse)?,
        hired_at: get(row, 6)?,
        load: narrow(get(row, 7)?)?,
        completed: narrow(get(row, 8)?)?,
        failed: narrow(get(row, 9)?)?,
    })
}

/// Profiles with their load and outcome totals (`sum` of `bigint` is `numeric` in PostgreSQL,
/// hence the casts back).
const PROFILES: &str = "
    SELECT w.worker_id, w.zone, w.skills, w.capacity, w.rating, w.status, w.hired_at,
           coalesce(l.load, 0), coalesce(h.completed, 0), coalesce(h.failed, 0)
    FROM matching_workers w
    LEFT JOIN (SELECT worker_id, count(*) AS load FROM matching_orders
               WHERE worker_id IS NOT NULL AND status IN ('assigned', 'active') GROUP BY worker_id) l
           ON l.worker_id = w.worker_id
    LEFT JOIN (SELECT worker_id, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed
               FROM matching_outcomes GROUP BY worker_id) h
           ON h.worker_id = w.worker_id";

fn match_order_row(row: &Row) -> Result<MatchOrder> {
    Ok(MatchOrder {
        order: OrderId::new(get(row, 0)?),
        client: AccountId::new(get(row, 1)?),
        service_type: col(row, 2, ServiceCode::parse)?,
        skills: col(row, 3, SkillSet::parse)?,
        zone: col(row, 4, Zone::parse)?,
        scheduled_at: get(row, 5)?,
        status: col(row, 6, OrderStatus::parse)?,
        worker: get::<Option<i64>>(row, 7)?.map(AccountId::new),
        timing: Timing { duration_minutes: narrow(get(row, 8)?)?, buffer_minutes: narrow(get(row, 9)?)? },
    })
}

const MATCH_ORDER_COLUMNS: &str = "order_id, client_id, service_type, skills, zone, scheduled_at, status, worker_id, duration_minutes, buffer_minutes";

/// `(worker, slot)` from `worker_id, order_id, zone, scheduled_at, duration_minutes, buffer_minutes`.
fn slot_row(row: &Row) -> Result<(AccountId, Slot)> {
    let slot = Slot::new(
        OrderId::new(get(row, 1)?),
        col(row, 2, Zone::parse)?,
        get(row, 3)?,
        narrow(get(row, 4)?)?,
        narrow(get(row, 5)?)?,
    );
    Ok((AccountId::new(get(row, 0)?), slot))
}

const SLOT_COLUMNS: &str = "worker_id, order_id, zone, scheduled_at, duration_minutes, buffer_minutes";

fn time_off_row(row: &Row) -> Result<TimeOff> {
    Ok(TimeOff {
        id: TimeOffId::new(get(row, 0)?),
        worker: AccountId::new(get(row, 1)?),
        starts_at: get(row, 2)?,
        ends_at: get(row, 3)?,
        reason: col(row, 4, Text::parse)?,
    })
}

const TIME_OFF_COLUMNS: &str = "id, worker_id, starts_at, ends_at, reason";

fn not_in_pool(worker: AccountId) -> Error {
    Error::conflict(format!("account #{worker} is not a worker in the pool"))
}

impl MatchingRead for PgTx<'_, '_> {
    fn worker_profile(&mut self, worker: AccountId) -> Result<Option<WorkerProfile>> {
        let row = self.query_opt(&format!("{PROFILES} WHERE w.worker_id = $1"), &[&worker.get()])?;
        row.as_ref().map(profile_row).transpose()
    }

    fn worker_profiles(&mut self, f: &WorkerFilter) -> Result<Vec<WorkerProfile>> {
        let rows = self.query(
            &format!(
                "{PROFILES} WHERE ($1::text IS NULL OR w.zone = $1) AND ($2::text IS NULL OR w.status = $2)
                 ORDER BY w.worker_id"
            ),
            &[&f.zone.as_ref().map(Zone::as_str), &f.status.map(WorkerStatus::as_str)],
        )?;
        let all = rows.iter().map(profile_row).collect::<Result<Vec<_>>>()?;
        Ok(match &f.skill {
            Some(skill) => all.into_iter().filter(|p| p.skills.level(skill).is_some()).collect(),
            None => all,
        })
    }

    fn match_order(&mut self, order: OrderId) -> Result<Option<MatchOrder>> {
        let row = self.query_opt(
            &format!("SELECT {MATCH_ORDER_COLUMNS} FROM matching_orders WHERE order_id = $1"),
            &[&order.get()],
        )?;
        row.as_ref().map(match_order_row).transpose()
    }

    fn held_slots(&mut self, worker: AccountId) -> Result<Vec<Slot>> {
        let rows = self.query(
            &format!(
                "SELECT {SLOT_COLUMNS} FROM matching_orders
                 WHERE worker_id = $1 AND status IN ('assigned', 'active') ORDER BY scheduled_at, order_id"
            ),
            &[&worker.get()],
        )?;
        rows.iter().map(|r| slot_row(r).map(|(_, s)| s)).collect()
    }

    fn worker_hours(&mut self, worker: AccountId) -> Result<Option<WeeklyHours>> {
        let row = self.query_opt("SELECT hours FROM matching_hours WHERE worker_id = $1", &[&worker.get()])?;
        row.map(|r| col(&r, 0, WeeklyHours::parse)).transpose()
    }

    fn worker_time_off(&mut self, worker: AccountId) -> Result<Vec<TimeOff>> {
        let rows = self.query(
            &format!("SELECT {TIME_OFF_COLUMNS} FROM matching_time_off WHERE worker_id = $1 ORDER BY starts_at, id"),
            &[&worker.get()],
        )?;
        rows.iter().map(time_off_row).collect()
    }
}

impl MatchingStore for PgTx<'_, '_> {
    fn insert_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        // A second profile breaks the primary key, a missing account the foreign key: conflicts.
        self.execute(
            "INSERT INTO matching_workers (worker_id, zone, skills, capacity, rating, status, hired_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &p.worker.get(),
                &p.zone.as_str(),
                &p.skills.to_string(),
                &i64::from(p.capacity),
                &i64::from(p.rating),
                &p.status.as_str(),
                &p.hired_at,
            ],
        )?;
        Ok(())
    }

    fn update_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        self.execute(
            "UPDATE matching_workers SET zone = $2, skills = $3, capacity = $4, rating = $5, status = $6
             WHERE worker_id = $1",
            &[
                &p.worker.get(),
                &p.zone.as_str(),
                &p.skills.to_string(),
                &i64::from(p.capacity),
                &i64::from(p.rating),
                &p.status.as_str(),
            ],
        )?;
        Ok(())
    }

    fn upsert_match_order(&mut self, o: &MatchOrder) -> Result<()> {
        self.execute(
            &format!(
                "INSERT INTO matching_orders ({MATCH_ORDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, worker_id = excluded.worker_id"
            ),
            &[
                &o.order.get(),
                &o.client.get(),
                &o.service_type.as_str(),
                &o.skills.to_string(),
                &o.zone.as_str(),
                &o.scheduled_at,
                &o.status.as_str(),
                &o.worker.map(AccountId::get),
                &i64::from(o.timing.duration_minutes),
                &i64::from(o.timing.buffer_minutes),
            ],
        )?;
        Ok(())
    }

    fn open_match_orders(&mut self) -> Result<Vec<MatchOrder>> {
        let rows = self.query(
            &format!(
                "SELECT {MATCH_ORDER_COLUMNS} FROM matching_orders WHERE status = 'open' ORDER BY scheduled_at, order_id"
            ),
            &[],
        )?;
        rows.iter().map(match_order_row).collect()
    }

    fn held_slots_since(&mut self, since: DateTime<Utc>) -> Result<Vec<(AccountId, Slot)>> {
        let rows = self.query(
            &format!(
                "SELECT {SLOT_COLUMNS} FROM matching_orders
                 WHERE worker_id IS NOT NULL AND status IN ('assigned', 'active') AND scheduled_at >= $1
                 ORDER BY worker_id, scheduled_at, order_id"
            ),
            &[&since],
        )?;
        rows.iter().map(slot_row).collect()
    }

    fn all_worker_hours(&mut self) -> Result<Vec<(AccountId, WeeklyHours)>> {
        let rows = self.query("SELECT worker_id, hours FROM matching_hours ORDER BY worker_id", &[])?;
        rows.iter().map(|r| Ok((AccountId::new(get(r, 0)?), col(r, 1, WeeklyHours::parse)?))).collect()
    }

    fn set_worker_hours(&mut self, worker: AccountId, hours: Option<&WeeklyHours>) -> Result<()> {
        if self.worker_profile(worker)?.is_none() {
            return Err(not_in_pool(worker));
        }
        match hours {
            Some(h) => self.execute(
                "INSERT INTO matching_hours (worker_id, hours) VALUES ($1, $2)
                 ON CONFLICT (worker_id) DO UPDATE SET hours = excluded.hours",
                &[&worker.get(), &h.to_string()],
            )?,
            None => self.execute("DELETE FROM matching_hours WHERE worker_id = $1", &[&worker.get()])?,
        };
        Ok(())
    }

    fn time_off_since(&mut self, since: DateTime<Utc>) -> Result<Vec<TimeOff>> {
        let rows = self.query(
            &format!(
                "SELECT {TIME_OFF_COLUMNS} FROM matching_time_off WHERE ends_at > $1 ORDER BY worker_id, starts_at, id"
            ),
            &[&since],
        )?;
        rows.iter().map(time_off_row).collect()
    }

    fn insert_time_off(
        &mut self,
        worker: AccountId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: &Text,
    ) -> Result<TimeOffId> {
        if self.worker_profile(worker)?.is_none() {
            return Err(not_in_pool(worker));
        }
        let row = self.query_one(
            "INSERT INTO matching_time_off (worker_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4)
             RETURNING id",
            &[&worker.get(), &starts_at, &ends_at, &reason.as_str()],
        )?;
        Ok(TimeOffId::new(get(&row, 0)?))
    }

    fn time_off(&mut self, id: TimeOffId) -> Result<Option<TimeOff>> {
        let row =
            self.query_opt(&format!("SELECT {TIME_OFF_COLUMNS} FROM matching_time_off WHERE id = $1"), &[&id.get()])?;
        row.as_ref().map(time_off_row).transpose()
    }

    fn delete_time_off(&mut self, id: TimeOffId) -> Result<()> {
        self.execute("DELETE FROM matching_time_off WHERE id = $1", &[&id.get()])?;
        Ok(())
    }

    fn record_outcome(&mut self, worker: AccountId, client: AccountId, completed: bool) -> Result<()> {
        let (c, f): (i64, i64) = if completed { (1, 0) } else { (0, 1) };
        self.execute(
            "INSERT INTO matching_outcomes AS o (worker_id, client_id, completed, failed) VALUES ($1, $2, $3, $4)
             ON CONFLICT (worker_id, client_id) DO UPDATE
             SET completed = o.completed + excluded.completed, failed = o.failed + excluded.failed",
            &[&worker.get(), &client.get(), &c, &f],
        )?;
        Ok(())
    }

    fn outcomes(&mut self) -> Result<Vec<Outcome>> {
        // "In no particular order" says the trait; by worker then client, to be the same each time.
        let rows = self.query(
            "SELECT worker_id, client_id, completed, failed FROM matching_outcomes ORDER BY worker_id, client_id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Outcome {
                    worker: AccountId::new(get(r, 0)?),
                    client: AccountId::new(get(r, 1)?),
                    completed: narrow(get(r, 2)?)?,
                    failed: narrow(get(r, 3)?)?,
                })
            })
            .collect()
    }
}
