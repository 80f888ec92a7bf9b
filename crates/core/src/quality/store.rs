//! Quality's storage: what other contexts may read ([`QualityRead`]) and what only quality
//! writes ([`QualityStore`]).

use super::{Case, HypothesisClosure, OrderLife, Review};
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::OrderId;
use crate::kernel::events::EventLog;
use crate::ordering::OrderingRead;
use crate::settings::SettingsRead;

/// The review queue, reviews and quality's view of orders, as any context may read them.
pub trait QualityRead {
    /// The order's case, `None` if it is not in the queue.
    fn case(&mut self, order: OrderId) -> Result<Option<Case>>;
    /// Every case, reviewed or not, by the time it was queued, then order id.
    fn cases(&mut self) -> Result<Vec<Case>>;
    /// The order's review (its latest revision), `None` if none is recorded.
    fn review(&mut self, order: OrderId) -> Result<Option<Review>>;
    /// Every review (latest revisions), by order id.
    fn reviews(&mut self) -> Result<Vec<Review>>;
    /// Quality's view of the order, `None` if it never saw it.
    fn life(&mut self, order: OrderId) -> Result<Option<OrderLife>>;
    /// Quality's view of every order, by order id.
    fn lives(&mut self) -> Result<Vec<OrderLife>>;
    /// Every hypothesis a manager closed (the latest closing of each), by key.
    fn hypothesis_closures(&mut self) -> Result<Vec<HypothesisClosure>>;
}

/// Quality's own tables; only quality writes them.
pub trait QualityStore: QualityRead {
    /// Adds the order's case, or replaces it (a case is never removed).
    fn put_case(&mut self, case: &Case) -> Result<()>;
    /// Adds the order's review, or replaces it with a later revision.
    fn put_review(&mut self, review: &Review) -> Result<()>;
    /// Adds quality's view of an order, or replaces it.
    fn put_life(&mut self, life: &OrderLife) -> Result<()>;
    /// Records that a hypothesis was closed, replacing an earlier closing of the same key.
    fn put_hypothesis_closure(&mut self, closure: &HypothesisClosure) -> Result<()>;
}

/// The transaction quality's commands and subscribers run in: its own tables, the event log,
/// ordering's orders, IAM's accounts (mail) and the company's rules (rating steps).
pub trait QualityTx: EventLog + QualityStore + OrderingRead + IamRead + SettingsRead {}
impl<T: EventLog + QualityStore + OrderingRead + IamRead + SettingsRead + ?Sized> QualityTx for T {}
