//! `crew db …`: one file per subcommand.

mod copy;

use std::path::Path;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;

use crate::context::App;

/// The database itself: move a company between SQLite and PostgreSQL
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew db copy --from crew.db --to postgres://crew@db.example/company\n  crew --db postgres://crew@db.example/company db copy --to back.db\n\nSee docs/postgres.md."
)]
pub enum DbCommand {
    Copy(copy::CopyArgs),
}

impl DbCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Copy(_) => copy::ACTIONS,
        }
    }

    /// The database the command runs on, when it names one itself (`--from`): the login is
    /// checked there.
    pub fn database(&self) -> Option<&Path> {
        match self {
            Self::Copy(args) => args.from.as_deref(),
        }
    }
}

pub fn run(app: &mut App, command: DbCommand) -> Result<()> {
    match command {
        DbCommand::Copy(args) => copy::run(app, args),
    }
}
