//! The company's rules live in the database: staff read them, only an admin changes them (one
//! event per change, with the old and the new value), an old crew.toml is imported all or nothing,
//! and a crew.toml that someone else controls, or that holds company rules, steers nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD};
use crate::test_matching::settings_events;

/// Writes a file only its owner may change (mode 0600), whatever the umask.
fn private(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path.to_path_buf()
}

fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut full = vec!["--format", "json"];
    full.extend_from_slice(args);
    serde_json::from_str(&env.ok(&full)).unwrap()
}

#[test]
fn an_admin_changes_the_companys_rules_and_every_change_is_in_the_audit_log() {
    let mut env = Env::company();
    env.step(&["settings", "show"], None);
    env.step(&["settings", "set", "pricing.base_price", "85.5"], None);
    env.step(&["settings", "set", "pricing.base_price", "85.50"], None);
    env.step(&["settings", "set", "time_zone", "Europe/Berlin"], None);
    env.step(&["settings", "set", "ordering.no_show_grace_minutes", "45"], None);
    env.step(&["settings", "set", "matching.neighbours", "south: north; north: centre, south"], None);

    env.note("a refused value changes nothing and says why");
    let events = env.event_count();
    for (key, value) in [
        ("pricing.base_price", "-1.00"),
        ("pricing.base_price", "1.005"),
        ("ordering.no_show_grace_minutes", "1441"),
        ("ordering.max_photo_mib", "0"),
        ("matching.default_rating", "ten"),
        ("time_zone", "Mars/Olympus"),
        ("currency", "euro"),
        ("matching.steps", "rating:1, rating:2"),
        ("matching.steps", "rating:1, zone_affinity:2"),
        ("matching.neighbours", "north: north"),
        ("colour", "blue"),
    ] {
        env.step(&["settings", "set", key, value], None);
    }
    assert_eq!(env.event_count(), events, "refused changes record nothing");
    env.step(&["settings", "show"], None);
    env.step(&["settings", "show", "time_zone"], None);
    env.step(&["settings", "show", "nope"], None);

    env.note("the rules decide: the price in force, and 10:00 read in Berlin time");
    env.login("ann@example.com", PASSWORD);
    env.step(&["order", "quote", "--service", "cleaning", "--at", "2026-12-01 10:00"], None);
    let order = json(&env, &["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    assert_eq!(
        (order["quote"].as_str(), order["scheduled_at"].as_str()),
        (Some("85.50"), Some("2026-12-01T09:00:00Z"))
    );
    env.step(&["settings", "show"], None);

    env.note("a manager reads the rules but may not change them");
    env.login("mia", PASSWORD);
    env.step(&["settings", "show", "pricing.base_price"], None);
    env.step(&["settings", "set", "pricing.base_price", "1.00"], None);
    env.step(&["settings", "import", "/dev/null"], None);

    env.note("the audit log:");
    for line in settings_events(&env) {
        env.note(&line);
    }
    let shown = json(&env, &["settings", "show"]);
    let price = shown.as_array().unwrap().iter().find(|s| s["key"] == "pricing.base_price").unwrap();
    assert_eq!((price["value"].as_str(), price["default"].as_str()), (Some("85.50"), Some("100.00")));
    assert_eq!(price["changed_by"], 1, "the first admin set it");
    insta::assert_snapshot!(env.transcript);
}

/// A crew.toml as crew read it before company rules moved to the database, in a folder of its
/// own, with an external step whose script sits beside it.
fn old_company_folder(env: &Env) -> PathBuf {
    let dir = env.path().join("company");
    std::fs::create_dir_all(dir.join("steps")).unwrap();
    let step = dir.join("steps/zone.sh");
    std::fs::write(&step, "cat >/dev/null\necho '{\"scores\": [1]}'\n").unwrap();
    std::fs::set_permissions(&step, std::fs::Permissions::from_mode(0o644)).unwrap();
    private(
        &dir.join("crew.toml"),
        r#"# The company's configuration, as it was.
database = "crew.db"
currency = "EUR"
time_zone = "Europe/Berlin"

[pricing]
base_price = "120.00"

[ordering]
no_show_grace_minutes = 20
max_photo_mib = 8

[matching]
default_capacity = 2
default_rating = 60

[[matching.steps]]
name = "skill_fit"
weight = 1.5

[[matching.steps]]
name = "rating"

[[matching.steps]]
name = "zone"
weight = 2
command = ["/bin/sh", "steps/zone.sh", "--fast"]
timeout_seconds = 5

[matching.neighbours]
north = ["centre", "south"]
south = ["north"]

[mail]
from = "crew <crew@example.com>"
transport = "file"
"#,
    );
    dir
}

#[test]
fn settings_import_moves_an_old_crew_toml_into_the_database_all_or_nothing() {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01T09:00:00Z"]);
    env.login("admin", ADMIN_PASSWORD);
    let dir = old_company_folder(&env);
    env.step(&["settings", "import", "company/crew.toml", "--dry-run"], None);
    let events = env.event_count();
    assert_eq!(json(&env, &["settings", "step", "list"]), serde_json::json!([]), "a dry run registers nothing");
    env.step(&["settings", "import", "company/crew.toml"], None);
    assert!(env.event_count() > events);
    env.step(&["settings", "show"], None);
    env.note("importing the same file again changes nothing");
    let events = env.event_count();
    env.step(&["settings", "import", "company/crew.toml"], None);
    assert_eq!(env.event_count(), events);

    // The step's program and the script its argument names are recorded as absolute paths with
    // their checksums; other arguments stay as they were.
    let steps = json(&env, &["settings", "step", "list"]);
    let step = &steps[0];
    let sh = std::fs::canonicalize("/bin/sh").unwrap().display().to_string();
    let script = dir.join("steps/zone.sh").canonicalize().unwrap().display().to_string();
    assert_eq!(step["name"], "zone");
    assert_eq!(step["program"], sh.as_str());
    assert_eq!(step["args"], serde_json::json!([script, "--fast"]));
    assert_eq!(step["files"][1]["path"], script.as_str());
    let sha = crew_core::types::Sha256Hex::of(&std::fs::read(&script).unwrap());
    assert_eq!(step["files"][1]["sha256"], sha.as_str());
    assert_eq!((step["timeout_seconds"].as_u64(), step["weight"].as_f64()), (Some(5), Some(2.0)));
    assert_eq!(step["state"], "approved");

    env.note("a file with one bad rule changes nothing, and the error names file, line and key");
    let before = env.ok(&["settings", "show"]);
    let events = env.event_count();
    let cases = [
        ("late-error.toml", "[pricing]\nbase_price = \"90.00\"\n\n[ordering]\nno_show_grace_minutes = 5000\n"),
        ("money-number.toml", "currency = \"CHF\"\n[pricing]\nbase_price = 90.5\n"),
        ("whole-text.toml", "[matching]\ndefault_capacity = \"3\"\n"),
        ("unknown-rule.toml", "[ordering]\nno_show_grace = 10\n"),
        ("unknown-section.toml", "[billing]\nworker_share = 60\n"),
        ("bad-zone.toml", "time_zone = \"Europe/Atlantis\"\n"),
        ("step-unknown.toml", "[[matching.steps]]\nname = \"rating\"\n\n[[matching.steps]]\nname = \"teleport\"\n"),
        ("step-weight.toml", "[[matching.steps]]\nname = \"rating\"\nweight = -1.0\n"),
        (
            "step-key.toml",
            "[[matching.steps]]\nname = \"rating\"\n\n[[matching.steps]]\nname = \"load\"\ncolour = \"red\"\n",
        ),
        (
            "step-missing.toml",
            "currency = \"CHF\"\n\n[[matching.steps]]\nname = \"far\"\ncommand = [\"steps/nowhere.sh\"]\n",
        ),
        ("step-built-in.toml", "[[matching.steps]]\nname = \"load\"\ncommand = [\"/bin/true\"]\n"),
        ("neighbours.toml", "[matching.neighbours]\nnorth = \"south\"\n"),
        ("not-toml.toml", "currency = \n"),
    ];
    for (name, text) in cases {
        private(&env.path().join(name), text);
        env.step(&["settings", "import", name], None);
    }
    env.step(&["settings", "import", "missing.toml"], None);
    env.step(&["settings", "import", "company"], None);
    assert_eq!(env.event_count(), events, "no refused import recorded anything");
    assert_eq!(env.ok(&["settings", "show"]), before, "no refused import changed a rule");

    env.note("the imported pipeline runs, its registered step included");
    env.login("mia", PASSWORD);
    env.step(&["matching", "explain", "1"], None);
    let text = env.transcript.replace(&sh, "[SH]");
    insta::assert_snapshot!(text);
}

#[test]
fn a_company_rule_in_a_local_crew_toml_is_refused_never_honoured() {
    let mut env = Env::company();
    private(
        &env.path().join("crew.toml"),
        "database = \"crew.db\"\n\n[pricing]\nbase_price = \"999999.99\"\n\n[matching]\ndefault_rating = 100\n",
    );
    env.step(&["order", "quote", "--service", "cleaning", "--at", "2026-12-01 10:00"], None);
    env.step(&["settings", "show"], None);
    env.step(&["--config", "crew.toml", "whoami"], None);
    env.note("an admin may still log in and move the rules into the database");
    env.step(&["login", "admin", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.step(&["settings", "import", "crew.toml"], None);
    env.note("then keeps only the local settings in crew.toml");
    private(&env.path().join("crew.toml"), "database = \"crew.db\"\n");
    env.step(&["settings", "show", "pricing.base_price"], None);
    insta::assert_snapshot!(env.transcript);

    // A new database can be made beside an old crew.toml, to import its rules into.
    let fresh = Env::new();
    private(&fresh.path().join("crew.toml"), "[pricing]\nbase_price = \"80.00\"\n");
    let run = fresh.run(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("warning: crew.toml: line 2, key `pricing.base_price`"), "{}", run.stderr);
    fresh.login("admin", ADMIN_PASSWORD);
    assert_eq!(fresh.run(&["whoami"], None).code, 2, "other commands refuse it");
    fresh.ok(&["settings", "import", "crew.toml"]);
    private(&fresh.path().join("crew.toml"), "");
    assert_eq!(json(&fresh, &["settings", "show", "pricing.base_price"])["value"], "80.00");
}

/// Runs `args` as the logged-in account with `folder` as the working folder.
fn run_in(env: &Env, folder: &Path, args: &[&str]) -> crate::common::Run {
    let mut cmd = env.command(args);
    cmd.current_dir(folder);
    env.run_with(cmd, None)
}

#[test]
fn a_planted_crew_toml_changes_no_price_weight_or_step() {
    let env = Env::company();
    env.ok(&["settings", "set", "pricing.base_price", "85.00"]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    // A folder everyone may write to, where someone left a crew.toml with a price, weights and a
    // step program of their own.
    let shared = env.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let marker = shared.join("PLANTED-STEP-RAN");
    let planted = format!(
        "[pricing]\nbase_price = \"999999.99\"\n\n[[matching.steps]]\nname = \"rating\"\nweight = 1000\n\n[[matching.steps]]\nname = \"planted\"\ncommand = [\"/bin/sh\", \"-c\", \"touch {}; env > {}.env\"]\n",
        marker.display(),
        marker.display()
    );
    let file = shared.join("crew.toml");
    let events = env.event_count();
    let mut kinds = vec![("the manager's own file", 0o600), ("a file anyone may write", 0o666)];
    // As root the test can also plant a file that belongs to another user, as an attacker would.
    if crew_cli::config::current_uid() == 0 {
        kinds.push(("another user's file", 0o644));
    }
    for (kind, mode) in kinds {
        std::fs::write(&file, &planted).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        if kind == "another user's file" {
            std::os::unix::fs::chown(&file, Some(65534), Some(65534)).unwrap();
        }
        for args in [&["matching", "run"][..], &["matching", "explain", "1"], &["order", "list"]] {
            let run = run_in(&env, &shared, args);
            assert_eq!(run.code, 2, "{kind}: crew {args:?} ran: {}{}", run.stdout, run.stderr);
            let expected = match kind {
                "the manager's own file" => "company rules are no longer read from a local file",
                "a file anyone may write" => "by everyone (mode 0666)",
                _ => "belongs to another user (uid 65534",
            };
            assert!(run.stderr.contains(expected), "{kind}: {}", run.stderr);
        }
        std::fs::remove_file(&file).unwrap();
    }
    assert!(!marker.exists(), "the planted step program ran");
    assert_eq!(env.event_count(), events, "nothing was recorded");
    // From a folder without one, the cycle assigns at the company's price.
    let run = run_in(&env, &shared, &["--format", "json", "matching", "run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows[0]["price"], "85.00 EUR");
    assert!(!marker.exists());
}

#[test]
fn a_configuration_file_others_can_change_or_that_is_not_a_file_is_refused() {
    let mut env = Env::new();
    let cases = [("group.toml", 0o620), ("world.toml", 0o602), ("both.toml", 0o666)];
    for (name, mode) in cases {
        std::fs::write(env.path().join(name), "").unwrap();
        std::fs::set_permissions(env.path().join(name), std::fs::Permissions::from_mode(mode)).unwrap();
        env.step(&["--config", name, "whoami"], None);
    }
    env.note("found in the working folder without being asked for: refused all the same");
    std::fs::write(env.path().join("crew.toml"), "").unwrap();
    std::fs::set_permissions(env.path().join("crew.toml"), std::fs::Permissions::from_mode(0o664)).unwrap();
    env.step(&["whoami"], None);
    let mut with_env = env.command(&["whoami"]);
    with_env.env("CREW_CONFIG", "world.toml");
    let run = env.run_with(with_env, None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("world.toml can be changed by everyone"), "{}", run.stderr);
    std::fs::remove_file(env.path().join("crew.toml")).unwrap();

    env.note("a folder, or a pipe that would never end, is not a configuration file");
    std::fs::create_dir(env.path().join("folder.toml")).unwrap();
    env.step(&["--config", "folder.toml", "whoami"], None);
    let fifo = env.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    env.step(&["--config", "fifo.toml", "whoami"], None);

    env.note("a private file is read");
    private(&env.path().join("mine.toml"), "format = \"json\"\n");
    env.step(&["--config", "mine.toml", "whoami"], None);
    if crew_cli::config::current_uid() == 0 {
        let theirs = private(&env.path().join("theirs.toml"), "");
        std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
        let run = env.run(&["--config", "theirs.toml", "whoami"], None);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("theirs.toml belongs to another user (uid 65534"), "{}", run.stderr);
    }
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn the_rules_in_force_decide_the_grace_a_hires_defaults_and_the_currency() {
    let env = Env::company();
    env.ok(&["settings", "set", "currency", "chf"]);
    env.ok(&["settings", "set", "ordering.no_show_grace_minutes", "90"]);
    env.ok(&["settings", "set", "matching.default_capacity", "3"]);
    env.ok(&["settings", "set", "matching.default_rating", "70"]);
    // A hire whose file says nothing of capacity and rating gets the company's defaults.
    private(&env.path().join("more.csv"), "name,email,zone,skills\nKit Paws,kit@crew.example,north,cleaning:2\n");
    env.ok(&["import", "workers", "more.csv"]);
    let kit = json(&env, &["matching", "profile", "kit@crew.example"]);
    assert_eq!((kit["capacity"].as_u64(), kit["rating"].as_u64()), (Some(3), Some(70)));
    let tom = json(&env, &["matching", "profile", "tom@crew.example"]);
    assert_eq!((tom["capacity"].as_u64(), tom["rating"].as_u64()), (Some(2), Some(80)), "a file that says wins");

    env.login("ann@example.com", PASSWORD);
    let out = env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    assert!(out.contains("about 100.00 CHF"), "amounts are shown in the company's currency: {out}");
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    // 11:30 is within a grace of 90 minutes, so nobody is a no-show; with 60 it is past.
    let sweep = |env: &Env| {
        // A day later the morning's session has expired: the manager logs in again then.
        let mut login = env.command(&["login", "mia", "--password-stdin"]);
        login.env("CREW_NOW", "2026-12-01T11:30:00Z");
        assert_eq!(env.run_with(login, Some(PASSWORD)).code, 0);
        let mut cmd = env.command(&["--format", "json", "order", "sweep-no-shows", "--dry-run"]);
        cmd.env("CREW_NOW", "2026-12-01T11:30:00Z");
        let run = env.run_with(cmd, None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap().as_array().unwrap().len()
    };
    assert_eq!(sweep(&env), 0, "within the company's grace of 90 minutes");
    env.login("admin", ADMIN_PASSWORD);
    env.ok(&["settings", "set", "ordering.no_show_grace_minutes", "60"]);
    env.login("mia", PASSWORD);
    assert_eq!(sweep(&env), 1, "past the company's grace of 60 minutes");
}

#[test]
fn the_session_lifetime_is_the_companys_rule() {
    let mut env = Env::company();
    env.ok(&["settings", "set", "sessions.lifetime_hours", "1"]);
    env.login("mia", PASSWORD);
    let who = json(&env, &["whoami"]);
    assert_eq!(who["session"]["expires_at"], "2026-11-30T09:00:00Z", "{who}");
    // At the hour the session is over.
    env.now = "2026-11-30T09:00:00Z".into();
    let run = env.run(&["order", "list"], None);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("session expired"), "{}", run.stderr);
    // Out of range is refused, naming the range.
    env.login("admin", ADMIN_PASSWORD);
    let run = env.run(&["settings", "set", "sessions.lifetime_hours", "0"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
