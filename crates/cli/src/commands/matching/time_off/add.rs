//! `crew matching time-off add`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::matching;
use crew_core::types::{Login, Text};

use crate::commands::matching::worker_id;
use crate::context::{App, FromFlag};

/// Record a worker's time off: no order is matched to them from --from until --until
#[derive(Debug, Args)]
#[command(after_help = "\
Times are RFC 3339 or `YYYY-MM-DD HH:MM` (or a date: its midnight) in the company's time zone.
Orders the worker already holds then are listed, not taken back: reopen or reassign them. Refused:
a time off that is over already or lasts more than 366 days (exit 2), or that overlaps one of the
worker's (exit 5: remove that one first). The reason is one line.

Example:
  crew matching time-off add tom@crew.example --from 2026-12-24 --until 2026-12-27 --reason holiday")]
pub struct AddArgs {
    /// The worker's login
    worker: String,
    /// When the time off starts
    #[arg(long)]
    from: String,
    /// When the worker is back (the end, not included)
    #[arg(long)]
    until: String,
    /// Holiday, sick leave…
    #[arg(long, default_value = "")]
    reason: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageWorkers];

pub fn run(app: &mut App, args: AddArgs) -> Result<()> {
    let login = Login::parse(&args.worker).flag("WORKER")?;
    let from = app.parse_time("--from", &args.from)?;
    let until = app.parse_time("--until", &args.until)?;
    let reason = Text::one_line(&args.reason).flag("--reason")?;
    let (off, clashing) = app.write(|tx, ctx| {
        let id = worker_id(tx, &login)?;
        matching::add_time_off(tx, ctx, id, from, until, reason)
    })?;
    let mut fields = vec![
        ("time off", off.id.to_string()),
        ("worker", login.to_string()),
        ("from", app.show_time(off.starts_at)),
        ("until", app.show_time(off.ends_at)),
        ("reason", off.reason.to_string()),
    ];
    let ids: Vec<String> = clashing.iter().map(|o| format!("#{o}")).collect();
    if !ids.is_empty() {
        fields.push(("orders held then", ids.join(", ")));
    }
    let mut sentence = format!("Time off {} recorded for {login}.", off.id);
    if !ids.is_empty() {
        sentence
            .push_str(&format!(" They hold order {} then: reopen (crew order reopen) or reassign it.", ids.join(", ")));
    }
    app.out.done(&serde_json::json!({ "time_off": off, "orders_held_then": clashing }), &fields, &sentence)
}
