//! `crew billing export`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::export::{self, JournalFormat};
use crew_core::billing::{Month, Week};

use crate::context::App;

/// The whole ledger as a beancount or hledger journal, on standard output (staff)
#[derive(Debug, Args)]
#[command(after_help = "\
`--journal` names the journal's format (`--format` is the global table/json/csv flag).

Every entry is one transaction, dated in the company's time zone; every account is opened before
its first use (beancount `open`, hledger `account`) and the currency declared, so
`bean-check FILE` and `hledger -f FILE check --strict` accept it. Clients are
Assets:Receivable:ClientN, workers Liabilities:Workers:WorkerN, managers Liabilities:Managers:ManagerN.

Examples:
  crew billing export --journal beancount > crew.beancount && bean-check crew.beancount
  crew billing export --journal hledger --period 2026-11 > nov.journal
  crew billing export --journal hledger --period 2026-W49")]
pub struct ExportArgs {
    /// beancount or hledger
    #[arg(long = "journal", value_name = "FORMAT")]
    journal: String,
    /// Only a month (`2026-11`) or a week (`2026-W49`), in the company's time zone
    #[arg(long)]
    period: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ExportLedger];

pub fn run(app: &mut App, args: ExportArgs) -> Result<()> {
    let format = JournalFormat::parse(&args.journal).map_err(|e| e.context("--journal"))?;
    let tz = app.tz();
    let bounds = match args.period.as_deref() {
        None => None,
        Some(raw) if raw.to_ascii_uppercase().contains('W') => {
            Some(Week::parse(raw).map_err(|e| e.context("--period"))?.bounds(tz))
        }
        Some(raw) => Some(Month::parse(raw).map_err(|e| e.context("--period"))?.bounds(tz)),
    };
    let currency = app.currency().to_string();
    let text =
        app.read(|tx, ctx| export::export(tx, ctx, format, bounds.map(|b| b.0), bounds.map(|b| b.1), tz, &currency))?;
    crate::output::line(text.trim_end())
}
