//! `crew events list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::ids::OrderId;
use crew_core::kernel::events::EventFilter;
use crew_core::wiring::{self, StoredEvent};

use crate::context::App;

/// List events, oldest first
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew events list --order 7\n  crew events list --since 2026-11-25T00:00:00Z --format json"
)]
pub struct ListArgs {
    /// Only events about this order
    #[arg(long)]
    order: Option<String>,
    /// Only events at or after this time (RFC 3339, or `YYYY-MM-DD HH:MM`)
    #[arg(long)]
    since: Option<String>,
    /// At most this many
    #[arg(long)]
    limit: Option<usize>,
}

pub const ACTIONS: &[Action] = &[Action::ViewEvents];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let ListArgs { order, since, limit } = args;
    let order = order.as_deref().map(str::parse::<OrderId>).transpose()?;
    let since = since.as_deref().map(|s| app.parse_time("--since", s)).transpose()?;
    let filter = EventFilter { order, since, limit, ..EventFilter::default() };
    let (events, logins) = app.read(|tx, ctx| Ok((wiring::list_events(tx, ctx, &filter)?, iam::logins(tx)?)))?;
    let actor =
        |e: &StoredEvent| e.actor.and_then(|a| logins.get(&a)).map_or_else(|| "crew".to_string(), ToString::to_string);
    app.out.list(&events, &["SEQ", "AT", "ACTOR", "TYPE", "ORDER", "SUMMARY"], |e| {
        vec![
            e.seq.to_string(),
            app.show_time(e.at),
            actor(e),
            e.event.type_name().to_string(),
            e.event.subject().order.map(|o| o.to_string()).unwrap_or_default(),
            e.event.summary(&|a| logins.get(&a).map_or_else(|| format!("#{a}"), ToString::to_string)),
        ]
    })
}
