//! `crew hiring import`: applications from the website.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::hiring::pipeline::{self, Applicant, IntakeReport, LastRows};

use crate::context::App;
use crate::files;

/// Import applications from the website (CSV or JSON Lines); bad rows are skipped and reported
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew hiring import applications.csv\n  crew hiring import website.jsonl --strict   # one bad row refuses the file\n  crew hiring import applications.csv --format csv > refused.csv   # refused rows, to fix\n\nWith --format json: the counts (received, updated, unchanged, invalid_rows) and the refused rows (the first 10,000 are named).\n\nFields: name, email, zone, strengths (required); age, breed, coat, photo, weaknesses, source.\nA record (a CSV row, a JSON object) holds at most 1,000 values and 1 MiB; one larger is refused as\nit is read (docs/formats.md)."
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
    let text = files::read_intake(file, &app.limits())?;
    let report = if files::extension(file) == "csv" && !strict {
        streamed(app, file, &text)?
    } else {
        parsed_first(app, file, &text, strict)?
    };
    show(app, file, report)
}

/// A CSV file, not `--strict`: its rows are parsed on a second thread while this one takes them
/// (after a first pass over the emails alone: the last row of each email is the one taken), so
/// that the parsing of a large file costs little more than its first pass.
fn streamed(app: &mut App, file: &Path, text: &str) -> Result<IntakeReport> {
    let parse = |row: files::CsvRow| row.and_then(pipeline::parse_applicant);
    let written = files::stream_csv_rows(text, Applicant::REQUIRED, Applicant::OPTIONAL, parse, |chunks| {
        // The first pass in two pieces, on two threads, joined in the file's order.
        let mut pieces = files::scan_csv_column_in_pieces(
            text,
            "email",
            PARSE_THREADS,
            &LastRows::with_capacity,
            &|last, at, email| last.note(at, email.and_then(pipeline::intake_email)),
        );
        let mut last = pieces.remove(0);
        pieces.into_iter().for_each(|later| last.append(later));
        let mut bar = app.progress("applications", usize::try_from(last.rows()).unwrap_or(usize::MAX));
        // A chunk's rows one by one; a reader that stopped early fails the import.
        let rows = chunks.flat_map(|chunk| {
            let (rows, failed) = match chunk {
                Ok(rows) => (rows, None),
                Err(e) => (Vec::new(), Some(Err(e))),
            };
            rows.into_iter().map(Ok).chain(failed)
        });
        app.write_in_steps(|tx, ctx, catch_up| pipeline::import_streamed(tx, ctx, last, rows, &mut bar, catch_up))
    })
    .map_err(|e| e.context(file.display()))?;
    let mut report = written.map_err(|e| about_file(e, file))?;
    sort_by_line(&mut report.invalid);
    Ok(report)
}

/// A JSON file, or any file `--strict`: every row is read and parsed first (a large CSV file in
/// two pieces, on two threads), then taken in one transaction.
fn parsed_first(app: &mut App, file: &Path, text: &str, strict: bool) -> Result<IntakeReport> {
    // Reading and checking the rows is pure work: a large file is read and parsed in two pieces,
    // on two threads, before the transaction (the database is written from this thread alone).
    let (pieces, mut unreadable, unreadable_rows) = files::map_text_lenient(
        file,
        text,
        files::Columns { required: Applicant::REQUIRED, optional: Applicant::OPTIONAL, numeric: Applicant::NUMERIC },
        PARSE_THREADS,
        pipeline::parse_applicant,
        strict.then_some(&|parsed: &pipeline::Parsed| parsed.is_err()),
    )?;
    // `--strict` names the file's first bad row, whether it could not be read or was refused.
    if strict && let Some(first) = unreadable.first() {
        let refused_before = pieces
            .iter()
            .flatten()
            .find_map(|p| p.as_ref().err())
            .is_some_and(|(location, _)| line_of(location) < line_of(&first.location));
        if !refused_before {
            return Err(Error::bad_input(format!("{}: {}: {}", file.display(), first.location, first.reason)).into());
        }
    }
    let mut bar = app.progress("applications", pieces.iter().map(Vec::len).sum());
    let mut report: IntakeReport = app
        .write_in_steps(|tx, ctx, catch_up| pipeline::import_parsed(tx, ctx, pieces, strict, &mut bar, catch_up))
        .map_err(|e| about_file(e, file))?;
    drop(bar);
    // The first rows of each list, the first of both: the first named of the file.
    unreadable.append(&mut report.invalid);
    sort_by_line(&mut unreadable);
    unreadable.truncate(pipeline::REFUSED_NAMED);
    report.invalid = unreadable;
    report.invalid_rows += unreadable_rows;
    Ok(report)
}

/// An import's failure, named after the file unless it is crew's or its environment's (the
/// database's disk), which is not about the file.
fn about_file(e: anyhow::Error, file: &Path) -> anyhow::Error {
    match e.downcast::<Error>() {
        Ok(ce) if ce.kind == crew_core::error::ErrorKind::Internal => ce.into(),
        Ok(ce) => ce.context(file.display()).into(),
        Err(e) => e,
    }
}

/// Refused rows in the file's order (`line N`, `item N`).
fn sort_by_line(rows: &mut [crew_core::hiring::pipeline::Rejected]) {
    rows.sort_by_key(|r| line_of(&r.location));
}

/// The number of a row's location (`line N`, `item N`).
fn line_of(location: &str) -> u64 {
    location.split(' ').nth(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0)
}

/// The report: a summary line and the first refused rows for people; the refused rows, with their
/// location and reason, as CSV (to fix in the source file); the counts and the refused rows as
/// JSON. A machine format names the first [`pipeline::REFUSED_NAMED`] refused rows and says on
/// stderr how many more there are.
fn show(app: &mut App, file: &Path, report: IntakeReport) -> Result<()> {
    match app.out.format {
        crate::cli::Format::Json => {
            app.out.record(&report, &[])?;
            unnamed(&report);
            return Ok(());
        }
        crate::cli::Format::Csv => {
            app.out.list(&report.invalid, &["location", "reason"], |r| vec![r.location.clone(), r.reason.clone()])?;
            unnamed(&report);
            return Ok(());
        }
        crate::cli::Format::Table => {}
    }
    // One line, whatever the file's name holds (a line break in it is escaped).
    crate::output::one_line(&format!(
        "{}: {} new, {} updated, {} unchanged, {} invalid.",
        file.display(),
        report.received,
        report.updated,
        report.unchanged,
        report.invalid_rows
    ))?;
    const SHOWN: usize = 20;
    for r in report.invalid.iter().take(SHOWN) {
        crate::output::warn(&format!("{}: {}: {}", file.display(), r.location, r.reason));
    }
    if report.invalid.len() > SHOWN {
        crate::output::warn(&format!(
            "… and {} more invalid rows ({} with --format json or csv)",
            report.invalid_rows - SHOWN as u64,
            if report.invalid_rows > report.invalid.len() as u64 {
                format!("the first {}", report.invalid.len())
            } else {
                "all of them".to_string()
            }
        ));
    }
    Ok(())
}

/// Says on stderr how many refused rows a machine format left unnamed (past the first
/// [`pipeline::REFUSED_NAMED`]), if any.
fn unnamed(report: &IntakeReport) {
    let unnamed = report.invalid_rows.saturating_sub(report.invalid.len() as u64);
    if unnamed > 0 {
        crate::output::warn(&format!(
            "warning: {unnamed} more refused rows are counted, not named: only the first {} are",
            report.invalid.len()
        ));
    }
}
