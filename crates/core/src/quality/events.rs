//! Quality's events: samples drawn and reviews recorded.

use serde::{Deserialize, Serialize};

use crate::domain_events;
use crate::ids::{AccountId, OrderId};
use crate::kernel::events::{EventDetails, Subject};
use crate::types::Text;

domain_events! {
    /// What quality records. Cancelled and failed orders enter the review queue from ordering's
    /// events without an event of their own (the queue is quality's view of them).
    pub enum QualityEvent {
        /// A manager drew completed orders at random for review (reproducible from the seed).
        CasesSampled { seed: u64, asked: u32, orders: Vec<OrderId> } = "cases_sampled",
        /// A review of an order's case: the first (`revision` 1) or an amendment of the one
        /// before. `rating_change` is what this record changes the worker's rating by: the step
        /// of its verdict minus the step of the verdict it amends, so a case never counts twice.
        ReviewRecorded {
            order: OrderId,
            worker: Option<AccountId>,
            client: AccountId,
            verdict: Verdict,
            cause: Text,
            hypothesis: Text,
            revision: u32,
            rating_change: i32,
        } = "review_recorded",
        /// A manager closed a hypothesis (tested, done or dropped), with why. A review raising it
        /// again opens it again.
        HypothesisClosed { hypothesis: Text, reason: Text, cases: Vec<OrderId> } = "hypothesis_closed",
    }
}

/// A review's judgement of the worker's part in the order's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Better than asked: the rating rises by `quality.rating_step_praise`.
    Praise,
    /// Nothing the worker should have done otherwise: the rating stays.
    Fine,
    /// The worker's fault: the rating falls by `quality.rating_step_fault`.
    Fault,
    /// A serious fault: the rating falls by `quality.rating_step_serious`.
    Serious,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [Verdict::Praise, Verdict::Fine, Verdict::Fault, Verdict::Serious];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Praise => "praise",
            Verdict::Fine => "fine",
            Verdict::Fault => "fault",
            Verdict::Serious => "serious",
        }
    }

    pub fn parse(raw: &str) -> crate::Result<Self> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == raw.trim().to_lowercase()).ok_or_else(|| {
            crate::Error::bad_input(format!("`{raw}` is not a verdict: use praise, fine, fault or serious"))
        })
    }
}

impl EventDetails for QualityEvent {
    fn subject(&self) -> Subject {
        match self {
            QualityEvent::ReviewRecorded { order, .. } => Subject { order: Some(*order), ..Subject::default() },
            QualityEvent::CasesSampled { .. } | QualityEvent::HypothesisClosed { .. } => Subject::default(),
        }
    }

    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            QualityEvent::CasesSampled { seed, asked, orders } => {
                let list: Vec<String> = orders.iter().map(|o| format!("#{o}")).collect();
                format!("sampled {} of {asked} asked (seed {seed}): {}", orders.len(), list.join(", "))
            }
            QualityEvent::ReviewRecorded { verdict, cause, worker, revision, rating_change, .. } => {
                let amended = if *revision > 1 { format!(" (amendment {})", revision - 1) } else { String::new() };
                let who = worker.map(|w| format!(" of {}", name(w))).unwrap_or_default();
                format!("reviewed{amended}: {}{who}, rating {rating_change:+}: {cause}", verdict.as_str())
            }
            QualityEvent::HypothesisClosed { hypothesis, reason, cases } => {
                format!("hypothesis closed ({} cases): {hypothesis}: {reason}", cases.len())
            }
        }
    }
}
