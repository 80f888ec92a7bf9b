//! Billing's events: every journal entry posted to the ledger.

use serde::{Deserialize, Serialize};

use super::ledger::{EntryId, EntryKind, Posting};
use crate::domain_events;
use crate::ids::{AccountId, OrderId};
use crate::kernel::events::{EventDetails, Subject};

domain_events! {
    /// What billing records.
    pub enum BillingEvent {
        /// A journal entry was posted (the ledger's audit trail: the entry as stored).
        LedgerEntryPosted(PostedEntry) = "ledger_entry_posted",
    }
}

/// An entry as its event records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedEntry {
    pub entry: EntryId,
    pub kind: EntryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub memo: String,
    pub postings: Vec<Posting>,
}

impl EventDetails for BillingEvent {
    fn subject(&self) -> Subject {
        match self {
            BillingEvent::LedgerEntryPosted(p) => Subject { order: p.order, ..Subject::default() },
        }
    }

    fn summary(&self, _name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            BillingEvent::LedgerEntryPosted(p) => {
                let lines: Vec<String> = p.postings.iter().map(|l| format!("{} {}", l.account, l.amount)).collect();
                let memo = if p.memo.is_empty() { String::new() } else { format!(" ({})", p.memo) };
                format!("{} {}: {}{memo}", p.kind, p.entry, lines.join(", "))
            }
        }
    }
}
