//! Interchange rows (DESIGN.md §6): records read from CSV or JSON by the shell, validated here.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::types::Email;

/// One record of an import file: where it was, and its fields as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// Where the record is in its file, as people count: `line 3`, `item 2`.
    pub location: String,
    pub fields: BTreeMap<String, String>,
}

/// How many rows an import created, updated, found as they were, or skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows for accounts that exist with other details: imports do not change staff or workers
    /// (their records change through their own commands).
    pub skipped: u64,
}

/// Told how far long work has got; the shell draws a progress bar from it, tests pass `&mut ()`.
pub trait Progress {
    /// `n` more of the rows have been handled.
    fn advance(&mut self, n: u64);
}

impl Progress for () {
    fn advance(&mut self, _n: u64) {}
}

/// Refuses unknown columns and missing required ones, naming them.
pub fn check_columns<'a>(
    columns: impl IntoIterator<Item = &'a str>,
    required: &[&str],
    optional: &[&str],
) -> Result<()> {
    let columns: Vec<&str> = columns.into_iter().collect();
    for c in &columns {
        if !required.contains(c) && !optional.contains(c) {
            let mut known: Vec<&str> = required.iter().chain(optional).copied().collect();
            known.sort_unstable();
            return Err(Error::bad_input(format!("unknown field `{c}` (known fields: {})", known.join(", "))));
        }
    }
    for r in required {
        if !columns.contains(r) {
            return Err(Error::bad_input(format!("field `{r}` is required")));
        }
    }
    Ok(())
}

/// Reads typed fields out of a record, naming the field in every error.
pub struct Field<'a> {
    record: &'a RawRecord,
}

impl<'a> Field<'a> {
    pub fn new(record: &'a RawRecord) -> Self {
        Field { record }
    }

    fn raw(&self, name: &str) -> Option<&'a str> {
        self.record.fields.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    pub fn required<T>(&self, name: &str, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
        let raw = self.raw(name).ok_or_else(|| Error::bad_input(format!("field `{name}`: is required")))?;
        parse(raw).map_err(|e| e.context(format!("field `{name}`")))
    }

    pub fn optional<T>(&self, name: &str, parse: impl FnOnce(&str) -> Result<T>) -> Result<Option<T>> {
        self.raw(name).map(|raw| parse(raw).map_err(|e| e.context(format!("field `{name}`")))).transpose()
    }
}

/// Parses every record, refusing the first bad one (with its location) and any email that appears
/// twice in the same file.
pub fn parse_unique_by_email<T>(
    records: &[RawRecord],
    parse: impl Fn(&RawRecord) -> Result<T>,
    email: impl Fn(&T) -> &Email,
) -> Result<Vec<T>> {
    let mut seen: HashMap<Email, &str> = HashMap::new();
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        let row = parse(record).map_err(|e| e.context(&record.location))?;
        if let Some(first) = seen.insert(email(&row).clone(), &record.location) {
            return Err(Error::bad_input(format!(
                "{}: field `email`: {} already appears at {first}",
                record.location,
                email(&row)
            )));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A whole number field within bounds.
pub fn bounded(raw: &str, min: i64, max: i64) -> Result<i64> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(Error::bad_input(format!("`{raw}` must be a whole number from {min} to {max}"))),
    }
}
