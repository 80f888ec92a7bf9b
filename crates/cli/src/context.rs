//! What every command runs with: configuration, the clock, the output, the database, the
//! company's rules and the session.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use crew_core::authz::{self, Action, Actor};
use crew_core::error::Error;
use crew_core::iam;
use crew_core::kernel::clock;
use crew_core::kernel::command::{Ctx, Subscribers};
use crew_core::settings::{self, Rules};
use crew_core::wiring::{self, BoxedSubscriber, Store, Tx, TxCatchUp};
use crew_store::Database;

use crate::cli::Global;
use crate::config::Config;
use crate::files::Limits;
use crate::output::Out;
use crate::session;

/// How a command's transaction ends.
enum Mode {
    /// Committed, with the subscribers' reactions.
    Write,
    /// Run with the subscribers' reactions, then rolled back (`--dry-run`).
    Rehearse,
    /// A read-only snapshot.
    Read,
}

pub struct App {
    pub config: Config,
    subscribers: Vec<BoxedSubscriber>,
    pub out: Out,
    /// The command's time as the shell first sees it: the chosen one (`--now`), else the system
    /// time at start. Transactions take their own ([`App::write`] and the like).
    pub now: DateTime<Utc>,
    /// The time given with `--now` / `CREW_NOW`, if any: allowed only where the database says so.
    pub chosen_now: Option<DateTime<Utc>>,
    store: Option<Database>,
    /// The company's rules as the database held them when it was opened: the time zone and
    /// currency that arguments are read and results shown in. Rules that decide (prices, grace,
    /// steps) are read again inside each command's transaction.
    rules: Rules,
}

impl App {
    /// Loads the configuration. Company rules in the local file are refused, unless the command
    /// `tolerates_company_rules` (it uses none of them: init, login, logout, `settings import`),
    /// when they are only warned about.
    pub fn new(global: &Global, tolerates_company_rules: bool) -> Result<App> {
        let config = Config::load(global.config.as_deref(), global.db.as_deref()).map_err(bad_input)?;
        if !tolerates_company_rules {
            config.refuse_company_keys().map_err(bad_input)?;
        } else if let Some(warning) = config.company_keys_warning() {
            eprintln!("{warning}");
        }
        let chosen_now = match &global.now {
            Some(raw) => Some(
                DateTime::parse_from_rfc3339(raw.trim())
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| Error::bad_input(format!("--now / CREW_NOW `{raw}` is not an RFC 3339 time: {e}")))
                    .and_then(|t| in_range("--now", raw, t))?,
            ),
            None => None,
        };
        let now = chosen_now.unwrap_or_else(Utc::now);
        if global.verbose {
            let source = config.source.as_deref().map_or("defaults".into(), |p| p.display().to_string());
            // A URL is shown as crew shows it everywhere: without anything secret in it.
            let db = match config.db.to_str().filter(|d| crew_store::is_postgres_url(d)) {
                Some(url) => crew_store::PostgresTarget::parse(url)
                    .map_or_else(|_| "(a PostgreSQL URL crew refuses)".to_string(), |t| t.shown().to_string()),
                None => config.db.display().to_string(),
            };
            crate::output::warn(&format!("crew: database {db}, configuration {source}, now {}", now.to_rfc3339()));
        }
        // The zone mail is written in is the company's: known once the database is open.
        let subscribers = wiring::subscribers(chrono_tz::UTC);
        let format = match (global.format_chosen, config.format) {
            (false, Some(from_file)) => from_file,
            _ => global.format,
        };
        Ok(App {
            config,
            subscribers,
            out: Out { format, quiet: global.quiet },
            now,
            chosen_now,
            store: None,
            rules: Rules::default(),
        })
    }

    /// Runs the command on `db` instead of the configured database (`crew db copy --from`); the
    /// folders beside it stay those of the configuration.
    pub fn use_database(&mut self, db: &Path) {
        self.config.db = db.to_path_buf();
        self.store = None;
    }

    pub fn db(&self) -> &Path {
        &self.config.db
    }

    /// How much crew reads from the files and input a user gives it (the photo and import limits
    /// are the company's rules).
    pub fn limits(&self) -> Limits {
        Limits {
            photo_bytes: u64::from(self.rules.max_photo_mib) * 1024 * 1024,
            import_bytes: u64::from(self.rules.max_import_mib) * 1024 * 1024,
            ..Limits::DEFAULT
        }
    }

    /// The opened database (opened once per process, its rules read as it opens). A missing file, one that is not a crew
    /// database, or one this process cannot use is refused here, before the session is looked at,
    /// so the error says what is wrong with the database rather than "not logged in".
    pub fn store(&mut self) -> Result<&mut Database> {
        if self.store.is_none() {
            let store = Database::open(&self.config.db)?;
            self.set_store(store);
        }
        Ok(self.store.as_mut().expect("store was just opened"))
    }

    /// Runs a change with no logged-in account (login, logout, activate), its events dispatched,
    /// at the command's time (a chosen time only where the database allows it to anyone).
    pub fn write_anonymous<R>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx, DateTime<Utc>) -> crew_core::Result<R>,
    ) -> Result<R> {
        let chosen = self.chosen_now;
        self.store()?;
        let store = self.store.as_mut().expect("opened above");
        Ok(wiring::execute(store, &self.subscribers, |tx| {
            let now = clock::command_time(tx, None, chosen, Utc::now())?;
            f(tx, now)
        })?)
    }

    /// Adopts a database this process opened or just created, and reads its rules.
    pub fn set_store(&mut self, mut store: Database) {
        // A stored rule this crew cannot read must not lock the admin out of setting it again:
        // show and read times by the defaults, say so; commands that decide with it refuse.
        self.rules = match store.read(|tx| settings::rules(tx)) {
            Ok(rules) => rules,
            Err(e) => {
                eprintln!("warning: {e}");
                Rules::default()
            }
        };
        self.subscribers = wiring::subscribers(self.rules.time_zone);
        self.store = Some(store);
    }

    /// The company's currency, shown beside amounts.
    pub fn currency(&self) -> &str {
        self.rules.currency.as_str()
    }

    /// The caller's secret: `CREW_TOKEN`, else this database's login session.
    fn token(&self) -> Result<String> {
        if let Ok(token) = std::env::var("CREW_TOKEN")
            && !token.trim().is_empty()
        {
            return Ok(token);
        }
        session::load(self.db())?.ok_or_else(|| {
            Error::not_allowed("not logged in: run `crew login LOGIN` (or set CREW_TOKEN for a service account)").into()
        })
    }

    /// The hash of the caller's session token (or service token), as the database keeps it.
    pub fn token_hash(&self) -> Result<String> {
        Ok(iam::token_hash(&self.token()?))
    }

    /// Checks, before any other work, that the caller may perform every one of `actions`.
    pub fn authorize(&mut self, actions: &[Action]) -> Result<Actor> {
        self.store()?;
        let hash = self.token_hash()?;
        let chosen = self.chosen_now;
        let actor = self.store()?.read(|tx| {
            let checked_at = clock::session_time(tx, chosen, Utc::now())?;
            iam::authenticate(tx, &hash, checked_at)
        })?;
        for action in actions {
            authz::require(&actor, *action)?;
        }
        if actor.role == authz::Role::Admin {
            self.warn_identity_clashes()?;
        }
        Ok(actor)
    }

    /// Tells an admin, on every command until they are settled, of accounts or applications whose
    /// login or email became the same key when the database was brought into Unicode NFC (crew
    /// merged nothing). Only admins are told: the warning names other people's keys.
    fn warn_identity_clashes(&mut self) -> Result<()> {
        for clash in self.store()?.identity_clashes()? {
            let ids: Vec<String> = clash.ids.iter().map(|id| format!("#{id}")).collect();
            crate::output::warn(&format!(
                "warning: {}s {} share the key `{}` in different Unicode forms; nothing was merged: keep one \
                 (docs/formats.md, \"One form of Unicode\")",
                clash.kind,
                ids.join(", "),
                clash.key
            ));
        }
        Ok(())
    }

    /// Runs a change as the logged-in account, in one transaction with its events.
    pub fn write<R>(&mut self, f: impl FnOnce(&mut dyn Tx, &Ctx) -> crew_core::Result<R>) -> Result<R> {
        self.as_actor(Mode::Write, |tx, ctx, _| f(tx, ctx))
    }

    /// [`write`](Self::write) of a long change that lets the subscribers catch up as it goes
    /// (its third argument; see `CatchUp`): an intake's events are not all held until it ends.
    pub fn write_in_steps<R>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx, &Ctx, &mut TxCatchUp<'_>) -> crew_core::Result<R>,
    ) -> Result<R> {
        self.as_actor(Mode::Write, f)
    }

    /// Runs a change as the logged-in account and rolls it back (`--dry-run`).
    pub fn rehearse<R>(&mut self, f: impl FnOnce(&mut dyn Tx, &Ctx) -> crew_core::Result<R>) -> Result<R> {
        self.as_actor(Mode::Rehearse, |tx, ctx, _| f(tx, ctx))
    }

    /// Runs a query as the logged-in account.
    pub fn read<R>(&mut self, f: impl FnOnce(&mut dyn Tx, &Ctx) -> crew_core::Result<R>) -> Result<R> {
        self.as_actor(Mode::Read, |tx, ctx, _| f(tx, ctx))
    }

    /// Authenticates inside the transaction (the session may have ended since `authorize`), then
    /// runs `f` with the actor and the command's time, taken once the transaction has begun (for a
    /// write, after the write lock: commands are stamped in the order they commit).
    /// A write's subscribers may catch up part-way (`f`'s third argument); a read's never do.
    fn as_actor<R>(
        &mut self,
        mode: Mode,
        f: impl FnOnce(&mut dyn Tx, &Ctx, &mut TxCatchUp<'_>) -> crew_core::Result<R>,
    ) -> Result<R> {
        let hash = self.token_hash()?;
        let chosen = self.chosen_now;
        self.store()?;
        let store = self.store.as_mut().expect("opened above");
        let subscribers = &self.subscribers;
        let command = |tx: &mut dyn Tx| {
            let checked_at = clock::session_time(tx, chosen, Utc::now())?;
            let actor = iam::authenticate(tx, &hash, checked_at)?;
            let now = clock::command_time(tx, Some(&actor), chosen, Utc::now())?;
            match mode {
                Mode::Read => f(tx, &Ctx { actor, now }, &mut ()),
                Mode::Write | Mode::Rehearse => f(tx, &Ctx { actor, now }, &mut Subscribers(subscribers)),
            }
        };
        let out = match mode {
            Mode::Write => wiring::execute(store, &self.subscribers, command),
            Mode::Rehearse => wiring::rehearse(store, &self.subscribers, command),
            Mode::Read => store.read(command),
        }?;
        Ok(out)
    }

    /// A progress bar on stderr for long work, shown only on a terminal and without `--quiet`.
    pub fn progress(&self, what: &str, total: usize) -> crate::output::Bar {
        crate::output::Bar::new(what, total as u64, !self.out.quiet)
    }

    /// The company's time zone.
    pub fn tz(&self) -> Tz {
        self.rules.time_zone
    }

    /// A time for people, in the configured zone. A time in the hour that happens twice (the
    /// autumn clock change) carries the zone's abbreviation or offset, which tells the two apart:
    /// `2026-10-25 02:30 CEST` then `2026-10-25 02:30 CET`.
    pub fn show_time(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.tz());
        match self.tz().from_local_datetime(&local.naive_local()) {
            LocalResult::Ambiguous(..) => local.format("%Y-%m-%d %H:%M %Z").to_string(),
            _ => local.format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// Reads a time given on the command line: RFC 3339, or `YYYY-MM-DD HH:MM` (or with `T`) in the
    /// configured time zone.
    pub fn parse_time(&self, flag: &str, raw: &str) -> Result<DateTime<Utc>> {
        let s = raw.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(in_range(flag, raw, t.with_timezone(&Utc))?);
        }
        let local = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
            .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)));
        let Some(local) = local else {
            return Err(Error::bad_input(format!(
                "{flag} `{raw}` is not a time: write `2026-11-27 10:00` (in {}) or RFC 3339",
                self.tz()
            ))
            .into());
        };
        let t = match self.tz().from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, second) => {
                return Err(Error::bad_input(format!(
                    "{flag} `{raw}` happens twice in {} (the clock goes back): write `{}` ({}) or `{}` ({})",
                    self.tz(),
                    first.to_rfc3339(),
                    first.format("%Z"),
                    second.to_rfc3339(),
                    second.format("%Z"),
                ))
                .into());
            }
            LocalResult::None => {
                return Err(Error::bad_input(format!(
                    "{flag} `{raw}` does not exist in {} (a clock change)",
                    self.tz()
                ))
                .into());
            }
        };
        Ok(in_range(flag, raw, t)?)
    }
}

/// Names the flag (or argument) a value came from in its error: `--description: text must be at
/// most 2000 characters`.
pub trait FromFlag<T> {
    fn flag(self, name: &str) -> crew_core::Result<T>;
}

impl<T> FromFlag<T> for crew_core::Result<T> {
    fn flag(self, name: &str) -> crew_core::Result<T> {
        self.map_err(|e| e.context(name))
    }
}

/// Times crew stores are years 1970 to 9999 (they are kept as fixed-width text).
fn in_range(flag: &str, raw: &str, t: DateTime<Utc>) -> crew_core::Result<DateTime<Utc>> {
    use chrono::Datelike;
    if (1970..=9999).contains(&t.year()) {
        Ok(t)
    } else {
        Err(Error::bad_input(format!("{flag} `{raw}` is out of range: use a year from 1970 to 9999")))
    }
}

/// Marks an error from configuration or files as the user's to fix (exit code 2).
pub fn bad_input(e: anyhow::Error) -> anyhow::Error {
    if e.chain().any(|c| c.downcast_ref::<Error>().is_some()) {
        return e;
    }
    Error::bad_input(format!("{e:#}")).into()
}
