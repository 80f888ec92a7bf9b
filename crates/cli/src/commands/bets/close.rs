//! `crew bets close`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::bets;
use crew_core::ids::OrderId;

use crate::context::{App, FromFlag};

/// Close an order's betting to new stakes (managers); its bets stay and settle when it ends
#[derive(Debug, Args)]
#[command(after_help = "\
Closing a closed or settled order's betting changes nothing (exit 0).

Examples:
  crew bets close 17")]
pub struct CloseArgs {
    /// The order's id
    order: String,
}

pub const ACTIONS: &[Action] = &[Action::PlaceBets];

pub fn run(app: &mut App, args: CloseArgs) -> Result<()> {
    let order: OrderId = args.order.parse().flag("ORDER")?;
    let closed = app.write(|tx, ctx| bets::close(tx, ctx, order))?;
    let sentence = if closed.already {
        format!("Betting on order #{order} was already closed; nothing changed.")
    } else {
        format!("Betting on order #{order} closed: no new stakes; its bets settle when it ends.")
    };
    app.out.done(&closed, &[("order", order.to_string())], &sentence)
}
