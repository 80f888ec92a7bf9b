//! The matching cycle through the CLI: optimal assignment, explanations, profiles, relaxations,
//! the no-show sweep, and external steps in another language.

use crate::common::{Env, PASSWORD};

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
fn neighbouring_zones_are_used_only_when_nobody_in_the_zone_can() {
    let mut env = orders_placed();
    std::fs::write(env.path().join("crew.toml"), "[matching.neighbours]\nsouth = [\"north\"]\nnorth = [\"south\"]\n")
        .unwrap();
    env.step(&["matching", "run"], None);
    env.step(&["matching", "explain", "5"], None);
    env.note("with room, tom (north) takes bob's south order: nobody in south can");
    env.step(&["matching", "edit", "tom@crew.example", "--capacity", "4"], None);
    env.step(&["matching", "run"], None);
    env.step(&["matching", "explain", "5"], None);
    env.step(&["events", "list", "--order", "5"], None);
    insta::assert_snapshot!(env.transcript);
}

fn step_config(env: &Env, command: &str, timeout: u64) {
    let text = format!(
        "[[matching.steps]]\nname = \"rating\"\n\n[[matching.steps]]\nname = \"external\"\nweight = 2.0\ncommand = {command}\ntimeout_seconds = {timeout}\n"
    );
    std::fs::write(env.path().join("crew.toml"), text).unwrap();
}

#[test]
fn an_external_step_in_python_scores_the_whole_batch_at_once() {
    let mut env = orders_placed();
    let script = crate::common::fixtures_root().join("../scripts/steps/zone_affinity.py").canonicalize().unwrap();
    step_config(&env, &format!("[\"python3\", \"{}\"]", script.display()), 10);
    std::fs::write(env.path().join("extra.toml"), "").unwrap();
    env.step(&["matching", "explain", "1"], None);
    env.step(&["matching", "run"], None);
    let text = env.transcript.replace(&script.display().to_string(), "scripts/steps/zone_affinity.py");
    insta::assert_snapshot!(text);
}

#[test]
fn a_failing_slow_or_malformed_step_fails_the_cycle_and_assigns_nothing() {
    let mut env = orders_placed();
    let cases = [
        ("[\"sh\", \"-c\", \"echo boom >&2; exit 3\"]", 10),
        ("[\"sh\", \"-c\", \"cat >/dev/null; echo not json\"]", 10),
        ("[\"sh\", \"-c\", \"cat >/dev/null; echo '{\\\"scores\\\": [0.5]}'\"]", 10),
        ("[\"sh\", \"-c\", \"cat >/dev/null; echo '{\\\"scores\\\": [0.5, 7, 0.5, 0.5]}'\"]", 10),
        ("[\"sh\", \"-c\", \"sleep 5\"]", 1),
        ("[\"/nonexistent/step\"]", 10),
    ];
    for (command, timeout) in cases {
        step_config(&env, command, timeout);
        env.step(&["matching", "run"], None);
    }
    std::fs::write(env.path().join("crew.toml"), "[[matching.steps]]\nname = \"teleport\"\n").unwrap();
    env.step(&["matching", "run"], None);
    std::fs::write(env.path().join("crew.toml"), "").unwrap();
    env.step(&["order", "list", "--status", "open"], None);
    insta::assert_snapshot!(env.transcript);
}
