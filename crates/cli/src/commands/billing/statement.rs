//! `crew billing statement`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::{self, EntryKind};

use super::{LINE_HEADERS, line_cells};
use crate::cli::Format;
use crate::context::App;

/// A ledger account's entries with a running balance (clients and workers their own)
#[derive(Debug, Args)]
#[command(after_help = "\
A positive amount is a debit, a negative one a credit: a client's balance is what they owe; a
worker's is negative while the company owes them (earnings and awards are credits, fines debits).
The company's accounts: company:revenue, company:worker_payouts, company:fines, company:awards,
company:house, company:bank_clearing, company:stakes.

Examples:
  crew billing statement                      # your own
  crew billing statement tom@crew.example --kind fine
  crew billing statement company:revenue")]
pub struct StatementArgs {
    /// A login, or a ledger account (`company:revenue`, `client:7`); default: your own
    account: Option<String>,
    /// Only entries of this kind: charge, earning, fine, award or reversal
    #[arg(long)]
    kind: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewBilling];

pub fn run(app: &mut App, args: StatementArgs) -> Result<()> {
    let kind = args.kind.as_deref().map(EntryKind::parse).transpose().map_err(|e| e.context("--kind"))?;
    let (statement, logins) = app.read(|tx, ctx| {
        let account = billing::chosen_account(tx, ctx, args.account.as_deref())?;
        Ok((billing::statement(tx, ctx, account, kind)?, crew_core::iam::logins(tx)?))
    })?;
    if app.out.format == Format::Json {
        return app.out.record(&statement, &[("account", statement.account.to_string())]);
    }
    app.out.list(&statement.lines, LINE_HEADERS, |l| line_cells(app, l))?;
    let b = statement.balance;
    app.out.note(&format!(
        "{}: debits {}, credits {}, balance {} {}.",
        super::account_name(&logins, statement.account),
        b.debits,
        b.credits,
        b.net(),
        app.currency()
    ))
}
