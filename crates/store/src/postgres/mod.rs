//! crew's PostgreSQL store: the same storage traits as the SQLite store, for a company whose
//! managers, cron jobs, intake and warehouse work from several machines at once (issue 12;
//! `docs/postgres.md` is the user's guide).
//!
//! **Where.** A URL, `postgres://USER@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=…&sslrootcert=FILE]`.
//! crew's tables live in one schema (`public` unless `schema=` names another), so several
//! companies can share a server or a database. The password comes only from the environment
//! (`PGPASSWORD`): a URL with a password is refused, because a URL is seen in process lists,
//! shell history and configuration files.
//!
//! **TLS.** `sslmode=disable|prefer|require` as libpq says (`prefer` by default). When the
//! connection is encrypted, the server's certificate is always verified (rustls), against the
//! Mozilla roots or the certificate authority in `sslrootcert`.
//!
//! **The same semantics as SQLite**, where they need care:
//! - *One writer at a time.* A write transaction runs at READ COMMITTED and first takes a
//!   transaction-level advisory lock on the schema (`pg_advisory_xact_lock`), released by commit
//!   or rollback: writers queue as SQLite's `BEGIN IMMEDIATE` makes them queue, so subscriber
//!   positions, the stale-batch check of matching and "the last active admin" are decided by one
//!   writer at a time. READ COMMITTED (not REPEATABLE READ) because every statement must see what
//!   the previous lock holder committed; a snapshot taken before the lock was granted would not.
//!   A writer waits at most 30 s for the lock (`lock_timeout`), as SQLite's busy timeout.
//! - *Readers never wait*: a read transaction is REPEATABLE READ, READ ONLY — one snapshot.
//! - *Append-only tables* (the event log, ledger entries and postings, closed periods, bets…)
//!   are enforced by triggers that refuse UPDATE, DELETE and TRUNCATE (`crew_refuse`).
//! - *Money* is `bigint` minor units; *times* are `timestamptz`.
//! - *Outbox claims* lock the rows they lease (`FOR UPDATE SKIP LOCKED`), so delivery workers on
//!   several machines never claim the same mail.
//!
//! **Connections.** An r2d2 pool (rust-postgres' own); a crew process runs one transaction at a
//! time on one pooled connection and keeps its prepared statements. A connection found broken
//! (the server restarted) is replaced from the pool before the next transaction, so a later step
//! of a cycle reconnects; the transaction that was cut fails cleanly and changes nothing.

mod bets;
mod billing;
mod clashes;
mod events;
mod hiring;
mod iam;
mod mail;
mod matching;
mod migrate;
mod ordering;
mod quality;
pub(crate) mod row;
mod settings;
mod supplies;
#[doc(hidden)]
pub mod test_server;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crew_core::error::{Error, Result};
use crew_core::wiring::{Store, Tx};
use postgres::config::SslMode;
use postgres::{IsolationLevel, Statement};
use r2d2_postgres::PostgresConnectionManager;
use r2d2_postgres::r2d2::{Pool, PooledConnection};
use tokio_postgres_rustls::MakeRustlsConnect;

use row::{PgTx, internal};

pub use migrate::{BASELINE_VERSION, SCHEMA_VERSION as POSTGRES_SCHEMA_VERSION};

/// rust-postgres' r2d2 manager, whose connection errors keep their causes: the pool reports a
/// failure by its text, and "error performing TLS handshake" alone would not say the
/// certificate was refused.
struct Manager(PostgresConnectionManager<MakeRustlsConnect>);

/// A connection error with every cause, `outer: inner: …`.
#[derive(Debug)]
struct Reason(String);

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Reason {}

fn with_causes(e: &dyn std::error::Error) -> Reason {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    Reason(text)
}

impl r2d2_postgres::r2d2::ManageConnection for Manager {
    type Connection = postgres::Client;
    type Error = Reason;

    fn connect(&self) -> std::result::Result<postgres::Client, Reason> {
        self.0.connect().map_err(|e| with_causes(&e))
    }

    fn is_valid(&self, client: &mut postgres::Client) -> std::result::Result<(), Reason> {
        self.0.is_valid(client).map_err(|e| with_causes(&e))
    }

    fn has_broken(&self, client: &mut postgres::Client) -> bool {
        self.0.has_broken(client)
    }
}

/// How long a writer waits for another to finish, as the SQLite store's busy timeout.
const LOCK_TIMEOUT: &str = "30s";
/// How long crew waits for a server to answer a new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long crew keeps trying to get a connection (the pool retries) before giving up.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// The first key of crew's advisory locks (the second is the schema's); an arbitrary constant
/// ("crew" in ASCII) so that crew's locks do not collide with another application's.
const LOCK_CLASS: i32 = 0x6372_6577;

/// Whether a text names a PostgreSQL database rather than a file.
/// Whether a text names a PostgreSQL database rather than a file: it starts with `postgres://`
/// or `postgresql://`, in any case (URL schemes are case-insensitive, RFC 3986 §3.1).
pub fn is_postgres_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The parameters crew takes in a URL besides libpq's own (`docs/postgres.md`).
const CREW_PARAMETERS: &str = "schema, sslmode (disable, prefer, require, verify-ca, verify-full) and sslrootcert";

/// Where a PostgreSQL store is, parsed from its URL.
#[derive(Debug, Clone)]
pub struct PostgresTarget {
    config: postgres::Config,
    schema: String,
    root_cert: Option<String>,
    /// The URL without secrets, for messages.
    shown: String,
}

impl PostgresTarget {
    /// Parses `postgres://USER@HOST[:PORT]/DATABASE[?schema=…&sslmode=…&sslrootcert=…]`.
    ///
    /// Errors (bad input, exit 2): a password in the URL (give it in `PGPASSWORD`); a schema
    /// name that is not a plain lower-case identifier; a URL libpq would not accept.
    pub fn parse(url: &str) -> Result<Self> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        // The scheme in the case libpq's parser takes.
        let base = match base.split_once("://") {
            Some((scheme, rest)) => format!("{}://{rest}", scheme.to_ascii_lowercase()),
            None => base.to_string(),
        };
        let mut schema = None;
        let mut root_cert = None;
        let mut ssl_mode = None;
        let mut passed = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = key.to_ascii_lowercase();
            let once = |seen: bool| {
                if seen { Err(Error::bad_input(format!("the database URL names `{key}` twice"))) } else { Ok(()) }
            };
            match key.as_str() {
                "schema" => {
                    once(schema.is_some())?;
                    schema = Some(value.to_string());
                }
                "sslrootcert" => {
                    once(root_cert.is_some())?;
                    root_cert = Some(value.to_string());
                }
                "sslmode" => {
                    once(ssl_mode.is_some())?;
                    // crew always verifies the certificate of an encrypted connection, so libpq's
                    // verify-ca and verify-full are what `require` does here.
                    ssl_mode = Some(match value {
                        "disable" => SslMode::Disable,
                        "prefer" => SslMode::Prefer,
                        "require" | "verify-ca" | "verify-full" => SslMode::Require,
                        other => {
                            return Err(Error::bad_input(format!(
                                "sslmode `{}` in the database URL: use disable, prefer, require, verify-ca or                                  verify-full",
                                crew_core::types::inert(other, crew_core::types::Lines::Escape)
                            )));
                        }
                    });
                }
                "password" | "passfile" => return Err(password_in_url()),
                "options" | "application_name" => {
                    return Err(Error::bad_input(format!(
                        "the database URL sets `{key}`, which crew sets itself (the schema, timeouts, UTC);                          crew takes {CREW_PARAMETERS}"
                    )));
                }
                _ => passed.push(pair),
            }
        }
        let schema = schema.unwrap_or_else(|| "public".to_string());
        if !valid_schema(&schema) {
            return Err(Error::bad_input(format!(
                "the schema `{}` in the database URL is not a plain name: use lower-case letters, digits and \
                 underscores, starting with a letter (at most 63)",
                crew_core::types::inert(&schema, crew_core::types::Lines::Escape)
            )));
        }
        let libpq = if passed.is_empty() { base.to_string() } else { format!("{base}?{}", passed.join("&")) };
        let mut config: postgres::Config = libpq.parse().map_err(|e| {
            Error::bad_input(format!(
                "the database URL is not one PostgreSQL accepts ({e}): postgres://USER@HOST[:PORT]/DATABASE with \
                 libpq's parameters; crew takes {CREW_PARAMETERS}"
            ))
        })?;
        if config.get_password().is_some() {
            return Err(password_in_url());
        }
        // A `:` in the user name is a password written percent-encoded (`crew%3Asecret@`).
        if config.get_user().is_some_and(|u| u.contains(':')) {
            return Err(password_in_url());
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "postgres".into());
            config.user(&user);
        }
        if config.get_hosts().is_empty() {
            config.host(&std::env::var("PGHOST").unwrap_or_else(|_| "localhost".into()));
        }
        if config.get_ports().is_empty()
            && let Some(port) = std::env::var("PGPORT").ok().and_then(|p| p.parse().ok())
        {
            config.port(port);
        }
        // Off this machine, a password must never cross the network in the clear: without an
        // sslmode, a server elsewhere is required to encrypt (libpq would fall back to plain).
        let loopback = config.get_hosts().iter().all(|h| match h {
            postgres::config::Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
            postgres::config::Host::Unix(_) => true,
        });
        config.ssl_mode(ssl_mode.unwrap_or(if loopback { SslMode::Prefer } else { SslMode::Require }));
        if config.get_ssl_mode() == SslMode::Disable {
            root_cert = None;
        }
        // A connection that goes quiet is found dead by keepalives, and the server ends a
        // transaction left idle (releasing the write lock) after five minutes.
        config.keepalives(true).keepalives_idle(Duration::from_secs(15));
        if let Ok(password) = std::env::var("PGPASSWORD") {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("crew");
        config.options(&format!(
            "-c search_path={schema} -c lock_timeout={LOCK_TIMEOUT} -c TimeZone=UTC \
             -c idle_in_transaction_session_timeout=300s"
        ));
        let shown = shown_url(&config, &schema);
        Ok(PostgresTarget { config, schema, root_cert, shown })
    }

    /// The URL without secrets, for messages: `postgres://crew@db.example:5432/company (schema sales)`.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The schema crew's tables live in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    fn tls(&self) -> Result<MakeRustlsConnect> {
        let mut roots = rustls::RootCertStore::empty();
        match &self.root_cert {
            Some(path) => {
                let shown = crew_core::types::inert(path, crew_core::types::Lines::Escape);
                // A regular file of at most 1 MiB: never a FIFO that blocks or a device that
                // never ends.
                let meta = std::fs::metadata(path)
                    .map_err(|e| Error::bad_input(format!("cannot read sslrootcert {shown}: {e}")))?;
                if !meta.is_file() || meta.len() > 1024 * 1024 {
                    return Err(Error::bad_input(format!(
                        "sslrootcert {shown} is not a regular file of at most 1 MiB of PEM certificates"
                    )));
                }
                let pem = std::fs::read(path)
                    .map_err(|e| Error::bad_input(format!("cannot read sslrootcert {shown}: {e}")))?;
                for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                    let cert = cert.map_err(|e| Error::bad_input(format!("sslrootcert {path}: {e}")))?;
                    roots.add(cert).map_err(|e| Error::bad_input(format!("sslrootcert {path}: {e}")))?;
                }
                if roots.is_empty() {
                    return Err(Error::bad_input(format!("sslrootcert {path} holds no certificate")));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::internal(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }
}

fn password_in_url() -> Error {
    Error::bad_input(
        "the database URL holds a password, which process lists, shell history and configuration files would \
         show; remove it and set PGPASSWORD in the environment instead",
    )
}

fn valid_schema(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn shown_url(config: &postgres::Config, schema: &str) -> String {
    let user = config.get_user().unwrap_or("");
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => String::new(),
    };
    let port = config.get_ports().first().map(|p| format!(":{p}")).unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    format!("postgres://{user}@{host}{port}/{db} (schema {schema})")
}

/// A stable 32-bit hash of the schema's name (FNV-1a): the second key of its advisory lock.
fn lock_key(schema: &str) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in schema.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h as i32
}

/// A crew database in a PostgreSQL schema.
pub struct PostgresStore {
    pool: Pool<Manager>,
    /// The connection this process runs its transactions on, with its prepared statements.
    conn: Option<(PooledConnection<Manager>, HashMap<String, Statement>)>,
    target: PostgresTarget,
}

impl PostgresStore {
    fn connect(target: PostgresTarget) -> Result<Self> {
        let manager = Manager(PostgresConnectionManager::new(target.config.clone(), target.tls()?));
        let pool = Pool::builder()
            .max_size(2)
            .min_idle(Some(0))
            // A server that is restarting gets a few seconds; a refusal (a password, a
            // certificate) is said, with the server's words, when they are up.
            .connection_timeout(POOL_TIMEOUT)
            .build(manager)
            .map_err(|e| reach(&target, e))?;
        let mut store = PostgresStore { pool, conn: None, target };
        store.session()?;
        Ok(store)
    }

    /// Creates crew's schema in an empty database (or an empty or missing named schema) and
    /// applies every migration, in one transaction. Refuses a schema that holds any table.
    pub fn create(url: &str) -> Result<Self> {
        Self::create_with(url, |_| Ok(())).map(|(store, ())| store)
    }

    /// [`create`](Self::create), with `first` (the first admin) run in the same transaction once
    /// the schema is made: if anything fails, the database is left as it was.
    pub fn create_with<R>(url: &str, first: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<(Self, R)> {
        Self::create_raw(url, |pg| first(pg))
    }

    /// [`create_with`](Self::create_with) over the raw transaction (`crew db copy`).
    pub(crate) fn create_raw<R>(url: &str, first: impl FnOnce(&mut PgTx<'_, '_>) -> Result<R>) -> Result<(Self, R)> {
        let mut store = Self::connect(PostgresTarget::parse(url)?)?;
        let (target, lock) = (store.target.clone(), lock_key(&store.target.schema));
        let (client, cache) = store.session()?;
        cache.clear();
        let out = migrate::create(client, cache, &target, (LOCK_CLASS, lock), first)?;
        Ok((store, out))
    }

    /// Opens an existing crew schema, applying any migrations it lacks. Refused, with nothing
    /// changed (exit 2): a missing schema, an empty one, one holding another program's tables, and
    /// one of a newer crew.
    pub fn open(url: &str) -> Result<Self> {
        let mut store = Self::connect(PostgresTarget::parse(url)?)?;
        let (target, lock) = (store.target.clone(), lock_key(&store.target.schema));
        let (client, cache) = store.session()?;
        migrate::open(client, &target, LOCK_CLASS, lock)?;
        cache.clear();
        Ok(store)
    }

    /// Where this store is, without secrets.
    pub fn target(&self) -> &PostgresTarget {
        &self.target
    }

    /// The connection for the next transaction: the one in use, or a new one from the pool if it
    /// broke (the server restarted).
    pub(crate) fn session(&mut self) -> Result<(&mut postgres::Client, &mut HashMap<String, Statement>)> {
        if self.conn.as_ref().is_some_and(|(c, _)| c.is_closed()) {
            self.conn = None;
        }
        if self.conn.is_none() {
            let conn = self.pool.get().map_err(|e| reach(&self.target, e))?;
            self.conn = Some((conn, HashMap::new()));
        }
        let (conn, cache) = self.conn.as_mut().expect("a connection was just set");
        Ok((&mut **conn, cache))
    }

    fn run<R>(&mut self, mode: Mode, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        let lock = lock_key(&self.target.schema);
        let shown = self.target.shown.clone();
        let (client, cache) = self.session()?;
        let started = match mode {
            Mode::Read => {
                client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()
            }
            Mode::Write | Mode::Rehearse => {
                client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start()
            }
        };
        let tx = started.map_err(|e| lost(&shown, e))?;
        let mut pg = PgTx { tx, cache };
        if mode != Mode::Read {
            pg.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&LOCK_CLASS, &lock])?;
        }
        let out = f(&mut pg)?;
        match mode {
            Mode::Rehearse => pg.tx.rollback().map_err(|e| lost(&shown, e))?,
            _ => pg.tx.commit().map_err(|e| lost(&shown, e))?,
        }
        Ok(out)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Read,
    Write,
    Rehearse,
}

/// A server that could not be reached.
fn reach(target: &PostgresTarget, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("cannot reach the database server {}: {e}", target.shown))
}

/// A failure to begin or end a transaction: usually a lost connection.
fn lost(shown: &str, e: postgres::Error) -> Error {
    let inner = internal(e);
    Error::new(inner.kind, format!("{shown}: {}", inner.message))
}

impl Store for PostgresStore {
    fn write<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.run(Mode::Write, f)
    }

    fn read<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.run(Mode::Read, f)
    }

    fn rehearse<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R> {
        self.run(Mode::Rehearse, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_refused_with_a_hint() {
        for url in ["postgres://crew:s3cret@localhost/company", "postgres://crew@localhost/company?password=s3cret"] {
            let e = PostgresTarget::parse(url).unwrap_err();
            assert_eq!(e.kind, crew_core::error::ErrorKind::BadInput, "{url}");
            assert!(e.message.contains("PGPASSWORD") && !e.message.contains("s3cret"), "{}", e.message);
        }
    }

    #[test]
    fn urls_that_would_hide_a_password_or_fight_crews_own_settings_are_refused() {
        let bad = |url: &str| PostgresTarget::parse(url).expect_err(url);
        assert!(bad("postgres://crew%3As3cret@localhost/db").message.contains("PGPASSWORD"));
        assert!(!bad("postgres://crew%3As3cret@localhost/db").message.contains("s3cret"));
        assert!(bad("postgres://crew@localhost/db?passfile=/tmp/x").message.contains("PGPASSWORD"));
        assert!(bad("postgres://crew@localhost/db?schema=a&schema=b").message.contains("twice"));
        assert!(bad("postgres://crew@localhost/db?options=-csearch_path%3Dx").message.contains("sets itself"));
        assert!(bad("postgres://crew@localhost/db?sslmode=sometimes").message.contains("sslmode"));
        for url in ["POSTGRES://crew@localhost/db", "PostgreSQL://crew@localhost/db"] {
            assert!(is_postgres_url(url), "{url}");
            let shown = PostgresTarget::parse(url).unwrap().shown().to_string();
            assert!(
                shown.starts_with("postgres://crew@localhost") && shown.ends_with("/db (schema public)"),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_server_elsewhere_requires_tls_unless_the_url_says_otherwise() {
        let mode = |url: &str| PostgresTarget::parse(url).unwrap().config.get_ssl_mode();
        assert_eq!(mode("postgres://crew@db.example/company"), SslMode::Require);
        assert_eq!(mode("postgres://crew@10.0.0.5/company"), SslMode::Require);
        assert_eq!(mode("postgres://crew@localhost/company"), SslMode::Prefer);
        assert_eq!(mode("postgres://crew@127.0.0.1:5433/company"), SslMode::Prefer);
        assert_eq!(mode("postgres://crew@db.example/company?sslmode=disable"), SslMode::Disable);
        assert_eq!(mode("postgres://crew@db.example/company?sslmode=verify-full"), SslMode::Require);
    }

    #[test]
    fn sslrootcert_must_be_a_small_regular_file() {
        let e = PostgresTarget::parse("postgres://crew@db.example/c?sslrootcert=/dev/zero").unwrap().tls().err();
        assert!(e.expect("a device is refused").message.contains("regular file"));
        let e = PostgresTarget::parse("postgres://crew@db.example/c?sslrootcert=/tmp").unwrap().tls().err();
        assert!(e.expect("a folder is refused").message.contains("regular file"));
        // Not read at all when the connection is never encrypted.
        let plain = PostgresTarget::parse("postgres://crew@localhost/c?sslmode=disable&sslrootcert=/dev/zero").unwrap();
        assert!(plain.tls().is_ok());
    }

    #[test]
    fn a_schema_must_be_a_plain_name() {
        assert_eq!(PostgresTarget::parse("postgres://crew@localhost/db?schema=sales_2").unwrap().schema(), "sales_2");
        assert_eq!(PostgresTarget::parse("postgres://crew@localhost/db").unwrap().schema(), "public");
        for bad in ["Sales", "2x", "a;drop", "a-b", "", &"a".repeat(64)] {
            let e = PostgresTarget::parse(&format!("postgres://crew@localhost/db?schema={bad}")).unwrap_err();
            assert_eq!(e.kind, crew_core::error::ErrorKind::BadInput, "{bad}");
        }
    }

    #[test]
    fn the_shown_url_names_user_host_database_and_schema() {
        let t =
            PostgresTarget::parse("postgresql://crew@db.example:6543/company?schema=sales&sslmode=require").unwrap();
        assert_eq!(t.shown(), "postgres://crew@db.example:6543/company (schema sales)");
        assert!(is_postgres_url("postgres://x") && is_postgres_url("postgresql://x") && !is_postgres_url("crew.db"));
    }

    /// A connection the server dropped (a restart, an administrator ending it) fails the
    /// transaction it cut, changing nothing, and the next transaction reconnects.
    #[test]
    fn a_dropped_connection_fails_cleanly_and_the_next_transaction_reconnects() {
        use crew_core::ids::EventSeq;
        let (_schema, mut store) = test_server::fresh_store();
        store.write(|tx| tx.set_subscriber_position("probe", EventSeq::new(1))).unwrap();
        let pid: i32 = store.session().unwrap().0.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0);
        let mut admin: postgres::Config = test_server::server_url().split('?').next().unwrap().parse().unwrap();
        if let Ok(password) = std::env::var("PGPASSWORD") {
            admin.password(password);
        }
        let mut admin = admin.connect(postgres::NoTls).unwrap();
        let ended: bool = admin.query_one("SELECT pg_terminate_backend($1)", &[&pid]).unwrap().get(0);
        assert!(ended, "the store's connection was ended");
        let cut = store.write(|tx| tx.set_subscriber_position("probe", EventSeq::new(2)));
        let e = cut.expect_err("the transaction on the dropped connection fails");
        assert_eq!(e.kind, crew_core::error::ErrorKind::Internal, "{e}");
        let position = store.read(|tx| tx.subscriber_position("probe")).unwrap();
        assert_eq!(position, EventSeq::new(1), "the cut transaction changed nothing, and reading reconnected");
        store.write(|tx| tx.set_subscriber_position("probe", EventSeq::new(3))).unwrap();
        assert_eq!(store.read(|tx| tx.subscriber_position("probe")).unwrap(), EventSeq::new(3));
    }

    /// With `sslmode=require` the connection is encrypted and the server's certificate checked:
    /// against the authority in `sslrootcert`, or else Mozilla's roots, which refuse a private
    /// authority's certificate, saying so.
    #[test]
    fn tls_connections_are_encrypted_and_verify_the_servers_certificate() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tests/tls");
        let tls = test_server::Tls { cert: &fixtures.join("server.pem"), key: &fixtures.join("server.key") };
        let url = test_server::start_server("tls", Some(tls)).unwrap();
        let ca = fixtures.join("ca.pem");
        let trusted = format!("{url}?sslmode=require&sslrootcert={}&schema=tls_ok", ca.display());
        let mut store = PostgresStore::create(&trusted).unwrap();
        let (client, _) = store.session().unwrap();
        let ssl: bool =
            client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0);
        assert!(ssl, "the connection is encrypted");
        let e = PostgresStore::create(&format!("{url}?sslmode=require&schema=tls_refused")).err().expect("refused");
        assert!(e.message.contains("certificate") || e.message.contains("UnknownIssuer"), "{e}");
        assert!(PostgresStore::open(&format!("{url}?sslmode=disable&schema=tls_refused")).is_err(), "nothing was made");
    }

    #[test]
    fn lock_keys_differ_by_schema_and_are_stable() {
        assert_eq!(lock_key("public"), lock_key("public"));
        assert_ne!(lock_key("public"), lock_key("sales"));
    }
}
