//! `crew matching workers`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::matching::{self, WorkerFilter, WorkerStatus};
use crew_core::types::{Skill, Zone};

use super::{HEADERS, cells, views};
use crate::context::App;

/// List worker profiles
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew matching workers --zone north\n  crew matching workers --skill cleaning --format csv"
)]
pub struct WorkersArgs {
    #[arg(long)]
    zone: Option<String>,
    #[arg(long)]
    skill: Option<String>,
    /// active, suspended or deactivated
    #[arg(long)]
    status: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewWorkers];

pub fn run(app: &mut App, args: WorkersArgs) -> Result<()> {
    let WorkersArgs { zone, skill, status } = args;
    let filter = WorkerFilter {
        zone: zone.as_deref().map(Zone::parse).transpose()?,
        skill: skill.as_deref().map(Skill::parse).transpose()?,
        status: status.as_deref().map(WorkerStatus::parse).transpose()?,
    };
    let list = app.read(|tx, ctx| {
        let profiles = matching::list_workers(tx, ctx, &filter)?;
        views(tx, profiles)
    })?;
    app.out.list(&list, HEADERS, cells)
}
