//! `crew billing verify`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing;

use crate::cli::Format;
use crate::context::App;

/// Prove the ledger's invariants; exit 1 if any fails (accountants, cron)
#[derive(Debug, Args)]
#[command(after_help = "\
Checks, recomputing everything from the postings and the event log: every entry's postings sum
to zero; every kept balance equals the sum of its account's postings; every charge, earning and
fine has its order event (of the right type, for the same order, a charge at the price of the
order's latest assignment). Prints each check; exits 1 if any found a problem.

Examples:
  crew billing verify
  crew --format json billing verify")]
pub struct VerifyArgs {}

pub const ACTIONS: &[Action] = &[Action::VerifyLedger];

pub fn run(app: &mut App, _args: VerifyArgs) -> Result<()> {
    let v = app.write(|tx, ctx| billing::verify(tx, ctx))?;
    if app.out.format == Format::Json {
        app.out.record(&v, &[("passed", v.passed().to_string())])?;
    } else {
        app.out.list(&v.checks, &["CHECK", "CHECKED", "RESULT"], |c| {
            let result = if c.problems.is_empty() { "ok".to_string() } else { c.problems.join("; ") };
            vec![c.name.to_string(), c.checked.to_string(), result]
        })?;
    }
    if !v.passed() {
        return Err(crew_core::Error::internal("the ledger failed verification (see above)").into());
    }
    app.out.note("The ledger verifies.")
}
