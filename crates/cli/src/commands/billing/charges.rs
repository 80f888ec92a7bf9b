//! `crew billing charges`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::{self, Week};

use super::{LINE_HEADERS, line_cells};
use crate::context::App;

/// Every charge of a client, oldest first (clients their own)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew billing charges\n  crew billing charges --client ann@example.com --week 2026-W49"
)]
pub struct ChargesArgs {
    /// The client's login (staff; clients see their own)
    #[arg(long)]
    client: Option<String>,
    /// Only this week's (`2026-W49`, in the company's time zone)
    #[arg(long)]
    week: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewCharges];

pub fn run(app: &mut App, args: ChargesArgs) -> Result<()> {
    let bounds =
        args.week.as_deref().map(Week::parse).transpose().map_err(|e| e.context("--week"))?.map(|w| w.bounds(app.tz()));
    let lines = app.read(|tx, ctx| {
        let client = billing::chosen_account(tx, ctx, args.client.as_deref())?;
        if !matches!(client, billing::LedgerAccount::Client(_)) {
            return Err(crew_core::Error::bad_input(format!("{client} is not a client's ledger account")));
        }
        billing::charges(tx, ctx, client, bounds.map(|b| b.0), bounds.map(|b| b.1))
    })?;
    app.out.list(&lines, LINE_HEADERS, |l| line_cells(app, l))
}
