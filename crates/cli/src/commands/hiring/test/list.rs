//! `crew hiring test list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;

use super::test_fields;
use crate::context::App;

/// List tests
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring test list")]
pub struct ListArgs {}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, _args: ListArgs) -> Result<()> {
    let tests = app.read(|tx, ctx| pipeline::list_tests(tx, ctx))?;
    app.out.list(&tests, &["ID", "VERSION", "NAME", "QUESTIONS", "POINTS", "PASS MARK"], |t| {
        test_fields(t).into_iter().map(|(_, v)| v).collect()
    })
}
