//! `crew order sweep-no-shows`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::kernel::command::Ctx;
use crew_core::ordering;
use crew_core::settings;
use crew_core::wiring::Tx;
use serde::Serialize;

use crate::context::App;

/// Fail assigned orders whose worker has not checked in by their time plus the grace (cron)
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  CREW_TOKEN=… crew order sweep-no-shows\n\nThe grace is the company's `ordering.no_show_grace_minutes` (`crew settings show`).\nEach no-show is failed and its client offered a copy (`crew order copy`). Orders of suspended\nor deactivated workers go back to open."
)]
pub struct SweepNoShowsArgs {
    /// Show what would happen; change nothing
    #[arg(long)]
    dry_run: bool,
}

pub const ACTIONS: &[Action] = &[Action::SweepNoShows];

pub fn run(app: &mut App, args: SweepNoShowsArgs) -> Result<()> {
    let dry_run = args.dry_run;
    // The company's grace in force, read inside the sweep's transaction.
    let sweep = |tx: &mut dyn Tx, ctx: &Ctx| {
        let grace = chrono::Duration::minutes(i64::from(settings::rules(tx)?.no_show_grace_minutes));
        ordering::sweep_no_shows(tx, ctx, grace)
    };
    let report = if dry_run { app.rehearse(sweep)? } else { app.write(sweep)? };
    #[derive(Serialize)]
    struct Row {
        order: OrderId,
        action: &'static str,
    }
    let rows: Vec<Row> = report
        .no_shows
        .iter()
        .map(|&order| Row { order, action: "failed as a no-show; client offered a copy" })
        .chain(report.reopened.iter().map(|&order| Row { order, action: "reopened: the worker is unavailable" }))
        .collect();
    if dry_run {
        app.out.note("Dry run: nothing was changed.")?;
    }
    app.out.list(&rows, &["ORDER", "ACTION"], |r| vec![r.order.to_string(), r.action.to_string()])
}
