//! `crew billing award`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::{self, EntryId, Posted};
use crew_core::types::{Login, Money, Text};
use serde::Serialize;

use crate::context::{App, FromFlag};

/// Credit a worker an award, recorded with who and why (managers)
#[derive(Debug, Args)]
#[command(after_help = "\
The award is a ledger entry (company:awards → the worker) paid with the worker's monthly invoice.
With --id, running the same award again is recognised and changes nothing (the same id with a
different worker, amount or reason is refused, exit 5); without it, each run is a new award
(`award:1`, `award:2`, …). Your id starts with `award:` and is not `award:` and digits only: the
ledger's other ids (`order:N:charge`, `bet:N:stake`, `payout:N`, …) belong to crew.

Examples:
  crew billing award tom@crew.example 25.00 --reason \"stayed late to finish\"
  crew billing award tom@crew.example 25.00 --reason \"November\" --id award:tom:2026-11")]
pub struct AwardArgs {
    /// The worker's login (their email)
    worker: String,
    /// The amount, like `25.00`
    amount: String,
    /// Why; recorded with the entry
    #[arg(long)]
    reason: String,
    /// Your id for this award, so that a retry is recognised: `award:` and a name (`award:tom:2026-11`)
    #[arg(long)]
    id: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::AwardWorkers];

#[derive(Serialize)]
struct View {
    entry: EntryId,
    worker: String,
    amount: Money,
    reason: String,
    new: bool,
}

pub fn run(app: &mut App, args: AwardArgs) -> Result<()> {
    let worker = Login::parse(&args.worker).flag("WORKER")?;
    let amount = Money::parse_typed(&args.amount).flag("AMOUNT")?;
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let id = args
        .id
        .as_deref()
        .map(|raw| EntryId::parse(raw).and_then(billing::given_award_id))
        .transpose()
        .map_err(|e| e.context("--id"))?;
    let posted = app.write(|tx, ctx| billing::award(tx, ctx, &worker, amount, reason.clone(), id))?;
    let new = matches!(posted, Posted::New(_));
    let entry = posted.entry().id.clone();
    let view = View { entry: entry.clone(), worker: worker.to_string(), amount, reason: reason.to_string(), new };
    let sentence = if new {
        format!("Awarded {amount} {} to {worker} (entry {entry}).", app.currency())
    } else {
        format!("Award {entry} was already recorded; nothing changed.")
    };
    let fields = [("entry", entry.to_string()), ("worker", view.worker.clone()), ("amount", amount.to_string())];
    app.out.done(&view, &fields, &sentence)
}
