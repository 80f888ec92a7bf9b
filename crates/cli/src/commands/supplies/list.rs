//! `crew supplies list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::supplies::{self, KitFilter, KitStatus};

use super::{HEADERS, cells, rules, shown};
use crate::context::App;

/// List kits by their order's time: open ones unless told otherwise, at-risk ones flagged
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew supplies list                    # the kits to assemble\n  crew supplies list --at-risk          # not ready within supplies.kit_at_risk_minutes of the start\n  crew supplies list --status issued --format csv"
)]
pub struct ListArgs {
    /// open (the default), issued, cancelled or all
    #[arg(long, default_value = "open")]
    status: String,
    /// Only kits at risk
    #[arg(long)]
    at_risk: bool,
}

pub const ACTIONS: &[Action] = &[Action::ViewKits];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let status = match args.status.trim() {
        "all" => None,
        s => Some(KitStatus::parse(s).map_err(|e| e.context("--status"))?),
    };
    let filter = KitFilter { status, ..KitFilter::default() };
    let (list, low) = app.read(|tx, ctx| {
        let rules = rules(tx)?;
        let kits = supplies::list_kits(tx, ctx, &filter, &rules)?;
        let low: Vec<String> = supplies::stock_views(tx, &rules)?
            .into_iter()
            .filter(|s| s.low)
            .map(|s| format!("{} ({} available)", s.stock.item, s.available))
            .collect();
        let list = kits
            .into_iter()
            .filter(|k| !args.at_risk || k.readiness.at_risk)
            .map(|k| shown(tx, k))
            .collect::<crew_core::Result<Vec<_>>>()?;
        Ok((list, low))
    })?;
    app.out.list(&list, HEADERS, |s| cells(app, s))?;
    if !low.is_empty() && !app.out.quiet {
        crate::output::warn(&format!("warning: low on stock: {}", low.join(", ")));
    }
    Ok(())
}
