//! Ordering's events: service types, and every step of an order's life.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain_events;
use crate::ids::{AccountId, OrderId, ServiceTypeId};
use crate::kernel::events::{EventDetails, Subject};
use crate::types::{Money, Name, ServiceCode, Sha256Hex, SkillSet, Text, Zone};

domain_events! {
    /// What ordering records. `OrderAssigned { by: matching }` is recorded by the matching cycle
    /// and applied to the order by ordering's subscriber.
    pub enum OrderingEvent {
        ServiceTypeAdded(ServiceTypeDetails) = "service_type_added",
        ServiceTypeEdited(ServiceTypeDetails) = "service_type_edited",
        ServiceTypeRetired { service_type: ServiceTypeId, code: ServiceCode } = "service_type_retired",
        OrderCreated {
            order: OrderId,
            client: AccountId,
            service_type: ServiceCode,
            zone: Zone,
            scheduled_at: DateTime<Utc>,
            description: Text,
            quote: Money,
            copied_from: Option<OrderId>,
        } = "order_created",
        OrderAssigned {
            order: OrderId,
            worker: AccountId,
            price: Money,
            by: AssignedBy,
            /// The relaxation matching had to use (e.g. a neighbouring zone), if any; for a manual
            /// assignment, the one the manager's choice amounts to.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            relaxation: Option<String>,
            /// A manager's override of the rules matching keeps (`crew order assign --force`).
            /// Absent from events recorded before overrides existed, and from every other
            /// assignment.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            forced: Option<Forced>,
        } = "order_assigned",
        OrderCheckedIn { order: OrderId, worker: AccountId, photo_sha256: Sha256Hex } = "order_checked_in",
        OrderCompleted { order: OrderId, worker: AccountId, photo_sha256: Sha256Hex } = "order_completed",
        OrderFailed { order: OrderId, worker: Option<AccountId>, reason: Text } = "order_failed",
        OrderCancelled { order: OrderId, worker: Option<AccountId>, reason: Text, after_assignment: bool } = "order_cancelled",
        OrderReopened { order: OrderId, previous_worker: Option<AccountId> } = "order_reopened",
        /// The no-show sweep failed the order; the client may order a copy at a new time.
        CopyOffered { order: OrderId, client: AccountId } = "copy_offered",
    }
}

/// How an order came to have its worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignedBy {
    /// A manager chose the worker by hand (`crew order assign`).
    Manual,
    /// The matching cycle chose the worker.
    Matching,
}

/// A manual assignment made with `--force`: why, and which of matching's rules it departs from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forced {
    /// The manager's reason (`--reason`).
    pub reason: Text,
    /// Each rule the assignment breaks, as the refusal named it (empty: `--force` was given but
    /// nothing needed overriding).
    #[serde(default)]
    pub overridden: Vec<String>,
}

impl Forced {
    /// How the override reads in the log and in `crew order show`.
    pub fn describe(&self) -> String {
        if self.overridden.is_empty() {
            format!("forced, though nothing needed overriding; reason: {}", self.reason)
        } else {
            format!("forced past: {}; reason: {}", self.overridden.join("; "), self.reason)
        }
    }
}

/// A service type's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceTypeDetails {
    pub service_type: ServiceTypeId,
    pub code: ServiceCode,
    pub name: Name,
    pub description: Text,
    pub skills: SkillSet,
    /// Events recorded before service types had a timing read as the default (an hour).
    #[serde(default = "default_duration")]
    pub duration_minutes: u32,
    #[serde(default)]
    pub buffer_minutes: u32,
}

fn default_duration() -> u32 {
    super::Timing::DEFAULT.duration_minutes
}

impl OrderingEvent {
    /// The assignment the matching cycle decided: the one ordering event another context records
    /// (ordering's subscriber applies it, refusing it if the order is no longer open).
    pub fn matched(order: OrderId, worker: AccountId, price: Money, relaxation: Option<String>) -> OrderingEvent {
        OrderingEvent::OrderAssigned { order, worker, price, by: AssignedBy::Matching, relaxation, forced: None }
    }

    /// The order this event is about, if any.
    pub fn order(&self) -> Option<OrderId> {
        match self {
            OrderingEvent::OrderCreated { order, .. }
            | OrderingEvent::OrderAssigned { order, .. }
            | OrderingEvent::OrderCheckedIn { order, .. }
            | OrderingEvent::OrderCompleted { order, .. }
            | OrderingEvent::OrderFailed { order, .. }
            | OrderingEvent::OrderCancelled { order, .. }
            | OrderingEvent::OrderReopened { order, .. }
            | OrderingEvent::CopyOffered { order, .. } => Some(*order),
            _ => None,
        }
    }
}

impl EventDetails for OrderingEvent {
    fn subject(&self) -> Subject {
        Subject { order: self.order(), ..Subject::default() }
    }

    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            OrderingEvent::ServiceTypeAdded(s) => format!("service type `{}` added", s.code),
            OrderingEvent::ServiceTypeEdited(s) => format!("service type `{}` edited", s.code),
            OrderingEvent::ServiceTypeRetired { code, .. } => format!("service type `{code}` retired"),
            OrderingEvent::OrderCreated { service_type, zone, scheduled_at, copied_from, .. } => {
                let copy = copied_from.map(|o| format!(" (copy of #{o})")).unwrap_or_default();
                // The summary is one text for every reader: its time says it is UTC.
                format!("{service_type} in {zone} at {}{copy}", scheduled_at.format("%Y-%m-%d %H:%M UTC"))
            }
            OrderingEvent::OrderAssigned { worker, price, by, relaxation, forced, .. } => {
                let by = match by {
                    AssignedBy::Manual => "by hand",
                    AssignedBy::Matching => "by matching",
                };
                let relaxed = relaxation.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
                let forced = forced.as_ref().map(|f| format!(", {}", f.describe())).unwrap_or_default();
                format!("assigned to {} at {price} {by}{relaxed}{forced}", name(*worker))
            }
            OrderingEvent::OrderCheckedIn { worker, .. } => format!("{} checked in", name(*worker)),
            OrderingEvent::OrderCompleted { worker, .. } => format!("completed by {}", name(*worker)),
            OrderingEvent::OrderFailed { reason, .. } => format!("failed: {reason}"),
            OrderingEvent::OrderCancelled { reason, .. } if reason.is_empty() => "cancelled".to_string(),
            OrderingEvent::OrderCancelled { reason, .. } => format!("cancelled: {reason}"),
            OrderingEvent::OrderReopened { .. } => "reopened".to_string(),
            OrderingEvent::CopyOffered { client, .. } => format!("{} offered a copy at a new time", name(*client)),
        }
    }
}
