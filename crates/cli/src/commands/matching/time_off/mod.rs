//! `crew matching time-off …`: a worker's dated time off (holiday, sick leave).

mod add;
mod remove;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;

use crate::context::App;

/// Record or remove a worker's time off (managers); `crew matching hours WORKER` lists it
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew matching time-off add tom@crew.example --from \"2026-12-24 00:00\" --until \"2026-12-27 00:00\" --reason holiday\n  crew matching time-off remove 3"
)]
pub enum TimeOffCommand {
    Add(add::AddArgs),
    Remove(remove::RemoveArgs),
}

impl TimeOffCommand {
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Add(_) => add::ACTIONS,
            Self::Remove(_) => remove::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: TimeOffCommand) -> Result<()> {
    match command {
        TimeOffCommand::Add(args) => add::run(app, args),
        TimeOffCommand::Remove(args) => remove::run(app, args),
    }
}
