//! The ledger from the people's side: charges, earnings and fines from order events, awards,
//! statements, what a client owes this week, balances and `verify`.

use crate::common::{Env, PASSWORD, fixture};

fn photo(name: &str) -> String {
    fixture(&format!("tests/company/photos/{name}")).display().to_string()
}

/// Ann's orders #1–#4 (all assigned to tom by mia at 100.00): #1 completed, #2 failed while
/// active, #3 cancelled after assignment, #4 still assigned; #5 open, cancelled before
/// assignment.
pub(crate) fn a_week_of_orders(env: &mut Env) {
    env.login("ann@example.com", PASSWORD);
    // #1 and #2 today (Monday), so they are checked in and finished within November.
    for at in ["2026-11-30 10:00", "2026-11-30 10:00", "2026-12-02 10:00", "2026-12-02 10:00", "2026-12-03 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
    }
    env.login("mia", PASSWORD);
    env.ok(&["settings", "show"]);
    for o in ["1", "2", "3"] {
        env.ok(&["order", "assign", o, "tom@crew.example", "--force", "--reason", "test week"]);
    }
    // Half an hour before #1 and #2 start: within the check-in window.
    env.now = "2026-11-30T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "1", "--photo", &photo("door.jpg")]);
    env.ok(&["order", "complete", "1", "--photo", &photo("report.png")]);
    env.ok(&["order", "check-in", "2", "--photo", &photo("door.jpg")]);
    env.ok(&["order", "fail", "2", "--reason", "the door was locked"]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "cancel", "3", "--reason", "plans changed"]);
    env.ok(&["order", "cancel", "5"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "4", "tom@crew.example", "--force", "--reason", "test week"]);
}

#[test]
fn order_events_charge_clients_pay_workers_and_fine_failures_exactly_once() {
    let mut env = Env::company();
    a_week_of_orders(&mut env);

    env.note("ann is charged for #1 (completed), #2 (failed after check-in) and #3 (cancelled after assignment)");
    env.login("ann@example.com", PASSWORD);
    env.step(&["billing", "due"], None);
    env.step(&["billing", "charges"], None);
    env.step(&["billing", "statement", "tom@crew.example"], None);
    env.step(&["billing", "due", "--client", "bob@example.com"], None);

    env.note("tom earns 60% of #1 and is fined 40.00 for #2");
    env.login("tom@crew.example", PASSWORD);
    env.step(&["billing", "statement"], None);
    env.step(&["billing", "statement", "--kind", "fine"], None);
    env.step(&["billing", "award", "tom@crew.example", "5.00", "--reason", "self-service"], None);

    env.note("a manager awards, once per id");
    env.login("mia", PASSWORD);
    env.step(
        &["billing", "award", "tom@crew.example", "25.00", "--reason", "stayed late", "--id", "award:tom:late"],
        None,
    );
    env.step(
        &["billing", "award", "tom@crew.example", "25.00", "--reason", "stayed late", "--id", "award:tom:late"],
        None,
    );
    env.step(
        &["billing", "award", "tom@crew.example", "30.00", "--reason", "stayed late", "--id", "award:tom:late"],
        None,
    );
    env.step(&["billing", "award", "tom@crew.example", "12.50", "--reason", "kind words from a client"], None);
    env.step(&["billing", "award", "ann@example.com", "12.50", "--reason", "not a worker"], None);
    env.step(&["billing", "award", "tom@crew.example", "0", "--reason", "nothing"], None);
    env.step(&["billing", "award", "tom@crew.example", "1.005", "--reason", "a fraction of a cent"], None);
    env.note(
        "an award's own id is in awards' namespace: crew's ids are refused, and so are amounts beyond 1,000,000,000.00",
    );
    env.step(&["billing", "award", "tom@crew.example", "1.00", "--reason", "x", "--id", "order:4:charge"], None);
    env.step(&["billing", "award", "tom@crew.example", "1.00", "--reason", "x", "--id", "award:9"], None);
    env.step(&["billing", "award", "tom@crew.example", "1000000000.01", "--reason", "too much"], None);
    env.step(&["billing", "award", "tom@crew.example", "1.00", "--reason", "line1\nEntry award:99 by admin"], None);

    env.note("the accountant sees everything and verifies");
    env.login("abe", PASSWORD);
    env.step(&["billing", "balances"], None);
    env.step(&["billing", "statement", "company:revenue"], None);
    env.step(&["billing", "statement", "tom@crew.example"], None);
    env.step(&["billing", "due", "--client", "ann@example.com"], None);
    env.step(&["billing", "verify"], None);
    env.step(&["--format", "json", "billing", "due", "--client", "ann@example.com"], None);
    env.step(&["billing", "statement", "abe"], None);

    env.note("the next week starts with nothing due");
    env.now = "2026-12-07T08:00:00Z".into();
    env.login("abe", PASSWORD);
    env.step(&["billing", "due", "--client", "ann@example.com"], None);
    env.step(&["billing", "charges", "--client", "ann@example.com", "--week", "2026-W49"], None);
    env.step(&["billing", "charges", "--client", "ann@example.com", "--week", "2026-W50"], None);
    env.step(&["billing", "charges", "--client", "ann@example.com", "--week", "week 50"], None);

    insta::assert_snapshot!(env.transcript);
}

#[test]
fn the_company_rules_set_the_worker_share_and_the_fine() {
    let mut env = Env::company();
    env.step(&["settings", "set", "billing.worker_share_percent", "55"], None);
    env.step(&["settings", "set", "billing.failure_fine", "12.34"], None);
    env.step(&["settings", "set", "pricing.base_price", "99.99"], None);
    env.step(&["settings", "set", "billing.worker_share_percent", "101"], None);
    env.step(&["settings", "set", "billing.failure_fine", "1000000000.01"], None);
    env.step(&["settings", "set", "pricing.base_price", "92233720368547758.07"], None);
    a_week_of_orders(&mut env);
    env.login("abe", PASSWORD);
    // 55% of 99.99 is 54.9945: the worker gets 54.99, the company keeps 45.00.
    env.step(&["billing", "statement", "tom@crew.example"], None);
    env.step(&["billing", "verify"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn verify_fails_when_the_ledger_was_changed_behind_crews_back() {
    let mut env = Env::company();
    a_week_of_orders(&mut env);
    env.login("abe", PASSWORD);
    env.ok(&["billing", "verify"]);
    // Someone edits the database by hand: the kept balance no longer matches the postings.
    let balance = "UPDATE billing_balances SET debits = debits + 1 WHERE account LIKE 'client:%'";
    env.sql(balance, balance).unwrap();
    // The postings themselves cannot be changed.
    let posting = "UPDATE billing_postings SET amount = amount + 1";
    let refused = env.sql(posting, posting).unwrap_err();
    assert!(refused.contains("immutable"), "{refused}");
    let run = env.run(&["billing", "verify"], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("kept debits 300.01"), "{}", run.stdout);
    assert!(run.stderr.contains("failed verification"), "{}", run.stderr);
}
