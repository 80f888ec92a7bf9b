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

Examples:
  crew billing close-week                 # the week that ended last
  crew billing close-week 2026-W49
  crew billing close-week 2026-W49 --dry-run")]
pub struct CloseWeekArgs {
    /// The week, like `2026-W49` [default: the last week that has ended]
    week: Option<String>,
    #[command(flatten)]
    cycle: CycleArgs,
}

pub const ACTIONS: &[Action] = &[Action::CloseBillingPeriods];

pub fn run(app: &mut App, args: CloseWeekArgs) -> Result<()> {
    let tz = app.tz();
    let week = match args.week.as_deref() {
        Some(raw) => Week::parse(raw).map_err(|e| e.context("WEEK"))?,
        None => {
            let this = Week::of(app.now, tz);
            Week::of(this.bounds(tz).0 - chrono::Duration::hours(1), tz)
        }
    };
    let close = |tx: &mut dyn crew_core::wiring::Tx, ctx: &crew_core::kernel::command::Ctx| {
        billing::close_week(tx, ctx, week, tz)
    };
    report(app, args.cycle, close, billing::PaymentKind::Collection)
}
