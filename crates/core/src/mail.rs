//! Mail: every notification is rendered from a template and queued in the outbox in the same
//! transaction as its cause; `crew outbox deliver` sends it afterwards (the shell owns the
//! transports). One mail per cause: queuing the same cause twice queues nothing.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::app::{Ctx, Subscriber};
use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::events::{Event, StoredEvent};
use crate::ids::{AccountId, OrderId};
use crate::ordering::Order;
use crate::store::Tx;
use crate::types::Email;

/// Where a mail is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting for its next attempt.
    Queued,
    Sent,
    /// Every attempt failed; `crew outbox retry` queues it again.
    Dead,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        match raw.trim() {
            "queued" => Ok(MailStatus::Queued),
            "sent" => Ok(MailStatus::Sent),
            "dead" => Ok(MailStatus::Dead),
            _ => Err(Error::bad_input(format!("`{raw}` is not a mail status: use queued, sent or dead"))),
        }
    }
}

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mail {
    pub id: i64,
    /// What caused it (`event:42:order_assigned_worker`): unique, so a cause mails once.
    pub cause: String,
    pub to: Email,
    pub subject: String,
    pub body: String,
    pub status: MailStatus,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// For an activation mail: the account whose fresh secret fills `{activation_secret}` when it
    /// is sent.
    pub activation_for: Option<AccountId>,
}

/// A mail about to be queued.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub cause: String,
    pub to: Email,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub activation_for: Option<AccountId>,
}

/// How often and how patiently delivery is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before a mail goes to the dead letters.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one (at most a day).
    pub base_delay_seconds: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 5, base_delay_seconds: 60 }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1`, after `attempts` failures.
    pub fn delay(&self, attempts: u32) -> Duration {
        let factor = 1i64 << attempts.saturating_sub(1).min(20);
        Duration::seconds(self.base_delay_seconds.saturating_mul(factor).min(86_400))
    }
}

/// The templates, kept in `crates/core/templates/mail/`: a `Subject:` line, a blank line, the body.
const TEMPLATES: &[(&str, &str)] = &[
    ("order_placed", include_str!("../templates/mail/order_placed.txt")),
    ("order_assigned_client", include_str!("../templates/mail/order_assigned_client.txt")),
    ("order_assigned_worker", include_str!("../templates/mail/order_assigned_worker.txt")),
    ("order_checked_in", include_str!("../templates/mail/order_checked_in.txt")),
    ("order_completed", include_str!("../templates/mail/order_completed.txt")),
    ("order_failed", include_str!("../templates/mail/order_failed.txt")),
    ("order_cancelled_client", include_str!("../templates/mail/order_cancelled_client.txt")),
    ("order_cancelled_worker", include_str!("../templates/mail/order_cancelled_worker.txt")),
    ("order_unassigned_worker", include_str!("../templates/mail/order_unassigned_worker.txt")),
    ("copy_offered", include_str!("../templates/mail/copy_offered.txt")),
    ("worker_activation", include_str!("../templates/mail/worker_activation.txt")),
    ("application_received", include_str!("../templates/mail/application_received.txt")),
    ("tests_assigned", include_str!("../templates/mail/tests_assigned.txt")),
    ("tests_submitted", include_str!("../templates/mail/tests_submitted.txt")),
    ("application_accepted", include_str!("../templates/mail/application_accepted.txt")),
    ("application_rejected", include_str!("../templates/mail/application_rejected.txt")),
    ("applications_arrived", include_str!("../templates/mail/applications_arrived.txt")),
];

/// Renders a template: `{name}` placeholders filled from `vars`. Returns (subject, body).
pub fn render(template: &str, vars: &[(&str, String)]) -> Result<(String, String)> {
    let text = TEMPLATES
        .iter()
        .find(|(name, _)| *name == template)
        .map(|(_, text)| *text)
        .ok_or_else(|| Error::internal(format!("no mail template `{template}`")))?;
    let (head, body) = text
        .split_once("\n\n")
        .ok_or_else(|| Error::internal(format!("mail template `{template}` has no blank line after its subject")))?;
    let subject = head
        .strip_prefix("Subject: ")
        .ok_or_else(|| Error::internal(format!("mail template `{template}` does not start with `Subject: `")))?;
    Ok((fill(template, subject, vars)?, fill(template, body, vars)?))
}

fn fill(template: &str, text: &str, vars: &[(&str, String)]) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end =
            after.find('}').ok_or_else(|| Error::internal(format!("mail template `{template}`: an unclosed `{{`")))?;
        let key = &after[..end];
        let value = vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str()).ok_or_else(|| {
            Error::internal(format!("mail template `{template}` uses `{{{key}}}`, which is not given"))
        })?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Queues a mail from a template, once per cause.
pub fn queue(
    tx: &mut dyn Tx,
    cause: String,
    to: Email,
    template: &str,
    vars: &[(&str, String)],
    at: DateTime<Utc>,
) -> Result<()> {
    let (subject, body) = render(template, vars)?;
    tx.insert_mail(&NewMail { cause, to, subject, body, created_at: at, activation_for: None })?;
    Ok(())
}

/// The placeholder an activation mail keeps until it is sent.
pub const SECRET_PLACEHOLDER: &str = "{activation_secret}";

/// Before an activation mail is sent: its account's secret becomes `secret` (any earlier one no
/// longer works; only its hash is kept), and the body to send is returned with the secret in it.
pub fn issue_activation(tx: &mut dyn Tx, ctx: &Ctx, mail: &Mail, secret: &str) -> Result<String> {
    require(&ctx.actor, Action::DeliverMail)?;
    let Some(account) = mail.activation_for else { return Ok(mail.body.clone()) };
    // An account that already has a password never gets a new secret (a resent mail must not
    // reopen it): the mail goes out saying so.
    if tx.account(account)?.is_none_or(|a| a.password_hash.is_some()) {
        let note = "(none needed: this account is already active; log in with your password)";
        return Ok(mail.body.replace(SECRET_PLACEHOLDER, note));
    }
    tx.set_activation(account, &crate::iam::token_hash(secret), ctx.now)?;
    crate::app::record(tx, ctx, Event::ActivationIssued { account })?;
    Ok(mail.body.replace(SECRET_PLACEHOLDER, secret))
}

/// Mail's subscriber: the notifications of DESIGN.md "Mail" that exist so far.
pub struct Notifications;

/// A person to write to: their address and name (accounts without an address get no mail).
fn person(tx: &mut dyn Tx, id: AccountId) -> Result<Option<(Email, String)>> {
    Ok(tx.account(id)?.and_then(|a| a.email.map(|e| (e, a.name.to_string()))))
}

fn order_vars(o: &Order) -> Vec<(&'static str, String)> {
    vec![
        ("order", o.id.to_string()),
        ("service", o.service_type.to_string()),
        ("zone", o.zone.to_string()),
        ("when", o.scheduled_at.format("%Y-%m-%d %H:%M").to_string()),
        ("description", o.description.to_string()),
        ("quote", o.quote.to_string()),
        ("price", o.price.unwrap_or(o.quote).to_string()),
        ("reason", o.reason.as_ref().map(ToString::to_string).unwrap_or_default()),
    ]
}

impl Notifications {
    fn send(
        &self,
        tx: &mut dyn Tx,
        stored: &StoredEvent,
        order: OrderId,
        template: &str,
        to: AccountId,
        other: Option<AccountId>,
    ) -> Result<()> {
        let Some(o) = tx.order(order)? else { return Ok(()) };
        let Some((email, name)) = person(tx, to)? else { return Ok(()) };
        let mut vars = order_vars(&o);
        vars.push(("at", stored.at.format("%Y-%m-%d %H:%M").to_string()));
        let (client, worker) = if to == o.client {
            (Some((email.clone(), name.clone())), None)
        } else {
            (None, Some((email.clone(), name.clone())))
        };
        let client = match client {
            Some(c) => Some(c),
            None => person(tx, o.client)?,
        };
        let worker = match worker {
            Some(w) => Some(w),
            None => match other.or(o.worker) {
                Some(w) => person(tx, w)?,
                None => None,
            },
        };
        let (client_email, client_name) = client.map_or((String::new(), String::new()), |(e, n)| (e.to_string(), n));
        vars.push(("client_name", client_name));
        vars.push(("client_email", client_email));
        vars.push(("worker_name", worker.map(|(_, n)| n).unwrap_or_else(|| "your worker".into())));
        queue(tx, format!("event:{}:{template}", stored.seq), email, template, &vars, stored.at)
    }
}

impl Subscriber for Notifications {
    fn name(&self) -> &'static str {
        // Started at the end of the log by migration 0003, so history is never mailed.
        "mail.notifications"
    }

    fn handle(&self, tx: &mut dyn Tx, stored: &StoredEvent) -> Result<()> {
        match &stored.event {
            Event::OrderCreated { order, client, .. } => self.send(tx, stored, *order, "order_placed", *client, None),
            Event::OrderAssigned { order, worker, .. } => {
                let client = tx.order(*order)?.map(|o| o.client);
                if let Some(client) = client {
                    self.send(tx, stored, *order, "order_assigned_client", client, Some(*worker))?;
                }
                self.send(tx, stored, *order, "order_assigned_worker", *worker, None)
            }
            Event::OrderCheckedIn { order, worker, .. } => {
                self.to_client(tx, stored, *order, "order_checked_in", Some(*worker))
            }
            Event::OrderCompleted { order, worker, .. } => {
                self.to_client(tx, stored, *order, "order_completed", Some(*worker))
            }
            Event::OrderFailed { order, .. } => self.to_client(tx, stored, *order, "order_failed", None),
            Event::OrderCancelled { order, worker, .. } => {
                self.to_client(tx, stored, *order, "order_cancelled_client", None)?;
                match worker {
                    Some(w) => self.send(tx, stored, *order, "order_cancelled_worker", *w, None),
                    None => Ok(()),
                }
            }
            Event::OrderReopened { order, previous_worker: Some(w) } => {
                self.send(tx, stored, *order, "order_unassigned_worker", *w, None)
            }
            Event::CopyOffered { order, client } => self.send(tx, stored, *order, "copy_offered", *client, None),
            Event::AccountCreated { account, login, name, role: crate::authz::Role::Worker, email: Some(email) } => {
                let vars = [
                    ("name", name.to_string()),
                    ("login", login.to_string()),
                    ("activation_secret", SECRET_PLACEHOLDER.to_string()),
                ];
                let (subject, body) = render("worker_activation", &vars)?;
                tx.insert_mail(&NewMail {
                    cause: format!("event:{}:worker_activation", stored.seq),
                    to: email.clone(),
                    subject,
                    body,
                    created_at: stored.at,
                    activation_for: Some(*account),
                })?;
                Ok(())
            }
            Event::ApplicationReceived { application, .. } => {
                self.candidate(tx, stored, *application, "application_received")
            }
            Event::TestsAssigned { application, .. } => self.candidate(tx, stored, *application, "tests_assigned"),
            Event::TestsSubmitted { application, .. } => self.candidate(tx, stored, *application, "tests_submitted"),
            Event::ApplicationAccepted { application, .. } => {
                self.candidate(tx, stored, *application, "application_accepted")
            }
            Event::ApplicationRejected { application, .. } => {
                self.candidate(tx, stored, *application, "application_rejected")
            }
            Event::ApplicationsArrived { received, updated } => {
                for manager in tx.accounts(Some(crate::authz::Role::Manager))? {
                    if let (true, Some(email)) = (manager.active, manager.email) {
                        let cause = format!("event:{}:applications_arrived:{}", stored.seq, manager.id);
                        let vars = [
                            ("received", received.to_string()),
                            ("updated", updated.to_string()),
                            ("name", manager.name.to_string()),
                        ];
                        queue(tx, cause, email, "applications_arrived", &vars, stored.at)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl Notifications {
    /// A hiring step's mail to the candidate.
    fn candidate(&self, tx: &mut dyn Tx, stored: &StoredEvent, application: i64, template: &str) -> Result<()> {
        let Some(a) = tx.application(application)? else { return Ok(()) };
        let mut tests = Vec::new();
        for (t, v) in &a.tests {
            if let Some(test) = tx.hiring_test(*t, Some(*v))? {
                tests.push(format!("#{t} {} ({} questions)", test.spec.name, test.spec.questions.len()));
            }
        }
        let vars = [
            ("name", a.candidate.name.to_string()),
            ("application", a.id.to_string()),
            ("tests", if tests.is_empty() { "-".into() } else { tests.join(", ") }),
            ("score", a.score.map(|s| s.to_string()).unwrap_or_default()),
            ("max_score", a.max_score.map(|s| s.to_string()).unwrap_or_default()),
            ("reason", a.reason.as_ref().map(ToString::to_string).unwrap_or_default()),
        ];
        queue(tx, format!("event:{}:{template}", stored.seq), a.candidate.email.clone(), template, &vars, stored.at)
    }

    fn to_client(
        &self,
        tx: &mut dyn Tx,
        stored: &StoredEvent,
        order: OrderId,
        template: &str,
        worker: Option<AccountId>,
    ) -> Result<()> {
        let Some(client) = tx.order(order)?.map(|o| o.client) else { return Ok(()) };
        self.send(tx, stored, order, template, client, worker)
    }
}

/// `crew outbox deliver`: the queued mails due by `now`, oldest first.
pub fn due(tx: &mut dyn Tx, ctx: &Ctx, limit: usize) -> Result<Vec<Mail>> {
    require(&ctx.actor, Action::DeliverMail)?;
    tx.due_mails(ctx.now, limit)
}

/// Takes the due mails for one delivery run: their next attempt moves `lease` ahead, so a second
/// `crew outbox deliver` running at the same time does not send them too. A run that dies
/// mid-way leaves them to be tried again once the lease is over.
pub fn claim(tx: &mut dyn Tx, ctx: &Ctx, limit: usize, lease: Duration) -> Result<Vec<Mail>> {
    let mut mails = due(tx, ctx, limit)?;
    for m in &mut mails {
        m.next_attempt_at = ctx.now + lease;
        tx.update_mail(m)?;
    }
    Ok(mails)
}

/// Records that a mail was handed to the transport.
pub fn sent(tx: &mut dyn Tx, ctx: &Ctx, id: i64) -> Result<Mail> {
    require(&ctx.actor, Action::DeliverMail)?;
    let mut mail = find(tx, id)?;
    if mail.status != MailStatus::Queued {
        return Err(Error::conflict(format!("mail #{id} is {}, not queued", mail.status.as_str())));
    }
    mail.status = MailStatus::Sent;
    mail.attempts += 1;
    mail.sent_at = Some(ctx.now);
    mail.last_error = None;
    tx.update_mail(&mail)?;
    Ok(mail)
}

/// Records a failed attempt: queued again after a backoff, or dead after the last attempt.
pub fn failed(tx: &mut dyn Tx, ctx: &Ctx, id: i64, error: &str, policy: RetryPolicy) -> Result<Mail> {
    require(&ctx.actor, Action::DeliverMail)?;
    let mut mail = find(tx, id)?;
    if mail.status != MailStatus::Queued {
        return Err(Error::conflict(format!("mail #{id} is {}, not queued", mail.status.as_str())));
    }
    mail.attempts += 1;
    mail.last_error = Some(error.chars().take(500).collect());
    if mail.attempts >= policy.max_attempts {
        mail.status = MailStatus::Dead;
    } else {
        mail.next_attempt_at = ctx.now + policy.delay(mail.attempts);
    }
    tx.update_mail(&mail)?;
    Ok(mail)
}

fn find(tx: &mut dyn Tx, id: i64) -> Result<Mail> {
    tx.mail(id)?.ok_or_else(|| Error::not_found(format!("no mail #{id} in the outbox")))
}

/// `crew outbox list`.
pub fn list(tx: &mut dyn Tx, ctx: &Ctx, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Mail>> {
    require(&ctx.actor, Action::ViewOutbox)?;
    tx.mails(status, limit)
}

/// `crew outbox retry`: a dead (or waiting) mail is queued for the next delivery, with fresh
/// attempts.
pub fn retry(tx: &mut dyn Tx, ctx: &Ctx, id: i64) -> Result<Mail> {
    require(&ctx.actor, Action::ManageOutbox)?;
    let mut mail = find(tx, id)?;
    match mail.status {
        MailStatus::Dead => {}
        MailStatus::Sent => {
            let at = mail.sent_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
            return Err(Error::conflict(format!("mail #{id} was sent at {at}")));
        }
        // A queued mail may be in the hands of a running delivery: retrying it could send it twice.
        MailStatus::Queued => {
            let at = mail.next_attempt_at.format("%Y-%m-%d %H:%M UTC");
            return Err(Error::conflict(format!("mail #{id} is queued; its next attempt is at {at}")));
        }
    }
    mail.status = MailStatus::Queued;
    mail.attempts = 0;
    mail.next_attempt_at = ctx.now;
    tx.update_mail(&mail)?;
    Ok(mail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_vars() -> Vec<(&'static str, String)> {
        [
            "order",
            "service",
            "zone",
            "when",
            "description",
            "quote",
            "price",
            "reason",
            "at",
            "client_name",
            "client_email",
            "worker_name",
            "name",
            "login",
            "activation_secret",
            "application",
            "tests",
            "score",
            "max_score",
            "received",
            "updated",
        ]
        .into_iter()
        .map(|k| (k, format!("<{k}>")))
        .collect()
    }

    #[test]
    fn every_template_renders_with_the_variables_notifications_give() {
        for (name, _) in TEMPLATES {
            let (subject, body) = render(name, &all_vars()).unwrap();
            assert!(!subject.is_empty() && !subject.contains('\n'), "{name}");
            assert!(body.contains("-- crew"), "{name}");
        }
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_blank() {
        assert!(render("order_placed", &[]).is_err());
        assert!(render("no_such_template", &all_vars()).is_err());
    }

    #[test]
    fn backoff_doubles_up_to_a_day() {
        let p = RetryPolicy { max_attempts: 30, base_delay_seconds: 60 };
        assert_eq!(p.delay(1), Duration::seconds(60));
        assert_eq!(p.delay(2), Duration::seconds(120));
        assert_eq!(p.delay(4), Duration::seconds(480));
        assert_eq!(p.delay(25), Duration::seconds(86_400));
    }
}
