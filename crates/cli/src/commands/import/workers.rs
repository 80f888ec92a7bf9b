//! `crew import workers FILE`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring;

use super::{Line, WORKER_COLUMNS, in_file, report};
use crate::context::App;
use crate::files::read_records;

/// The company's existing workforce; each new worker is hired (a WorkerHired event)
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew import workers workers.csv\n\nFields: name, email, zone, skills (`cleaning:3;gardening:2`) (required);\ncapacity, rating, age, breed, coat, photo."
)]
pub struct WorkersArgs {
    file: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::ImportWorkers];

pub fn run(app: &mut App, args: WorkersArgs) -> Result<()> {
    let file = args.file;
    let records = read_records(&file, WORKER_COLUMNS, &app.limits())?;
    let mut bar = app.progress("workers", records.len());
    let summary =
        app.write(|tx, ctx| hiring::import_workforce(tx, ctx, &records, &mut bar)).map_err(|e| in_file(e, &file))?;
    drop(bar);
    report(app, &[Line { what: "workers", file: file.display().to_string(), summary }])
}
