//! `crew settings import`: the company's rules from a TOML file in the shape the old crew.toml
//! had, so that `crew settings import crew.toml` moves a company's rules into its database.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::settings::{self, Import, ImportStep, ImportValue, Kind, RULES, Rule, StepName};
use serde::Serialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::{describe_toml_error, line_of};
use crate::context::App;

/// Set the company's rules from a TOML file (admin), all or nothing
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew settings import crew.toml            # move an old crew.toml's rules into the database\n  crew settings import rules.toml --dry-run  # what would change\n\nThe file has the shape crew.toml had: `currency`, `time_zone`, `[pricing]`, `[ordering]`,\n`[matching]` with `[[matching.steps]]` and `[matching.neighbours]`. A step with a `command` is\nregistered as an external step (its files' checksums recorded; relative paths are relative to the\nfile). The local settings (database, format, media_dir, [mail]) are skipped: they stay in\ncrew.toml. Rules the file does not name keep their value. See docs/configuration.md."
)]
pub struct ImportArgs {
    /// The TOML file
    file: PathBuf,
    /// Show what would change; change nothing
    #[arg(long)]
    dry_run: bool,
}

pub const ACTIONS: &[Action] = &[Action::ManageSettings];

/// The largest rules file crew reads.
const MAX_BYTES: u64 = 1024 * 1024;

/// Top-level keys of a crew.toml that are not company rules: skipped.
const LOCAL_KEYS: &[&str] = &["database", "format", "media_dir", "mail"];

#[derive(Serialize)]
struct Row {
    key: String,
    old: String,
    new: String,
}

pub fn run(app: &mut App, args: ImportArgs) -> Result<()> {
    let ImportArgs { file, dry_run } = args;
    let text = read(&file)?;
    let (import, skipped) = parse(&file, &text)?;
    let report = if dry_run {
        app.rehearse(|tx, ctx| settings::import(tx, ctx, import))?
    } else {
        app.write(|tx, ctx| settings::import(tx, ctx, import))?
    };
    let mut rows: Vec<Row> = report
        .registered
        .iter()
        .map(|name| Row { key: format!("step {name}"), old: String::new(), new: "registered".into() })
        .collect();
    rows.extend(report.changed.iter().map(|c| Row { key: c.key.to_string(), old: c.old.clone(), new: c.new.clone() }));
    if !skipped.is_empty() {
        app.out.note(&format!("Skipped local settings (they stay in crew.toml): {}.", skipped.join(", ")))?;
    }
    if !rows.is_empty() || app.out.format != crate::cli::Format::Table {
        app.out.list(&rows, &["RULE", "OLD", "NEW"], |r| vec![r.key.clone(), r.old.clone(), r.new.clone()])?;
    }
    app.out.note(&format!(
        "{} {}: {} rule(s) changed, {} step(s) registered, {} already as the file says.{}",
        if dry_run { "Would import" } else { "Imported" },
        file.display(),
        report.changed.len(),
        report.registered.len(),
        report.unchanged,
        if dry_run { " Dry run: nothing was changed." } else { "" }
    ))
}

fn read(path: &Path) -> Result<String> {
    let shown = path.display();
    let fail = |e: std::io::Error| crate::files::cannot_read(&shown, &e);
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        return Err(Error::bad_input(format!("{shown} is not a regular file")).into());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes)).map_err(fail)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Error::bad_input(format!("{shown} is larger than 1 MiB; a rules file is a few dozen lines")).into());
    }
    String::from_utf8(bytes).map_err(|_| Error::bad_input(format!("{shown} is not UTF-8 text")).into())
}

/// Reads the file into the rules and steps to import, and the local keys it skipped. Every error
/// names the file, the line and the key.
fn parse(path: &Path, text: &str) -> Result<(Import, Vec<String>), Error> {
    let name = path.display().to_string();
    let doc =
        DeTable::parse(text).map_err(|e| Error::bad_input(format!("{name}: {}", describe_toml_error(text, &e))))?;
    // Relative paths of a step's command are relative to the file's folder.
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut reader = Reader { name, text, base, import: Import::default() };
    let mut skipped = Vec::new();
    let mut entries: Vec<_> = doc.get_ref().iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        let key_name: &str = key.get_ref();
        if LOCAL_KEYS.contains(&key_name) {
            skipped.push(if key_name == "mail" { "[mail]".to_string() } else { key_name.to_string() });
            continue;
        }
        reader.entry(key_name, key.span().start, value)?;
    }
    Ok((reader.import, skipped))
}

struct Reader<'a> {
    name: String,
    text: &'a str,
    base: PathBuf,
    import: Import,
}

impl Reader<'_> {
    /// "crew.toml: line 4, key `pricing.base_price`".
    fn at(&self, offset: usize, key: &str) -> String {
        format!("{}: line {}, key `{key}`", self.name, line_of(self.text, offset))
    }

    fn entry(&mut self, path: &str, key_offset: usize, value: &Spanned<DeValue<'_>>) -> Result<(), Error> {
        if let Some(rule) = RULES.iter().find(|r| r.key == path) {
            return self.rule(rule, key_offset, value);
        }
        let section = RULES.iter().any(|r| r.key.starts_with(&format!("{path}.")));
        match value.get_ref() {
            DeValue::Table(table) if section => {
                let mut entries: Vec<_> = table.iter().collect();
                entries.sort_by_key(|(k, _)| k.span().start);
                for (key, value) in entries {
                    let inner: &str = key.get_ref();
                    self.entry(&format!("{path}.{inner}"), key.span().start, value)?;
                }
                Ok(())
            }
            _ => {
                let keys: Vec<&str> = RULES.iter().map(|r| r.key).collect();
                Err(Error::bad_input(format!(
                    "{}: not a company rule; the rules are: {}",
                    self.at(key_offset, path),
                    keys.join(", ")
                )))
            }
        }
    }

    fn rule(&mut self, rule: &Rule, key_offset: usize, value: &Spanned<DeValue<'_>>) -> Result<(), Error> {
        let at = self.at(key_offset, rule.key);
        let wrong = |what: &str| Error::bad_input(format!("{at}: {what}"));
        let raw = match (rule.kind, value.get_ref()) {
            (Kind::Money, DeValue::String(s)) => s.to_string(),
            (Kind::Money, DeValue::Integer(_) | DeValue::Float(_)) => {
                return Err(wrong("write an amount as a quoted string like \"100.00\" (a number may round)"));
            }
            (Kind::Whole { .. }, DeValue::Integer(i)) => {
                whole(i).map_err(|_| wrong(&format!("expected {}", rule.kind.syntax())))?.to_string()
            }
            (Kind::Currency | Kind::TimeZone, DeValue::String(s)) => s.to_string(),
            // The canonical text of `crew settings set` is taken too.
            (Kind::Steps | Kind::Neighbours, DeValue::String(s)) => s.to_string(),
            (Kind::Neighbours, DeValue::Table(table)) => self.neighbours(rule, table)?,
            (Kind::Hours | Kind::Travel, DeValue::String(s)) => s.to_string(),
            (Kind::Steps, DeValue::Array(items)) => self.steps(rule, items)?,
            (_, other) => {
                return Err(wrong(&format!("expected {}, found {}", expected(rule.kind), type_name(other))));
            }
        };
        self.import.values.push(ImportValue { at, key: rule.key.to_string(), value: raw });
        Ok(())
    }

    /// `[matching.neighbours]` as a table of zone = [zones].
    fn neighbours(&self, rule: &Rule, table: &DeTable<'_>) -> Result<String, Error> {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut items = Vec::new();
        for (zone, list) in entries {
            let zone_name: &str = zone.get_ref();
            let at = self.at(zone.span().start, &format!("{}.{zone_name}", rule.key));
            let DeValue::Array(list) = list.get_ref() else {
                return Err(Error::bad_input(format!("{at}: expected a list of zones like [\"centre\"]")));
            };
            let mut zones = Vec::new();
            for z in list.iter() {
                match z.get_ref() {
                    DeValue::String(s) if !s.contains([',', ';', ':']) => zones.push(s.to_string()),
                    _ => return Err(Error::bad_input(format!("{at}: expected a list of zones like [\"centre\"]"))),
                }
            }
            if zone_name.contains([',', ';', ':']) {
                return Err(Error::bad_input(format!("{at}: `{zone_name}` is not a zone")));
            }
            items.push(format!("{zone_name}: {}", zones.join(", ")));
        }
        Ok(items.join("; "))
    }

    /// `[[matching.steps]]`: each a table with `name`, `weight`, and for an external step `command`
    /// and `timeout_seconds`. External steps are registered.
    fn steps(&mut self, rule: &Rule, items: &[Spanned<DeValue<'_>>]) -> Result<String, Error> {
        let mut pipeline = Vec::new();
        for item in items {
            let at = self.at(item.span().start, rule.key);
            let DeValue::Table(table) = item.get_ref() else {
                return Err(Error::bad_input(format!("{at}: each step is a table with a `name`")));
            };
            let mut name = None;
            let mut weight = 1.0;
            let mut command: Option<Vec<String>> = None;
            let mut timeout = 10u32;
            for (key, value) in table.iter() {
                let key_name: &str = key.get_ref();
                let here = self.at(key.span().start, &format!("{}.{key_name}", rule.key));
                match (key_name, value.get_ref()) {
                    ("name", DeValue::String(s)) => {
                        name = Some(StepName::parse(s).map_err(|e| e.context(&here))?);
                    }
                    ("weight", DeValue::Float(f)) => {
                        weight = f
                            .as_str()
                            .replace('_', "")
                            .parse::<f64>()
                            .map_err(|_| Error::bad_input(format!("{here}: `{}` is not a weight", f.as_str())))?;
                    }
                    ("weight", DeValue::Integer(i)) => {
                        weight = whole(i).map_err(|_| Error::bad_input(format!("{here}: not a weight")))? as f64;
                    }
                    ("command", DeValue::Array(parts)) => {
                        let parts = parts
                            .iter()
                            .map(|p| p.get_ref().as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| {
                                Error::bad_input(format!("{here}: a command is a list of strings, program first"))
                            })?;
                        command = Some(parts);
                    }
                    ("timeout_seconds", DeValue::Integer(i)) => {
                        timeout = whole(i)
                            .ok()
                            .and_then(|n| u32::try_from(n).ok())
                            .ok_or_else(|| Error::bad_input(format!("{here}: from 1 to 3600 seconds")))?;
                    }
                    ("name" | "weight" | "command" | "timeout_seconds", other) => {
                        return Err(Error::bad_input(format!("{here}: unexpected {}", type_name(other))));
                    }
                    (other, _) => {
                        return Err(Error::bad_input(format!(
                            "{here}: unknown key `{other}`; a step has name, weight, command and timeout_seconds"
                        )));
                    }
                }
            }
            let name = name.ok_or_else(|| Error::bad_input(format!("{at}: a step needs a `name`")))?;
            let weight = settings::rules::weight(name.as_str(), weight).map_err(|e| e.context(&at))?;
            match command {
                Some(parts) if !parts.is_empty() => {
                    let (program, args) = parts.split_first().expect("not empty");
                    let step = crate::steps::describe(name.clone(), program, args, &self.base, timeout)
                        .map_err(|e| e.context(format!("{at} (step `{name}`)")))?;
                    self.import.steps.push(ImportStep { at: format!("{at} (step `{name}`)"), step });
                }
                Some(_) => return Err(Error::bad_input(format!("{at}: step `{name}` has an empty `command`"))),
                None if !name.is_built_in() => {
                    return Err(Error::bad_input(format!(
                        "{at}: `{name}` is not a built-in step ({}); an external step needs a `command`",
                        settings::BUILT_IN_STEPS.join(", ")
                    )));
                }
                None => {}
            }
            pipeline.push(format!("{name}:{weight}"));
        }
        Ok(pipeline.join(", "))
    }
}

fn whole(i: &toml::de::DeInteger<'_>) -> Result<i64, std::num::ParseIntError> {
    i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Money => "an amount as a quoted string like \"100.00\"",
        Kind::Currency => "a quoted currency code like \"EUR\"",
        Kind::TimeZone => "a quoted time zone like \"Europe/Berlin\"",
        Kind::Whole { .. } => "a whole number",
        Kind::Steps => "[[matching.steps]] tables",
        Kind::Neighbours => "a table of zone = [zones]",
        Kind::Hours => "a quoted pattern like \"mon-fri 08:00-17:00\"",
        Kind::Travel => "a quoted list like \"north, south: 30\"",
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}
