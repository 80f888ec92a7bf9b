//! Scaffolding: billing's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::billing::{
    Balance, BillingRead, BillingStore, ClosedPeriod, Cycle, Entry, EntryFilter, EntryId, EntryKind, Invoice,
    InvoiceFilter, InvoiceStatus, LedgerAccount, OpenAmount, Payment, PaymentKind, PaymentStatus, Posting,
};
use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, EventSeq, InvoiceNo, OrderId, PaymentId};
use crew_core::types::Money;

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl BillingRead for PgTx<'_, '_> {
    fn ledger_balance(&mut self, account: LedgerAccount) -> Result<Balance> {
        todo!("PostgreSQL: BillingRead::ledger_balance")
    }

    fn total_paid(&mut self, client: AccountId) -> Result<Money> {
        todo!("PostgreSQL: BillingRead::total_paid")
    }
}

impl BillingStore for PgTx<'_, '_> {
    fn entry(&mut self, id: &EntryId) -> Result<Option<Entry>> {
        todo!("PostgreSQL: BillingStore::entry")
    }

    fn insert_entry(&mut self, e: &Entry) -> Result<()> {
        todo!("PostgreSQL: BillingStore::insert_entry")
    }

    fn entries(&mut self, f: &EntryFilter) -> Result<Vec<Entry>> {
        todo!("PostgreSQL: BillingStore::entries")
    }

    fn balances(&mut self) -> Result<Vec<Balance>> {
        todo!("PostgreSQL: BillingStore::balances")
    }

    fn recomputed_balances(&mut self) -> Result<Vec<Balance>> {
        todo!("PostgreSQL: BillingStore::recomputed_balances")
    }

    fn unbalanced_entries(&mut self) -> Result<Vec<(EntryId, i64)>> {
        todo!("PostgreSQL: BillingStore::unbalanced_entries")
    }

    fn closed_period(&mut self, cycle: Cycle, period: &str) -> Result<Option<ClosedPeriod>> {
        todo!("PostgreSQL: BillingStore::closed_period")
    }

    fn insert_closed_period(&mut self, p: &ClosedPeriod) -> Result<()> {
        todo!("PostgreSQL: BillingStore::insert_closed_period")
    }

    fn closed_periods(&mut self) -> Result<Vec<ClosedPeriod>> {
        todo!("PostgreSQL: BillingStore::closed_periods")
    }

    fn last_invoice_number(&mut self) -> Result<Option<InvoiceNo>> {
        todo!("PostgreSQL: BillingStore::last_invoice_number")
    }

    fn open_amounts(&mut self, cycle: Cycle, until: DateTime<Utc>) -> Result<Vec<OpenAmount>> {
        todo!("PostgreSQL: BillingStore::open_amounts")
    }

    fn insert_invoice(&mut self, i: &Invoice) -> Result<()> {
        todo!("PostgreSQL: BillingStore::insert_invoice")
    }

    fn link_open_entries(&mut self, i: &Invoice, until: DateTime<Utc>) -> Result<u64> {
        todo!("PostgreSQL: BillingStore::link_open_entries")
    }

    fn invoice(&mut self, number: InvoiceNo) -> Result<Option<Invoice>> {
        todo!("PostgreSQL: BillingStore::invoice")
    }

    fn invoices(&mut self, f: &InvoiceFilter) -> Result<Vec<Invoice>> {
        todo!("PostgreSQL: BillingStore::invoices")
    }

    fn update_invoice_status(&mut self, number: InvoiceNo, status: InvoiceStatus) -> Result<()> {
        todo!("PostgreSQL: BillingStore::update_invoice_status")
    }

    fn invoice_line_sums(&mut self) -> Result<Vec<(InvoiceNo, Money, u64)>> {
        todo!("PostgreSQL: BillingStore::invoice_line_sums")
    }

    fn insert_payment(&mut self, p: &Payment) -> Result<PaymentId> {
        todo!("PostgreSQL: BillingStore::insert_payment")
    }

    fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>> {
        todo!("PostgreSQL: BillingStore::payment")
    }

    fn payment_of(&mut self, invoice: InvoiceNo) -> Result<Option<Payment>> {
        todo!("PostgreSQL: BillingStore::payment_of")
    }

    fn open_payments(&mut self, kind: Option<PaymentKind>) -> Result<Vec<Payment>> {
        todo!("PostgreSQL: BillingStore::open_payments")
    }

    fn update_payment(&mut self, p: &Payment) -> Result<()> {
        todo!("PostgreSQL: BillingStore::update_payment")
    }
}
