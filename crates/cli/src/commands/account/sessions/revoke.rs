//! `crew account sessions revoke`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::ids::SessionId;

use super::fields;
use crate::context::App;
use crate::session;

/// End one session or service token by its ID (yours; admins: anyone's)
#[derive(Debug, Args)]
#[command(
    after_help = "Revoking the session you are using logs you out. Revoking a service token stops the jobs that use\n\
                  it until an admin issues a new one (`crew account reset-password`).\n\n\
                  Example:\n  crew account sessions revoke 12"
)]
pub struct RevokeArgs {
    /// The session's number, as `crew account sessions` shows it
    id: String,
}

/// Anyone may end their own; whether another account's may be ended is decided in core.
pub const ACTIONS: &[Action] = &[Action::ManageOwnSessions];

pub fn run(app: &mut App, args: RevokeArgs) -> Result<()> {
    let hash = app.token_hash()?;
    let id: SessionId = args.id.parse()?;
    let ended = app.write(|tx, ctx| iam::revoke_session(tx, ctx, &hash, id))?;
    // This database's session file held the revoked token: it is of no use any more.
    if let Some(token) = session::load(app.db())?
        && iam::token_hash(&token) == hash
        && ended.current
    {
        session::forget(app.db())?;
    }
    let sentence = if ended.current {
        format!(
            "Revoked {} #{} of `{}`, the one you were using: you are logged out.",
            ended.kind.noun(),
            ended.id,
            ended.login
        )
    } else {
        format!("Revoked {} #{} of `{}`.", ended.kind.noun(), ended.id, ended.login)
    };
    app.out.done(&ended, &fields(app, &ended), &sentence)
}
