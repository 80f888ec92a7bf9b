//! Supplies' storage: what other contexts may read ([`SuppliesRead`]) and what only supplies
//! writes ([`SuppliesStore`]).

use super::{BomLine, Kit, KitFilter, NewKit, StockItem};
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::KitId;
use crate::kernel::events::EventLog;
use crate::kernel::installation::InstallationRead;
use crate::ordering::OrderingRead;
use crate::settings::SettingsRead;
use crate::types::ServiceCode;

/// Kits, bills of materials and stock, as any context may read them.
pub trait SuppliesRead {
    /// The kit, `None` if there is none.
    fn kit(&mut self, id: KitId) -> Result<Option<Kit>>;
    /// Kits matching every given filter, by their order's scheduled time, then kit id.
    fn kits(&mut self, filter: &KitFilter) -> Result<Vec<Kit>>;
    /// The service type's bill of materials in the order it was set (empty if none was set).
    fn bill_of_materials(&mut self, service_type: &ServiceCode) -> Result<Vec<BomLine>>;
    /// The stock of an item, `None` if its stock is not tracked.
    fn stock_item(&mut self, item: &super::ItemCode) -> Result<Option<StockItem>>;
    /// Every tracked item's stock, by item code ascending.
    fn stock(&mut self) -> Result<Vec<StockItem>>;
}

/// Supplies' own tables; only supplies writes them.
pub trait SuppliesStore: SuppliesRead {
    /// Replaces the service type's bill of materials with `lines` (kept in that order; an empty
    /// list removes it). An item listed twice is a conflict error and changes nothing.
    fn set_bill_of_materials(&mut self, service_type: &ServiceCode, lines: &[BomLine]) -> Result<()>;
    /// Adds a kit (status open, its cookie not ordered, with the given idempotency `cookie_key`)
    /// and returns its new id, greater than every earlier kit's. A key already used, or a second
    /// open kit for the same order (issued and cancelled ones do not count), is a conflict error.
    fn insert_kit(&mut self, kit: &NewKit, cookie_key: &dyn Fn(KitId) -> String) -> Result<KitId>;
    /// Saves a kit's worker, lines, status, cookie, issue time and update time (what it is for
    /// never changes). A missing kit is a not-found error.
    fn update_kit(&mut self, kit: &Kit) -> Result<()>;
    /// Saves an item's stock, tracking it if it was not. A negative count, or more reserved than
    /// on hand, cannot be written: the database refuses it as a conflict error.
    fn put_stock(&mut self, stock: &StockItem) -> Result<()>;
}

/// The transaction supplies' commands and subscribers run in: its own tables, the event log,
/// ordering's orders and service types, IAM's accounts (the client's name for the cookie, the
/// worker's address for mail) and the company's rules.
pub trait SuppliesTx: EventLog + InstallationRead + SuppliesStore + OrderingRead + IamRead + SettingsRead {}
impl<T: EventLog + InstallationRead + SuppliesStore + OrderingRead + IamRead + SettingsRead + ?Sized> SuppliesTx for T {}
