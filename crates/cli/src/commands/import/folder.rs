//! `crew import FOLDER`: a whole company in one transaction.

use std::path::{Path, PathBuf};

use anyhow::Result;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::hiring;
use crew_core::iam::{self, StaffRow};
use crew_core::imports::RawRecord;
use crew_core::ordering::{self, ServiceTypeRow};

use super::{CLIENT_COLUMNS, Line, WORKER_COLUMNS, report};
use crate::context::{App, bad_input};
use crate::files::{Input, Limits, read_input, read_records};

/// A folder may hold any of staff, service types, clients and workers.
pub const ACTIONS: &[Action] =
    &[Action::ManageAccounts, Action::ManageServiceTypes, Action::ImportClients, Action::ImportWorkers];

/// Reads `[[key]]` tables of a TOML file as records (`account 2`, …).
fn read_toml_records(
    path: &Path,
    key: &str,
    required: &[&str],
    optional: &[&str],
    limits: &Limits,
) -> Result<Vec<RawRecord>> {
    let text = String::from_utf8(read_input(path, Input::Document, limits)?).map_err(|e| bad_input(e.into()))?;
    let doc: toml::Table = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        Error::bad_input(format!("{}: line {line}: {}", path.display(), e.message().trim_end()))
    })?;
    if let Some(other) = doc.keys().find(|k| k.as_str() != key) {
        return Err(
            Error::bad_input(format!("{}: unknown key `{other}` (expected [[{key}]] tables)", path.display())).into()
        );
    }
    let Some(items) = doc.get(key) else {
        return Ok(Vec::new());
    };
    let Some(items) = items.as_array() else {
        return Err(Error::bad_input(format!("{}: `{key}` must be written as [[{key}]] tables", path.display())).into());
    };
    let mut records = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let location = format!("{key} {}", i + 1);
        let Some(table) = item.as_table() else {
            return Err(Error::bad_input(format!("{}: {location}: expected a table", path.display())).into());
        };
        let mut fields = std::collections::BTreeMap::new();
        for (k, v) in table {
            // Staff and service types have no numeric fields: a value must be a string, never
            // a number or a boolean read as one.
            let toml::Value::String(text) = v else {
                return Err(Error::bad_input(format!(
                    "{}: {location}: field `{k}`: expected a string in quotes, found {} {v}",
                    path.display(),
                    v.type_str()
                ))
                .into());
            };
            let text = text.clone();
            fields.insert(k.clone(), text);
        }
        crew_core::imports::check_columns(fields.keys().map(String::as_str), required, optional)
            .map_err(|e| e.context(&location).context(path.display()))?;
        records.push(RawRecord { location, fields: fields.into() });
    }
    Ok(records)
}

/// Whether the folder holds something by this name. Not only regular files: a FIFO or a folder
/// named `clients.csv` is refused by name when read, never skipped in silence.
fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// The one `stem.csv`, `.json`, `.jsonl` or `.ndjson` in the folder (two of them is an error:
/// which one was meant?).
fn find(folder: &Path, stem: &str) -> Result<Option<PathBuf>> {
    let found: Vec<PathBuf> = ["csv", "json", "jsonl", "ndjson"]
        .iter()
        .map(|ext| folder.join(format!("{stem}.{ext}")))
        .filter(|p| present(p))
        .collect();
    if found.len() > 1 {
        let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::bad_input(format!("{} all hold {stem}: keep one", names.join(", "))).into());
    }
    Ok(found.into_iter().next())
}

/// Imports a whole company folder in one transaction: staff, service types, clients, workers.
pub fn run(app: &mut App, folder: &Path) -> Result<()> {
    // Not there at all: not found (exit 4), as any file named that is not there.
    if let Err(e) = std::fs::metadata(folder)
        && e.kind() == std::io::ErrorKind::NotFound
    {
        return Err(crate::files::cannot_read(folder.display(), &e).into());
    }
    if !folder.is_dir() {
        return Err(Error::bad_input(format!(
            "{} is not a folder (to import one file: crew import clients|workers FILE)",
            folder.display()
        ))
        .into());
    }
    let limits = app.limits();
    let staff_path = folder.join("staff.toml");
    let types_path = folder.join("service-types.toml");
    let staff = present(&staff_path)
        .then(|| read_toml_records(&staff_path, "account", StaffRow::REQUIRED, StaffRow::OPTIONAL, &limits))
        .transpose()?;
    let types = present(&types_path)
        .then(|| {
            read_toml_records(&types_path, "service_type", ServiceTypeRow::REQUIRED, ServiceTypeRow::OPTIONAL, &limits)
        })
        .transpose()?;
    let clients_path = find(folder, "clients")?;
    let workers_path = find(folder, "workers")?;
    let clients = clients_path.as_deref().map(|p| read_records(p, CLIENT_COLUMNS, &limits)).transpose()?;
    let workers = workers_path.as_deref().map(|p| read_records(p, WORKER_COLUMNS, &limits)).transpose()?;
    if staff.is_none() && types.is_none() && clients.is_none() && workers.is_none() {
        return Err(Error::bad_input(format!(
            "{} holds nothing to import (staff.toml, service-types.toml, clients.csv, workers.csv)",
            folder.display()
        ))
        .into());
    }
    let name = |p: &Path| p.display().to_string();
    let rows = clients.as_ref().map_or(0, Vec::len) + workers.as_ref().map_or(0, Vec::len);
    let mut bar = app.progress("rows", rows);
    let lines = app.write(|tx, ctx| {
        let mut lines = Vec::new();
        if let Some(records) = &staff {
            let summary = iam::import_staff(tx, ctx, records).map_err(|e| e.context(name(&staff_path)))?;
            lines.push(Line { what: "staff", file: name(&staff_path), summary });
        }
        if let Some(records) = &types {
            let summary = ordering::import_service_types(tx, ctx, records).map_err(|e| e.context(name(&types_path)))?;
            lines.push(Line { what: "service types", file: name(&types_path), summary });
        }
        if let (Some(records), Some(path)) = (&clients, &clients_path) {
            let summary = iam::import_clients(tx, ctx, records, &mut bar).map_err(|e| e.context(name(path)))?;
            lines.push(Line { what: "clients", file: name(path), summary });
        }
        if let (Some(records), Some(path)) = (&workers, &workers_path) {
            let summary = hiring::import_workforce(tx, ctx, records, &mut bar).map_err(|e| e.context(name(path)))?;
            lines.push(Line { what: "workers", file: name(path), summary });
        }
        Ok(lines)
    })?;
    drop(bar);
    report(app, &lines)
}
