//! `crew db copy`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing;
use crew_core::kernel::clock;
use crew_core::kernel::command::Ctx;
use crew_core::wiring;
use crew_store::Database;
use serde::Serialize;

use crate::cli::Format;
use crate::context::App;

/// Copy the whole database into a new one, SQLite ⇄ PostgreSQL, verified table by table (admins)
#[derive(Debug, Args)]
#[command(after_help = "\
Makes a new database at --to (a new or empty SQLite file, or an empty or missing PostgreSQL
schema) and copies every table of the source into it in one transaction, ids, installation key
and id counters included. Before anything is kept, each table is read back and compared with the
source (rows and a SHA-256 over them); then `billing verify` runs on the copy. Any difference
keeps nothing (a file this command made is removed) and exits 1.

The source is read in one snapshot: other commands may go on writing to it, but what they write
after the copy began is not in the copy — stop cron and the intake while you move a company.
You must be logged in as an admin on the source (`crew --db SOURCE login …`).

Examples:
  crew db copy --from crew.db --to postgres://crew@db.example/company
  PGPASSWORD=… crew db copy --from crew.db --to 'postgres://crew@db.example/company?schema=acme'
  crew --db postgres://crew@db.example/company db copy --to back.db
  crew --format json db copy --from crew.db --to postgres://crew@localhost/crew")]
pub struct CopyArgs {
    /// The database to copy [default: the configured one: --db, CREW_DB, crew.toml]
    #[arg(long, value_name = "FILE|URL")]
    pub from: Option<PathBuf>,
    /// Where to make the copy: a new SQLite file, or a postgres:// URL of an empty database or schema
    #[arg(long, value_name = "FILE|URL")]
    pub to: PathBuf,
}

pub const ACTIONS: &[Action] = &[Action::CopyDatabase];

#[derive(Serialize)]
struct Copied {
    from: String,
    to: String,
    tables: Vec<crew_store::copy::TableCopy>,
    ledger: billing::Verification,
}

pub fn run(app: &mut App, args: CopyArgs) -> Result<()> {
    if let Some(url) = args.to.to_str().filter(|t| crew_store::is_postgres_url(t)) {
        crew_store::PostgresTarget::parse(url)?;
    }
    let actor = app.read(|_, ctx| Ok(ctx.actor.clone()))?;
    let report = {
        let _bar = crate::output::Bar::spinner("copying the database", !app.out.quiet);
        crew_store::copy::copy(app.store()?, &args.to, &mut |_, _| {})?
    };
    // The ledger of the copy, checked by the same code as `crew billing verify`, as the admin who
    // copied (the same account in the copy); the check is recorded in the copy's log.
    let mut target = Database::open(&args.to)?;
    let chosen = app.chosen_now;
    let ledger = wiring::execute(&mut target, &wiring::subscribers(app.tz()), |tx| {
        // The copy's own clock: never before its newest event, as any command's time.
        let now = clock::command_time(tx, Some(&actor), chosen, chrono::Utc::now())?;
        billing::verify(tx, &Ctx { actor: actor.clone(), now })
    })?;
    let passed = ledger.passed();
    let copied = Copied { from: report.from, to: report.to, tables: report.tables, ledger };
    if app.out.format == Format::Json {
        app.out.record(&copied, &[("passed", passed.to_string())])?;
    } else {
        app.out.list(&copied.tables, &["TABLE", "ROWS", "SHA-256"], |t| {
            vec![t.table.clone(), t.rows.to_string(), t.sha256[..16].to_string()]
        })?;
        app.out.list(&copied.ledger.checks, &["LEDGER CHECK", "CHECKED", "RESULT"], |c| {
            let result = if c.problems.is_empty() { "ok".to_string() } else { c.problems.join("; ") };
            vec![c.name.to_string(), c.checked.to_string(), result]
        })?;
    }
    if !passed {
        return Err(crew_core::Error::internal(format!(
            "the copy at {} holds every row, but its ledger fails verification (see above; so does the source's)",
            copied.to
        ))
        .into());
    }
    let rows: u64 = copied.tables.iter().map(|t| t.rows).sum();
    app.out.note(&format!(
        "Copied {} tables ({rows} rows) from {} to {}; every table reads back the same and the ledger verifies.",
        copied.tables.len(),
        copied.from,
        copied.to
    ))
}
