//! `crew account show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::types::Login;

use super::fields;
use crate::context::{App, FromFlag};

/// Show one account
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew account show mia")]
pub struct ShowArgs {
    login: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageAccounts];

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let login = Login::parse(&args.login).flag("LOGIN")?;
    let view = app.read(|tx, ctx| iam::show_account(tx, ctx, &login))?;
    let mut f = fields(app, &view.account);
    if let Some(c) = &view.client {
        f.push(("zone", c.zone.to_string()));
        f.push(("phone", c.phone.as_ref().map(ToString::to_string).unwrap_or_default()));
        f.push(("payment_method", c.payment_method.to_string()));
    }
    app.out.record(&view, &f)
}
