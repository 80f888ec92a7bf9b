//! `crew settings step remove`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::settings::{self, StepName};
use serde::Serialize;

use crate::context::App;

/// Unregister an external step (admin); it leaves matching.steps too
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew settings step remove zone_affinity")]
pub struct RemoveArgs {
    /// The step's name (`crew settings step list`)
    name: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageSettings];

#[derive(Serialize)]
struct Removed {
    name: String,
}

pub fn run(app: &mut App, args: RemoveArgs) -> Result<()> {
    let name = StepName::parse(&args.name)?;
    app.write(|tx, ctx| settings::remove_step(tx, ctx, &name))?;
    let v = Removed { name: name.to_string() };
    app.out.done(&v, &[("name", v.name.clone())], &format!("Removed step {name}; it no longer runs."))
}
