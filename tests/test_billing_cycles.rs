//! The billing cycles end to end: closing a week into client invoices and collections, a month
//! into worker invoices and payouts (the sandbox answering), repeated and concurrent closes, late
//! charges, and the mail each causes.

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD, fixture};
use crate::test_billing::a_week_of_orders;

fn photo(name: &str) -> String {
    fixture(&format!("tests/company/photos/{name}")).display().to_string()
}

/// Ann's week (see `a_week_of_orders`: 300.00 charged) and bob's gardening order at 100.13, which
/// the sandbox declines; tia checks in and then fails it (a fine she cannot cover).
pub(crate) fn two_clients_week(env: &mut Env) {
    a_week_of_orders(env);
    env.login("admin", ADMIN_PASSWORD);
    env.ok(&["settings", "set", "pricing.base_price", "100.13"]);
    env.login("bob@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "gardening", "--at", "2026-11-30 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "6", "tia@crew.example"]);
    env.login("tia@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "6", "--photo", &photo("door.jpg")]);
    env.ok(&["order", "fail", "6", "--reason", "the garden gate was locked"]);
}

#[test]
fn a_week_and_a_month_are_invoiced_collected_and_paid_once() {
    let mut env = Env::company();
    two_clients_week(&mut env);

    env.note("a week is closed only once it has ended");
    env.login("abe", PASSWORD);
    env.step(&["billing", "close-week", "2026-W49"], None);
    env.step(&["billing", "close-week", "2026-W49", "--dry-run"], None);

    env.note("Monday: the dry run changes nothing, the close invoices and collects");
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.step(&["billing", "close-week", "--dry-run"], None);
    env.step(&["billing", "invoices"], None);
    env.step(&["billing", "close-week"], None);
    env.step(&["billing", "close-week", "2026-W49"], None);
    env.step(&["billing", "close-week", "2026-W49", "--dry-run"], None);
    env.step(&["billing", "close-week", "2020-W53"], None);
    env.step(&["billing", "invoices"], None);

    env.note("an order that becomes active after the close is charged in the next week");
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "4", "--photo", &photo("door.jpg")]);
    env.login("ann@example.com", PASSWORD);
    env.step(&["billing", "due"], None);
    env.step(&["billing", "invoices"], None);
    env.step(&["billing", "statement"], None);

    env.note("the month: tom is paid earnings − fines + awards; tia owes, so hers carries over");
    env.login("mia", PASSWORD);
    env.ok(&["billing", "award", "tom@crew.example", "15.00", "--reason", "a good week"]);
    env.login("abe", PASSWORD);
    env.step(&["billing", "close-month", "2026-11", "--dry-run"], None);
    env.step(&["billing", "close-month", "2026-12"], None);
    env.step(&["billing", "close-month", "2026-11"], None);
    env.step(&["billing", "close-month", "2026-11"], None);
    env.login("tom@crew.example", PASSWORD);
    env.step(&["billing", "invoices"], None);
    env.step(&["billing", "statement"], None);
    env.step(&["billing", "close-month", "2026-11"], None);

    env.note("every invoice, collection and payout once; the mail they caused");
    env.login("abe", PASSWORD);
    env.step(&["billing", "balances"], None);
    env.step(&["billing", "verify"], None);
    env.login("mia", PASSWORD);
    env.step(&["outbox", "list"], None);
    env.step(&["events", "list", "--since", "2026-12-07 00:00"], None);

    insta::assert_snapshot!(env.transcript);
}

#[test]
fn two_closes_at_once_issue_each_invoice_and_collect_each_once() {
    let mut env = Env::company();
    two_clients_week(&mut env);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = env.command(&["--format", "json", "billing", "close-week", "2026-W49"]);
            cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let mut fresh = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if v["already_closed"] == false {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1, "exactly one run closes the week");
    let invoices: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "billing", "invoices"])).unwrap();
    let numbers: Vec<i64> = invoices.iter().map(|i| i["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2], "one invoice per client, numbered without gaps");
    let statuses: Vec<&str> = invoices.iter().map(|i| i["payment"]["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["confirmed", "failed"]);
    // Each collection reached the ledger once.
    let bank: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "billing", "statement", "company:bank_clearing"])).unwrap();
    assert_eq!(bank["lines"].as_array().unwrap().len(), 1, "{bank}");
    assert_eq!(bank["balance"]["debits"], "300.00");
    env.ok(&["billing", "verify"]);
}

#[test]
fn a_client_who_paid_over_10000_is_quoted_and_charged_5_percent_less() {
    let mut env = Env::company();
    env.ok(&["settings", "set", "pricing.base_price", "10000.50"]);
    env.login("ann@example.com", PASSWORD);
    assert!(env.ok(&["order", "quote", "--service", "cleaning", "--at", "2026-12-01 10:00"]).contains("10000.50"));
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.now = "2026-12-01T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "1", "--photo", &photo("door.jpg")]);
    // Charged is not paid: no discount until the collection is confirmed.
    env.login("ann@example.com", PASSWORD);
    assert!(env.ok(&["order", "quote", "--service", "cleaning", "--at", "2026-12-08 10:00"]).contains("10000.50"));
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.ok(&["billing", "close-week", "2026-W49"]);
    // 10,000.50 paid: over 10,000, so 5% off (500.025, rounded half up to 500.03).
    env.login("ann@example.com", PASSWORD);
    let quote = env.ok(&["order", "quote", "--service", "cleaning", "--at", "2026-12-08 10:00"]);
    assert!(quote.contains("9500.47"), "{quote}");
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-08 10:00"]);
    env.login("mia", PASSWORD);
    let assigned = env.ok(&["--format", "json", "order", "assign", "2", "tom@crew.example"]);
    assert!(assigned.contains("\"price\": \"9500.47\""), "{assigned}");
    // Bob paid nothing: full price.
    env.login("bob@example.com", PASSWORD);
    let quote = env.ok(&["order", "quote", "--service", "gardening", "--at", "2026-12-08 10:00"]);
    assert!(quote.contains("10000.50"), "{quote}");
}

#[test]
fn a_declined_collection_is_retried_with_a_new_key_and_the_client_hears_of_both() {
    let mut env = Env::company();
    two_clients_week(&mut env);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.ok(&["billing", "close-week"]);

    env.note("bob's collection was declined; nothing else has anything to retry");
    env.step(&["billing", "invoices", "--cycle", "client"], None);
    env.step(&["billing", "collect", "1"], None);
    env.step(&["billing", "collect", "99"], None);
    env.step(&["billing", "collect", "x"], None);

    env.note("the retry: a new key, the sandbox collects it; running it again retries nothing");
    env.step(&["billing", "collect", "--dry-run"], None);
    env.step(&["billing", "collect"], None);
    env.step(&["billing", "collect"], None);
    env.step(&["billing", "collect", "2"], None);
    env.step(&["--format", "json", "billing", "invoices", "--holder", "bob@example.com"], None);
    env.step(&["billing", "verify"], None);

    env.note("bob heard of the failure, then of the success");
    env.login("mia", PASSWORD);
    env.step(&["outbox", "list"], None);
    env.login("bob@example.com", PASSWORD);
    env.step(&["billing", "statement"], None);
    insta::assert_snapshot!(env.transcript);
}

/// Cron missed two Mondays: the next `close-week` without a week closes each missed week with its
/// own invoice, oldest first, then the last one; as JSON, the earlier weeks come under `earlier`.
#[test]
fn a_close_after_missed_weeks_closes_each_of_them_in_turn() {
    let mut env = Env::company();
    two_clients_week(&mut env);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.ok(&["-q", "billing", "close-week"]);
    env.note("order #4 becomes active on Monday of W50; cron does not run again until W53");
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "4", "--photo", &photo("door.jpg")]);
    env.now = "2026-12-28T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.step(&["billing", "close-week", "--dry-run"], None);
    env.step(&["billing", "close-week"], None);
    env.step(&["billing", "close-week"], None);
    let json = env.ok(&["--format", "json", "billing", "close-week", "--dry-run"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["period"], "2026-W52");
    assert_eq!(value["already_closed"], true);
    assert!(value.get("earlier").is_none(), "nothing was missed this time: {value}");
    insta::assert_snapshot!(env.transcript);
}
