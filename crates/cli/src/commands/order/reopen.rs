//! `crew order reopen`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;

use super::{changed, one};
use crate::context::App;

/// Put an assigned or failed order back to open, without a worker (manager)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order reopen 7")]
pub struct ReopenArgs {
    order: String,
}

pub const ACTIONS: &[Action] = &[Action::ReopenOrder];

pub fn run(app: &mut App, args: ReopenArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let v = app.write(|tx, ctx| {
        let o = ordering::reopen(tx, ctx, id)?;
        one(tx, o)
    })?;
    changed(app, &v, format!("Order #{id} is open again, without a worker."))
}
