//! `crew order cancel`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;
use crew_core::types::Text;

use super::{changed, one};
use crate::context::{App, FromFlag};

/// Cancel an open or assigned order
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order cancel 7 --reason \"moved the party\"")]
pub struct CancelArgs {
    order: String,
    #[arg(long, default_value = "")]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::CancelOrder];

pub fn run(app: &mut App, args: CancelArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let v = app.write(|tx, ctx| {
        let o = ordering::cancel(tx, ctx, id, reason)?;
        one(tx, o)
    })?;
    changed(app, &v, format!("Order #{id} is cancelled."))
}
