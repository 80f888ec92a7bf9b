//! Billing's storage: what other contexts may read ([`BillingRead`]) and what only billing writes
//! ([`BillingStore`]).

use chrono::{DateTime, Utc};

use super::ledger::{Balance, Entry, EntryId, EntryKind, LedgerAccount};
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::OrderId;
use crate::kernel::events::EventLog;
use crate::ordering::OrderingRead;
use crate::settings::SettingsRead;

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
}

/// The transaction billing's commands and subscribers run in: its own tables, the event log,
/// IAM's accounts, ordering's orders and the company's rules.
pub trait BillingTx: EventLog + BillingStore + IamRead + OrderingRead + SettingsRead {}
impl<T: EventLog + BillingStore + IamRead + OrderingRead + SettingsRead + ?Sized> BillingTx for T {}
