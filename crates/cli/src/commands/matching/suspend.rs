//! `crew matching suspend`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::matching;
use crew_core::types::{Login, Text};

use super::{fields, views, worker_id};
use crate::context::{App, FromFlag};

/// Take a worker out of matching (their assigned orders go back to open at the next sweep)
#[derive(Debug, Args)]
#[command(after_help = "A manager holding an unsettled stake on an order the worker holds may not suspend them \
                         (exit 3): the suspension would steer that order (docs/bets.md).\n\n\
                         Example:\n  crew matching suspend tom@crew.example --reason \"two no-shows this week\"")]
pub struct SuspendArgs {
    worker: String,
    #[arg(long)]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageWorkers];

pub fn run(app: &mut App, args: SuspendArgs) -> Result<()> {
    let login = Login::parse(&args.worker).flag("WORKER")?;
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let v = app.write(|tx, ctx| {
        let id = worker_id(tx, &login)?;
        let p = matching::suspend(tx, ctx, id, reason)?;
        Ok(views(tx, vec![p])?.remove(0))
    })?;
    let s = format!(
        "{} is suspended: no new orders. Their assigned orders go back to open at the next `crew order sweep-no-shows`.",
        v.login
    );
    app.out.done(&v, &fields(&v), &s)
}
