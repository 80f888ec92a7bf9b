//! The boundaries of every rule about time, at the second: an order's time must be in the future;
//! a worker is a no-show only after the order's time plus the grace; matching leaves an order
//! whose time has come to the client.

use crate::common::{Env, PASSWORD};

fn status(env: &Env, order: &str) -> String {
    env.login("mia", PASSWORD);
    let out = env.ok(&["--format", "json", "order", "show", order]);
    serde_json::from_str::<serde_json::Value>(&out).unwrap()["status"].as_str().unwrap().to_string()
}

#[test]
fn an_order_at_this_very_moment_is_refused_and_a_second_later_is_taken() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    let now = env.now.clone();
    let run = env.run(&["order", "create", "--service", "cleaning", "--at", &now], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is not in the future"), "{}", run.stderr);
    let run = env.run(&["order", "create", "--service", "cleaning", "--at", "2026-11-30T08:00:01Z"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_worker_is_a_no_show_only_after_the_time_plus_the_grace() {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01T10:00:00Z"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    // The default grace is 30 minutes: at 10:30:00 exactly the worker is not yet late.
    env.now = "2026-12-01T10:30:00Z".into();
    env.login("mia", PASSWORD);
    env.ok(&["order", "sweep-no-shows"]);
    assert_eq!(status(&env, "1"), "assigned");
    env.now = "2026-12-01T10:30:01Z".into();
    env.ok(&["order", "sweep-no-shows"]);
    assert_eq!(status(&env, "1"), "failed");
}

#[test]
fn matching_assigns_an_order_until_its_time_and_not_at_it() {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01T10:00:00Z"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01T10:00:01Z"]);
    env.now = "2026-12-01T10:00:00Z".into();
    env.login("mia", PASSWORD);
    let out = env.ok(&["--format", "json", "matching", "run"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let by_order: Vec<(i64, &str)> =
        rows.iter().map(|r| (r["order"].as_i64().unwrap(), r["status"].as_str().unwrap())).collect();
    assert!(by_order.contains(&(1, "left open")), "{by_order:?}");
    assert!(by_order.contains(&(2, "assigned")), "{by_order:?}");
}

#[test]
fn assigning_by_hand_refuses_an_order_whose_time_has_come_like_matching_unless_forced() {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01T10:00:00Z"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01T10:00:01Z"]);
    env.note("at 10:00:00 order #1's time has come (matching leaves it open): assign refuses it (exit 5)");
    env.now = "2026-12-01T10:00:00Z".into();
    env.login("mia", PASSWORD);
    env.step(&["order", "assign", "1", "tom@crew.example"], None);
    env.note("a second before its time, #2 is assigned");
    env.step(&["order", "assign", "2", "tom@crew.example"], None);
    env.note("the reviewer's repro: six days late, refused; forced, the override names the passed time");
    env.now = "2026-12-07T09:00:00Z".into();
    env.login("mia", PASSWORD);
    env.step(&["order", "assign", "1", "tom@crew.example"], None);
    assert_eq!(status(&env, "1"), "open");
    env.step(&["order", "assign", "1", "tom@crew.example", "--force", "--reason", "the client still wants it"], None);
    env.step(&["events", "list", "--order", "1"], None);
    insta::assert_snapshot!(env.transcript);
}
