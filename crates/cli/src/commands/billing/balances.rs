//! `crew billing balances`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing;

use crate::context::App;

/// Every ledger account's debits, credits and balance (staff)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew billing balances\n  crew --format csv billing balances > balances.csv")]
pub struct BalancesArgs {}

pub const ACTIONS: &[Action] = &[Action::VerifyLedger];

pub fn run(app: &mut App, _args: BalancesArgs) -> Result<()> {
    let balances = app.read(|tx, ctx| billing::balances(tx, ctx))?;
    app.out.list(&balances, &["ACCOUNT", "DEBITS", "CREDITS", "BALANCE"], |b| {
        vec![b.account.to_string(), b.debits.to_string(), b.credits.to_string(), b.net().to_string()]
    })
}
