//! Printing results: tables for people, JSON and CSV for scripts. Everything goes through here so
//! that a closed pipe ends crew quietly instead of with a panic, and so that text from outside
//! (an intake row, a file name, a value echoed in an error) stays inert: every value printed is
//! passed through [`shown`] (or [`shown_line`]), which escapes terminal and bidi controls; CSV
//! cells are also kept from being read as spreadsheet formulas ([`csv_cell`]); JSON escapes them
//! as `\uXXXX` ([`write_json`]).

use std::borrow::Cow;
use std::io::{self, Write};

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use crew_core::types::{FORMULA_STARTS, Lines, inert, is_steering};
use serde::Serialize;

use crate::cli::Format;

/// A value as crew prints it in a record's field or a CSV cell: control characters (but newline
/// and tab, which multi-line fields hold), Unicode's other line breaks and bidi overrides escaped
/// as `\u{1b}`.
pub fn shown(text: &str) -> Cow<'_, str> {
    inert(text, Lines::Keep)
}

/// A value on a line of its own (an error, a rejected row, a sentence, a list's table cell):
/// newlines and tabs escaped too, so that nothing from outside can start a line that looks like
/// crew's own.
pub fn shown_line(text: &str) -> Cow<'_, str> {
    inert(text, Lines::Escape)
}

/// A CSV cell: [`shown`], and a cell that a spreadsheet would take for a formula (one starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a `'` in front, as OWASP recommends.
/// Plain numbers (`-12.50`) are left as they are: a spreadsheet reads them as numbers.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let cell = shown(text);
    if cell.starts_with(FORMULA_STARTS) && !is_plain_number(&cell) {
        return Cow::Owned(format!("'{cell}"));
    }
    cell
}

/// `-12`, `+3.5`: a sign, digits, and at most one decimal point between digits.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// How results are printed.
pub struct Out {
    pub format: Format,
    pub quiet: bool,
}

impl Out {
    /// Prints a list: a table, a JSON array, or CSV with a header row. Every row has one cell per
    /// header; a row that does not is crew's own mistake, refused as an internal error (exit 1)
    /// before anything is printed, in every format.
    pub fn list<T: Serialize>(&self, items: &[T], headers: &[&str], cells: impl Fn(&T) -> Vec<String>) -> Result<()> {
        let rows: Vec<Vec<String>> = match self.format {
            Format::Json => Vec::new(),
            _ => items.iter().map(&cells).collect(),
        };
        if let Some(row) = rows.iter().find(|row| row.len() != headers.len()) {
            anyhow::bail!(
                "internal error: this list has {} columns ({}) but a row of {} values; please report it",
                headers.len(),
                headers.join(", "),
                row.len()
            );
        }
        match self.format {
            Format::Json => write_json(items),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(io::stdout().lock());
                w.write_record(headers.iter().map(|h| h.to_lowercase()))?;
                for row in &rows {
                    w.write_record(row.iter().map(|c| csv_cell(c).into_owned()))?;
                }
                w.flush()?;
                Ok(())
            }
            Format::Table => {
                if items.is_empty() {
                    return self.note("(none)");
                }
                let mut table = new_table();
                table.set_header(headers.iter().map(|h| h.to_string()));
                // A list's row is one line: a newline in a value must not start a row of its own.
                for row in &rows {
                    table.add_row(row.iter().map(|c| shown_line(c).into_owned()));
                }
                print_table(&table)
            }
        }
    }

    /// Prints one record: `field  value` lines, a JSON object, or a one-row CSV.
    pub fn record<T: Serialize>(&self, item: &T, fields: &[(&str, String)]) -> Result<()> {
        match self.format {
            Format::Json => write_json(item),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(io::stdout().lock());
                w.write_record(fields.iter().map(|(k, _)| k.to_string()))?;
                w.write_record(fields.iter().map(|(_, v)| csv_cell(v).into_owned()))?;
                w.flush()?;
                Ok(())
            }
            Format::Table => {
                let mut table = new_table();
                for (k, v) in fields {
                    table.add_row(vec![k.to_string(), shown(v).into_owned()]);
                }
                print_table(&table)
            }
        }
    }

    /// The result of a change: a sentence for people (unless quiet), the record for scripts.
    pub fn done<T: Serialize>(&self, item: &T, fields: &[(&str, String)], sentence: &str) -> Result<()> {
        match self.format {
            Format::Table => self.note(sentence),
            _ => self.record(item, fields),
        }
    }

    /// A sentence for people on stdout, one line ([`one_line`]); silent with `--quiet` or a
    /// machine format.
    pub fn note(&self, sentence: &str) -> Result<()> {
        if self.quiet || self.format != Format::Table {
            return Ok(());
        }
        one_line(sentence)
    }
}

/// Writes text to stdout, [`shown`]: a block whose newlines are its own (an exported journal, a
/// multi-line value). A line that quotes values from outside is written with [`one_line`].
pub fn line(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{}", shown(text))?;
    Ok(())
}

/// Writes one line to stdout, [`shown_line`]: a line break or tab inside it (from a value it
/// quotes) is escaped, so it stays one line and cannot pass for a line of crew's own. Sentences
/// ([`Out::note`]) and report lines that quote reasons, causes or summaries are written so.
pub fn one_line(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{}", shown_line(text))?;
    Ok(())
}

/// Writes one line to stderr (a warning, a rejected row), [`shown_line`]. A closed stderr is
/// ignored: there is nobody left to tell.
pub fn warn(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", shown_line(text));
}

/// Writes `value` as pretty JSON. serde escapes the C0 controls; DEL, the C1 controls and the bidi
/// overrides it leaves raw, so they are escaped here as `\u007f`, `\u009b`, `\u202e`: the same
/// string to every JSON reader, inert on a terminal.
fn write_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    // Serialise first: a closed pipe then surfaces as an io::Error, which ends crew quietly.
    let text = json_inert(serde_json::to_string_pretty(value)?);
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// JSON text with the steering characters serde leaves raw written as `\uXXXX` escapes. They can
/// only occur inside strings (serde escapes the C0 controls there, so a raw newline is the pretty
/// printer's own), where such an escape means the same.
fn json_inert(text: String) -> String {
    let raw = |c: char| is_steering(c) && c != '\n';
    if !text.chars().any(raw) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn new_table() -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Disabled);
    table
}

fn print_table(table: &Table) -> Result<()> {
    let mut out = io::stdout().lock();
    for l in table.lines() {
        // Columns are padded by one space on each side; people do not need the outer ones.
        let l = l.strip_prefix(' ').unwrap_or(&l);
        writeln!(out, "{}", l.trim_end())?;
    }
    Ok(())
}

/// An indicatif progress bar that draws only when stderr is a terminal (indicatif hides itself
/// otherwise) and disappears when done.
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// A spinner for work of unknown length, on a terminal only.
    pub fn spinner(what: &str, visible: bool) -> Bar {
        use std::io::IsTerminal;
        if !visible || !io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(what.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Bar(Some(bar))
    }

    pub fn new(what: &str, total: u64, visible: bool) -> Bar {
        use std::io::IsTerminal;
        // Small jobs finish before a bar would be read.
        if !visible || total < 1_000 || !io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})") {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        Bar(Some(bar))
    }
}

impl crew_core::imports::Progress for Bar {
    fn advance(&mut self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        for (raw, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 20 7946 0101", "'+44 20 7946 0101"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            // A carriage return is escaped first, so it no longer starts the cell.
            ("\r=1", "\\u{d}=1"),
            ("-12.50", "-12.50"),
            ("+3", "+3"),
            ("12", "12"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("Ann", "Ann"),
            ("a=b", "a=b"),
            ("\u{1b}]0;title\u{7}", "\\u{1b}]0;title\\u{7}"),
        ] {
            assert_eq!(csv_cell(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_stays_the_same_json() {
        let value = serde_json::json!({ "name": "a\u{7f}b\u{9b}c\u{202e}d\u{1b}e\nf" });
        let text = json_inert(serde_json::to_string_pretty(&value).unwrap());
        assert!(!text.chars().any(|c| is_steering(c) && c != '\n'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
