//! `crew matching time-off remove`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::TimeOffId;
use crew_core::matching;

use crate::context::App;

/// Remove a worker's time off (its number from `crew matching hours WORKER`)
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew matching time-off remove 3")]
pub struct RemoveArgs {
    /// The time off's number
    time_off: String,
}

pub const ACTIONS: &[Action] = &[Action::ManageWorkers];

pub fn run(app: &mut App, args: RemoveArgs) -> Result<()> {
    let id: TimeOffId = args.time_off.parse()?;
    let off = app.write(|tx, ctx| matching::remove_time_off(tx, ctx, id))?;
    let fields = vec![
        ("time off", off.id.to_string()),
        ("from", app.show_time(off.starts_at)),
        ("until", app.show_time(off.ends_at)),
        ("reason", off.reason.to_string()),
    ];
    app.out.done(&off, &fields, &format!("Time off {id} removed."))
}
