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
    after_help = "Example:\n  crew service-type add cleaning --name \"Home cleaning\" --skills cleaning:2 --description \"Two rooms\""
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
}

pub const ACTIONS: &[Action] = &[Action::ManageServiceTypes];

pub fn run(app: &mut App, args: AddArgs) -> Result<()> {
    let code = ServiceCode::parse(&args.code).flag("CODE")?;
    let name = Name::parse(&args.name).flag("--name")?;
    let skills = SkillSet::parse(&args.skills).flag("--skills")?;
    let description = Text::parse(&args.description).flag("--description")?;
    let st = app.write(|tx, ctx| ordering::add_service_type(tx, ctx, code, name, description, skills))?;
    app.out.done(&st, &fields(&st), &format!("Added service type `{}`.", st.code))
}
