//! Matching's events: profile changes by managers, and each run of the cycle. (The cycle's
//! assignments are ordering's `OrderAssigned { by: matching }`.)

use crate::domain_events;
use crate::ids::AccountId;
use crate::kernel::events::EventDetails;
use crate::types::{SkillSet, Text, Zone};

domain_events! {
    /// What matching records.
    pub enum MatchingEvent {
        WorkerProfileEdited { worker: AccountId, zone: Zone, skills: SkillSet, capacity: u32 } = "worker_profile_edited",
        WorkerSuspended { worker: AccountId, reason: Text } = "worker_suspended",
        WorkerReinstated { worker: AccountId } = "worker_reinstated",
        MatchingRan { assigned: u32, left_open: u32, relaxed: u32 } = "matching_ran",
    }
}

impl EventDetails for MatchingEvent {
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
        }
    }
}
