//! `crew matching edit`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::matching::{self, ProfileEdit};
use crew_core::types::{Login, SkillSet, Zone};

use super::{fields, views, worker_id};
use crate::context::{App, FromFlag};

/// Change a worker's skills, capacity or zone
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew matching edit tom@crew.example --skills \"cleaning:4;gardening:2\" --capacity 3"
)]
pub struct EditArgs {
    worker: String,
    /// `skill:level;skill:level`
    #[arg(long)]
    skills: Option<String>,
    #[arg(long)]
    capacity: Option<u32>,
    #[arg(long)]
    zone: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ManageWorkers];

pub fn run(app: &mut App, args: EditArgs) -> Result<()> {
    let EditArgs { worker, skills, capacity, zone } = args;
    let login = Login::parse(&worker).flag("WORKER")?;
    let edit = ProfileEdit {
        zone: zone.as_deref().map(Zone::parse).transpose().flag("--zone")?,
        skills: skills.as_deref().map(SkillSet::parse).transpose().flag("--skills")?,
        capacity,
    };
    let v = app.write(|tx, ctx| {
        let id = worker_id(tx, &login)?;
        let p = matching::edit_profile(tx, ctx, id, edit)?;
        Ok(views(tx, vec![p])?.remove(0))
    })?;
    app.out.done(&v, &fields(&v), &format!("Profile of {} updated.", v.login))
}
