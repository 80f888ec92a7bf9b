//! `crew hiring test …`: one file per subcommand; reading a test file and the test as shown are
//! shared here.

mod create;
mod delete;
mod edit;
mod list;
mod show;

use std::path::Path;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::hiring::pipeline::{HiringTest, TestSpec};

use super::read_document;
use crate::context::App;

/// Tests: questions with options, the correct one, points, a pass mark
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew hiring test create test.toml\n  crew hiring test edit 1 test.toml                     # a new version; candidates keep theirs\n  crew hiring test show 1 --version 1\n  crew hiring test list"
)]
pub enum TestCommand {
    Create(create::CreateArgs),
    Edit(edit::EditArgs),
    Show(show::ShowArgs),
    List(list::ListArgs),
    Delete(delete::DeleteArgs),
}

impl TestCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Create(_) => create::ACTIONS,
            Self::Edit(_) => edit::ACTIONS,
            Self::Show(_) => show::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Delete(_) => delete::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: TestCommand) -> Result<()> {
    match command {
        TestCommand::Create(args) => create::run(app, args),
        TestCommand::Edit(args) => edit::run(app, args),
        TestCommand::Show(args) => show::run(app, args),
        TestCommand::List(args) => list::run(app, args),
        TestCommand::Delete(args) => delete::run(app, args),
    }
}

fn read_test(path: &Path, limits: &crate::files::Limits) -> Result<TestSpec> {
    let spec: TestSpec = read_document(path, limits)?;
    spec.validate().map_err(|e| e.context(path.display()))?;
    Ok(spec)
}

fn test_fields(t: &HiringTest) -> Vec<(&'static str, String)> {
    vec![
        ("id", t.id.to_string()),
        ("version", t.version.to_string()),
        ("name", t.spec.name.clone()),
        ("questions", t.spec.questions.len().to_string()),
        ("points", t.spec.max_points().to_string()),
        ("pass_mark", t.spec.pass_mark.to_string()),
    ]
}
