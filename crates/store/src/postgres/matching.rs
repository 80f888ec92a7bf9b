//! Scaffolding: matching's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, OrderId, TimeOffId};
use crew_core::matching::time::{Slot, TimeOff};
use crew_core::matching::{
    MatchOrder, MatchingRead, MatchingStore, Outcome, WorkerFilter, WorkerProfile, WorkerStatus,
};
use crew_core::ordering::{OrderStatus, Timing};
use crew_core::settings::hours::WeeklyHours;
use crew_core::types::{ServiceCode, SkillSet, Text, Zone};

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl MatchingRead for PgTx<'_, '_> {
    fn worker_profile(&mut self, worker: AccountId) -> Result<Option<WorkerProfile>> {
        todo!("PostgreSQL: MatchingRead::worker_profile")
    }

    fn worker_profiles(&mut self, f: &WorkerFilter) -> Result<Vec<WorkerProfile>> {
        todo!("PostgreSQL: MatchingRead::worker_profiles")
    }

    fn match_order(&mut self, order: OrderId) -> Result<Option<MatchOrder>> {
        todo!("PostgreSQL: MatchingRead::match_order")
    }

    fn held_slots(&mut self, worker: AccountId) -> Result<Vec<Slot>> {
        todo!("PostgreSQL: MatchingRead::held_slots")
    }

    fn worker_hours(&mut self, worker: AccountId) -> Result<Option<WeeklyHours>> {
        todo!("PostgreSQL: MatchingRead::worker_hours")
    }

    fn worker_time_off(&mut self, worker: AccountId) -> Result<Vec<TimeOff>> {
        todo!("PostgreSQL: MatchingRead::worker_time_off")
    }
}

impl MatchingStore for PgTx<'_, '_> {
    fn insert_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        todo!("PostgreSQL: MatchingStore::insert_worker_profile")
    }

    fn update_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        todo!("PostgreSQL: MatchingStore::update_worker_profile")
    }

    fn upsert_match_order(&mut self, o: &MatchOrder) -> Result<()> {
        todo!("PostgreSQL: MatchingStore::upsert_match_order")
    }

    fn open_match_orders(&mut self) -> Result<Vec<MatchOrder>> {
        todo!("PostgreSQL: MatchingStore::open_match_orders")
    }

    fn held_slots_since(&mut self, since: DateTime<Utc>) -> Result<Vec<(AccountId, Slot)>> {
        todo!("PostgreSQL: MatchingStore::held_slots_since")
    }

    fn all_worker_hours(&mut self) -> Result<Vec<(AccountId, WeeklyHours)>> {
        todo!("PostgreSQL: MatchingStore::all_worker_hours")
    }

    fn set_worker_hours(&mut self, worker: AccountId, hours: Option<&WeeklyHours>) -> Result<()> {
        todo!("PostgreSQL: MatchingStore::set_worker_hours")
    }

    fn time_off_since(&mut self, since: DateTime<Utc>) -> Result<Vec<TimeOff>> {
        todo!("PostgreSQL: MatchingStore::time_off_since")
    }

    fn insert_time_off(
        &mut self,
        worker: AccountId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: &Text,
    ) -> Result<TimeOffId> {
        todo!("PostgreSQL: MatchingStore::insert_time_off")
    }

    fn time_off(&mut self, id: TimeOffId) -> Result<Option<TimeOff>> {
        todo!("PostgreSQL: MatchingStore::time_off")
    }

    fn delete_time_off(&mut self, id: TimeOffId) -> Result<()> {
        todo!("PostgreSQL: MatchingStore::delete_time_off")
    }

    fn record_outcome(&mut self, worker: AccountId, client: AccountId, completed: bool) -> Result<()> {
        todo!("PostgreSQL: MatchingStore::record_outcome")
    }

    fn outcomes(&mut self) -> Result<Vec<Outcome>> {
        todo!("PostgreSQL: MatchingStore::outcomes")
    }
}
