//! `crew quality hypotheses`: lists the hypotheses reviews raised; its subcommand `close` (its own
//! file) closes one.

mod close;

use anyhow::Result;
use clap::{Args, Subcommand};
use crew_core::authz::Action;
use crew_core::quality::{self, Hypothesis};

use crate::context::App;

/// List the hypotheses for improving the business that reviews raised, with their cases; or close one
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Open hypotheses are listed, most cases first; `--all` adds closed ones. A hypothesis a review\n\
                  raises again after it was closed is open again.\n\n\
                  Examples:\n  crew quality hypotheses\n  crew quality hypotheses --all --format json\n  \
                  crew quality hypotheses close \"Remind workers the day before\" --reason \"reminders sent since W50\""
)]
pub struct HypothesesArgs {
    #[command(subcommand)]
    action: Option<HypothesesCommand>,
    /// Closed hypotheses too
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Subcommand)]
enum HypothesesCommand {
    Close(close::CloseArgs),
}

impl HypothesesArgs {
    /// The actions this subcommand (or its `close`) needs.
    pub fn actions(&self) -> &'static [Action] {
        match &self.action {
            None => ACTIONS,
            Some(HypothesesCommand::Close(_)) => close::ACTIONS,
        }
    }
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

pub fn run(app: &mut App, args: HypothesesArgs) -> Result<()> {
    if let Some(HypothesesCommand::Close(close)) = args.action {
        return close::run(app, close);
    }
    let list = app.read(|tx, ctx| quality::hypotheses(tx, ctx, args.all))?;
    app.out.list(&list, &["HYPOTHESIS", "CASES", "LAST RAISED", "STATUS"], |h| {
        let cases: Vec<String> = h.cases.iter().map(|o| format!("#{o}")).collect();
        vec![h.hypothesis.clone(), cases.join(" "), app.show_time(h.last_raised_at), status(app, h)]
    })
}

fn status(app: &App, h: &Hypothesis) -> String {
    match &h.closed {
        Some(c) => format!("closed {}: {}", app.show_time(c.closed_at), c.reason),
        None => "open".into(),
    }
}
