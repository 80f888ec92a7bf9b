//! `crew matching reinstate`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::matching;
use crew_core::types::Login;

use super::{fields, views, worker_id};
use crate::context::{App, FromFlag};

/// Put a suspended worker back into matching
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew matching reinstate tom@crew.example")]
pub struct ReinstateArgs {
    worker: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageWorkers];

pub fn run(app: &mut App, args: ReinstateArgs) -> Result<()> {
    let login = Login::parse(&args.worker).flag("WORKER")?;
    let v = app.write(|tx, ctx| {
        let id = worker_id(tx, &login)?;
        let p = matching::reinstate(tx, ctx, id)?;
        Ok(views(tx, vec![p])?.remove(0))
    })?;
    app.out.done(&v, &fields(&v), &format!("{} is back in matching.", v.login))
}
