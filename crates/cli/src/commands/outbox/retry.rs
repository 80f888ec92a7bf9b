//! `crew outbox retry`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::MailId;
use crew_core::mail;

use super::cells;
use crate::context::App;

/// Queue a dead letter again with fresh attempts, or make due at once a mail waiting more than a day ahead
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew outbox retry 12")]
pub struct RetryArgs {
    id: i64,
}

pub const ACTIONS: &[Action] = &[Action::ManageOutbox];

pub fn run(app: &mut App, args: RetryArgs) -> Result<()> {
    let id = MailId::new(args.id);
    let m = app.write(|tx, ctx| mail::retry(tx, ctx, id))?;
    let f: Vec<(&str, String)> = ["id", "status", "to", "subject", "attempts", "next_attempt", "last_error"]
        .into_iter()
        .zip(cells(app, &m))
        .collect();
    app.out.done(&m, &f, &format!("Mail #{id} to {} is queued for the next delivery.", m.to))
}
