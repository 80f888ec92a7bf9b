//! The money services over HTTP, against a local service started by the test: a small std::net
//! server that keeps Stripe's promise (one execution per idempotency key; a repeated key answers
//! the first outcome; the same key with another body is refused with 409; lookup by key, 404 for
//! a key never received) and misbehaves on cue: it times out after carrying a request out, drops
//! the connection after reading a request, answers 5xx, refuses with 4xx, or is down. Whatever it
//! does, each collection and payout executes exactly once at the service, and `verify` agrees.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Env, PASSWORD};
use crate::test_billing_cycles::two_clients_week;

/// What the service does with the next request for a key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fault {
    /// Carries it out, then answers only after the client has given up.
    HangAfterExecuting,
    /// Reads the request and closes the connection without carrying it out.
    DropBeforeExecuting,
    /// Carries it out and closes the connection without answering.
    DropAfterExecuting,
    /// Answers 503 without carrying it out.
    Unavailable,
    /// Carries it out, then answers 500.
    ErrorAfterExecuting,
    /// Refuses it: 402 with a reason (a definite refusal; nothing carried out).
    Refuse,
    /// Carries it out as a declined payment (`status: failed`).
    Decline,
    /// Answers 409 without carrying it out: a request with the same key is still in progress
    /// (Stripe's `idempotency_key_in_use`).
    InFlight,
}

#[derive(Default)]
struct State {
    /// Per key: the request body and the outcome, once carried out.
    done: BTreeMap<String, (Value, Value)>,
    /// Per key: how many times it was carried out (must never exceed 1).
    executions: BTreeMap<String, u32>,
    faults: BTreeMap<String, VecDeque<Fault>>,
    /// Every request received: method, path, key.
    log: Vec<String>,
    /// Every key as crew sent it, with its installation key.
    raw_keys: Vec<String>,
    down: bool,
}

/// A key as the tests name it: crew's installation key taken out (`crew-3f9a…-collection-…` is
/// `crew-collection-…`), so the constants below hold for every database.
fn named(raw: &str) -> String {
    crate::common::redact_installation(raw).replacen("crew-[INST]-", "crew-", 1)
}

pub(crate) struct Service {
    pub(crate) port: u16,
    state: Arc<Mutex<State>>,
}

impl Service {
    pub(crate) fn start() -> Service {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Service { port, state }
    }

    pub(crate) fn fault(&self, key: &str, faults: &[Fault]) {
        self.state.lock().unwrap().faults.entry(key.into()).or_default().extend(faults);
    }

    pub(crate) fn executions(&self) -> BTreeMap<String, u32> {
        self.state.lock().unwrap().executions.clone()
    }

    fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

fn respond(stream: &mut TcpStream, status: u16, body: &Value) {
    let text = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    if state.lock().unwrap().down {
        return; // as good as a refused connection: nothing answers
    }
    if headers.get("authorization").map(String::as_str) != Some("Bearer test-key") {
        return respond(&mut stream, 401, &json!({"error": "bad key"}));
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if method == "GET" {
        let raw = query.strip_prefix("idempotency_key=").unwrap_or("").to_string();
        let key = named(&raw);
        let mut s = state.lock().unwrap();
        s.raw_keys.push(raw);
        s.log.push(format!("GET {path} {key}"));
        return match s.done.get(&key) {
            Some((_, outcome)) => respond(&mut stream, 200, &outcome.clone()),
            None => respond(&mut stream, 404, &json!({"error": "no such key"})),
        };
    }
    let raw = headers.get("idempotency-key").cloned().unwrap_or_default();
    let key = named(&raw);
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let fault = {
        let mut s = state.lock().unwrap();
        s.raw_keys.push(raw);
        s.log.push(format!("POST {path} {key}"));
        let fault = s.faults.get_mut(&key).and_then(VecDeque::pop_front);
        // A service in trouble fails before it looks at the key.
        match fault {
            Some(Fault::DropBeforeExecuting) => return,
            Some(Fault::Unavailable) => {
                drop(s);
                return respond(&mut stream, 503, &json!({"error": "maintenance"}));
            }
            Some(Fault::InFlight) => {
                drop(s);
                return respond(&mut stream, 409, &json!({"error": "idempotency_key_in_use"}));
            }
            _ => {}
        }
        if let Some((first, outcome)) = s.done.get(&key) {
            // A repeated key: the first outcome, nothing done again (or 409 for another body).
            let (first, outcome) = (first.clone(), outcome.clone());
            drop(s);
            return if first == request {
                respond(&mut stream, 200, &outcome)
            } else {
                respond(&mut stream, 409, &json!({"error": "key used with another body"}))
            };
        }
        fault
    };
    let execute = |declined: bool| {
        let mut s = state.lock().unwrap();
        let n = s.done.len() + 1;
        let outcome = if declined {
            json!({"id": format!("pay_{n}"), "status": "failed", "failure_reason": "card expired"})
        } else {
            json!({"id": format!("pay_{n}"), "status": "succeeded", "failure_reason": null})
        };
        s.done.insert(key.clone(), (request.clone(), outcome.clone()));
        *s.executions.entry(key.clone()).or_default() += 1;
        outcome
    };
    match fault {
        None => {
            let outcome = execute(false);
            respond(&mut stream, 200, &outcome)
        }
        Some(Fault::Decline) => {
            let outcome = execute(true);
            respond(&mut stream, 200, &outcome)
        }
        Some(Fault::HangAfterExecuting) => {
            let outcome = execute(false);
            std::thread::sleep(Duration::from_millis(2500));
            respond(&mut stream, 200, &outcome)
        }
        Some(Fault::DropBeforeExecuting) | Some(Fault::Unavailable) | Some(Fault::InFlight) => {}
        Some(Fault::DropAfterExecuting) => {
            execute(false);
        }
        Some(Fault::ErrorAfterExecuting) => {
            execute(false);
            respond(&mut stream, 500, &json!({"error": "oops"}))
        }
        Some(Fault::Refuse) => respond(&mut stream, 402, &json!({"error": "card expired"})),
    }
}

/// The sandbox env pointed at the local service for both money services.
pub(crate) fn with_services(env: &Env, port: u16) {
    let toml = format!(
        "[services.payment]\nurl = \"http://127.0.0.1:{port}\"\napi_key_env = \"CREW_PAYMENT_KEY\"\ntimeout_seconds = 1\n\
         attempts = 2\nbackoff_ms = 10\n\n[services.transfer]\nurl = \"http://127.0.0.1:{port}/\"\n\
         api_key_env = \"CREW_TRANSFER_KEY\"\ntimeout_seconds = 1\nattempts = 2\nbackoff_ms = 10\n"
    );
    std::fs::write(env.path().join("crew.toml"), toml).unwrap();
}

pub(crate) fn crew(env: &Env, args: &[&str]) -> crate::common::Run {
    let mut cmd = env.command(args);
    cmd.env("CREW_PAYMENT_KEY", "test-key").env("CREW_TRANSFER_KEY", "test-key");
    env.run_with(cmd, None)
}

pub(crate) fn invoices(env: &Env) -> Vec<(i64, String, String)> {
    let run = crew(env, &["--format", "json", "billing", "invoices"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    v.iter()
        .map(|i| {
            (
                i["number"].as_i64().unwrap(),
                i["status"].as_str().unwrap().to_string(),
                i["payment"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const ANN: &str = "crew-collection-inv1-2026-W49-acct5";
const BOB: &str = "crew-collection-inv2-2026-W49-acct6";
const TOM: &str = "crew-payout-inv3-2026-11-acct7";

#[test]
fn each_collection_and_payout_executes_exactly_once_whatever_the_service_does() {
    let service = Service::start();
    let mut env = Env::company();
    two_clients_week(&mut env);
    with_services(&env, service.port);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);

    // Ann's collection: carried out, but the answer comes after the timeout; the retry with the
    // same key gets the first outcome. Bob's: the connection drops twice before anything is done.
    service.fault(ANN, &[Fault::HangAfterExecuting]);
    service.fault(BOB, &[Fault::DropBeforeExecuting, Fault::DropBeforeExecuting]);
    let run = crew(&env, &["billing", "close-week", "2026-W49"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 collected, 0 failed, 1 unknown"), "{}", run.stdout);
    assert_eq!(invoices(&env), [(1, "paid".into(), "confirmed".into()), (2, "issued".into(), "unknown".into())]);

    // Reconcile: bob's key was never received (404), so it is sent now, with the same key.
    let run = crew(&env, &["billing", "reconcile"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(invoices(&env), [(1, "paid".into(), "confirmed".into()), (2, "paid".into(), "confirmed".into())]);

    // The month: tom's payout is carried out but the connection drops before the answer, and the
    // retry meets a service unavailable: it stays unknown.
    service.fault(TOM, &[Fault::DropAfterExecuting, Fault::Unavailable]);
    let run = crew(&env, &["billing", "close-month", "2026-11"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 paid out, 0 failed, 1 unknown"), "{}", run.stdout);
    // Running the close again asks again with the same key: the service answers the first outcome.
    let run = crew(&env, &["billing", "close-month", "2026-11"]);
    assert!(run.stdout.contains("1 paid out"), "{}", run.stdout);

    // A service down for a day: nothing answers; reconcile leaves nothing worse, and settles later.
    let executions = service.executions();
    assert_eq!(executions.values().copied().collect::<Vec<_>>(), [1, 1, 1], "{executions:?}");
    assert_eq!(executions.keys().map(String::as_str).collect::<Vec<_>>(), [ANN, BOB, TOM]);
    // As sent, every key starts with the database's installation key: one database's keys are
    // never another's.
    let raw = service.state.lock().unwrap().raw_keys.clone();
    assert!(
        raw.iter().all(|k| k.starts_with("crew-") && k.len() > 22 && k[5..21].bytes().all(|b| b.is_ascii_hexdigit())),
        "{raw:?}"
    );
    assert!(raw.iter().all(|k| k[5..21] == raw[0][5..21]), "one installation: {raw:?}");
    for key in [ANN, BOB, TOM] {
        let posts = service.requests().iter().filter(|r| r.starts_with("POST") && r.ends_with(key)).count();
        assert!(posts >= 2, "{key} was sent {posts} times: every retry used the same key");
    }
    let run = crew(&env, &["billing", "verify"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let bank = crew(&env, &["--format", "json", "billing", "statement", "company:bank_clearing"]);
    let bank: Value = serde_json::from_str(&bank.stdout).unwrap();
    assert_eq!(bank["lines"].as_array().unwrap().len(), 3, "one entry per collection and payout: {bank}");
}

#[test]
fn a_service_down_for_a_day_leaves_payments_unknown_until_reconcile_settles_them() {
    let service = Service::start();
    let mut env = Env::company();
    two_clients_week(&mut env);
    with_services(&env, service.port);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    service.set_down(true);
    let run = crew(&env, &["billing", "close-week", "2026-W49"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 collected, 0 failed, 2 unknown"), "{}", run.stdout);
    let run = crew(&env, &["billing", "reconcile"]);
    assert!(run.stdout.contains("2 still unknown"), "{}", run.stdout);
    assert!(service.executions().is_empty());

    // The next day it is back: one declines; one is carried out but answered 500, and the retry
    // with the same key gets the first outcome.
    env.now = "2026-12-08T06:00:00Z".into();
    env.login("abe", PASSWORD);
    service.set_down(false);
    service.fault(ANN, &[Fault::ErrorAfterExecuting]);
    service.fault(BOB, &[Fault::Decline]);
    let run = crew(&env, &["billing", "reconcile"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 confirmed, 1 failed, 0 still unknown"), "{}", run.stdout);
    assert_eq!(invoices(&env), [(1, "paid".into(), "confirmed".into()), (2, "failed".into(), "failed".into())]);
    assert_eq!(service.executions().values().copied().collect::<Vec<_>>(), [1, 1]);
    let run = crew(&env, &["billing", "verify"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_definite_refusal_fails_the_invoice_and_a_missing_key_is_named() {
    let service = Service::start();
    let mut env = Env::company();
    two_clients_week(&mut env);
    with_services(&env, service.port);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    // Without the key in the environment nothing is sent; the error names the variable.
    let run = env.run(&["billing", "close-week", "2026-W49"], None);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("CREW_PAYMENT_KEY"), "{}", run.stderr);
    assert!(service.requests().is_empty());
    service.fault(ANN, &[Fault::Refuse]);
    let run = crew(&env, &["billing", "close-week", "2026-W49"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let shown = crew(&env, &["billing", "invoices"]);
    assert!(shown.stdout.contains("refused by the service (402: card expired)"), "{}", shown.stdout);
    assert_eq!(invoices(&env), [(1, "failed".into(), "failed".into()), (2, "paid".into(), "confirmed".into())]);
    assert_eq!(service.executions().keys().map(String::as_str).collect::<Vec<_>>(), [BOB]);
}

#[test]
fn a_definitely_failed_collection_is_retried_once_with_a_new_key_and_the_old_key_never_again() {
    let service = Service::start();
    let mut env = Env::company();
    two_clients_week(&mut env);
    with_services(&env, service.port);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    // ann's card is refused (402, nothing carried out); bob's is declined (carried out as failed).
    service.fault(ANN, &[Fault::Refuse]);
    service.fault(BOB, &[Fault::Decline]);
    assert_eq!(crew(&env, &["billing", "close-week", "2026-W49"]).code, 0);
    assert_eq!(invoices(&env), [(1, "failed".into(), "failed".into()), (2, "failed".into(), "failed".into())]);
    let sent_before = service.requests().len();

    let run = crew(&env, &["billing", "collect"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(invoices(&env), [(1, "paid".into(), "confirmed".into()), (2, "paid".into(), "confirmed".into())]);
    let (ann_retry, bob_retry) = (format!("{ANN}-r1"), format!("{BOB}-r1"));
    let executed = service.executions();
    assert_eq!(executed.get(&ann_retry), Some(&1));
    assert_eq!(executed.get(&bob_retry), Some(&1));
    assert_eq!(executed.get(BOB), Some(&1), "the declined one was carried out once, as declined");
    assert_eq!(executed.get(ANN), None, "the refused one was never carried out");
    let retried: Vec<String> = service.requests()[sent_before..].to_vec();
    assert!(retried.iter().all(|r| r.ends_with("-r1")), "only the new keys are sent: {retried:?}");

    // Again: nothing to retry, nothing sent; the ledger holds each collection once.
    let sent = service.requests().len();
    assert_eq!(crew(&env, &["billing", "collect"]).code, 0);
    assert_eq!(service.requests().len(), sent);
    let verify = crew(&env, &["billing", "verify"]);
    assert_eq!(verify.code, 0, "{}", verify.stdout);
}

/// A port on this machine where nothing listens: connecting is refused.
fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_refused_connection_sends_nothing_and_the_payment_is_sent_later_with_the_same_key() {
    let mut env = Env::company();
    two_clients_week(&mut env);
    with_services(&env, refused_port());
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    let run = crew(&env, &["billing", "close-week", "2026-W49"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 not sent: the service could not be reached"), "{}", run.stdout);
    // Not unknown: certainly not carried out, so reserved again with its key.
    assert_eq!(invoices(&env), [(1, "issued".into(), "reserved".into()), (2, "issued".into(), "reserved".into())]);
    let shown = crew(&env, &["billing", "invoices"]);
    assert!(shown.stdout.contains("not sent: could not connect"), "{}", shown.stdout);

    // The service is up: reconcile finds it never received the keys and sends them, same keys.
    let service = Service::start();
    with_services(&env, service.port);
    service.fault(BOB, &[Fault::Decline]);
    let run = crew(&env, &["billing", "reconcile"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(invoices(&env), [(1, "paid".into(), "confirmed".into()), (2, "failed".into(), "failed".into())]);
    assert_eq!(service.executions().into_iter().collect::<Vec<_>>(), [(ANN.into(), 1), (BOB.into(), 1)]);
}

#[test]
fn a_409_for_a_key_still_in_progress_stays_unknown_and_is_settled_later_with_the_same_key() {
    let service = Service::start();
    let mut env = Env::company();
    two_clients_week(&mut env);
    with_services(&env, service.port);
    env.now = "2026-12-07T06:00:00Z".into();
    env.login("abe", PASSWORD);
    // Both attempts of ann's collection meet a request with the same key still in progress.
    service.fault(ANN, &[Fault::InFlight, Fault::InFlight]);
    assert_eq!(crew(&env, &["billing", "close-week", "2026-W49"]).code, 0);
    assert_eq!(invoices(&env), [(1, "issued".into(), "unknown".into()), (2, "paid".into(), "confirmed".into())]);
    let shown = crew(&env, &["billing", "invoices"]);
    assert!(shown.stdout.contains("still in progress at the service (409)"), "{}", shown.stdout);
    let posts = |s: &Service| s.requests().iter().filter(|r| r.starts_with("POST") && r.ends_with(ANN)).count();
    assert_eq!(posts(&service), 2, "retried within the run with the same key");
    // Later the key is looked up (never carried out: 404) and sent again with the same key.
    assert_eq!(crew(&env, &["billing", "reconcile"]).code, 0);
    assert_eq!(invoices(&env)[0], (1, "paid".into(), "confirmed".into()));
    assert_eq!(service.executions().get(ANN), Some(&1));
    assert_eq!(posts(&service), 3);
}
