//! Mail: every notification is rendered from a template and queued in the outbox in the same
//! transaction as its cause; `crew outbox deliver` sends it afterwards (the shell owns the
//! transports). One mail per cause: queuing the same cause twice queues nothing.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

pub mod store;

pub use store::{MailStore, MailTx};

use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, EventSeq, MailId};
use crate::kernel::command::{Ctx, Subscriber};
use crate::kernel::events::RecordedEvent;
use crate::types::{Email, Lines, inert};

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

/// Which mail goes first: every due transactional mail is sent before any bulk mail; within a
/// class, the oldest first (by the order they were queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MailClass {
    /// Mail about something a person is waiting on: orders, assignments, payments, accounts,
    /// activation. The default of every notice.
    #[default]
    Transactional,
    /// Mail that may wait: intake acknowledgements, digests. A flood of it never delays
    /// transactional mail.
    Bulk,
}

impl MailClass {
    pub fn as_str(self) -> &'static str {
        match self {
            MailClass::Transactional => "transactional",
            MailClass::Bulk => "bulk",
        }
    }

    /// The stored rank: 0 is sent first.
    pub fn rank(self) -> i64 {
        match self {
            MailClass::Transactional => 0,
            MailClass::Bulk => 1,
        }
    }

    /// The class of a stored rank; `None` for another number.
    pub fn from_rank(rank: i64) -> Option<Self> {
        match rank {
            0 => Some(MailClass::Transactional),
            1 => Some(MailClass::Bulk),
            _ => None,
        }
    }
}

/// An outbox row that cannot be read back (a value no version of crew writes: a time past the
/// year 9999, an address that is not one). It is reported and skipped, never allowed to stop the
/// outbox; delivery moves it to the dead letters so it no longer takes a place in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub id: MailId,
    /// What is wrong with it (the column and the stored value).
    pub reason: String,
}

/// One stored outbox row: a mail, or a row that cannot be read.
pub type Stored = std::result::Result<Mail, Unreadable>;

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mail {
    pub id: MailId,
    /// What caused it (`event:000000000042:order_assigned_worker`, [`event_cause`]; mail queued
    /// before crew padded the position reads `event:42:…`): unique, so a cause mails once.
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
    pub class: MailClass,
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
    pub class: MailClass,
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

/// A mail template, kept in `crates/core/templates/mail/`: a `Subject:` line, a blank line, the
/// body, with `{name}` placeholders. Each context declares the templates its notifier uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// The file's name without `.txt`.
    pub name: &'static str,
    pub text: &'static str,
}

impl Template {
    /// The subject and body with every `{name}` replaced by its value. A placeholder without a
    /// value, or a template without a `Subject:` line, is an internal error (never a blank).
    pub fn render(&self, vars: &[(&str, String)]) -> Result<(String, String)> {
        self.compile()?.render(vars)
    }

    /// The template read once into its subject's and body's pieces, to render many mails from
    /// (an intake renders 80,000-odd acknowledgements from one template). A template without a
    /// `Subject:` line or with an unclosed `{` is an internal error.
    pub fn compile(&self) -> Result<Compiled> {
        let template = self.name;
        let (head, body) = self.text.split_once("\n\n").ok_or_else(|| {
            Error::internal(format!("mail template `{template}` has no blank line after its subject"))
        })?;
        let subject = head
            .strip_prefix("Subject: ")
            .ok_or_else(|| Error::internal(format!("mail template `{template}` does not start with `Subject: `")))?;
        Ok(Compiled { template, subject: pieces(template, subject)?, body: pieces(template, body)? })
    }
}

/// A [`Template`] read into pieces ([`Template::compile`]).
#[derive(Debug, Clone)]
pub struct Compiled {
    template: &'static str,
    subject: Vec<Piece>,
    body: Vec<Piece>,
}

/// A piece of a template's text: text as it is, or a placeholder's name.
#[derive(Debug, Clone)]
enum Piece {
    Text(&'static str),
    Var(&'static str),
}

impl Compiled {
    /// The name of the template it was read from.
    pub fn template(&self) -> &'static str {
        self.template
    }

    /// [`Template::render`] of the template it was read from.
    pub fn render(&self, vars: &[(&str, String)]) -> Result<(String, String)> {
        Ok((
            fill(self.template, &self.subject, vars, Lines::Escape)?,
            fill(self.template, &self.body, vars, Lines::Keep)?,
        ))
    }
}

/// The pieces of a template's `text`: text up to each `{`, the name up to its `}`, and so on.
fn pieces(template: &str, text: &'static str) -> Result<Vec<Piece>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push(Piece::Text(&rest[..start]));
        let after = &rest[start + 1..];
        let end =
            after.find('}').ok_or_else(|| Error::internal(format!("mail template `{template}`: an unclosed `{{`")))?;
        out.push(Piece::Var(&after[..end]));
        rest = &after[end + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// A template's text with its placeholders filled. Values come from people (a name, a
/// description) and are put in [`inert`]: a subject is one header line, so even a newline is
/// escaped there; a body keeps the newlines and tabs of multi-line text.
fn fill(template: &str, pieces: &[Piece], vars: &[(&str, String)], lines: Lines) -> Result<String> {
    let mut out = String::with_capacity(pieces.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 16 }).sum());
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Var(key) => {
                let value = vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).ok_or_else(|| {
                    Error::internal(format!("mail template `{template}` uses `{{{key}}}`, which is not given"))
                })?;
                out.push_str(&inert(value, lines));
            }
        }
    }
    Ok(out)
}

/// The cause of the mail `event` queues for its notice `key`: `event:{seq}:{key}`, the position
/// zero-padded to 12 digits (`event:000000000042:order_assigned_worker`) so that causes sort in
/// the order they are queued and the outbox's unique index on them is appended to, not written
/// all over: unpadded, an intake's 80,000-odd acknowledgements scattered their causes through
/// the index, 4.4% of its instructions (BENCHMARKS.md, "The tenth round"). A position of more
/// than 12 digits is written whole (still unique). Mail queued before the padding keeps its
/// unpadded cause, and so its Message-ID; no event is handled twice, so the two never meet.
pub fn event_cause(seq: EventSeq, key: &str) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(seq.get());
    if digits.starts_with('-') {
        // No position is negative; written as `format!` pads one, should one ever be.
        return format!("event:{:012}:{key}", seq.get());
    }
    // Not `format!("{:012}")`: `core::fmt`'s padding was 3% of an intake's writing thread.
    let mut cause = String::with_capacity(19 + digits.len() + key.len());
    cause.push_str("event:");
    cause.extend(std::iter::repeat_n('0', 12usize.saturating_sub(digits.len())));
    cause.push_str(digits);
    cause.push(':');
    cause.push_str(key);
    cause
}

/// A mail an event causes, as the context that owns the event declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// Unique among the notices of one event (the template's name unless [`Notice::keyed`]): the
    /// mail's cause is `event:{seq}:{key}` ([`event_cause`]), so an event mails each notice once.
    pub key: String,
    pub to: Email,
    pub template: &'static Template,
    pub vars: Vec<(&'static str, String)>,
    /// For an activation mail: the account IAM issues a fresh secret for when it is sent.
    pub activation_for: Option<AccountId>,
    /// Transactional unless the notifier says [`Notice::bulk`].
    pub class: MailClass,
    /// For a digest ([`Notice::digest`]): when it is sent.
    pub digest_due: Option<DateTime<Utc>>,
}

impl Notice {
    /// A mail from `template` to `to`, keyed by the template's name.
    pub fn new(template: &'static Template, to: Email, vars: Vec<(&'static str, String)>) -> Notice {
        Notice {
            key: template.name.to_string(),
            to,
            template,
            vars,
            activation_for: None,
            class: MailClass::Transactional,
            digest_due: None,
        }
    }

    /// The same notice as a digest, sent at `due`: its cause is `digest:{key}` (not the event's),
    /// and each later notice with the same key rewrites it until it is taken for delivery. A
    /// notice that comes after its digest was taken is queued on its own, due at once. The key
    /// says what the digest gathers (an hour, a recipient).
    pub fn digest(mut self, due: DateTime<Utc>) -> Notice {
        self.digest_due = Some(due);
        self
    }

    /// The same notice as bulk mail (an acknowledgement, a digest): sent after every due
    /// transactional mail.
    pub fn bulk(mut self) -> Notice {
        self.class = MailClass::Bulk;
        self
    }

    /// The same notice under another key (when one event mails several people one template).
    pub fn keyed(mut self, key: String) -> Notice {
        self.key = key;
        self
    }

    /// The same notice as the activation mail of `account` (its body keeps
    /// [`SECRET_PLACEHOLDER`] until it is sent).
    pub fn activating(mut self, account: AccountId) -> Notice {
        self.activation_for = Some(account);
        self
    }
}

/// What a context tells mail about its events: the mails each one causes.
///
/// Like [`Subscriber`], implemented for every transaction `T` that offers the context's own
/// transaction trait. Runs inside the transaction of the event's command.
pub trait Notifier<T: ?Sized> {
    /// The mails `event` causes, in the order they are queued (none for most events).
    fn notices(&self, tx: &mut T, event: &RecordedEvent) -> Result<Vec<Notice>>;
}

/// Mail's subscriber: asks every context's notifier what each event mails, and queues it.
///
/// The list of notifiers comes from the wiring; mail itself knows no other context.
pub struct Notifications<N: ?Sized> {
    pub notifiers: Vec<Box<N>>,
}

impl<T, N> Subscriber<T> for Notifications<N>
where
    T: MailTx + ?Sized,
    N: Notifier<T> + ?Sized,
{
    fn name(&self) -> &'static str {
        // Started at the end of the log by migration 0003, so history is never mailed.
        "mail.notifications"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        self.handle_all(tx, std::slice::from_ref(stored))
    }

    /// The mails of a batch of events, queued in the order `handle` one event after another
    /// would have queued them, but in a few statements ([`MailStore::insert_mails`]): an intake
    /// of 100,000 rows mails 80,000-odd acknowledgements.
    fn handle_all(&self, tx: &mut T, events: &[RecordedEvent]) -> Result<()> {
        let mut queue: Vec<NewMail> = Vec::new();
        // Each template the batch uses, read once.
        let mut compiled: Vec<Compiled> = Vec::new();
        for stored in events {
            for notifier in &self.notifiers {
                for notice in notifier.notices(tx, stored)? {
                    let at = match compiled.iter().position(|c| c.template() == notice.template.name) {
                        Some(at) => at,
                        None => {
                            compiled.push(notice.template.compile()?);
                            compiled.len() - 1
                        }
                    };
                    let (subject, body) = compiled[at].render(&notice.vars)?;
                    let mail = NewMail {
                        cause: event_cause(stored.seq, &notice.key),
                        to: notice.to,
                        subject,
                        body,
                        created_at: stored.at,
                        activation_for: notice.activation_for,
                        class: notice.class,
                    };
                    let Some(due) = notice.digest_due else {
                        queue.push(mail);
                        continue;
                    };
                    // A digest looks at the outbox: what comes before it is queued first.
                    tx.insert_mails(&queue)?;
                    queue.clear();
                    // Never a time the outbox could not read back.
                    let due = due.min(latest_time());
                    let digest = NewMail { cause: format!("digest:{}", notice.key), created_at: due, ..mail.clone() };
                    if !tx.put_digest(&digest)? {
                        // Its digest is already on its way: this news goes on its own.
                        tx.insert_mail(&mail)?;
                    }
                }
            }
        }
        tx.insert_mails(&queue)?;
        Ok(())
    }
}

/// The placeholder an activation mail keeps until it is sent.
pub const SECRET_PLACEHOLDER: &str = "{activation_secret}";

/// The body of an activation mail as it is sent: with the secret IAM just issued, or, if IAM
/// issued none (the account already has a password), a note saying so.
pub fn with_secret(mail: &Mail, secret: Option<&str>) -> String {
    match secret {
        Some(secret) => mail.body.replace(SECRET_PLACEHOLDER, secret),
        None => mail
            .body
            .replace(SECRET_PLACEHOLDER, "(none needed: this account is already active; log in with your password)"),
    }
}

/// The most mails one delivery run may take (`crew outbox deliver --limit`).
pub const MAX_CLAIM: usize = 100_000;

/// The longest a delivery run may hold a mail before another run may try it.
pub const MAX_LEASE: Duration = Duration::days(1);

/// The latest time the outbox stores (`9999-12-31T23:59:59Z`): its times are fixed-width RFC 3339
/// text, so a later one could not be read back. Every time mail computes is checked against it.
pub fn latest_time() -> DateTime<Utc> {
    crate::kernel::clock::latest_time()
}

/// `now + by`, if it is no later than [`latest_time`].
fn later(now: DateTime<Utc>, by: Duration) -> Option<DateTime<Utc>> {
    now.checked_add_signed(by).filter(|t| *t <= latest_time())
}

/// What one claim took: the mails to send now, and the rows it could not read (moved to the
/// dead letters with the reason, so they no longer take a place at the head of the queue).
#[derive(Debug, Clone, Default)]
pub struct Claim {
    pub mails: Vec<Mail>,
    pub unreadable: Vec<Unreadable>,
}

/// Takes the due mails for one delivery run — transactional before bulk, oldest first within a
/// class, at most `limit` (1 to [`MAX_CLAIM`]): their next attempt moves `lease` ahead (more than
/// nothing, at most [`MAX_LEASE`]), so a second `crew outbox deliver` running at the same time
/// does not send them too. A run that dies mid-way leaves them to be tried again once the lease is
/// over. A limit or lease out of range, or a lease that would end after [`latest_time`], is bad
/// input and changes nothing.
pub fn claim(tx: &mut (impl MailTx + ?Sized), ctx: &Ctx, limit: usize, lease: Duration) -> Result<Claim> {
    require(&ctx.actor, Action::DeliverMail)?;
    if !(1..=MAX_CLAIM).contains(&limit) {
        return Err(Error::bad_input(format!("a delivery takes from 1 to {MAX_CLAIM} mails, not {limit}")));
    }
    if lease <= Duration::zero() || lease > MAX_LEASE {
        return Err(Error::bad_input(format!(
            "a delivery holds its mails for more than nothing and at most {} hours, not {} seconds",
            MAX_LEASE.num_hours(),
            lease.num_seconds()
        )));
    }
    let until = later(ctx.now, lease).ok_or_else(|| {
        Error::bad_input(format!(
            "the time {} is too late to deliver mail: its lease would end after {}",
            ctx.now.format("%Y-%m-%d %H:%M:%S UTC"),
            latest_time().format("%Y-%m-%d %H:%M:%S UTC")
        ))
    })?;
    let mut claim = Claim::default();
    for row in tx.due_mails(ctx.now, limit)? {
        match row {
            Ok(mut m) => {
                m.next_attempt_at = until;
                tx.update_mail(&m)?;
                claim.mails.push(m);
            }
            Err(bad) => {
                tx.bury_unreadable(bad.id, &format!("unreadable row: {}", bad.reason), ctx.now)?;
                claim.unreadable.push(bad);
            }
        }
    }
    Ok(claim)
}

/// How one attempt to send a mail ended, as the transport said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The transport took it.
    Sent,
    /// A temporary failure (an SMTP 4xx reply, a dropped connection, a timeout): tried again
    /// after a backoff, a dead letter after the last attempt.
    Failed(String),
    /// A permanent refusal (an SMTP 5xx reply): a dead letter at once, with the server's reply.
    Refused(String),
    /// Not tried (the run stopped early): due again at once, no attempt counted.
    NotTried,
    /// The server was not reached, or refused the session, before this mail's own transaction
    /// began: the connection refused or reset, no greeting or no answer to EHLO in time, the TLS
    /// handshake or the login refused. Not the mail's fault: no attempt counted (a long outage
    /// never buries mail), the error kept, and due again after the backoff its attempts so far
    /// give (at least the first's).
    Unreached(String),
}

/// Records the outcomes of a delivery run's attempts, in one transaction; the mails as they are
/// now, in the same order. A mail that is no longer queued is a conflict.
pub fn record(
    tx: &mut (impl MailTx + ?Sized),
    ctx: &Ctx,
    outcomes: &[(MailId, Attempt)],
    policy: RetryPolicy,
) -> Result<Vec<Mail>> {
    require(&ctx.actor, Action::DeliverMail)?;
    let mut out = Vec::with_capacity(outcomes.len());
    for (id, attempt) in outcomes {
        let mut mail = find(tx, *id)?;
        if mail.status != MailStatus::Queued {
            return Err(Error::conflict(format!("mail #{id} is {}, not queued", mail.status.as_str())));
        }
        match attempt {
            Attempt::Sent => {
                mail.status = MailStatus::Sent;
                mail.attempts += 1;
                mail.sent_at = Some(ctx.now);
                mail.last_error = None;
            }
            Attempt::Failed(error) => {
                mail.attempts += 1;
                mail.last_error = Some(error.chars().take(500).collect());
                if mail.attempts >= policy.max_attempts {
                    mail.status = MailStatus::Dead;
                } else {
                    // Past the last storable time there is no later attempt to schedule.
                    match later(ctx.now, policy.delay(mail.attempts)) {
                        Some(t) => mail.next_attempt_at = t,
                        None => mail.status = MailStatus::Dead,
                    }
                }
            }
            Attempt::Refused(reply) => {
                mail.attempts += 1;
                mail.last_error = Some(reply.chars().take(500).collect());
                mail.status = MailStatus::Dead;
            }
            Attempt::NotTried => mail.next_attempt_at = ctx.now,
            Attempt::Unreached(error) => {
                mail.last_error = Some(error.chars().take(500).collect());
                // Past the last storable time it stays due as it is: still queued, never buried.
                if let Some(t) = later(ctx.now, policy.delay(mail.attempts.max(1))) {
                    mail.next_attempt_at = t;
                }
            }
        }
        tx.update_mail(&mail)?;
        out.push(mail);
    }
    Ok(out)
}

/// Keeps a running delivery's hold on the mails it has not finished: each of `ids` that is still
/// queued is due again `lease` (as in [`claim`]) from now.
pub fn renew(tx: &mut (impl MailTx + ?Sized), ctx: &Ctx, ids: &[MailId], lease: Duration) -> Result<()> {
    require(&ctx.actor, Action::DeliverMail)?;
    let Some(until) = later(ctx.now, lease.min(MAX_LEASE)) else { return Ok(()) };
    for id in ids {
        if let Some(Ok(mut mail)) = tx.mail(*id)?
            && mail.status == MailStatus::Queued
            && mail.next_attempt_at < until
        {
            mail.next_attempt_at = until;
            tx.update_mail(&mail)?;
        }
    }
    Ok(())
}

/// Records that a mail was handed to the transport.
pub fn sent(tx: &mut (impl MailTx + ?Sized), ctx: &Ctx, id: MailId) -> Result<Mail> {
    one(record(tx, ctx, &[(id, Attempt::Sent)], RetryPolicy::default())?)
}

/// Records a failed attempt: queued again after a backoff, or dead after the last attempt.
pub fn failed(
    tx: &mut (impl MailTx + ?Sized),
    ctx: &Ctx,
    id: MailId,
    error: &str,
    policy: RetryPolicy,
) -> Result<Mail> {
    one(record(tx, ctx, &[(id, Attempt::Failed(error.to_string()))], policy)?)
}

fn one(mails: Vec<Mail>) -> Result<Mail> {
    mails.into_iter().next().ok_or_else(|| Error::internal("no mail recorded"))
}

fn find(tx: &mut (impl MailTx + ?Sized), id: MailId) -> Result<Mail> {
    match tx.mail(id)? {
        Some(Ok(mail)) => Ok(mail),
        Some(Err(bad)) => Err(Error::conflict(format!("mail #{id} cannot be read: {}", bad.reason))),
        None => Err(Error::not_found(format!("no mail #{id} in the outbox"))),
    }
}

/// `crew outbox list`: the rows by id (queued ones in delivery's order: transactional before
/// bulk, then by id), readable or not (an unreadable row is the caller's to report), at most
/// `limit` (1 to [`MAX_CLAIM`], else bad input).
pub fn list(
    tx: &mut (impl MailTx + ?Sized),
    ctx: &Ctx,
    status: Option<MailStatus>,
    limit: Option<usize>,
) -> Result<Vec<Stored>> {
    require(&ctx.actor, Action::ViewOutbox)?;
    if let Some(l) = limit.filter(|l| !(1..=MAX_CLAIM).contains(l)) {
        return Err(Error::bad_input(format!("--limit {l}: give 1 to {MAX_CLAIM}")));
    }
    tx.mails(status, limit)
}

/// Whether a queued mail waits further ahead of `now` than a delivery's lease can ever reach
/// ([`MAX_LEASE`]): no delivery run at `now` or before can be holding it.
fn beyond_any_lease(mail: &Mail, now: DateTime<Utc>) -> bool {
    now.checked_add_signed(MAX_LEASE).is_some_and(|reach| mail.next_attempt_at > reach)
}

/// `crew outbox retry`: a dead letter is queued for the next delivery with fresh attempts; a
/// queued mail waiting more than [`MAX_LEASE`] ahead (left there by a run at a clock set far
/// ahead) is due at once, its attempts kept. A mail sent, or queued within a lease's reach (a
/// running delivery may hold it: retrying could send it twice), is a conflict; an unknown id is
/// not found.
pub fn retry(tx: &mut (impl MailTx + ?Sized), ctx: &Ctx, id: MailId) -> Result<Mail> {
    require(&ctx.actor, Action::ManageOutbox)?;
    let mut mail = find(tx, id)?;
    match mail.status {
        MailStatus::Dead => {}
        MailStatus::Sent => {
            let at = mail.sent_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
            return Err(Error::conflict(format!("mail #{id} was sent at {at}")));
        }
        // Waiting further ahead than any lease can reach (a run at a clock set far ahead left it
        // there): no running delivery holds it, so it may be due at once, its attempts kept.
        MailStatus::Queued if beyond_any_lease(&mail, ctx.now) => {
            mail.next_attempt_at = ctx.now;
            tx.update_mail(&mail)?;
            return Ok(mail);
        }
        // A queued mail may be in the hands of a running delivery: retrying it could send it twice.
        MailStatus::Queued => {
            let at = mail.next_attempt_at.format("%Y-%m-%d %H:%M UTC");
            return Err(Error::conflict(format!(
                "mail #{id} is queued; its next attempt is at {at}, and until then a running delivery may hold it"
            )));
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

    const SAMPLE: Template = Template { name: "sample", text: "Subject: Order #{order}\n\nHello {name},\n-- crew\n" };

    #[test]
    fn placeholders_are_filled_in_subject_and_body() {
        let vars = [("order", "7".to_string()), ("name", "Ann".to_string())];
        let (subject, body) = SAMPLE.render(&vars).unwrap();
        assert_eq!(subject, "Order #7");
        assert_eq!(body, "Hello Ann,\n-- crew\n");
    }

    #[test]
    fn a_template_read_once_renders_every_mail_as_the_template_does() {
        let t = Template {
            name: "letter",
            text: "Subject: {name} at {place}\n\n{name},\n{body}\n{}{name}{sig}{place} -- crew {} end\n",
        };
        let compiled = t.compile().unwrap();
        assert_eq!(compiled.template(), "letter");
        for (name, body) in [("Ann", "two\nlines"), ("Zoë\nX", "\u{1b}[2J\tend"), ("", "")] {
            let vars = [
                ("name", name.to_string()),
                ("body", body.to_string()),
                ("sig", "S".into()),
                ("place", "P".into()),
                ("", "E".into()),
            ];
            assert_eq!(compiled.render(&vars).unwrap(), t.render(&vars).unwrap(), "{name:?}");
        }
        let vars = [
            ("name", "Zoë\nX".to_string()),
            ("body", "b".into()),
            ("sig", "S".into()),
            ("place", "P".into()),
            ("", "E".into()),
        ];
        let (subject, body) = compiled.render(&vars).unwrap();
        assert_eq!(subject, "Zoë\\u{a}X at P", "a subject is one line");
        assert_eq!(body, "Zoë\nX,\nb\nEZoë\nXSP -- crew E end\n");
        let e = compiled.render(&vars[..2]).unwrap_err();
        assert!(e.message.contains("`letter` uses `{place}`, which is not given"), "{e}");
        let unclosed = Template { name: "open", text: "Subject: x\n\nHello {name" };
        assert!(unclosed.compile().unwrap_err().message.contains("`open`: an unclosed `{`"));
        assert!(unclosed.render(&vars).is_err());
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_blank() {
        assert!(SAMPLE.render(&[("order", "7".to_string())]).is_err());
        let no_subject = Template { name: "broken", text: "Hello\n\nbody" };
        assert!(no_subject.render(&[]).is_err());
    }

    #[test]
    fn an_activation_body_gets_the_secret_or_a_note() {
        let mail = Mail {
            id: MailId::new(1),
            cause: "event:1:worker_activation".into(),
            to: Email::parse("tom@crew.example").unwrap(),
            subject: "s".into(),
            body: format!("secret: {SECRET_PLACEHOLDER}"),
            status: MailStatus::Queued,
            attempts: 0,
            next_attempt_at: chrono::DateTime::UNIX_EPOCH,
            last_error: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            sent_at: None,
            activation_for: Some(AccountId::new(3)),
            class: MailClass::Transactional,
        };
        assert_eq!(with_secret(&mail, Some("act_x")), "secret: act_x");
        assert!(with_secret(&mail, None).contains("already active"));
    }

    #[test]
    fn no_computed_time_passes_the_last_storable_one() {
        let last = latest_time();
        assert_eq!(last.to_rfc3339(), "9999-12-31T23:59:59+00:00");
        assert_eq!(later(last - Duration::seconds(10), Duration::seconds(10)), Some(last));
        assert_eq!(later(last - Duration::seconds(10), Duration::seconds(11)), None);
        assert_eq!(later(DateTime::<Utc>::MAX_UTC, Duration::days(1)), None, "no overflow either");
        assert!(MAX_LEASE < Duration::days(2) && MAX_CLAIM >= 10_000);
    }

    #[test]
    fn mail_classes_rank_transactional_first_and_read_back() {
        assert!(MailClass::Transactional.rank() < MailClass::Bulk.rank());
        for class in [MailClass::Transactional, MailClass::Bulk] {
            assert_eq!(MailClass::from_rank(class.rank()), Some(class));
        }
        assert_eq!(MailClass::from_rank(2), None);
    }

    #[test]
    fn an_events_cause_pads_its_position_so_causes_sort_as_they_are_queued() {
        let cause = |seq: i64| event_cause(EventSeq::new(seq), "order_placed");
        assert_eq!(cause(42), "event:000000000042:order_placed");
        assert_eq!(cause(999_999_999_999), "event:999999999999:order_placed");
        // Past 12 digits the position is written whole: still unique, only no longer in order.
        assert_eq!(cause(1_000_000_000_000), "event:1000000000000:order_placed");
        assert_eq!(
            (cause(0), cause(-5)),
            ("event:000000000000:order_placed".into(), "event:-00000000005:order_placed".into())
        );
        let mut causes: Vec<String> = [9, 10, 99, 100, 5006, 50_060].into_iter().map(cause).collect();
        let queued = causes.clone();
        causes.sort();
        assert_eq!(causes, queued);
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
