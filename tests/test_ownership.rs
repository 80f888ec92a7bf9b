//! "own" in docs/permissions.md, proven: for every command and role the table limits to its own
//! records, the role's own record is served and someone else's is refused (exit 3) and left as it
//! was. A new "own" cell without a case here fails the test.

use std::collections::BTreeSet;

use crate::common::{Env, PASSWORD, fixture};

/// Every (command, role) the table marks "own".
fn own_cells() -> BTreeSet<(String, String)> {
    const ROLES: [&str; 7] = ["admin", "manager", "accountant", "warehouse", "worker", "client", "service"];
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/permissions.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut cells = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| command") && !l.starts_with("| ---")) {
        let row: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        for (role, cell) in ROLES.iter().zip(&row[1..]) {
            if *cell == "own" {
                cells.insert((row[0].to_string(), role.to_string()));
            }
        }
    }
    cells
}

fn photo(name: &str) -> String {
    fixture(&format!("tests/company/photos/{name}")).display().to_string()
}

/// The status of an order, as an admin reads it.
fn status(env: &Env, order: &str) -> String {
    env.login("admin", crate::common::ADMIN_PASSWORD);
    let out = env.ok(&["--format", "json", "order", "show", order]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    format!("{} {}", v["status"], v["worker_login"])
}

/// `login` runs `args`: the exit code.
fn as_(env: &Env, login: &str, args: &[&str]) -> i32 {
    env.login(login, PASSWORD);
    env.run(args, None).code
}

/// The ids of the orders `login` lists.
fn listed(env: &Env, login: &str) -> Vec<i64> {
    env.login(login, PASSWORD);
    let out = env.ok(&["--format", "json", "order", "list"]);
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    v.iter().map(|o| o["id"].as_i64().unwrap()).collect()
}

#[test]
fn every_own_cell_serves_the_own_record_and_refuses_anothers() {
    let mut env = Env::company();
    // Order 1 is ann's, worked by tom; order 2 is bob's, worked by tia (both today, so their
    // check-ins fall within the window and their money within November).
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-11-30 10:00"]);
    env.login("bob@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "gardening", "--at", "2026-11-30 11:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "assign", "2", "tia@crew.example"]);
    let order_2 = status(&env, "2");

    let mut covered = BTreeSet::new();
    let mut case = |command: &str, role: &str| covered.insert((command.to_string(), role.to_string()));

    case("order list", "worker");
    assert_eq!(listed(&env, "tom@crew.example"), vec![1]);
    assert_eq!(listed(&env, "tia@crew.example"), vec![2]);
    case("order list", "client");
    assert_eq!(listed(&env, "ann@example.com"), vec![1]);
    assert_eq!(listed(&env, "bob@example.com"), vec![2]);

    case("order agenda", "worker");
    let agenda = |login: &str, extra: &[&str]| {
        env.login(login, PASSWORD);
        let mut args = vec!["--format", "json", "order", "agenda", "--day", "2026-11-30"];
        args.extend_from_slice(extra);
        let run = env.run(&args, None);
        (run.code, run.stdout)
    };
    let (code, out) = agenda("tom@crew.example", &[]);
    let mine: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!((code, mine.iter().map(|e| e["order"].as_i64().unwrap()).collect::<Vec<_>>()), (0, vec![1]));
    assert_eq!(agenda("tom@crew.example", &["--worker", "tia@crew.example"]).0, 3);

    case("order show", "worker");
    assert_eq!(as_(&env, "tom@crew.example", &["order", "show", "1"]), 0);
    assert_eq!(as_(&env, "tom@crew.example", &["order", "show", "2"]), 3);
    case("order show", "client");
    assert_eq!(as_(&env, "ann@example.com", &["order", "show", "1"]), 0);
    assert_eq!(as_(&env, "ann@example.com", &["order", "show", "2"]), 3);

    case("order create", "client");
    env.login("ann@example.com", PASSWORD);
    let out = env.ok(&["--format", "json", "order", "create", "--service", "cleaning", "--at", "2026-12-03 10:00"]);
    let created: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created["client_login"], "ann@example.com", "a client orders for themselves only");
    let own_new = created["id"].to_string();

    case("order copy", "client");
    assert_eq!(as_(&env, "ann@example.com", &["order", "copy", "2", "--at", "2026-12-04 10:00"]), 3);
    assert_eq!(as_(&env, "ann@example.com", &["order", "copy", "1", "--at", "2026-12-04 10:00"]), 0);

    case("order cancel", "client");
    assert_eq!(as_(&env, "ann@example.com", &["order", "cancel", "2", "--reason", "not mine"]), 3);
    assert_eq!(as_(&env, "ann@example.com", &["order", "cancel", &own_new]), 0);

    case("order check-in", "worker");
    env.now = "2026-11-30T09:30:00Z".into();
    assert_eq!(as_(&env, "tom@crew.example", &["order", "check-in", "2", "--photo", &photo("door.jpg")]), 3);
    assert_eq!(as_(&env, "tom@crew.example", &["order", "check-in", "1", "--photo", &photo("door.jpg")]), 0);

    case("order complete", "worker");
    assert_eq!(as_(&env, "tia@crew.example", &["order", "complete", "1", "--photo", &photo("report.png")]), 3);
    assert_eq!(as_(&env, "tom@crew.example", &["order", "complete", "1", "--photo", &photo("report.png")]), 0);

    case("order fail", "worker");
    assert_eq!(as_(&env, "tom@crew.example", &["order", "fail", "2", "--reason", "not mine"]), 3);
    // Bob's order went through every refusal above untouched.
    assert_eq!(status(&env, "2"), order_2);
    assert_eq!(as_(&env, "tia@crew.example", &["order", "fail", "2", "--reason", "rain"]), 0);

    // Billing: ann was charged for order 1 (active, then completed), tom earned from it, tia was
    // fined for order 2; each reads their own ledger account and is refused another's.
    case("billing due", "client");
    assert_eq!(as_(&env, "ann@example.com", &["billing", "due"]), 0);
    assert_eq!(as_(&env, "ann@example.com", &["billing", "due", "--client", "bob@example.com"]), 3);
    case("billing charges", "client");
    env.login("ann@example.com", PASSWORD);
    let charges: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "billing", "charges"])).unwrap();
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(charges[0]["order"], 1);
    assert_eq!(as_(&env, "ann@example.com", &["billing", "charges", "--client", "bob@example.com"]), 3);
    case("billing statement", "client");
    assert_eq!(as_(&env, "ann@example.com", &["billing", "statement"]), 0);
    assert_eq!(as_(&env, "ann@example.com", &["billing", "statement", "bob@example.com"]), 3);
    case("billing statement", "worker");
    env.login("tom@crew.example", PASSWORD);
    let own: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "billing", "statement"])).unwrap();
    assert_eq!(own["balance"]["credits"], "60.00", "{own}");
    assert_eq!(as_(&env, "tom@crew.example", &["billing", "statement", "tia@crew.example"]), 3);
    assert_eq!(as_(&env, "tom@crew.example", &["billing", "statement", "company:revenue"]), 3);

    // Invoices: after the week and month close, each reads their own and is refused another's.
    env.now = "2026-12-07T06:00:00Z".into();
    assert_eq!(as_(&env, "abe", &["billing", "close-week", "2026-W49"]), 0);
    assert_eq!(as_(&env, "abe", &["billing", "close-month", "2026-11"]), 0);
    for (role, own, other) in
        [("client", "ann@example.com", "bob@example.com"), ("worker", "tom@crew.example", "tia@crew.example")]
    {
        case("billing invoices", role);
        env.login(own, PASSWORD);
        let mine: Vec<serde_json::Value> =
            serde_json::from_str(&env.ok(&["--format", "json", "billing", "invoices"])).unwrap();
        assert_eq!(mine.len(), 1, "{role}: {mine:?}");
        assert_eq!(as_(&env, own, &["billing", "invoices", "--holder", other]), 3);
    }

    // Bets: a manager bets only on orders they did not act on.
    case("bets place", "manager");
    env.login("ann@example.com", PASSWORD);
    let new_order = || {
        let out = env.ok(&["--format", "json", "order", "create", "--service", "cleaning", "--at", "2026-12-09 10:00"]);
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["id"].to_string()
    };
    let (steered, untouched) = (new_order(), new_order());
    assert_eq!(as_(&env, "mia", &["order", "assign", &steered, "tom@crew.example"]), 0);
    assert_eq!(as_(&env, "mia", &["bets", "place", &steered, "--on", "completed", "--stake", "1.00"]), 3);
    assert_eq!(as_(&env, "mia", &["bets", "place", &untouched, "--on", "completed", "--stake", "1.00"]), 0);

    // Sessions: every role lists and revokes its own, and is refused another's.
    env.login("admin", crate::common::ADMIN_PASSWORD);
    let token = env.ok(&["-q", "account", "create", "cron", "--role", "service", "--name", "Cron"]).trim().to_string();
    let people = [
        ("manager", "mia"),
        ("accountant", "abe"),
        ("warehouse", "wes"),
        ("worker", "tom@crew.example"),
        ("client", "ann@example.com"),
    ];
    for (_, login) in people {
        env.login(login, PASSWORD);
    }
    env.login("admin", crate::common::ADMIN_PASSWORD);
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "account", "sessions", "--all"])).unwrap();
    let id_of = |login: &str| {
        all.iter().find(|s| s["login"] == login).map(|s| s["id"].to_string()).unwrap_or_else(|| panic!("{login}"))
    };
    let admins = id_of("admin");
    let roles: Vec<(&str, &str)> = people.iter().copied().chain([("service", "cron")]).collect();
    for (role, login) in roles {
        let run = |args: &[&str]| {
            let mut cmd = env.command(args);
            if role == "service" {
                cmd.env("CREW_TOKEN", &token);
            } else {
                env.login(login, PASSWORD);
            }
            env.run_with(cmd, None)
        };
        case("account sessions", role);
        let own = run(&["--format", "json", "account", "sessions"]);
        assert_eq!(own.code, 0, "{role}: {}", own.stderr);
        let listed: Vec<serde_json::Value> = serde_json::from_str(&own.stdout).unwrap();
        assert!(!listed.is_empty() && listed.iter().all(|s| s["login"] == login), "{role}: {listed:?}");
        assert_eq!(run(&["account", "sessions", "admin"]).code, 3, "{role} lists the admin's sessions");
        case("account sessions revoke", role);
        assert_eq!(run(&["account", "sessions", "revoke", &admins]).code, 3, "{role} revokes the admin's session");
        assert_eq!(run(&["account", "sessions", "revoke", &id_of(login)]).code, 0, "{role} revokes their own");
    }

    let missing: Vec<_> = own_cells().difference(&covered).cloned().collect();
    assert!(missing.is_empty(), "\"own\" cells of docs/permissions.md without a case here: {missing:?}");
}
