//! Matching's storage: what other contexts may read ([`MatchingRead`]) and what only matching
//! writes ([`MatchingStore`]).

use super::{MatchOrder, Outcome, WorkerFilter, WorkerProfile};
use crate::billing::BillingRead;
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::{AccountId, OrderId};
use crate::kernel::events::EventLog;
use crate::ordering::OrderingRead;
use crate::settings::SettingsRead;

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
    /// Counts one finished order of `worker` for `client` (completed, or failed).
    fn record_outcome(&mut self, worker: AccountId, client: AccountId, completed: bool) -> Result<()>;
    /// Every (worker, client) pair with at least one finished order, in no particular order.
    fn outcomes(&mut self) -> Result<Vec<Outcome>>;
}

/// The transaction matching's commands and subscribers run in: its own tables, the event log,
/// IAM's accounts, ordering's service types (the skills and price of an order), and the company's
/// rules (its steps, weights, relaxations and the defaults of a hired worker).
pub trait MatchingTx: EventLog + MatchingStore + OrderingRead + IamRead + SettingsRead + BillingRead {}
impl<T: EventLog + MatchingStore + OrderingRead + IamRead + SettingsRead + BillingRead + ?Sized> MatchingTx for T {}
