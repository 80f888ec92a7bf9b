//! Logging in and out, sessions kept privately, service tokens, deactivation.

use std::os::unix::fs::PermissionsExt;

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD};

#[test]
fn sessions_are_kept_in_a_private_file_and_end_on_logout() {
    let mut env = Env::company();
    let sessions = env.path().join("config/crew/sessions");
    let files: Vec<_> = std::fs::read_dir(&sessions).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&sessions).unwrap().permissions().mode() & 0o777, 0o700);
    // The database keeps only a hash of the token.
    let token = std::fs::read_to_string(&files[0]).unwrap();
    let db = env.database_bytes();
    assert!(!db.windows(token.trim().len()).any(|w| w == token.trim().as_bytes()));

    env.step(&["whoami"], None);
    env.step(&["logout"], None);
    env.step(&["whoami"], None);
    env.step(&["logout"], None);
    env.step(&["login", "admin", "--password-stdin"], Some("wrong-password"));
    env.step(&["login", "nobody", "--password-stdin"], Some("wrong-password"));
    env.step(&["login", "admin", "--password-stdin"], Some("short"));
    env.step(&["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD));
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_deactivated_account_is_locked_out_at_once() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    env.ok(&["whoami"]);
    // The admin deactivates mia from another session (a second session folder).
    let mut admin = env.command(&["account", "deactivate", "mia"]);
    admin.env("XDG_CONFIG_HOME", env.path().join("admin-config"));
    let login = env.command(&["login", "admin", "--password-stdin"]);
    let mut login = login;
    login.env("XDG_CONFIG_HOME", env.path().join("admin-config"));
    assert_eq!(env.run_with(login, Some(ADMIN_PASSWORD)).code, 0);
    assert_eq!(env.run_with(admin, None).code, 0);
    env.step(&["whoami"], None);
    env.step(&["login", "mia", "--password-stdin"], Some(PASSWORD));
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn service_accounts_work_from_crew_token_and_tokens_can_be_rotated() {
    let env = Env::company();
    let token = env.ok(&["account", "create", "cron", "--role", "service", "--name", "Cron jobs"]);
    let token = token.trim().to_string();
    assert!(token.starts_with("crew_") && token.len() == 69, "{token}");

    let mut whoami = env.command(&["whoami"]);
    whoami.env("CREW_TOKEN", &token);
    let run = env.run_with(whoami, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("service"), "{}", run.stdout);

    // A service account cannot log in with a password, and is refused manager work.
    let run = env.run(&["login", "cron", "--password-stdin"], Some(PASSWORD));
    assert_eq!(run.code, 3);
    let mut assign = env.command(&["order", "assign", "1", "tom@crew.example"]);
    assign.env("CREW_TOKEN", &token);
    let run = env.run_with(assign, None);
    assert_eq!((run.code, run.stderr.trim()), (3, "error: service `cron` may not assign orders"));

    // Rotating the token ends the old one.
    let new = env.ok(&["account", "reset-password", "cron"]).trim().to_string();
    assert_ne!(new, token);
    let mut old = env.command(&["whoami"]);
    old.env("CREW_TOKEN", &token);
    assert_eq!(env.run_with(old, None).code, 3);
    let mut fresh = env.command(&["whoami"]);
    fresh.env("CREW_TOKEN", &new);
    assert_eq!(env.run_with(fresh, None).code, 0);
}

#[test]
fn accounts_are_managed_by_the_admin_with_clear_refusals() {
    let mut env = Env::company();
    env.step(&["account", "list"], None);
    env.step(&["account", "create", "zoe", "--role", "manager", "--name", "Zoe", "--password-stdin"], Some(PASSWORD));
    env.step(&["account", "create", "zoe", "--role", "manager", "--name", "Zoe", "--password-stdin"], Some(PASSWORD));
    env.step(&["account", "create", "kim", "--role", "worker", "--name", "Kim", "--password-stdin"], Some(PASSWORD));
    env.step(&["account", "create", "kim", "--role", "client", "--name", "Kim", "--password-stdin"], Some(PASSWORD));
    env.step(&["account", "create", "kim", "--role", "boss", "--name", "Kim", "--password-stdin"], Some(PASSWORD));
    env.step(&["account", "create", "k m", "--role", "manager", "--name", "Kim", "--password-stdin"], Some(PASSWORD));
    env.step(&["account", "set-role", "zoe", "accountant"], None);
    env.step(&["account", "set-role", "zoe", "accountant"], None);
    env.step(&["account", "set-role", "tom@crew.example", "manager"], None);
    env.step(&["account", "set-role", "admin", "manager"], None);
    env.step(&["account", "deactivate", "admin"], None);
    env.step(&["account", "deactivate", "zoe"], None);
    env.step(&["account", "deactivate", "zoe"], None);
    env.step(&["account", "show", "ann@example.com"], None);
    env.step(&["account", "show", "nobody"], None);
    env.step(&["--format", "json", "account", "list", "--role", "worker"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_login_at_the_end_of_the_year_9999_leaves_a_session_that_reads_back() {
    // A database with a chosen clock: any time up to 9999-12-31 23:59:59 may be given. A session
    // opened in the last hour lasts to the last second crew stores, not a day.
    let mut env = Env::company();
    env.now = "9999-12-31T23:00:00Z".into();
    env.login("ann@example.com", PASSWORD);
    let run = env.run(&["order", "list"], None);
    assert_eq!(run.code, 0, "the session opened at the end of time works: {}", run.stderr);
    // Its end (a day later) is stored as the last instant crew stores, so the account's sessions
    // still read back at any later login (before, the stored `+10000-…` locked the account out).
    env.now = "2026-12-01T08:00:00Z".into();
    env.login("ann@example.com", PASSWORD);
    assert_eq!(env.run(&["order", "list"], None).code, 0);
    env.now = "9999-12-31T23:59:59Z".into();
    env.login("ann@example.com", PASSWORD);
}
