//! `crew matching …`: one file per subcommand; worker profiles as shown and login look-ups are
//! shared here.

mod edit;
mod explain;
mod hours;
mod profile;
mod reinstate;
mod run;
mod suspend;
mod time_off;
mod workers;

use std::collections::HashMap;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::ids::AccountId;
use crew_core::matching::WorkerProfile;
use crew_core::types::Login;
use crew_core::wiring::Tx;
use serde::Serialize;

use crate::context::App;

/// Match open orders to the best workers: the cycle, explanations, worker profiles
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew matching run --dry-run                           # the plan, assigning nothing\n  crew matching run                                     # assign every open order it can\n  crew matching explain 1                               # every candidate and why the winner won\n  crew matching workers --zone north\n  crew matching suspend tom@crew.example --reason \"Injured paw\"\n  crew matching hours tom@crew.example --set \"mon-fri 08:00-17:00\"\n  crew matching time-off add tom@crew.example --from 2026-12-24 --until 2026-12-27 --reason holiday\n\nSee docs/matching.md."
)]
pub enum MatchingCommand {
    Run(run::RunArgs),
    Explain(explain::ExplainArgs),
    Workers(workers::WorkersArgs),
    Profile(profile::ProfileArgs),
    Edit(edit::EditArgs),
    Suspend(suspend::SuspendArgs),
    Reinstate(reinstate::ReinstateArgs),
    Hours(hours::HoursArgs),
    #[command(subcommand)]
    TimeOff(time_off::TimeOffCommand),
}

impl MatchingCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Run(_) => run::ACTIONS,
            Self::Explain(_) => explain::ACTIONS,
            Self::Workers(_) => workers::ACTIONS,
            Self::Profile(_) => profile::ACTIONS,
            Self::Edit(_) => edit::ACTIONS,
            Self::Suspend(_) => suspend::ACTIONS,
            Self::Reinstate(_) => reinstate::ACTIONS,
            Self::Hours(_) => hours::ACTIONS,
            Self::TimeOff(c) => c.actions(),
        }
    }
}

pub fn run(app: &mut App, command: MatchingCommand) -> Result<()> {
    match command {
        MatchingCommand::Run(args) => run::run(app, args),
        MatchingCommand::Explain(args) => explain::run(app, args),
        MatchingCommand::Workers(args) => workers::run(app, args),
        MatchingCommand::Profile(args) => profile::run(app, args),
        MatchingCommand::Edit(args) => edit::run(app, args),
        MatchingCommand::Suspend(args) => suspend::run(app, args),
        MatchingCommand::Reinstate(args) => reinstate::run(app, args),
        MatchingCommand::Hours(args) => hours::run(app, args),
        MatchingCommand::TimeOff(command) => time_off::run(app, command),
    }
}

/// The worker account behind a login.
pub(crate) fn worker_id(tx: &mut dyn Tx, login: &Login) -> crew_core::Result<AccountId> {
    iam::find_worker(tx, login).map(|a| a.id)
}

/// Logins of accounts, looked up once each.
fn logins(tx: &mut dyn Tx, ids: impl IntoIterator<Item = AccountId>) -> crew_core::Result<HashMap<AccountId, String>> {
    let mut out = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id) {
            e.insert(iam::login_of(tx, id)?);
        }
    }
    Ok(out)
}

#[derive(Serialize)]
struct ProfileView {
    login: String,
    #[serde(flatten)]
    profile: WorkerProfile,
}

const HEADERS: &[&str] = &["WORKER", "ZONE", "SKILLS", "RATING", "LOAD", "STATUS", "DONE", "FAILED"];

fn cells(v: &ProfileView) -> Vec<String> {
    let p = &v.profile;
    vec![
        v.login.clone(),
        p.zone.to_string(),
        p.skills.to_string(),
        p.rating.to_string(),
        format!("{}/{}", p.load, p.capacity),
        p.status.as_str().to_string(),
        p.completed.to_string(),
        p.failed.to_string(),
    ]
}

fn fields(v: &ProfileView) -> Vec<(&'static str, String)> {
    ["worker", "zone", "skills", "rating", "load", "status", "completed", "failed"].into_iter().zip(cells(v)).collect()
}

fn views(tx: &mut dyn Tx, profiles: Vec<WorkerProfile>) -> crew_core::Result<Vec<ProfileView>> {
    let names = logins(tx, profiles.iter().map(|p| p.worker))?;
    Ok(profiles.into_iter().map(|profile| ProfileView { login: names[&profile.worker].clone(), profile }).collect())
}
