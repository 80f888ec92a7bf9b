//! Hiring: how workers join the pool. Candidates apply, take test sets, are ranked, and the best
//! are accepted ([`pipeline`]); the company's existing workforce arrives by import (here). Both
//! emit [`HiringEvent::WorkerHired`], to which IAM, matching and (later) billing react.

pub mod events;
pub mod notifications;
pub mod pipeline;
pub mod store;

pub use events::{HireSource, HiredWorker, HiringEvent};
pub use store::{HiringStore, HiringTx};

use crate::authz::{Action, Role, require};
use crate::error::{Error, Result};
use crate::imports::{Field, ImportSummary, Progress, RawRecord, bounded};
use crate::kernel::command::{Ctx, record};
use crate::types::{Email, Name, SkillSet, Zone};

/// One row of `crew import workers`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerRow(pub HiredWorker);

/// A short free-text field of a row (breed, coat, photo path, source): like a name.
pub(crate) fn short_text(raw: &str) -> Result<String> {
    Name::parse_as(raw, "the value").map(Name::into_string)
}

impl WorkerRow {
    pub const REQUIRED: &'static [&'static str] = &["name", "email", "zone", "skills"];
    pub const OPTIONAL: &'static [&'static str] = &["capacity", "rating", "age", "breed", "coat", "photo"];
    /// The fields that are whole numbers (a JSON file may give them as numbers).
    pub const NUMERIC: &'static [&'static str] = &["capacity", "rating", "age"];

    pub fn parse(record: &RawRecord) -> Result<Self> {
        let f = Field::new(record);
        let skills = f.required("skills", SkillSet::parse)?;
        if skills.is_empty() {
            return Err(Error::bad_input("field `skills`: at least one `skill:level` is required"));
        }
        Ok(WorkerRow(HiredWorker {
            name: f.required("name", Name::parse)?,
            email: f.required("email", Email::parse)?,
            zone: f.required("zone", Zone::parse)?,
            skills,
            capacity: f.optional("capacity", |s| bounded(s, 1, 20))?.map(|n| n as u32),
            rating: f.optional("rating", |s| bounded(s, 0, 100))?.map(|n| n as u8),
            age: f.optional("age", |s| bounded(s, 0, 200))?.map(|n| n as u32),
            breed: f.optional("breed", short_text)?,
            coat: f.optional("coat", short_text)?,
            photo: f.optional("photo", short_text)?,
            source: HireSource::WorkforceImport,
        }))
    }
}

/// `crew import workers`: every new worker is hired (one `WorkerHired` each, which IAM, and later
/// matching and billing, react to). Workers already in the pool are left as they are and counted
/// as skipped: their profiles change through their own commands, not through imports.
pub fn import_workforce(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    records: &[RawRecord],
    progress: &mut dyn Progress,
) -> Result<ImportSummary> {
    require(&ctx.actor, Action::ImportWorkers)?;
    let rows = crate::imports::parse_unique_by_email(records, WorkerRow::parse, |r| &r.0.email)?;
    let mut summary = ImportSummary::default();
    for (raw, WorkerRow(worker)) in records.iter().zip(rows) {
        match tx.account_by_email(&worker.email)? {
            Some(a) if a.role == Role::Worker => summary.skipped += 1,
            Some(a) => {
                return Err(Error::conflict(format!(
                    "{}: field `email`: {} belongs to a {} account",
                    raw.location, worker.email, a.role
                )));
            }
            None => {
                record(tx, ctx, HiringEvent::WorkerHired(worker))?;
                summary.created += 1;
            }
        }
        progress.advance(1);
    }
    Ok(summary)
}
