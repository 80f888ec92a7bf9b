//! `crew matching profile`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::matching;
use crew_core::types::Login;

use super::{fields, views, worker_id};
use crate::context::{App, FromFlag};

/// Show one worker's profile
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew matching profile tom@crew.example")]
pub struct ProfileArgs {
    worker: String,
}

pub const ACTIONS: &[Action] = &[Action::ViewWorkers];

pub fn run(app: &mut App, args: ProfileArgs) -> Result<()> {
    let login = Login::parse(&args.worker).flag("WORKER")?;
    let v = app.read(|tx, ctx| {
        let id = worker_id(tx, &login)?;
        let p = matching::show_profile(tx, ctx, id)?;
        Ok(views(tx, vec![p])?.remove(0))
    })?;
    app.out.record(&v, &fields(&v))
}
