//! `crew logout`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;

use crate::context::App;
use crate::session;

/// End this database's session
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew logout")]
pub struct LogoutArgs {}

/// Anyone may end their own session (or find they have none).
pub const ACTIONS: &[Action] = &[];

pub fn run(app: &mut App, _args: LogoutArgs) -> Result<()> {
    if std::env::var("CREW_TOKEN").is_ok_and(|t| !t.trim().is_empty()) {
        eprintln!("note: CREW_TOKEN is set; logout ends only this database's login session, not the token");
    }
    let Some(token) = session::load(app.db())? else {
        return app.out.note("Not logged in.");
    };
    let hash = iam::token_hash(&token);
    let ended = app.write_anonymous(|tx, now| iam::logout(tx, now, &hash))?;
    session::forget(app.db())?;
    match ended {
        Some(login) => app.out.note(&format!("Logged out {login}.")),
        None => app.out.note("Logged out."),
    }
}
