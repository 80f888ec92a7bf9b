//! `crew order show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering::{self, Forced};
use serde::Serialize;

use super::{OrderView, fields, one};
use crate::context::App;

/// Show one order
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order show 7")]
pub struct ShowArgs {
    order: String,
}

pub const ACTIONS: &[Action] = &[Action::ViewOrders];

/// The order, and the override its worker was assigned with (`crew order assign --force`), if any
/// (shown to staff only).
#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    view: OrderView,
    #[serde(skip_serializing_if = "Option::is_none")]
    forced: Option<Forced>,
}

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let shown = app.read(|tx, ctx| {
        let o = ordering::show_order(tx, ctx, id)?;
        let forced = ordering::forced_assignment(tx, ctx, &o)?;
        Ok(Shown { view: one(tx, o)?, forced })
    })?;
    let mut rows = fields(app, &shown.view);
    if let Some(forced) = &shown.forced {
        let after_worker = rows.iter().position(|(k, _)| *k == "worker").map_or(rows.len(), |i| i + 1);
        rows.insert(after_worker, ("assignment", format!("by hand, {}", forced.describe())));
    }
    app.out.record(&shown, &rows)
}
