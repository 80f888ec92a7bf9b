//! `crew settings step add`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::settings::{self, StepName};

use super::{checksums, command_line};
use crate::context::App;

/// Register an external matching step (admin): its program's path and checksum are recorded
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew settings step add zone_affinity --program scripts/steps/zone_affinity.py --weight 2\n  crew settings step add fraud --program python3 --arg /opt/crew/fraud.py --timeout 30\n\nThe program is found on PATH or as a path (relative to this folder) and recorded as an absolute\npath with its SHA-256; so is every file an argument names with a `/` in it (an interpreter's\nscript). Those files must be yours (or root's) and writable by nobody else. The step joins the end\nof matching.steps with its weight (reorder with `crew settings set matching.steps`). Before each\nrun crew hashes the files again and refuses a changed one until an admin runs `crew settings step\napprove NAME`. It runs in `/` with a cleared environment: only PATH=/usr/local/bin:/usr/bin:/bin\nand LANG=C.UTF-8 (no CREW_TOKEN, no passwords). The protocol: docs/matching.md."
)]
pub struct AddArgs {
    /// The step's name in matching.steps (not a built-in one)
    name: String,
    /// The program: a path, or a name on PATH
    #[arg(long)]
    program: String,
    /// An argument for the program (repeat for more)
    #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
    args: Vec<String>,
    /// How long it may take, in seconds (1–3600)
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    timeout: u32,
    /// Its weight in the total score (0–1000)
    #[arg(long, default_value_t = 1.0)]
    weight: f64,
}

pub const ACTIONS: &[Action] = &[Action::ManageSettings];

pub fn run(app: &mut App, args: AddArgs) -> Result<()> {
    let AddArgs { name, program, args, timeout, weight } = args;
    let name = StepName::parse(&name)?;
    if name.is_built_in() {
        return Err(crew_core::Error::bad_input(format!(
            "`{name}` is a built-in step; give an external step another name"
        ))
        .into());
    }
    let new = crate::steps::describe(name, &program, &args, std::path::Path::new("."), timeout)?;
    let p = app.write(|tx, ctx| settings::add_step(tx, ctx, new, weight))?;
    let fields = [
        ("name", p.name.to_string()),
        ("command", command_line(&p)),
        ("files", checksums(&p)),
        ("timeout", format!("{} s", p.timeout_seconds)),
        ("weight", weight.to_string()),
    ];
    let sentence = format!(
        "Registered step {} (`{}`, {}) with weight {weight}; it runs from the next matching cycle.",
        p.name,
        command_line(&p),
        checksums(&p)
    );
    app.out.done(&p, &fields, &sentence)
}
