//! `crew db copy`: a company moved to the other store and back (SQLite ⇄ PostgreSQL, whichever the
//! suite runs on), every table read back the same, the installation key and id counters carried,
//! and every refusal leaving nothing behind.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD, on_postgres};

/// A database in the store the suite does not run on (the guard drops a schema when it ends).
struct Other {
    location: PathBuf,
    _schema: Option<crew_store::postgres::test_server::Schema>,
}

fn other_store(env: &Env, name: &str) -> Other {
    if on_postgres() {
        Other { location: env.path().join(format!("{name}.db")), _schema: None }
    } else {
        let schema = crew_store::postgres::test_server::Schema::fresh();
        Other { location: PathBuf::from(schema.url()), _schema: Some(schema) }
    }
}

/// A database in the store the suite runs on, beside the test's own.
fn same_store(env: &Env, name: &str) -> Other {
    if on_postgres() {
        let schema = crew_store::postgres::test_server::Schema::fresh();
        Other { location: PathBuf::from(schema.url()), _schema: Some(schema) }
    } else {
        Other { location: env.path().join(format!("{name}.db")), _schema: None }
    }
}

/// The installation key of the database at `location`, read behind crew's back.
fn installation_key(location: &Path) -> String {
    let text = location.to_str().unwrap();
    if crew_store::is_postgres_url(text) {
        let (base, query) = text.split_once('?').unwrap();
        let schema = query.split('&').find_map(|p| p.strip_prefix("schema=")).unwrap();
        let mut config: postgres::Config = base.parse().unwrap();
        if let Ok(password) = std::env::var("PGPASSWORD") {
            config.password(password);
        }
        config.options(&format!("-c search_path={schema}"));
        config.connect(postgres::NoTls).unwrap().query_one("SELECT key FROM installation", &[]).unwrap().get(0)
    } else {
        rusqlite::Connection::open(location)
            .unwrap()
            .query_row("SELECT key FROM installation", [], |r| r.get(0))
            .unwrap()
    }
}

fn tables(report: &Value) -> Vec<(String, u64, String)> {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (t["table"].as_str().unwrap().into(), t["rows"].as_u64().unwrap(), t["sha256"].as_str().unwrap().into())
        })
        .collect()
}

/// A company with work in it: orders placed, one assigned and done, a week closed.
fn busy_company() -> Env {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-02 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["matching", "run"]);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.ok(&["billing", "close-week", "2026-W49"]);
    env.login("admin", ADMIN_PASSWORD);
    env
}

#[test]
fn a_company_moves_to_the_other_store_and_back_with_every_row_its_key_and_its_numbering() {
    let env = busy_company();
    let there = other_store(&env, "moved");
    let to = there.location.to_str().unwrap();
    let run = env.run(&["--format", "json", "db", "copy", "--to", to], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let first: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(first["ledger"]["checks"].as_array().unwrap().len() >= 6);
    assert!(first["ledger"]["checks"].as_array().unwrap().iter().all(|c| c["problems"].as_array().unwrap().is_empty()));
    let copied = tables(&first);
    assert_eq!(copied.len(), crew_store::copy::TABLES.len(), "every table");
    let rows = |name: &str| copied.iter().find(|t| t.0 == name).map(|t| t.1).unwrap();
    assert!(rows("events") > 20 && rows("orders") == 2 && rows("supplies_kits") == 2 && rows("billing_periods") == 1);
    assert_eq!(installation_key(&env.db()), installation_key(&there.location), "the same installation");

    // The copy answers as the source does (sessions are per database: log in there).
    let on_copy = |args: &[&str]| {
        let mut all = vec!["--db", to];
        all.extend_from_slice(args);
        env.run(&all, None)
    };
    assert_eq!(env.run(&["--db", to, "login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD)).code, 0);
    for args in [&["order", "list"][..], &["account", "list"], &["billing", "balances"], &["billing", "invoices"]] {
        let (here, copy) = (env.run(args, None), on_copy(args));
        assert_eq!((copy.code, &copy.stdout), (0, &here.stdout), "crew {args:?} on the copy: {}", copy.stderr);
    }
    // It goes on numbering as the source would: the next order and session have the same ids.
    env.login("ann@example.com", PASSWORD);
    assert_eq!(env.run(&["--db", to, "login", "ann@example.com", "--password-stdin"], Some(PASSWORD)).code, 0);
    let place = ["--format", "json", "order", "create", "--service", "cleaning", "--at", "2026-12-09 10:00"];
    let (here, copy) = (env.run(&place, None), on_copy(&place));
    let id = |run: &crate::common::Run| serde_json::from_str::<Value>(&run.stdout).unwrap()["id"].clone();
    assert_eq!(id(&copy), id(&here), "{}", copy.stderr);

    // And back, into the suite's own store: the same rows but for what happened on the copy
    // since (the ledger check the copy recorded, the logins and the order just placed).
    let back = same_store(&env, "back");
    let run = env.run(&["--format", "json", "db", "copy", "--from", to, "--to", back.location.to_str().unwrap()], None);
    assert_eq!(run.code, 3, "the admin of the copy must be logged in there: {}", run.stderr);
    assert_eq!(env.run(&["--db", to, "login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD)).code, 0);
    let run = env.run(&["--format", "json", "db", "copy", "--from", to, "--to", back.location.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let again = tables(&serde_json::from_str(&run.stdout).unwrap());
    let changed: Vec<&str> = copied.iter().zip(&again).filter(|(a, b)| a != b).map(|(a, _)| a.0.as_str()).collect();
    assert_eq!(
        changed,
        ["sessions", "orders", "events", "subscriptions", "matching_orders", "outbox", "quality_orders"],
        "only what happened on the copy"
    );
    assert_eq!(installation_key(&back.location), installation_key(&env.db()), "the key came back");
}

#[test]
fn a_copy_is_refused_changing_nothing_when_the_target_is_taken_or_the_caller_may_not() {
    let env = Env::company();
    let there = other_store(&env, "moved");
    let to = there.location.to_str().unwrap().to_string();
    // A password in a URL is refused before anything is read or made.
    let run = env.run(&["db", "copy", "--to", "postgres://crew:secret@127.0.0.1/crew"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("PGPASSWORD") && !run.stderr.contains("secret"), "{}", run.stderr);
    // Only an admin copies the database.
    env.login("mia", PASSWORD);
    let run = env.run(&["db", "copy", "--to", &to], None);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("may not copy the database"), "{}", run.stderr);
    env.login("admin", ADMIN_PASSWORD);
    // The first copy is made; a second into the same place is refused and leaves it as it was.
    assert_eq!(env.run(&["db", "copy", "--to", &to], None).code, 0);
    let key = installation_key(&there.location);
    let run = env.run(&["db", "copy", "--to", &to], None);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("already"), "{}", run.stderr);
    assert_eq!(installation_key(&there.location), key);
    // A file that holds something else is refused and kept.
    let taken = env.path().join("notes.txt");
    std::fs::write(&taken, "my notes\n").unwrap();
    let run = env.run(&["db", "copy", "--to", taken.to_str().unwrap()], None);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "my notes\n");
    // A copy onto itself is refused.
    let run = env.run(&["db", "copy", "--to", env.db().to_str().unwrap()], None);
    assert!(run.code == 2 || run.code == 5, "{}", run.stderr);
}
