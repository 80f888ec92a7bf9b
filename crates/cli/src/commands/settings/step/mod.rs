//! `crew settings step …`: the external matching steps an admin registered; one file per
//! subcommand, the step as shown here.

mod add;
mod approve;
mod list;
mod remove;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::settings::StepProgram;

use crate::context::App;

/// External matching steps: programs an admin registered, with their checksums
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew settings step add zone_affinity --program scripts/steps/zone_affinity.py --weight 2\n  crew settings step list\n  crew settings step approve zone_affinity\n\nOnly registered steps run; a changed program is refused until an admin approves it again.\nThe protocol: docs/matching.md."
)]
pub enum StepCommand {
    Add(add::AddArgs),
    List(list::ListArgs),
    Approve(approve::ApproveArgs),
    Remove(remove::RemoveArgs),
}

impl StepCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Add(_) => add::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Approve(_) => approve::ACTIONS,
            Self::Remove(_) => remove::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: StepCommand) -> Result<()> {
    match command {
        StepCommand::Add(args) => add::run(app, args),
        StepCommand::List(args) => list::run(app, args),
        StepCommand::Approve(args) => approve::run(app, args),
        StepCommand::Remove(args) => remove::run(app, args),
    }
}

/// The program and its arguments as one line.
fn command_line(p: &StepProgram) -> String {
    std::iter::once(p.program.as_str()).chain(p.args.iter().map(String::as_str)).collect::<Vec<_>>().join(" ")
}

/// Each file with the start of its checksum.
fn checksums(p: &StepProgram) -> String {
    p.files.iter().map(|f| format!("{} sha256 {}", f.path, f.sha256)).collect::<Vec<_>>().join("; ")
}
