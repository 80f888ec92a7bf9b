//! Accounts (issue 13, §6): a manual assignment refuses what matching would never do unless forced
//! with a reason; failed logins are recorded; sessions expire, and are listed and revoked by their
//! owner or an admin.

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD, fixtures_root};

/// Runs crew as someone logged in from another session folder (`XDG_CONFIG_HOME=<tmp>/<who>`),
/// recording it in the transcript like [`Env::step`], marked with who it is.
fn step_as(env: &mut Env, who: &str, args: &[&str], stdin: Option<&str>) -> crate::common::Run {
    let mut cmd = env.command(args);
    cmd.env("XDG_CONFIG_HOME", env.path().join(who));
    let run = env.run_with(cmd, stdin);
    let root = env.path().display().to_string();
    let fixtures = fixtures_root().display().to_string();
    let redact = |s: &str| s.replace(&root, "[TMP]").replace(&fixtures, "fixtures");
    env.transcript.push_str(&redact(&format!("({who}) $ crew {}\n", args.join(" "))));
    env.transcript.push_str(&redact(&run.stdout));
    for line in redact(&run.stderr).lines() {
        env.transcript.push_str(&format!("stderr: {line}\n"));
    }
    if run.code != 0 {
        env.transcript.push_str(&format!("[exit {}]\n", run.code));
    }
    env.transcript.push('\n');
    run
}

fn place(env: &Env, service: &str, at: &str) {
    env.ok(&["order", "create", "--service", service, "--at", at]);
}

#[test]
fn a_manual_assignment_refuses_what_matching_would_never_do_unless_forced_with_a_reason() {
    let mut env = Env::company();
    // tom: north, cleaning:3 gardening:3, capacity 2; tia: south, gardening:4, capacity 1.
    env.login("ann@example.com", PASSWORD);
    place(&env, "cleaning", "2026-12-01 10:00"); // 1
    place(&env, "cleaning", "2026-12-01 10:00"); // 2, at the same time as 1
    place(&env, "cleaning", "2026-12-01 14:00"); // 3
    place(&env, "gardening", "2026-12-01 16:00"); // 4
    place(&env, "gardening", "2026-12-01 18:00"); // 5
    env.login("bob@example.com", PASSWORD);
    place(&env, "cleaning", "2026-12-02 09:00"); // 6, in the south
    env.login("mia", PASSWORD);

    env.note("tom may take order 1; not order 2 at the same time");
    env.step(&["order", "assign", "1", "tom@crew.example"], None);
    let before = env.event_count();
    env.step(&["order", "assign", "2", "tom@crew.example"], None);
    env.note("one order of his daily maximum of 2 leaves room; at 2 of 2 that day he is full");
    env.step(&["order", "assign", "3", "tom@crew.example"], None);
    let after_three = env.event_count();
    env.step(&["order", "assign", "4", "tom@crew.example"], None);
    env.note("tia lives in the south and does not clean");
    env.step(&["order", "assign", "5", "tia@crew.example"], None);
    env.step(&["order", "assign", "6", "tia@crew.example"], None);
    env.step(&["order", "assign", "2", "tia@crew.example"], None);
    // Each refusal changed nothing: only the two assignments (with their mail) were recorded.
    assert_eq!(env.event_count(), after_three);
    assert!(after_three > before);

    env.note("forcing needs a reason, and records it with what it overrode");
    env.step(&["order", "assign", "4", "tom@crew.example", "--force"], None);
    env.step(&["order", "assign", "4", "tom@crew.example", "--reason", "regular"], None);
    env.step(&["order", "assign", "4", "tom@crew.example", "--force", "--reason", " "], None);
    assert_eq!(env.event_count(), after_three);
    env.step(&["order", "assign", "4", "tom@crew.example", "--force", "--reason", "ann's regular gardener"], None);
    env.step(&["events", "list", "--order", "4"], None);
    env.step(&["order", "show", "4"], None);
    env.step(&["matching", "profile", "tom@crew.example"], None);

    env.note("a suspended worker is refused even when forced");
    env.ok(&["matching", "suspend", "tia@crew.example", "--reason", "complaint under review"]);
    env.step(&["order", "assign", "5", "tia@crew.example", "--force", "--reason", "urgent"], None);
    env.ok(&["matching", "reinstate", "tia@crew.example"]);

    env.note("with south configured as north's neighbour, tia may take a north gardening order;");
    env.note("it keeps the skills it was placed with (gardening:3), as in the cycle");
    env.login("admin", crate::common::ADMIN_PASSWORD);
    env.ok(&["settings", "set", "matching.neighbours", "north: south"]);
    env.login("mia", PASSWORD);
    env.step(&["service-type", "edit", "gardening", "--skills", "gardening:5"], None);
    env.step(&["order", "assign", "5", "tia@crew.example"], None);
    env.step(&["events", "list", "--order", "5"], None);

    env.note("the override is the staff's: the client sees the order without it");
    env.login("ann@example.com", PASSWORD);
    env.step(&["order", "show", "4"], None);
    insta::assert_snapshot!(env.transcript);

    // Scripts get the override as data.
    env.login("mia", PASSWORD);
    let shown: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "order", "show", "4"])).unwrap();
    assert_eq!(shown["forced"]["reason"], "ann's regular gardener");
    assert_eq!(shown["forced"]["overridden"][0], "day limit of 2 reached on 2026-12-01");
    let events: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "events", "list", "--order", "4"])).unwrap();
    let assigned = events.iter().find(|e| e["event"]["type"] == "order_assigned").unwrap();
    assert_eq!(assigned["event"]["forced"]["reason"], "ann's regular gardener");
    let plain: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "order", "show", "1"])).unwrap();
    assert!(plain.get("forced").is_none(), "{plain}");
}

#[test]
fn failed_logins_are_recorded_with_the_login_never_the_password() {
    let mut env = Env::company();
    env.ok(&["account", "deactivate", "wes"]);
    let token = env.ok(&["account", "create", "cron", "--role", "service", "--name", "Cron"]);
    assert!(token.trim().starts_with("crew_"));
    let long = format!("{}@example.com", "x".repeat(70));

    env.note("unknown login, wrong password: the same answer");
    env.step(&["login", "nobody", "--password-stdin"], Some("guess-one-1"));
    env.step(&["login", "mia", "--password-stdin"], Some("guess-two-2"));
    env.step(&["login", "cron", "--password-stdin"], Some("guess-three-3"));
    env.step(&["login", "wes", "--password-stdin"], Some(PASSWORD));
    env.step(&["login", &long, "--password-stdin"], Some("guess-four-4"));
    env.note("a login that cannot exist is bad input, not an attempt");
    env.step(&["login", "no body", "--password-stdin"], Some("guess-five-5"));
    env.login("admin", ADMIN_PASSWORD);
    env.note("`crew events list`, its login_failed rows:");
    let table = env.ok(&["events", "list"]);
    for line in table.lines().filter(|l| l.starts_with("SEQ") || l.contains("login_failed")) {
        env.transcript.push_str(&format!("{}\n", line.trim_end()));
    }
    let events: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "events", "list"])).unwrap();
    let failed: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["event"]["type"] == "login_failed").map(|e| &e["event"]).collect();
    insta::assert_snapshot!(env.transcript);

    assert_eq!(failed.len(), 5, "{failed:?}");
    assert_eq!(failed[0]["login"], "nobody");
    assert_eq!(failed[0]["reason"], "unknown_login");
    assert!(failed[0].get("account").is_none_or(serde_json::Value::is_null));
    assert_eq!(failed[1]["reason"], "wrong_password");
    assert_eq!(failed[2]["reason"], "service_account");
    assert_eq!(failed[3]["reason"], "deactivated");
    assert_eq!(failed[4]["login"].as_str().unwrap().chars().count(), 65, "64 characters and `…`");
    // No password typed reached the database, in the log or anywhere else.
    let db = env.database_bytes();
    for guess in ["guess-one-1", "guess-two-2", "guess-three-3", "guess-four-4", "guess-five-5", PASSWORD] {
        assert!(!db.windows(guess.len()).any(|w| w == guess.as_bytes()), "{guess} is stored");
    }
}

#[test]
fn sessions_expire_after_twelve_hours_and_are_revoked_by_their_owner_or_an_admin() {
    let mut env = Env::company();
    let token = env.ok(&["account", "create", "cron", "--role", "service", "--name", "Cron"]).trim().to_string();
    env.note("the admin logged in at 08:00 (session #1); cron's token is #2");
    env.step(&["whoami"], None);
    env.now = "2026-11-30T19:59:59Z".into();
    env.step(&["whoami"], None);
    env.now = "2026-11-30T20:00:00Z".into();
    env.step(&["whoami"], None);
    env.step(&["order", "list"], None);
    env.step(&["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.note("logging in cleared the expired session away");
    env.step(&["account", "sessions", "revoke", "1"], None);

    env.note("a service token does not expire");
    env.now = "2027-11-30T20:00:00Z".into();
    let mut whoami = env.command(&["whoami"]);
    whoami.env("CREW_TOKEN", &token);
    let run = env.run_with(whoami, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("never (service token)"), "{}", run.stdout);
    env.now = "2026-11-30T20:00:00Z".into();

    env.note("mia (#4) and tom (#5) log in from their own terminals");
    step_as(&mut env, "mia", &["login", "mia", "--password-stdin"], Some(PASSWORD));
    step_as(&mut env, "tom", &["login", "tom@crew.example", "--password-stdin"], Some(PASSWORD));
    step_as(&mut env, "mia", &["account", "sessions"], None);
    step_as(&mut env, "mia", &["account", "sessions", "MIA"], None);
    step_as(&mut env, "mia", &["account", "sessions", "tom@crew.example"], None);
    step_as(&mut env, "mia", &["account", "sessions", "nobody"], None);
    step_as(&mut env, "mia", &["account", "sessions", "--all"], None);
    step_as(&mut env, "mia", &["account", "sessions", "revoke", "5"], None);
    step_as(&mut env, "tom", &["account", "sessions", "revoke", "2"], None);
    env.step(&["account", "sessions", "--all"], None);
    env.step(&["account", "sessions", "tom@crew.example"], None);
    env.step(&["account", "sessions", "nobody"], None);

    env.note("the admin ends tom's session; tom is out at once");
    env.step(&["account", "sessions", "revoke", "5"], None);
    step_as(&mut env, "tom", &["order", "list"], None);
    env.step(&["account", "sessions", "revoke", "5"], None);
    env.step(&["account", "sessions", "revoke", "abc"], None);

    env.note("mia ends her own session: she is logged out");
    step_as(&mut env, "mia", &["account", "sessions", "revoke", "4"], None);
    step_as(&mut env, "mia", &["whoami"], None);
    assert!(!std::fs::read_dir(env.path().join("mia/crew/sessions")).unwrap().any(|_| true));
    env.step(&["events", "list", "--since", "2026-11-30 20:00"], None);
    insta::assert_snapshot!(env.transcript);
}
