//! `crew hiring test create`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;

use super::{read_test, test_fields};
use crate::context::App;

/// Create a test from a TOML file
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew hiring test create cleaning-basics.toml\n\nThe file:\n  name = \"Cleaning basics\"\n  pass_mark = 20\n  [[question]]\n  text = \"What cleans glass?\"\n  options = [\"Oil\", \"Vinegar\"]\n  correct = 2\n  points = 10"
)]
pub struct CreateArgs {
    file: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: CreateArgs) -> Result<()> {
    let spec = read_test(&args.file, &app.limits())?;
    let t = app.write(|tx, ctx| pipeline::create_test(tx, ctx, spec))?;
    app.out.done(&t, &test_fields(&t), &format!("Test #{} `{}` created.", t.id, t.spec.name))
}
