//! The views people open first: `crew dashboard` per role.

use crate::common::{Env, PASSWORD};

#[test]
fn each_role_sees_what_it_needs_first_on_its_dashboard() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    env.ok(&["supplies", "set-bom", "cleaning", "--item", "gloves:2"]);
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "receive", "gloves", "3", "--reason", "first delivery"]);
    env.login("ann@example.com", PASSWORD);
    for at in ["2026-11-30 08:45", "2026-12-01 14:00", "2026-12-02 10:00", "2026-12-09 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
    }
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "assign", "2", "tom@crew.example"]);
    env.ok(&["order", "assign", "4", "tia@crew.example", "--force", "--reason", "training"]);
    env.ok(&["order", "fail", "4", "--reason", "worker ill"]);
    for who in ["mia", "wes", "tom@crew.example", "ann@example.com", "abe"] {
        env.login(who, PASSWORD);
        env.note(&format!("{who}'s dashboard"));
        env.step(&["dashboard"], None);
    }
    env.step(&["--format", "json", "dashboard"], None);
    insta::assert_snapshot!(env.transcript);
}
