//! `crew hiring reject`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::ApplicationId;
use crew_core::types::Text;

use super::application_fields;
use crate::context::{App, FromFlag};

/// Turn the candidate down
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring reject 43 --reason \"below the pass mark\"")]
pub struct RejectArgs {
    application: i64,
    #[arg(long, default_value = "")]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: RejectArgs) -> Result<()> {
    let application = ApplicationId::new(args.application);
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let a = app.write(|tx, ctx| pipeline::reject(tx, ctx, application, reason))?;
    app.out.done(&a, &application_fields(&a), &format!("Application #{application} is rejected."))
}
