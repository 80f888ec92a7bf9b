//! `crew hiring set create`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::TestId;
use crew_core::types::{Name, Text};

use super::fields;
use crate::context::{App, FromFlag};

/// Create a test set
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew hiring set create \"Cleaner 2026\" --tests 1,2 --description \"for the cleaning vacancy\""
)]
pub struct CreateArgs {
    name: String,
    /// Test ids, comma-separated
    #[arg(long, value_delimiter = ',')]
    tests: Vec<i64>,
    #[arg(long, default_value = "")]
    description: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: CreateArgs) -> Result<()> {
    let CreateArgs { name, tests, description } = args;
    let name = Name::parse(&name).flag("--name")?;
    let description = Text::parse(&description).flag("--description")?;
    let tests = tests.into_iter().map(TestId::new).collect();
    let s = app.write(|tx, ctx| pipeline::create_set(tx, ctx, name, description, tests))?;
    app.out.done(&s, &fields(&s), &format!("Test set #{} `{}` created.", s.id, s.name))
}
