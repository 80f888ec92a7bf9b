//! Domain events: every state change is recorded as one, in the same transaction as the change.
//!
//! Events are typed and versioned. The log is append-only; subscribers (other contexts) read it in
//! order and record their position in the same transaction as their effects — see [`crate::app`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::Role;
use crate::ids::{AccountId, EventSeq, OrderId, ServiceTypeId};
use crate::types::{Email, Login, Money, Name, PaymentMethod, Phone, ServiceCode, Sha256Hex, SkillSet, Text, Zone};

/// How an order came to have its worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignedBy {
    /// A manager chose the worker by hand (`crew order assign`).
    Manual,
    /// The matching cycle chose the worker.
    Matching,
}

/// Where a hired worker came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HireSource {
    /// `crew import workers`: the company's existing workforce.
    WorkforceImport,
    /// Accepted through the hiring pipeline.
    Hiring,
}

/// Every domain event crew records. Field sets are part of the stored format: add fields with
/// `#[serde(default)]` or bump the event's [`Event::version`] and teach [`Event::upcast`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    // IAM
    AccountCreated {
        account: AccountId,
        login: Login,
        name: Name,
        role: Role,
        email: Option<Email>,
    },
    AccountDeactivated {
        account: AccountId,
        login: Login,
    },
    RoleChanged {
        account: AccountId,
        login: Login,
        from: Role,
        to: Role,
    },
    PasswordReset {
        account: AccountId,
        login: Login,
    },
    ServiceTokenIssued {
        account: AccountId,
        login: Login,
    },
    SessionStarted {
        account: AccountId,
        login: Login,
    },
    SessionEnded {
        account: AccountId,
        login: Login,
    },
    ClientRegistered(ClientDetails),
    ClientUpdated(ClientDetails),
    // Hiring
    WorkerHired(HiredWorker),
    HiringTestCreated {
        test: i64,
        version: u32,
        name: String,
    },
    HiringTestEdited {
        test: i64,
        version: u32,
    },
    HiringTestDeleted {
        test: i64,
    },
    TestSetSaved {
        set: i64,
        name: Name,
        tests: Vec<i64>,
    },
    ApplicationReceived {
        application: i64,
        email: Email,
        name: Name,
    },
    ApplicationUpdated {
        application: i64,
    },
    /// New and updated applications of one intake (managers get one mail about them).
    ApplicationsArrived {
        received: u64,
        updated: u64,
    },
    TestsAssigned {
        application: i64,
        set: i64,
        tests: Vec<(i64, u32)>,
    },
    TestsSubmitted {
        application: i64,
        score: u32,
        max_score: u32,
        passed: bool,
    },
    ApplicationAccepted {
        application: i64,
        reason: Text,
    },
    ApplicationRejected {
        application: i64,
        reason: Text,
    },
    /// A one-time activation secret was mailed (only its hash is kept).
    ActivationIssued {
        account: AccountId,
    },
    AccountActivated {
        account: AccountId,
        login: Login,
    },
    // Ordering
    ServiceTypeAdded(ServiceTypeDetails),
    ServiceTypeEdited(ServiceTypeDetails),
    ServiceTypeRetired {
        service_type: ServiceTypeId,
        code: ServiceCode,
    },
    OrderCreated {
        order: OrderId,
        client: AccountId,
        service_type: ServiceCode,
        zone: Zone,
        scheduled_at: DateTime<Utc>,
        description: Text,
        quote: Money,
        copied_from: Option<OrderId>,
    },
    OrderAssigned {
        order: OrderId,
        worker: AccountId,
        price: Money,
        by: AssignedBy,
        /// The relaxation matching had to use (e.g. a neighbouring zone), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        relaxation: Option<String>,
    },
    OrderCheckedIn {
        order: OrderId,
        worker: AccountId,
        photo_sha256: Sha256Hex,
    },
    OrderCompleted {
        order: OrderId,
        worker: AccountId,
        photo_sha256: Sha256Hex,
    },
    OrderFailed {
        order: OrderId,
        worker: Option<AccountId>,
        reason: Text,
    },
    OrderCancelled {
        order: OrderId,
        worker: Option<AccountId>,
        reason: Text,
        after_assignment: bool,
    },
    OrderReopened {
        order: OrderId,
        previous_worker: Option<AccountId>,
    },
    /// The no-show sweep failed the order; the client may order a copy at a new time.
    CopyOffered {
        order: OrderId,
        client: AccountId,
    },
    // Matching
    WorkerProfileEdited {
        worker: AccountId,
        zone: Zone,
        skills: SkillSet,
        capacity: u32,
    },
    WorkerSuspended {
        worker: AccountId,
        reason: Text,
    },
    WorkerReinstated {
        worker: AccountId,
    },
    MatchingRan {
        assigned: u32,
        left_open: u32,
        relaxed: u32,
    },
}

/// A client as the parent company sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDetails {
    pub account: AccountId,
    pub email: Email,
    pub name: Name,
    pub zone: Zone,
    pub phone: Option<Phone>,
    pub payment_method: PaymentMethod,
}

/// A worker joining the pool: what every context needs to open its side of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiredWorker {
    pub email: Email,
    pub name: Name,
    pub zone: Zone,
    pub skills: SkillSet,
    pub capacity: Option<u32>,
    pub rating: Option<u8>,
    pub age: Option<u32>,
    pub breed: Option<String>,
    pub coat: Option<String>,
    pub photo: Option<String>,
    pub source: HireSource,
}

/// A service type's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceTypeDetails {
    pub service_type: ServiceTypeId,
    pub code: ServiceCode,
    pub name: Name,
    pub description: Text,
    pub skills: SkillSet,
}

impl Event {
    /// The event's type name as stored and shown (`order_created`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::AccountCreated { .. } => "account_created",
            Event::AccountDeactivated { .. } => "account_deactivated",
            Event::RoleChanged { .. } => "role_changed",
            Event::PasswordReset { .. } => "password_reset",
            Event::ServiceTokenIssued { .. } => "service_token_issued",
            Event::SessionStarted { .. } => "session_started",
            Event::SessionEnded { .. } => "session_ended",
            Event::ClientRegistered(_) => "client_registered",
            Event::ClientUpdated(_) => "client_updated",
            Event::WorkerHired(_) => "worker_hired",
            Event::HiringTestCreated { .. } => "hiring_test_created",
            Event::HiringTestEdited { .. } => "hiring_test_edited",
            Event::HiringTestDeleted { .. } => "hiring_test_deleted",
            Event::TestSetSaved { .. } => "test_set_saved",
            Event::ApplicationReceived { .. } => "application_received",
            Event::ApplicationUpdated { .. } => "application_updated",
            Event::ApplicationsArrived { .. } => "applications_arrived",
            Event::TestsAssigned { .. } => "tests_assigned",
            Event::TestsSubmitted { .. } => "tests_submitted",
            Event::ApplicationAccepted { .. } => "application_accepted",
            Event::ApplicationRejected { .. } => "application_rejected",
            Event::ActivationIssued { .. } => "activation_issued",
            Event::AccountActivated { .. } => "account_activated",
            Event::ServiceTypeAdded(_) => "service_type_added",
            Event::ServiceTypeEdited(_) => "service_type_edited",
            Event::ServiceTypeRetired { .. } => "service_type_retired",
            Event::OrderCreated { .. } => "order_created",
            Event::OrderAssigned { .. } => "order_assigned",
            Event::OrderCheckedIn { .. } => "order_checked_in",
            Event::OrderCompleted { .. } => "order_completed",
            Event::OrderFailed { .. } => "order_failed",
            Event::OrderCancelled { .. } => "order_cancelled",
            Event::OrderReopened { .. } => "order_reopened",
            Event::CopyOffered { .. } => "copy_offered",
            Event::WorkerProfileEdited { .. } => "worker_profile_edited",
            Event::WorkerSuspended { .. } => "worker_suspended",
            Event::WorkerReinstated { .. } => "worker_reinstated",
            Event::MatchingRan { .. } => "matching_ran",
        }
    }

    /// The schema version of this event type; stored beside it.
    pub fn version(&self) -> u32 {
        1
    }

    /// Reads a stored event, upgrading older versions of its schema.
    pub fn upcast(type_name: &str, version: u32, payload: &str) -> Result<Event, String> {
        if version != 1 {
            return Err(format!("event `{type_name}` has unknown version {version}"));
        }
        serde_json::from_str(payload).map_err(|e| format!("event `{type_name}` cannot be read: {e}"))
    }

    /// The order this event is about, if any (indexed, for `crew events list --order`).
    pub fn order(&self) -> Option<OrderId> {
        match self {
            Event::OrderCreated { order, .. }
            | Event::OrderAssigned { order, .. }
            | Event::OrderCheckedIn { order, .. }
            | Event::OrderCompleted { order, .. }
            | Event::OrderFailed { order, .. }
            | Event::OrderCancelled { order, .. }
            | Event::OrderReopened { order, .. }
            | Event::CopyOffered { order, .. } => Some(*order),
            _ => None,
        }
    }

    /// The application this event is about, if any (indexed, for `crew hiring show`).
    pub fn application(&self) -> Option<i64> {
        match self {
            Event::ApplicationReceived { application, .. }
            | Event::ApplicationUpdated { application }
            | Event::TestsAssigned { application, .. }
            | Event::TestsSubmitted { application, .. }
            | Event::ApplicationAccepted { application, .. }
            | Event::ApplicationRejected { application, .. } => Some(*application),
            _ => None,
        }
    }

    /// A one-line description for people, naming accounts with `name`.
    pub fn summary(&self, name: impl Fn(AccountId) -> String) -> String {
        match self {
            Event::AccountCreated { login, role, .. } => {
                format!("{role} account `{login}` created")
            }
            Event::AccountDeactivated { login, .. } => format!("account `{login}` deactivated"),
            Event::RoleChanged { login, from, to, .. } => format!("`{login}` changed from {from} to {to}"),
            Event::PasswordReset { login, .. } => format!("password of `{login}` reset"),
            Event::ServiceTokenIssued { login, .. } => format!("new token issued to `{login}`"),
            Event::SessionStarted { login, .. } => format!("`{login}` logged in"),
            Event::SessionEnded { login, .. } => format!("`{login}` logged out"),
            Event::ClientRegistered(c) => {
                format!("client {} <{}> registered in {}", c.name, c.email, c.zone)
            }
            Event::ClientUpdated(c) => format!("client {} <{}> updated", c.name, c.email),
            Event::WorkerHired(w) => format!("worker {} <{}> hired in {} ({})", w.name, w.email, w.zone, w.skills),
            Event::HiringTestCreated { test, name, .. } => format!("test #{test} `{name}` created"),
            Event::HiringTestEdited { test, version } => format!("test #{test} edited: version {version}"),
            Event::HiringTestDeleted { test } => format!("test #{test} deleted"),
            Event::TestSetSaved { set, name, tests } => format!("test set #{set} `{name}`: tests {tests:?}"),
            Event::ApplicationReceived { application, email, name } => {
                format!("application #{application} from {name} <{email}>")
            }
            Event::ApplicationUpdated { application } => format!("application #{application} re-sent with changes"),
            Event::ApplicationsArrived { received, updated } => {
                format!("{received} new application(s), {updated} updated")
            }
            Event::TestsAssigned { application, set, .. } => {
                format!("application #{application}: test set #{set} assigned")
            }
            Event::TestsSubmitted { application, score, max_score, passed } => format!(
                "application #{application}: answers scored {score}/{max_score} ({})",
                if *passed { "passed" } else { "below the pass mark" }
            ),
            Event::ApplicationAccepted { application, .. } => format!("application #{application} accepted"),
            Event::ApplicationRejected { application, reason } => {
                format!("application #{application} rejected: {reason}")
            }
            Event::ActivationIssued { account } => format!("activation secret mailed to {}", name(*account)),
            Event::AccountActivated { login, .. } => format!("`{login}` activated their account"),
            Event::ServiceTypeAdded(s) => format!("service type `{}` added", s.code),
            Event::ServiceTypeEdited(s) => format!("service type `{}` edited", s.code),
            Event::ServiceTypeRetired { code, .. } => format!("service type `{code}` retired"),
            Event::OrderCreated { service_type, zone, scheduled_at, copied_from, .. } => {
                let copy = copied_from.map(|o| format!(" (copy of #{o})")).unwrap_or_default();
                format!("{service_type} in {zone} at {}{copy}", scheduled_at.format("%Y-%m-%d %H:%M"))
            }
            Event::OrderAssigned { worker, price, by, relaxation, .. } => {
                let by = match by {
                    AssignedBy::Manual => "by hand",
                    AssignedBy::Matching => "by matching",
                };
                let relaxed = relaxation.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
                format!("assigned to {} at {price} {by}{relaxed}", name(*worker))
            }
            Event::OrderCheckedIn { worker, .. } => format!("{} checked in", name(*worker)),
            Event::OrderCompleted { worker, .. } => format!("completed by {}", name(*worker)),
            Event::OrderFailed { reason, .. } => format!("failed: {reason}"),
            Event::OrderCancelled { reason, .. } if reason.is_empty() => "cancelled".to_string(),
            Event::OrderCancelled { reason, .. } => format!("cancelled: {reason}"),
            Event::OrderReopened { .. } => "reopened".to_string(),
            Event::CopyOffered { client, .. } => format!("{} offered a copy at a new time", name(*client)),
            Event::WorkerProfileEdited { worker, zone, skills, capacity } => {
                format!("profile of {}: {zone}, {skills}, capacity {capacity}", name(*worker))
            }
            Event::WorkerSuspended { worker, reason } => format!("{} suspended: {reason}", name(*worker)),
            Event::WorkerReinstated { worker } => format!("{} reinstated", name(*worker)),
            Event::MatchingRan { assigned, left_open, relaxed } => {
                format!("matching assigned {assigned} orders ({relaxed} relaxed), {left_open} left open")
            }
        }
    }
}

/// An event as recorded: its position, when, by whom.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    pub seq: EventSeq,
    pub at: DateTime<Utc>,
    /// `None` for events crew itself caused (the first admin, a subscriber's reaction).
    pub actor: Option<AccountId>,
    pub event: Event,
}

/// What `crew events list` asks for.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub order: Option<OrderId>,
    pub since: Option<DateTime<Utc>>,
    pub after: Option<EventSeq>,
    pub limit: Option<usize>,
}
