//! `crew billing close-month`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::{self, Month};

use super::{CycleArgs, report};
use crate::context::App;

/// Close a month: one invoice per worker (and manager) owed money, then pay each out (accountants, cron)
#[derive(Debug, Args)]
#[command(after_help = "\
A worker's month is their earnings − fines + awards not yet invoiced (and whatever carried over).
More than zero: an invoice, numbered without gaps, paid through the transfer service (\"Gold Hat\"),
and a mail once it is paid. Less than zero: no invoice and no mail; the balance carries over into
the next month. In the same run, the managers' cycle of the month: a manager whose open stakes and
pots shared come to a net win gets an invoice paid out the same way; a net loss stays on their
account (no invoice), offset by later winnings (docs/bets.md). Closing a month again issues nothing; it only asks again about payouts still open.
The transfer service is the built-in sandbox unless crew.toml names one (docs/billing.md).

Without a month, the run closes the month that ended last and, first, any month missed since the
last one closed (each with its own invoices, oldest first, in one transaction).

Examples:
  crew billing close-month                # the month that ended last (and any missed before it)
  crew billing close-month 2026-11
  crew billing close-month 2026-11 --dry-run")]
pub struct CloseMonthArgs {
    /// The month, like `2026-11` [default: the last month that has ended, and any missed before it]
    month: Option<String>,
    #[command(flatten)]
    cycle: CycleArgs,
}

pub const ACTIONS: &[Action] = &[Action::CloseBillingPeriods];

pub fn run(app: &mut App, args: CloseMonthArgs) -> Result<()> {
    let tz = app.tz();
    let named = args.month.as_deref().map(|raw| Month::parse(raw).map_err(|e| e.context("MONTH"))).transpose()?;
    let last_ended = Month::of(app.now, tz).previous();
    let close = move |tx: &mut dyn crew_core::wiring::Tx, ctx: &crew_core::kernel::command::Ctx| {
        let months = match named {
            Some(month) => vec![month],
            None => billing::periods_to_close(tx, billing::Cycle::Worker, last_ended, tz)?,
        };
        if months.is_empty() {
            return Err(crew_core::Error::conflict(format!(
                "no month has ended since the company's books began (the last ended {last_ended}): nothing to close yet"
            )));
        }
        months.into_iter().map(|month| billing::close_month(tx, ctx, month, tz)).collect()
    };
    report(app, args.cycle, close, billing::PaymentKind::Payout)
}
