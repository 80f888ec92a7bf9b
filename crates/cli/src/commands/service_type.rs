//! `crew service-type …`.

use anyhow::Result;
use crew_core::ordering::{self, ServiceType, ServiceTypeEdit};
use crew_core::types::{Name, ServiceCode, SkillSet, Text};

use crate::cli::ServiceTypeCommand;
use crate::context::App;

const HEADERS: &[&str] = &["CODE", "NAME", "SKILLS", "RETIRED", "DESCRIPTION"];
const FIELDS: &[&str] = &["code", "name", "skills", "retired", "description"];

fn cells(st: &ServiceType) -> Vec<String> {
    vec![
        st.code.to_string(),
        st.name.to_string(),
        st.skills.to_string(),
        if st.retired { "yes" } else { "no" }.to_string(),
        st.description.to_string(),
    ]
}

fn fields(st: &ServiceType) -> Vec<(&'static str, String)> {
    FIELDS.iter().copied().zip(cells(st)).collect()
}

pub fn run(app: &mut App, command: ServiceTypeCommand) -> Result<()> {
    match command {
        ServiceTypeCommand::Add { code, name, skills, description } => {
            let code = ServiceCode::parse(&code)?;
            let name = Name::parse(&name)?;
            let skills = SkillSet::parse(&skills)?;
            let description = Text::parse(&description)?;
            let st = app.write(|tx, ctx| ordering::add_service_type(tx, ctx, code, name, description, skills))?;
            app.out.done(&st, &fields(&st), &format!("Added service type `{}`.", st.code))
        }
        ServiceTypeCommand::List { all } => {
            let types = app.read(|tx, ctx| ordering::list_service_types(tx, ctx, all))?;
            app.out.list(&types, HEADERS, cells)
        }
        ServiceTypeCommand::Edit { code, name, skills, description } => {
            let code = ServiceCode::parse(&code)?;
            let edit = ServiceTypeEdit {
                name: name.as_deref().map(Name::parse).transpose()?,
                description: description.as_deref().map(Text::parse).transpose()?,
                skills: skills.as_deref().map(SkillSet::parse).transpose()?,
            };
            let st = app.write(|tx, ctx| ordering::edit_service_type(tx, ctx, &code, edit))?;
            app.out.done(&st, &fields(&st), &format!("Edited service type `{}`.", st.code))
        }
        ServiceTypeCommand::Retire { code } => {
            let code = ServiceCode::parse(&code)?;
            let st = app.write(|tx, ctx| ordering::retire_service_type(tx, ctx, &code))?;
            app.out.done(&st, &fields(&st), &format!("Retired service type `{}`; existing orders go on.", st.code))
        }
    }
}
