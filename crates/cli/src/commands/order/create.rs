//! `crew order create`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ordering;

use super::{OrderSpec, changed, one, pricing, request};
use crate::context::App;

/// Place an order (client); it stays open until a worker is assigned
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew order create --service cleaning --at \"2026-11-27 10:00\" --description \"Kitchen and hall\""
)]
pub struct CreateArgs {
    #[command(flatten)]
    spec: OrderSpec,
}

pub const ACTIONS: &[Action] = &[Action::CreateOrder];

pub fn run(app: &mut App, args: CreateArgs) -> Result<()> {
    let req = request(app, &args.spec)?;
    let v = app.write(|tx, ctx| {
        let pricing = pricing(tx)?;
        let o = ordering::create_order(tx, ctx, &pricing, req)?;
        one(tx, o)
    })?;
    let s = format!(
        "Order #{} placed: {} in {} at {}, about {} {}. It is open until a worker is assigned.",
        v.order.id,
        v.order.service_type,
        v.order.zone,
        app.show_time(v.order.scheduled_at),
        v.order.quote,
        app.currency()
    );
    changed(app, &v, s)
}
