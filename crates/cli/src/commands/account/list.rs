//! `crew account list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::{Action, Role};
use crew_core::iam;

use super::{HEADERS, cells};
use crate::context::App;

/// List accounts
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew account list\n  crew account list --role worker --format csv")]
pub struct ListArgs {
    /// Only accounts with this role
    #[arg(long)]
    role: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ManageAccounts];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let role = args.role.as_deref().map(str::parse::<Role>).transpose()?;
    let accounts = app.read(|tx, ctx| iam::list_accounts(tx, ctx, role))?;
    app.out.list(&accounts, HEADERS, |a| cells(app, a))
}
