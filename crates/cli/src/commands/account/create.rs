//! `crew account create`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::{Action, Role};
use crew_core::iam::{self, AccountRequest};
use crew_core::types::{Email, Login, Name};

use super::{credential, fields, print_token};
use crate::context::{App, FromFlag};

/// Create a staff account (clients are imported; workers are hired)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew account create mia --role manager --name \"Mia Stone\" --email mia@crew.example\n  crew account create cron --role service --name \"Cron jobs\"   # prints its token once"
)]
pub struct CreateArgs {
    login: String,
    /// admin, manager, accountant, warehouse or service
    #[arg(long)]
    role: String,
    #[arg(long)]
    name: String,
    #[arg(long)]
    email: Option<String>,
    /// Read the password from standard input instead of prompting
    #[arg(long)]
    password_stdin: bool,
}

pub const ACTIONS: &[Action] = &[Action::ManageAccounts];

pub fn run(app: &mut App, args: CreateArgs) -> Result<()> {
    let CreateArgs { login, role, name, email, password_stdin } = args;
    let login = Login::parse(&login).flag("LOGIN")?;
    let role: Role = role.parse().flag("--role")?;
    let name = Name::parse(&name).flag("--name")?;
    let email = email.as_deref().map(Email::parse).transpose().flag("--email")?;
    let (credential, token) = credential(role, password_stdin)?;
    let req = AccountRequest { login, name, email, role, credential };
    let account = app.write(|tx, ctx| iam::create_account(tx, ctx, req))?;
    match token {
        Some(token) => print_token(app, &account.login, &token),
        None => app.out.done(
            &account,
            &fields(app, &account),
            &format!("Created {} account `{}` (#{}).", account.role, account.login, account.id),
        ),
    }
}
