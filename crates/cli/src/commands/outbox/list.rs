//! `crew outbox list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::mail::{self, MailStatus};

use super::{HEADERS, cells};
use crate::context::App;

/// List mail in the outbox
#[derive(Debug, Args)]
#[command(after_help = "\
Mail is listed oldest first; with --status queued in the order delivery sends it: transactional
mail (orders, payments, accounts) before bulk mail (acknowledgements, digests), then oldest first.

Examples:
  crew outbox list
  crew outbox list --status queued --limit 20   # what the next delivery sends first
  crew outbox list --status dead")]
pub struct ListArgs {
    /// queued, sent or dead
    #[arg(long)]
    status: Option<String>,
    /// At most this many (1 to 100,000)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=mail::MAX_CLAIM as u64))]
    limit: Option<u64>,
}

pub const ACTIONS: &[Action] = &[Action::ViewOutbox];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let status = args.status.as_deref().map(MailStatus::parse).transpose()?;
    let limit = args.limit.map(|l| usize::try_from(l).unwrap_or(mail::MAX_CLAIM));
    let rows = app.read(|tx, ctx| mail::list(tx, ctx, status, limit))?;
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
