//! `crew billing due`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing;

use super::{LINE_HEADERS, line_cells};
use crate::cli::Format;
use crate::context::App;

/// What a client owes this week so far: the week's charges (clients their own)
#[derive(Debug, Args)]
#[command(after_help = "\
Weeks run Monday 00:00 to Sunday 24:00 in the company's time zone (`time_zone`). A client is
charged an order's price when it becomes active, or when it is cancelled after assignment.

Examples:
  crew billing due                         # a client: your own
  crew billing due --client ann@example.com
  crew --format json billing due")]
pub struct DueArgs {
    /// The client's login (staff; clients see their own)
    #[arg(long)]
    client: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewCharges];

pub fn run(app: &mut App, args: DueArgs) -> Result<()> {
    let tz = app.tz();
    let (due, logins) =
        app.read(|tx, ctx| Ok((billing::due(tx, ctx, args.client.as_deref(), tz)?, crew_core::iam::logins(tx)?)))?;
    if app.out.format == Format::Json {
        let fields =
            [("client", due.client.to_string()), ("week", due.week.to_string()), ("total", due.total.to_string())];
        return app.out.record(&due, &fields);
    }
    app.out.list(&due.charges, LINE_HEADERS, |l| line_cells(app, l))?;
    app.out.note(&format!(
        "{} owes {} {} for week {} so far ({} to {}).",
        super::account_name(&logins, due.client),
        due.total,
        app.currency(),
        due.week,
        app.show_time(due.from),
        app.show_time(due.until)
    ))
}
