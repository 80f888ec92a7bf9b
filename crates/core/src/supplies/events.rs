//! Supplies' events: bills of materials, kits, stock and cookies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{BomLine, ItemCode};

use crate::domain_events;
use crate::ids::{AccountId, KitId, OrderId};
use crate::kernel::events::{EventDetails, Subject};
use crate::types::{ServiceCode, Text};

domain_events! {
    /// What supplies records. Kits follow ordering's events (opened on assignment, moved on
    /// reassignment or reopening, cancelled with their order); stock and cookies are the
    /// warehouse's and the contractor's.
    pub enum SuppliesEvent {
        /// A manager set what a kit for this service type holds (an empty list: nothing but the
        /// form and the cookie).
        BillOfMaterialsSet { service_type: ServiceCode, lines: Vec<BomLine> } = "bill_of_materials_set",
        /// A kit was opened for an order just assigned; tracked items reserved as far as stock
        /// allowed (`short` lists what could not be). `issued_kit`: the order went to another
        /// worker after its kit #N was issued; that kit stays with the worker who has it.
        KitOpened {
            kit: KitId,
            order: OrderId,
            worker: AccountId,
            lines: Vec<KitLine>,
            cookie_key: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            issued_kit: Option<KitId>,
        } = "kit_opened",
        /// The kit's order went to another worker (`to: None`: reopened, waiting for one).
        KitReassigned { kit: KitId, order: OrderId, from: Option<AccountId>, to: Option<AccountId> } = "kit_reassigned",
        /// The kit was closed unissued and its reserved stock went back to the shelf: its order
        /// ended (was cancelled, failed or was completed), or (`back_to_issued`) the order went
        /// back to the worker who still holds its issued kit.
        KitCancelled {
            kit: KitId,
            order: OrderId,
            returned: Vec<BomLine>,
            cookie_ordered: bool,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            back_to_issued: Option<KitId>,
        } = "kit_cancelled",
        /// The warehouse handed the kit, cookie included, to the worker; its items left stock.
        KitIssued { kit: KitId, order: OrderId, worker: AccountId } = "kit_issued",
        /// Units of an item arrived; short kits were filled from them, oldest order first.
        StockReceived { item: ItemCode, quantity: u32, on_hand: u32, reason: Text, filled: Vec<KitId> } = "stock_received",
        /// A count corrected the stock of an item.
        StockAdjusted { item: ItemCode, from: u32, to: u32, reason: Text } = "stock_adjusted",
        /// The contractor accepted the cookie order: it bakes until `ready_at`.
        CookieOrdered { kit: KitId, order: OrderId, cookie: String, ready_at: Option<DateTime<Utc>>, sandbox: bool } = "cookie_ordered",
        /// Asking the contractor failed with an unknown outcome (a timeout, a dropped connection,
        /// a 5xx); the same key is asked again at `next_attempt_at`.
        CookieAttemptFailed { kit: KitId, order: OrderId, attempt: u32, error: String, next_attempt_at: DateTime<Utc> } = "cookie_attempt_failed",
        /// The contractor refused the cookie order for good (a 4xx), or said the cookie failed.
        CookieRefused { kit: KitId, order: OrderId, reason: String } = "cookie_refused",
        /// The cookie is here: seen by polling, from a delivery file, or recorded by hand.
        CookieArrived { kit: KitId, order: OrderId, by: CookieSource } = "cookie_arrived",
    }
}

/// One line of a kit as opened: the item, how many, and how many stock could reserve (`None`:
/// the item's stock is not tracked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitLine {
    pub item: ItemCode,
    pub quantity: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved: Option<u32>,
}

/// How a cookie's arrival was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CookieSource {
    /// `crew supplies poll` asked the contractor.
    Poll,
    /// A delivery file dropped in a folder (`crew supplies deliveries`).
    File,
    /// The warehouse said so (`crew supplies cookie KIT`).
    Hand,
}

impl CookieSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CookieSource::Poll => "poll",
            CookieSource::File => "delivery file",
            CookieSource::Hand => "by hand",
        }
    }
}

impl SuppliesEvent {
    /// The order this event is about, if any.
    pub fn order(&self) -> Option<OrderId> {
        match self {
            SuppliesEvent::KitOpened { order, .. }
            | SuppliesEvent::KitReassigned { order, .. }
            | SuppliesEvent::KitCancelled { order, .. }
            | SuppliesEvent::KitIssued { order, .. }
            | SuppliesEvent::CookieOrdered { order, .. }
            | SuppliesEvent::CookieAttemptFailed { order, .. }
            | SuppliesEvent::CookieRefused { order, .. }
            | SuppliesEvent::CookieArrived { order, .. } => Some(*order),
            _ => None,
        }
    }
}

fn lines_text(lines: &[BomLine]) -> String {
    if lines.is_empty() {
        return "nothing".into();
    }
    lines.iter().map(|l| format!("{}×{}", l.quantity, l.item)).collect::<Vec<_>>().join(", ")
}

impl EventDetails for SuppliesEvent {
    fn subject(&self) -> Subject {
        Subject { order: self.order(), ..Subject::default() }
    }

    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            SuppliesEvent::BillOfMaterialsSet { service_type, lines } => {
                format!("kits for `{service_type}` hold {}", lines_text(lines))
            }
            SuppliesEvent::KitOpened { kit, worker, lines, issued_kit, .. } => {
                let short: Vec<String> = lines
                    .iter()
                    .filter(|l| l.reserved.is_some_and(|r| r < l.quantity))
                    .map(|l| format!("{} short of {}", l.quantity - l.reserved.unwrap_or(0), l.item))
                    .collect();
                let short = if short.is_empty() { String::new() } else { format!(" ({})", short.join(", ")) };
                let issued = match issued_kit {
                    Some(issued) => format!("; kit #{issued} was issued and stays with its worker"),
                    None => String::new(),
                };
                format!("kit #{kit} opened for {}{short}{issued}", name(*worker))
            }
            SuppliesEvent::KitReassigned { kit, to: Some(to), .. } => format!("kit #{kit} moved to {}", name(*to)),
            SuppliesEvent::KitReassigned { kit, to: None, .. } => format!("kit #{kit} waits for a worker"),
            SuppliesEvent::KitCancelled { kit, returned, back_to_issued: Some(held), .. } => format!(
                "kit #{kit} closed unissued: the order went back to the worker holding kit #{held}; back on the shelf: {}",
                lines_text(returned)
            ),
            SuppliesEvent::KitCancelled { kit, returned, back_to_issued: None, .. } => {
                // The order may have been cancelled, failed or completed: say what is sure.
                format!("kit #{kit} closed unissued, its order ended; back on the shelf: {}", lines_text(returned))
            }
            SuppliesEvent::KitIssued { kit, worker, .. } => format!("kit #{kit} issued to {}", name(*worker)),
            SuppliesEvent::StockReceived { item, quantity, on_hand, reason, .. } => {
                format!("received {quantity} {item} ({on_hand} on hand): {reason}")
            }
            SuppliesEvent::StockAdjusted { item, from, to, reason } => {
                format!("stock of {item} counted {to} (was {from}): {reason}")
            }
            SuppliesEvent::CookieOrdered { kit, cookie, sandbox, .. } => {
                let sandbox = if *sandbox { " from the sandbox contractor" } else { "" };
                format!("cookie {cookie} ordered{sandbox} for kit #{kit}")
            }
            SuppliesEvent::CookieAttemptFailed { kit, attempt, error, .. } => {
                format!("cookie for kit #{kit}: attempt {attempt} failed ({error})")
            }
            SuppliesEvent::CookieRefused { kit, reason, .. } => format!("cookie for kit #{kit} refused: {reason}"),
            SuppliesEvent::CookieArrived { kit, by, .. } => format!("cookie for kit #{kit} arrived ({})", by.as_str()),
        }
    }
}
