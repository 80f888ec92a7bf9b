//! `crew hiring set edit`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::{TestId, TestSetId};
use crew_core::types::Name;

use super::fields;
use crate::context::{App, FromFlag};

/// Change a set's name or tests (candidates already assigned keep theirs)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring set edit 1 --tests 1,2,3")]
pub struct EditArgs {
    set: i64,
    #[arg(long)]
    name: Option<String>,
    #[arg(long, value_delimiter = ',')]
    tests: Option<Vec<i64>>,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: EditArgs) -> Result<()> {
    let EditArgs { set, name, tests } = args;
    let name = name.as_deref().map(Name::parse).transpose().flag("--name")?;
    let set = TestSetId::new(set);
    let tests = tests.map(|t| t.into_iter().map(TestId::new).collect());
    let s = app.write(|tx, ctx| pipeline::edit_set(tx, ctx, set, name, tests))?;
    app.out.done(&s, &fields(&s), &format!("Test set #{set} saved."))
}
