//! `crew order assign`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::ordering::{self, Force};
use crew_core::types::{Login, Text};

use super::{changed, one, pricing};
use crate::context::{App, FromFlag};

/// Assign a worker by hand (manager; the manual override of matching)
#[derive(Debug, Args)]
#[command(after_help = "\
What matching would never do is refused, naming every reason: an order whose time has passed
(matching takes only orders after now), a worker without the service type's
skills at their levels, outside the order's zone and its configured neighbouring zones
([matching.neighbours]), or unavailable at the order's time: busy with another order (their
times, with the service types' buffers and the travel minutes between zones, overlap), off that
day or outside their hours, on time off, or at their daily maximum. `--force --reason` assigns
anyway; the event records that it was forced, what it overrode and why (see `crew events list` and
`crew order show`). A suspended or deactivated worker is refused even then.

Examples:
  crew order assign 7 tom@crew.example
  crew order assign 7 tom@crew.example --force --reason \"regular cleaner; client asked for him\"")]
pub struct AssignArgs {
    /// The order's number
    order: String,
    /// The worker's login (their email)
    worker: String,
    /// Assign even if matching would never do it (needs --reason)
    #[arg(long, requires = "reason")]
    force: bool,
    /// Why the assignment is forced; recorded in the event
    #[arg(long, requires = "force")]
    reason: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::AssignOrder];

pub fn run(app: &mut App, args: AssignArgs) -> Result<()> {
    let id: OrderId = args.order.parse()?;
    let worker = Login::parse(&args.worker).flag("WORKER")?;
    let force = match (args.force, args.reason) {
        (true, Some(reason)) => Some(Force { reason: Text::one_line(&reason).map_err(|e| e.context("--reason"))? }),
        _ => None,
    };
    let forced = force.is_some();
    let v = app.write(|tx, ctx| {
        let pricing = pricing(tx)?;
        let rules = crew_core::settings::rules(tx)?;
        let time = crew_core::matching::time::TimeRules::from_rules(&rules);
        let o = ordering::assign(tx, ctx, &pricing, &rules.neighbours, &time, id, &worker, force)?;
        one(tx, o)
    })?;
    let price = v.order.price.map(|p| p.to_string()).unwrap_or_default();
    let how = if forced { ", forced (recorded with your reason)" } else { "" };
    changed(app, &v, format!("Order #{id} is assigned to {worker} at {price} {}{how}.", app.currency()))
}
