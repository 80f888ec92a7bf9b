//! Interchange rows (DESIGN.md §6): records read from CSV or JSON by the shell, validated here.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::types::Email;

/// One record of an import file: where it was, and its fields as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// Where the record is in its file, as people count: `line 3`, `item 2`.
    pub location: String,
    pub fields: Fields,
}

/// A record's fields: each name once, with its value as text; read like a map from name to value
/// (`get`, `keys` in name order, `insert`). Kept compact, because an intake holds 100,000 of
/// them at once: the values in one string, and the names shared by every row of one file
/// ([`Fields::row`]) — a map of strings per row was a sixth of a large intake's time
/// (BENCHMARKS.md, "Intake").
#[derive(Clone, Default)]
pub struct Fields {
    /// The names, in the order the values are kept.
    names: Arc<Vec<String>>,
    /// Every value, one after another.
    text: String,
    /// Where each value ends in `text` (value `i` is `text[ends[i - 1]..ends[i]]`).
    ends: Vec<usize>,
}

impl Fields {
    /// A row of a file whose columns are `names` (shared by its rows): the `i`th value is the
    /// `i`th column's. Values beyond the names are dropped; names beyond the values are missing.
    /// A name given twice keeps its first value (files refuse duplicate columns before this).
    pub fn row<'a>(names: &Arc<Vec<String>>, values: impl IntoIterator<Item = &'a str>) -> Fields {
        let mut fields =
            Fields { names: Arc::clone(names), text: String::new(), ends: Vec::with_capacity(names.len()) };
        for value in values.into_iter().take(names.len()) {
            fields.text.push_str(value);
            fields.ends.push(fields.text.len());
        }
        if fields.ends.len() < names.len() || has_duplicates(names) {
            // Not one value per distinct name: keep it as a map would.
            return fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        }
        fields
    }

    /// Whether this record holds one value for each of `names`, the very list a file's rows were
    /// read with ([`Fields::row`]): its columns are then the file's, checked once for all of them.
    pub fn is_whole_row_of(&self, names: &Arc<Vec<String>>) -> bool {
        Arc::ptr_eq(&self.names, names) && self.ends.len() == names.len()
    }

    fn value(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names[..self.ends.len()].iter().position(|n| n == name)
    }

    /// The value of the field `name`, if the record has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.index(name).map(|i| self.value(i))
    }

    /// Whether the record has a field `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.index(name).is_some()
    }

    /// Sets the field `name` to `value`; returns its earlier value, if it had one.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        match self.index(&name) {
            Some(i) => {
                let old = self.value(i).to_string();
                let mut rebuilt: Vec<(String, String)> =
                    self.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                rebuilt[i].1 = value;
                *self = rebuilt.into_iter().collect();
                Some(old)
            }
            None => {
                let names = Arc::make_mut(&mut self.names);
                names.truncate(self.ends.len());
                names.push(name);
                self.text.push_str(&value);
                self.ends.push(self.text.len());
                None
            }
        }
    }

    /// The names and values, in the order they are kept (a file's column order).
    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.ends.len()).map(|i| (self.names[i].as_str(), self.value(i)))
    }

    /// The names, in name order (as a map of names would list them).
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        let mut names: Vec<&String> = self.names[..self.ends.len()].iter().collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no field at all.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The fields as a map, in name order.
    pub fn to_map(&self) -> BTreeMap<&str, &str> {
        self.iter().collect()
    }
}

fn has_duplicates(names: &[String]) -> bool {
    names.iter().enumerate().any(|(i, n)| names[..i].contains(n))
}

impl FromIterator<(String, String)> for Fields {
    /// As a map is collected: a name given again takes the later value.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let map: BTreeMap<String, String> = iter.into_iter().collect();
        Fields::from(map)
    }
}

impl From<BTreeMap<String, String>> for Fields {
    fn from(map: BTreeMap<String, String>) -> Self {
        let mut fields = Fields { names: Arc::new(Vec::with_capacity(map.len())), ..Fields::default() };
        let names = Arc::make_mut(&mut fields.names);
        for (name, value) in map {
            names.push(name);
            fields.text.push_str(&value);
            fields.ends.push(fields.text.len());
        }
        fields
    }
}

impl PartialEq for Fields {
    /// Equal when they hold the same names with the same values, in whatever order they are kept.
    fn eq(&self, other: &Self) -> bool {
        self.to_map() == other.to_map()
    }
}

impl Eq for Fields {}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.to_map()).finish()
    }
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
            return Err(Error::bad_input(format!(
                "unknown field {} (known fields: {})",
                crate::types::Echo(c),
                known.join(", ")
            )));
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
        let raw = self.raw(name).ok_or_else(|| Error::bad_input(format!("field `{name}` is required")))?;
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
        _ => Err(Error::bad_input(format!("{} must be a whole number from {min} to {max}", crate::types::Echo(raw)))),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn header(names: &[&str]) -> Arc<Vec<String>> {
        Arc::new(names.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn a_row_reads_each_column_by_name_and_lists_names_in_name_order() {
        let names = header(&["name", "email", "age"]);
        let row = Fields::row(&names, ["Ann", "ann@x.example", ""]);
        assert_eq!((row.get("name"), row.get("email"), row.get("age")), (Some("Ann"), Some("ann@x.example"), Some("")));
        assert_eq!(row.get("zone"), None);
        assert!(row.contains_key("age") && !row.contains_key("zone"));
        assert_eq!(row.keys().map(String::as_str).collect::<Vec<_>>(), ["age", "email", "name"]);
        assert_eq!(row.len(), 3);
        // Rows of one file share their names.
        let other = Fields::row(&names, ["Bo", "bo@x.example", "7"]);
        assert!(Arc::ptr_eq(&row.names, &other.names));
        assert_eq!(other.get("age"), Some("7"));
        assert_ne!(row, other);
    }

    #[test]
    fn a_row_with_fewer_values_than_names_has_only_those_and_one_with_more_drops_the_rest() {
        let names = header(&["a", "b", "c"]);
        let short = Fields::row(&names, ["1", "2"]);
        assert_eq!((short.get("a"), short.get("b"), short.get("c")), (Some("1"), Some("2"), None));
        assert_eq!(short.keys().collect::<Vec<_>>(), ["a", "b"]);
        let long = Fields::row(&names, ["1", "2", "3", "4"]);
        assert_eq!(long.len(), 3);
        assert_eq!(long.get("c"), Some("3"));
    }

    #[test]
    fn a_name_given_twice_is_one_field_as_in_a_map() {
        let row = Fields::row(&header(&["a", "a"]), ["1", "2"]);
        assert_eq!(row.len(), 1);
        let collected: Fields =
            [("a".to_string(), "1".to_string()), ("a".to_string(), "2".to_string())].into_iter().collect();
        assert_eq!(collected.get("a"), Some("2"), "the later value, as a map collects");
    }

    #[test]
    fn inserting_adds_a_field_or_replaces_its_value_returning_the_old_one() {
        let names = header(&["name", "email"]);
        let shared = Fields::row(&names, ["Ann", "ann@x.example"]);
        let mut row = shared.clone();
        assert_eq!(row.insert("password_hash".into(), "h".into()), None);
        assert_eq!(row.insert("name".into(), "Anna".into()), Some("Ann".into()));
        assert_eq!(row.insert("password_hash".into(), "h2".into()), Some("h".into()));
        assert_eq!(
            row.to_map(),
            BTreeMap::from([("email", "ann@x.example"), ("name", "Anna"), ("password_hash", "h2")])
        );
        // The other rows of the file are untouched.
        assert_eq!((shared.len(), shared.get("name"), names.len()), (2, Some("Ann"), 2));
    }

    proptest! {
        /// Whatever is collected or inserted, the fields answer as a map of the same pairs would.
        #[test]
        fn fields_answer_as_a_map_of_the_same_pairs(
            pairs in proptest::collection::vec(("[a-e]{1,2}", "[a-z ]{0,4}"), 0..12),
            extra in proptest::collection::vec(("[a-g]{1,2}", "[a-z]{0,3}"), 0..6),
        ) {
            let mut map: BTreeMap<String, String> = pairs.iter().cloned().collect();
            let mut fields: Fields = pairs.iter().cloned().collect();
            for (k, v) in extra {
                prop_assert_eq!(fields.insert(k.clone(), v.clone()), map.insert(k, v));
            }
            prop_assert_eq!(fields.len(), map.len());
            prop_assert_eq!(fields.keys().collect::<Vec<_>>(), map.keys().collect::<Vec<_>>());
            for k in ["a", "b", "ab", "f", "zz"] {
                prop_assert_eq!(fields.get(k), map.get(k).map(String::as_str));
            }
            prop_assert_eq!(&fields, &Fields::from(map.clone()));
            // A row of a file with the same columns in another order is the same record.
            let names: Arc<Vec<String>> = Arc::new(map.keys().rev().cloned().collect());
            let row = Fields::row(&names, map.values().rev().map(String::as_str));
            prop_assert_eq!(&row, &fields);
        }
    }
}
