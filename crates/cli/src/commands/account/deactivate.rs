//! `crew account deactivate`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::types::Login;

use super::fields;
use crate::context::{App, FromFlag};

/// Stop an account from logging in; its sessions and tokens end
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew account deactivate mia")]
pub struct DeactivateArgs {
    login: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageAccounts];

pub fn run(app: &mut App, args: DeactivateArgs) -> Result<()> {
    let login = Login::parse(&args.login).flag("LOGIN")?;
    let account = app.write(|tx, ctx| iam::deactivate(tx, ctx, &login))?;
    app.out.done(
        &account,
        &fields(app, &account),
        &format!("Deactivated `{}`; its sessions have ended.", account.login),
    )
}
