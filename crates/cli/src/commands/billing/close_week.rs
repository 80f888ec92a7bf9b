//! `crew billing close-week`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::{self, Week};

use super::{CycleArgs, report};
use crate::context::App;

/// Close a week: one invoice per client for its charges, then collect each (accountants, cron)
#[derive(Debug, Args)]
#[command(after_help = "\
Weeks end Sunday 24:00 in the company's time zone (also across a clock change); a week is closed
once it has ended. Each client with charges not yet invoiced (this week's, and any that arrived
after an earlier week was closed) gets one invoice, numbered without gaps, and the invoice mail;
then each collection is asked of the payment service by the client's payment method, and the
client is mailed the result. Closing a week again issues nothing; it only asks again about
collections still open (a crashed run is recovered by running it again: the same idempotency key
is sent). The payment service is the built-in sandbox unless crew.toml names one (docs/billing.md).

Without a week, the run closes the week that ended last and, first, any week missed since the
last one closed (each with its own invoices, oldest first, in one transaction).

Examples:
  crew billing close-week                 # the week that ended last (and any missed before it)
  crew billing close-week 2026-W49
  crew billing close-week 2026-W49 --dry-run")]
pub struct CloseWeekArgs {
    /// The week, like `2026-W49` [default: the last week that has ended, and any missed before it]
    week: Option<String>,
    #[command(flatten)]
    cycle: CycleArgs,
}

pub const ACTIONS: &[Action] = &[Action::CloseBillingPeriods];

pub fn run(app: &mut App, args: CloseWeekArgs) -> Result<()> {
    let tz = app.tz();
    let named = args.week.as_deref().map(|raw| Week::parse(raw).map_err(|e| e.context("WEEK"))).transpose()?;
    let last_ended = {
        let this = Week::of(app.now, tz);
        Week::of(this.bounds(tz).0 - chrono::Duration::hours(1), tz)
    };
    let close = move |tx: &mut dyn crew_core::wiring::Tx, ctx: &crew_core::kernel::command::Ctx| {
        let weeks = match named {
            Some(week) => vec![week],
            None => billing::periods_to_close(tx, billing::Cycle::Client, last_ended, tz)?,
        };
        if weeks.is_empty() {
            return Err(crew_core::Error::conflict(format!(
                "no week has ended since the company's books began (the last ended {last_ended}): nothing to close yet"
            )));
        }
        weeks.into_iter().map(|week| billing::close_week(tx, ctx, week, tz)).collect()
    };
    report(app, args.cycle, close, billing::PaymentKind::Collection)
}
