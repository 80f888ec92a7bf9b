//! `crew billing balances`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing;
use serde::Serialize;

use crate::context::App;

/// Every ledger account's debits, credits and balance (staff)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew billing balances\n  crew --format csv billing balances > balances.csv")]
pub struct BalancesArgs {}

pub const ACTIONS: &[Action] = &[Action::VerifyLedger];

/// A balance as scripts read it: the stable account (`client:5`) and, for a person's, the login.
#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    balance: billing::Balance,
    #[serde(skip_serializing_if = "Option::is_none")]
    login: Option<String>,
}

pub fn run(app: &mut App, _args: BalancesArgs) -> Result<()> {
    let (balances, logins) = app.read(|tx, ctx| Ok((billing::balances(tx, ctx)?, crew_core::iam::logins(tx)?)))?;
    let rows: Vec<Row> = balances
        .into_iter()
        .map(|balance| {
            let login = balance.account.holder().map(|_| super::account_name(&logins, balance.account));
            Row { balance, login }
        })
        .collect();
    app.out.list(&rows, &["ACCOUNT", "DEBITS", "CREDITS", "BALANCE"], |r| {
        let b = &r.balance;
        vec![
            r.login.clone().unwrap_or_else(|| b.account.to_string()),
            b.debits.to_string(),
            b.credits.to_string(),
            b.net().to_string(),
        ]
    })
}
