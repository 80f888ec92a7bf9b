//! The PostgreSQL server crew's tests run against: for tests only, not for production use.
//!
//! `CREW_TEST_POSTGRES` names a server of your own (a URL to a database in which the tests may
//! create and drop schemas, e.g. `postgres://crew@localhost/crew_test`; the password, if any, in
//! `PGPASSWORD`). Without it, the first test that needs one starts a private, throw-away server
//! from the PostgreSQL binaries on the machine (`initdb` and `postgres` on the `PATH` or under
//! `/usr/lib/postgresql/*/bin`; as root, it runs as the `postgres` user): a data folder in the
//! temporary folder, loopback only, durability off, stopped when the test process ends
//! (parent-death signal). No binaries and no URL is a test failure that says how to fix it —
//! never a silently skipped test.
//!
//! Each test gets a schema of its own (`crew_t_<pid>_<n>`), dropped when its [`Schema`] guard is.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::PostgresStore;

static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The URL of the test server's database (no schema), starting a private server the first time.
/// Panics, saying how to fix it, if there is no server and none can be started.
pub fn server_url() -> &'static str {
    match SERVER.get_or_init(|| match std::env::var("CREW_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Ok(url),
        _ => start_private_server("main", None),
    }) {
        Ok(url) => url,
        Err(why) => panic!(
            "the PostgreSQL tests need a server: {why}. Install PostgreSQL (Debian: apt-get install postgresql) \
             or set CREW_TEST_POSTGRES to a database URL the tests may create schemas in"
        ),
    }
}

/// A schema of its own for one test, dropped (with everything in it) when the guard is.
pub struct Schema {
    name: String,
    url: String,
}

impl Schema {
    /// A new schema name on the test server; the schema itself is made by `crew init` /
    /// [`PostgresStore::create`].
    pub fn fresh() -> Schema {
        let base = server_url();
        let name = format!("crew_t_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let sep = if base.contains('?') { '&' } else { '?' };
        Schema { url: format!("{base}{sep}schema={name}"), name }
    }

    /// The URL that selects this schema.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(config) = server_url().split('?').next().unwrap_or_default().parse::<postgres::Config>() {
            let mut config = config;
            if let Ok(password) = std::env::var("PGPASSWORD") {
                config.password(password);
            }
            if let Ok(mut client) = config.connect(postgres::NoTls) {
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name));
            }
        }
    }
}

/// A fresh, empty, migrated store in a schema of its own, with the guard that drops it.
pub fn fresh_store() -> (Schema, PostgresStore) {
    let schema = Schema::fresh();
    let store = PostgresStore::create(schema.url()).unwrap_or_else(|e| panic!("{}: {e}", schema.url()));
    (schema, store)
}

fn find_binary(name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    let mut versions: Vec<PathBuf> =
        std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|e| e.path()).collect();
    versions.sort();
    versions.into_iter().rev().map(|v| v.join("bin").join(name)).find(|p| p.is_file())
}

/// The uid and gid of `user`, from `/etc/passwd`.
fn user_ids(user: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&user) && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

/// Removes the data folders of private servers whose test process has ended.
fn remove_stale(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) =
            name.strip_prefix("crew-test-pg-").and_then(|p| p.split('-').next()).and_then(|p| p.parse::<i32>().ok())
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A certificate and key for a server that offers TLS (PEM files).
pub struct Tls<'a> {
    pub cert: &'a Path,
    pub key: &'a Path,
}

/// Starts another private server (for a test that needs one of its own, e.g. one that offers
/// TLS), living as long as the test process; its URL without `sslmode`.
pub fn start_server(name: &str, tls: Option<Tls<'_>>) -> Result<String, String> {
    start_private_server(name, tls).map(|url| url.replace("?sslmode=disable", ""))
}

fn start_private_server(name: &str, tls: Option<Tls<'_>>) -> Result<String, String> {
    let initdb = find_binary("initdb").ok_or("no `initdb` on the PATH or under /usr/lib/postgresql")?;
    let postgres = initdb.with_file_name("postgres");
    let tmp = std::env::temp_dir();
    remove_stale(&tmp);
    let dir = tmp.join(format!("crew-test-pg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let data = dir.join("data");
    // PostgreSQL refuses to run as root: run it as the `postgres` user, in a folder it owns.
    let as_user = if unsafe { libc::geteuid() } == 0 {
        let (uid, gid) = user_ids("postgres").ok_or("running as root, and there is no `postgres` user to run as")?;
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| format!("chown {}: {e}", dir.display()))?;
        Some((uid, gid))
    } else {
        None
    };
    let command = |program: &Path| {
        let mut cmd = Command::new(program);
        if let Some((uid, gid)) = as_user {
            // The user's own group only (root's supplementary groups dropped), then the user.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::setgroups(1, &gid) != 0 || libc::setgid(gid) != 0 || libc::setuid(uid) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        cmd.env_remove("PGPASSWORD");
        cmd
    };
    let out = command(&initdb)
        .args(["-D"])
        .arg(&data)
        .args(["-A", "trust", "-U", "crew", "-E", "UTF8", "--locale=C", "--no-sync"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", initdb.display()))?;
    if !out.status.success() {
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    let mut ssl = Vec::new();
    if let Some(tls) = tls {
        // The server reads its key only if the key is private to it.
        for (from, to) in [(tls.cert, "server.crt"), (tls.key, "server.key")] {
            let target = dir.join(to);
            std::fs::copy(from, &target).map_err(|e| format!("{}: {e}", from.display()))?;
            std::fs::set_permissions(&target, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .map_err(|e| e.to_string())?;
            if let Some((uid, gid)) = as_user {
                std::os::unix::fs::chown(&target, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
            }
        }
        ssl = vec![
            "-c".to_string(),
            "ssl=on".into(),
            "-c".into(),
            format!("ssl_cert_file={}", dir.join("server.crt").display()),
            "-c".into(),
            format!("ssl_key_file={}", dir.join("server.key").display()),
        ];
    }
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
    let mut cmd = command(&postgres);
    cmd.arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-k"])
        .arg(&dir)
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
        .args(["-c", "max_connections=300", "-c", "shared_buffers=128MB"])
        .args(&ssl)
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log);
    // The server ends with the thread that started it: a thread that never ends, so it lives as
    // long as the test process and dies with it (SIGQUIT: an immediate stop; the data is throw-away).
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let started = cmd.spawn().map(|child| child.id()).map_err(|e| format!("cannot start postgres: {e}"));
        let _ = sender.send(started);
        loop {
            std::thread::park();
        }
    });
    receiver.recv().map_err(|e| e.to_string())??;
    let url = format!("postgres://crew@127.0.0.1:{port}/postgres?sslmode=disable");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let config: postgres::Config = url.split('?').next().unwrap_or_default().parse().map_err(|e| format!("{e}"))?;
        match config.connect(postgres::NoTls) {
            Ok(_) => return Ok(url),
            Err(e) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(format!("the private server did not answer on port {port}: {e}; its log: {log}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
