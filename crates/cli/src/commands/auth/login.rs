//! `crew login`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam::{self, LoginOutcome, SessionLifetime};
use crew_core::settings;
use crew_core::types::Login;

use crate::commands::read_login_password;
use crate::context::{App, FromFlag};
use crate::session;

/// Log in; the session is kept in your config directory (mode 0600) and lasts 12 hours (a company rule)
#[derive(Debug, Args)]
#[command(
    after_help = "A refused login is recorded in the event log (`login_failed`: the login, never the password).\n\
                  `crew whoami` shows when the session expires; `crew account sessions` lists yours.\n\n\
                  Examples:\n  crew login admin\n  printf '%s' \"$PW\" | crew login mia@crew.example --password-stdin"
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
    // The lifetime is the company's rule, read in the login's own transaction.
    let (outcome, now, lifetime) = app.write_anonymous(|tx, now| {
        let lifetime = SessionLifetime::hours(settings::rules(tx)?.session_lifetime_hours)?;
        Ok((iam::login(tx, now, &login, &password, hash, lifetime)?, now, lifetime))
    })?;
    match outcome {
        LoginOutcome::LoggedIn(account) => {
            session::save(app.db(), &token)?;
            let expires = app.show_time(lifetime.end(now));
            app.out.note(&format!("Logged in as {} ({}) until {expires}.", account.login, account.role))
        }
        LoginOutcome::Refused(refused) => {
            // The refused attempt changed nothing; its record is a write of its own.
            app.write_anonymous(|tx, now| iam::record_failed_login(tx, now, &login, &refused))?;
            Err(refused.error(&login).into())
        }
    }
}
