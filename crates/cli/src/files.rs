//! Reading interchange files (DESIGN.md §6) into raw records, and keeping photos.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use crew_core::error::Error;
use crew_core::imports::{RawRecord, check_columns};
use crew_core::ordering::Photo;
use crew_core::types::Sha256Hex;

use crate::context::read_user_file;

/// Reads a CSV (`.csv`), JSON array (`.json`) or JSON Lines (`.jsonl`, `.ndjson`) file into records,
/// refusing unknown and missing columns. Errors name the file, and the line or item.
pub fn read_records(path: &Path, required: &[&str], optional: &[&str]) -> Result<Vec<RawRecord>> {
    let bytes = read_user_file(path)?;
    let text = String::from_utf8(bytes).map_err(|e| file_error(path, format!("not UTF-8 text: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    let records = match ext.as_str() {
        "csv" => read_csv(text, required, optional),
        "json" if !text.trim_start().starts_with('{') => read_json_array(text),
        "json" | "jsonl" | "ndjson" => read_json_lines(text),
        _ => Err(Error::bad_input("unknown file type: use .csv, .json or .jsonl")),
    }
    .map_err(|e| e.context(path.display()))?;
    for r in &records {
        check_columns(r.fields.keys().map(String::as_str), required, optional)
            .map_err(|e| e.context(&r.location).context(path.display()))?;
    }
    Ok(records)
}

fn file_error(path: &Path, message: String) -> anyhow::Error {
    Error::bad_input(format!("{}: {message}", path.display())).into()
}

fn read_csv(text: &str, required: &[&str], optional: &[&str]) -> crew_core::Result<Vec<RawRecord>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::bad_input(format!("line 1: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    check_columns(headers.iter().map(String::as_str), required, optional).map_err(|e| e.context("line 1"))?;
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = headers.iter().find(|h| !seen.insert(*h)) {
        return Err(Error::bad_input(format!("line 1: column `{dup}` appears twice")));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::bad_input(format!("line {line}: {}", csv_reason(&e)))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let fields = headers.iter().cloned().zip(record.iter().map(str::to_string)).collect();
        out.push(RawRecord { location: format!("line {line}"), fields });
    }
    Ok(out)
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

fn json_record(value: serde_json::Value, location: String) -> crew_core::Result<RawRecord> {
    let serde_json::Value::Object(map) = value else {
        return Err(Error::bad_input(format!("{location}: expected an object with named fields")));
    };
    let mut fields = BTreeMap::new();
    for (k, v) in map {
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
            serde_json::Value::Bool(_)
            | serde_json::Value::Number(_)
            | serde_json::Value::Array(_)
            | serde_json::Value::Object(_) => {
                return Err(Error::bad_input(format!(
                    "{location}: field `{k}`: expected text (money and skills are strings, e.g. \"12.50\")"
                )));
            }
        };
        let name = k.to_lowercase();
        if fields.insert(name.clone(), text).is_some() {
            return Err(Error::bad_input(format!("{location}: field `{name}` appears twice")));
        }
    }
    Ok(RawRecord { location, fields })
}

/// "line 2, column 11: expected value" (serde_json repeats the position at the end; drop it).
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    format!("line {}, column {}: {}", e.line(), e.column(), text.strip_suffix(&suffix).unwrap_or(&text))
}

fn read_json_array(text: &str) -> crew_core::Result<Vec<RawRecord>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::bad_input(json_error(&e)))?;
    let serde_json::Value::Array(items) = value else {
        return Err(Error::bad_input("expected a JSON array of objects (or JSON Lines)"));
    };
    items.into_iter().enumerate().map(|(i, v)| json_record(v, format!("item {}", i + 1))).collect()
}

fn read_json_lines(text: &str) -> crew_core::Result<Vec<RawRecord>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let location = format!("line {}", i + 1);
        let value = serde_json::from_str(line).map_err(|e| Error::bad_input(format!("{location}: {e}")))?;
        out.push(json_record(value, location)?);
    }
    Ok(out)
}

/// A photo copied into the media folder; removed again if the command that wanted it fails.
pub struct StoredPhoto {
    pub photo: Photo,
    created: Option<PathBuf>,
}

impl StoredPhoto {
    /// The command succeeded: keep the file.
    pub fn keep(mut self) {
        self.created = None;
    }
}

impl Drop for StoredPhoto {
    fn drop(&mut self) {
        if let Some(path) = self.created.take() {
            let _ = fs::remove_file(path);
        }
    }
}

fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1" | b"msf1")
    {
        Some("heic")
    } else {
        None
    }
}

/// Copies a photo into `media_dir/orders/<order>/<kind>-<sha256>.<ext>` and records its checksum.
pub fn store_photo(media_dir: &Path, order: &str, kind: &str, source: &Path, max_mib: u32) -> Result<StoredPhoto> {
    let meta = fs::metadata(source)
        .with_context(|| format!("cannot read photo {}", source.display()))
        .map_err(crate::context::bad_input)?;
    if meta.len() > u64::from(max_mib) * 1024 * 1024 {
        return Err(Error::bad_input(format!("photo {} is larger than {max_mib} MiB", source.display())).into());
    }
    // Read at most one byte past the limit: devices and pipes report no size.
    let mut bytes = Vec::new();
    let limit = u64::from(max_mib) * 1024 * 1024;
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            fs::File::open(source).map_err(|e| {
                crate::context::bad_input(anyhow::anyhow!("cannot read photo {}: {e}", source.display()))
            })?,
            limit + 1,
        ),
        &mut bytes,
    )
    .map_err(|e| crate::context::bad_input(anyhow::anyhow!("cannot read photo {}: {e}", source.display())))?;
    if bytes.len() as u64 > limit {
        return Err(Error::bad_input(format!("photo {} is larger than {max_mib} MiB", source.display())).into());
    }
    let ext = image_extension(&bytes).ok_or_else(|| {
        Error::bad_input(format!("{} is not a photo crew accepts (JPEG, PNG, WebP or HEIC)", source.display()))
    })?;
    let sha256 = Sha256Hex::of(&bytes);
    let relative = format!("orders/{order}/{kind}-{}.{ext}", &sha256.as_str()[..16]);
    let target = media_dir.join(&relative);
    let mut created = None;
    if !target.exists() {
        let dir = target.parent().expect("photo path has a folder");
        fs::create_dir_all(dir).with_context(|| format!("cannot create media folder {}", dir.display()))?;
        let tmp = target.with_extension("part");
        let mut f = fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &target)?;
        created = Some(target);
    }
    Ok(StoredPhoto { photo: Photo { path: relative, sha256 }, created })
}

/// Like [`read_records`], for an untrusted intake: a row that cannot be read (a broken JSON line,
/// a CSV row with the wrong number of fields, an unknown field) is returned as rejected instead of
/// failing the file. A file that cannot be read at all (bad header, not UTF-8) still fails.
pub fn read_records_lenient(
    path: &Path,
    required: &[&str],
    optional: &[&str],
) -> Result<(Vec<RawRecord>, Vec<crew_core::hiring::pipeline::Rejected>)> {
    use crew_core::hiring::pipeline::Rejected;
    let bytes = read_user_file(path)?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    // JSON Lines are read line by line: a line that is not UTF-8 is one bad row, not a bad file.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if matches!(ext.as_str(), "jsonl" | "ndjson") => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        Err(e) => return Err(file_error(path, format!("not UTF-8 text: {e}"))),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // Every row, as read: a record or why it could not be read.
    let mut rows: Vec<(String, crew_core::Result<RawRecord>)> = Vec::new();
    match ext.as_str() {
        "csv" => {
            let mut reader =
                csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(text.as_bytes());
            let headers: Vec<String> = reader
                .headers()
                .map_err(|e| file_error(path, format!("line 1: {e}")))?
                .iter()
                .map(|h| h.to_lowercase())
                .collect();
            check_columns(headers.iter().map(String::as_str), required, optional)
                .map_err(|e| e.context("line 1").context(path.display()))?;
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = headers.iter().find(|h| !seen.insert(*h)) {
                return Err(file_error(path, format!("line 1: column `{dup}` appears twice")));
            }
            for record in reader.records() {
                match record {
                    Ok(record) => {
                        let line = record.position().map_or(0, |p| p.line());
                        if record.iter().all(str::is_empty) {
                            continue;
                        }
                        let fields = headers.iter().cloned().zip(record.iter().map(str::to_string)).collect();
                        rows.push((format!("line {line}"), Ok(RawRecord { location: format!("line {line}"), fields })));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        rows.push((format!("line {line}"), Err(Error::bad_input(csv_reason(&e)))));
                    }
                }
            }
        }
        "json" if !text.trim_start().starts_with('{') => {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| file_error(path, json_error(&e)))?;
            let serde_json::Value::Array(items) = value else {
                return Err(file_error(path, "expected a JSON array of objects (or JSON Lines)".into()));
            };
            for (i, v) in items.into_iter().enumerate() {
                let location = format!("item {}", i + 1);
                rows.push((location.clone(), json_record(v, location)));
            }
        }
        "json" | "jsonl" | "ndjson" => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let location = format!("line {}", i + 1);
                let record = if line.contains('\u{fffd}') {
                    Err(Error::bad_input("not UTF-8 text"))
                } else {
                    serde_json::from_str(line)
                        .map_err(|e| Error::bad_input(format!("not a JSON object: {e}")))
                        .and_then(|v| json_record(v, location.clone()))
                };
                rows.push((location, record));
            }
        }
        _ => return Err(file_error(path, "unknown file type: use .csv, .json or .jsonl".into())),
    }
    let mut good = Vec::with_capacity(rows.len());
    let mut bad = Vec::new();
    for (location, row) in rows {
        let checked =
            row.and_then(|r| check_columns(r.fields.keys().map(String::as_str), required, optional).map(|_| r));
        match checked {
            Ok(r) => good.push(r),
            Err(e) => {
                // Errors from json_record carry the location already; keep only the reason.
                let reason = e.message.strip_prefix(&format!("{location}: ")).unwrap_or(&e.message).to_string();
                bad.push(Rejected { location, reason });
            }
        }
    }
    Ok((good, bad))
}
