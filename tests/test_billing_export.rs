//! The ledger exported as beancount and hledger journals, checked by the tools themselves
//! (`bean-check`, `hledger check --strict`, both installed by `.ci/run`), including a journal
//! tampered with by one cent, which both must reject.

use std::process::Command;

use crate::common::{Env, PASSWORD};
use crate::test_billing_cycles::two_clients_week;

/// Runs a checker; a missing tool fails the test (CI installs both: `.ci/run`).
fn check(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("`{program}` is needed by this test ({e}): install it as .ci/run does (pip install beancount; apt-get install hledger)")
    });
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A week and a month closed, an award with a hostile reason, as the accountant sees it.
fn closed_books() -> Env {
    let mut env = Env::company();
    two_clients_week(&mut env);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("mia", PASSWORD);
    env.ok(&[
        "billing",
        "award",
        "tom@crew.example",
        "15.00",
        "--reason",
        "said \"thanks\"; twice | 100% ; \u{202e}evil",
    ]);
    // A backslash ends a beancount string's quote unless it is kept out.
    env.ok(&["billing", "award", "tom@crew.example", "1.03", "--reason", "C:\\temp\\ next \\"]);
    env.login("abe", PASSWORD);
    env.ok(&["billing", "close-week", "2026-W49"]);
    env.ok(&["billing", "close-month", "2026-11"]);
    env
}

/// The journal with the first posting of `marker`'s transaction off by one cent.
fn off_by_a_cent(journal: &str, marker: &str) -> String {
    let mut out = Vec::new();
    let mut armed = false;
    let mut done = false;
    for line in journal.lines() {
        if line.contains(marker) {
            armed = true;
        } else if armed && !done && line.contains("100.00 EUR") {
            out.push(line.replacen("100.00 EUR", "100.01 EUR", 1));
            done = true;
            continue;
        }
        out.push(line.to_string());
    }
    assert!(done, "no posting to change after {marker}");
    out.join("\n") + "\n"
}

#[test]
fn the_exported_ledger_passes_bean_check_and_hledger_strict_and_a_cent_off_fails_both() {
    let env = closed_books();
    let beancount = env.ok(&["billing", "export", "--journal", "beancount"]);
    let hledger = env.ok(&["billing", "export", "--journal", "hledger"]);
    assert!(beancount.contains("open Assets:Receivable:Client5 EUR"), "{beancount}");
    assert!(hledger.contains("account Liabilities:Workers:Worker7"), "{hledger}");
    for journal in [&beancount, &hledger] {
        assert!(journal.contains("charge order:1:charge order #1"), "crew's own `#` is kept:\n{journal}");
        assert!(journal.contains("award award:2: C:/temp/ next /"), "no backslash from a memo:\n{journal}");
    }
    let dir = env.path();
    let (bean, led) = (dir.join("crew.beancount"), dir.join("crew.journal"));
    std::fs::write(&bean, &beancount).unwrap();
    std::fs::write(&led, &hledger).unwrap();
    let (ok, out) = check("bean-check", &[bean.to_str().unwrap()]);
    assert!(ok, "bean-check refused the export:\n{out}\n{beancount}");
    let (ok, out) = check("hledger", &["-f", led.to_str().unwrap(), "check", "--strict"]);
    assert!(ok, "hledger refused the export:\n{out}\n{hledger}");
    // The books balance: the total of every account is zero.
    let (ok, out) = check("hledger", &["-f", led.to_str().unwrap(), "balance", "--empty"]);
    assert!(ok && out.trim_end().ends_with('0'), "{out}");

    // One cent off in one transaction: both tools must refuse.
    std::fs::write(&bean, off_by_a_cent(&beancount, "order:1:charge")).unwrap();
    std::fs::write(&led, off_by_a_cent(&hledger, "order:1:charge")).unwrap();
    let (ok, out) = check("bean-check", &[bean.to_str().unwrap()]);
    assert!(!ok, "bean-check accepted a transaction a cent off:\n{out}");
    let (ok, out) = check("hledger", &["-f", led.to_str().unwrap(), "check", "--strict"]);
    assert!(!ok, "hledger accepted a transaction a cent off:\n{out}");
}

#[test]
fn a_period_exports_only_its_entries_and_bad_arguments_are_named() {
    let env = closed_books();
    let november = env.ok(&["billing", "export", "--journal", "hledger", "--period", "2026-11"]);
    assert!(november.contains("order:1:charge") && !november.contains("collection:1"), "{november}");
    let week = env.ok(&["billing", "export", "--journal", "beancount", "--period", "2026-W50"]);
    assert!(week.contains("collection:1") && !week.contains("order:1:charge"), "{week}");
    let run = env.run(&["billing", "export", "--journal", "ledger"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--journal") && run.stderr.contains("beancount or hledger"), "{}", run.stderr);
    let run = env.run(&["billing", "export", "--journal", "hledger", "--period", "November"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    env.login("tom@crew.example", PASSWORD);
    let run = env.run(&["billing", "export", "--journal", "hledger"], None);
    assert_eq!(run.code, 3, "{}", run.stderr);
}

/// Managers' bets in the books: stakes held on `company:stakes`, a pot shared by two winners, a
/// pot the house takes, a pool still open at the month's end, and the managers' cycle paying the
/// winner out. Both journals pass their tools; `verify` finds the stakes held equal to the open
/// pool's and every settled pot paid out exactly.
#[test]
fn bets_stakes_pots_and_the_managers_payout_are_exported_and_pass_both_tools() {
    let mut env = Env::company();
    for (login, name) in [("max", "Max Punter"), ("liv", "Liv Odds")] {
        let email = format!("{login}@crew.example");
        let args =
            ["account", "create", login, "--role", "manager", "--name", name, "--email", &email, "--password-stdin"];
        env.ok_with(&args, Some(PASSWORD));
    }
    env.ok(&["settings", "set", "bets.max_stake", "10.00"]);
    env.login("ann@example.com", PASSWORD);
    // #1 starts half an hour from the test's clock, inside its check-in window (an hour).
    for at in ["2026-11-30 08:30", "2026-12-02 10:00", "2026-12-03 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
    }
    env.login("mia", PASSWORD);
    for o in ["1", "2", "3"] {
        env.ok(&["order", "assign", o, "tom@crew.example", "--force", "--reason", "bets export"]);
    }
    // #1 completes: max (9.00) and liv (1.00) share liv's 6.01 on failed; #2 is cancelled: the
    // house takes liv's 4.00; #3 is still open (max's 2.50). Max comes out 2.91 ahead: paid out.
    env.login("max", PASSWORD);
    env.ok(&["bets", "place", "1", "--on", "completed", "--stake", "9.00"]);
    env.ok(&["bets", "place", "3", "--on", "failed", "--stake", "2.50"]);
    env.login("liv", PASSWORD);
    env.ok(&["bets", "place", "1", "--on", "completed", "--stake", "1.00"]);
    env.ok(&["bets", "place", "1", "--on", "failed", "--stake", "6.01"]);
    env.ok(&["bets", "place", "2", "--on", "completed", "--stake", "4.00"]);
    env.login("tom@crew.example", PASSWORD);
    let photo = |name: &str| crate::common::fixture(&format!("tests/company/photos/{name}")).display().to_string();
    env.ok(&["order", "check-in", "1", "--photo", &photo("door.jpg")]);
    env.ok(&["order", "complete", "1", "--photo", &photo("report.png")]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "cancel", "2", "--reason", "plans changed"]);

    env.now = "2026-12-01T06:00:00Z".into();
    env.login("abe", PASSWORD);
    let month = env.ok(&["--format", "json", "billing", "close-month", "2026-11"]);
    let month: serde_json::Value = serde_json::from_str(&month).unwrap();
    let managers: Vec<_> =
        month["invoices"].as_array().unwrap().iter().filter(|i| i["cycle"] == "manager").cloned().collect();
    assert_eq!(managers.len(), 1, "{month}");
    assert_eq!((managers[0]["holder_login"].as_str(), managers[0]["amount"].as_str()), (Some("max"), Some("2.91")));
    let verify = env.ok(&["billing", "verify"]);
    for line in ["stakes held equal the open pools' stakes", "every settled pool paid out exactly its pot"] {
        let found = verify.lines().find(|l| l.contains(line)).unwrap_or_else(|| panic!("{line}: {verify}"));
        assert!(found.trim_end().ends_with("ok"), "{found}");
    }

    let beancount = env.ok(&["billing", "export", "--journal", "beancount"]);
    let hledger = env.ok(&["billing", "export", "--journal", "hledger"]);
    for journal in [&beancount, &hledger] {
        for id in ["bet:1:stake", "bet:5:stake", "order:1:bets", "order:2:bets"] {
            assert!(journal.contains(id), "{id} missing:\n{journal}");
        }
        assert!(journal.contains("Liabilities:StakesHeld"), "{journal}");
    }
    let dir = env.path();
    let (bean, led) = (dir.join("bets.beancount"), dir.join("bets.journal"));
    std::fs::write(&bean, &beancount).unwrap();
    std::fs::write(&led, &hledger).unwrap();
    let (ok, out) = check("bean-check", &[bean.to_str().unwrap()]);
    assert!(ok, "bean-check refused the export:\n{out}\n{beancount}");
    let (ok, out) = check("hledger", &["-f", led.to_str().unwrap(), "check", "--strict"]);
    assert!(ok, "hledger refused the export:\n{out}\n{hledger}");
    // What the stakes account still holds is the open pool's stake on #3 (2.50).
    let (ok, out) = check("hledger", &["-f", led.to_str().unwrap(), "balance", "Liabilities:StakesHeld"]);
    assert!(ok && out.contains("-2.50 EUR"), "{out}");
}
