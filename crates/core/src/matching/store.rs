//! Matching's storage: what other contexts may read ([`MatchingRead`]) and what only matching
//! writes ([`MatchingStore`]).

use chrono::{DateTime, Utc};

use super::time::{Slot, TimeOff};
use super::{MatchOrder, Outcome, WorkerFilter, WorkerProfile};
use crate::bets::BetsRead;
use crate::billing::BillingRead;
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::{AccountId, OrderId, TimeOffId};
use crate::kernel::events::EventLog;
use crate::ordering::OrderingRead;
use crate::settings::SettingsRead;
use crate::settings::hours::WeeklyHours;

/// Worker profiles, as any context may read them.
pub trait MatchingRead {
    /// The worker's profile with its load and outcome totals, `None` if the account is not a
    /// worker in the pool.
    fn worker_profile(&mut self, worker: AccountId) -> Result<Option<WorkerProfile>>;
    /// Profiles matching every given filter (a skill at any level), by worker id ascending.
    fn worker_profiles(&mut self, filter: &WorkerFilter) -> Result<Vec<WorkerProfile>>;
    /// Matching's copy of an order (with the skills its service type needed when it was placed,
    /// which the cycle matches by), `None` if it never saw the order.
    fn match_order(&mut self, order: OrderId) -> Result<Option<MatchOrder>>;
    /// The time each order the worker holds (assigned or active) occupies, with the timing it was
    /// placed with, by start then order id (empty for a worker holding none or unknown).
    fn held_slots(&mut self, worker: AccountId) -> Result<Vec<Slot>>;
    /// The worker's own weekly hours, `None` when they follow the company's default.
    fn worker_hours(&mut self, worker: AccountId) -> Result<Option<WeeklyHours>>;
    /// The worker's dated time off, by start then id (empty if none).
    fn worker_time_off(&mut self, worker: AccountId) -> Result<Vec<TimeOff>>;
}

/// Matching's own tables: profiles, its view of orders, past outcomes. Only matching writes them.
pub trait MatchingStore: MatchingRead {
    /// Adds a profile. A worker who has one already, or an account that does not exist, is a
    /// conflict error.
    fn insert_worker_profile(&mut self, profile: &WorkerProfile) -> Result<()>;
    /// Saves zone, skills, capacity, rating and status (load and outcomes are derived, never
    /// stored). A worker without a profile is left as it is.
    fn update_worker_profile(&mut self, profile: &WorkerProfile) -> Result<()>;
    /// Saves matching's copy of an order: adds it, or, if matching has one, replaces its status and
    /// worker (the rest of an order never changes after it is placed).
    fn upsert_match_order(&mut self, order: &MatchOrder) -> Result<()>;
    /// Every copy whose status is open, by time then order id.
    fn open_match_orders(&mut self) -> Result<Vec<MatchOrder>>;
    /// Every held (assigned or active) order starting at or after `since`, with its worker, by
    /// worker, start, then order id.
    fn held_slots_since(&mut self, since: DateTime<Utc>) -> Result<Vec<(AccountId, Slot)>>;
    /// Every worker's own weekly hours (workers following the default are not listed), by worker.
    fn all_worker_hours(&mut self) -> Result<Vec<(AccountId, WeeklyHours)>>;
    /// Sets (`Some`) or clears (`None`: the company default applies) a worker's own hours. A worker
    /// without a profile is a conflict error.
    fn set_worker_hours(&mut self, worker: AccountId, hours: Option<&WeeklyHours>) -> Result<()>;
    /// Every time off ending after `since`, by worker, start, then id.
    fn time_off_since(&mut self, since: DateTime<Utc>) -> Result<Vec<TimeOff>>;
    /// Adds a time off (`starts_at < ends_at`) and returns its new id, greater than every earlier
    /// one's; a worker without a profile is a conflict error.
    fn insert_time_off(
        &mut self,
        worker: AccountId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: &crate::types::Text,
    ) -> Result<TimeOffId>;
    /// The time off with this id, `None` if there is none.
    fn time_off(&mut self, id: TimeOffId) -> Result<Option<TimeOff>>;
    /// Removes a time off; an id with none changes nothing.
    fn delete_time_off(&mut self, id: TimeOffId) -> Result<()>;
    /// Counts one finished order of `worker` for `client` (completed, or failed).
    fn record_outcome(&mut self, worker: AccountId, client: AccountId, completed: bool) -> Result<()>;
    /// Every (worker, client) pair with at least one finished order, in no particular order.
    fn outcomes(&mut self) -> Result<Vec<Outcome>>;
}

/// The transaction matching's commands and subscribers run in: its own tables, the event log,
/// IAM's accounts, ordering's service types (the skills and price of an order), and the company's
/// rules (its steps, weights, relaxations and the defaults of a hired worker).
pub trait MatchingTx:
    EventLog + MatchingStore + OrderingRead + IamRead + SettingsRead + BillingRead + BetsRead
{
}
impl<T: EventLog + MatchingStore + OrderingRead + IamRead + SettingsRead + BillingRead + BetsRead + ?Sized> MatchingTx
    for T
{
}
