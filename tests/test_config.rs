//! crew.toml: defaults, precedence (flag > environment > file > default), and clear refusals.

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD};

/// Writes a configuration file only its owner may change, whatever the umask.
fn config(env: &Env, name: &str, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = env.path().join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn a_bad_configuration_file_names_file_line_and_key() {
    let mut env = Env::new();
    let cases = [
        ("unknown-key.toml", "database = \"crew.db\"\n\n[mail]\nsender = \"crew@example.com\"\n"),
        ("bad-transport.toml", "[mail]\ntransport = \"pigeon\"\n"),
        ("bad-type.toml", "[mail]\nmax_attempts = \"five\"\n"),
        ("bad-format.toml", "\nformat = \"yaml\"\n"),
        ("not-toml.toml", "database = \n"),
        // Company rules are the database's now: named, with the way to move them there.
        ("company-rule.toml", "database = \"crew.db\"\n\n[pricing]\nbase_price = \"100.00\"\n"),
        ("company-steps.toml", "[[matching.steps]]\nname = \"rating\"\ncommand = [\"/bin/true\"]\n"),
        ("company-zone.toml", "time_zone = \"Europe/Berlin\"\ncurrency = \"EUR\"\n"),
    ];
    for (name, text) in cases {
        config(&env, name, text);
        env.step(&["--config", name, "whoami"], None);
    }
    env.step(&["--config", "missing.toml", "whoami"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file() {
    let env = Env::new();
    config(&env, "crew.toml", "database = \"from-file.db\"\nformat = \"json\"\n");
    // crew.toml in the working folder is read; CREW_DB (set by the sandbox) beats its `database`.
    let mut init = env.command(&["init", "--password-stdin"]);
    init.env_remove("CREW_DB");
    assert_eq!(env.run_with(init, Some(ADMIN_PASSWORD)).code, 0);
    assert!(env.path().join("from-file.db").is_file(), "the file's database is used without CREW_DB");
    let mut init = env.command(&["init", "--password-stdin"]);
    init.env("CREW_DB", env.path().join("from-env.db"));
    assert_eq!(env.run_with(init, Some(ADMIN_PASSWORD)).code, 0);
    assert!(env.path().join("from-env.db").is_file());
    let flag = env.path().join("from-flag.db");
    let mut init = env.command(&["--db", flag.to_str().unwrap(), "init", "--password-stdin"]);
    init.env("CREW_DB", env.path().join("from-env.db"));
    assert_eq!(env.run_with(init, Some(ADMIN_PASSWORD)).code, 0);
    assert!(flag.is_file());

    env.ok_with(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.login("admin", ADMIN_PASSWORD);
    // The output format: the file says json; CREW_FORMAT beats it; the flag beats both.
    let out = env.ok(&["whoami"]);
    assert!(out.trim_start().starts_with('{'), "the file's format: {out}");
    let mut csv = env.command(&["whoami"]);
    csv.env("CREW_FORMAT", "csv");
    let out = env.run_with(csv, None).stdout;
    assert!(out.starts_with("login,") || out.contains(",admin"), "the environment's format: {out}");
    let mut table = env.command(&["--format", "table", "whoami"]);
    table.env("CREW_FORMAT", "csv");
    let out = env.run_with(table, None).stdout;
    assert!(!out.trim_start().starts_with('{') && !out.contains(','), "the flag's format: {out}");

    // Prices and times are the company's rules, from the database: 80.00, and 10:00 Berlin is
    // 09:00 UTC.
    env.ok(&["settings", "set", "time_zone", "Europe/Berlin"]);
    env.ok(&["settings", "set", "pricing.base_price", "80.00"]);
    env.ok(&["import", crate::common::fixture("tests/company").to_str().unwrap()]);
    env.ok_with(&["account", "reset-password", "ann@example.com", "--password-stdin"], Some(PASSWORD));
    env.login("ann@example.com", PASSWORD);
    let out = env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    let order: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(order["quote"], "80.00");
    assert_eq!(order["scheduled_at"], "2026-12-01T09:00:00Z");
    let table = env.ok(&["--format", "table", "order", "show", "1"]);
    assert!(table.contains("2026-12-01 10:00"), "tables show the company's zone: {table}");
}

#[test]
fn commands_without_a_database_say_how_to_make_one() {
    let mut env = Env::new();
    env.step(&["whoami"], None);
    env.step(&["--now", "yesterday", "whoami"], None);
    env.step(&["init", "--login", "bad login", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.step(&["init", "--password-stdin"], Some("short"));
    assert!(!env.database_exists(), "a refused init leaves no database behind");
    env.step(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.step(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.step(&["whoami"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn two_inits_at_once_leave_exactly_one_database() {
    for _ in 0..5 {
        let env = Env::new();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| env.run(&["init", "--password-stdin"], Some(ADMIN_PASSWORD)));
            let b = s.spawn(|| env.run(&["init", "--login", "root", "--password-stdin"], Some(ADMIN_PASSWORD)));
            (a.join().unwrap(), b.join().unwrap())
        });
        let mut codes = [a.code, b.code];
        codes.sort_unstable();
        assert_eq!(codes, [0, 5], "{a:?} {b:?}");
        assert!(env.database_exists(), "the winner's database stays");
        let winner = if a.code == 0 { "admin" } else { "root" };
        env.login(winner, ADMIN_PASSWORD);
    }
}

#[test]
fn times_outside_the_years_crew_stores_are_refused() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    let run = env.run(&["order", "create", "--service", "cleaning", "--at", "+12345-01-01 10:00"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = env.run(&["order", "create", "--service", "cleaning", "--at", "+12345-01-01T10:00:00Z"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = env.run(&["--now", "0001-01-01T00:00:00Z", "whoami"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
