//! `crew outbox …`: one file per subcommand; the table layout shared here.

mod deliver;
pub use deliver::Shortfall;
mod list;
mod retry;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::mail::{Mail, MailStatus};

use crate::context::App;

/// The mail outbox: deliver queued mail, list it, retry dead letters
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew outbox deliver        # send what is due (cron runs scripts/cron/outbox)\n  crew outbox list --status dead\n  crew outbox retry 3\n\nSee docs/mail.md."
)]
pub enum OutboxCommand {
    Deliver(deliver::DeliverArgs),
    List(list::ListArgs),
    Retry(retry::RetryArgs),
}

impl OutboxCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Deliver(_) => deliver::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Retry(_) => retry::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: OutboxCommand) -> Result<()> {
    match command {
        OutboxCommand::Deliver(args) => deliver::run(app, args),
        OutboxCommand::List(args) => list::run(app, args),
        OutboxCommand::Retry(args) => retry::run(app, args),
    }
}

const HEADERS: &[&str] = &["ID", "STATUS", "TO", "SUBJECT", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"];

fn cells(app: &App, m: &Mail) -> Vec<String> {
    vec![
        m.id.to_string(),
        m.status.as_str().to_string(),
        m.to.to_string(),
        m.subject.clone(),
        m.attempts.to_string(),
        if m.status == MailStatus::Queued { app.show_time(m.next_attempt_at) } else { String::new() },
        m.last_error.clone().unwrap_or_default(),
    ]
}
