//! `crew hiring set list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;

use super::set_cells;
use crate::context::App;

/// List test sets
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring set list")]
pub struct ListArgs {}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, _args: ListArgs) -> Result<()> {
    let sets = app.read(|tx, ctx| pipeline::list_sets(tx, ctx))?;
    app.out.list(&sets, &["ID", "NAME", "TESTS", "DESCRIPTION"], set_cells)
}
