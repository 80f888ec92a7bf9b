//! `crew events list`.

use anyhow::Result;
use crew_core::authz::{Action, require};
use crew_core::events::{EventFilter, StoredEvent};
use crew_core::iam;
use crew_core::ids::OrderId;

use crate::cli::EventsCommand;
use crate::context::App;

pub fn run(app: &mut App, command: EventsCommand) -> Result<()> {
    let EventsCommand::List { order, since, limit } = command;
    let order = order.as_deref().map(str::parse::<OrderId>).transpose()?;
    let since = since.as_deref().map(|s| app.parse_time("--since", s)).transpose()?;
    let filter = EventFilter { order, since, after: None, limit };
    let (events, logins) = app.read(|tx, ctx| {
        require(&ctx.actor, Action::ViewEvents)?;
        Ok((tx.find_events(&filter)?, iam::logins(tx)?))
    })?;
    let actor =
        |e: &StoredEvent| e.actor.and_then(|a| logins.get(&a)).map_or_else(|| "crew".to_string(), ToString::to_string);
    app.out.list(&events, &["SEQ", "AT", "ACTOR", "TYPE", "ORDER", "SUMMARY"], |e| {
        vec![
            e.seq.to_string(),
            app.show_time(e.at),
            actor(e),
            e.event.type_name().to_string(),
            e.event.order().map(|o| o.to_string()).unwrap_or_default(),
            e.event.summary(|a| logins.get(&a).map_or_else(|| format!("#{a}"), ToString::to_string)),
        ]
    })
}
