//! `crew import clients FILE`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;

use super::{CLIENT_COLUMNS, Line, in_file, report};
use crate::context::App;
use crate::files::read_records;

/// Clients from the parent company (CSV, JSON or JSON Lines); idempotent by email
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew import clients clients.csv\n\nFields: name, email, zone (required); phone, payment_method (card|bank_transfer|invoice)."
)]
pub struct ClientsArgs {
    file: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::ImportClients];

pub fn run(app: &mut App, args: ClientsArgs) -> Result<()> {
    let file = args.file;
    let records = read_records(&file, CLIENT_COLUMNS, &app.limits())?;
    let mut bar = app.progress("clients", records.len());
    let summary =
        app.write(|tx, ctx| iam::import_clients(tx, ctx, &records, &mut bar)).map_err(|e| in_file(e, &file))?;
    drop(bar);
    report(app, &[Line { what: "clients", file: file.display().to_string(), summary }])
}
