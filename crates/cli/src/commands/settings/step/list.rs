//! `crew settings step list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::settings::{self, RegisteredStep};
use serde::Serialize;

use super::command_line;
use crate::commands::settings::who;
use crate::context::App;

/// List the registered external steps, and whether their files are as approved
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew settings step list\n\nSTATE is `approved` while every file has its approved checksum; `changed: PATH` means the\nnext cycle refuses the step until an admin runs `crew settings step approve NAME`."
)]
pub struct ListArgs {}

pub const ACTIONS: &[Action] = &[Action::ViewSettings];

#[derive(Serialize)]
struct View {
    #[serde(flatten)]
    step: RegisteredStep,
    state: String,
    approved: String,
}

pub fn run(app: &mut App, _args: ListArgs) -> Result<()> {
    let steps = app.read(|tx, ctx| {
        settings::list_steps(tx, ctx)?
            .into_iter()
            .map(|s| {
                let by = who(tx, s.program.approved_by)?;
                Ok((s, by))
            })
            .collect::<crew_core::Result<Vec<_>>>()
    })?;
    let views: Vec<View> = steps
        .into_iter()
        .map(|(step, by)| View {
            state: crate::steps::state(&step.program.files),
            approved: format!("{} by {by}", app.show_time(step.program.approved_at)),
            step,
        })
        .collect();
    app.out.list(&views, &["NAME", "WEIGHT", "TIMEOUT", "COMMAND", "STATE", "APPROVED"], |v| {
        let p = &v.step.program;
        vec![
            p.name.to_string(),
            v.step.weight.map_or_else(|| "(not in matching.steps)".to_string(), |w| w.to_string()),
            format!("{} s", p.timeout_seconds),
            command_line(p),
            v.state.clone(),
            v.approved.clone(),
        ]
    })
}
