//! A sandbox per test: its own database, session folder and clock, and a transcript of the
//! commands run, compared with insta snapshots.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const ADMIN_PASSWORD: &str = "admin-password";
pub const PASSWORD: &str = "secret-password";

pub fn crew_bin() -> &'static str {
    env!("CARGO_BIN_EXE_crew")
}

/// The workspace's fixtures folder, as an absolute path without `..`.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").canonicalize().unwrap()
}

pub fn fixture(path: &str) -> PathBuf {
    fixtures_root().join(path)
}

/// The result of one run of crew.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub now: String,
    pub transcript: String,
    /// The test's own PostgreSQL schema, when the suite runs on PostgreSQL.
    pub schema: Option<crew_store::postgres::test_server::Schema>,
}

/// Whether the suite runs on PostgreSQL: the one switch, `CREW_TEST_STORE=postgres` (the server:
/// `CREW_TEST_POSTGRES`, else a private one the tests start; see docs/postgres.md).
pub fn on_postgres() -> bool {
    std::env::var("CREW_TEST_STORE").is_ok_and(|s| s == "postgres")
}

/// Ends a test that is about the SQLite file itself (its mode, its bytes, its `-wal`) when the
/// suite runs on PostgreSQL, saying so; on SQLite it does nothing.
#[macro_export]
macro_rules! sqlite_only {
    () => {
        if $crate::common::on_postgres() {
            eprintln!("not run on PostgreSQL: this test is about the SQLite file");
            return;
        }
    };
}

impl Env {
    pub fn new() -> Env {
        let schema = on_postgres().then(crew_store::postgres::test_server::Schema::fresh);
        Env { dir: tempfile::tempdir().unwrap(), now: "2026-11-30T08:00:00Z".into(), transcript: String::new(), schema }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A connection to the test's schema on the PostgreSQL server, as crew's tables see it.
    fn server(&self) -> postgres::Client {
        let schema = self.schema.as_ref().expect("the suite runs on PostgreSQL");
        let base = crew_store::postgres::test_server::server_url().split('?').next().unwrap().to_string();
        let mut config: postgres::Config = base.parse().unwrap();
        if let Ok(password) = std::env::var("PGPASSWORD") {
            config.password(password);
        }
        config.options(&format!("-c search_path={} -c TimeZone=UTC", schema.name()));
        config.connect(postgres::NoTls).unwrap()
    }

    /// Runs `sqlite` (on the file) or `postgres` (on the schema) behind crew's back: a change
    /// crew did not make, or one its database refuses (the error's text).
    pub fn sql(&self, sqlite: &str, postgres: &str) -> Result<u64, String> {
        match &self.schema {
            Some(_) => self.server().execute(postgres, &[]).map_err(|e| match e.as_db_error() {
                Some(db) => db.message().to_string(),
                None => e.to_string(),
            }),
            None => {
                let conn = rusqlite::Connection::open(self.db()).map_err(|e| e.to_string())?;
                conn.execute(sqlite, []).map(|n| n as u64).map_err(|e| e.to_string())
            }
        }
    }

    /// Everything the database holds, as bytes to search: the SQLite file and its `-wal`, or
    /// every row of every table of the schema as text.
    pub fn database_bytes(&self) -> Vec<u8> {
        match &self.schema {
            Some(schema) => {
                let mut client = self.server();
                let tables: Vec<String> = client
                    .query("SELECT tablename::text FROM pg_tables WHERE schemaname = $1", &[&schema.name()])
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let mut out = Vec::new();
                for table in tables {
                    for row in client.query(&format!("SELECT t::text FROM \"{table}\" t"), &[]).unwrap() {
                        out.extend_from_slice(row.get::<_, String>(0).as_bytes());
                        out.push(b'\n');
                    }
                }
                out
            }
            None => {
                let mut out = std::fs::read(self.db()).unwrap();
                out.extend(std::fs::read(self.path().join("crew.db-wal")).unwrap_or_default());
                out
            }
        }
    }

    /// Whether a database exists: the file, or the schema on the server.
    pub fn database_exists(&self) -> bool {
        match &self.schema {
            Some(schema) => {
                let mut client = self.server();
                client
                    .query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&schema.name()])
                    .unwrap()
                    .get(0)
            }
            None => self.db().is_file(),
        }
    }

    /// The database: `crew.db` in the sandbox, or the test's schema on the PostgreSQL server.
    pub fn db(&self) -> PathBuf {
        match &self.schema {
            Some(schema) => PathBuf::from(schema.url()),
            None => self.path().join("crew.db"),
        }
    }

    /// A crew command in the sandbox: nothing from the caller's environment leaks in.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(crew_bin());
        cmd.args(args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("CREW_DB", self.db())
            .env("CREW_NOW", &self.now);
        cmd
    }

    pub fn run_with(&self, mut cmd: Command, stdin: Option<&str>) -> Run {
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("crew runs");
        if let Some(input) = stdin {
            // crew may refuse (and exit) before it reads its input: that is not the test's failure.
            match child.stdin.take().unwrap().write_all(input.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.unwrap(),
            }
        }
        Run::from(child.wait_with_output().unwrap())
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_with(self.command(args), stdin)
    }

    /// Runs crew and insists it succeeds.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(args, None)
    }

    pub fn ok_with(&self, args: &[&str], stdin: Option<&str>) -> String {
        let run = self.run(args, stdin);
        assert_eq!(run.code, 0, "crew {args:?} failed: {}{}", run.stdout, run.stderr);
        run.stdout
    }

    /// Runs crew and records the command, its output and its exit code in the transcript.
    pub fn step(&mut self, args: &[&str], stdin: Option<&str>) -> Run {
        let run = self.run(args, stdin);
        let root = self.path().display().to_string();
        let fixtures = fixtures_root().display().to_string();
        // A database on the server reads like the sandbox's file, so one transcript fits both stores.
        let server = self.schema.as_ref().map(|schema| {
            crew_store::PostgresTarget::parse(schema.url()).map(|t| t.shown().to_string()).unwrap_or_default()
        });
        let redact = |s: &str| {
            let s = match &server {
                Some(shown) => s.replace(shown.as_str(), "[TMP]/crew.db"),
                None => s.to_string(),
            };
            redact_installation(&redact_real_times(&s.replace(&root, "[TMP]").replace(&fixtures, "fixtures")))
        };
        self.transcript.push_str(&redact(&format!("$ crew {}\n", args.join(" "))));
        self.transcript.push_str(&redact(&run.stdout));
        if !run.stderr.is_empty() {
            for line in redact(&run.stderr).lines() {
                self.transcript.push_str(&format!("stderr: {line}\n"));
            }
        }
        if run.code != 0 {
            self.transcript.push_str(&format!("[exit {}]\n", run.code));
        }
        self.transcript.push('\n');
        run
    }

    pub fn note(&mut self, text: &str) {
        self.transcript.push_str(&format!("# {text}\n"));
    }

    pub fn login(&self, login: &str, password: &str) {
        self.ok_with(&["login", login, "--password-stdin"], Some(password));
    }

    /// A database with the test company imported: admin, staff, two service types, two
    /// clients, two workers; every person's password is [`PASSWORD`]. Logged in as admin.
    pub fn company() -> Env {
        let env = Env::new();
        env.ok_with(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
        env.login("admin", ADMIN_PASSWORD);
        env.ok(&["import", fixture("tests/company").to_str().unwrap()]);
        for login in ["mia", "abe", "wes", "ann@example.com", "bob@example.com", "tom@crew.example", "tia@crew.example"]
        {
            env.ok_with(&["account", "reset-password", login, "--password-stdin"], Some(PASSWORD));
        }
        env
    }

    /// The number of events in the log (read with the admin's view).
    pub fn event_count(&self) -> usize {
        let run = self.run(&["--format", "json", "events", "list"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).unwrap().len()
    }
}

/// Replaces each `"recorded_at": "…"` (the real time the database stamped on an event, which
/// differs from run to run) with a marker.
/// Replaces each database's random installation key in idempotency keys (`crew-3f9a…-kit-1-24`,
/// 16 hex digits after `crew-`) with `[INST]`, so transcripts read the same on every run.
pub fn redact_installation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("crew-") {
        let after = &rest[at + 5..];
        let hex = after.len() >= 17
            && after.as_bytes()[..16].iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            && after.as_bytes()[16] == b'-';
        out.push_str(&rest[..at + 5]);
        if hex {
            out.push_str("[INST]");
            rest = &after[16..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

pub fn redact_real_times(text: &str) -> String {
    const KEY: &str = "\"recorded_at\": \"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let value = &rest[at + KEY.len()..];
        let end = value.find('"').unwrap_or(value.len());
        out.push_str(&rest[..at + KEY.len()]);
        out.push_str("[real time]");
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}
