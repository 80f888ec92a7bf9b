//! `crew order show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;

use super::{fields, one};
use crate::context::App;

/// Show one order
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order show 7")]
pub struct ShowArgs {
    order: String,
}

pub const ACTIONS: &[Action] = &[Action::ViewOrders];

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let v = app.read(|tx, ctx| {
        let o = ordering::show_order(tx, ctx, id)?;
        one(tx, o)
    })?;
    app.out.record(&v, &fields(app, &v))
}
