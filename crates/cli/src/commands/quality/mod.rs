//! `crew quality …`: the review queue, cases, reviews, hypotheses and trends. One file per
//! subcommand.

mod case;
mod hypotheses;
mod queue;
mod review;
mod sample;
mod trends;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::quality::RatingSteps;
use crew_core::settings;
use crew_core::wiring::Tx;

use crate::context::App;

/// Quality: the review queue, cases with their history, reviews, hypotheses, worker trends
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew quality queue                      # cancelled and failed orders to review, and samples\n  crew quality sample 5 --seed 2026       # five completed orders at random, reproducibly\n  crew quality case 7                     # history, scorecard, photos with checksums\n  crew quality review 7 --verdict fault --cause \"came late\" --hypothesis \"remind workers the day before\"\n  crew quality hypotheses\n  crew quality trends --weeks 8\n\nSee docs/quality.md."
)]
pub enum QualityCommand {
    Queue(queue::QueueArgs),
    Sample(sample::SampleArgs),
    Case(case::CaseArgs),
    Review(review::ReviewArgs),
    Hypotheses(hypotheses::HypothesesArgs),
    Trends(trends::TrendsArgs),
}

impl QualityCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Queue(_) => queue::ACTIONS,
            Self::Sample(_) => sample::ACTIONS,
            Self::Case(_) => case::ACTIONS,
            Self::Review(args) => args.actions(),
            Self::Hypotheses(args) => args.actions(),
            Self::Trends(_) => trends::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: QualityCommand) -> Result<()> {
    match command {
        QualityCommand::Queue(args) => queue::run(app, args),
        QualityCommand::Sample(args) => sample::run(app, args),
        QualityCommand::Case(args) => case::run(app, args),
        QualityCommand::Review(args) => review::run(app, args),
        QualityCommand::Hypotheses(args) => hypotheses::run(app, args),
        QualityCommand::Trends(args) => trends::run(app, args),
    }
}

/// The rating steps in force, read inside the command's transaction.
fn steps(tx: &mut dyn Tx) -> crew_core::Result<RatingSteps> {
    Ok(RatingSteps::from(&settings::rules(tx)?))
}
