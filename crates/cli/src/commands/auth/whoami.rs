//! `crew whoami`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;

use crate::context::App;

/// Show the account you are logged in as, and when your session expires
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew whoami")]
pub struct WhoamiArgs {}

pub const ACTIONS: &[Action] = &[Action::WhoAmI];

pub fn run(app: &mut App, _args: WhoamiArgs) -> Result<()> {
    let hash = app.token_hash()?;
    let me = app.read(|tx, ctx| iam::whoami(tx, ctx, &hash))?;
    let account = &me.account;
    let fields = [
        ("login", account.login.to_string()),
        ("name", account.name.to_string()),
        ("role", account.role.to_string()),
        ("email", account.email.as_ref().map(ToString::to_string).unwrap_or_default()),
        ("session", format!("#{} ({})", me.session.id, me.session.kind.as_str())),
        ("expires", me.session.expires_at.map_or_else(|| "never (service token)".to_string(), |t| app.show_time(t))),
    ];
    app.out.record(&me, &fields)
}
