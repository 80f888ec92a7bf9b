//! `crew whoami`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;

use crate::context::App;

/// Show the account you are logged in as
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew whoami")]
pub struct WhoamiArgs {}

pub const ACTIONS: &[Action] = &[Action::WhoAmI];

pub fn run(app: &mut App, _args: WhoamiArgs) -> Result<()> {
    let account = app.read(|tx, ctx| iam::whoami(tx, ctx))?;
    let fields = [
        ("login", account.login.to_string()),
        ("name", account.name.to_string()),
        ("role", account.role.to_string()),
        ("email", account.email.as_ref().map(ToString::to_string).unwrap_or_default()),
    ];
    app.out.record(&account, &fields)
}
