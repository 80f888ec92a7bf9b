//! `crew login`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::types::Login;

use crate::commands::read_login_password;
use crate::context::{App, FromFlag};
use crate::session;

/// Log in; the session is kept in your config directory (mode 0600)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew login admin\n  printf '%s' \"$PW\" | crew login mia@crew.example --password-stdin"
)]
pub struct LoginArgs {
    /// Your login (an email for clients and workers)
    login: String,
    /// Read the password from standard input instead of prompting
    #[arg(long)]
    password_stdin: bool,
}

/// Logging in is how one gets a login.
pub const ACTIONS: &[Action] = &[];

pub fn run(app: &mut App, args: LoginArgs) -> Result<()> {
    let login = Login::parse(&args.login).flag("LOGIN")?;
    let password = read_login_password(args.password_stdin)?;
    let token = session::new_token()?;
    let hash = iam::token_hash(&token);
    let account = app.write_anonymous(|tx, now| iam::login(tx, now, &login, &password, hash))?;
    session::save(app.db(), &token)?;
    app.out.note(&format!("Logged in as {} ({}).", account.login, account.role))
}
