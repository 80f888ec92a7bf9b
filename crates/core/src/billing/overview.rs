//! What billing shows at a glance: a worker's earnings for a month, the accountant's cycles (what
//! waits to be closed, payments whose outcome is unknown, the last verification), and the
//! company's money by week for `crew report billing`. All read from the ledger as it stands;
//! nothing here writes.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::cycles::{Cycle, Invoice, InvoiceFilter, InvoiceStatus, Month, Payment, PaymentStatus};
use super::events::BillingEvent;
use super::ledger::{CompanyAccount, EntryKind, LedgerAccount};
use super::{BillingTx, EntryFilter, Week, chosen_account, local_midnight};
use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::ids::EventSeq;
use crate::kernel::command::Ctx;
use crate::types::Money;

/// A worker's month so far: what they earned, were fined and awarded, in the month's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Earnings {
    pub worker: LedgerAccount,
    pub month: String,
    /// 60% (the company's share rule) of each completed order's price, summed.
    pub earned: Money,
    /// Fines for failed orders (a positive amount the worker owes).
    pub fines: Money,
    pub awards: Money,
    /// Reversals touching the worker's account (positive: in the worker's favour).
    pub adjustments: Money,
    /// `earned − fines + awards + adjustments`: what the month adds.
    pub net: Money,
    /// How many entries the figures come from.
    pub entries: usize,
    /// Earnings, fines and awards from before the month on no invoice yet: a debt carried over
    /// (negative) or what a close has not paid yet (positive).
    pub carried_over: Money,
    /// What this month's close would pay the worker if it closed now: this month's earnings,
    /// fines and awards on no invoice yet, less a debt carried over from earlier months (zero
    /// when that comes to less than nothing: the debt carries over again). Money from an earlier
    /// month not closed yet is paid by that month's close, not counted here.
    pub next_payout: Money,
}

/// A worker's earnings for `month` (in `tz`). Workers read their own; staff name the worker.
///
/// Errors: not allowed for other roles or another worker's account; bad input if the named account
/// is not a worker's.
pub fn earnings(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    worker: Option<&str>,
    month: Month,
    tz: Tz,
) -> Result<Earnings> {
    require(&ctx.actor, Action::ViewBilling)?;
    let account = chosen_account(tx, ctx, worker)?;
    if !matches!(account, LedgerAccount::Worker(_)) {
        return Err(Error::bad_input(format!("{account} is not a worker's ledger account")));
    }
    let (since, until) = month.bounds(tz);
    let entries = tx.entries(&EntryFilter {
        account: Some(account),
        since: Some(since),
        until: Some(until),
        ..Default::default()
    })?;
    let (mut earned, mut fines, mut awards, mut adjustments) = (0i64, 0i64, 0i64, 0i64);
    let mut counted = 0;
    for e in &entries {
        // The worker's account is a liability seen from the company: a credit (negative) is
        // money the worker is owed.
        let owed_to_worker = -e.amount_for(account).cents();
        match e.kind {
            EntryKind::Earning => earned += owed_to_worker,
            EntryKind::Fine => fines -= owed_to_worker,
            EntryKind::Award => awards += owed_to_worker,
            EntryKind::Reversal => adjustments += owed_to_worker,
            // Payouts settle what was owed; they are not part of what the month earned.
            EntryKind::Payout | EntryKind::Collection | EntryKind::Charge => continue,
            // Bets are managers' money: never on a worker's account.
            EntryKind::Stake | EntryKind::BetSettlement => continue,
        }
        counted += 1;
    }
    let holder = account.holder().ok_or_else(|| Error::internal("a worker's ledger account has a holder"))?;
    let mut open_owed = |until: DateTime<Utc>| -> Result<i64> {
        let open = tx.open_amounts(Cycle::Worker, until)?;
        // The worker's account is credited what they are owed.
        Ok(-open.iter().filter(|o| o.holder == holder).map(|o| o.sum.cents()).sum::<i64>())
    };
    let carried_over = open_owed(since)?;
    let up_to_now = open_owed(ctx.now.clamp(since, until))?;
    Ok(Earnings {
        worker: account,
        month: month.to_string(),
        earned: Money::from_cents(earned),
        fines: Money::from_cents(fines),
        awards: Money::from_cents(awards),
        adjustments: Money::from_cents(adjustments),
        net: Money::from_cents(earned - fines + awards + adjustments),
        entries: counted,
        carried_over: Money::from_cents(carried_over),
        next_payout: Money::from_cents(((up_to_now - carried_over) + carried_over.min(0)).max(0)),
    })
}

/// What waits for one cycle: the latest period that has ended and is not closed (if any), when
/// the current period ends, and the entries of ended periods on no invoice yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleDue {
    pub cycle: Cycle,
    /// The last ended period (`2026-W48`, `2026-11`) if it is not closed and entries before the
    /// current period wait for an invoice: close it now. (A period with nothing to invoice is not
    /// named, so a new company is not asked to close empty weeks.)
    pub to_close: Option<String>,
    /// The current period, and when it ends (it can be closed from then on).
    pub current: String,
    pub current_ends: DateTime<Utc>,
    /// Holders with entries before the current period on no invoice, and how many entries.
    pub waiting_holders: usize,
    pub waiting_entries: u64,
    /// What those entries come to for the holders who will be invoiced: what clients owe, or
    /// what workers will be paid.
    pub waiting_invoiced: Money,
    /// Workers whose entries come to less than nothing: what they owe, carried over at the close
    /// (always zero for clients).
    pub waiting_carried: Money,
}

/// The last `crew billing verify`: when, by whom, and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastVerification {
    pub at: DateTime<Utc>,
    pub passed: bool,
    pub checks: u32,
    pub problems: u32,
}

/// The accountant's morning: both cycles, the payments still open, the last verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CyclesOverview {
    pub weekly: CycleDue,
    pub monthly: CycleDue,
    /// Collections and payouts sent whose outcome is not known (to settle with `crew billing
    /// reconcile`), by id.
    pub unknown: Vec<Payment>,
    /// Collections and payouts reserved or sent but not settled (unknown ones included).
    pub open: usize,
    /// Invoices whose collection or payout was definitely refused, by number: the client's card
    /// declined, a transfer refused.
    pub failed: Vec<Invoice>,
    pub last_verification: Option<LastVerification>,
}

/// The cycles' state for the accountant (and cron's operators).
///
/// Errors: not allowed for roles that do not run billing cycles.
pub fn cycles(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, tz: Tz) -> Result<CyclesOverview> {
    require(&ctx.actor, Action::CloseBillingPeriods)?;
    let week = Week::of(ctx.now, tz);
    let (week_start, week_end) = week.bounds(tz);
    let last_week = Week::of(week_start - Duration::hours(1), tz);
    let month = Month::of(ctx.now, tz);
    let (month_start, month_end) = month.bounds(tz);
    let weekly = cycle_due(tx, Cycle::Client, last_week.to_string(), week.to_string(), week_start, week_end)?;
    let monthly =
        cycle_due(tx, Cycle::Worker, month.previous().to_string(), month.to_string(), month_start, month_end)?;
    let open = tx.open_payments(None)?;
    let unknown: Vec<Payment> = open.iter().filter(|p| p.status == PaymentStatus::Unknown).cloned().collect();
    let last_verification = last_verification(tx)?;
    let failed = tx.invoices(&InvoiceFilter { status: Some(InvoiceStatus::Failed), ..Default::default() })?;
    Ok(CyclesOverview { weekly, monthly, unknown, open: open.len(), failed, last_verification })
}

fn cycle_due(
    tx: &mut (impl BillingTx + ?Sized),
    cycle: Cycle,
    last: String,
    current: String,
    current_starts: DateTime<Utc>,
    current_ends: DateTime<Utc>,
) -> Result<CycleDue> {
    let waiting = tx.open_amounts(cycle, current_starts)?;
    let to_close = match tx.closed_period(cycle, &last)? {
        None if !waiting.is_empty() => Some(last),
        _ => None,
    };
    // From the holders' side: what a client owes, what a worker is owed (a worker's account is
    // credited what they are owed).
    let owed: Vec<i64> = waiting
        .iter()
        .map(|w| match cycle {
            Cycle::Client => w.sum.cents(),
            Cycle::Worker | Cycle::Manager => -w.sum.cents(),
        })
        .collect();
    Ok(CycleDue {
        cycle,
        to_close,
        current,
        current_ends,
        waiting_holders: waiting.len(),
        waiting_entries: waiting.iter().map(|w| w.entries).sum(),
        waiting_invoiced: Money::from_cents(owed.iter().filter(|o| **o > 0).sum()),
        waiting_carried: Money::from_cents(-owed.iter().filter(|o| **o < 0).sum::<i64>()),
    })
}

/// The newest `ledger_verified` event, read back.
fn last_verification(tx: &mut (impl BillingTx + ?Sized)) -> Result<Option<LastVerification>> {
    let seq = tx.last_event_of(&["ledger_verified"])?;
    if seq == EventSeq::START {
        return Ok(None);
    }
    let Some(stored) = tx.events_after(EventSeq::new(seq.get() - 1), 1)?.into_iter().next() else {
        return Ok(None);
    };
    match stored.decode::<BillingEvent>()? {
        Some(BillingEvent::LedgerVerified { passed, checks, problems }) => {
            Ok(Some(LastVerification { at: stored.at, passed, checks, problems }))
        }
        _ => Ok(None),
    }
}

/// The company's money in one week (the week's entries, in currency minor units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekFigures {
    pub week: Week,
    /// The week's Monday.
    pub from: NaiveDate,
    /// Charged to clients, net of reversals (credits to `company:revenue`).
    pub revenue: Money,
    /// Workers' earnings (debits to `company:worker_payouts`).
    pub earnings: Money,
    /// Fines (credits to `company:fines`).
    pub fines: Money,
    /// Awards (debits to `company:awards`).
    pub awards: Money,
    /// Pots of bets nobody won (credits to `company:house`).
    pub house: Money,
    /// Collected from clients (collections confirmed in the week).
    pub collected: Money,
    /// Paid out to workers (payouts confirmed in the week).
    pub paid_out: Money,
}

/// The company's money by week, for the weeks `from`..=`to` touch (Monday to Sunday in `tz`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoneyByWeek {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: Vec<WeekFigures>,
}

/// The most weeks one report covers (about two years).
pub const MAX_REPORT_WEEKS: usize = 106;

/// `crew report billing`: revenue, earnings, fines, awards, collections and payouts by week.
///
/// Errors: not allowed for roles that may not see the company's reports; bad
/// input if `to` is before `from` or the period spans more than [`MAX_REPORT_WEEKS`] weeks.
pub fn money_by_week(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) -> Result<MoneyByWeek> {
    require(&ctx.actor, Action::ViewReports)?;
    if to < from {
        return Err(Error::bad_input(format!("the period ends ({to}) before it starts ({from})")));
    }
    let first = Week::of(local_midnight(from, tz), tz);
    let last = Week::of(local_midnight(to, tz), tz);
    let mut weeks = Vec::new();
    let mut w = first;
    loop {
        if weeks.len() == MAX_REPORT_WEEKS {
            return Err(Error::bad_input(format!(
                "{from} to {to} spans more than {MAX_REPORT_WEEKS} weeks: report a shorter period"
            )));
        }
        weeks.push(WeekFigures {
            week: w,
            from: w.monday(),
            revenue: Money::ZERO,
            earnings: Money::ZERO,
            fines: Money::ZERO,
            awards: Money::ZERO,
            house: Money::ZERO,
            collected: Money::ZERO,
            paid_out: Money::ZERO,
        });
        if w == last {
            break;
        }
        w = w.next();
    }
    let (since, _) = first.bounds(tz);
    let (_, until) = last.bounds(tz);
    let entries = tx.entries(&EntryFilter { since: Some(since), until: Some(until), ..Default::default() })?;
    let company = |c| LedgerAccount::Company(c);
    for e in &entries {
        let week = Week::of(e.at, tz);
        let Some(row) = weeks.iter_mut().find(|r| r.week == week) else { continue };
        let add = |m: &mut Money, cents: i64| *m = Money::from_cents(m.cents() + cents);
        add(&mut row.revenue, -e.amount_for(company(CompanyAccount::Revenue)).cents());
        add(&mut row.earnings, e.amount_for(company(CompanyAccount::WorkerPayouts)).cents());
        add(&mut row.fines, -e.amount_for(company(CompanyAccount::Fines)).cents());
        add(&mut row.awards, e.amount_for(company(CompanyAccount::Awards)).cents());
        add(&mut row.house, -e.amount_for(company(CompanyAccount::House)).cents());
        let clearing = e.amount_for(company(CompanyAccount::BankClearing)).cents();
        match e.kind {
            EntryKind::Collection => add(&mut row.collected, clearing),
            EntryKind::Payout => add(&mut row.paid_out, -clearing),
            _ => {}
        }
    }
    Ok(MoneyByWeek { from, to, weeks })
}

/// A client's invoices not paid yet: issued and being collected, or whose collection failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unpaid {
    pub invoices: Vec<Invoice>,
    /// What they come to.
    pub total: Money,
}

/// The invoices the client (their own, or the named one for staff) has not paid yet, by number.
///
/// Errors: not allowed for roles that may not see clients' charges or another client's.
pub fn unpaid(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, client: Option<&str>) -> Result<Unpaid> {
    require(&ctx.actor, Action::ViewCharges)?;
    let account = chosen_account(tx, ctx, client)?;
    let LedgerAccount::Client(holder) = account else {
        return Err(Error::bad_input(format!("{account} is not a client's ledger account")));
    };
    let invoices: Vec<Invoice> = tx
        .invoices(&InvoiceFilter { cycle: Some(Cycle::Client), holder: Some(holder), ..Default::default() })?
        .into_iter()
        .filter(|i| i.status != InvoiceStatus::Paid)
        .collect();
    let total = Money::from_cents(invoices.iter().map(|i| i.amount.cents()).sum());
    Ok(Unpaid { invoices, total })
}
