//! `crew account sessions [LOGIN]`: lists sessions and tokens; its subcommand `revoke` (its own
//! file) ends one. The layout both share is here.

mod revoke;

use anyhow::Result;
use clap::{Args, Subcommand};
use crew_core::authz::Action;
use crew_core::iam::{self, SessionView, Whose};
use crew_core::types::Login;

use crate::context::App;

/// List your live sessions and tokens (admins: anyone's), or revoke one
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "A login session expires after the company rule sessions.lifetime_hours (12 hours unless an\n\
                  admin changed it); a service account's token does not expire (rotate it with\n\
                  `crew account reset-password`, or revoke it here). The ID names a session\n\
                  to revoke; the token itself is never shown again and the database keeps only its hash.\n\n\
                  Examples:\n  crew account sessions\n  crew account sessions tom@crew.example\n  \
                  crew account sessions --all\n  crew account sessions revoke 12"
)]
pub struct SessionsArgs {
    #[command(subcommand)]
    action: Option<SessionsCommand>,
    /// Whose sessions [default: yours]; only admins may name another account
    login: Option<String>,
    /// Every account's sessions (admins)
    #[arg(long, conflicts_with = "login")]
    all: bool,
}

#[derive(Debug, Subcommand)]
enum SessionsCommand {
    Revoke(revoke::RevokeArgs),
}

impl SessionsArgs {
    /// The actions this subcommand (or its `revoke`) needs.
    pub fn actions(&self) -> &'static [Action] {
        match &self.action {
            None => ACTIONS,
            Some(SessionsCommand::Revoke(_)) => revoke::ACTIONS,
        }
    }
}

/// Anyone may list their own; whether another account's may be listed is decided in core.
pub const ACTIONS: &[Action] = &[Action::ManageOwnSessions];

pub fn run(app: &mut App, args: SessionsArgs) -> Result<()> {
    if let Some(SessionsCommand::Revoke(revoke)) = args.action {
        return revoke::run(app, revoke);
    }
    let login = args.login.as_deref().map(Login::parse).transpose()?;
    let whose = match (&login, args.all) {
        (_, true) => Whose::Everyone,
        (Some(login), false) => Whose::Account(login),
        (None, false) => Whose::Own,
    };
    let hash = app.token_hash()?;
    let sessions = app.read(|tx, ctx| iam::list_sessions(tx, ctx, &hash, whose))?;
    app.out.list(&sessions, HEADERS, |s| cells(app, s))
}

const HEADERS: &[&str] = &["ID", "LOGIN", "KIND", "CREATED", "EXPIRES", "CURRENT"];

fn cells(app: &App, s: &SessionView) -> Vec<String> {
    vec![
        s.id.to_string(),
        s.login.to_string(),
        s.kind.as_str().to_string(),
        app.show_time(s.created_at),
        s.expires_at.map_or_else(|| "never".to_string(), |t| app.show_time(t)),
        if s.current { "yes" } else { "" }.to_string(),
    ]
}

const FIELDS: &[&str] = &["id", "login", "kind", "created", "expires", "current"];

fn fields(app: &App, s: &SessionView) -> Vec<(&'static str, String)> {
    FIELDS.iter().copied().zip(cells(app, s)).collect()
}
