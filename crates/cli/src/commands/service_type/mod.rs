//! `crew service-type …`: one file per subcommand; the table layout shared here.

mod add;
mod edit;
mod list;
mod retire;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::ordering::ServiceType;

use crate::context::App;

/// Manage the kinds of work clients can order
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew service-type list\n  crew service-type add windows --name \"Window cleaning\" --skills cleaning:2\n  crew service-type edit cleaning --skills cleaning:3\n  crew service-type retire windows"
)]
pub enum ServiceTypeCommand {
    Add(add::AddArgs),
    List(list::ListArgs),
    Edit(edit::EditArgs),
    Retire(retire::RetireArgs),
}

impl ServiceTypeCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Add(_) => add::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Edit(_) => edit::ACTIONS,
            Self::Retire(_) => retire::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: ServiceTypeCommand) -> Result<()> {
    match command {
        ServiceTypeCommand::Add(args) => add::run(app, args),
        ServiceTypeCommand::List(args) => list::run(app, args),
        ServiceTypeCommand::Edit(args) => edit::run(app, args),
        ServiceTypeCommand::Retire(args) => retire::run(app, args),
    }
}

const HEADERS: &[&str] = &["CODE", "NAME", "SKILLS", "DURATION", "BUFFER", "RETIRED", "DESCRIPTION"];
const FIELDS: &[&str] = &["code", "name", "skills", "duration", "buffer", "retired", "description"];

fn cells(st: &ServiceType) -> Vec<String> {
    vec![
        st.code.to_string(),
        st.name.to_string(),
        st.skills.to_string(),
        format!("{} min", st.timing.duration_minutes),
        format!("{} min", st.timing.buffer_minutes),
        if st.retired { "yes" } else { "no" }.to_string(),
        st.description.to_string(),
    ]
}

fn fields(st: &ServiceType) -> Vec<(&'static str, String)> {
    FIELDS.iter().copied().zip(cells(st)).collect()
}
