//! `crew import clients|workers FILE` and `crew import FOLDER`: one file per subcommand, the folder
//! import in `folder.rs`; the report they share is here.

mod clients;
mod folder;
mod workers;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::imports::ImportSummary;
use serde::Serialize;

use crate::context::App;
use crate::files::Columns;

/// The columns of a client file (DESIGN.md §6; docs/formats.md).
const CLIENT_COLUMNS: Columns<'static> = Columns {
    required: crew_core::iam::ClientRow::REQUIRED,
    optional: crew_core::iam::ClientRow::OPTIONAL,
    numeric: &[],
};

/// The columns of a workforce file.
const WORKER_COLUMNS: Columns<'static> = Columns {
    required: crew_core::hiring::WorkerRow::REQUIRED,
    optional: crew_core::hiring::WorkerRow::OPTIONAL,
    numeric: crew_core::hiring::WorkerRow::NUMERIC,
};

/// Import clients, workers, or a whole company folder (admin)
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  crew import fixtures/demo/\n  crew import clients clients.csv\n  crew import workers workforce.jsonl\n\n\
A folder may hold staff.toml, service-types.toml, clients.csv|json|jsonl and workers.csv|json|jsonl;\n\
everything in it is imported in one transaction. A record (a CSV row, a JSON object) holds at\n\
most 1,000 values and 1 MiB; one larger is refused as it is read. See docs/formats.md."
)]
pub struct ImportArgs {
    #[command(subcommand)]
    what: Option<ImportCommand>,
    /// A company folder to import whole
    folder: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    Clients(clients::ClientsArgs),
    Workers(workers::WorkersArgs),
}

impl ImportArgs {
    /// The actions this import needs: a subcommand's, or everything a folder may hold.
    pub fn actions(&self) -> &'static [Action] {
        match &self.what {
            Some(ImportCommand::Clients(_)) => clients::ACTIONS,
            Some(ImportCommand::Workers(_)) => workers::ACTIONS,
            None => folder::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, args: ImportArgs) -> Result<()> {
    match (args.what, args.folder) {
        (Some(ImportCommand::Clients(args)), _) => clients::run(app, args),
        (Some(ImportCommand::Workers(args)), _) => workers::run(app, args),
        (None, Some(folder)) => folder::run(app, &folder),
        (None, None) => {
            Err(Error::bad_input("name a company folder, or `clients FILE` or `workers FILE`; see crew import --help")
                .into())
        }
    }
}

#[derive(Serialize)]
struct Line {
    what: &'static str,
    file: String,
    #[serde(flatten)]
    summary: ImportSummary,
}

fn report(app: &App, lines: &[Line]) -> Result<()> {
    app.out.list(lines, &["WHAT", "FILE", "CREATED", "UPDATED", "UNCHANGED", "SKIPPED"], |l| {
        vec![
            l.what.to_string(),
            l.file.clone(),
            l.summary.created.to_string(),
            l.summary.updated.to_string(),
            l.summary.unchanged.to_string(),
            l.summary.skipped.to_string(),
        ]
    })?;
    if lines.iter().any(|l| l.summary.skipped > 0) {
        app.out.note("Skipped rows name staff or workers who are already here: imports never change them.")?;
    }
    Ok(())
}

/// Names the file in a domain error ("clients.csv: line 3: field `email`: …").
fn in_file(e: anyhow::Error, file: &Path) -> anyhow::Error {
    match e.downcast::<Error>() {
        // A fault of crew or its environment (the database's disk) is not about the file.
        Ok(ce) if ce.kind == crew_core::error::ErrorKind::Internal => ce.into(),
        Ok(ce) => ce.context(file.display()).into(),
        Err(e) => e,
    }
}
