//! `crew account reset-password`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::types::Login;

use super::{credential, fields, print_token};
use crate::context::{App, FromFlag};

/// Set a new password (a service account gets a new token); every session of it ends
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew account reset-password ann@example.com\n  crew account reset-password cron        # prints the new token once"
)]
pub struct ResetPasswordArgs {
    login: String,
    /// Read the new password from standard input instead of prompting
    #[arg(long)]
    password_stdin: bool,
}

pub const ACTIONS: &[Action] = &[Action::ManageAccounts];

pub fn run(app: &mut App, args: ResetPasswordArgs) -> Result<()> {
    let login = Login::parse(&args.login).flag("LOGIN")?;
    let role = app.read(|tx, _| iam::find(tx, &login))?.role;
    let (credential, token) = credential(role, args.password_stdin)?;
    let account = app.write(|tx, ctx| iam::reset_credential(tx, ctx, &login, credential))?;
    match token {
        Some(token) => print_token(app, &account.login, &token),
        None => app.out.done(
            &account,
            &fields(app, &account),
            &format!("New password set for `{}`; its sessions have ended.", account.login),
        ),
    }
}
