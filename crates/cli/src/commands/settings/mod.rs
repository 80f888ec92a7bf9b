//! `crew settings …`: the company's rules, kept in the database and changed only by an admin; one
//! file per subcommand, a folder for the registered external steps (`step/`).

mod import;
mod set;
mod show;
mod step;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::ids::AccountId;
use crew_core::wiring::Tx;

use crate::context::App;

/// The company's rules: prices, time zone, grace, limits, matching's steps (admins change them)
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew settings show\n  crew settings set pricing.base_price 90.00\n  crew settings import crew.toml\n  crew settings step add zone_affinity --program scripts/steps/zone_affinity.py --weight 2\n\nEvery change is an event with its old and new value (crew events list). See docs/configuration.md."
)]
pub enum SettingsCommand {
    Show(show::ShowArgs),
    Set(set::SetArgs),
    Import(import::ImportArgs),
    #[command(subcommand)]
    Step(step::StepCommand),
}

impl SettingsCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Show(_) => show::ACTIONS,
            Self::Set(_) => set::ACTIONS,
            Self::Import(_) => import::ACTIONS,
            Self::Step(c) => c.actions(),
        }
    }
}

pub fn run(app: &mut App, command: SettingsCommand) -> Result<()> {
    match command {
        SettingsCommand::Show(args) => show::run(app, args),
        SettingsCommand::Set(args) => set::run(app, args),
        SettingsCommand::Import(args) => import::run(app, args),
        SettingsCommand::Step(c) => step::run(app, c),
    }
}

/// The login of whoever set something (`crew` for crew itself).
pub(crate) fn who(tx: &mut dyn Tx, by: Option<AccountId>) -> crew_core::Result<String> {
    match by {
        Some(id) => crew_core::iam::login_of(tx, id),
        None => Ok("crew".to_string()),
    }
}
