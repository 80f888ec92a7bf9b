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

/// The fields a file may hold: those it must, those it may, and which of them are numbers (JSON
/// may give those as numbers; every other field must be a string).
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    pub required: &'a [&'a str],
    pub optional: &'a [&'a str],
    pub numeric: &'a [&'a str],
}

/// Reads a CSV (`.csv`), JSON array (`.json`) or JSON Lines (`.jsonl`, `.ndjson`) file into records,
/// refusing unknown and missing columns and JSON values of the wrong type. Errors name the file,
/// and the line or item.
pub fn read_records(path: &Path, columns: Columns<'_>) -> Result<Vec<RawRecord>> {
    let Columns { required, optional, .. } = columns;
    let bytes = read_user_file(path)?;
    let text = String::from_utf8(bytes).map_err(|e| file_error(path, format!("not UTF-8 text: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    let records = match ext.as_str() {
        "csv" => read_csv(text, required, optional),
        "json" if !text.trim_start().starts_with('{') => read_json_array(text, columns.numeric),
        "json" | "jsonl" | "ndjson" => read_json_lines(text, columns.numeric),
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
    csv_rows(text, required, optional)?
        .into_iter()
        .map(|(location, row)| row.map_err(|e| e.context(location)))
        .collect()
}

/// Every record of a CSV text after its header: where it starts, as people count lines, and the
/// record or why it could not be read. A bad header fails the whole text.
///
/// The line is the physical line the record starts on, counted from the text itself, so it is
/// right for Unix (`\n`), Windows (`\r\n`) and old Mac (`\r`) line endings, and after quoted
/// fields that span lines.
fn csv_rows(
    text: &str,
    required: &[&str],
    optional: &[&str],
) -> crew_core::Result<Vec<(String, crew_core::Result<RawRecord>)>> {
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
    let mut lines = LineCounter::new(text);
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = lines.at(record.position().map_or(0, csv::Position::byte));
                if record.iter().all(str::is_empty) {
                    continue;
                }
                let fields = headers.iter().cloned().zip(record.iter().map(str::to_string)).collect();
                let location = format!("line {line}");
                rows.push((location.clone(), Ok(RawRecord { location, fields })));
            }
            Err(e) => {
                let line = lines.at(e.position().map_or(0, csv::Position::byte));
                rows.push((format!("line {line}"), Err(Error::bad_input(csv_reason(&e)))));
            }
        }
    }
    Ok(rows)
}

/// Turns byte offsets of a text, met in increasing order, into 1-based line numbers.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter { text: text.as_bytes(), offset: 0, line: 1 }
    }

    fn at(&mut self, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        // The csv reader places a record after the `\r` of a `\r\n` it ended the last one with; a
        // record never starts with a line break, so step over it to where the record's text is.
        while matches!(self.text.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        if byte >= self.offset {
            // A line ends with `\n`, `\r\n`, or (old Macs) a `\r` alone.
            let ends = (self.offset..byte)
                .filter(|&i| match self.text[i] {
                    b'\n' => true,
                    b'\r' => self.text.get(i + 1) != Some(&b'\n'),
                    _ => false,
                })
                .count();
            self.line += ends as u64;
            self.offset = byte;
        }
        self.line
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

fn json_record(value: serde_json::Value, location: String, numeric: &[&str]) -> crew_core::Result<RawRecord> {
    let serde_json::Value::Object(map) = value else {
        return Err(Error::bad_input(format!("{location}: expected an object with named fields")));
    };
    let mut fields = BTreeMap::new();
    for (k, v) in map {
        let name = k.to_lowercase();
        let is_numeric = numeric.contains(&name.as_str());
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) if is_numeric && (n.is_i64() || n.is_u64()) => n.to_string(),
            other => {
                let expected = if is_numeric { "a whole number or a string" } else { "a string" };
                return Err(Error::bad_input(format!(
                    "{location}: field `{k}`: expected {expected}, found {}",
                    json_kind(&other)
                )));
            }
        };
        if fields.insert(name.clone(), text).is_some() {
            return Err(Error::bad_input(format!("{location}: field `{name}` appears twice")));
        }
    }
    Ok(RawRecord { location, fields })
}

/// What a JSON value is, for an error: `the number 42`, `true`, `an array`.
fn json_kind(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => format!("the number {n}"),
        serde_json::Value::String(_) => "a string".into(),
        serde_json::Value::Array(_) => "an array".into(),
        serde_json::Value::Object(_) => "an object".into(),
    }
}

/// "line 2, column 11: expected value" (serde_json repeats the position at the end; drop it).
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    format!("line {}, column {}: {}", e.line(), e.column(), text.strip_suffix(&suffix).unwrap_or(&text))
}

fn read_json_array(text: &str, numeric: &[&str]) -> crew_core::Result<Vec<RawRecord>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::bad_input(json_error(&e)))?;
    let serde_json::Value::Array(items) = value else {
        return Err(Error::bad_input("expected a JSON array of objects (or JSON Lines)"));
    };
    items.into_iter().enumerate().map(|(i, v)| json_record(v, format!("item {}", i + 1), numeric)).collect()
}

fn read_json_lines(text: &str, numeric: &[&str]) -> crew_core::Result<Vec<RawRecord>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let location = format!("line {}", i + 1);
        let value = serde_json::from_str(line).map_err(|e| Error::bad_input(format!("{location}: {e}")))?;
        out.push(json_record(value, location, numeric)?);
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
    columns: Columns<'_>,
) -> Result<(Vec<RawRecord>, Vec<crew_core::hiring::pipeline::Rejected>)> {
    let Columns { required, optional, numeric } = columns;
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
        "csv" => rows = csv_rows(text, required, optional).map_err(|e| e.context(path.display()))?,
        "json" if !text.trim_start().starts_with('{') => {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| file_error(path, json_error(&e)))?;
            let serde_json::Value::Array(items) = value else {
                return Err(file_error(path, "expected a JSON array of objects (or JSON Lines)".into()));
            };
            for (i, v) in items.into_iter().enumerate() {
                let location = format!("item {}", i + 1);
                rows.push((location.clone(), json_record(v, location, numeric)));
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
                        .and_then(|v| json_record(v, location.clone(), numeric))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<String> {
        csv_rows(text, &["a", "b"], &[]).unwrap().into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn csv_records_are_placed_on_the_physical_line_they_start_on() {
        let unix = "a,b\n1,2\n\n\"x\ny\",3\n4,5\n";
        let want = ["line 2", "line 4", "line 6"];
        assert_eq!(lines_of(unix), want);
        assert_eq!(lines_of(&unix.replace('\n', "\r\n")), want, "CRLF");
        assert_eq!(lines_of(&unix.replace('\n', "\r")), want, "CR");
    }

    #[test]
    fn a_csv_row_that_cannot_be_read_names_its_line_with_crlf_too() {
        let rows = csv_rows("a,b\r\n1,2\r\n\"p\r\nq\",2,3\r\n", &["a", "b"], &[]).unwrap();
        assert_eq!(rows[1].0, "line 3");
        assert!(rows[1].1.as_ref().unwrap_err().message.contains("3 fields"));
    }

    #[test]
    fn json_values_of_the_wrong_type_are_refused_naming_the_field() {
        let numeric = &["age"];
        for (json, want) in [
            (r#"{"zone": 42}"#, "field `zone`: expected a string, found the number 42"),
            (r#"{"name": true}"#, "field `name`: expected a string, found true"),
            (r#"{"name": {"first": "a"}}"#, "field `name`: expected a string, found an object"),
            (r#"{"name": ["a"]}"#, "field `name`: expected a string, found an array"),
            (r#"{"age": 2.5}"#, "field `age`: expected a whole number or a string, found the number 2.5"),
            (r#"{"age": false}"#, "field `age`: expected a whole number or a string, found false"),
        ] {
            let value = serde_json::from_str(json).unwrap();
            let e = json_record(value, "item 2".into(), numeric).unwrap_err().message;
            assert_eq!(e, format!("item 2: {want}"), "{json}");
        }
        let ok = json_record(serde_json::json!({"age": 7, "zone": "42", "coat": null}), "item 1".into(), numeric);
        let fields = ok.unwrap().fields;
        assert_eq!(fields.get("age").map(String::as_str), Some("7"));
        assert_eq!(fields.get("zone").map(String::as_str), Some("42"));
        assert!(!fields.contains_key("coat"));
    }
}
