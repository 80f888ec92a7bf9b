//! `crew account …`: one file per subcommand (admin, except `activate` and `sessions`); the table
//! layout and credentials shared here.

mod activate;
mod create;
mod deactivate;
mod list;
mod reset_password;
mod sessions;
mod set_role;
mod show;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::{Action, Role};
use crew_core::iam::{self, Account, Credential};
use crew_core::types::Login;

use super::read_new_password;
use crate::context::App;
use crate::session;

/// Manage accounts and roles (admin); your own sessions (anyone)
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew account list\n  crew account create mia --role manager --name \"Mia Manager\"\n  crew account reset-password duchess@meow.example      # imported clients have no password\n  crew account create cron --role service --name \"Cron jobs\"   # prints a token for CREW_TOKEN\n  crew account activate tom@crew.example                # a new worker, with the mailed secret"
)]
pub enum AccountCommand {
    Create(create::CreateArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Deactivate(deactivate::DeactivateArgs),
    #[command(name = "set-role")]
    SetRole(set_role::SetRoleArgs),
    Activate(activate::ActivateArgs),
    #[command(name = "reset-password")]
    ResetPassword(reset_password::ResetPasswordArgs),
    Sessions(sessions::SessionsArgs),
}

impl AccountCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Create(_) => create::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Show(_) => show::ACTIONS,
            Self::Deactivate(_) => deactivate::ACTIONS,
            Self::SetRole(_) => set_role::ACTIONS,
            Self::Activate(_) => activate::ACTIONS,
            Self::ResetPassword(_) => reset_password::ACTIONS,
            Self::Sessions(args) => args.actions(),
        }
    }
}

pub fn run(app: &mut App, command: AccountCommand) -> Result<()> {
    match command {
        AccountCommand::Create(args) => create::run(app, args),
        AccountCommand::List(args) => list::run(app, args),
        AccountCommand::Show(args) => show::run(app, args),
        AccountCommand::Deactivate(args) => deactivate::run(app, args),
        AccountCommand::SetRole(args) => set_role::run(app, args),
        AccountCommand::Activate(args) => activate::run(app, args),
        AccountCommand::ResetPassword(args) => reset_password::run(app, args),
        AccountCommand::Sessions(args) => sessions::run(app, args),
    }
}

const HEADERS: &[&str] = &["ID", "LOGIN", "NAME", "ROLE", "EMAIL", "ACTIVE", "CREATED"];

fn cells(app: &App, a: &Account) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.login.to_string(),
        a.name.to_string(),
        a.role.to_string(),
        a.email.as_ref().map(ToString::to_string).unwrap_or_default(),
        if a.active { "yes" } else { "no" }.to_string(),
        app.show_time(a.created_at),
    ]
}

const FIELDS: &[&str] = &["id", "login", "name", "role", "email", "active", "created"];

fn fields(app: &App, a: &Account) -> Vec<(&'static str, String)> {
    FIELDS.iter().copied().zip(cells(app, a)).collect()
}

/// A new credential for an account of `role`: a token (printed once) or a password.
fn credential(role: Role, password_stdin: bool) -> Result<(Credential, Option<String>)> {
    if role == Role::Service {
        let token = session::new_token()?;
        Ok((Credential::ServiceToken(iam::token_hash(&token)), Some(token)))
    } else {
        let password = read_new_password(password_stdin)?;
        Ok((Credential::PasswordHash(password.hash(&session::new_salt()?)?), None))
    }
}

fn print_token(app: &App, login: &Login, token: &str) -> Result<()> {
    if app.out.format == crate::cli::Format::Table && !app.out.quiet {
        eprintln!("Token for `{login}` (shown once; keep it in the cron environment as CREW_TOKEN):");
    }
    crate::output::line(token)
}
