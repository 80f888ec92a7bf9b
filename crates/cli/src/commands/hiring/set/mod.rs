//! `crew hiring set …`: one file per subcommand; the set as shown is shared here.

mod create;
mod edit;
mod list;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::hiring::pipeline::TestSet;

use crate::context::App;

/// Test sets: tests grouped for a vacancy or a candidate
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew hiring set create \"Cleaners 2026\" --tests 1,2\n  crew hiring set edit 1 --tests 1,3\n  crew hiring set list"
)]
pub enum SetCommand {
    Create(create::CreateArgs),
    Edit(edit::EditArgs),
    List(list::ListArgs),
}

impl SetCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Create(_) => create::ACTIONS,
            Self::Edit(_) => edit::ACTIONS,
            Self::List(_) => list::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: SetCommand) -> Result<()> {
    match command {
        SetCommand::Create(args) => create::run(app, args),
        SetCommand::Edit(args) => edit::run(app, args),
        SetCommand::List(args) => list::run(app, args),
    }
}

fn set_cells(s: &TestSet) -> Vec<String> {
    vec![
        s.id.to_string(),
        s.name.to_string(),
        s.tests.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(", "),
        s.description.to_string(),
    ]
}

fn fields(s: &TestSet) -> Vec<(&'static str, String)> {
    ["id", "name", "tests", "description"].into_iter().zip(set_cells(s)).collect()
}
