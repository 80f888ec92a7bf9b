//! The billing cycles (DESIGN.md "Billing and accounting"): the client cycle closes a week into one
//! invoice per client and a collection for each; the worker cycle closes a month into one invoice
//! per worker owed money and a payout for each. The money services are asked by the shell, outside
//! any transaction: a batch of payments is recorded `submitted` in one transaction before any of
//! them is sent ([`submit_batch`]), and their outcomes in one transaction after
//! ([`settle_batch`]).
//!
//! ```text
//! payment:  reserved ──▶ submitted ──▶ confirmed | failed
//!                           │  ▲
//!                           ▼  │ asked again with the same key
//!                         unknown  (a timeout, a dropped connection, a 5xx, `pending`)
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::events::BillingEvent;
use super::ledger::{CompanyAccount, Entry, EntryId, EntryKind, LedgerAccount};
use super::{BillingTx, Week, local_midnight, post};
use crate::authz::{Action, Role, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, InvoiceNo, PaymentId};
use crate::kernel::command::{Ctx, record};
use crate::types::Money;

/// A calendar month in the company's time zone: `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// Reads `2026-11` (years 1970 to 9999, as every time crew stores).
    pub fn parse(raw: &str) -> Result<Month> {
        let bad = || Error::bad_input(format!("`{raw}` is not a month: write it like `2026-11`"));
        let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
        let (year, month): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        if !(1970..=9999).contains(&year) {
            return Err(Error::bad_input(format!("`{raw}` is out of range: use a year from 1970 to 9999")));
        }
        Ok(Month { year, month })
    }

    /// The month `t` falls in, in `tz`.
    pub fn of(t: DateTime<Utc>, tz: Tz) -> Month {
        let d = t.with_timezone(&tz).date_naive();
        Month { year: d.year(), month: d.month() }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("checked when made")
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    /// `[the 1st 00:00, the next month's 1st 00:00)` in `tz`, as UTC instants.
    pub fn bounds(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (local_midnight(self.first_day(), tz), local_midnight(self.next().first_day(), tz))
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// A billing period: a [`Week`] (clients) or a [`Month`] (workers and managers).
pub trait Period: Copy + Ord + fmt::Display {
    /// Reads the period as [`fmt::Display`] writes it.
    fn read(raw: &str) -> Result<Self>;
    /// The period after this one.
    fn following(self) -> Self;
    /// Its `[start, end)` in `tz`, as UTC instants.
    fn span(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>);
}

impl Period for Week {
    fn read(raw: &str) -> Result<Self> {
        Week::parse(raw)
    }
    fn following(self) -> Self {
        self.next()
    }
    fn span(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        self.bounds(tz)
    }
}

impl Period for Month {
    fn read(raw: &str) -> Result<Self> {
        Month::parse(raw)
    }
    fn following(self) -> Self {
        self.next()
    }
    fn span(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        self.bounds(tz)
    }
}

/// When the company's books began: the time of the first event in its log (`crew init`'s).
/// `None` for an empty log.
pub fn books_began(tx: &mut (impl BillingTx + ?Sized)) -> Result<Option<DateTime<Utc>>> {
    Ok(tx.events_after(crate::ids::EventSeq::START, 1)?.first().map(|e| e.at))
}

/// The periods a close without a named period takes (cron's `crew billing close-week` and
/// `close-month`), oldest first: every period of `cycle` after the latest one closed, up to `last`
/// (the last that has ended), so that a run after missed ones catches up, each period with its
/// own invoices; only `last` when none was ever closed, or when `last` is closed already (the
/// close then says so); none when `last` ended before the company's books began.
pub fn periods_to_close<P: Period>(
    tx: &mut (impl BillingTx + ?Sized),
    cycle: Cycle,
    last: P,
    tz: Tz,
) -> Result<Vec<P>> {
    if let Some(began) = books_began(tx)?
        && last.span(tz).1 <= began
    {
        return Ok(vec![]);
    }
    let latest = tx
        .closed_periods()?
        .into_iter()
        .filter(|p| p.cycle == cycle)
        .filter_map(|p| P::read(&p.period).ok())
        .filter(|p| *p < last)
        .max();
    let Some(latest) = latest else { return Ok(vec![last]) };
    let mut periods = Vec::new();
    let mut p = latest.following();
    while p <= last {
        periods.push(p);
        p = p.following();
    }
    Ok(periods)
}

/// Which cycle: the clients' weekly one, or the workers' and the managers' monthly ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    /// Weekly: one invoice per client for the week's charges, collected from the client.
    Client,
    /// Monthly: one invoice per worker (earnings − fines + awards), paid out to the worker.
    Worker,
    /// Monthly, with the workers': one invoice per manager whose bets came to a net win (winnings −
    /// stakes), paid out to the manager; a net loss stays on their account (docs/billing.md).
    Manager,
}

impl Cycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Cycle::Client => "client",
            Cycle::Worker => "worker",
            Cycle::Manager => "manager",
        }
    }

    pub fn parse(raw: &str) -> Result<Cycle> {
        match raw.trim() {
            "client" => Ok(Cycle::Client),
            "worker" => Ok(Cycle::Worker),
            "manager" => Ok(Cycle::Manager),
            _ => Err(Error::bad_input(format!("`{raw}` is not a cycle: client, worker or manager"))),
        }
    }

    /// The entries an invoice of this cycle covers.
    pub fn kinds(self) -> &'static [EntryKind] {
        match self {
            Cycle::Client => &[EntryKind::Charge],
            Cycle::Worker => &[EntryKind::Earning, EntryKind::Fine, EntryKind::Award],
            Cycle::Manager => &[EntryKind::Stake, EntryKind::BetSettlement],
        }
    }

    /// The ledger account of a holder in this cycle.
    pub fn account(self, holder: AccountId) -> LedgerAccount {
        match self {
            Cycle::Client => LedgerAccount::Client(holder),
            Cycle::Worker => LedgerAccount::Worker(holder),
            Cycle::Manager => LedgerAccount::Manager(holder),
        }
    }

    /// The money movement that settles an invoice of this cycle.
    pub fn payment_kind(self) -> PaymentKind {
        match self {
            Cycle::Client => PaymentKind::Collection,
            Cycle::Worker | Cycle::Manager => PaymentKind::Payout,
        }
    }

    /// What an invoice of this cycle comes to from the sum of the holder's postings in its
    /// entries: what a client owes (debits), or what the company owes a worker or manager
    /// (credits).
    pub fn amount(self, sum: Money) -> Money {
        match self {
            Cycle::Client => sum,
            Cycle::Worker | Cycle::Manager => Money::from_cents(-sum.cents()),
        }
    }
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Issued; its money is being collected or paid out.
    Issued,
    /// Collected from the client, or paid to the worker.
    Paid,
    /// The collection or payout was definitely refused.
    Failed,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Result<InvoiceStatus> {
        match raw.trim() {
            "issued" => Ok(InvoiceStatus::Issued),
            "paid" => Ok(InvoiceStatus::Paid),
            "failed" => Ok(InvoiceStatus::Failed),
            _ => Err(Error::bad_input(format!("`{raw}` is not an invoice status: issued, paid or failed"))),
        }
    }
}

/// An invoice: what one client owes for a week, or what the company owes one worker or manager for
/// a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    /// Numbered without gaps, in the order invoices are issued (both cycles share the numbers).
    pub number: InvoiceNo,
    pub cycle: Cycle,
    pub holder: AccountId,
    /// `2026-W49` for a client, `2026-11` for a worker.
    pub period: String,
    /// What the client owes, or what the worker is paid (more than zero).
    pub amount: Money,
    /// How many ledger entries it covers.
    pub entries: u64,
    pub issued_at: DateTime<Utc>,
    pub status: InvoiceStatus,
}

/// Collection from a client, or payout to a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Collection,
    Payout,
}

impl PaymentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentKind::Collection => "collection",
            PaymentKind::Payout => "payout",
        }
    }

    pub fn parse(raw: &str) -> Result<PaymentKind> {
        match raw.trim() {
            "collection" => Ok(PaymentKind::Collection),
            "payout" => Ok(PaymentKind::Payout),
            _ => Err(Error::bad_input(format!("`{raw}` is not a payment kind: collection or payout"))),
        }
    }
}

/// Where a collection or payout stands (see the module's diagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Recorded with its key when the invoice was issued; not yet sent.
    Reserved,
    /// Being sent (a crash here leaves it so; the next run asks again with the same key).
    Submitted,
    /// The service carried it out.
    Confirmed,
    /// The service definitely refused it.
    Failed,
    /// Sent, but the outcome is not known (timeout, dropped connection, 5xx, `pending`).
    Unknown,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Reserved => "reserved",
            PaymentStatus::Submitted => "submitted",
            PaymentStatus::Confirmed => "confirmed",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Result<PaymentStatus> {
        [
            PaymentStatus::Reserved,
            PaymentStatus::Submitted,
            PaymentStatus::Confirmed,
            PaymentStatus::Failed,
            PaymentStatus::Unknown,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw.trim())
        .ok_or_else(|| {
            Error::bad_input(format!(
                "`{raw}` is not a payment status: reserved, submitted, confirmed, failed or unknown"
            ))
        })
    }

    /// Whether the service still has to be asked (again, with the same key).
    pub fn is_open(self) -> bool {
        matches!(self, PaymentStatus::Reserved | PaymentStatus::Submitted | PaymentStatus::Unknown)
    }
}

/// A collection or payout: one per invoice, with the idempotency key derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: PaymentId,
    pub kind: PaymentKind,
    pub invoice: InvoiceNo,
    pub holder: AccountId,
    pub amount: Money,
    /// The client's payment method (`card`, `bank_transfer`, `invoice`), or `transfer` for a payout.
    pub method: String,
    /// Sent as `Idempotency-Key`: the same for every attempt of this payment.
    pub key: String,
    pub status: PaymentStatus,
    pub attempts: u32,
    /// The service's id for it, once known.
    pub service_id: Option<String>,
    /// Why it failed, or why its outcome is unknown.
    pub note: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// 0 for an invoice's first collection or payout; n for the n-th retry of a collection that
    /// definitely failed (`crew billing collect`), each with its own key.
    pub retry: u32,
}

/// The idempotency key of an invoice's payment: derived from the record, so every attempt (in
/// this process or after a crash) sends the same one, and starting with the database's
/// installation key ([`crate::kernel::installation`]), so a database made anew never repeats an
/// older one's key at the money service (which would answer with the older payment's outcome).
pub fn payment_key(
    installation: &str,
    kind: PaymentKind,
    invoice: InvoiceNo,
    cycle_period: &str,
    holder: AccountId,
) -> String {
    format!("crew-{installation}-{}-inv{invoice}-{cycle_period}-acct{holder}", kind.as_str())
}

/// The key of a retry (`retry` ≥ 1) of a payment whose key was `first`: `first` and `-r{retry}`,
/// derived from the record and the retry's number, so a crashed retry resends the same key and
/// two retries never share one. Retry 0 is `first` itself.
pub fn retry_key(first: &str, retry: u32) -> String {
    if retry == 0 { first.to_string() } else { format!("{first}-r{retry}") }
}

/// What a holder's open entries come to (from the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAmount {
    pub holder: AccountId,
    /// The sum of the holder account's postings in those entries (debits positive).
    pub sum: Money,
    pub entries: u64,
}

/// A period closed: which cycle, which period, when, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedPeriod {
    pub cycle: Cycle,
    pub period: String,
    /// Entries before this instant were invoiced (the period's end).
    pub until: DateTime<Utc>,
    pub closed_at: DateTime<Utc>,
    pub closed_by: Option<AccountId>,
    /// How many invoices and what they came to, as closed (checked by `verify`).
    pub invoices: u64,
    pub total: Money,
}

/// A worker whose month came to less than nothing: no invoice; the balance carries over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carry {
    pub worker: AccountId,
    /// What the worker owes (more than zero).
    pub owed: Money,
}

/// A manager whose bets came to a net loss over their open entries: no invoice; it stays on their
/// ledger account and is offset by later winnings (crew collects nothing from managers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerOwes {
    pub manager: AccountId,
    /// What the manager owes (more than zero).
    pub owed: Money,
}

/// What closing a period did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleReport {
    pub cycle: Cycle,
    pub period: String,
    /// The period was closed before: nothing new was issued; these are its invoices.
    pub already_closed: bool,
    /// A month's: the workers' invoices, then the managers'.
    pub invoices: Vec<Invoice>,
    /// Workers who owe: carried into the next month.
    pub carried_over: Vec<Carry>,
    /// A month's managers whose bets came to a net loss (no invoice).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managers_owing: Vec<ManagerOwes>,
}

/// `crew billing close-week`: one invoice per client for the week's charges not yet invoiced
/// (charges of earlier weeks that arrived after their week was closed come along), and a
/// collection reserved for each. Closing a week again issues nothing and returns its invoices; a
/// week is closed only once it has ended.
pub fn close_week(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, week: Week, tz: Tz) -> Result<CycleReport> {
    let (_, until) = week.bounds(tz);
    close(tx, ctx, Cycle::Client, &week.to_string(), until)
}

/// `crew billing close-month`: one invoice per worker whose month (earnings − fines + awards, and
/// whatever carried over) comes to more than zero, with a payout reserved for each; a worker who
/// owes carries the balance into the next month (no invoice, no mail). Then, in the same
/// transaction, the managers' cycle of the month (its own closed period): one invoice per manager
/// whose open stakes and pots shared come to a net win, paid out like a worker's; a net loss is no
/// invoice and stays on the manager's account, offset by later winnings. Closing a month again
/// issues nothing (a month closed before the managers' cycle existed gets its managers' cycle).
pub fn close_month(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, month: Month, tz: Tz) -> Result<CycleReport> {
    let (_, until) = month.bounds(tz);
    let mut report = close(tx, ctx, Cycle::Worker, &month.to_string(), until)?;
    let managers = close(tx, ctx, Cycle::Manager, &month.to_string(), until)?;
    report.already_closed &= managers.already_closed;
    report.invoices.extend(managers.invoices);
    report.managers_owing =
        managers.carried_over.into_iter().map(|c| ManagerOwes { manager: c.worker, owed: c.owed }).collect();
    Ok(report)
}

fn close(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    cycle: Cycle,
    period: &str,
    until: DateTime<Utc>,
) -> Result<CycleReport> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    if let Some(closed) = tx.closed_period(cycle, period)? {
        let invoices = tx.invoices(&InvoiceFilter {
            cycle: Some(cycle),
            period: Some(closed.period.clone()),
            ..Default::default()
        })?;
        return Ok(CycleReport {
            cycle,
            period: period.to_string(),
            already_closed: true,
            invoices,
            carried_over: vec![],
            managers_owing: vec![],
        });
    }
    if let Some(began) = books_began(tx)?
        && until <= began
    {
        return Err(Error::bad_input(format!(
            "{period} ended before this company's books began ({}): there is nothing to close",
            began.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    if ctx.now < until {
        let hint = match cycle {
            Cycle::Client => " (`crew billing due` shows the week so far)",
            Cycle::Worker | Cycle::Manager => "",
        };
        return Err(Error::conflict(format!(
            "{period} has not ended yet (it ends {}); close it afterwards{hint}",
            until.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    let mut invoices = Vec::new();
    let mut carried_over = Vec::new();
    let mut next = tx.last_invoice_number()?.map_or(1, |n| n.get() + 1);
    let installation = tx.installation_key()?;
    for open in tx.open_amounts(cycle, until)? {
        let amount = cycle.amount(open.sum);
        if amount.cents() < 0 && cycle != Cycle::Client {
            carried_over.push(Carry { worker: open.holder, owed: Money::from_cents(-amount.cents()) });
            continue;
        }
        if amount.cents() <= 0 {
            continue;
        }
        let invoice = Invoice {
            number: InvoiceNo::new(next),
            cycle,
            holder: open.holder,
            period: period.to_string(),
            amount,
            entries: open.entries,
            issued_at: ctx.now,
            status: InvoiceStatus::Issued,
        };
        next += 1;
        tx.insert_invoice(&invoice)?;
        let kind = cycle.payment_kind();
        let method = match cycle {
            Cycle::Client => {
                tx.client_profile(open.holder)?.map_or("card".to_string(), |p| p.payment_method.to_string())
            }
            Cycle::Worker | Cycle::Manager => "transfer".to_string(),
        };
        let payment = tx.insert_payment(&Payment {
            id: PaymentId::new(1),
            kind,
            invoice: invoice.number,
            holder: open.holder,
            amount,
            method,
            key: payment_key(&installation, kind, invoice.number, period, open.holder),
            status: PaymentStatus::Reserved,
            attempts: 0,
            service_id: None,
            note: None,
            updated_at: ctx.now,
            retry: 0,
        })?;
        record(
            tx,
            ctx,
            BillingEvent::InvoiceIssued {
                invoice: invoice.number,
                cycle,
                holder: invoice.holder,
                period: invoice.period.clone(),
                amount,
                entries: invoice.entries,
                payment,
            },
        )?;
        invoices.push(invoice);
    }
    // Every invoiced holder's open entries onto their invoice, in one statement (not one per
    // invoice: at 100,000 clients that was most of the close's time; BENCHMARKS.md).
    let expected: u64 = invoices.iter().map(|i| i.entries).sum();
    let linked = tx.link_period_entries(cycle, period, until)?;
    if linked != expected {
        return Err(Error::internal(format!(
            "{} {period}: {expected} entries were open on its invoices, {linked} linked",
            cycle.as_str()
        )));
    }
    let total = Money::from_cents(invoices.iter().map(|i| i.amount.cents()).sum());
    // The event names workers who carry a balance over; managers who owe are in the report only.
    let carried_event = if cycle == Cycle::Worker { carried_over.clone() } else { Vec::new() };
    tx.insert_closed_period(&ClosedPeriod {
        cycle,
        period: period.to_string(),
        until,
        closed_at: ctx.now,
        closed_by: Some(ctx.actor.id),
        invoices: invoices.len() as u64,
        total,
    })?;
    record(
        tx,
        ctx,
        BillingEvent::PeriodClosed {
            cycle,
            period: period.to_string(),
            invoices: invoices.len() as u64,
            total,
            carried_over: carried_event,
        },
    )?;
    Ok(CycleReport {
        cycle,
        period: period.to_string(),
        already_closed: false,
        invoices,
        carried_over,
        managers_owing: vec![],
    })
}

/// What `crew billing collect` did (or, with `--dry-run`, would do) for one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retry {
    pub invoice: InvoiceNo,
    /// The collection that failed.
    pub failed: Payment,
    /// The new collection, reserved with its own key.
    pub retry: Payment,
}

/// `crew billing collect [INVOICE]`: a new collection, with a new key, for every client invoice
/// whose latest collection definitely failed (or for the one named). The failed one stays as it
/// was (its key is never sent again); the invoice is issued again, and the shell then sends the
/// retry like any open payment. The client's payment method is read afresh (they may have changed
/// it since). A named invoice that does not exist is not found; one that is not a client's, is
/// paid, or whose collection is still open (asked again with its own key: `reconcile`) is a
/// conflict. Without a name, invoices with nothing to retry are left alone.
pub fn retry_collections(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    invoice: Option<InvoiceNo>,
) -> Result<Vec<Retry>> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    let invoices = match invoice {
        Some(n) => {
            let i = tx.invoice(n)?.ok_or_else(|| Error::not_found(format!("no invoice {n}")))?;
            if i.cycle != Cycle::Client {
                return Err(Error::conflict(format!(
                    "invoice {n} is a {} invoice: only collections from clients are retried",
                    i.cycle.as_str()
                )));
            }
            if i.status != InvoiceStatus::Failed {
                let why = match i.status {
                    InvoiceStatus::Paid => "it is paid".to_string(),
                    _ => "its collection is still open (`crew billing reconcile` asks again with its key)".to_string(),
                };
                return Err(Error::conflict(format!("invoice {n} has nothing to retry: {why}")));
            }
            vec![i]
        }
        None => tx.invoices(&InvoiceFilter {
            cycle: Some(Cycle::Client),
            status: Some(InvoiceStatus::Failed),
            ..Default::default()
        })?,
    };
    let mut out = Vec::new();
    for mut i in invoices {
        let failed = tx
            .payment_of(i.number)?
            .ok_or_else(|| Error::internal(format!("invoice {} has no collection", i.number)))?;
        if failed.status != PaymentStatus::Failed {
            return Err(Error::internal(format!(
                "invoice {} is failed but its latest collection is {}",
                i.number,
                failed.status.as_str()
            )));
        }
        // The first collection's key, as it was stored (a key from before installation keys
        // stays what it was): the latest key without its `-r{n}`.
        let suffix = format!("-r{}", failed.retry);
        let first = match failed.retry {
            0 => failed.key.clone(),
            _ => failed.key.strip_suffix(suffix.as_str()).unwrap_or(&failed.key).to_string(),
        };
        let retry = failed.retry + 1;
        let method = tx.client_profile(i.holder)?.map_or(failed.method.clone(), |p| p.payment_method.to_string());
        let mut new = Payment {
            id: PaymentId::new(1),
            kind: PaymentKind::Collection,
            invoice: i.number,
            holder: i.holder,
            amount: failed.amount,
            method,
            key: retry_key(&first, retry),
            status: PaymentStatus::Reserved,
            attempts: 0,
            service_id: None,
            note: None,
            updated_at: ctx.now,
            retry,
        };
        new.id = tx.insert_payment(&new)?;
        i.status = InvoiceStatus::Issued;
        tx.update_invoice_status(i.number, i.status)?;
        record(
            tx,
            ctx,
            BillingEvent::PaymentRetried {
                payment: new.id,
                invoice: i.number,
                kind: PaymentKind::Collection,
                retry,
                key: new.key.clone(),
            },
        )?;
        out.push(Retry { invoice: i.number, failed, retry: new });
    }
    Ok(out)
}

/// Which invoices [`super::BillingStore::invoices`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    pub cycle: Option<Cycle>,
    pub holder: Option<AccountId>,
    pub period: Option<String>,
    pub status: Option<InvoiceStatus>,
}

/// `crew billing invoices`: clients and workers see their own; staff any (by holder, cycle,
/// status).
pub fn invoices(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    mut filter: InvoiceFilter,
) -> Result<Vec<(Invoice, Option<Payment>)>> {
    require(&ctx.actor, Action::ViewBilling)?;
    match ctx.actor.role {
        Role::Client | Role::Worker => {
            if filter.holder.is_some_and(|h| h != ctx.actor.id) {
                return Err(Error::not_allowed("those invoices are not yours"));
            }
            filter.holder = Some(ctx.actor.id);
        }
        Role::Admin | Role::Manager | Role::Accountant => {}
        _ => return Err(Error::not_allowed("invoices are for their holders and staff")),
    }
    let found = tx.invoices(&filter)?;
    let mut out = Vec::with_capacity(found.len());
    for invoice in found {
        let payment = tx.payment_of(invoice.number)?;
        out.push((invoice, payment));
    }
    Ok(out)
}

/// The payments the money services must still be asked about (reserved, submitted or unknown), by
/// id: what the shell works through after a close, and again after a crash.
pub fn open_payments(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, kind: Option<PaymentKind>) -> Result<Vec<Payment>> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    tx.open_payments(kind)
}

/// A payment as it goes to its service: the record, and who pays or is paid (their login, the
/// `customer` or `recipient` of DESIGN.md §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub payment: Payment,
    pub party: String,
}

/// Records that a payment is about to be sent (its own transaction, before the request): a crash
/// after this leaves it `submitted`, and it is asked again with the same key. A payment no longer
/// open is returned as it is (another run settled it): the caller sends nothing.
pub fn submit(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, id: PaymentId) -> Result<Submitted> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    submit_one(tx, ctx, id)
}

/// [`submit`] for a batch of payments in one transaction (the shell's, before any of them is
/// sent): each is recorded `submitted` with its attempt and its `payment_submitted` event, as if
/// submitted alone, in the order given. A crash after this leaves them all `submitted`, and the
/// next run asks again about each with its own key — those the service already carried out
/// answer with their first outcome. Payments no longer open come back as they are (send nothing
/// for them); an id that names no payment is not found, and nothing of the batch is recorded.
pub fn submit_batch(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, ids: &[PaymentId]) -> Result<Vec<Submitted>> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    ids.iter().map(|id| submit_one(tx, ctx, *id)).collect()
}

fn submit_one(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, id: PaymentId) -> Result<Submitted> {
    let mut p = tx.payment(id)?.ok_or_else(|| Error::not_found(format!("no payment #{id}")))?;
    let party = tx.account(p.holder)?.map(|a| a.login.to_string()).unwrap_or_else(|| format!("account {}", p.holder));
    if !p.status.is_open() {
        return Ok(Submitted { payment: p, party });
    }
    p.status = PaymentStatus::Submitted;
    p.attempts += 1;
    p.updated_at = ctx.now;
    tx.update_payment(&p)?;
    record(
        tx,
        ctx,
        BillingEvent::PaymentSubmitted {
            payment: p.id,
            invoice: p.invoice,
            kind: p.kind,
            key: p.key.clone(),
            attempt: p.attempts,
        },
    )?;
    Ok(Submitted { payment: p, party })
}

/// What a money service said about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Carried out (`succeeded`), with the service's id.
    Confirmed { service_id: String },
    /// Definitely refused: a `failed` status or a 4xx other than a key conflict.
    Failed { reason: String },
    /// Not known: a timeout, a dropped connection, a 5xx, a 409 (the same key still in progress),
    /// or `pending`. Asked again with the same key later (`crew billing reconcile`, or the next
    /// run).
    Unknown { reason: String },
    /// Certainly not carried out: the request never reached the service (every attempt failed to
    /// connect). The payment is reserved again and sent with the same key by the next run.
    NotSent { reason: String },
}

/// Records a service's answer about a payment (its own transaction, after the request): confirmed
/// posts the money to the ledger (`collection:N` bank clearing ← client; `payout:N` worker ←
/// bank clearing) and marks the invoice paid; failed marks it failed; unknown leaves it to be
/// asked again; not sent reserves it again (sent with the same key by the next run). A payment already confirmed or failed is left as it is (an answer repeated by a
/// concurrent run changes nothing).
pub fn settle(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, id: PaymentId, outcome: Outcome) -> Result<Payment> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    settle_one(tx, ctx, id, outcome)
}

/// [`settle`] for a batch of answers in one transaction (the shell's, after the batch's
/// requests): each answer is recorded as if settled alone, in the order given — its status, its
/// ledger entry when confirmed, its invoice's status and its event. An answer about a payment no
/// longer open changes nothing; an id that names no payment is not found, and nothing of the
/// batch is recorded (a crash or an error here leaves the batch `submitted`: the next run asks
/// again with the same keys and gets the same answers).
pub fn settle_batch(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    answers: Vec<(PaymentId, Outcome)>,
) -> Result<Vec<Payment>> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    answers.into_iter().map(|(id, outcome)| settle_one(tx, ctx, id, outcome)).collect()
}

fn settle_one(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, id: PaymentId, outcome: Outcome) -> Result<Payment> {
    let mut p = tx.payment(id)?.ok_or_else(|| Error::not_found(format!("no payment #{id}")))?;
    if !p.status.is_open() {
        return Ok(p);
    }
    let mut invoice = tx.invoice(p.invoice)?.ok_or_else(|| Error::internal(format!("payment #{id} has no invoice")))?;
    p.updated_at = ctx.now;
    match outcome {
        Outcome::Confirmed { service_id } => {
            p.status = PaymentStatus::Confirmed;
            p.service_id = Some(service_id.clone());
            p.note = None;
            let (id_text, debit, credit) = match p.kind {
                PaymentKind::Collection => (
                    format!("collection:{}", p.invoice),
                    LedgerAccount::Company(CompanyAccount::BankClearing),
                    LedgerAccount::Client(p.holder),
                ),
                PaymentKind::Payout => (
                    format!("payout:{}", p.invoice),
                    invoice.cycle.account(p.holder),
                    LedgerAccount::Company(CompanyAccount::BankClearing),
                ),
            };
            let kind = match p.kind {
                PaymentKind::Collection => EntryKind::Collection,
                PaymentKind::Payout => EntryKind::Payout,
            };
            let mut entry = Entry::transfer(
                EntryId::parse(&id_text)?,
                kind,
                ctx.now,
                debit,
                credit,
                p.amount,
                format!("invoice {} ({}), {service_id}", p.invoice, p.key),
            );
            entry.actor = Some(ctx.actor.id);
            post(tx, entry)?;
            invoice.status = InvoiceStatus::Paid;
            tx.update_payment(&p)?;
            tx.update_invoice_status(invoice.number, invoice.status)?;
            record(
                tx,
                ctx,
                BillingEvent::PaymentConfirmed {
                    payment: p.id,
                    invoice: p.invoice,
                    kind: p.kind,
                    holder: p.holder,
                    amount: p.amount,
                    service_id,
                },
            )?;
        }
        Outcome::Failed { reason } => {
            p.status = PaymentStatus::Failed;
            p.note = Some(reason.clone());
            invoice.status = InvoiceStatus::Failed;
            tx.update_payment(&p)?;
            tx.update_invoice_status(invoice.number, invoice.status)?;
            record(
                tx,
                ctx,
                BillingEvent::PaymentFailed {
                    payment: p.id,
                    invoice: p.invoice,
                    kind: p.kind,
                    holder: p.holder,
                    amount: p.amount,
                    reason,
                },
            )?;
        }
        Outcome::NotSent { reason } => {
            p.status = PaymentStatus::Reserved;
            p.note = Some(reason.clone());
            tx.update_payment(&p)?;
            record(tx, ctx, BillingEvent::PaymentNotSent { payment: p.id, invoice: p.invoice, kind: p.kind, reason })?;
        }
        Outcome::Unknown { reason } => {
            p.status = PaymentStatus::Unknown;
            p.note = Some(reason.clone());
            tx.update_payment(&p)?;
            record(tx, ctx, BillingEvent::PaymentUnknown { payment: p.id, invoice: p.invoice, kind: p.kind, reason })?;
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_and_bounded_in_the_company_zone() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let m = Month::parse("2026-10").unwrap();
        let (from, until) = m.bounds(berlin);
        assert_eq!(from.to_rfc3339(), "2026-09-30T22:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2026-10-31T23:00:00+00:00");
        assert_eq!(Month::parse("2026-12").unwrap().next().to_string(), "2027-01");
        assert_eq!(Month::parse("2026-01").unwrap().previous().to_string(), "2025-12");
        assert!(Month::parse("2026-13").is_err() && Month::parse("November").is_err());
        // The years crew stores, and no further: the month after the last has a first day.
        assert!(Month::parse("1970-01").is_ok() && Month::parse("9999-12").is_ok());
        for out in ["1969-12", "10000-01", "262142-12", "-1-01", "0-01"] {
            assert!(Month::parse(out).is_err(), "{out}");
        }
    }

    const INSTALLATION: &str = "0123456789abcdef";

    #[test]
    fn a_retry_key_is_the_first_key_and_the_retry_number() {
        let first =
            payment_key(INSTALLATION, PaymentKind::Collection, InvoiceNo::new(7), "2026-W49", AccountId::new(5));
        assert_eq!(retry_key(&first, 0), first);
        assert_eq!(retry_key(&first, 2), "crew-0123456789abcdef-collection-inv7-2026-W49-acct5-r2");
        assert_ne!(retry_key(&first, 1), retry_key(&first, 2));
    }

    #[test]
    fn a_payment_key_is_derived_from_its_record_and_its_installation() {
        let key = |installation| {
            payment_key(installation, PaymentKind::Collection, InvoiceNo::new(7), "2026-W49", AccountId::new(5))
        };
        assert_eq!(key(INSTALLATION), "crew-0123456789abcdef-collection-inv7-2026-W49-acct5");
        assert_eq!(key(INSTALLATION), key(INSTALLATION));
        assert_ne!(key(INSTALLATION), key("fedcba9876543210"), "two databases, two keys");
    }
}
