//! `crew billing …`: one file per subcommand; the statement lines' table shared here.

mod award;
mod balances;
mod charges;
mod due;
mod statement;
mod verify;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::billing::StatementLine;

use crate::context::App;

/// The ledger: what clients owe, what workers earn, awards, statements and checks
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew billing due                      # a client: this week's charges so far\n  crew billing statement                # your own ledger account\n  crew billing statement company:revenue\n  crew billing award tom@crew.example 25.00 --reason \"stayed late\"\n  crew billing verify                   # an accountant: prove the ledger's invariants\n\nSee docs/billing.md."
)]
pub enum BillingCommand {
    Due(due::DueArgs),
    Charges(charges::ChargesArgs),
    Statement(statement::StatementArgs),
    Balances(balances::BalancesArgs),
    Award(award::AwardArgs),
    Verify(verify::VerifyArgs),
}

impl BillingCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Due(_) => due::ACTIONS,
            Self::Charges(_) => charges::ACTIONS,
            Self::Statement(_) => statement::ACTIONS,
            Self::Balances(_) => balances::ACTIONS,
            Self::Award(_) => award::ACTIONS,
            Self::Verify(_) => verify::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: BillingCommand) -> Result<()> {
    match command {
        BillingCommand::Due(args) => due::run(app, args),
        BillingCommand::Charges(args) => charges::run(app, args),
        BillingCommand::Statement(args) => statement::run(app, args),
        BillingCommand::Balances(args) => balances::run(app, args),
        BillingCommand::Award(args) => award::run(app, args),
        BillingCommand::Verify(args) => verify::run(app, args),
    }
}

const LINE_HEADERS: &[&str] = &["DATE", "ENTRY", "KIND", "ORDER", "AMOUNT", "BALANCE", "MEMO"];

fn line_cells(app: &App, l: &StatementLine) -> Vec<String> {
    vec![
        app.show_time(l.at),
        l.entry.to_string(),
        l.kind.to_string(),
        l.order.map(|o| format!("#{o}")).unwrap_or_default(),
        l.amount.to_string(),
        l.balance.to_string(),
        l.memo.clone(),
    ]
}
