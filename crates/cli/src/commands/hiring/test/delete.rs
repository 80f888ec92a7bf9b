//! `crew hiring test delete`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::TestId;

use super::test_fields;
use crate::context::App;

/// Delete a test no set lists and no candidate holds
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring test delete 3")]
pub struct DeleteArgs {
    test: i64,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: DeleteArgs) -> Result<()> {
    let test = TestId::new(args.test);
    let t = app.write(|tx, ctx| pipeline::delete_test(tx, ctx, test))?;
    app.out.done(&t, &test_fields(&t), &format!("Test #{test} deleted."))
}
