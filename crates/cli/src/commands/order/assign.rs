//! `crew order assign`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;
use crew_core::types::Login;

use super::{changed, one, pricing};
use crate::context::App;

/// Assign a worker by hand (manager; the manual override of matching)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order assign 7 tom@crew.example")]
pub struct AssignArgs {
    order: String,
    worker: String,
}

pub const ACTIONS: &[Action] = &[Action::AssignOrder];

pub fn run(app: &mut App, args: AssignArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let worker = Login::parse(&args.worker)?;
    let v = app.write(|tx, ctx| {
        let pricing = pricing(tx)?;
        let o = ordering::assign(tx, ctx, &pricing, id, &worker)?;
        one(tx, o)
    })?;
    let price = v.order.price.map(|p| p.to_string()).unwrap_or_default();
    changed(app, &v, format!("Order #{id} is assigned to {worker} at {price} {}.", app.currency()))
}
