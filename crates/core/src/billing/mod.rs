//! Billing and accounting (DESIGN.md "Billing and accounting"): a double-entry ledger fed by
//! ordering's events, awards, and the views clients, workers and accountants read.
//!
//! - `ledger.rs`: ledger accounts, immutable journal entries, balances, largest-remainder splits.
//! - `subscribers.rs`: charges, earnings and fines from order events, exactly once.
//! - here: posting (same id and content → the first outcome; same id, other content → conflict),
//!   awards, statements, what a client owes this week, balances, and `verify`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

pub mod cycles;
pub mod events;
pub mod export;
pub mod ledger;
pub mod notifications;
pub mod overview;
pub mod store;
pub mod subscribers;

pub use cycles::{
    Carry, ClosedPeriod, Cycle, CycleReport, Invoice, InvoiceFilter, InvoiceStatus, ManagerOwes, Month, OpenAmount,
    Outcome, Payment, PaymentKind, PaymentStatus, Period, Retry, Submitted, books_began, close_month, close_week,
    invoices, open_payments, periods_to_close, retry_collections, retry_key, settle, settle_batch, submit,
    submit_batch,
};
pub use events::{BillingEvent, PostedEntry};
pub use ledger::{Balance, CompanyAccount, Entry, EntryId, EntryKind, LedgerAccount, Posting, split};
pub use store::{BillingRead, BillingStore, BillingTx, EntryFilter};

use crate::authz::{Action, Role, require};
use crate::error::{Error, Result};
use crate::iam::Account;
use crate::kernel::command::{Ctx, append, record};
use crate::kernel::events::EventFilter;
use crate::ordering::OrderingEvent;
use crate::types::{Login, Money, Text};

/// What posting an entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// The entry is new and now in the ledger.
    New(Entry),
    /// An entry with this id and the same content was already there: this is it (nothing changed).
    Again(Entry),
}

impl Posted {
    pub fn entry(&self) -> &Entry {
        match self {
            Posted::New(e) | Posted::Again(e) => e,
        }
    }
}

/// Posts an entry: checks it balances, and stores it with its balances and its event, or returns
/// the entry already stored under its id if the content is the same. The same id with other
/// content is a conflict and changes nothing.
pub fn post(tx: &mut (impl BillingTx + ?Sized), entry: Entry) -> Result<Posted> {
    entry.check()?;
    if let Some(first) = tx.entry(&entry.id)? {
        if first.same_content(&entry) {
            return Ok(Posted::Again(first));
        }
        return Err(Error::conflict(format!(
            "entry {} is already in the ledger with other content; entries never change (post a reversal)",
            entry.id
        )));
    }
    tx.insert_entry(&entry)?;
    let event = BillingEvent::LedgerEntryPosted(PostedEntry {
        entry: entry.id.clone(),
        kind: entry.kind,
        order: entry.order,
        memo: entry.memo.clone(),
        postings: entry.postings.clone(),
    });
    append(tx, entry.at, entry.actor, &event)?;
    Ok(Posted::New(entry))
}

/// The ledger account of a person: a client's, a worker's or a manager's (admins bet and award as
/// managers do). Other roles have none.
pub fn ledger_account_of(account: &Account) -> Result<LedgerAccount> {
    match account.role {
        Role::Client => Ok(LedgerAccount::Client(account.id)),
        Role::Worker => Ok(LedgerAccount::Worker(account.id)),
        Role::Manager | Role::Admin => Ok(LedgerAccount::Manager(account.id)),
        role => Err(Error::bad_input(format!("`{}` ({role}) has no ledger account", account.login))),
    }
}

fn account_by_login(tx: &mut (impl BillingTx + ?Sized), login: &Login) -> Result<Account> {
    tx.account_by_login(login)?.ok_or_else(|| Error::not_found(format!("no account with login `{login}`")))
}

/// Reads a ledger account named on the command line: a login, or `company:revenue` and the like.
pub fn find_ledger_account(tx: &mut (impl BillingTx + ?Sized), raw: &str) -> Result<LedgerAccount> {
    if raw.trim().starts_with("company:") || raw.trim().starts_with("client:") || raw.trim().starts_with("worker:") {
        return LedgerAccount::parse(raw);
    }
    if raw.trim().starts_with("manager:") {
        return LedgerAccount::parse(raw);
    }
    let login = Login::parse(raw)?;
    ledger_account_of(&account_by_login(tx, &login)?)
}

/// Whether the actor may read `account`'s entries: staff who see everything (admins, managers,
/// accountants) any; clients, workers and managers their own.
fn may_read(ctx: &Ctx, account: LedgerAccount) -> bool {
    match ctx.actor.role {
        Role::Admin | Role::Manager | Role::Accountant => true,
        _ => account.holder() == Some(ctx.actor.id),
    }
}

fn readable(ctx: &Ctx, account: LedgerAccount) -> Result<()> {
    if may_read(ctx, account) {
        Ok(())
    } else {
        Err(Error::not_allowed(format!("ledger account {account} is not yours")))
    }
}

/// The actor's own ledger account, or the one named (if they may read it).
pub fn chosen_account(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, named: Option<&str>) -> Result<LedgerAccount> {
    let account = match named {
        Some(raw) => find_ledger_account(tx, raw)?,
        None => {
            let me = tx
                .account(ctx.actor.id)?
                .ok_or_else(|| Error::internal(format!("account #{} is gone", ctx.actor.id)))?;
            ledger_account_of(&me).map_err(|_| {
                Error::bad_input(format!(
                    "{} `{}` has no ledger account of their own: name one (a login or company:revenue)",
                    ctx.actor.role, ctx.actor.login
                ))
            })?
        }
    };
    readable(ctx, account)?;
    Ok(account)
}

/// `crew billing award`: a manager credits a worker an amount, recorded with who and why. With an
/// id, a retry with the same content is the first award again; without one, each call is a new
/// award (`award:N`, numbered in order).
pub fn award(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    worker: &Login,
    amount: Money,
    reason: Text,
    id: Option<EntryId>,
) -> Result<Posted> {
    require(&ctx.actor, Action::AwardWorkers)?;
    if amount.cents() <= 0 {
        return Err(Error::bad_input(format!("an award is more than zero, not {amount}")));
    }
    if reason.is_empty() {
        return Err(Error::bad_input("say why with --reason"));
    }
    let account = account_by_login(tx, worker)?;
    if account.role != Role::Worker {
        return Err(Error::bad_input(format!("`{worker}` is a {}, not a worker", account.role)));
    }
    let id = match id {
        Some(id) => given_award_id(id)?,
        None => {
            // `award:N`, N one more than the awards so far, or the next number not taken (an
            // older database may hold a given id of that form).
            let mut n = tx.entries(&EntryFilter { kind: Some(EntryKind::Award), ..Default::default() })?.len() + 1;
            loop {
                let id = EntryId::parse(&format!("award:{n}"))?;
                if tx.entry(&id)?.is_none() {
                    break id;
                }
                n += 1;
            }
        }
    };
    let mut entry = Entry::transfer(
        id,
        EntryKind::Award,
        ctx.now,
        LedgerAccount::Company(CompanyAccount::Awards),
        LedgerAccount::Worker(account.id),
        amount,
        reason.to_string(),
    );
    entry.actor = Some(ctx.actor.id);
    post(tx, entry)
}

/// An award's id chosen by the person awarding (`--id`): it lives in awards' own namespace,
/// `award:` followed by something that is not only digits (`award:N` are the ids crew gives), so
/// it can never take the id of an entry crew derives from its cause (`order:N:charge`,
/// `bet:N:stake`, `payout:N`, …), which would then be skipped or refused.
///
/// Errors: bad input (exit 2) for any other id.
pub fn given_award_id(id: EntryId) -> Result<EntryId> {
    let rest = id.as_str().strip_prefix("award:").unwrap_or_default();
    if rest.is_empty() || rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::bad_input(format!(
            "`{id}` is not an award's id: write `award:` and your own name for it, like `award:tom:2026-11` (`award:` and digits only are the ids crew gives)"
        )));
    }
    Ok(id)
}

/// One line of a statement: an entry as it touched the account, and the balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub entry: EntryId,
    pub kind: EntryKind,
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<crate::ids::OrderId>,
    pub memo: String,
    /// What this entry posted to the account (positive: a debit).
    pub amount: Money,
    /// The account's balance after it.
    pub balance: Money,
}

/// A ledger account's entries and its balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub account: LedgerAccount,
    pub lines: Vec<StatementLine>,
    pub balance: Balance,
}

/// `crew billing statement`: a ledger account's entries, oldest first, with a running balance.
/// Clients and workers read their own; staff any.
pub fn statement(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    account: LedgerAccount,
    kind: Option<EntryKind>,
) -> Result<Statement> {
    require(&ctx.actor, Action::ViewBilling)?;
    readable(ctx, account)?;
    let entries = tx.entries(&EntryFilter { account: Some(account), ..Default::default() })?;
    let mut running = 0i64;
    let mut lines = Vec::new();
    for e in entries {
        let amount = e.amount_for(account);
        running += amount.cents();
        if kind.is_some_and(|k| k != e.kind) {
            continue;
        }
        lines.push(StatementLine {
            entry: e.id,
            kind: e.kind,
            at: e.at,
            order: e.order,
            memo: e.memo,
            amount,
            balance: Money::from_cents(running),
        });
    }
    let balance = tx.ledger_balance(account)?;
    Ok(Statement { account, lines, balance })
}

/// An ISO week (Monday to Sunday) in the company's time zone: `2026-W49`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    /// Reads `2026-W49` (or `2026-w49`; years 1970 to 9999, as every time crew stores).
    pub fn parse(raw: &str) -> Result<Week> {
        let bad = || Error::bad_input(format!("`{raw}` is not a week: write it like `2026-W49`"));
        let (y, w) = raw
            .trim()
            .to_ascii_uppercase()
            .split_once("-W")
            .map(|(y, w)| (y.to_string(), w.to_string()))
            .ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u32 = w.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).ok_or_else(bad)?;
        if !(1970..=9999).contains(&year) {
            return Err(Error::bad_input(format!("`{raw}` is out of range: use a year from 1970 to 9999")));
        }
        Ok(Week { year, week })
    }

    /// The week `t` falls in, in `tz`.
    pub fn of(t: DateTime<Utc>, tz: Tz) -> Week {
        let iso = t.with_timezone(&tz).date_naive().iso_week();
        Week { year: iso.year(), week: iso.week() }
    }

    /// The week's first day (Monday).
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, chrono::Weekday::Mon).expect("checked when made")
    }

    /// The week after.
    pub fn next(self) -> Week {
        let d = self.monday() + Duration::days(7);
        let iso = d.iso_week();
        Week { year: iso.year(), week: iso.week() }
    }

    /// `[Monday 00:00, next Monday 00:00)` in `tz`, as UTC instants: across a clock change the
    /// week is 167 or 169 hours long.
    pub fn bounds(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (local_midnight(self.monday(), tz), local_midnight(self.next().monday(), tz))
    }
}

impl std::fmt::Display for Week {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl Serialize for Week {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The first instant of `day` in `tz` (a day that starts in a clock change's gap starts when the
/// clock resumes).
pub fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    for _ in 0..180 {
        if let Some(local) = tz.from_local_datetime(&t).earliest() {
            return local.with_timezone(&Utc);
        }
        t += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

/// What a client owes for a week so far: its charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub client: LedgerAccount,
    pub week: Week,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub charges: Vec<StatementLine>,
    pub total: Money,
}

/// `crew billing due`: the client's charges this week so far (weeks run Monday to Sunday in the
/// company's time zone). Clients read their own; staff name the client.
pub fn due(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx, client: Option<&str>, tz: Tz) -> Result<Due> {
    require(&ctx.actor, Action::ViewCharges)?;
    let account = chosen_account(tx, ctx, client)?;
    if !matches!(account, LedgerAccount::Client(_)) {
        return Err(Error::bad_input(format!("{account} is not a client's ledger account")));
    }
    let week = Week::of(ctx.now, tz);
    let (from, until) = week.bounds(tz);
    let charges = charges(tx, ctx, account, Some(from), Some(until))?;
    let total = Money::from_cents(charges.iter().map(|c| c.amount.cents()).sum());
    Ok(Due { client: account, week, from, until, charges, total })
}

/// `crew billing charges`: a client's charges (in a time range, if given), oldest first.
pub fn charges(
    tx: &mut (impl BillingTx + ?Sized),
    ctx: &Ctx,
    client: LedgerAccount,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<StatementLine>> {
    require(&ctx.actor, Action::ViewCharges)?;
    readable(ctx, client)?;
    let entries = tx.entries(&EntryFilter {
        account: Some(client),
        kind: Some(EntryKind::Charge),
        since,
        until,
        ..Default::default()
    })?;
    let mut running = 0;
    Ok(entries
        .into_iter()
        .map(|e| {
            let amount = e.amount_for(client);
            running += amount.cents();
            StatementLine {
                entry: e.id,
                kind: e.kind,
                at: e.at,
                order: e.order,
                memo: e.memo,
                amount,
                balance: Money::from_cents(running),
            }
        })
        .collect())
}

/// `crew billing balances`: every ledger account's kept balance (staff only).
pub fn balances(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx) -> Result<Vec<Balance>> {
    require(&ctx.actor, Action::VerifyLedger)?;
    tx.balances()
}

/// One check of `crew billing verify`, and what it found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    /// How many things were checked.
    pub checked: usize,
    /// Each problem found, in words (empty: the check passed).
    pub problems: Vec<String>,
}

/// What `crew billing verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub checks: Vec<Check>,
}

impl Verification {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.problems.is_empty())
    }
}

/// `crew billing verify`: recomputes what the ledger promises, independently of how it was
/// written: every entry balances; the kept balances equal the sums of the postings; every charge,
/// earning and fine has its order event (the right type, the same order, the price of the order's
/// latest assignment before it), and no order is charged or paid twice. Records what it found as a
/// `ledger_verified` event (the accountant's dashboard shows the last one), so it runs in a write
/// transaction.
pub fn verify(tx: &mut (impl BillingTx + ?Sized), ctx: &Ctx) -> Result<Verification> {
    require(&ctx.actor, Action::VerifyLedger)?;
    let mut checks = Vec::new();

    let unbalanced = tx.unbalanced_entries()?;
    let all = tx.entries(&EntryFilter::default())?;
    checks.push(Check {
        name: "every entry balances",
        checked: all.len(),
        problems: unbalanced.iter().map(|(id, sum)| format!("entry {id} sums to {sum} cents")).collect(),
    });

    let kept = tx.balances()?;
    let recomputed = tx.recomputed_balances()?;
    let mut problems = Vec::new();
    for b in &recomputed {
        match kept.iter().find(|k| k.account == b.account) {
            Some(k) if k == b => {}
            Some(k) => problems.push(format!(
                "{}: kept debits {} credits {}, postings say debits {} credits {}",
                b.account, k.debits, k.credits, b.debits, b.credits
            )),
            None => problems.push(format!("{}: has postings but no kept balance", b.account)),
        }
    }
    for k in &kept {
        let zero = k.debits.cents() == 0 && k.credits.cents() == 0;
        if !zero && !recomputed.iter().any(|b| b.account == k.account) {
            problems.push(format!("{}: a kept balance with no postings", k.account));
        }
    }
    checks.push(Check { name: "kept balances equal the postings", checked: recomputed.len(), problems });

    let mut problems = Vec::new();
    let mut checked = 0;
    for e in all.iter().filter(|e| matches!(e.kind, EntryKind::Charge | EntryKind::Earning | EntryKind::Fine)) {
        checked += 1;
        if let Some(problem) = check_cause(tx, e)? {
            problems.push(format!("{} {}: {problem}", e.kind, e.id));
        }
    }
    checks.push(Check { name: "every charge, earning and fine matches its order event", checked, problems });

    let sums = tx.invoice_line_sums()?;
    let mut problems = Vec::new();
    for (number, sum, entries) in &sums {
        let Some(invoice) = tx.invoice(*number)? else { continue };
        let expected = invoice.cycle.amount(*sum);
        if expected != invoice.amount || *entries != invoice.entries {
            problems.push(format!(
                "invoice {number} says {} for {} entries; its entries come to {expected} for {entries}",
                invoice.amount, invoice.entries
            ));
        }
    }
    let numbers: Vec<i64> = sums.iter().map(|(n, _, _)| n.get()).collect();
    if numbers.iter().enumerate().any(|(i, n)| *n != i as i64 + 1) {
        problems.push(format!("invoice numbers have a gap: {numbers:?}"));
    }
    checks.push(Check {
        name: "every invoice equals its entries, numbered without gaps",
        checked: sums.len(),
        problems,
    });

    let periods = tx.closed_periods()?;
    let mut problems = Vec::new();
    for p in &periods {
        let invoices =
            tx.invoices(&InvoiceFilter { cycle: Some(p.cycle), period: Some(p.period.clone()), ..Default::default() })?;
        let total = Money::from_cents(invoices.iter().map(|i| i.amount.cents()).sum());
        if invoices.len() as u64 != p.invoices || total != p.total {
            problems.push(format!(
                "{} {} was closed with {} invoices of {}, now {} of {total}",
                p.cycle.as_str(),
                p.period,
                p.invoices,
                p.total,
                invoices.len()
            ));
        }
    }
    checks.push(Check { name: "closed periods are unchanged", checked: periods.len(), problems });

    let mut problems = Vec::new();
    let mut checked = 0;
    for e in all.iter().filter(|e| matches!(e.kind, EntryKind::Collection | EntryKind::Payout)) {
        checked += 1;
        let number = e.id.as_str().split(':').nth(1).and_then(|n| n.parse::<crate::ids::InvoiceNo>().ok());
        let payment = match number {
            Some(n) => tx.payment_of(n)?,
            None => None,
        };
        match payment {
            Some(p) if p.status == PaymentStatus::Confirmed && p.amount == e.total() => {}
            Some(p) => {
                problems.push(format!("{} {}: its payment is {} for {}", e.kind, e.id, p.status.as_str(), p.amount))
            }
            None => problems.push(format!("{} {}: no payment of that invoice", e.kind, e.id)),
        }
    }
    for invoice in tx.invoices(&InvoiceFilter { status: Some(InvoiceStatus::Paid), ..Default::default() })? {
        let kind = match invoice.cycle {
            Cycle::Client => "collection",
            Cycle::Worker | Cycle::Manager => "payout",
        };
        if tx.entry(&EntryId::parse(&format!("{kind}:{}", invoice.number))?)?.is_none() {
            problems.push(format!("invoice {} is paid but its {kind} is not in the ledger", invoice.number));
        }
    }
    checks.push(Check { name: "each collection and payout is in the ledger once, as confirmed", checked, problems });

    let log = scan_log(tx)?;
    let charges: std::collections::BTreeSet<&str> =
        all.iter().filter(|e| e.kind == EntryKind::Charge && e.order.is_some()).map(|e| e.id.as_str()).collect();
    let mut problems = Vec::new();
    for (order, price) in &log.to_charge {
        if price.cents() != 0 && !charges.contains(format!("order:{order}:charge").as_str()) {
            problems.push(format!(
                "order #{order} became active or was cancelled after assignment, at {price}, but is not charged"
            ));
        }
    }
    checks.push(Check { name: "every order that owes a charge is charged", checked: log.to_charge.len(), problems });

    let (held, pots) = check_bets(tx, &all, &log)?;
    checks.push(held);
    checks.push(pots);

    let verification = Verification { checks };
    let problems = verification.checks.iter().map(|c| c.problems.len()).sum::<usize>();
    record(
        tx,
        ctx,
        BillingEvent::LedgerVerified {
            passed: verification.passed(),
            checks: u32::try_from(verification.checks.len()).unwrap_or(u32::MAX),
            problems: u32::try_from(problems).unwrap_or(u32::MAX),
        },
    )?;
    Ok(verification)
}

type BetPlaced = (crate::ids::BetId, crate::ids::OrderId, crate::ids::AccountId, Money);
type BetsSettled = (crate::ids::OrderId, Money, Vec<crate::bets::Winning>, Money);

/// What `verify` needs from the whole log, read once: bets placed and settled, and each order
/// that owes a charge (it became active, or was cancelled after assignment) with the price it
/// was assigned at.
struct LogScan {
    placed: Vec<BetPlaced>,
    settled: Vec<BetsSettled>,
    to_charge: std::collections::BTreeMap<crate::ids::OrderId, Money>,
}

fn scan_log(tx: &mut (impl BillingTx + ?Sized)) -> Result<LogScan> {
    use crate::bets::BetsEvent;

    let mut scan = LogScan { placed: vec![], settled: vec![], to_charge: Default::default() };
    let mut price: std::collections::BTreeMap<crate::ids::OrderId, Money> = Default::default();
    let mut after = crate::ids::EventSeq::START;
    loop {
        let batch = tx.events_after(after, 5_000)?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for recorded in &batch {
            match recorded.decode::<BetsEvent>()? {
                Some(BetsEvent::BetPlaced { bet, order, manager, stake, .. }) => {
                    scan.placed.push((bet, order, manager, stake))
                }
                Some(BetsEvent::BetsSettled { order, pot, winnings, house, .. }) => {
                    scan.settled.push((order, pot, winnings, house))
                }
                _ => {}
            }
            match recorded.decode::<OrderingEvent>()? {
                Some(OrderingEvent::OrderAssigned { order, price: p, .. }) => {
                    price.insert(order, p);
                }
                Some(OrderingEvent::OrderCheckedIn { order, .. })
                | Some(OrderingEvent::OrderCancelled { order, after_assignment: true, .. }) => {
                    // Once per order, at the price it had when it first owed it.
                    if let Some(p) = price.get(&order) {
                        scan.to_charge.entry(order).or_insert(*p);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(scan)
}

/// What is wrong with an order entry's cause, if anything.
/// The ledger against bets' events (DESIGN.md "Bets"): every `bet_placed` has its stake entry
/// (the manager's account to `company:stakes`, the stake) and every stake entry its bet; what
/// `company:stakes` holds is the stakes of the pools not yet settled; and every `bets_settled`
/// shared out exactly its pot — the stakes placed on the order — with its entry moving the pot
/// from `company:stakes` to the winners and the house as the event says.
fn check_bets(tx: &mut (impl BillingTx + ?Sized), all: &[Entry], log: &LogScan) -> Result<(Check, Check)> {
    use std::collections::BTreeMap;

    let stakes_account = LedgerAccount::Company(ledger::CompanyAccount::Stakes);
    let (placed, settled) = (&log.placed, &log.settled);
    let by_id: BTreeMap<&str, &Entry> = all.iter().map(|e| (e.id.as_str(), e)).collect();
    let sorted = |mut postings: Vec<Posting>| {
        postings.retain(|p| p.amount.cents() != 0);
        postings.sort_by_key(|p| (p.account.to_string(), p.amount.cents()));
        postings
    };

    let mut problems = Vec::new();
    let mut staked_on: BTreeMap<crate::ids::OrderId, i64> = BTreeMap::new();
    let mut bet_entries = std::collections::BTreeSet::new();
    for (bet, order, manager, stake) in placed {
        *staked_on.entry(*order).or_default() += stake.cents();
        let id = format!("bet:{bet}:stake");
        bet_entries.insert(id.clone());
        let expected = sorted(vec![
            Posting { account: LedgerAccount::Manager(*manager), amount: *stake },
            Posting { account: stakes_account, amount: Money::from_cents(-stake.cents()) },
        ]);
        match by_id.get(id.as_str()) {
            Some(e) if sorted(e.postings.clone()) == expected => {}
            Some(_) => problems.push(format!("{id}: its postings are not manager #{manager}'s stake of {stake}")),
            None if stake.cents() == 0 => {}
            None => problems.push(format!("bet {bet} (order #{order}, stake {stake}) has no stake entry")),
        }
    }
    for e in all.iter().filter(|e| e.kind == EntryKind::Stake) {
        if !bet_entries.contains(e.id.as_str()) {
            problems.push(format!("stake {}: no bet_placed event placed it", e.id));
        }
    }
    let settled_orders: std::collections::BTreeSet<_> = settled.iter().map(|(order, ..)| *order).collect();
    let open: i64 = staked_on.iter().filter(|(o, _)| !settled_orders.contains(o)).map(|(_, s)| s).sum();
    let held = tx.ledger_balance(stakes_account)?;
    let held = held.credits.cents() - held.debits.cents();
    if held != open {
        problems.push(format!(
            "{stakes_account} holds {} but the open pools' stakes come to {}",
            Money::from_cents(held),
            Money::from_cents(open)
        ));
    }
    let stakes = Check { name: "stakes held equal the open pools' stakes", checked: placed.len(), problems };

    let mut problems = Vec::new();
    let mut settlement_entries = std::collections::BTreeSet::new();
    for (order, pot, winnings, house) in settled {
        let id = format!("order:{order}:bets");
        settlement_entries.insert(id.clone());
        let staked = staked_on.get(order).copied().unwrap_or(0);
        if pot.cents() != staked {
            problems.push(format!(
                "order #{order}: the pot shared was {pot} but its stakes came to {}",
                Money::from_cents(staked)
            ));
        }
        let shared: i64 = winnings.iter().map(|w| w.won.cents()).sum::<i64>() + house.cents();
        if shared != pot.cents() {
            problems.push(format!("order #{order}: {} was shared out of a pot of {pot}", Money::from_cents(shared)));
        }
        let mut expected = vec![Posting { account: stakes_account, amount: *pot }];
        expected.extend(winnings.iter().map(|w| Posting {
            account: LedgerAccount::Manager(w.manager),
            amount: Money::from_cents(-w.won.cents()),
        }));
        expected.push(Posting {
            account: LedgerAccount::Company(ledger::CompanyAccount::House),
            amount: Money::from_cents(-house.cents()),
        });
        match by_id.get(id.as_str()) {
            Some(e) if sorted(e.postings.clone()) == sorted(expected) => {}
            Some(_) => {
                problems.push(format!("{id}: its postings are not the pot of {pot} shared as bets_settled says"))
            }
            None if pot.cents() == 0 => {}
            None => problems.push(format!("order #{order}: bets settled with a pot of {pot} but no settlement entry")),
        }
    }
    for e in all.iter().filter(|e| e.kind == EntryKind::BetSettlement) {
        if !settlement_entries.contains(e.id.as_str()) {
            problems.push(format!("settlement {}: no bets_settled event shared it", e.id));
        }
    }
    let pots = Check { name: "every settled pool paid out exactly its pot", checked: settled.len(), problems };
    Ok((stakes, pots))
}

fn check_cause(tx: &mut (impl BillingTx + ?Sized), e: &Entry) -> Result<Option<String>> {
    let (Some(order), Some(cause)) = (e.order, e.cause) else {
        return Ok(Some("no order or no causing event".into()));
    };
    let events = tx.find_events(&EventFilter { order: Some(order), ..Default::default() })?;
    let Some(recorded) = events.iter().find(|r| r.seq == cause) else {
        return Ok(Some(format!("its event #{cause} is not an event of order #{order}")));
    };
    let Some(event) = recorded.decode::<OrderingEvent>()? else {
        return Ok(Some(format!("event #{cause} is not an order event")));
    };
    let price = events
        .iter()
        .rev()
        .filter(|r| r.seq < cause)
        .filter_map(|r| match r.decode::<OrderingEvent>() {
            Ok(Some(OrderingEvent::OrderAssigned { price, .. })) => Some(price),
            _ => None,
        })
        .next();
    let fits = match (e.kind, &event) {
        (EntryKind::Charge, OrderingEvent::OrderCheckedIn { .. }) => true,
        (EntryKind::Charge, OrderingEvent::OrderCancelled { after_assignment, .. }) => *after_assignment,
        (EntryKind::Earning, OrderingEvent::OrderCompleted { .. }) => true,
        (EntryKind::Fine, OrderingEvent::OrderFailed { worker: Some(_), .. }) => true,
        _ => false,
    };
    if !fits {
        return Ok(Some(format!("event #{cause} is `{}`, which causes no {}", recorded.type_name, e.kind)));
    }
    if e.kind == EntryKind::Charge && price != Some(e.total()) {
        let price = price.map_or("none".to_string(), |p| p.to_string());
        return Ok(Some(format!("charged {} but order #{order} was assigned at {price}", e.total())));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_awards_own_id_is_award_and_a_name_never_crews_ids() {
        let id = |raw: &str| given_award_id(EntryId::parse(raw).unwrap());
        assert_eq!(id("award:tom:2026-11").unwrap().as_str(), "award:tom:2026-11");
        assert!(id("award:7b").is_ok());
        for crews in ["award:", "award:9", "award:12", "order:4:charge", "bet:1:stake", "payout:6", "collection:2"] {
            let e = id(crews).unwrap_err();
            assert!(e.message.contains("is not an award's id"), "{crews}: {}", e.message);
        }
    }

    #[test]
    fn weeks_run_monday_to_monday_in_the_company_zone_also_across_a_clock_change() {
        assert!(Week::parse("1970-W01").is_ok() && Week::parse("9999-W52").is_ok());
        for out in ["1969-W52", "10000-W01", "262142-W52", "-1-W01", "0-W01"] {
            assert!(Week::parse(out).is_err(), "{out}");
        }
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 2026-10-25 is the Sunday the clock goes back in Berlin: week 43 is 169 hours long.
        let w = Week::parse("2026-W43").unwrap();
        let (from, until) = w.bounds(berlin);
        assert_eq!(from.to_rfc3339(), "2026-10-18T22:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2026-10-25T23:00:00+00:00");
        assert_eq!((until - from).num_hours(), 169);
        // Sunday 23:30 local is still week 43; Monday 00:30 local is week 44.
        assert_eq!(Week::of(until - Duration::minutes(30), berlin), w);
        assert_eq!(Week::of(until + Duration::minutes(30), berlin), w.next());
        assert_eq!(w.next().to_string(), "2026-W44");
        assert_eq!(Week::parse("2025-W53").unwrap_err().kind, crate::ErrorKind::BadInput);
        assert_eq!(Week::parse("2020-w53").unwrap().next().to_string(), "2021-W01");
    }
}
