//! `crew hiring test edit`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::TestId;

use super::{read_test, test_fields};
use crate::context::App;

/// Change a test: a new version; candidates who hold the old one keep it
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring test edit 1 cleaning-basics.toml")]
pub struct EditArgs {
    test: i64,
    file: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: EditArgs) -> Result<()> {
    let test = TestId::new(args.test);
    let spec = read_test(&args.file, &app.limits())?;
    let t = app.write(|tx, ctx| pipeline::edit_test(tx, ctx, test, spec))?;
    let s = format!("Test #{test} is now version {}; candidates who hold an older one keep it.", t.version);
    app.out.done(&t, &test_fields(&t), &s)
}
