//! The files crew writes and reads, and the database file: everything crew creates is private,
//! mail appears whole and once per mail, what a user names is read with limits (never a FIFO or
//! a device, never unbounded), only `init` makes a database, and a read-only or full disk is
//! reported as the environment it is.
//!
//! Permissions mean nothing to root, so when the suite runs as root the commands whose outcome
//! depends on them run as `nobody` (uid 65534) in a sandbox that user owns.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD, Run, fixture};

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid path; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo {}", path.display());
}

/// Runs a command, killing it (and failing the test) if it does not end within `limit`: a command
/// that blocks on a FIFO must fail this way rather than hang the suite.
fn run_within(mut cmd: Command, stdin: Option<Stdio>, limit: Duration) -> Run {
    cmd.stdin(stdin.unwrap_or(Stdio::null())).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("{cmd:?} still running after {limit:?}: it blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A sandbox whose commands run as an unprivileged user (as `nobody` when the suite is root), so
/// that file permissions apply to them.
struct Sandbox {
    env: Env,
}

impl Sandbox {
    fn new() -> Sandbox {
        let env = Env::new();
        if is_root() {
            std::os::unix::fs::chown(env.path(), Some(NOBODY), Some(NOBODY)).unwrap();
        }
        Sandbox { env }
    }

    fn path(&self) -> &Path {
        self.env.path()
    }

    fn db(&self) -> PathBuf {
        self.env.db()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.env.command(args);
        if is_root() {
            cmd.uid(NOBODY).gid(NOBODY);
        }
        cmd
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.env.run_with(self.command(args), stdin)
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let run = self.run(args, stdin);
        assert_eq!(run.code, 0, "crew {args:?} failed: {}{}", run.stdout, run.stderr);
        run.stdout
    }

    /// The test company, as in `Env::company`, made by the unprivileged user.
    fn company() -> Sandbox {
        let s = Sandbox::new();
        s.ok(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
        s.ok(&["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD));
        s.ok(&["import", fixture("tests/company").to_str().unwrap()], None);
        for login in ["mia", "ann@example.com", "tom@crew.example"] {
            s.ok(&["account", "reset-password", login, "--password-stdin"], Some(PASSWORD));
        }
        s
    }

    fn events(&self) -> usize {
        let out = self.ok(&["--format", "json", "events", "list"], None);
        serde_json::from_str::<Vec<serde_json::Value>>(&out).unwrap().len()
    }
}

/// A command that runs with umask 000, to prove crew's modes do not depend on the caller's umask.
fn with_open_umask(mut cmd: Command) -> Command {
    // SAFETY: umask is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    cmd
}

#[test]
fn everything_crew_creates_is_private_whatever_the_umask() {
    crate::sqlite_only!();
    let env = Env::new();
    let run = |args: &[&str], stdin: Option<&str>| {
        let run = env.run_with(with_open_umask(env.command(args)), stdin);
        assert_eq!(run.code, 0, "crew {args:?}: {}{}", run.stdout, run.stderr);
    };
    run(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    run(&["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD));
    run(&["import", fixture("tests/company").to_str().unwrap()], None);
    for login in ["ann@example.com", "tom@crew.example", "mia"] {
        run(&["account", "reset-password", login, "--password-stdin"], Some(PASSWORD));
    }
    run(&["login", "ann@example.com", "--password-stdin"], Some(PASSWORD));
    // Half an hour from now: tom may check in (the window opens an hour before the start).
    run(&["order", "create", "--service", "cleaning", "--at", "2026-11-30 08:30"], None);
    run(&["login", "mia", "--password-stdin"], Some(PASSWORD));
    run(&["order", "assign", "1", "tom@crew.example"], None);
    run(&["outbox", "deliver"], None);
    run(&["login", "tom@crew.example", "--password-stdin"], Some(PASSWORD));
    run(&["order", "check-in", "1", "--photo", fixture("tests/company/photos/door.jpg").to_str().unwrap()], None);

    let p = env.path();
    let mut checked = vec![(env.db(), 0o600)];
    for dir in
        ["config/crew", "config/crew/sessions", "crew-mail", "crew-media", "crew-media/orders", "crew-media/orders/1"]
    {
        checked.push((p.join(dir), 0o700));
    }
    for dir in ["config/crew/sessions", "crew-mail", "crew-media/orders/1"] {
        let files: Vec<PathBuf> = std::fs::read_dir(p.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(!files.is_empty(), "{dir} holds what crew wrote");
        checked.extend(files.into_iter().map(|f| (f, 0o600)));
    }
    for (path, expected) in checked {
        assert_eq!(mode(&path), expected, "{}", path.display());
    }
}

#[test]
fn init_makes_a_database_in_an_empty_file_and_nowhere_else() {
    crate::sqlite_only!();
    let mut env = Env::new();
    std::fs::write(env.db(), "").unwrap();
    set_mode(&env.db(), 0o644);
    env.step(&["whoami"], None);
    env.step(&["init", "--password-stdin"], Some("short"));
    assert_eq!(std::fs::metadata(env.db()).unwrap().len(), 0, "a refused init leaves the empty file empty");
    env.step(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    assert_eq!(mode(&env.db()), 0o600, "the new database is private");
    env.login("admin", ADMIN_PASSWORD);
    env.step(&["whoami"], None);
    // A folder and a FIFO are refused at once, for what they are.
    std::fs::create_dir(env.path().join("folder.db")).unwrap();
    env.step(&["--db", "folder.db", "init", "--password-stdin"], Some(ADMIN_PASSWORD));
    mkfifo(&env.path().join("fifo.db"));
    let run = run_within(env.command(&["--db", "fifo.db", "init"]), None, Duration::from_secs(20));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("fifo.db is a FIFO (named pipe)"), "{}", run.stderr);
    env.step(&["--db", "missing-folder/crew.db", "init", "--password-stdin"], Some(ADMIN_PASSWORD));
    insta::assert_snapshot!(env.transcript);
}

/// SQLite files crew did not make, and files that are not SQLite at all.
fn not_crew_databases(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let foreign = |name: &str, sql: &str| {
        let path = dir.join(name);
        rusqlite::Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        path
    };
    let newer = dir.join("newer.db");
    {
        let env = Env::new();
        env.ok_with(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
        std::fs::copy(env.db(), &newer).unwrap();
        rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    }
    let empty = dir.join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let text = dir.join("notes.db");
    std::fs::write(&text, "name,email\nAnn,ann@example.com\n".repeat(10)).unwrap();
    vec![
        (
            "another program's database",
            foreign("browser.db", "CREATE TABLE history (url TEXT); INSERT INTO history VALUES ('x');"),
        ),
        ("another program's WAL database", foreign("wal.db", "PRAGMA journal_mode = WAL; CREATE TABLE t (x);")),
        ("an SQLite file with no tables", foreign("blank.db", "PRAGMA user_version = 0; VACUUM;")),
        ("a newer crew's database", newer),
        ("an empty file", empty),
        ("a text file", text),
    ]
}

#[test]
fn every_command_but_init_refuses_a_file_that_is_not_a_crew_database_and_changes_nothing() {
    crate::sqlite_only!();
    let env = Env::company();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(env.path().join("more.csv"), "name,email,zone\nZoe,zoe@example.com,north\n").unwrap();
    let commands: &[&[&str]] = &[
        &["whoami"],
        &["order", "list"],
        &["events", "list"],
        &["import", "clients", "more.csv"],
        &["outbox", "deliver"],
        &["logout"],
    ];
    for (what, path) in not_crew_databases(dir.path()) {
        let before = std::fs::read(&path).unwrap();
        let db = path.to_str().unwrap();
        for args in commands {
            let mut all = vec!["--db", db];
            all.extend_from_slice(args);
            let run = env.run(&all, None);
            if args[0] == "logout" {
                // Not logged in to that file: there is nothing to end, and nothing is opened.
                assert_eq!(run.code, 0, "{what}: {}", run.stderr);
                continue;
            }
            assert_eq!(run.code, 2, "{what}: crew {args:?}: {}", run.stderr);
            assert!(run.stderr.contains(&format!("{db} is not a crew database")), "{what}: {}", run.stderr);
            assert_eq!(std::fs::read(&path).unwrap(), before, "{what} is unchanged by {args:?}");
            for suffix in ["-wal", "-shm", "-journal"] {
                assert!(!side(&path, suffix).exists(), "{what}: no {suffix} left behind by {args:?}");
            }
        }
        let init = env.run(&["--db", db, "init", "--password-stdin"], Some(ADMIN_PASSWORD));
        let expected = if before.is_empty() { 0 } else { 5 };
        assert_eq!(init.code, expected, "{what}: init: {}", init.stderr);
    }
}

#[test]
fn a_missing_database_is_named_before_any_session_is_looked_at() {
    let env = Env::new();
    let run = env.run(&["--db", "nowhere/crew.db", "order", "list"], None);
    assert_eq!(run.code, 1, "the environment: {}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "error: no crew database at nowhere/crew.db; create one with `crew init` (or point --db / CREW_DB at one)"
    );
    assert!(!env.path().join("nowhere").exists());
}

#[test]
fn a_read_only_database_answers_queries_and_refuses_changes_saying_why() {
    crate::sqlite_only!();
    let s = Sandbox::company();
    let db = s.db();
    let cases = [
        ("a read-only file", db.clone(), 0o444, "the file is not writable by you".to_string()),
        (
            "a read-only folder",
            s.path().to_path_buf(),
            0o555,
            format!("its folder {} is not writable", s.path().display()),
        ),
    ];
    for (what, target, read_only, why) in cases {
        let events = s.events();
        let writable = mode(&target);
        set_mode(&target, read_only);
        for args in [&["whoami"][..], &["order", "list"], &["events", "list"], &["service-type", "list"]] {
            let run = s.run(args, None);
            assert_eq!(run.code, 0, "{what}: crew {args:?} only reads: {}", run.stderr);
        }
        assert_eq!(s.events(), events);
        let login = s.run(&["login", "mia", "--password-stdin"], Some(PASSWORD));
        let add = s.run(&["service-type", "add", "windows", "--name", "Windows", "--skills", "cleaning:3"], None);
        for run in [login, add] {
            assert_eq!(run.code, 1, "{what}: the environment, exit 1: {}", run.stderr);
            let expected = format!("error: cannot change the database {}: {why}", db.display());
            assert!(run.stderr.starts_with(&expected), "{what}: {}", run.stderr);
        }
        for suffix in ["-wal", "-shm"] {
            assert!(!side(&db, suffix).exists(), "{what}: reading created no {suffix}");
        }
        set_mode(&target, writable);
        // Writable again, nothing stands in the way: no -shm left by a reader blocks the writer.
        assert_eq!(s.events(), events, "{what}: the refused commands changed nothing");
        s.ok(
            &["service-type", "add", &format!("windows-{read_only:o}"), "--name", "Windows", "--skills", "cleaning:3"],
            None,
        );
    }
}

#[test]
fn inputs_that_are_not_regular_files_are_refused_at_once_by_name() {
    let env = Env::company();
    let p = env.path();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-11-30 08:30"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.login("admin", ADMIN_PASSWORD);
    let events = env.event_count();
    std::fs::create_dir(p.join("folder.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", p.join("zero.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", p.join("zero.toml")).unwrap();
    for fifo in ["clients.csv", "test.toml", "answers.toml", "photo.jpg", "config.toml"] {
        mkfifo(&p.join(fifo));
    }
    let company = p.join("company");
    std::fs::create_dir(&company).unwrap();
    std::fs::copy(fixture("tests/company/staff.toml"), company.join("staff.toml")).unwrap();
    mkfifo(&company.join("workers.csv"));
    let company = company.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["import", "clients", "clients.csv"], "clients.csv is a FIFO (named pipe), not a regular file"),
        (&["import", "clients", "zero.csv"], "zero.csv is a character device, not a regular file"),
        (&["import", "clients", "/dev/zero"], "/dev/zero: unknown file type: use .csv, .json or .jsonl"),
        (&["import", "workers", "folder.csv"], "folder.csv is a folder, not a regular file"),
        (&["import", company], "workers.csv is a FIFO (named pipe), not a regular file"),
        (&["hiring", "import", "clients.csv"], "clients.csv is a FIFO (named pipe), not a regular file"),
        (&["hiring", "test", "create", "test.toml"], "test.toml is a FIFO (named pipe), not a regular file"),
        (&["hiring", "test", "create", "zero.toml"], "zero.toml is a character device, not a regular file"),
        (&["hiring", "submit", "1", "answers.toml"], "answers.toml is a FIFO (named pipe), not a regular file"),
        (&["--config", "config.toml", "whoami"], "configuration file config.toml is a FIFO (named pipe)"),
        (&["--db", "clients.csv", "whoami"], "clients.csv is not a crew database: it is a FIFO (named pipe)"),
    ];
    for (args, message) in cases {
        let run = run_within(env.command(args), None, Duration::from_secs(20));
        assert_eq!(run.code, 2, "crew {args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "crew {args:?}: {}", run.stderr);
    }
    // A photo: the assigned worker checks in with a FIFO.
    env.login("tom@crew.example", PASSWORD);
    let run =
        run_within(env.command(&["order", "check-in", "1", "--photo", "photo.jpg"]), None, Duration::from_secs(20));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("photo photo.jpg is a FIFO (named pipe), not a regular file"), "{}", run.stderr);
    // A password from an endless stream is cut off at the limit.
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let run =
        run_within(env.command(&["login", "mia", "--password-stdin"]), Some(zero.into()), Duration::from_secs(20));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.trim(), "error: the password on standard input is longer than 64 KiB");
    env.login("admin", ADMIN_PASSWORD);
    assert_eq!(env.event_count(), events + 2, "only tom's and the admin's logins were recorded");
}

#[test]
fn inputs_over_their_limit_are_refused_naming_the_limit() {
    let env = Env::company();
    let p = env.path();
    let sparse = |name: &str, header: &str, size: u64| {
        let path = p.join(name);
        std::fs::write(&path, header).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_len(size).unwrap();
    };
    const MIB: u64 = 1024 * 1024;
    sparse("clients.csv", "name,email,zone\n", 300 * MIB);
    sparse("applications.jsonl", "{}\n", 4300 * MIB);
    sparse("test.toml", "name = \"x\"\n", 5 * MIB);
    sparse("big.toml", "currency = \"EUR\"\n", 2 * MIB);
    let cases: &[(&[&str], &str)] = &[
        (&["import", "clients", "clients.csv"], "error: clients.csv is 300 MiB; the limit for imports is 256 MiB"),
        (
            &["hiring", "import", "applications.jsonl"],
            "error: applications.jsonl is 4.2 GiB; the limit for imports is 256 MiB",
        ),
        (&["hiring", "test", "create", "test.toml"], "error: test.toml is 5 MiB; the limit for documents is 4 MiB"),
        (
            &["--config", "big.toml", "whoami"],
            "error: configuration file big.toml is 2 MiB; the limit for configuration files is 1 MiB",
        ),
    ];
    let events = env.event_count();
    for (args, message) in cases {
        let run = run_within(env.command(args), None, Duration::from_secs(20));
        assert_eq!((run.code, run.stderr.trim()), (2, *message), "crew {args:?}");
    }
    assert_eq!(env.event_count(), events);
    // The import limit is the company's rule: an admin may lower (or raise) it.
    env.ok(&["settings", "set", "imports.max_mib", "1"]);
    sparse("small.csv", "name,email,zone\n", 2 * MIB);
    let run = run_within(env.command(&["import", "clients", "small.csv"]), None, Duration::from_secs(20));
    assert_eq!((run.code, run.stderr.trim()), (2, "error: small.csv is 2 MiB; the limit for imports is 1 MiB"));
}

/// The names of the files in the mail folder, and their contents.
fn mail_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every `.eml` is whole: named after its Message-ID, private, with headers and a body.
fn assert_whole(dir: &Path) -> usize {
    let mut mails = 0;
    for (name, text) in mail_files(dir) {
        if name.starts_with('.') {
            assert!(name.ends_with(".tmp"), "only hidden temporaries besides mail: {name}");
            continue;
        }
        let id = name.strip_suffix(".eml").unwrap_or_else(|| panic!("{name} is a mail file"));
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
        assert!(text.contains(&format!("Message-ID: <{id}@crew>")), "{name}: {text}");
        assert!(text.contains("\r\n\r\n") && !text.ends_with("\r\n\r\n"), "{name} has a body: {text:?}");
        assert_eq!(mode(&dir.join(&name)), 0o600, "{name}");
        mails += 1;
    }
    mails
}

#[test]
fn a_mail_delivered_again_after_a_crash_is_still_one_whole_file() {
    let mut env = Env::company();
    let dir = env.path().join("crew-mail");
    assert!(env.ok(&["outbox", "deliver"]).contains("Delivered 2 of 2"));
    assert_eq!(assert_whole(&dir), 2);
    let before = mail_files(&dir);
    // What a crash between writing the files and recording the outcome leaves: both mails taken
    // by the delivery (held until the lease ends), neither recorded as sent.
    let requeue = "UPDATE outbox SET status = 'queued', attempts = 0, sent_at = NULL, \
                   next_attempt_at = '2026-11-30T09:00:00.000000Z'";
    assert_eq!(env.sql(requeue, requeue), Ok(2));
    env.now = "2026-11-30T10:00:00Z".into();
    assert!(env.ok(&["outbox", "deliver"]).contains("Delivered 2 of 2"));
    let after = mail_files(&dir);
    assert_eq!(assert_whole(&dir), 2, "each mail is still one file");
    let names = |files: &[(String, String)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&after), names(&before), "the same files, replaced");
}

#[test]
fn killing_a_delivery_leaves_no_empty_or_partial_mail_and_each_mail_one_file() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    let mut csv = String::from("name,email,zone,strengths\n");
    for i in 0..60 {
        csv.push_str(&format!("Applicant {i},applicant{i}@example.com,north,cleaning\n"));
    }
    std::fs::write(env.path().join("applications.csv"), csv).unwrap();
    env.ok(&["hiring", "import", "applications.csv"]);
    let dir = env.path().join("crew-mail");
    // Kill deliveries at different moments; whatever the moment, every .eml is whole.
    for (i, delay) in [5u64, 40, 80, 150, 300].into_iter().enumerate() {
        env.now = format!("2026-11-30T{:02}:00:00Z", 9 + 2 * i);
        let mut child =
            env.command(&["outbox", "deliver"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        if dir.exists() {
            assert_whole(&dir);
        }
    }
    // After the leases, the rest is delivered; a mail sent twice is one file.
    env.now = "2026-12-01T09:00:00Z".into();
    env.login("mia", PASSWORD); // a day later: the morning's session has expired
    env.ok(&["outbox", "deliver", "--limit", "1000"]);
    let sent: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "outbox", "list", "--status", "sent", "--limit", "1000"]))
            .unwrap();
    assert!(sent.len() >= 62, "two activations and one mail per application: {}", sent.len());
    assert_eq!(assert_whole(&dir), sent.len());
}

/// Runs `script` as root in a private mount namespace with a small tmpfs mounted at `data/` in the
/// sandbox; `None` where this machine cannot mount one (an unprivileged run without user
/// namespaces).
fn in_a_small_tmpfs(env: &Env, script: &str) -> Option<Run> {
    let mut cmd = Command::new("unshare");
    if !is_root() {
        cmd.arg("--map-root-user");
    }
    let setup = format!(
        "mkdir -p data && cp -a data data.copy && mount -t tmpfs -o size=4m tmpfs data || exit 97\n\
         cp -a data.copy/. data/ && rm -rf data.copy\n{script}"
    );
    cmd.args(["--mount", "sh", "-c", &setup])
        .current_dir(env.path())
        .env("CREW", crate::common::crew_bin())
        .env("CREW_DB", env.path().join("data/crew.db"))
        .env("CREW_NOW", &env.now)
        .env("HOME", env.path().join("home"))
        .env("XDG_CONFIG_HOME", env.path().join("config"))
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    let run = env.run_with(cmd, None);
    if run.code == 97 || (run.code != 0 && run.stderr.contains("unshare")) {
        assert!(!is_root(), "root can mount a tmpfs: {}", run.stderr);
        eprintln!("note: no tmpfs could be mounted here; the full-disk test checks nothing: {}", run.stderr);
        return None;
    }
    Some(run)
}

#[test]
fn a_full_disk_is_reported_as_the_environment_with_the_path_and_changes_nothing() {
    let mut env = Env::new();
    std::fs::create_dir(env.path().join("data")).unwrap();
    let data_db = env.path().join("data/crew.db");
    let db = data_db.to_str().unwrap();
    env.ok_with(&["--db", db, "init", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.ok_with(&["--db", db, "login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD));
    let mut csv = String::from("name,email,zone\n");
    for i in 0..3000 {
        csv.push_str(&format!("Client number {i} with a long enough name,client{i}@example.com,north\n"));
    }
    std::fs::write(env.path().join("clients.csv"), csv).unwrap();
    env.now = "2026-11-30T09:00:00Z".into();
    // 1. The disk is full before crew starts; 2. it fills up during a large import.
    let script = r#"
        count() { "$CREW" --format json events list | grep -o '"seq"' | wc -l; }
        echo "before: $(count)"
        dd if=/dev/zero of=data/filler bs=4k 2>/dev/null
        "$CREW" import clients clients.csv; echo "full import: $?"
        "$CREW" whoami >/dev/null; echo "full whoami: $?"
        rm data/filler
        avail=$(df -k data | awk 'NR==2 {print $4}')
        dd if=/dev/zero of=data/filler bs=1k count=$((avail - 400)) 2>/dev/null
        "$CREW" import clients clients.csv; echo "filling import: $?"
        rm data/filler
        echo "after: $(count)"
        "$CREW" import clients clients.csv >/dev/null; echo "with room: $?"
    "#;
    let Some(run) = in_a_small_tmpfs(&env, script) else { return };
    let out = &run.stdout;
    let line = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{key} in {out}\n{}", run.stderr))
            .trim()
            .to_string()
    };
    let stderr: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(line("full import"), "1", "{}", run.stderr);
    assert_eq!(line("full whoami"), "0", "reading still works on a full disk: {}", run.stderr);
    assert_eq!(line("filling import"), "1", "{}", run.stderr);
    assert_eq!(stderr.len(), 2, "{}", run.stderr);
    let folder = env.path().join("data");
    let full = format!("the disk holding {} is full", folder.display());
    assert!(stderr[0].starts_with(&format!("error: cannot change the database {db}: {full}")), "{}", stderr[0]);
    assert!(stderr[1].starts_with(&format!("error: cannot write the database {db}: {full}")), "{}", stderr[1]);
    assert_eq!(line("before"), line("after"), "the refused imports changed nothing");
    assert_eq!(line("with room"), "0", "{}", run.stderr);
}

#[test]
fn crew_writes_only_over_nothing_or_a_regular_file_and_leaves_anything_else_as_it_is() {
    let env = Env::company();
    let p = env.path();
    env.login("mia", PASSWORD);
    mkfifo(&p.join("fifo.html"));
    std::fs::create_dir(p.join("folder.html")).unwrap();
    std::fs::write(p.join("kept.html"), "someone else's page").unwrap();
    std::os::unix::fs::symlink(p.join("kept.html"), p.join("link.html")).unwrap();
    std::os::unix::fs::symlink("/dev/null", p.join("null.html")).unwrap();
    let cases = [
        ("fifo.html", "fifo.html is a FIFO (named pipe), not a regular file"),
        ("folder.html", "folder.html is a folder, not a regular file"),
        ("link.html", "link.html is a symbolic link, not a regular file"),
        ("null.html", "null.html is a symbolic link, not a regular file"),
    ];
    for (name, message) in cases {
        let args = ["report", "operations", "--html", name];
        let run = run_within(env.command(&args), None, Duration::from_secs(20));
        assert_eq!(run.code, 2, "crew {args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "crew {args:?}: {}", run.stderr);
    }
    let kind = |name: &str| std::fs::symlink_metadata(p.join(name)).unwrap().file_type();
    use std::os::unix::fs::FileTypeExt;
    assert!(kind("fifo.html").is_fifo(), "the FIFO is still a FIFO");
    assert!(kind("folder.html").is_dir());
    assert!(kind("link.html").is_symlink() && kind("null.html").is_symlink(), "the links are still links");
    assert_eq!(std::fs::read_to_string(p.join("kept.html")).unwrap(), "someone else's page");
    assert!(std::fs::symlink_metadata("/dev/null").unwrap().file_type().is_char_device());
    // A regular file is replaced whole, and made private.
    env.ok(&["report", "operations", "--html", "kept.html"]);
    assert!(std::fs::read_to_string(p.join("kept.html")).unwrap().starts_with("<!DOCTYPE html>"));
    assert_eq!(mode(&p.join("kept.html")), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary is left: {leftovers:?}");
}
