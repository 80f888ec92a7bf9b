//! `crew service-type edit`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ordering::{self, ServiceTypeEdit};
use crew_core::types::{Name, ServiceCode, SkillSet, Text};

use super::fields;
use crate::context::{App, FromFlag};

/// Change a service type's name, description or skills
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew service-type edit cleaning --skills cleaning:3")]
pub struct EditArgs {
    code: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    skills: Option<String>,
    #[arg(long)]
    description: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ManageServiceTypes];

pub fn run(app: &mut App, args: EditArgs) -> Result<()> {
    let EditArgs { code, name, skills, description } = args;
    let code = ServiceCode::parse(&code).flag("CODE")?;
    let edit = ServiceTypeEdit {
        name: name.as_deref().map(Name::parse).transpose().flag("--name")?,
        description: description.as_deref().map(Text::parse).transpose().flag("--description")?,
        skills: skills.as_deref().map(SkillSet::parse).transpose().flag("--skills")?,
    };
    let st = app.write(|tx, ctx| ordering::edit_service_type(tx, ctx, &code, edit))?;
    app.out.done(&st, &fields(&st), &format!("Edited service type `{}`.", st.code))
}
