//! `crew hiring list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline::{self, ApplicationStatus};

use super::{APPLICATION_HEADERS, application_cells};
use crate::context::{App, FromFlag};

/// List applications
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew hiring list --status tests_submitted\n  crew hiring list --format csv")]
pub struct ListArgs {
    /// applied, tests_assigned, tests_submitted, accepted or rejected
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let status = args.status.as_deref().map(ApplicationStatus::parse).transpose().flag("--status")?;
    let list = app.read(|tx, ctx| pipeline::list(tx, ctx, status, args.limit))?;
    app.out.list(&list, APPLICATION_HEADERS, application_cells)
}
