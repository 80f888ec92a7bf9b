//! `crew order complete`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;

use super::{changed, with_photo};
use crate::context::App;

/// Finish the job, with a photo of the signed paper report (assigned worker)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew order complete 7 --photo report.jpg")]
pub struct CompleteArgs {
    order: String,
    #[arg(long)]
    photo: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::CompleteOrder];

pub fn run(app: &mut App, args: CompleteArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let v = with_photo(app, id, "report", &args.photo, |tx, ctx, id, p| ordering::complete(tx, ctx, id, p))?;
    changed(app, &v, format!("Order #{id} is completed."))
}
