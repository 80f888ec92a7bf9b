//! `crew service-type edit`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ordering::{self, ServiceTypeEdit};
use crew_core::types::{Name, ServiceCode, SkillSet, Text};

use super::fields;
use crate::context::{App, FromFlag};

/// Change a service type's name, description, skills, duration or buffer
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew service-type edit cleaning --skills cleaning:3\n  crew service-type edit cleaning --duration 90 --buffer 15\n\nA new duration or buffer applies to orders placed from then on."
)]
pub struct EditArgs {
    code: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    skills: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// How long an order takes, in minutes (1–1440)
    #[arg(long, value_name = "MINUTES")]
    duration: Option<u32>,
    /// Minutes the worker needs after an order before the next (set-up, tidying; 0–1440)
    #[arg(long, value_name = "MINUTES")]
    buffer: Option<u32>,
}

pub const ACTIONS: &[Action] = &[Action::ManageServiceTypes];

pub fn run(app: &mut App, args: EditArgs) -> Result<()> {
    let EditArgs { code, name, skills, description, duration, buffer } = args;
    let code = ServiceCode::parse(&code).flag("CODE")?;
    let edit = ServiceTypeEdit {
        name: name.as_deref().map(Name::parse).transpose().flag("--name")?,
        description: description.as_deref().map(Text::parse).transpose().flag("--description")?,
        skills: skills.as_deref().map(SkillSet::parse).transpose().flag("--skills")?,
        duration_minutes: duration,
        buffer_minutes: buffer,
    };
    let st = app.write(|tx, ctx| ordering::edit_service_type(tx, ctx, &code, edit))?;
    app.out.done(&st, &fields(&st), &format!("Edited service type `{}`.", st.code))
}
