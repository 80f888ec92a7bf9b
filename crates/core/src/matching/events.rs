//! Matching's events: profile changes by managers, and each run of the cycle. (The cycle's
//! assignments are ordering's `OrderAssigned { by: matching }`.)

use crate::domain_events;
use chrono::{DateTime, Utc};

use crate::ids::{AccountId, OrderId, TimeOffId};
use crate::kernel::events::{EventDetails, Subject};
use crate::settings::hours::WeeklyHours;
use crate::types::{SkillSet, Text, Zone};

domain_events! {
    /// What matching records.
    pub enum MatchingEvent {
        WorkerProfileEdited { worker: AccountId, zone: Zone, skills: SkillSet, capacity: u32 } = "worker_profile_edited",
        WorkerSuspended { worker: AccountId, reason: Text } = "worker_suspended",
        WorkerReinstated { worker: AccountId } = "worker_reinstated",
        MatchingRan { assigned: u32, left_open: u32, relaxed: u32 } = "matching_ran",
        /// A manager set a worker's weekly hours (`None`: back to the company's default).
        WorkerHoursSet { worker: AccountId, hours: Option<WeeklyHours> } = "worker_hours_set",
        TimeOffAdded {
            worker: AccountId,
            time_off: TimeOffId,
            starts_at: DateTime<Utc>,
            ends_at: DateTime<Utc>,
            reason: Text,
        } = "time_off_added",
        TimeOffRemoved { worker: AccountId, time_off: TimeOffId } = "time_off_removed",
        /// A review of `order` moved the worker's rating from `from` to `to` (kept within 0–100):
        /// what an amendment of that review undoes before it applies its own verdict.
        WorkerRated { worker: AccountId, order: OrderId, from: u8, to: u8 } = "worker_rated",
    }
}

impl EventDetails for MatchingEvent {
    fn subject(&self) -> Subject {
        match self {
            MatchingEvent::WorkerRated { order, .. } => Subject { order: Some(*order), ..Subject::default() },
            _ => Subject::default(),
        }
    }

    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            MatchingEvent::WorkerProfileEdited { worker, zone, skills, capacity } => {
                format!("profile of {}: {zone}, {skills}, capacity {capacity}", name(*worker))
            }
            MatchingEvent::WorkerSuspended { worker, reason } => format!("{} suspended: {reason}", name(*worker)),
            MatchingEvent::WorkerReinstated { worker } => format!("{} reinstated", name(*worker)),
            MatchingEvent::MatchingRan { assigned, left_open, relaxed } => {
                format!("matching assigned {assigned} orders ({relaxed} relaxed), {left_open} left open")
            }
            MatchingEvent::WorkerHoursSet { worker, hours } => match hours {
                Some(h) if h.to_string().is_empty() => format!("hours of {}: none", name(*worker)),
                Some(h) => format!("hours of {}: {h}", name(*worker)),
                None => format!("hours of {}: the company's default", name(*worker)),
            },
            MatchingEvent::TimeOffAdded { worker, time_off, starts_at, ends_at, reason } => format!(
                "time off {time_off} for {}: {} to {} UTC ({reason})",
                name(*worker),
                starts_at.format("%Y-%m-%d %H:%M"),
                ends_at.format("%Y-%m-%d %H:%M")
            ),
            MatchingEvent::TimeOffRemoved { worker, time_off } => {
                format!("time off {time_off} of {} removed", name(*worker))
            }
            MatchingEvent::WorkerRated { worker, from, to, .. } => {
                format!("rating of {}: {from} → {to} (review)", name(*worker))
            }
        }
    }
}
