//! Billing's events: every journal entry posted to the ledger.

use serde::{Deserialize, Serialize};

use super::cycles::{Carry, Cycle, PaymentKind};
use super::ledger::{EntryId, EntryKind, Posting};
use crate::domain_events;
use crate::ids::{AccountId, InvoiceNo, OrderId, PaymentId};
use crate::kernel::events::{EventDetails, Subject};
use crate::types::Money;

domain_events! {
    /// What billing records.
    pub enum BillingEvent {
        /// A journal entry was posted (the ledger's audit trail: the entry as stored).
        LedgerEntryPosted(PostedEntry) = "ledger_entry_posted",
        /// An invoice was issued, and its collection or payout reserved.
        InvoiceIssued {
            invoice: InvoiceNo,
            cycle: Cycle,
            holder: AccountId,
            period: String,
            amount: Money,
            entries: u64,
            payment: PaymentId,
        } = "invoice_issued",
        /// A week (clients) or month (workers) was closed.
        PeriodClosed {
            cycle: Cycle,
            period: String,
            invoices: u64,
            total: Money,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            carried_over: Vec<Carry>,
        } = "billing_period_closed",
        /// A collection or payout is being sent to its service (attempt `attempt`, same key).
        PaymentSubmitted { payment: PaymentId, invoice: InvoiceNo, kind: PaymentKind, key: String, attempt: u32 } = "payment_submitted",
        /// The service carried it out.
        PaymentConfirmed {
            payment: PaymentId,
            invoice: InvoiceNo,
            kind: PaymentKind,
            holder: AccountId,
            amount: Money,
            service_id: String,
        } = "payment_confirmed",
        /// The service definitely refused it.
        PaymentFailed {
            payment: PaymentId,
            invoice: InvoiceNo,
            kind: PaymentKind,
            holder: AccountId,
            amount: Money,
            reason: String,
        } = "payment_failed",
        /// A collection that definitely failed is tried again (`crew billing collect`): a new
        /// payment, `retry` n, with its own key; the failed one is never sent again.
        PaymentRetried { payment: PaymentId, invoice: InvoiceNo, kind: PaymentKind, retry: u32, key: String } = "payment_retried",
        /// Never reached its service (every attempt failed to connect): certainly not carried out;
        /// reserved again, to be sent with the same key.
        PaymentNotSent { payment: PaymentId, invoice: InvoiceNo, kind: PaymentKind, reason: String } = "payment_not_sent",
        /// Sent, outcome unknown: it will be asked again with the same key.
        PaymentUnknown { payment: PaymentId, invoice: InvoiceNo, kind: PaymentKind, reason: String } = "payment_outcome_unknown",
        /// `crew billing verify` ran: how many checks, whether all passed, how many problems.
        LedgerVerified { passed: bool, checks: u32, problems: u32 } = "ledger_verified",
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
            _ => Subject::default(),
        }
    }

    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            BillingEvent::LedgerEntryPosted(p) => {
                let lines: Vec<String> = p.postings.iter().map(|l| format!("{} {}", l.account, l.amount)).collect();
                let memo = if p.memo.is_empty() { String::new() } else { format!(" ({})", p.memo) };
                format!("{} {}: {}{memo}", p.kind, p.entry, lines.join(", "))
            }
            BillingEvent::InvoiceIssued { invoice, cycle, holder, period, amount, .. } => {
                format!("invoice {invoice} to {} ({} {period}): {amount}", name(*holder), cycle.as_str())
            }
            BillingEvent::PeriodClosed { cycle, period, invoices, total, carried_over } => {
                let carried = if carried_over.is_empty() {
                    String::new()
                } else {
                    format!(", {} carried over", carried_over.len())
                };
                format!("{} cycle {period} closed: {invoices} invoices, {total}{carried}", cycle.as_str())
            }
            BillingEvent::PaymentSubmitted { invoice, kind, key, attempt, .. } => {
                format!("{} for invoice {invoice} sent (attempt {attempt}, key {key})", kind.as_str())
            }
            BillingEvent::PaymentConfirmed { invoice, kind, holder, amount, service_id, .. } => {
                format!("{} for invoice {invoice} confirmed: {amount} ({}, {service_id})", kind.as_str(), name(*holder))
            }
            BillingEvent::PaymentFailed { invoice, kind, holder, amount, reason, .. } => {
                format!("{} for invoice {invoice} failed: {amount} ({}): {reason}", kind.as_str(), name(*holder))
            }
            BillingEvent::PaymentRetried { invoice, kind, retry, key, .. } => {
                format!("{} for invoice {invoice} retried (retry {retry}, new key {key})", kind.as_str())
            }
            BillingEvent::PaymentNotSent { invoice, kind, reason, .. } => {
                format!("{} for invoice {invoice} not sent, to be sent again with its key ({reason})", kind.as_str())
            }
            BillingEvent::PaymentUnknown { invoice, kind, reason, .. } => {
                format!("{} for invoice {invoice}: outcome unknown ({reason})", kind.as_str())
            }
            BillingEvent::LedgerVerified { passed, checks, problems } => {
                if *passed {
                    format!("ledger verified: {checks} checks passed")
                } else {
                    format!("ledger verification FAILED: {problems} problems in {checks} checks")
                }
            }
        }
    }
}
