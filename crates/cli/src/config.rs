//! `crew.toml`: what belongs to whoever runs crew on this machine — the database, the output
//! format, the media folder and the mail transport. See `docs/configuration.md`.
//!
//! The company's rules (prices, time zone, grace, limits, matching's steps) are not read from here:
//! they live in the database (`crew settings`). A company rule found in this file is refused, never
//! honoured, and so is a file that others can write or that belongs to someone else: whoever can
//! put a crew.toml where crew runs must not steer it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::cli::Format;

/// The configuration file as written. Unknown keys are refused so that typos do not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// The database file; relative paths are relative to the configuration file.
    pub database: Option<PathBuf>,
    /// The output format when neither `--format` nor `CREW_FORMAT` says: table, json or csv.
    pub format: Option<String>,
    /// Where photos are kept; default: `<database stem>-media/` beside the database.
    pub media_dir: Option<PathBuf>,
    pub mail: MailConfig,
    /// `[services.payment]`, `[services.transfer]`: the money services (the sandbox if absent).
    pub services: crate::money::ServicesConfig,
    pub contractor: crate::contractor::ContractorConfig,
}

/// The top-level keys that hold company rules: refused in a local file (a test checks every rule
/// of the settings is under one of them).
const COMPANY_SECTIONS: &[&str] = &[
    "currency",
    "time_zone",
    "pricing",
    "ordering",
    "imports",
    "sessions",
    "matching",
    "billing",
    "supplies",
    "quality",
    "bets",
];

/// The keys a local file may hold, for messages.
const LOCAL_KEYS: &str = "database, format, media_dir, [mail], [services] and [contractor]";

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
    /// How many mails a delivery sends at once (SMTP connections kept open and reused), 1 to 64.
    pub parallel: u32,
    /// A delivery stops after this many attempts in a row could not reach the server (refused
    /// connection, dropped, timed out); the rest wait for the next run with no attempt counted.
    pub stop_after_failures: u32,
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
    /// For `starttls` and `tls`: a PEM file of certificate authorities trusted besides the
    /// built-in Mozilla roots (a company's own CA, a test server's); relative to this file.
    /// Without it, a server whose certificate no built-in root vouches for is refused.
    pub ca_file: Option<PathBuf>,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            from: "crew <crew@localhost>".into(),
            transport: "file".into(),
            dir: None,
            max_attempts: 5,
            backoff_seconds: 60,
            parallel: 4,
            stop_after_failures: 3,
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
            ca_file: None,
        }
    }
}

/// A company rule found in a local file: its dotted key and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyKey {
    pub key: String,
    pub line: usize,
}

/// The settings in force after flags, environment, file and defaults.
#[derive(Debug)]
pub struct Config {
    pub file: FileConfig,
    /// The file the settings came from, if any.
    pub source: Option<PathBuf>,
    pub db: PathBuf,
    /// The file's output format, if it names one.
    pub format: Option<Format>,
    pub media_dir: PathBuf,
    /// Where the `file` mail transport writes.
    pub mail_dir: PathBuf,
    /// Company rules the file holds, in file order (refused unless the command tolerates them).
    pub company_keys: Vec<CompanyKey>,
}

/// The default configuration file looked for when neither `--config` nor `CREW_CONFIG` is given.
pub const DEFAULT_FILE: &str = "crew.toml";

impl Config {
    /// Loads `explicit` (from `--config`/`CREW_CONFIG`; must exist) or `./crew.toml` (if it exists),
    /// then applies `db` (from `--db`/`CREW_DB`) over the file's `database`.
    pub fn load(explicit: Option<&Path>, db: Option<&Path>) -> Result<Config> {
        let source = match explicit {
            Some(path) => Some(path.to_path_buf()),
            // `exists`, not `is_file`: a folder or a FIFO named crew.toml is refused, not skipped.
            None if Path::new(DEFAULT_FILE).exists() => Some(PathBuf::from(DEFAULT_FILE)),
            None => None,
        };
        let text = match &source {
            Some(path) => read_trusted(path)?,
            None => String::new(),
        };
        let name = source.as_deref().map_or_else(|| "the defaults".to_string(), |p| p.display().to_string());
        let company_keys =
            company_keys(&text).map_err(|e| anyhow::anyhow!("{name}: {}", describe_toml_error(&text, &e)))?;
        let mut file: FileConfig = if company_keys.is_empty() {
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{name}: {}", describe_toml_error(&text, &e)))?
        } else {
            // Only a command that tolerates company rules gets this far with some (the others
            // refuse them): it reads the rest of the file without them.
            let mut table: toml::Table = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            table.retain(|key, _| !COMPANY_SECTIONS.contains(&key));
            table.try_into().map_err(|e| anyhow::anyhow!("{name}: {e}"))?
        };
        let at = |key: &str| match line_of_key(&text, key) {
            Some(line) => format!("{name}: line {line}, key `{key}`"),
            None => format!("{name}: key `{key}`"),
        };
        let format = match file.format.as_deref() {
            None => None,
            Some("table") => Some(Format::Table),
            Some("json") => Some(Format::Json),
            Some("csv") => Some(Format::Csv),
            Some(other) => bail!("{}: `{other}` is not an output format: use table, json or csv", at("format")),
        };
        let base = source.as_deref().and_then(Path::parent).unwrap_or(Path::new(""));
        let db = match (db, &file.database) {
            (Some(db), _) => db.to_path_buf(),
            // A PostgreSQL URL is not a path relative to the file.
            (None, Some(url)) if url.to_str().is_some_and(crew_store::is_postgres_url) => url.clone(),
            (None, Some(path)) => base.join(path),
            (None, None) => PathBuf::from("crew.db"),
        };
        let on_server = crew_store::Database::is_postgres(&db);
        // Folders beside a database on a server: beside the configuration file, else here (as an
        // absolute path, like the folders beside a database file).
        let here = match source.as_deref() {
            Some(_) => base.to_path_buf(),
            None => std::env::current_dir().unwrap_or_default(),
        };
        let media_dir = match &file.media_dir {
            Some(dir) => base.join(dir),
            // Beside the configuration file (or here) when the database is on a server.
            None if on_server => here.join("crew-media"),
            None => default_media_dir(&db),
        };
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
        if !(1..=64).contains(&mail.parallel) {
            bail!("{}: from 1 to 64 mails at once", at("mail.parallel"));
        }
        if !(1..=1000).contains(&mail.stop_after_failures) {
            bail!("{}: from 1 to 1000 failures in a row", at("mail.stop_after_failures"));
        }
        if !(1..=600).contains(&mail.smtp.timeout_seconds) {
            bail!("{}: from 1 to 600 seconds", at("mail.smtp.timeout_seconds"));
        }
        // Relative to the file that names it, like the other paths.
        let ca_file = mail.smtp.ca_file.as_ref().map(|ca| base.join(ca));
        file.mail.smtp.ca_file = ca_file;
        let mail = &file.mail;
        let mail_dir = match &mail.dir {
            Some(dir) => base.join(dir),
            None if on_server => here.join("crew-mail"),
            None => {
                let stem = db.file_stem().map_or_else(|| "crew".into(), |s| s.to_string_lossy().into_owned());
                db.with_file_name(format!("{stem}-mail"))
            }
        };
        Ok(Config { file, source, db, format, media_dir, mail_dir, company_keys })
    }

    /// Refuses company rules in the file, naming the first one and the way to move them.
    pub fn refuse_company_keys(&self) -> Result<()> {
        let Some(first) = self.company_keys.first() else { return Ok(()) };
        bail!("{}", self.company_keys_message(first));
    }

    /// A warning for commands that tolerate company rules in the file (they do not use them).
    pub fn company_keys_warning(&self) -> Option<String> {
        let first = self.company_keys.first()?;
        Some(format!("warning: {}", self.company_keys_message(first)))
    }

    fn company_keys_message(&self, first: &CompanyKey) -> String {
        let name = self.source.as_deref().map_or_else(|| DEFAULT_FILE.to_string(), |p| p.display().to_string());
        let more = match self.company_keys.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more company rule)".to_string(),
            n => format!(" (and {n} more company rules)"),
        };
        format!(
            "{name}: line {}, key `{}`{more}: company rules are no longer read from a local file (whoever can put a crew.toml where crew runs would set them); they live in the database. An admin moves them there with `crew settings import {name}`, then deletes them from {name}, which keeps only {LOCAL_KEYS}.",
            first.line, first.key
        )
    }

    /// The folder relative paths in the configuration are relative to (the file's, else the
    /// working directory).
    pub fn base_dir(&self) -> PathBuf {
        match self.source.as_deref().and_then(Path::parent) {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// Company rules in a configuration text: every key under a section that holds company rules,
/// with its line, in file order.
fn company_keys(text: &str) -> std::result::Result<Vec<CompanyKey>, toml::de::Error> {
    let doc = toml::de::DeTable::parse(text)?;
    let mut found = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        let key_name: &str = key.get_ref();
        if !COMPANY_SECTIONS.contains(&key_name) {
            continue;
        }
        match value.get_ref() {
            toml::de::DeValue::Table(table) if !table.is_empty() => {
                for (inner, _) in table.iter() {
                    let inner_name: &str = inner.get_ref();
                    found.push(CompanyKey {
                        key: format!("{key_name}.{inner_name}"),
                        line: line_of(text, inner.span().start),
                    });
                }
            }
            _ => found.push(CompanyKey { key: key_name.to_string(), line: line_of(text, key.span().start) }),
        }
    }
    found.sort_by_key(|k| k.line);
    Ok(found)
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn default_media_dir(db: &Path) -> PathBuf {
    let stem = db.file_stem().map_or_else(|| "crew".into(), |s| s.to_string_lossy().into_owned());
    db.with_file_name(format!("{stem}-media"))
}

/// Reads a configuration file only if it is a regular file that its reader controls: owned by the
/// current user (or root) and writable by nobody else.
fn read_trusted(path: &Path) -> Result<String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read configuration file {shown}"))?;
    if !meta.is_file() {
        let kind = crate::files::kind_of(&meta.file_type());
        bail!("configuration file {shown} is {kind}, not a regular file: crew reads only regular files");
    }
    check_owner_and_mode(path, &meta, "configuration file")?;
    let bytes = crate::files::read_input(path, crate::files::Input::Config, &crate::files::Limits::DEFAULT)?;
    let text = String::from_utf8(bytes).with_context(|| format!("configuration file {shown} is not UTF-8 text"))?;
    Ok(text)
}

/// The user crew runs as.
pub fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Refuses a file others could change: one writable by its group or by everyone, or one that
/// belongs to another user (root's files are trusted: root can change anything anyway).
pub fn check_owner_and_mode(path: &Path, meta: &std::fs::Metadata, what: &str) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let shown = path.display();
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
            (true, true) => "its group and by everyone",
            (true, false) => "its group",
            _ => "everyone",
        };
        let fix = if what == "configuration file" { "chmod 600" } else { "chmod go-w" };
        bail!(
            "{what} {shown} can be changed by {who} (mode {mode:04o}), so crew does not trust it: make it yours alone with `{fix} {shown}`"
        );
    }
    let me = current_uid();
    let owner = meta.uid();
    if owner != me && owner != 0 {
        bail!(
            "{what} {shown} belongs to another user (uid {owner}; crew runs as uid {me}), so crew does not trust it: use a copy of your own (`cp {shown} mine && chmod 600 mine`)"
        );
    }
    Ok(())
}

/// "line 3, key `pricing.base_price`: …", from toml's span.
pub fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end();
    let Some(span) = e.span() else { return message.to_string() };
    let line = line_of(text, span.start);
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
    use std::os::unix::fs::PermissionsExt;

    fn load_text(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("crew.toml");
        std::fs::write(&path, text)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        Config::load(Some(&path), None)
    }

    #[test]
    fn defaults_apply_when_the_file_is_empty() {
        let c = load_text("").unwrap();
        assert_eq!(c.file.mail.transport, "file");
        assert_eq!(c.format, None);
        assert!(c.company_keys.is_empty());
    }

    #[test]
    fn a_bad_value_names_line_and_key() {
        let e = load_text("\n[mail]\ntransport = \"pigeon\"\n").unwrap_err().to_string();
        assert!(e.contains("line 3, key `mail.transport`"), "{e}");
        let e = load_text("format = \"yaml\"\n").unwrap_err().to_string();
        assert!(e.contains("line 1, key `format`") && e.contains("table, json or csv"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let e = load_text("\n\n[mail]\nsender = 5\n").unwrap_err().to_string();
        assert!(e.contains("line 4") && e.contains("sender"), "{e}");
    }

    #[test]
    fn company_rules_are_found_with_their_lines_in_file_order() {
        let c = load_text(
            "database = \"x.db\"\n[pricing]\nbase_price = \"1.00\"\n\n[[matching.steps]]\nname = \"rating\"\n[matching.neighbours]\nnorth = []\n",
        )
        .unwrap();
        let found: Vec<(&str, usize)> = c.company_keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
        assert_eq!(found[0], ("pricing.base_price", 3));
        assert!(found.contains(&("matching.steps", 5)) && found.contains(&("matching.neighbours", 7)), "{found:?}");
        let e = c.refuse_company_keys().unwrap_err().to_string();
        assert!(e.contains("line 3, key `pricing.base_price` (and 2 more company rules)"), "{e}");
        assert!(e.contains("crew settings import"), "{e}");
        let c = load_text("time_zone = \"UTC\"\n").unwrap();
        assert_eq!(c.company_keys, [CompanyKey { key: "time_zone".into(), line: 1 }]);
    }

    #[test]
    fn every_company_rule_lives_in_a_section_the_local_file_recognises() {
        for rule in crew_core::settings::RULES {
            let top = rule.key.split('.').next().unwrap();
            assert!(COMPANY_SECTIONS.contains(&top), "{} is not in COMPANY_SECTIONS", rule.key);
        }
    }

    #[test]
    fn a_file_others_can_write_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crew.toml");
        std::fs::write(&path, "").unwrap();
        for (mode, who) in [(0o664, "its group"), (0o646, "everyone"), (0o666, "its group and by everyone")] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let e = Config::load(Some(&path), None).unwrap_err().to_string();
            assert!(e.contains(who) && e.contains(&format!("mode {mode:04o}")) && e.contains("chmod 600"), "{e}");
        }
        for mode in [0o600, 0o644, 0o400] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            Config::load(Some(&path), None).unwrap();
        }
    }

    #[test]
    fn the_database_is_relative_to_the_file_and_a_flag_beats_it() {
        let c = load_text("database = \"data/crew.db\"\n").unwrap();
        assert!(c.db.ends_with("data/crew.db") && c.db.is_absolute());
        assert!(c.media_dir.ends_with("data/crew-media"));
        let c = Config::load(None, Some(Path::new("/tmp/x.db"))).unwrap();
        assert_eq!(c.db, PathBuf::from("/tmp/x.db"));
    }

    /// A server's URL is taken as it is, not as a path beside the file; the folders crew writes
    /// go beside the file (or where the file says).
    #[test]
    fn a_database_on_a_server_is_a_url_and_its_folders_are_beside_the_file() {
        let url = "postgres://crew@db.example/company?schema=acme";
        let c = load_text(&format!("database = \"{url}\"\n")).unwrap();
        assert_eq!(c.db, PathBuf::from(url));
        let beside = c.source.as_deref().and_then(Path::parent).unwrap();
        assert_eq!(c.media_dir, beside.join("crew-media"));
        assert_eq!(c.mail_dir, beside.join("crew-mail"));
        let c = load_text(&format!("database = \"{url}\"\nmedia_dir = \"photos\"\n")).unwrap();
        assert!(c.media_dir.ends_with("photos") && c.media_dir.is_absolute());
        let c = Config::load(None, Some(Path::new(url))).unwrap();
        assert_eq!(c.db, PathBuf::from(url));
        assert!(c.media_dir.is_absolute() && c.media_dir.ends_with("crew-media"), "{:?}", c.media_dir);
    }
}
