//! `crew outbox deliver`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam::{self, ActivationIssue};
use crew_core::ids::MailId;
use crew_core::mail::{self, MailStatus, RetryPolicy};
use serde::Serialize;

use crate::context::App;
use crate::mailer::Mailer;

/// Send the mail that is due, through the configured transport (cron)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew outbox deliver\n  CREW_TOKEN=… crew outbox deliver --limit 500\n\nA failed attempt is retried later with exponential backoff (mail.backoff_seconds, doubling);\nafter mail.max_attempts the mail is a dead letter until `crew outbox retry`. See docs/mail.md."
)]
pub struct DeliverArgs {
    /// At most this many mails in this run
    #[arg(long, default_value_t = 100)]
    limit: usize,
}

pub const ACTIONS: &[Action] = &[Action::DeliverMail];

/// How long a delivery run holds the mails it took before another run may try them.
const LEASE_MINUTES: i64 = 10;

#[derive(Serialize)]
struct Outcome {
    id: MailId,
    to: String,
    subject: String,
    result: String,
}

pub fn run(app: &mut App, args: DeliverArgs) -> Result<()> {
    let limit = args.limit;
    let policy = RetryPolicy {
        max_attempts: app.config.file.mail.max_attempts,
        base_delay_seconds: app.config.file.mail.backoff_seconds,
    };
    let from: lettre::message::Mailbox = app.config.file.mail.from.parse()?;
    let mailer = Mailer::from_config(&app.config)?;
    // A run holds its mails for as long as it could possibly take, at least LEASE_MINUTES.
    let worst = limit as i64 * (app.config.file.mail.smtp.timeout_seconds as i64 + 5);
    let lease = chrono::Duration::seconds(worst.max(LEASE_MINUTES * 60));
    let mails = app.write(|tx, ctx| mail::claim(tx, ctx, limit, lease))?;
    let mut bar = app.progress("mail", mails.len());
    let mut outcomes = Vec::with_capacity(mails.len());
    for m in mails {
        // The network is used outside any transaction; each outcome is recorded on its own.
        // An activation mail gets a fresh one-time secret now; only its hash is stored.
        let body = match m.activation_for {
            Some(account) => {
                let secret = crate::session::new_token()?.replace("crew_", "act_");
                let issued = app.write(|tx, ctx| iam::issue_activation(tx, ctx, account, &secret))?;
                mail::with_secret(&m, (issued == ActivationIssue::Issued).then_some(secret.as_str()))
            }
            None => m.body.clone(),
        };
        let result = mailer.send(&from, &m, &body, std::time::SystemTime::from(app.now));
        let recorded = match &result {
            Ok(()) => app.write(|tx, ctx| mail::sent(tx, ctx, m.id))?,
            Err(e) => app.write(|tx, ctx| mail::failed(tx, ctx, m.id, e, policy))?,
        };
        crew_core::imports::Progress::advance(&mut bar, 1);
        let result = match (result, recorded.status) {
            (Ok(()), _) => "sent".to_string(),
            (Err(e), MailStatus::Dead) => format!("dead letter after {} attempts: {e}", recorded.attempts),
            (Err(e), _) => format!("failed, retry at {}: {e}", app.show_time(recorded.next_attempt_at)),
        };
        outcomes.push(Outcome { id: m.id, to: m.to.to_string(), subject: m.subject.clone(), result });
    }
    drop(bar);
    let failed = outcomes.iter().filter(|o| o.result != "sent").count();
    app.out.list(&outcomes, &["ID", "TO", "SUBJECT", "RESULT"], |o| {
        vec![o.id.to_string(), o.to.clone(), o.subject.clone(), o.result.clone()]
    })?;
    app.out.note(&format!("Delivered {} of {} mail(s).", outcomes.len() - failed, outcomes.len()))
}
