//! `crew quality hypotheses close`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::quality;
use crew_core::types::Text;

use crate::context::{App, FromFlag};

/// Close a hypothesis (tested, done or dropped), saying why
#[derive(Debug, Args)]
#[command(after_help = "\
The hypothesis is named by its words, in any case. Closing one already closed changes nothing
(exit 0); a review raising it again later opens it again.

Example:
  crew quality hypotheses close \"Remind workers the day before\" --reason \"reminders sent since W50\"")]
pub struct CloseArgs {
    /// The hypothesis's words, as `crew quality hypotheses` lists them
    hypothesis: String,
    /// Why it is closed
    #[arg(long)]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

pub fn run(app: &mut App, args: CloseArgs) -> Result<()> {
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let (h, changed) = app.write(|tx, ctx| quality::close_hypothesis(tx, ctx, &args.hypothesis, reason))?;
    let sentence = if changed {
        format!("Closed the hypothesis `{}` ({} cases).", h.hypothesis, h.cases.len())
    } else {
        format!("The hypothesis `{}` was already closed; nothing changed.", h.hypothesis)
    };
    app.out.done(&h, &[("hypothesis", h.hypothesis.clone()), ("changed", changed.to_string())], &sentence)
}
