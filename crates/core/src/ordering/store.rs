//! Ordering's storage: what other contexts may read ([`OrderingRead`]) and what only ordering
//! writes ([`OrderingStore`]).

use super::{NewOrder, NewServiceType, Order, OrderFilter, ServiceType};
use crate::bets::BetsRead;
use crate::billing::BillingRead;
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::{OrderId, ServiceTypeId};
use crate::kernel::events::EventLog;
use crate::matching::MatchingRead;
use crate::types::ServiceCode;

/// Service types and orders, as any context may read them.
pub trait OrderingRead {
    /// The service type with this code (retired or not), `None` if there is none.
    fn service_type(&mut self, code: &ServiceCode) -> Result<Option<ServiceType>>;
    /// Every service type (retired ones too), by code ascending.
    fn service_types(&mut self) -> Result<Vec<ServiceType>>;
    /// The order, `None` if there is none.
    fn order(&mut self, id: OrderId) -> Result<Option<Order>>;
    /// Orders matching every given filter, by scheduled time then id, at most `filter.limit`.
    fn orders(&mut self, filter: &OrderFilter) -> Result<Vec<Order>>;
}

/// Ordering's own tables; only ordering writes them.
pub trait OrderingStore: OrderingRead {
    /// Adds a service type (not retired) and returns its new id. A code already taken is a
    /// conflict error.
    fn insert_service_type(&mut self, service_type: &NewServiceType) -> Result<ServiceTypeId>;
    /// Saves the name, description, skills, timing and retired flag of the service type with this id; an
    /// id with no service type changes nothing.
    fn update_service_type(&mut self, service_type: &ServiceType) -> Result<()>;
    /// Adds an order (status `open`, no worker, updated when created) and returns its new id,
    /// greater than every earlier order's. A client, service type or copied order that does not
    /// exist is a conflict error.
    fn insert_order(&mut self, order: &NewOrder) -> Result<OrderId>;
    /// Saves an existing order's status, worker, price, photos, reason and update time. A missing
    /// order is a not-found error; a state the database forbids (assigned or active without a
    /// worker) or a worker that does not exist is a conflict error.
    fn update_order(&mut self, order: &Order) -> Result<()>;
}

/// The transaction ordering's commands and subscribers run in: its own tables, the event log,
/// IAM's accounts and client details, matching's worker profiles (a suspended worker is not
/// assigned by hand; the sweep takes orders back from one), and billing's total paid per client
/// (the loyalty discount), and bets' stakes held (a manager holding a stake on an order does not
/// change it by hand).
pub trait OrderingTx: EventLog + OrderingStore + IamRead + MatchingRead + BillingRead + BetsRead {}
impl<T: EventLog + OrderingStore + IamRead + MatchingRead + BillingRead + BetsRead + ?Sized> OrderingTx for T {}
