//! Crash tests: a cycle killed at every point of its run (a debug build's fault hook,
//! `CREW_TEST_ABORT_AT=N`, aborts the process at the N-th point: inside the close's (or the
//! retries') transaction, after it; then per batch of payments: inside the transaction recording
//! the batch submitted, after it, after each of the batch's answers, inside the transaction
//! recording the answers, after it), then run again: no invoice, collection or payout is lost or
//! duplicated — at the service (which counts executions per key) or in the ledger — and `verify`
//! passes. `CREW_TEST_PAYMENT_BATCH` cuts the payments into batches of that size.

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

/// Runs `args` killed at point 1, 2, … (each time on a fresh copy of `base`, against a fresh
/// service), each crash followed by a second run, until a run finishes; returns how many points
/// it crashed at. After each: `invoices` invoices, numbered 1…, all paid; `executions` requests
/// carried out at the service, each once; `verify` passes.
fn run_until_done(base: &Path, args: &[&str], invoices: usize, executions: usize, batch: Option<usize>) -> usize {
    let mut crashes = 0;
    for at in 1.. {
        let service = Service::start();
        let mut env = copy_of(base);
        with_services(&env, service.port);
        env.now = "2026-12-07T06:00:00Z".into();
        env.login("abe", PASSWORD);
        let batch_env = |cmd: &mut std::process::Command| {
            if let Some(n) = batch {
                cmd.env("CREW_TEST_PAYMENT_BATCH", n.to_string());
            }
        };
        let mut cmd = env.command(args);
        cmd.env("CREW_PAYMENT_KEY", "test-key")
            .env("CREW_TRANSFER_KEY", "test-key")
            .env("CREW_TEST_ABORT_AT", at.to_string());
        batch_env(&mut cmd);
        let first = env.run_with(cmd, None);
        let finished = first.code == 0;
        if !finished {
            assert!(first.stderr.contains(&format!("aborted at fault point {at}")), "run {at}: {}", first.stderr);
            crashes += 1;
            // Run again, as cron would: it must finish what the crash left.
            let mut cmd = env.command(args);
            cmd.env("CREW_PAYMENT_KEY", "test-key").env("CREW_TRANSFER_KEY", "test-key");
            batch_env(&mut cmd);
            let again = env.run_with(cmd, None);
            assert_eq!(again.code, 0, "after a crash at point {at}: {}{}", again.stdout, again.stderr);
        }
        let done = service.executions();
        assert_eq!(done.len(), executions, "crash at point {at}: {done:?}");
        assert!(done.values().all(|n| *n == 1), "crash at point {at}: executed twice: {done:?}");
        let listed: Vec<Value> =
            serde_json::from_str(&crew(&env, &["--format", "json", "billing", "invoices"]).stdout).unwrap();
        let numbers: Vec<i64> = listed.iter().map(|i| i["number"].as_i64().unwrap()).collect();
        assert_eq!(numbers, (1..=invoices as i64).collect::<Vec<_>>(), "crash at point {at}");
        assert!(listed.iter().all(|i| i["status"] == "paid"), "crash at point {at}: {listed:?}");
        let verify = crew(&env, &["billing", "verify"]);
        assert_eq!(verify.code, 0, "crash at point {at}: {}{}", verify.stdout, verify.stderr);
        if finished {
            return crashes;
        }
    }
    unreachable!()
}

/// Points per batch of `n` payments: inside and after the submitting transaction, one per
/// answer, inside and after the settling one.
fn batch_points(n: usize) -> usize {
    2 + n + 2
}

#[test]
fn a_cycle_killed_at_any_point_and_run_again_loses_and_doubles_nothing() {
    // Each run starts from a copy of the database file (on PostgreSQL, a dropped connection is
    // tested by the store: `postgres::tests::a_dropped_connection_fails_cleanly_…`).
    crate::sqlite_only!();
    let mut base = Env::company();
    two_clients_week(&mut base);
    // Two collections in one batch: 2 points around the close, then the batch's.
    let week = ["billing", "close-week", "2026-W49"];
    assert_eq!(run_until_done(base.path(), &week, 2, 2, None), 2 + batch_points(2));
    // One payout (tom; tia owes and carries over).
    let month = ["billing", "close-month", "2026-11"];
    assert_eq!(run_until_done(base.path(), &month, 1, 1, None), 2 + batch_points(1));
}

#[test]
fn a_cycle_cut_into_batches_killed_at_any_point_loses_and_doubles_nothing() {
    crate::sqlite_only!();
    let mut base = Env::company();
    two_clients_week(&mut base);
    // Batches of one: the second batch starts after the first is settled; a crash in either
    // leaves the other as it was.
    let week = ["billing", "close-week", "2026-W49"];
    assert_eq!(run_until_done(base.path(), &week, 2, 2, Some(1)), 2 + 2 * batch_points(1));
}

#[test]
fn a_retry_of_a_declined_collection_killed_at_any_point_is_carried_out_once() {
    crate::sqlite_only!();
    // The week closed in the sandbox, which declines bob's 100.13: invoice 2 failed. The retry
    // (`crew billing collect`) goes to the service with its new key, killed at every point.
    let mut base = Env::company();
    two_clients_week(&mut base);
    base.now = "2026-12-07T06:00:00Z".into();
    base.login("abe", PASSWORD);
    base.ok(&["billing", "close-week", "2026-W49"]);
    let statuses = crate::test_billing_http::invoices(&base);
    assert!(statuses.iter().any(|(_, status, _)| status == "failed"), "{statuses:?}");
    // 2 points around the retries' transaction, then one batch of one.
    assert_eq!(run_until_done(base.path(), &["billing", "collect"], 2, 1, None), 2 + batch_points(1));
}
