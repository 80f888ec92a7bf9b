//! `crew hiring assign`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::{ApplicationId, TestSetId};

use super::application_fields;
use crate::context::App;

/// Give a candidate a test set (the tests at their current versions)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring assign 42 1")]
pub struct AssignArgs {
    application: i64,
    set: i64,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: AssignArgs) -> Result<()> {
    let (application, set) = (ApplicationId::new(args.application), TestSetId::new(args.set));
    let a = app.write(|tx, ctx| pipeline::assign_tests(tx, ctx, application, set))?;
    app.out.done(&a, &application_fields(&a), &format!("Application #{application} has the tests of set #{set}."))
}
