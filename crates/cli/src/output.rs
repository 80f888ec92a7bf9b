//! Printing results: tables for people, JSON and CSV for scripts. Everything goes through here so
//! that a closed pipe ends crew quietly instead of with a panic.

use std::io::{self, Write};

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::Format;

/// How results are printed.
pub struct Out {
    pub format: Format,
    pub quiet: bool,
}

impl Out {
    /// Prints a list: a table, a JSON array, or CSV with a header row.
    pub fn list<T: Serialize>(&self, items: &[T], headers: &[&str], cells: impl Fn(&T) -> Vec<String>) -> Result<()> {
        match self.format {
            Format::Json => write_json(items),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(io::stdout().lock());
                w.write_record(headers.iter().map(|h| h.to_lowercase()))?;
                for item in items {
                    w.write_record(cells(item))?;
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
                for item in items {
                    table.add_row(cells(item));
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
                w.write_record(fields.iter().map(|(_, v)| v.clone()))?;
                w.flush()?;
                Ok(())
            }
            Format::Table => {
                let mut table = new_table();
                for (k, v) in fields {
                    table.add_row(vec![k.to_string(), v.clone()]);
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

    /// A sentence for people on stdout; silent with `--quiet` or a machine format.
    pub fn note(&self, sentence: &str) -> Result<()> {
        if self.quiet || self.format != Format::Table {
            return Ok(());
        }
        line(sentence)
    }
}

/// Writes one line to stdout.
pub fn line(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

fn write_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    // Serialise first: a closed pipe then surfaces as an io::Error, which ends crew quietly.
    let text = serde_json::to_string_pretty(value)?;
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
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
