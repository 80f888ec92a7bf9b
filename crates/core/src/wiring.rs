//! The wiring: the only module that names every context.
//!
//! It assembles the transaction every command gets ([`Tx`], the union of each context's
//! transaction trait), the database that runs it ([`Store`]), the subscribers and the order they
//! run in ([`subscribers`]), the notifiers whose mail the mail context queues, and the union of
//! every context's events for the log's readers ([`Event`]). Adding a context adds a line to each
//! list here and touches no other context.

use chrono_tz::Tz;
use serde::Serialize;

use crate::authz::{Action, require};
use crate::bets::{self, BetsEvent, BetsTx};
use crate::billing::{self, BillingEvent, BillingTx};
use crate::error::{Error, Result};
use crate::hiring::{self, HiringEvent, HiringTx};
use crate::iam::{self, IamEvent, IamTx};
use crate::ids::{AccountId, EventSeq};
use crate::kernel::clock::ClockStore;
use crate::kernel::command::{self, Ctx, Subscriber};
use crate::kernel::events::{DomainEvent, EventFilter, RecordedEvent, Subject};
use crate::mail::{self, MailTx, Notifier, Template};
use crate::matching::{self, MatchingEvent, MatchingTx};
use crate::ordering::{self, OrderingEvent, OrderingTx};
use crate::quality::{self, QualityEvent, QualityTx};
use crate::settings::{SettingsEvent, SettingsTx};
use crate::supplies::{self, SuppliesEvent, SuppliesTx};

/// One transaction over every context's storage: what a command runs in. Each context's
/// functions accept it because it offers their own transaction trait, and reach nothing else.
pub trait Tx:
    ClockStore
    + SettingsTx
    + IamTx
    + HiringTx
    + OrderingTx
    + MatchingTx
    + MailTx
    + BillingTx
    + SuppliesTx
    + QualityTx
    + BetsTx
{
}
impl<
    T: ClockStore
        + SettingsTx
        + IamTx
        + HiringTx
        + OrderingTx
        + MatchingTx
        + MailTx
        + BillingTx
        + SuppliesTx
        + QualityTx
        + BetsTx
        + ?Sized,
> Tx for T
{
}

/// A database that runs transactions.
pub trait Store {
    /// Runs `f` in a write transaction (taken up front, so concurrent writers queue instead of
    /// failing); commits if `f` returns `Ok`, rolls back otherwise.
    fn write<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R>;
    /// Runs `f` in a read transaction: a consistent snapshot; writes are not expected.
    fn read<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R>;
    /// Runs `f` in a write transaction and always rolls it back: what a change would do
    /// (`--dry-run`), without doing it.
    fn rehearse<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R>;
}

/// A subscriber of this build, over the whole transaction.
pub type BoxedSubscriber = Box<dyn for<'a> Subscriber<dyn Tx + 'a>>;

/// A command's way to let this build's subscribers catch up part-way (`kernel::command::CatchUp`).
pub type TxCatchUp<'s> = dyn for<'a> command::CatchUp<dyn Tx + 'a> + 's;

/// A notifier of this build, over the whole transaction.
pub type BoxedNotifier = Box<dyn for<'a> Notifier<dyn Tx + 'a>>;

/// Every context's notifier: the mail each context's events cause. Times in mail are written in
/// `time_zone`, labelled (`2026-12-01 10:00 CET`).
pub fn notifiers(time_zone: Tz) -> Vec<BoxedNotifier> {
    vec![
        Box::new(iam::notifications::AccountMail),
        Box::new(hiring::notifications::HiringMail),
        Box::new(ordering::notifications::OrderMail { time_zone }),
        Box::new(billing::notifications::BillingMail),
        Box::new(supplies::notifications::SuppliesMail { time_zone }),
        Box::new(quality::notifications::QualityMail),
        Box::new(bets::notifications::BetsMail),
    ]
}

/// Every mail template of this build, by context.
pub fn templates() -> Vec<Template> {
    [
        iam::notifications::TEMPLATES,
        hiring::notifications::TEMPLATES,
        ordering::notifications::TEMPLATES,
        billing::notifications::TEMPLATES,
        supplies::notifications::TEMPLATES,
        quality::notifications::TEMPLATES,
        bets::notifications::TEMPLATES,
    ]
    .concat()
}

/// The subscribers of this build, in the order they run: IAM first (others look up the accounts
/// it creates), mail last (it mails what the others did, with times in `time_zone`).
pub fn subscribers(time_zone: Tz) -> Vec<BoxedSubscriber> {
    vec![
        Box::new(iam::subscribers::WorkerAccounts),
        Box::new(ordering::subscribers::MatchedAssignments),
        Box::new(matching::subscribers::MatchingView),
        Box::new(billing::subscribers::Ledger),
        Box::new(supplies::subscribers::Kits),
        Box::new(quality::subscribers::ReviewQueue),
        Box::new(bets::subscribers::Pools),
        Box::new(mail::Notifications::<dyn for<'a> Notifier<dyn Tx + 'a>> { notifiers: notifiers(time_zone) }),
    ]
}

/// Runs a command in one write transaction and lets every subscriber catch up before commit.
pub fn execute<S: Store, R>(
    store: &mut S,
    subscribers: &[BoxedSubscriber],
    command: impl FnOnce(&mut dyn Tx) -> Result<R>,
) -> Result<R> {
    store.write(|tx| {
        let out = command(tx)?;
        command::dispatch(tx, subscribers)?;
        Ok(out)
    })
}

/// Like [`execute`], but rolled back: what the command would do.
pub fn rehearse<S: Store, R>(
    store: &mut S,
    subscribers: &[BoxedSubscriber],
    command: impl FnOnce(&mut dyn Tx) -> Result<R>,
) -> Result<R> {
    store.rehearse(|tx| {
        let out = command(tx)?;
        command::dispatch(tx, subscribers)?;
        Ok(out)
    })
}

/// Any context's event, for the log's readers (`crew events list`). Serialised exactly as stored:
/// the event's fields with its `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Event {
    Settings(SettingsEvent),
    Iam(IamEvent),
    Hiring(HiringEvent),
    Ordering(OrderingEvent),
    Matching(MatchingEvent),
    Billing(BillingEvent),
    Supplies(SuppliesEvent),
    Quality(QualityEvent),
    Bets(BetsEvent),
}

impl Event {
    /// Reads a recorded event of any context. A type no context owns is an internal error.
    pub fn decode(recorded: &RecordedEvent) -> Result<Event> {
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Settings(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Iam(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Hiring(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Ordering(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Matching(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Billing(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Supplies(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Quality(e));
        }
        if let Some(e) = recorded.decode()? {
            return Ok(Event::Bets(e));
        }
        Err(Error::internal(format!(
            "event #{} has type `{}`, which this crew does not know",
            recorded.seq, recorded.type_name
        )))
    }

    /// Every type name any context stores.
    pub fn types() -> Vec<&'static str> {
        [
            SettingsEvent::TYPES,
            IamEvent::TYPES,
            HiringEvent::TYPES,
            OrderingEvent::TYPES,
            MatchingEvent::TYPES,
            BillingEvent::TYPES,
            SuppliesEvent::TYPES,
            QualityEvent::TYPES,
            BetsEvent::TYPES,
        ]
        .concat()
    }

    /// The event's type name as stored and shown.
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::Settings(e) => e.type_name(),
            Event::Iam(e) => e.type_name(),
            Event::Hiring(e) => e.type_name(),
            Event::Ordering(e) => e.type_name(),
            Event::Matching(e) => e.type_name(),
            Event::Billing(e) => e.type_name(),
            Event::Supplies(e) => e.type_name(),
            Event::Quality(e) => e.type_name(),
            Event::Bets(e) => e.type_name(),
        }
    }

    /// What the event is about (the order, the application), as the log indexes it.
    pub fn subject(&self) -> Subject {
        match self {
            Event::Settings(e) => e.subject(),
            Event::Iam(e) => e.subject(),
            Event::Hiring(e) => e.subject(),
            Event::Ordering(e) => e.subject(),
            Event::Matching(e) => e.subject(),
            Event::Billing(e) => e.subject(),
            Event::Supplies(e) => e.subject(),
            Event::Quality(e) => e.subject(),
            Event::Bets(e) => e.subject(),
        }
    }

    /// A one-line description for people, naming accounts with `name`.
    pub fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            Event::Settings(e) => e.summary(name),
            Event::Iam(e) => e.summary(name),
            Event::Hiring(e) => e.summary(name),
            Event::Ordering(e) => e.summary(name),
            Event::Matching(e) => e.summary(name),
            Event::Billing(e) => e.summary(name),
            Event::Supplies(e) => e.summary(name),
            Event::Quality(e) => e.summary(name),
            Event::Bets(e) => e.summary(name),
        }
    }
}

/// `crew events list`: the events matching `filter`, oldest first, decoded (the audit log).
pub fn list_events(tx: &mut dyn Tx, ctx: &Ctx, filter: &EventFilter) -> Result<Vec<StoredEvent>> {
    require(&ctx.actor, Action::ViewEvents)?;
    tx.find_events(filter)?.iter().map(StoredEvent::decode).collect()
}

/// A recorded event, decoded: its position, when, by whom, what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    pub seq: EventSeq,
    /// The business time (the command's time).
    pub at: chrono::DateTime<chrono::Utc>,
    /// The real time it was recorded (absent for events from before crew kept it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Who caused it (a subscriber's reaction carries its cause's actor); `None` for crew itself.
    pub actor: Option<AccountId>,
    pub event: Event,
}

impl StoredEvent {
    /// Decodes a recorded event of any context.
    pub fn decode(recorded: &RecordedEvent) -> Result<StoredEvent> {
        Ok(StoredEvent {
            seq: recorded.seq,
            at: recorded.at,
            recorded_at: recorded.recorded_at,
            actor: recorded.actor,
            event: Event::decode(recorded)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_event_type_belongs_to_exactly_one_context() {
        let all = Event::types();
        let distinct: BTreeSet<_> = all.iter().collect();
        assert_eq!(all.len(), distinct.len(), "two contexts claim one type name: {all:?}");
    }

    #[test]
    fn every_template_belongs_to_one_context_and_has_its_file() {
        let names: Vec<&str> = templates().iter().map(|t| t.name).collect();
        let distinct: BTreeSet<_> = names.iter().collect();
        assert_eq!(names.len(), distinct.len(), "{names:?}");
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/mail");
        let files: BTreeSet<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".txt").to_string())
            .collect();
        let declared: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
        assert_eq!(files, declared, "a template file no context declares, or the other way round");
    }

    /// The layering rule, read from the source: the kernel names no context; a context names
    /// neither the wiring nor another context's own storage (`…Store`) or transaction (`…Tx`) —
    /// only its published read trait, events and query functions. Contexts are the folders of
    /// `src/` other than the kernel, so a new one is checked without editing this test.
    #[test]
    fn the_kernel_knows_no_context_and_contexts_keep_out_of_each_others_stores() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut contexts: Vec<String> = std::fs::read_dir(&src)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .filter(|n| n != "kernel")
            .collect();
        contexts.sort();
        assert!(contexts.len() >= 5, "{contexts:?}");
        // `hiring` → `Hiring`: the prefix of its traits.
        let prefix = |c: &str| c[..1].to_uppercase() + &c[1..];
        let mut files = Vec::new();
        let mut stack = vec![src.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        for path in files {
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap();
            let owner = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
            if owner == "kernel" {
                assert!(!text.contains("crate::{"), "{rel} (kernel): grouped crate imports hide what it names");
                assert!(!text.contains("crate::wiring"), "{rel} (kernel) names the wiring");
                for c in &contexts {
                    assert!(!text.contains(&format!("crate::{c}")), "{rel} (kernel) names the {c} context");
                }
            }
            if contexts.contains(&owner) {
                assert!(!text.contains("crate::wiring"), "{rel} ({owner}) names the wiring");
                for other in contexts.iter().filter(|c| **c != owner) {
                    for own in ["Store", "Tx"] {
                        let name = format!("{}{own}", prefix(other));
                        let named = text.match_indices(&name).any(|(at, _)| {
                            !text[at + name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                        });
                        assert!(!named, "{rel} ({owner}) names {name}, {other}'s own storage");
                    }
                }
            }
        }
    }

    /// Matching restarts a cycle when one of these happened since it read its batch: each must be
    /// a type some context records.
    #[test]
    fn matching_watches_only_events_that_exist() {
        let all = Event::types();
        for name in crate::matching::RELEVANT_EVENTS {
            assert!(all.contains(name), "{name} is no event type");
        }
    }
}
