//! `crew order fail`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;
use crew_core::types::Text;

use super::{changed, one};
use crate::context::{App, FromFlag};

/// Record that the job failed (assigned worker or manager)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order fail 7 --reason \"client not at home\"")]
pub struct FailArgs {
    order: String,
    #[arg(long)]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::FailOrder];

pub fn run(app: &mut App, args: FailArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let v = app.write(|tx, ctx| {
        let o = ordering::fail(tx, ctx, id, reason)?;
        one(tx, o)
    })?;
    changed(app, &v, format!("Order #{id} has failed."))
}
