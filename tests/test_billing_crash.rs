//! Crash tests: a cycle killed at every point of its run (a debug build's fault hook,
//! `CREW_TEST_ABORT_AT=N`, aborts the process at the N-th point: inside the close's transaction,
//! after it, after each payment is recorded submitted, after the service answered, after the
//! answer is recorded), then run again: no invoice, collection or payout is lost or duplicated —
//! at the service (which counts executions per key) or in the ledger — and `verify` passes.

use std::path::Path;

use serde_json::Value;

use crate::common::{Env, PASSWORD};
use crate::test_billing_cycles::two_clients_week;
use crate::test_billing_http::{Service, crew, with_services};

/// A fresh sandbox holding a copy of `base`'s database.
fn copy_of(base: &Path) -> Env {
    let env = Env::new();
    for suffix in ["", "-wal"] {
        let from = base.join(format!("crew.db{suffix}"));
        if from.exists() {
            std::fs::copy(&from, env.path().join(format!("crew.db{suffix}"))).unwrap();
        }
    }
    env
}

fn run_until_done(base: &Path, args: &[&str], payments: usize) -> usize {
    let mut crashes = 0;
    for at in 1.. {
        let service = Service::start();
        let mut env = copy_of(base);
        with_services(&env, service.port);
        env.now = "2026-12-07T06:00:00Z".into();
        env.login("abe", PASSWORD);
        let mut cmd = env.command(args);
        cmd.env("CREW_PAYMENT_KEY", "test-key")
            .env("CREW_TRANSFER_KEY", "test-key")
            .env("CREW_TEST_ABORT_AT", at.to_string());
        let first = env.run_with(cmd, None);
        let finished = first.code == 0;
        if !finished {
            assert!(first.stderr.contains(&format!("aborted at fault point {at}")), "run {at}: {}", first.stderr);
            crashes += 1;
            // Run again, as cron would: it must finish what the crash left.
            let again = crew(&env, args);
            assert_eq!(again.code, 0, "after a crash at point {at}: {}{}", again.stdout, again.stderr);
        }
        let executions = service.executions();
        assert_eq!(executions.len(), payments, "crash at point {at}: {executions:?}");
        assert!(executions.values().all(|n| *n == 1), "crash at point {at}: executed twice: {executions:?}");
        let invoices: Vec<Value> =
            serde_json::from_str(&crew(&env, &["--format", "json", "billing", "invoices"]).stdout).unwrap();
        let numbers: Vec<i64> = invoices.iter().map(|i| i["number"].as_i64().unwrap()).collect();
        assert_eq!(numbers, (1..=payments as i64).collect::<Vec<_>>(), "crash at point {at}");
        assert!(invoices.iter().all(|i| i["status"] == "paid"), "crash at point {at}: {invoices:?}");
        let verify = crew(&env, &["billing", "verify"]);
        assert_eq!(verify.code, 0, "crash at point {at}: {}{}", verify.stdout, verify.stderr);
        if finished {
            return crashes;
        }
    }
    unreachable!()
}

#[test]
fn a_cycle_killed_at_any_point_and_run_again_loses_and_doubles_nothing() {
    // Each run starts from a copy of the database file (on PostgreSQL, a dropped connection is
    // tested by the store: `postgres::tests::a_dropped_connection_fails_cleanly_…`).
    crate::sqlite_only!();
    let mut base = Env::company();
    two_clients_week(&mut base);
    // Two collections: 2 points around the close, 3 per payment.
    assert_eq!(run_until_done(base.path(), &["billing", "close-week", "2026-W49"], 2), 2 + 2 * 3);
    // One payout (tom; tia owes and carries over).
    assert_eq!(run_until_done(base.path(), &["billing", "close-month", "2026-11"], 1), 2 + 3);
}
