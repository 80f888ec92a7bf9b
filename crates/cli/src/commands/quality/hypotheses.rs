//! `crew quality hypotheses`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::quality;

use crate::context::App;

/// List the hypotheses for improving the business that reviews raised, with their cases
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew quality hypotheses --format json")]
pub struct HypothesesArgs {}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

pub fn run(app: &mut App, _args: HypothesesArgs) -> Result<()> {
    let list = app.read(|tx, ctx| quality::hypotheses(tx, ctx))?;
    app.out.list(&list, &["HYPOTHESIS", "CASES", "LAST RAISED"], |h| {
        let cases: Vec<String> = h.cases.iter().map(|o| format!("#{o}")).collect();
        vec![h.hypothesis.clone(), cases.join(" "), app.show_time(h.last_raised_at)]
    })
}
