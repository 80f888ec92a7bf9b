//! `crew import workers FILE`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring;
use crew_core::iam;
use crew_core::matching;
use crew_core::settings::hours::WeeklyHours;
use crew_core::types::Login;

use super::{Line, WORKER_COLUMNS, in_file, report};
use crate::context::App;
use crate::files::{Columns, read_records};

/// The company's existing workforce; each new worker is hired (a WorkerHired event)
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew import workers workers.csv\n\nFields: name, email, zone, skills (`cleaning:3;gardening:2`) (required);\ncapacity (the daily maximum of orders), rating, age, breed, coat, photo, hours (weekly working\nhours like `mon-fri 08:00-17:00; sat 09:00-13:00`, as `crew matching hours --set` takes them;\nempty: the company's default)."
)]
pub struct WorkersArgs {
    file: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::ImportWorkers];

pub fn run(app: &mut App, args: WorkersArgs) -> Result<()> {
    let file = args.file;
    // Hiring's columns, and matching's weekly hours beside them.
    let optional: Vec<&str> = WORKER_COLUMNS.optional.iter().copied().chain(["hours"]).collect();
    let columns = Columns { optional: &optional, ..WORKER_COLUMNS };
    let records = read_records(&file, columns, &app.limits())?;
    // Every pattern is read before anything changes; an error names the row and the field.
    let mut hours = Vec::new();
    for r in &records {
        let (Some(raw), Some(email)) = (r.fields.get("hours"), r.fields.get("email")) else { continue };
        if raw.trim().is_empty() {
            continue;
        }
        let pattern = WeeklyHours::parse(raw)
            .map_err(|e| in_file(e.context(format!("{}, field `hours`", r.location)).into(), &file))?;
        hours.push((Login::parse(email).map_err(|e| in_file(e.context(&r.location).into(), &file))?, pattern));
    }
    let mut bar = app.progress("workers", records.len());
    let (summary, hours) = app
        .write(|tx, ctx| {
            // Workers already here are skipped by the import, their hours too.
            let mut new = Vec::new();
            for (login, pattern) in &hours {
                if iam::find_worker(tx, login).is_err() {
                    new.push((login.clone(), pattern.clone()));
                }
            }
            Ok((hiring::import_workforce(tx, ctx, &records, &mut bar)?, new))
        })
        .map_err(|e| in_file(e, &file))?;
    // The hires' accounts and profiles exist once the import's transaction has run its
    // subscribers: the hours follow in a transaction of their own (every pattern was read above).
    if !hours.is_empty() {
        app.write(|tx, ctx| {
            for (login, pattern) in &hours {
                let worker = iam::find_worker(tx, login)?.id;
                matching::import_hours(tx, ctx, worker, pattern.clone())?;
            }
            Ok(())
        })
        .map_err(|e| in_file(e, &file))?;
    }
    drop(bar);
    report(app, &[Line { what: "workers", file: file.display().to_string(), summary }])
}
