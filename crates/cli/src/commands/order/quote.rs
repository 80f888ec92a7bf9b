//! `crew order quote`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ordering;

use super::{OrderSpec, pricing, request};
use crate::context::App;

/// See the approximate price of an order before placing it
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order quote --service cleaning --at \"2026-11-27 10:00\"")]
pub struct QuoteArgs {
    #[command(flatten)]
    spec: OrderSpec,
}

pub const ACTIONS: &[Action] = &[Action::QuoteOrder];

pub fn run(app: &mut App, args: QuoteArgs) -> Result<()> {
    let req = request(app, &args.spec)?;
    let quote = app.read(|tx, ctx| {
        let pricing = pricing(tx)?;
        ordering::quote(tx, ctx, &pricing, &req)
    })?;
    let currency = app.currency().to_string();
    let f = [
        ("service", quote.service_type.to_string()),
        ("zone", quote.zone.to_string()),
        ("at", app.show_time(quote.scheduled_at)),
        ("price", format!("{} {currency}", quote.price)),
    ];
    app.out.record(&quote, &f)
}
