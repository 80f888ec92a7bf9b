//! crew's rules, run in process against the real SQLite store (in memory).
//!
//! The end-to-end suite (`tests/`) proves what a user sees through the `crew` binary; these
//! tests prove the rules of each context one by one, through the context's public functions and
//! a real transaction, without a process per step. They are the tier `cargo mutants` runs for
//! the core modules whose rules need a store (see `docs/testing.md`):
//! `cargo mutants -p crew-core --test-package crew-core --test-package crew-store -f FILE`.

mod bets;
mod billing;
mod company;
mod hiring;
mod iam;
mod mail;
mod matching;
mod ordering;
mod quality;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crew_core::authz::Actor;
use crew_core::error::{ErrorKind, Result};
use crew_core::ids::EventSeq;
use crew_core::kernel::command::Ctx;
use crew_core::wiring::{Event, Store, StoredEvent, Tx};
use crew_store::SqliteStore;

/// 2026-11-30 08:00 UTC, plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap() + Duration::minutes(minutes)
}

pub fn store() -> SqliteStore {
    SqliteStore::in_memory().unwrap()
}

pub fn ctx(actor: &Actor, now: DateTime<Utc>) -> Ctx {
    Ctx { actor: actor.clone(), now }
}

/// The kind of a command's error; panics (the test fails) if it succeeded.
pub fn kind<T: std::fmt::Debug>(r: Result<T>) -> ErrorKind {
    r.expect_err("the command should have been refused").kind
}

/// Every event in the log, decoded, oldest first.
pub fn events(store: &mut SqliteStore) -> Vec<Event> {
    store
        .read(|tx: &mut dyn Tx| {
            tx.events_after(EventSeq::START, 100_000)?.iter().map(|r| StoredEvent::decode(r).map(|s| s.event)).collect()
        })
        .unwrap()
}
