//! `crew billing …`: one file per subcommand; the statement lines' table shared here.

mod award;
mod balances;
mod charges;
mod close_month;
mod close_week;
mod collect;
mod due;
mod export;
mod invoices;
mod reconcile;
mod statement;
mod verify;

use std::collections::BTreeMap;

use anyhow::Result;
use clap::{Args, Subcommand};
use crew_core::authz::Action;
use crew_core::billing::{CycleReport, LedgerAccount, Payment, PaymentKind, PaymentStatus, StatementLine};
use crew_core::ids::AccountId;
use crew_core::kernel::command::Ctx;
use crew_core::types::Login;
use crew_core::wiring::Tx;
use serde::Serialize;

use crate::context::App;

/// The ledger: what clients owe, what workers earn, awards, statements and checks
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew billing due                      # a client: this week's charges so far\n  crew billing statement                # your own ledger account\n  crew billing statement company:revenue\n  crew billing award tom@crew.example 25.00 --reason \"stayed late\"\n  crew billing close-week               # cron, Mondays: invoice and collect last week
  crew billing close-month              # cron, the 1st: invoice and pay out last month
  crew billing verify                   # an accountant: prove the ledger's invariants\n\nSee docs/billing.md."
)]
pub enum BillingCommand {
    Due(due::DueArgs),
    Charges(charges::ChargesArgs),
    Statement(statement::StatementArgs),
    Invoices(invoices::InvoicesArgs),
    Balances(balances::BalancesArgs),
    Award(award::AwardArgs),
    CloseWeek(close_week::CloseWeekArgs),
    CloseMonth(close_month::CloseMonthArgs),
    Collect(collect::CollectArgs),
    Reconcile(reconcile::ReconcileArgs),
    Export(export::ExportArgs),
    Verify(verify::VerifyArgs),
}

impl BillingCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Due(_) => due::ACTIONS,
            Self::Charges(_) => charges::ACTIONS,
            Self::Statement(_) => statement::ACTIONS,
            Self::Invoices(_) => invoices::ACTIONS,
            Self::Balances(_) => balances::ACTIONS,
            Self::CloseWeek(_) => close_week::ACTIONS,
            Self::CloseMonth(_) => close_month::ACTIONS,
            Self::Collect(_) => collect::ACTIONS,
            Self::Reconcile(_) => reconcile::ACTIONS,
            Self::Export(_) => export::ACTIONS,
            Self::Award(_) => award::ACTIONS,
            Self::Verify(_) => verify::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: BillingCommand) -> Result<()> {
    match command {
        BillingCommand::Due(args) => due::run(app, args),
        BillingCommand::Charges(args) => charges::run(app, args),
        BillingCommand::Statement(args) => statement::run(app, args),
        BillingCommand::Invoices(args) => invoices::run(app, args),
        BillingCommand::Balances(args) => balances::run(app, args),
        BillingCommand::CloseWeek(args) => close_week::run(app, args),
        BillingCommand::CloseMonth(args) => close_month::run(app, args),
        BillingCommand::Collect(args) => collect::run(app, args),
        BillingCommand::Reconcile(args) => reconcile::run(app, args),
        BillingCommand::Export(args) => export::run(app, args),
        BillingCommand::Award(args) => award::run(app, args),
        BillingCommand::Verify(args) => verify::run(app, args),
    }
}

/// How tables name a ledger account for people: its holder's login (`ann@example.com`), or the
/// company's account as written (`company:revenue`). JSON keeps the stable ids and adds the login.
fn account_name(logins: &BTreeMap<AccountId, Login>, account: LedgerAccount) -> String {
    match account.holder() {
        Some(id) => logins.get(&id).map_or_else(|| account.to_string(), |l| l.to_string()),
        None => account.to_string(),
    }
}

/// Every login by account id, read in its own transaction (for naming holders in tables).
fn logins(app: &mut App) -> Result<BTreeMap<AccountId, Login>> {
    app.read(|tx, _| crew_core::iam::logins(tx))
}

const LINE_HEADERS: &[&str] = &["DATE", "ENTRY", "KIND", "ORDER", "AMOUNT", "BALANCE", "MEMO"];

fn line_cells(app: &App, l: &StatementLine) -> Vec<String> {
    vec![
        app.show_time(l.at),
        l.entry.to_string(),
        l.kind.to_string(),
        l.order.map(|o| format!("#{o}")).unwrap_or_default(),
        l.amount.to_string(),
        l.balance.to_string(),
        l.memo.clone(),
    ]
}

/// What the cycle commands share.
#[derive(Debug, Args)]
struct CycleArgs {
    /// Show the invoices the close would issue, change nothing and move no money
    #[arg(long)]
    dry_run: bool,
}

#[derive(Serialize)]
struct CycleView {
    /// The last period the run closed (the one named, or the last that has ended).
    #[serde(flatten)]
    report: CycleReport,
    /// Periods closed before it in the same run, oldest first: a close without a named period
    /// catches up on periods missed since the last one closed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    earlier: Vec<CycleReport>,
    dry_run: bool,
    /// Every payment the services were asked about in this run, as it ended.
    payments: Vec<Payment>,
    /// Who answered: the sandbox or a service's URL.
    service: String,
}

/// Closes periods (or rehearses them, `--dry-run`) in one transaction, asks the service about
/// every open payment of `kind`, and prints what happened. `close` returns one report per period,
/// oldest first (at least one).
fn report(
    app: &mut App,
    args: CycleArgs,
    close: impl FnOnce(&mut dyn Tx, &Ctx) -> crew_core::Result<Vec<CycleReport>>,
    kind: PaymentKind,
) -> Result<()> {
    let mut reports = if args.dry_run {
        app.rehearse(close)?
    } else {
        let reports = app.write(|tx, ctx| {
            let reports = close(tx, ctx)?;
            crate::money::fault_point("closing, before commit");
            Ok(reports)
        })?;
        crate::money::fault_point("closed");
        reports
    };
    let Some(last) = reports.pop() else { anyhow::bail!("internal error: a close returned no period") };
    let service = crate::money::services(app)?.label();
    let payments = if args.dry_run { Vec::new() } else { crate::money::work_through(app, Some(kind))? };
    let view = CycleView { report: last, earlier: reports, dry_run: args.dry_run, payments, service };
    let logins = logins(app)?;
    if app.out.format != crate::cli::Format::Table {
        // Each invoice keeps its holder's id and gains the holder's login.
        let mut value = serde_json::to_value(&view)?;
        let name = |value: &mut serde_json::Value, report: &CycleReport| {
            if let Some(list) = value.get_mut("invoices").and_then(serde_json::Value::as_array_mut) {
                for (item, invoice) in list.iter_mut().zip(&report.invoices) {
                    item["holder_login"] = account_name(&logins, invoice.cycle.account(invoice.holder)).into();
                }
            }
        };
        name(&mut value, &view.report);
        if let Some(earlier) = value.get_mut("earlier").and_then(serde_json::Value::as_array_mut) {
            for (item, report) in earlier.iter_mut().zip(&view.earlier) {
                name(item, report);
            }
        }
        return app.out.record(
            &value,
            &[("period", view.report.period.clone()), ("invoices", view.report.invoices.len().to_string())],
        );
    }
    for r in view.earlier.iter().chain([&view.report]) {
        print_period(app, &view, r, args.dry_run, &logins)?;
    }
    if !args.dry_run {
        let what = match kind {
            PaymentKind::Collection => "collected",
            PaymentKind::Payout => "paid out",
        };
        let count = |s: PaymentStatus| view.payments.iter().filter(|p| p.status == s).count();
        let not_sent = count(PaymentStatus::Reserved);
        if not_sent > 0 {
            app.out.note(&format!(
                "{not_sent} not sent: the service could not be reached, so nothing was carried out; the next run (or `crew billing reconcile`) sends them with the same key."
            ))?;
        }
        app.out.note(&format!(
            "Money services ({}): {} {what}, {} failed, {} unknown (asked again with the same key by the next run or `crew billing reconcile`).",
            view.service,
            count(PaymentStatus::Confirmed),
            count(PaymentStatus::Failed),
            count(PaymentStatus::Unknown)
        ))?;
    }
    Ok(())
}

/// One closed (or rehearsed) period as a table of its invoices, who carried over, and a sentence.
fn print_period(
    app: &mut App,
    view: &CycleView,
    r: &CycleReport,
    dry_run: bool,
    logins: &BTreeMap<AccountId, Login>,
) -> Result<()> {
    app.out.list(&r.invoices, &["INVOICE", "HOLDER", "PERIOD", "AMOUNT", "ENTRIES", "STATUS"], |i| {
        let status = view
            .payments
            .iter()
            .find(|p| p.invoice == i.number)
            .map(|p| p.status.as_str().to_string())
            .unwrap_or_else(|| i.status.as_str().to_string());
        vec![
            i.number.to_string(),
            account_name(logins, i.cycle.account(i.holder)),
            i.period.clone(),
            i.amount.to_string(),
            i.entries.to_string(),
            status,
        ]
    })?;
    for c in &r.carried_over {
        let who = account_name(logins, LedgerAccount::Worker(c.worker));
        app.out.note(&format!("{who} owes {}: carried over to the next period (no invoice).", c.owed))?;
    }
    for m in &r.managers_owing {
        app.out.note(&format!(
            "{} lost {} on bets: it stays on their account, offset by later winnings (no invoice).",
            account_name(logins, LedgerAccount::Manager(m.manager)),
            m.owed
        ))?;
    }
    let total: i64 = r.invoices.iter().map(|i| i.amount.cents()).sum();
    let total = crew_core::types::Money::from_cents(total);
    let currency = app.currency().to_string();
    let head = if dry_run && r.already_closed {
        format!(
            "Dry run: {} was closed before; closing it again would issue no new invoices (above: the ones it has); nothing changed.",
            r.period
        )
    } else if dry_run {
        format!(
            "Dry run: closing {} would issue {}; nothing changed.",
            r.period,
            invoices(r.invoices.len(), total, &currency)
        )
    } else if r.already_closed {
        format!("{} was closed before: no new invoices.", r.period)
    } else {
        format!("{} closed: {}.", r.period, invoices(r.invoices.len(), total, &currency))
    };
    app.out.note(&head)
}

fn invoices(n: usize, total: crew_core::types::Money, currency: &str) -> String {
    match n {
        0 => "no invoices".to_string(),
        1 => format!("1 invoice of {total} {currency}"),
        n => format!("{n} invoices of {total} {currency}"),
    }
}
