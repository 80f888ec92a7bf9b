//! `crew.toml`: every setting with its documented default. See `docs/configuration.md`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono_tz::Tz;
use crew_core::types::Money;
use serde::Deserialize;

/// The configuration file as written. Unknown keys are refused so that typos do not pass silently.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// The database file; relative paths are relative to the configuration file.
    pub database: Option<PathBuf>,
    /// The one currency every amount is in (ISO 4217 code, shown beside amounts).
    pub currency: String,
    /// The time zone times are shown and read in (IANA name).
    pub time_zone: String,
    /// Where photos are kept; default: `<database stem>-media/` beside the database.
    pub media_dir: Option<PathBuf>,
    pub pricing: Pricing,
    pub ordering: Ordering,
    pub matching: Matching,
    pub mail: MailConfig,
}

/// `[mail]`: the sender, the transport, and how delivery retries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The sender of every mail (`Name <address>` or an address).
    pub from: String,
    /// `file` (one .eml per message in `dir`) or `smtp`.
    pub transport: String,
    /// For `file`: the folder; relative to this file. Default: `<database stem>-mail/` beside the
    /// database.
    pub dir: Option<PathBuf>,
    /// Attempts before a mail goes to the dead letters.
    pub max_attempts: u32,
    /// The wait after the first failed attempt, in seconds; it doubles after each further one.
    pub backoff_seconds: i64,
    pub smtp: SmtpConfig,
}

/// `[mail.smtp]`. The password is never in this file: it comes from the environment variable
/// named by `password_env`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `none` (plain, for a local relay), `starttls` or `tls`.
    pub tls: String,
    pub user: Option<String>,
    pub password_env: String,
    pub timeout_seconds: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            from: "crew <crew@localhost>".into(),
            transport: "file".into(),
            dir: None,
            max_attempts: 5,
            backoff_seconds: 60,
            smtp: SmtpConfig::default(),
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "localhost".into(),
            port: 25,
            tls: "starttls".into(),
            user: None,
            password_env: "CREW_SMTP_PASSWORD".into(),
            timeout_seconds: 30,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pricing {
    /// The price of any order before discounts.
    pub base_price: Money,
}

/// `[matching]`: the scoring pipeline and its rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Matching {
    /// Capacity of a hired worker whose hiring did not say.
    pub default_capacity: u32,
    /// Rating of a hired worker whose hiring did not say.
    pub default_rating: u8,
    /// The scoring steps, in order: built-in (`skill_fit`, `rating`, `load`, `history`) or external.
    pub steps: Vec<StepConfig>,
    /// Zones whose workers may take an order nobody in its own zone can take.
    pub neighbours: std::collections::BTreeMap<String, Vec<String>>,
}

/// One `[[matching.steps]]` table.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct StepConfig {
    pub name: String,
    #[serde(default = "one")]
    pub weight: f64,
    /// An external step's program and arguments; relative paths are relative to the config file.
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default = "ten")]
    pub timeout_seconds: u64,
}

fn one() -> f64 {
    1.0
}

fn ten() -> u64 {
    10
}

impl Default for Matching {
    fn default() -> Self {
        let built_in = |name: &str, weight: f64| StepConfig {
            name: name.into(),
            weight,
            command: Vec::new(),
            timeout_seconds: 10,
        };
        Matching {
            default_capacity: 1,
            default_rating: 50,
            steps: vec![
                built_in("skill_fit", 1.0),
                built_in("rating", 1.0),
                built_in("load", 0.5),
                built_in("history", 0.5),
            ],
            neighbours: Default::default(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ordering {
    /// Minutes after an order's time before a worker who has not checked in is a no-show.
    pub no_show_grace_minutes: u32,
    /// Largest photo accepted, in MiB.
    pub max_photo_mib: u32,
}

impl Default for FileConfig {
    fn default() -> Self {
        FileConfig {
            database: None,
            currency: "EUR".into(),
            time_zone: "UTC".into(),
            media_dir: None,
            pricing: Pricing::default(),
            ordering: Ordering::default(),
            matching: Matching::default(),
            mail: MailConfig::default(),
        }
    }
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing { base_price: Money::from_cents(10_000) }
    }
}

impl Default for Ordering {
    fn default() -> Self {
        Ordering { no_show_grace_minutes: 30, max_photo_mib: 20 }
    }
}

/// The settings in force after flags, environment, file and defaults.
#[derive(Debug)]
pub struct Config {
    pub file: FileConfig,
    /// The file the settings came from, if any.
    pub source: Option<PathBuf>,
    pub time_zone: Tz,
    pub db: PathBuf,
    pub media_dir: PathBuf,
    pub matching: crew_core::matching::Settings,
    pub worker_defaults: crew_core::matching::WorkerDefaults,
    /// Where the `file` mail transport writes.
    pub mail_dir: PathBuf,
}

/// The default configuration file looked for when neither `--config` nor `CREW_CONFIG` is given.
pub const DEFAULT_FILE: &str = "crew.toml";

impl Config {
    /// Loads `explicit` (from `--config`/`CREW_CONFIG`; must exist) or `./crew.toml` (if it exists),
    /// then applies `db` (from `--db`/`CREW_DB`) over the file's `database`.
    pub fn load(explicit: Option<&Path>, db: Option<&Path>) -> Result<Config> {
        let (file, source) = match explicit {
            Some(path) => (read(path)?, Some(path.to_path_buf())),
            None if Path::new(DEFAULT_FILE).is_file() => {
                (read(Path::new(DEFAULT_FILE))?, Some(PathBuf::from(DEFAULT_FILE)))
            }
            None => (FileConfig::default(), None),
        };
        let text = source.as_deref().and_then(|p| read_text(p).ok()).unwrap_or_default();
        let name = source.as_deref().map_or_else(|| "the defaults".to_string(), |p| p.display().to_string());
        let at = |key: &str| match line_of_key(&text, key) {
            Some(line) => format!("{name}: line {line}, key `{key}`"),
            None => format!("{name}: key `{key}`"),
        };
        let time_zone: Tz = file.time_zone.parse().map_err(|_| {
            anyhow::anyhow!("{}: `{}` is not an IANA time zone like `Europe/Berlin`", at("time_zone"), file.time_zone)
        })?;
        let currency_ok = file.currency.len() == 3 && file.currency.bytes().all(|b| b.is_ascii_uppercase());
        if !currency_ok {
            bail!("{}: `{}` is not a three-letter currency code like `EUR`", at("currency"), file.currency);
        }
        if file.pricing.base_price.cents() < 0 {
            bail!("{}: a price cannot be negative", at("pricing.base_price"));
        }
        let base = source.as_deref().and_then(Path::parent).unwrap_or(Path::new(""));
        let db = match (db, &file.database) {
            (Some(db), _) => db.to_path_buf(),
            (None, Some(path)) => base.join(path),
            (None, None) => PathBuf::from("crew.db"),
        };
        let media_dir = match &file.media_dir {
            Some(dir) => base.join(dir),
            None => default_media_dir(&db),
        };
        let matching =
            matching_settings(&file.matching, base).map_err(|(key, e)| anyhow::anyhow!("{}: {e}", at(key)))?;
        let m = &file.matching;
        if !(1..=20).contains(&m.default_capacity) {
            bail!("{}: capacity must be from 1 to 20", at("matching.default_capacity"));
        }
        if !(1..=1024).contains(&file.ordering.max_photo_mib) {
            bail!("{}: from 1 to 1024 MiB", at("ordering.max_photo_mib"));
        }
        if m.default_rating > 100 {
            bail!("{}: a rating is from 0 to 100", at("matching.default_rating"));
        }
        let worker_defaults =
            crew_core::matching::WorkerDefaults { capacity: m.default_capacity, rating: m.default_rating };
        let mail = &file.mail;
        if !matches!(mail.transport.as_str(), "file" | "smtp") {
            bail!("{}: `{}` is not a mail transport: use file or smtp", at("mail.transport"), mail.transport);
        }
        if !matches!(mail.smtp.tls.as_str(), "none" | "starttls" | "tls") {
            bail!("{}: `{}` is not a TLS mode: use none, starttls or tls", at("mail.smtp.tls"), mail.smtp.tls);
        }
        if mail.from.parse::<lettre::message::Mailbox>().is_err() {
            bail!("{}: `{}` is not a sender like `crew <crew@example.com>`", at("mail.from"), mail.from);
        }
        if !(1..=100).contains(&mail.max_attempts) {
            bail!("{}: from 1 to 100", at("mail.max_attempts"));
        }
        if !(1..=86_400).contains(&mail.backoff_seconds) {
            bail!("{}: from 1 to 86400 seconds", at("mail.backoff_seconds"));
        }
        if !(1..=600).contains(&mail.smtp.timeout_seconds) {
            bail!("{}: from 1 to 600 seconds", at("mail.smtp.timeout_seconds"));
        }
        let mail_dir = match &mail.dir {
            Some(dir) => base.join(dir),
            None => {
                let stem = db.file_stem().map_or_else(|| "crew".into(), |s| s.to_string_lossy().into_owned());
                db.with_file_name(format!("{stem}-mail"))
            }
        };
        Ok(Config { file, source, time_zone, db, media_dir, matching, worker_defaults, mail_dir })
    }
}

/// Checks `[matching]` and turns it into the domain's settings. An error names its key.
fn matching_settings(m: &Matching, base: &Path) -> Result<crew_core::matching::Settings, (&'static str, String)> {
    const STEPS: &str = "matching.steps";
    use crew_core::matching::{Step, StepKind};
    use crew_core::types::Zone;
    let mut steps = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in &m.steps {
        if !seen.insert(s.name.clone()) {
            return Err((STEPS, format!("step `{}` is listed twice", s.name)));
        }
        if !s.weight.is_finite() || s.weight < 0.0 || s.weight > 1000.0 {
            return Err((STEPS, format!("step `{}`: weight must be from 0 to 1000", s.name)));
        }
        let kind = match (StepKind::built_in(&s.name), s.command.is_empty()) {
            (Some(kind), true) => kind,
            (Some(_), false) => {
                return Err((STEPS, format!("`{}` is a built-in step; give an external step another name", s.name)));
            }
            (None, false) => StepKind::External,
            (None, true) => {
                return Err((
                    STEPS,
                    format!(
                        "`{}` is not a built-in step (skill_fit, rating, load, history); an external step needs a `command`",
                        s.name
                    ),
                ));
            }
        };
        if kind == StepKind::External && !(1..=3600).contains(&s.timeout_seconds) {
            return Err((STEPS, format!("step `{}`: timeout_seconds must be from 1 to 3600", s.name)));
        }
        let mut command = s.command.clone();
        // A program given as a relative path (`scripts/steps/x.py`) is found beside the config.
        if let Some(program) = command.first_mut()
            && program.contains('/')
            && Path::new(program).is_relative()
        {
            *program = base.join(&*program).display().to_string();
        }
        steps.push(Step { name: s.name.clone(), kind, weight: s.weight, command, timeout_seconds: s.timeout_seconds });
    }
    let mut neighbours = std::collections::BTreeMap::new();
    for (zone, list) in &m.neighbours {
        let zone = Zone::parse(zone).map_err(|e| ("matching.neighbours", e.to_string()))?;
        let list = list
            .iter()
            .map(|z| Zone::parse(z))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ("matching.neighbours", e.to_string()))?;
        neighbours.insert(zone, list);
    }
    Ok(crew_core::matching::Settings { steps, neighbours })
}

impl Config {
    /// The folder relative paths in the configuration are relative to (the file's, else the
    /// working directory).
    pub fn base_dir(&self) -> PathBuf {
        match self.source.as_deref().and_then(Path::parent) {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

fn default_media_dir(db: &Path) -> PathBuf {
    let stem = db.file_stem().map_or_else(|| "crew".into(), |s| s.to_string_lossy().into_owned());
    db.with_file_name(format!("{stem}-media"))
}

/// The configuration file's text: a regular file of at most `Limits::DEFAULT.config_bytes`.
fn read_text(path: &Path) -> Result<String> {
    let bytes = crate::files::read_input(path, crate::files::Input::Config, &crate::files::Limits::DEFAULT)?;
    String::from_utf8(bytes).with_context(|| format!("configuration file {} is not UTF-8 text", path.display()))
}

fn read(path: &Path) -> Result<FileConfig> {
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), describe_toml_error(&text, &e)))
}

/// "line 3, key `pricing.base_price`: …", from toml's span.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end();
    let Some(span) = e.span() else { return message.to_string() };
    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
    match key_at(text, line) {
        // toml names unknown keys itself.
        Some(key) if !message.contains(&format!("`{}`", key.rsplit('.').next().unwrap_or(&key))) => {
            format!("line {line}, key `{key}`: {message}")
        }
        _ => format!("line {line}: {message}"),
    }
}

/// The dotted key assigned on a line (`pricing.base_price`), from the nearest `[table]` above it.
fn key_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let own = lines.get(line.checked_sub(1)?)?.trim();
    if own.starts_with('#') || own.starts_with('[') {
        return None;
    }
    let (key, _) = own.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// The line where a dotted key (`pricing.base_price`) is set, if it is.
fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    (1..=text.lines().count()).find(|&n| key_at(text, n).as_deref() == Some(dotted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("crew.toml");
        std::fs::write(&path, text)?;
        Config::load(Some(&path), None)
    }

    #[test]
    fn defaults_apply_when_the_file_is_empty() {
        let c = load_text("").unwrap();
        assert_eq!(c.file.pricing.base_price, Money::from_cents(10_000));
        assert_eq!(c.file.ordering.no_show_grace_minutes, 30);
        assert_eq!(c.file.currency, "EUR");
    }

    #[test]
    fn a_bad_value_names_line_and_key() {
        let e = load_text("currency = \"EUR\"\n[pricing]\nbase_price = \"ten\"\n").unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("not an amount of money"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let e = load_text("\n\n[ordering]\ngrace = 5\n").unwrap_err().to_string();
        assert!(e.contains("line 4") && e.contains("grace"), "{e}");
    }

    #[test]
    fn a_bad_time_zone_is_named() {
        let e = load_text("time_zone = \"Mars/Olympus\"\n").unwrap_err().to_string();
        assert!(e.contains("time_zone") && e.contains("Mars/Olympus"), "{e}");
    }

    #[test]
    fn the_database_is_relative_to_the_file_and_a_flag_beats_it() {
        let c = load_text("database = \"data/crew.db\"\n").unwrap();
        assert!(c.db.ends_with("data/crew.db") && c.db.is_absolute());
        assert!(c.media_dir.ends_with("data/crew-media"));
        let c = Config::load(None, Some(Path::new("/tmp/x.db"))).unwrap();
        assert_eq!(c.db, PathBuf::from("/tmp/x.db"));
    }
}
