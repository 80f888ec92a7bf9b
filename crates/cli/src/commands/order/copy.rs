//! `crew order copy`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;

use super::{changed, one, pricing};
use crate::context::App;

/// Order the same again at a new time (e.g. after a no-show); priced afresh
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order copy 7 --at \"2026-11-28 10:00\"")]
pub struct CopyArgs {
    order: String,
    /// The new time: RFC 3339, or `YYYY-MM-DD HH:MM` in the configured time zone
    #[arg(long)]
    at: String,
}

pub const ACTIONS: &[Action] = &[Action::CopyOrder];

pub fn run(app: &mut App, args: CopyArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let at = app.parse_time("--at", &args.at)?;
    let v = app.write(|tx, ctx| {
        let pricing = pricing(tx)?;
        let o = ordering::copy_order(tx, ctx, &pricing, id, at)?;
        one(tx, o)
    })?;
    let s = format!("Order #{} placed as a copy of #{id}, at {}.", v.order.id, app.show_time(v.order.scheduled_at));
    changed(app, &v, s)
}
