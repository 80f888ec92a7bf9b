//! `crew outbox deliver`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam::{self, ActivationIssue};
use crew_core::ids::MailId;
use crew_core::mail::{self, Attempt, Mail, MailStatus, RetryPolicy};
use serde::Serialize;

use crate::context::App;
use crate::mailer::{Failure, Mailer};

/// Send the mail that is due, through the configured transport (cron)
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  crew outbox deliver
  CREW_TOKEN=… crew outbox deliver --limit 5000

Transactional mail (orders, accounts, activation) goes before bulk mail (intake
acknowledgements, digests); within a class, the oldest first. Up to mail.parallel mails
go at once over reused SMTP connections.

A temporary failure (an SMTP 4xx reply, a dropped connection, a timeout) is retried later
with exponential backoff (mail.backoff_seconds, doubling); after mail.max_attempts the
mail is a dead letter until `crew outbox retry`. A permanent refusal (an SMTP 5xx reply)
is a dead letter at once, with the server's reply. After mail.stop_after_failures
attempts in a row that cannot reach the server, the run stops: the rest stay queued,
with no attempt counted.

Exit codes (for cron):
  0  every mail taken was sent, or nothing was due
  6  some or all attempts failed (retried later or dead letters; see `crew outbox list`)
  7  the run stopped early: the server could not be reached (the rest wait for the next run)
  1  crew or its environment failed (the database, the mail folder's disk); 2 bad input or
     configuration; 3 not allowed.
See docs/mail.md.")]
pub struct DeliverArgs {
    /// At most this many mails in this run (1 to 100000)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=mail::MAX_CLAIM as u64))]
    limit: u64,
}

pub const ACTIONS: &[Action] = &[Action::DeliverMail];

/// How long a delivery run holds the mails of its current batch before another run may take
/// them; renewed every [`RENEW_EVERY`] while the batch is being sent, so a stalled server never
/// outlasts it, and a run that dies gives its mails back within this time.
const LEASE: chrono::Duration = chrono::Duration::minutes(10);
const RENEW_EVERY: Duration = Duration::from_secs(120);
/// Mails claimed at a time, per mail sent at once: small enough that a transactional mail queued
/// during a long run waits for one batch only.
const BATCH_PER_SENDER: usize = 25;
/// Outcomes recorded per transaction at most.
const RECORD_BATCH: usize = 256;

#[derive(Serialize)]
struct Outcome {
    id: MailId,
    to: String,
    subject: String,
    result: String,
}

/// How a run ended, when not every mail it took was sent: its exit code and what it says.
#[derive(Debug)]
pub struct Shortfall {
    pub code: u8,
    message: String,
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shortfall {}

/// One mail's result from a sender thread.
struct Sent {
    index: usize,
    result: Result<(), Failure>,
    tried: bool,
}

pub fn run(app: &mut App, args: DeliverArgs) -> Result<()> {
    let mut remaining = usize::try_from(args.limit).unwrap_or(mail::MAX_CLAIM);
    let config = &app.config.file.mail;
    let policy = RetryPolicy { max_attempts: config.max_attempts, base_delay_seconds: config.backoff_seconds };
    let parallel = config.parallel.max(1) as usize;
    let stop_after = config.stop_after_failures.max(1);
    let from: lettre::message::Mailbox = config.from.parse()?;
    let mailer = Mailer::from_config(&app.config)?;
    let mut bar = app.progress("mail", remaining);
    let mut outcomes = Vec::new();
    let mut unreadable = 0usize;
    let mut stopped: Option<String> = None;
    while remaining > 0 && stopped.is_none() {
        let batch = remaining.min(parallel * BATCH_PER_SENDER);
        let claim = app.write(|tx, ctx| mail::claim(tx, ctx, batch, LEASE))?;
        for bad in &claim.unreadable {
            crate::output::warn(&format!(
                "mail #{} cannot be read ({}): it is now a dead letter, skipped",
                bad.id, bad.reason
            ));
        }
        unreadable += claim.unreadable.len();
        remaining -= claim.mails.len() + claim.unreadable.len();
        if claim.mails.is_empty() {
            if claim.unreadable.is_empty() {
                break;
            }
            continue;
        }
        let mails = claim.mails;
        // An activation mail gets a fresh one-time secret now; only its hash is stored.
        let mut bodies = Vec::with_capacity(mails.len());
        for m in &mails {
            bodies.push(match m.activation_for {
                Some(account) => {
                    let secret = crate::session::new_token()?.replace("crew_", "act_");
                    let issued = app.write(|tx, ctx| iam::issue_activation(tx, ctx, account, &secret))?;
                    mail::with_secret(m, (issued == ActivationIssue::Issued).then_some(secret.as_str()))
                }
                None => m.body.clone(),
            });
        }
        let date = std::time::SystemTime::from(app.now);
        let (sent_tx, sent_rx) = mpsc::channel::<Sent>();
        let queue = Mutex::new((0..mails.len()).collect::<VecDeque<usize>>());
        let in_a_row = AtomicU32::new(0);
        let in_flight = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let last_failure = Mutex::new(String::new());
        let mut results: Vec<Option<(Sent, Mail)>> = (0..mails.len()).map(|_| None).collect();
        std::thread::scope(|scope| -> Result<()> {
            for _ in 0..parallel.min(mails.len()) {
                let sent_tx = sent_tx.clone();
                let (queue, in_a_row, in_flight, stop, last_failure) =
                    (&queue, &in_a_row, &in_flight, &stop, &last_failure);
                let (mails, bodies, mailer, from) = (&mails, &bodies, &mailer, &from);
                scope.spawn(move || {
                    // The guard is dropped inside `map_or`: no sender holds the queue while it sends.
                    while let Some(index) = queue.lock().map_or(None, |mut q| q.pop_front()) {
                        // After an attempt that could not reach the server, wait for the sends
                        // in flight: they tell whether it is down, and no new attempt should
                        // wait out another timeout meanwhile.
                        while in_a_row.load(Ordering::SeqCst) > 0
                            && in_flight.load(Ordering::SeqCst) > 0
                            && !stop.load(Ordering::SeqCst)
                        {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        if stop.load(Ordering::SeqCst) {
                            let _ = sent_tx.send(Sent { index, result: Ok(()), tried: false });
                            continue;
                        }
                        in_flight.fetch_add(1, Ordering::SeqCst);
                        let result = mailer.send(from, &mails[index], &bodies[index], date);
                        match &result {
                            Err(Failure::Unreachable(why) | Failure::NoSession(why)) => {
                                if in_a_row.fetch_add(1, Ordering::SeqCst) + 1 >= stop_after {
                                    stop.store(true, Ordering::SeqCst);
                                    if let Ok(mut last) = last_failure.lock() {
                                        *last = why.clone();
                                    }
                                }
                            }
                            _ => in_a_row.store(0, Ordering::SeqCst),
                        }
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        let _ = sent_tx.send(Sent { index, result, tried: true });
                    }
                });
            }
            drop(sent_tx);
            // Record outcomes as they come, a few hundred per transaction, and keep the batch's
            // lease alive while it is being sent.
            let mut pending: Vec<Sent> = Vec::new();
            let mut renewed = Instant::now();
            let mut open = true;
            while open || !pending.is_empty() {
                match sent_rx.recv_timeout(Duration::from_millis(200)) {
                    Ok(s) => {
                        pending.push(s);
                        pending.extend(sent_rx.try_iter().take(RECORD_BATCH));
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => open = false,
                }
                if !pending.is_empty() {
                    let attempts: Vec<(MailId, Attempt)> =
                        pending.iter().map(|s| (mails[s.index].id, attempt(s))).collect();
                    let recorded = app.write(|tx, ctx| mail::record(tx, ctx, &attempts, policy))?;
                    crew_core::imports::Progress::advance(&mut bar, pending.len() as u64);
                    for (s, m) in pending.drain(..).zip(recorded) {
                        let index = s.index;
                        results[index] = Some((s, m));
                    }
                }
                if open && renewed.elapsed() >= RENEW_EVERY {
                    let waiting: Vec<MailId> =
                        (0..mails.len()).filter(|i| results[*i].is_none()).map(|i| mails[i].id).collect();
                    app.write(|tx, ctx| mail::renew(tx, ctx, &waiting, LEASE))?;
                    renewed = Instant::now();
                }
            }
            Ok(())
        })?;
        if stop.load(Ordering::SeqCst) {
            let why = last_failure.lock().map(|w| w.clone()).unwrap_or_default();
            stopped = Some(format!("{stop_after} attempts in a row could not reach the server (last: {why})"));
        }
        for (m, s) in mails.iter().zip(results) {
            let result = match s {
                Some((Sent { result: Ok(()), tried: true, .. }, _)) => "sent".to_string(),
                Some((Sent { tried: false, .. }, _)) | None => {
                    "not tried: the run stopped early; due again now".to_string()
                }
                Some((Sent { result: Err(failure), .. }, now)) => describe(app, &now, &failure),
            };
            outcomes.push(Outcome { id: m.id, to: m.to.to_string(), subject: m.subject.clone(), result });
        }
    }
    drop(bar);
    let sent = outcomes.iter().filter(|o| o.result == "sent").count();
    app.out.list(&outcomes, &["ID", "TO", "SUBJECT", "RESULT"], |o| {
        vec![o.id.to_string(), o.to.clone(), o.subject.clone(), o.result.clone()]
    })?;
    app.out.note(&format!("Delivered {sent} of {} mail(s).", outcomes.len()))?;
    if let Some(why) = stopped {
        let message =
            format!("delivery stopped early: {why}; {} of {} mail(s) sent, the rest stay queued", sent, outcomes.len());
        return Err(Shortfall { code: 7, message }.into());
    }
    if sent < outcomes.len() || unreadable > 0 {
        let failed = outcomes.len() - sent;
        let mut said = Vec::new();
        if failed > 0 {
            said.push(format!("{failed} of {} mail(s) not sent", outcomes.len()));
        }
        if unreadable > 0 {
            said.push(format!("{unreadable} unreadable outbox row(s) moved to the dead letters"));
        }
        let message = said.join("; ");
        return Err(Shortfall { code: 6, message }.into());
    }
    Ok(())
}

fn attempt(s: &Sent) -> Attempt {
    match (&s.result, s.tried) {
        (_, false) => Attempt::NotTried,
        (Ok(()), true) => Attempt::Sent,
        (Err(Failure::Refused(reply)), true) => Attempt::Refused(reply.clone()),
        (Err(Failure::Deferred(e) | Failure::Unreachable(e)), true) => Attempt::Failed(e.clone()),
        (Err(Failure::NoSession(e)), true) => Attempt::Unreached(e.clone()),
    }
}

/// The result column of a mail that was not sent, from what the outbox holds now.
fn describe(app: &App, now: &Mail, failure: &Failure) -> String {
    let (Failure::Deferred(e) | Failure::Refused(e) | Failure::Unreachable(e) | Failure::NoSession(e)) = failure;
    match (failure, now.status) {
        (Failure::Refused(_), _) => format!("dead letter at once (a permanent refusal): {e}"),
        (Failure::NoSession(_), _) => format!(
            "not sent, no attempt counted (no session with the server), retry at {}: {e}",
            app.show_time(now.next_attempt_at)
        ),
        (_, MailStatus::Dead) => format!("dead letter after {} attempts: {e}", now.attempts),
        _ => format!("failed, retry at {}: {e}", app.show_time(now.next_attempt_at)),
    }
}
