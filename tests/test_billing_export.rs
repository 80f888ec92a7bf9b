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
