//! `crew service-type add`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ordering;
use crew_core::types::{Name, ServiceCode, SkillSet, Text};

use super::fields;
use crate::context::{App, FromFlag};

/// Add a service type
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew service-type add cleaning --name \"Home cleaning\" --skills cleaning:2 --description \"Two rooms\"\n  crew service-type add windows --name \"Windows\" --skills windows:1 --duration 90 --buffer 15\n\nAn order occupies [start, start + duration); its worker is free again `buffer` minutes later.\nMatching never gives a worker two orders whose times (with buffer and travel) overlap."
)]
pub struct AddArgs {
    code: String,
    #[arg(long)]
    name: String,
    /// Skills a worker needs, `skill:level;skill:level`
    #[arg(long, default_value = "")]
    skills: String,
    #[arg(long, default_value = "")]
    description: String,
    /// How long an order takes, in minutes (1–1440)
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    duration: u32,
    /// Minutes the worker needs after an order before the next (set-up, tidying; 0–1440)
    #[arg(long, value_name = "MINUTES", default_value_t = 0)]
    buffer: u32,
}

pub const ACTIONS: &[Action] = &[Action::ManageServiceTypes];

pub fn run(app: &mut App, args: AddArgs) -> Result<()> {
    let code = ServiceCode::parse(&args.code).flag("CODE")?;
    let name = Name::parse(&args.name).flag("--name")?;
    let skills = SkillSet::parse(&args.skills).flag("--skills")?;
    let description = Text::parse(&args.description).flag("--description")?;
    let timing = ordering::Timing::new(args.duration, args.buffer).flag("--duration/--buffer")?;
    let st = app.write(|tx, ctx| ordering::add_service_type(tx, ctx, code, name, description, skills, timing))?;
    app.out.done(&st, &fields(&st), &format!("Added service type `{}`.", st.code))
}
