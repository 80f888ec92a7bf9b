//! The matching cycle through the CLI: optimal assignment, explanations, profiles, relaxations,
//! the no-show sweep, and external steps in another language.

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD};

fn order(env: &Env, service: &str, at: &str) {
    env.ok(&["-q", "order", "create", "--service", service, "--at", at]);
}

/// ann (north) and bob (south) place five orders; a manager is logged in.
fn orders_placed() -> Env {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    order(&env, "cleaning", "2026-12-01 10:00");
    order(&env, "gardening", "2026-12-01 11:00");
    order(&env, "gardening", "2026-12-01 12:00");
    env.login("bob@example.com", PASSWORD);
    order(&env, "gardening", "2026-12-01 10:00");
    order(&env, "cleaning", "2026-12-02 09:00");
    env.login("mia", PASSWORD);
    env
}

#[test]
fn the_cycle_assigns_optimally_explains_and_sweeps() {
    let mut env = orders_placed();
    env.step(&["matching", "workers"], None);
    env.step(&["matching", "run", "--dry-run"], None);
    env.step(&["order", "list", "--status", "open"], None);
    env.step(&["matching", "run"], None);
    env.step(&["matching", "explain", "1"], None);
    env.step(&["matching", "explain", "3"], None);
    env.step(&["matching", "explain", "5"], None);
    env.step(&["matching", "explain", "99"], None);

    env.note("a manager teaches tia cleaning and gives her room; the next cycle uses it");
    env.step(&["matching", "edit", "tia@crew.example", "--skills", "gardening:4;cleaning:2"], None);
    env.step(&["matching", "edit", "tia@crew.example", "--capacity", "2"], None);
    env.step(&["matching", "edit", "tia@crew.example", "--capacity", "2"], None);
    env.step(&["matching", "edit", "ann@example.com", "--capacity", "2"], None);
    env.step(&["matching", "run"], None);
    env.step(&["matching", "run"], None);

    env.note("suspending a worker takes their assigned orders back at the next sweep");
    env.step(&["matching", "suspend", "tom@crew.example", "--reason", "complaint under review"], None);
    env.step(&["matching", "suspend", "tom@crew.example", "--reason", "again"], None);
    env.step(&["order", "sweep-no-shows", "--dry-run"], None);
    env.step(&["order", "sweep-no-shows"], None);
    env.step(&["matching", "run"], None);
    env.step(&["matching", "reinstate", "tom@crew.example"], None);
    env.step(&["matching", "run"], None);

    env.note("noon: tia never checked in for 10:00 (grace 30 minutes)");
    env.now = "2026-12-01T12:00:00Z".into();
    // A day later the manager's session has expired (12 hours): she logs in again.
    env.login("mia", PASSWORD);
    env.step(&["order", "sweep-no-shows"], None);
    env.step(&["order", "sweep-no-shows"], None);
    env.step(&["events", "list", "--order", "4"], None);
    env.step(&["matching", "profile", "tia@crew.example"], None);
    env.note("orders whose time has passed are not matched (the client may copy them)");
    env.step(&["matching", "run"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn neighbouring_zones_are_candidates_beside_the_orders_own_zone_in_one_solve() {
    let mut env = orders_placed();
    as_admin(&env, &[&["settings", "set", "matching.neighbours", "south: north; north: south"]]);
    env.step(&["matching", "run"], None);
    env.step(&["matching", "explain", "5"], None);
    env.note("bob's south order (nobody in south cleans) went to tom (north) in the same cycle; with room, tom takes ann's third order too");
    env.step(&["matching", "edit", "tom@crew.example", "--capacity", "4"], None);
    env.step(&["matching", "run"], None);
    env.step(&["matching", "explain", "5"], None);
    env.step(&["events", "list", "--order", "5"], None);
    insta::assert_snapshot!(env.transcript);
}

/// Runs commands as the admin (who alone changes the company's rules), then logs the manager back
/// in.
fn as_admin(env: &Env, commands: &[&[&str]]) {
    env.login("admin", ADMIN_PASSWORD);
    for args in commands {
        env.ok(args);
    }
    env.login("mia", PASSWORD);
}

/// Registers `program ARGS…` as the external step `external` (weight 2, after `rating`), in place of
/// any earlier one.
fn external_step(env: &Env, program: &str, args: &[&str], timeout: u64) {
    env.login("admin", ADMIN_PASSWORD);
    let _ = env.run(&["settings", "step", "remove", "external"], None);
    let timeout = timeout.to_string();
    let mut add =
        vec!["settings", "step", "add", "external", "--program", program, "--timeout", &timeout, "--weight", "2"];
    for a in args {
        add.extend(["--arg", a]);
    }
    env.ok(&add);
    env.ok(&["settings", "set", "matching.steps", "rating:1, external:2"]);
    env.login("mia", PASSWORD);
}

/// A step program written into the sandbox, executable and the user's alone.
fn script(env: &Env, name: &str, text: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = env.path().join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn an_external_step_in_python_scores_the_whole_batch_at_once() {
    let mut env = orders_placed();
    let script = crate::common::fixtures_root().join("../scripts/steps/zone_affinity.py").canonicalize().unwrap();
    external_step(&env, script.to_str().unwrap(), &[], 10);
    env.step(&["matching", "explain", "1"], None);
    env.step(&["matching", "run"], None);
    let text = env.transcript.replace(&script.display().to_string(), "scripts/steps/zone_affinity.py");
    insta::assert_snapshot!(text);
}

#[test]
fn a_failing_slow_or_malformed_step_fails_the_cycle_and_assigns_nothing() {
    let mut env = orders_placed();
    let cases: [(&[&str], u64); 5] = [
        (&["-c", "echo boom >&2; exit 3"], 10),
        (&["-c", "cat >/dev/null; echo not json"], 10),
        (&["-c", "cat >/dev/null; echo '{\"scores\": [0.5]}'"], 10),
        (&["-c", "cat >/dev/null; echo '{\"scores\": [0.5, 7, 0.5, 0.5]}'"], 10),
        (&["-c", "sleep 5"], 1),
    ];
    for (args, timeout) in cases {
        external_step(&env, "sh", args, timeout);
        env.step(&["matching", "run"], None);
    }
    env.note("a registered program that has gone away");
    let gone = script(&env, "gone.sh", "#!/bin/sh\necho '{\"scores\": []}'\n");
    external_step(&env, gone.to_str().unwrap(), &[], 10);
    std::fs::remove_file(&gone).unwrap();
    env.step(&["matching", "run"], None);
    env.note("a step nobody registered cannot join the pipeline");
    env.login("admin", ADMIN_PASSWORD);
    env.step(&["settings", "set", "matching.steps", "rating:1, teleport:1"], None);
    env.step(&["settings", "step", "add", "rating", "--program", "sh"], None);
    env.ok(&["settings", "step", "remove", "external"]);
    env.login("mia", PASSWORD);
    env.step(&["order", "list", "--status", "open"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_step_runs_with_a_cleared_environment_in_the_root_folder() {
    let env = orders_placed();
    let out = env.path().join("seen");
    std::fs::create_dir(&out).unwrap();
    let step = script(
        &env,
        "env-step.py",
        "#!/usr/bin/env python3\nimport json, os, sys\nrequest = json.load(sys.stdin)\nwith open(os.path.join(sys.argv[1], 'env.json'), 'w') as f:\n    json.dump({'env': dict(os.environ), 'cwd': os.getcwd()}, f)\njson.dump({'scores': [0.5] * len(request['pairs'])}, sys.stdout)\n",
    );
    external_step(&env, step.to_str().unwrap(), &[out.to_str().unwrap()], 10);
    // The cron job's way: a service token, the SMTP password and other secrets in crew's environment.
    env.login("admin", ADMIN_PASSWORD);
    let token = env.ok(&["account", "create", "cron", "--role", "service", "--name", "Cron"]).trim().to_string();
    let mut run = env.command(&["matching", "run"]);
    run.env("CREW_TOKEN", &token).env("CREW_SMTP_PASSWORD", "hunter2").env("AWS_SECRET_ACCESS_KEY", "s3cr3t");
    let result = env.run_with(run, None);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let seen: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("env.json")).unwrap()).unwrap();
    let keys: Vec<&String> = seen["env"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["LANG", "PATH"], "the step saw {seen}");
    assert_eq!(seen["env"]["PATH"], "/usr/local/bin:/usr/bin:/bin");
    assert_eq!(seen["env"]["LANG"], "C.UTF-8");
    assert_eq!(seen["cwd"], "/");
    let text = seen.to_string();
    for secret in [token.as_str(), "hunter2", "s3cr3t"] {
        assert!(!text.contains(secret), "the step saw a secret: {text}");
    }
}

#[test]
fn a_changed_step_program_is_refused_until_an_admin_approves_it() {
    use std::os::unix::fs::PermissionsExt;
    let mut env = orders_placed();
    let step = script(
        &env,
        "fair.py",
        "#!/usr/bin/env python3\nimport json, sys\npairs = json.load(sys.stdin)['pairs']\njson.dump({'scores': [1.0] * len(pairs)}, sys.stdout)\n",
    );
    external_step(&env, step.to_str().unwrap(), &[], 10);
    env.step(&["matching", "run", "--dry-run"], None);
    env.note("someone edits the program after the admin approved it");
    std::fs::write(&step, "#!/bin/sh\ncat >/dev/null\necho '{\"scores\": []}'\n").unwrap();
    let events = env.event_count();
    env.step(&["matching", "run"], None);
    env.step(&["matching", "explain", "1"], None);
    assert_eq!(env.event_count(), events, "a refused cycle records nothing");
    env.step(&["settings", "step", "list"], None);
    env.note("only an admin approves it again; then it runs as it is now");
    env.step(&["settings", "step", "approve", "external"], None);
    env.login("admin", ADMIN_PASSWORD);
    env.step(&["settings", "step", "approve", "external"], None);
    env.step(&["settings", "step", "approve", "external"], None);
    env.step(&["settings", "step", "approve", "nosuch"], None);
    env.note("a program others may change is refused as well, approved or not");
    std::fs::set_permissions(&step, std::fs::Permissions::from_mode(0o775)).unwrap();
    env.step(&["matching", "run"], None);
    std::fs::set_permissions(&step, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.note("the audit log:");
    for summary in settings_events(&env) {
        env.note(&summary);
    }
    insta::assert_snapshot!(env.transcript.replace(&step.display().to_string(), "[STEP]"));
}

/// `TYPE by ACTOR: SUMMARY` of every event of the settings, oldest first.
pub fn settings_events(env: &Env) -> Vec<String> {
    let table = env.ok(&["--format", "csv", "events", "list"]);
    csv::Reader::from_reader(table.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .filter(|r| r[3].starts_with("setting_") || r[3].starts_with("step_"))
        .map(|r| format!("{} by {}: {}", &r[3], &r[2], &r[5]))
        .collect()
}
