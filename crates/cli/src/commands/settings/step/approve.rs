//! `crew settings step approve`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::settings::{self, StepName};

use super::checksums;
use crate::context::App;

/// Approve a registered step's changed files (admin): their new checksums are recorded
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew settings step approve zone_affinity\n\nRead the changed program first: from now on crew runs it as it is. Recorded as a\n`step_approved` event with the old and new checksums."
)]
pub struct ApproveArgs {
    /// The step's name (`crew settings step list`)
    name: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageSettings];

pub fn run(app: &mut App, args: ApproveArgs) -> Result<()> {
    let name = StepName::parse(&args.name)?;
    let registered = app.read(|tx, ctx| settings::step(tx, ctx, &name))?;
    let now = crate::steps::hash_files(&registered.files)?;
    let approved = app.write(|tx, ctx| settings::approve_step(tx, ctx, &name, now))?;
    match approved {
        Some(p) => {
            let fields = [("name", p.name.to_string()), ("files", checksums(&p))];
            app.out.done(&p, &fields, &format!("Approved step {name} as it is now: {}.", checksums(&p)))
        }
        None => {
            let fields = [("name", registered.name.to_string()), ("files", checksums(&registered))];
            app.out.done(&registered, &fields, &format!("Step {name} is as it was approved; nothing to approve."))
        }
    }
}
