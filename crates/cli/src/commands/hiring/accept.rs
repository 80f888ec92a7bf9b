//! `crew hiring accept`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::ApplicationId;
use crew_core::types::Text;

use super::application_fields;
use crate::context::{App, FromFlag};

/// Hire the candidate: their worker account (an activation secret is mailed) and profile
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring accept 42 --reason \"top 3%\"")]
pub struct AcceptArgs {
    application: i64,
    #[arg(long, default_value = "")]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: AcceptArgs) -> Result<()> {
    let application = ApplicationId::new(args.application);
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let a = app.write(|tx, ctx| pipeline::accept(tx, ctx, application, reason))?;
    let s = format!(
        "Application #{application} is accepted: {} joins the pool (an activation secret is mailed).",
        a.applicant.email
    );
    app.out.done(&a, &application_fields(&a), &s)
}
