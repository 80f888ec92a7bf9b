//! Billing's storage: what other contexts may read ([`BillingRead`]) and what only billing writes
//! ([`BillingStore`]).

use chrono::{DateTime, Utc};

use super::cycles::{ClosedPeriod, Cycle, Invoice, InvoiceFilter, InvoiceStatus, OpenAmount, Payment, PaymentKind};
use super::ledger::{Balance, Entry, EntryId, EntryKind, LedgerAccount};
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::OrderId;
use crate::ids::{InvoiceNo, PaymentId};
use crate::kernel::events::EventLog;
use crate::kernel::installation::InstallationRead;
use crate::ordering::OrderingRead;
use crate::settings::SettingsRead;
use crate::types::Money;

/// Which entries [`BillingStore::entries`] returns: those matching every filter given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Entries with a posting to this account.
    pub account: Option<LedgerAccount>,
    pub kind: Option<EntryKind>,
    pub order: Option<OrderId>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
}

/// The ledger's balances, as any context may read them.
pub trait BillingRead {
    /// The balance kept for `account` (debits and credits in cents); an account never posted to
    /// has zero debits and credits.
    fn ledger_balance(&mut self, account: LedgerAccount) -> Result<Balance>;
    /// What a client has paid so far: the sum of the confirmed collections from their ledger
    /// account (zero for an account that paid nothing, or is no client). Pricing's loyalty
    /// discount reads it.
    fn total_paid(&mut self, client: crate::ids::AccountId) -> Result<Money>;
}

/// Billing's own tables: journal entries and their postings (immutable: the SQLite store refuses
/// UPDATE and DELETE on them by trigger) and the balances kept beside them. Only billing writes
/// them.
pub trait BillingStore: BillingRead {
    /// The entry with this id with its postings in the order given, `None` if there is none.
    fn entry(&mut self, id: &EntryId) -> Result<Option<Entry>>;
    /// Adds an entry and its postings, and adds each posting to its account's kept balance
    /// (debits or credits), all in this transaction. An id already stored is a conflict error
    /// and changes nothing. Checking that the postings sum to zero is the caller's
    /// ([`Entry::check`]); the store keeps what it is given.
    fn insert_entry(&mut self, entry: &Entry) -> Result<()>;
    /// Entries matching every filter given, each with all its postings, by time then by the order
    /// they were added (an empty list when none match).
    fn entries(&mut self, filter: &EntryFilter) -> Result<Vec<Entry>>;
    /// Every kept balance, by account (as written, `client:7`) ascending.
    fn balances(&mut self) -> Result<Vec<Balance>>;
    /// Every account's balance computed afresh from its postings, by account ascending: what
    /// [`BillingStore::balances`] must equal.
    fn recomputed_balances(&mut self) -> Result<Vec<Balance>>;
    /// Entries whose postings do not sum to zero, or that have fewer than two, with their sum in
    /// cents, by id ascending (an empty list for a sound ledger).
    fn unbalanced_entries(&mut self) -> Result<Vec<(EntryId, i64)>>;

    /// The closed period of `cycle` named `period` (`2026-W49`, `2026-11`), `None` if it is open.
    fn closed_period(&mut self, cycle: Cycle, period: &str) -> Result<Option<ClosedPeriod>>;
    /// Records a closed period. One already closed is a conflict error and changes nothing.
    fn insert_closed_period(&mut self, period: &ClosedPeriod) -> Result<()>;
    /// Every closed period, in the order they were closed.
    fn closed_periods(&mut self) -> Result<Vec<ClosedPeriod>>;
    /// The highest invoice number issued, `None` before the first.
    fn last_invoice_number(&mut self) -> Result<Option<InvoiceNo>>;
    /// Per holder of `cycle` (clients or workers), what their entries of `cycle.kinds()` before
    /// `until` and on no invoice yet come to: the sum of the holder account's postings in them and
    /// how many there are. Only holders with such entries; by holder id ascending.
    fn open_amounts(&mut self, cycle: Cycle, until: DateTime<Utc>) -> Result<Vec<OpenAmount>>;
    /// Adds an invoice under its number. A number taken, or a second invoice of one cycle, holder
    /// and period, is a conflict error and changes nothing.
    fn insert_invoice(&mut self, invoice: &Invoice) -> Result<()>;
    /// Puts every open entry (as [`BillingStore::open_amounts`] counts them: of `cycle.kinds()`,
    /// before `until`, on no invoice yet) of each holder who has an invoice of `cycle` for `period`
    /// on that invoice, in one go, and returns how many entries it linked in all. Holders without
    /// such an invoice keep their entries open (a worker who carries over, a client whose week
    /// came to nothing). An entry is on one invoice at most; linking again links nothing more.
    fn link_period_entries(&mut self, cycle: Cycle, period: &str, until: DateTime<Utc>) -> Result<u64>;
    /// The invoice with this number, `None` if there is none.
    fn invoice(&mut self, number: InvoiceNo) -> Result<Option<Invoice>>;
    /// Invoices matching every filter given, by number ascending.
    fn invoices(&mut self, filter: &InvoiceFilter) -> Result<Vec<Invoice>>;
    /// Sets an invoice's status; a missing invoice is a not-found error.
    fn update_invoice_status(&mut self, number: InvoiceNo, status: InvoiceStatus) -> Result<()>;
    /// What each invoice's entries come to: per invoice (by number ascending), the sum of the
    /// holder account's postings in its entries, and how many entries it has.
    fn invoice_line_sums(&mut self) -> Result<Vec<(InvoiceNo, Money, u64)>>;
    /// Adds a payment (its id is ignored) and returns its new id, greater than every earlier one's.
    /// A second payment of one invoice with the same `retry`, or a key taken, is a conflict error
    /// and changes nothing.
    fn insert_payment(&mut self, payment: &Payment) -> Result<PaymentId>;
    /// The payment with this id, `None` if there is none.
    fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>>;
    /// The latest payment of an invoice (its highest `retry`), `None` if it has none.
    fn payment_of(&mut self, invoice: InvoiceNo) -> Result<Option<Payment>>;
    /// Payments still open (reserved, submitted or unknown), of `kind` if given, by id ascending.
    fn open_payments(&mut self, kind: Option<PaymentKind>) -> Result<Vec<Payment>>;
    /// Saves a payment's status, attempts, service id, note and update time (its invoice, holder,
    /// amount and key never change). A missing payment is a not-found error.
    fn update_payment(&mut self, payment: &Payment) -> Result<()>;
}

/// The transaction billing's commands and subscribers run in: its own tables, the event log,
/// IAM's accounts, ordering's orders and the company's rules.
pub trait BillingTx: EventLog + InstallationRead + BillingStore + IamRead + OrderingRead + SettingsRead {}
impl<T: EventLog + InstallationRead + BillingStore + IamRead + OrderingRead + SettingsRead + ?Sized> BillingTx for T {}
