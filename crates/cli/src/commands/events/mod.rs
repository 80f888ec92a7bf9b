//! `crew events …`: one file per subcommand.

mod list;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;

use crate::context::App;

/// Read the event log: every change, when and by whom
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew events list --order 1\n  crew events list --since \"2026-11-30 08:00\"\n  crew --format json events list | jq '.[].type'"
)]
pub enum EventsCommand {
    List(list::ListArgs),
}

impl EventsCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::List(_) => list::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: EventsCommand) -> Result<()> {
    match command {
        EventsCommand::List(args) => list::run(app, args),
    }
}
