//! `crew order check-in`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering;

use super::{changed, with_photo};
use crate::context::App;

/// Arrive at the job, with a photo (assigned worker); the order becomes active
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew order check-in 7 --photo door.jpg\n\nAccepted from the company's `ordering.check_in_window_minutes` before the order's start (60 by\ndefault: from 09:00 for a 10:00 order); earlier is refused (exit 5) naming when check-in opens."
)]
pub struct CheckInArgs {
    order: String,
    /// A JPEG, PNG, WebP or HEIC photo; copied into the media folder with its SHA-256
    #[arg(long)]
    photo: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::CheckInOrder];

pub fn run(app: &mut App, args: CheckInArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let v = with_photo(app, id, "check-in", &args.photo, |tx, ctx, id, p| {
        let window = chrono::Duration::minutes(i64::from(crew_core::settings::rules(tx)?.check_in_window_minutes));
        ordering::check_in(tx, ctx, id, p, window)
    })?;
    changed(app, &v, format!("Checked in to order #{id}; it is active."))
}
