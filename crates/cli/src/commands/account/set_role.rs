//! `crew account set-role`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::{Action, Role};
use crew_core::iam;
use crew_core::types::Login;

use super::fields;
use crate::context::{App, FromFlag};

/// Change a staff account's role
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew account set-role mia admin")]
pub struct SetRoleArgs {
    login: String,
    role: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageAccounts];

pub fn run(app: &mut App, args: SetRoleArgs) -> Result<()> {
    let login = Login::parse(&args.login).flag("LOGIN")?;
    let role: Role = args.role.parse()?;
    let account = app.write(|tx, ctx| iam::set_role(tx, ctx, &login, role))?;
    app.out.done(&account, &fields(app, &account), &format!("`{}` is now {}.", account.login, account.role))
}
