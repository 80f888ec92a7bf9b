//! `crew outbox list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::mail::{self, MailStatus};

use super::{HEADERS, cells};
use crate::context::App;

/// List mail in the outbox
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew outbox list\n  crew outbox list --status dead")]
pub struct ListArgs {
    /// queued, sent or dead
    #[arg(long)]
    status: Option<String>,
    /// At most this many
    #[arg(long)]
    limit: Option<usize>,
}

pub const ACTIONS: &[Action] = &[Action::ViewOutbox];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let status = args.status.as_deref().map(MailStatus::parse).transpose()?;
    let rows = app.read(|tx, ctx| mail::list(tx, ctx, status, args.limit))?;
    // A row that cannot be read is named and skipped: one bad row never hides the outbox.
    let mut mails = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Ok(m) => mails.push(m),
            Err(bad) => crate::output::warn(&format!("mail #{} cannot be read ({}): skipped", bad.id, bad.reason)),
        }
    }
    app.out.list(&mails, HEADERS, |m| cells(app, m))
}
