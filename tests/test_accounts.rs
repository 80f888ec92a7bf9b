//! Accounts (issue 13, §6): a manual assignment refuses what matching would never do unless forced
//! with a reason.

use crate::common::{Env, PASSWORD};

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
    env.note("load 1 of capacity 2 leaves room; at 2 of 2 he is full");
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
    std::fs::write(env.path().join("crew.toml"), "[matching.neighbours]\nnorth = [\"south\"]\n").unwrap();
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
    assert_eq!(shown["forced"]["overridden"][0], "at capacity (2 of 2 orders)");
    let events: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "events", "list", "--order", "4"])).unwrap();
    let assigned = events.iter().find(|e| e["event"]["type"] == "order_assigned").unwrap();
    assert_eq!(assigned["event"]["forced"]["reason"], "ann's regular gardener");
    let plain: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "order", "show", "1"])).unwrap();
    assert!(plain.get("forced").is_none(), "{plain}");
}
