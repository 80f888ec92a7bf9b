//! The event log as scripts and auditors read it: every stored event type keeps its name and
//! fields, whichever context records it.

use crate::common::{Env, PASSWORD};

#[test]
fn the_event_log_reads_the_same_for_scripts_and_people() {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00", "--description", "Kitchen"]);
    env.login("mia", PASSWORD);
    env.ok(&["matching", "run"]);
    env.ok(&["order", "reopen", "1"]);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "cancel", "1", "--reason", "moved"]);
    env.ok(&["matching", "suspend", "tia@crew.example", "--reason", "late twice"]);
    env.login("admin", crate::common::ADMIN_PASSWORD);
    // Skip the company import's history; from the first order on.
    env.step(&["--format", "json", "events", "list", "--order", "1"], None);
    env.step(&["events", "list", "--since", "2026-11-30 08:00"], None);
    insta::assert_snapshot!(env.transcript);
}
