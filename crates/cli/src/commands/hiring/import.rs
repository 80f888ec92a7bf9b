//! `crew hiring import`: applications from the website.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::hiring::pipeline::{self, Applicant, IntakeReport};

use crate::context::App;

/// Import applications from the website (CSV or JSON Lines); bad rows are skipped and reported
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew hiring import applications.csv\n  crew hiring import website.jsonl --strict   # one bad row refuses the file\n\nFields: name, email, zone, strengths (required); age, breed, coat, photo, weaknesses, source."
)]
pub struct ImportArgs {
    file: PathBuf,
    /// All or nothing: one invalid row refuses the whole file
    #[arg(long)]
    strict: bool,
}

pub const ACTIONS: &[Action] = &[Action::TakeApplications];

/// How many threads read and parse a large file's rows (crew's machines have two cores).
const PARSE_THREADS: usize = 2;

pub fn run(app: &mut App, args: ImportArgs) -> Result<()> {
    let (file, strict) = (args.file.as_path(), args.strict);
    // Reading and checking the rows is pure work: a large file is read and parsed in two pieces,
    // on two threads, before the transaction (the database is written from this thread alone).
    let (pieces, mut unreadable) = crate::files::map_records_lenient(
        file,
        crate::files::Columns {
            required: Applicant::REQUIRED,
            optional: Applicant::OPTIONAL,
            numeric: Applicant::NUMERIC,
        },
        &app.limits(),
        PARSE_THREADS,
        pipeline::parse_applicant,
    )?;
    if strict && let Some(first) = unreadable.first() {
        return Err(Error::bad_input(format!("{}: {}: {}", file.display(), first.location, first.reason)).into());
    }
    let mut bar = app.progress("applications", pieces.iter().map(Vec::len).sum());
    let mut report: IntakeReport =
        app.write(|tx, ctx| pipeline::import_parsed(tx, ctx, pieces, strict, &mut bar)).map_err(|e| {
            match e.downcast::<Error>() {
                // A fault of crew or its environment (the database's disk) is not about the file.
                Ok(ce) if ce.kind == crew_core::error::ErrorKind::Internal => ce.into(),
                Ok(ce) => ce.context(file.display()).into(),
                Err(e) => e,
            }
        })?;
    drop(bar);
    unreadable.append(&mut report.invalid);
    unreadable.sort_by_key(|r| r.location.split(' ').nth(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0));
    report.invalid = unreadable;
    if app.out.format != crate::cli::Format::Table {
        return app.out.record(&report, &[]);
    }
    crate::output::line(&format!(
        "{}: {} new, {} updated, {} unchanged, {} invalid.",
        file.display(),
        report.received,
        report.updated,
        report.unchanged,
        report.invalid.len()
    ))?;
    const SHOWN: usize = 20;
    for r in report.invalid.iter().take(SHOWN) {
        crate::output::warn(&format!("{}: {}: {}", file.display(), r.location, r.reason));
    }
    if report.invalid.len() > SHOWN {
        crate::output::warn(&format!(
            "… and {} more invalid rows (all of them with --format json)",
            report.invalid.len() - SHOWN
        ));
    }
    Ok(())
}
