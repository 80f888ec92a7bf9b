//! Whose clock a command runs by: `--now` only where the database allows it, the real time on
//! every event, and a log whose times never run backwards.

use std::thread;

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD, fixture};

/// A company in a database created without `--now`: it tells time by the system clock.
fn system_clock_company() -> Env {
    let env = Env::new();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = env.command(args);
        cmd.env_remove("CREW_NOW");
        let run = env.run_with(cmd, stdin);
        assert_eq!(run.code, 0, "crew {args:?}: {}{}", run.stdout, run.stderr);
    };
    run(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    run(&["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD));
    run(&["import", fixture("tests/company").to_str().unwrap()], None);
    for login in ["mia", "ann@example.com", "tom@crew.example"] {
        run(&["account", "reset-password", login, "--password-stdin"], Some(PASSWORD));
    }
    env
}

/// Runs crew without a chosen time.
fn real(env: &Env, args: &[&str], stdin: Option<&str>) -> crate::common::Run {
    let mut cmd = env.command(args);
    cmd.env_remove("CREW_NOW");
    env.run_with(cmd, stdin)
}

fn events(env: &Env) -> Vec<serde_json::Value> {
    let run = real(env, &["--format", "json", "events", "list"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn only_admins_choose_the_time_where_the_database_runs_on_the_system_clock() {
    let env = system_clock_company();
    let before = events(&env).len();
    assert_eq!(real(&env, &["login", "ann@example.com", "--password-stdin"], Some(PASSWORD)).code, 0);
    // The client back-dates an order: refused, and nothing is recorded.
    let run = env.run(&["order", "create", "--service", "cleaning", "--at", "2021-06-01 10:00"], None);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("only an admin may run a command at a chosen time"), "{}", run.stderr);
    // Reads too: a chosen time is refused to anyone but an admin.
    assert_eq!(env.run(&["order", "list"], None).code, 3);
    // Logging in at a chosen time is refused as well (nobody is known yet).
    assert_eq!(env.run(&["login", "ann@example.com", "--password-stdin"], Some(PASSWORD)).code, 3);
    // The admin may (e.g. to replay a missed sweep at the time it should have run).
    assert_eq!(real(&env, &["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD)).code, 0);
    let run = env.run(&["order", "list"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Only the two logins were added: the refused commands left no trace.
    assert_eq!(events(&env).len(), before + 2);
}

#[test]
fn on_the_system_clock_even_an_admin_may_choose_only_a_time_gone_by() {
    let env = system_clock_company();
    assert_eq!(real(&env, &["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD)).code, 0);
    let before = events(&env).len();
    // A mistyped replay a century ahead: it would stamp events in 2099 (and every later command
    // would run then), and set retries and leases the real clock reaches only in 2099.
    for args in [
        &["--now", "2099-01-01T00:00:00Z", "outbox", "deliver"][..],
        &["--now", "2099-01-01T00:00:00Z", "order", "list"],
    ] {
        let mut cmd = env.command(args);
        cmd.env_remove("CREW_NOW");
        let run = env.run_with(cmd, None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("is ahead of the system clock"), "{}", run.stderr);
    }
    // A time gone by is a replay: allowed.
    let mut past = env.command(&["--now", "2026-01-01T00:00:00Z", "outbox", "deliver"]);
    past.env_remove("CREW_NOW");
    let run = env.run_with(past, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = events(&env);
    assert!(after.iter().all(|e| e["at"].as_str().unwrap() < "2099"), "nothing was stamped in 2099");
    assert!(after.len() >= before);
}

#[test]
fn a_database_created_at_a_chosen_time_lets_everyone_choose() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    let run = env.run(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn every_event_has_its_real_time_and_times_never_run_backwards() {
    let env = system_clock_company();
    assert_eq!(real(&env, &["login", "ann@example.com", "--password-stdin"], Some(PASSWORD)).code, 0);
    thread::scope(|s| {
        for w in 0..3 {
            let env = &env;
            s.spawn(move || {
                for i in 0..12 {
                    let at = format!("2027-0{}-01 10:{:02}", w + 1, i);
                    let run = real(env, &["-q", "order", "create", "--service", "cleaning", "--at", &at], None);
                    assert_eq!(run.code, 0, "{}", run.stderr);
                }
            });
        }
    });
    assert_eq!(real(&env, &["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD)).code, 0);
    let log = events(&env);
    assert!(log.len() > 36);
    let times = |key: &str| -> Vec<chrono::DateTime<chrono::Utc>> {
        log.iter().map(|e| e[key].as_str().unwrap_or_else(|| panic!("{key} missing in {e}")).parse().unwrap()).collect()
    };
    for key in ["at", "recorded_at"] {
        let t = times(key);
        for pair in t.windows(2) {
            assert!(pair[0] <= pair[1], "{key} runs backwards: {} then {}", pair[0], pair[1]);
        }
    }
    // The real time is now-ish, not the business time of a test clock.
    let recorded = times("recorded_at");
    let age = chrono::Utc::now() - *recorded.last().unwrap();
    assert!(age < chrono::Duration::minutes(10), "{age}");
}
