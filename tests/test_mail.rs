//! Mail: notifications queued with their cause, delivered to files and to a real SMTP server
//! (mailin-embedded, started here), retried with backoff, dead-lettered, and never lost; servers
//! that refuse (4xx, 5xx), drop, or stall before and after their greeting; floods that must not
//! delay transactional mail; rows that cannot be read; limits and times that cannot jam the outbox.

use std::io::Write;
use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::{Handler, Response, Server, response};

use crate::common::{Env, PASSWORD};

/// One message as the SMTP server received it.
#[derive(Debug, Clone, Default)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// A handler that keeps what it receives, or refuses every message with `refuse`; it counts the
/// sessions (each connection greets once).
#[derive(Clone)]
struct Inbox {
    got: Arc<Mutex<Vec<Received>>>,
    current: Received,
    refuse: Option<Response>,
    sessions: Arc<AtomicUsize>,
    /// How long to wait before answering the end of a message's data (a server stalling inside
    /// a mail's own transaction).
    stall: Duration,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Received { to: to.to_vec(), data: String::new() };
        response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        std::thread::sleep(self.stall);
        if let Some(reply) = &self.refuse {
            return reply.clone();
        }
        self.got.lock().unwrap().push(std::mem::take(&mut self.current));
        response::OK
    }
    fn rcpt(&mut self, _to: &str) -> Response {
        response::OK
    }
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        response::OK
    }
}

/// A real SMTP server on a free local port: its port, its inbox and its count of sessions.
struct Smtp {
    port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    sessions: Arc<AtomicUsize>,
}

fn smtp_serving(refuse: Option<Response>) -> Smtp {
    smtp_stalling(refuse, Duration::ZERO)
}

/// [`smtp_serving`], answering the end of each message's data only after `stall`.
fn smtp_stalling(refuse: Option<Response>, stall: Duration) -> Smtp {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sessions = Arc::new(AtomicUsize::new(0));
    let mut server = Server::new(Inbox {
        got: got.clone(),
        current: Received::default(),
        refuse,
        sessions: sessions.clone(),
        stall,
    });
    server.with_name("test.local").with_tcp_listener(listener).with_num_threads(8);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    Smtp { port, inbox: got, sessions }
}

/// Starts a real SMTP server that takes every message (or, with `refuse`, refuses each with a
/// temporary 451); returns the port and its inbox.
fn smtp_server(refuse: bool) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let s = smtp_serving(refuse.then_some(response::INTERNAL_ERROR));
    (s.port, s.inbox)
}

/// A server that accepts connections and never says a word (holding them open).
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    port
}

/// A server that greets each connection and then never answers again.
fn greeting_then_silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let _ = stream.write_all(b"220 stall.local ESMTP\r\n");
            held.push(stream);
        }
    });
    port
}

/// A server that accepts connections and drops them at once.
fn dropping_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    port
}

fn smtp_config(env: &Env, port: u16, extra: &str) {
    let text = format!(
        "[mail]\nfrom = \"crew <crew@crew.example>\"\ntransport = \"smtp\"\nmax_attempts = 3\nbackoff_seconds = 60\n{extra}\n[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\ntimeout_seconds = 5\n"
    );
    std::fs::write(env.path().join("crew.toml"), text).unwrap();
}

/// ann orders, the cycle assigns tom: three mails (placed, assigned to the client, the job to tom).
/// The workers' activation mails of the company's import are delivered (to files) first.
fn three_mails() -> Env {
    let env = Env::company();
    assert!(env.ok(&["outbox", "deliver"]).contains("Delivered 2 of 2"));
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00", "--description", "Kitchen"]);
    env.login("mia", PASSWORD);
    env.ok(&["matching", "run"]);
    env
}

#[test]
fn notifications_are_queued_once_and_delivered_as_files() {
    let mut env = three_mails();
    env.step(&["outbox", "list"], None);
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "list", "--status", "sent"], None);
    env.step(&["outbox", "retry", "3"], None);
    env.step(&["outbox", "retry", "99"], None);
    insta::assert_snapshot!(env.transcript);
    let files: Vec<String> = std::fs::read_dir(env.path().join("crew-mail"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(files.len(), 5, "two activation mails, three about the order");
    let job = files
        .iter()
        .find(|f| f.contains("To: tom@crew.example") && f.contains("Subject: New job"))
        .expect("tom's job mail");
    // The workers' activation mails went out after an admin had set their passwords: no secret
    // was issued (a resend must never reopen an active account). tests/test_hiring.rs activates.
    let activation = files.iter().find(|f| f.contains("Subject: Welcome to crew")).expect("an activation mail");
    assert!(activation.contains("already active"), "{activation}");
    assert!(!activation.contains("act_"), "{activation}");
    for needle in [
        "Subject: New job #1: cleaning in north on 2026-12-01 10:00",
        "Where: north, for Ann Whiskers",
        "Notes: Kitchen",
    ] {
        assert!(job.contains(needle), "{needle} in {job}");
    }
}

#[test]
fn smtp_delivery_reaches_a_real_server() {
    let env = three_mails();
    let (port, inbox) = smtp_server(false);
    smtp_config(&env, port, "");
    let out = env.ok(&["outbox", "deliver"]);
    assert!(out.contains("Delivered 3 of 3"), "{out}");
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "{got:?}");
    let job = got.iter().find(|m| m.to == ["tom@crew.example"]).expect("tom got his job");
    assert!(job.data.contains("Subject: New job #1: cleaning in north on 2026-12-01 10:00"), "{}", job.data);
    assert!(job.data.contains("When:  2026-12-01 10:00 UTC\r\n"), "{}", job.data);
    assert!(job.data.contains("From: crew <crew@crew.example>"), "{}", job.data);
    assert_eq!(got.iter().filter(|m| m.to == ["ann@example.com"]).count(), 2);
    // Sent mail is never sent again.
    assert!(env.ok(&["outbox", "deliver"]).contains("Delivered 0 of 0"));
    assert_eq!(inbox.lock().unwrap().len(), 3);
}

#[test]
fn a_refusing_or_dropping_server_means_retries_then_dead_letters_and_nothing_is_lost() {
    let mut env = three_mails();
    let (refusing, _) = smtp_server(true);
    smtp_config(&env, refusing, "");
    env.note("attempt 1 fails; the next is due a minute later (backoff 60 s, doubling)");
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "deliver"], None);
    env.note("a queued mail due within a day may be in a running delivery's hands: retry refuses it");
    env.step(&["outbox", "retry", "3"], None);
    env.now = "2026-11-30T08:01:00Z".into();
    env.note("a server that drops the connection before its greeting: no session, so no attempt counted (it is not the mails' fault); due again after the first backoff");
    smtp_config(&env, dropping_server(), "");
    let run = env.run(&["--format", "json", "outbox", "deliver"], None);
    let outcomes: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert!(!outcomes.is_empty() && outcomes.len() <= 3, "{outcomes:?}");
    for o in &outcomes {
        let result = o["result"].as_str().unwrap();
        assert!(
            result.starts_with("not sent, no attempt counted (no session with the server), retry at 2026-11-30 08:02")
                || result.starts_with("not tried"),
            "{result}"
        );
    }
    assert!(outbox(&env).iter().filter(|m| m["status"] == "queued").all(|m| m["attempts"].as_u64() <= Some(1)));
    env.now = "2026-11-30T08:02:00Z".into();
    env.note("attempt 2 against the refusing server (451): the next is due two minutes later");
    smtp_config(&env, refusing, "");
    env.step(&["outbox", "deliver"], None);
    env.now = "2026-11-30T08:04:00Z".into();
    env.note("attempt 3 is the last (max_attempts = 3): dead letters");
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "list", "--status", "dead"], None);
    env.note("a manager retries them once the server is fixed: every mail arrives, once");
    let (good, inbox) = smtp_server(false);
    smtp_config(&env, good, "");
    for id in ["3", "4", "5"] {
        env.step(&["outbox", "retry", id], None);
    }
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "list"], None);
    let text = env.transcript.replace(&format!("127.0.0.1:{refusing}"), "127.0.0.1:PORT");
    insta::assert_snapshot!(text);
    assert_eq!(inbox.lock().unwrap().len(), 3);
}

#[test]
fn a_bad_mail_configuration_is_refused_before_anything_runs() {
    let mut env = Env::company();
    for (name, text) in [
        ("transport.toml", "[mail]\ntransport = \"pigeon\"\n"),
        ("tls.toml", "[mail.smtp]\ntls = \"ssl3\"\n"),
        ("from.toml", "[mail]\nfrom = \"not an address\"\n"),
        (
            "password.toml",
            "[mail]\ntransport = \"smtp\"\n[mail.smtp]\nuser = \"crew\"\npassword_env = \"CREW_TEST_NO_SUCH_VAR\"\n",
        ),
    ] {
        std::fs::write(env.path().join(name), text).unwrap();
        env.step(&["--config", name, "outbox", "deliver"], None);
    }
    insta::assert_snapshot!(env.transcript);
}

fn smtp_config_timeout(env: &Env, port: u16, extra: &str, timeout: u32) {
    let text = format!(
        "[mail]\nfrom = \"crew <crew@crew.example>\"\ntransport = \"smtp\"\nmax_attempts = 3\nbackoff_seconds = 60\n{extra}\n[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\ntimeout_seconds = {timeout}\n"
    );
    std::fs::write(env.path().join("crew.toml"), text).unwrap();
}

/// The test company with its activation mails delivered (to files), then `n` applications taken
/// by mia: `n` acknowledgements are due (bulk mail), and mia's digest of the hour is queued for
/// 09:00.
fn applications(n: usize) -> Env {
    let env = Env::company();
    assert!(env.ok(&["outbox", "deliver"]).contains("Delivered 2 of 2"));
    env.login("mia", PASSWORD);
    let mut csv = String::from("name,email,zone,strengths\r\n");
    for i in 0..n {
        csv.push_str(&format!("Cat {i},cat{i}@example.com,north,cleaning\r\n"));
    }
    std::fs::write(env.path().join("flood.csv"), csv).unwrap();
    env.ok(&["hiring", "import", "flood.csv"]);
    env
}

fn outbox(env: &Env) -> Vec<serde_json::Value> {
    serde_json::from_str(&env.ok(&["--format", "json", "outbox", "list"])).unwrap()
}

/// The queued mails that are due at 08:00 (not the hour's digest).
fn due_now(env: &Env) -> usize {
    outbox(env)
        .iter()
        .filter(|m| m["status"] == "queued" && m["next_attempt_at"].as_str().unwrap() < "2026-11-30T08:00:01")
        .count()
}

fn results(stdout: &str) -> Vec<String> {
    let outcomes: Vec<serde_json::Value> = serde_json::from_str(stdout).unwrap();
    outcomes.iter().map(|o| o["result"].as_str().unwrap().to_string()).collect()
}

#[test]
fn no_limit_and_no_time_can_jam_the_outbox() {
    let mut env = three_mails();
    env.note("limits out of range are refused before anything is claimed");
    env.step(&["outbox", "deliver", "--limit", "8000000000"], None);
    env.step(&["outbox", "deliver", "--limit", "0"], None);
    env.note("cron (a service token, which never expires) at a time so late that the lease would end");
    env.note("after the year 9999: refused, nothing changes");
    env.login("admin", crate::common::ADMIN_PASSWORD);
    let token = env.ok(&["account", "create", "cron", "--role", "service", "--name", "Cron"]).trim().to_string();
    env.now = "9999-12-31T23:55:00Z".into();
    let mut late = env.command(&["outbox", "deliver"]);
    late.env("CREW_TOKEN", &token);
    let run = env.run_with(late, None);
    env.transcript
        .push_str(&format!("$ CREW_TOKEN=… crew outbox deliver\nstderr: {}[exit {}]\n\n", run.stderr, run.code));
    env.now = "2026-11-30T08:00:00Z".into();
    env.step(&["outbox", "list", "--status", "queued"], None);
    env.step(&["outbox", "deliver", "--limit", "100000"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_row_that_cannot_be_read_is_reported_and_skipped_never_jamming_the_outbox() {
    let mut env = three_mails();
    // What an unchecked lease once stored (the year 10899), and an address no crew writes.
    env.sql(
        "UPDATE outbox SET next_attempt_at = '+10899-01-01T00:00:00.000000Z' WHERE id = 4",
        "UPDATE outbox SET next_attempt_at = '10899-01-01T00:00:00Z' WHERE id = 4",
    )
    .unwrap();
    let address = "UPDATE outbox SET recipient = 'not an address' WHERE id = 5";
    env.sql(address, address).unwrap();
    env.step(&["outbox", "list"], None);
    env.note("the readable mail is sent; the bad rows are reported and become dead letters (exit 6)");
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "list", "--status", "dead"], None);
    env.note("the row whose time was bad is readable again and can be retried; the other cannot");
    env.step(&["outbox", "retry", "4"], None);
    env.step(&["outbox", "retry", "5"], None);
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "deliver"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_permanent_refusal_is_a_dead_letter_at_once_with_the_servers_reply() {
    let mut env = three_mails();
    let server = smtp_serving(Some(response::NO_MAILBOX));
    smtp_config(&env, server.port, "");
    env.step(&["outbox", "deliver"], None);
    env.step(&["outbox", "list", "--status", "dead"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_stalled_server_costs_a_run_about_two_timeouts_and_no_attempt_of_any_mail() {
    for (what, port) in [("silent", silent_server()), ("greeting then silent", greeting_then_silent_server())] {
        let env = applications(10);
        let queued = due_now(&env);
        assert_eq!(queued, 10);
        smtp_config_timeout(&env, port, "parallel = 2\nstop_after_failures = 2", 1);
        let start = Instant::now();
        let run = env.run(&["--format", "json", "outbox", "deliver"], None);
        let took = start.elapsed();
        assert_eq!(run.code, 7, "{what}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("2 attempts in a row could not reach the server"), "{what}: {}", run.stderr);
        assert!(run.stderr.contains("timed out: the server did not answer within 1 s"), "{what}: {}", run.stderr);
        // Two senders at once, each waits out the server (lettre waits once more for its QUIT
        // after a silent EHLO): about two timeouts in all, never a third attempt.
        assert!(took < Duration::from_millis(4000), "{what}: the run took {took:?}");
        let results = results(&run.stdout);
        // No session was ever opened (no greeting, or no answer to EHLO): the mails tried are
        // not at fault, so none of them used an attempt (the rule changed deliberately: before,
        // each mail tried used one, and a long outage buried the first mails).
        let tried = results.iter().filter(|r| r.starts_with("not sent, no attempt counted")).count();
        assert_eq!(tried, 2, "{what}: {results:?}");
        assert!(
            results.iter().all(|r| r.starts_with("not sent, no attempt counted") || r.starts_with("not tried")),
            "{what}: {results:?}"
        );
        let after = outbox(&env);
        let queued_now: Vec<&serde_json::Value> = after.iter().filter(|m| m["status"] == "queued").collect();
        assert!(queued_now.iter().all(|m| m["attempts"] == 0), "{what}: no mail used an attempt: {queued_now:?}");
        let waiting = after.iter().filter(|m| m["status"] == "queued" && !m["last_error"].is_null()).count();
        assert_eq!(waiting, tried, "{what}: the mails tried keep the error and wait out the backoff");
        assert_eq!(after.iter().filter(|m| m["status"] == "queued").count(), queued + 1, "{what}: nothing is lost");
        // The rest are due again at once: with a server back, the next run sends them.
        let server = smtp_serving(None);
        smtp_config(&env, server.port, "");
        let next = env.run(&["--format", "json", "outbox", "deliver"], None);
        assert_eq!(next.code, 0, "{what}: {}", next.stderr);
        assert_eq!(server.inbox.lock().unwrap().len(), queued - tried, "{what}");
    }
}

#[test]
fn a_flood_of_bulk_mail_never_delays_transactional_mail() {
    let env = applications(300);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00", "--description", "Kitchen"]);
    env.login("mia", PASSWORD);
    env.ok(&["matching", "run"]);
    let run = env.run(&["--format", "json", "outbox", "deliver", "--limit", "10"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let outcomes: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let subjects: Vec<&str> = outcomes.iter().map(|o| o["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects.len(), 10);
    // Queued after 300 acknowledgements and a digest, the order's three mails go first.
    assert!(subjects[0].starts_with("Order #1 placed"), "{subjects:?}");
    assert!(subjects[1..3].iter().any(|s| s.starts_with("Order #1: ")), "{subjects:?}");
    assert!(subjects[1..3].iter().any(|s| s.starts_with("New job #1")), "the worker's assignment: {subjects:?}");
    // Then bulk mail, oldest first.
    assert_eq!(subjects[3], "We received your application (#1)", "{subjects:?}");
    assert!(subjects[3..].iter().all(|s| s.starts_with("We received your application")), "{subjects:?}");
}

#[test]
fn delivery_reuses_connections_sends_in_parallel_and_every_mail_arrives_once() {
    let env = applications(200);
    let queued = due_now(&env);
    assert_eq!(queued, 200);
    let server = smtp_serving(None);
    smtp_config(&env, server.port, "parallel = 4");
    let run = env.run(&["--format", "json", "outbox", "deliver", "--limit", "1000"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(results(&run.stdout).iter().all(|r| r == "sent"));
    let got = server.inbox.lock().unwrap().clone();
    assert_eq!(got.len(), queued);
    let mut ids: Vec<&str> =
        got.iter().map(|m| m.data.lines().find(|l| l.starts_with("Message-ID: ")).expect("a Message-ID")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), queued, "each mail once");
    let sessions = server.sessions.load(Ordering::SeqCst);
    assert!((1..=4).contains(&sessions), "{sessions} SMTP sessions for {queued} mails: connections are reused");
    assert_eq!(due_now(&env), 0);
}

#[test]
fn applications_one_by_one_make_one_digest_an_hour_for_the_managers() {
    let env = Env::company();
    env.ok(&["outbox", "deliver"]);
    env.login("mia", PASSWORD);
    let apply = |env: &mut Env, at: &str, who: &str| {
        env.now = at.into();
        let email = format!("{who}@example.com");
        env.ok(&["hiring", "apply", "--name", who, "--email", &email, "--zone", "north", "--strengths", "cleaning"]);
    };
    let mut env = env;
    for (at, who) in [("2026-11-30T08:00:00Z", "Ada"), ("2026-11-30T08:20:00Z", "Bo"), ("2026-11-30T08:59:59Z", "Cy")] {
        apply(&mut env, at, who);
    }
    let subjects = |env: &Env| -> Vec<String> {
        let run = env.run(&["--format", "json", "outbox", "deliver"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let outcomes: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        outcomes.iter().map(|o| o["subject"].as_str().unwrap().to_string()).collect()
    };
    let digests = |subjects: &[String]| {
        subjects.iter().filter(|s| s.starts_with("New applications")).cloned().collect::<Vec<_>>()
    };
    let before = subjects(&env);
    assert_eq!(before.len(), 3, "the three acknowledgements, no digest yet: {before:?}");
    assert!(digests(&before).is_empty());
    env.now = "2026-11-30T09:00:00Z".into();
    assert_eq!(digests(&subjects(&env)), ["New applications: 3 new, 0 updated"], "one digest for the hour");
    apply(&mut env, "2026-11-30T09:10:00Z", "Di");
    env.now = "2026-11-30T10:00:00Z".into();
    assert_eq!(digests(&subjects(&env)), ["New applications: 1 new, 0 updated"], "the next hour's own digest");
    let all = outbox(&env);
    assert_eq!(all.iter().filter(|m| m["subject"].as_str().unwrap().starts_with("New applications")).count(), 2);
    // An application after its hour's digest went out is not lost: it is mailed on its own.
    apply(&mut env, "2026-11-30T09:30:00Z", "Ed");
    env.now = "2026-11-30T09:30:00Z".into();
    assert_eq!(digests(&subjects(&env)), ["New applications: 2 new, 0 updated"]);
}

#[test]
fn a_delivery_killed_at_any_point_loses_nothing_and_files_each_mail_once() {
    let mut env = applications(300);
    let due = due_now(&env);
    let mail_dir = env.path().join("crew-mail");
    let before = std::fs::read_dir(&mail_dir).unwrap().count();
    for (round, wait_ms) in [5u64, 40, 120].into_iter().enumerate() {
        let mut child = env.command(&["-q", "outbox", "deliver", "--limit", "1000"]);
        child.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        let mut child = child.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(wait_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // The killed run's mails come back once its lease (ten minutes) is over.
        env.now = format!("2026-11-30T08:{:02}:00Z", 11 * (round + 1));
    }
    let last = env.run(&["--format", "json", "outbox", "deliver", "--limit", "1000"], None);
    assert_eq!(last.code, 0, "{}", last.stderr);
    let files = std::fs::read_dir(&mail_dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".eml"))
        .count();
    assert_eq!(files - before, due, "one file per mail, none missing, none twice");
    let left = outbox(&env)
        .iter()
        .filter(|m| m["status"] == "queued" && !m["subject"].as_str().unwrap().starts_with("New applications"))
        .count();
    assert_eq!(left, 0, "every mail recorded as sent");
}

#[test]
fn a_long_outage_dead_letters_no_mail_but_a_timeout_inside_a_mails_data_counts() {
    let mut env = three_mails();
    // The reviewer's repro: a closed port, max_attempts = 2, runs after each backoff.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = |env: &Env, port: u16, extra: &str, timeout: u32| {
        let text = format!(
            "[mail]\nfrom = \"crew <crew@crew.example>\"\ntransport = \"smtp\"\nmax_attempts = 2\nbackoff_seconds = 60\n{extra}\n[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\ntimeout_seconds = {timeout}\n"
        );
        std::fs::write(env.path().join("crew.toml"), text).unwrap();
    };
    config(&env, closed, "stop_after_failures = 5", 5);
    env.note(
        "the server's port is closed for three runs, each after the backoff (max_attempts = 2): no mail is buried",
    );
    for now in ["2026-11-30T08:00:00Z", "2026-11-30T08:01:00Z", "2026-11-30T08:02:00Z"] {
        env.now = now.into();
        let run = env.run(&["--format", "json", "outbox", "deliver"], None);
        assert_ne!(run.code, 0, "{}", run.stdout);
        for r in results(&run.stdout) {
            assert!(r.starts_with("not sent, no attempt counted (no session with the server)"), "{r}");
            assert!(r.contains("cannot reach the server"), "{r}");
        }
    }
    env.step(&["outbox", "list"], None);
    let queued: Vec<serde_json::Value> = outbox(&env).into_iter().filter(|m| m["status"] != "sent").collect();
    assert_eq!(queued.len(), 3, "{queued:?}");
    assert!(queued.iter().all(|m| m["status"] == "queued" && m["attempts"] == 0), "{queued:?}");

    env.note("a server that stalls after a mail's data (past the 1 s timeout): that mail's own attempt, counted");
    env.now = "2026-11-30T08:03:00Z".into();
    let stalling = smtp_stalling(None, Duration::from_secs(3));
    config(&env, stalling.port, "parallel = 1\nstop_after_failures = 1", 1);
    let run = env.run(&["--format", "json", "outbox", "deliver"], None);
    assert_eq!(run.code, 7, "{}{}", run.stdout, run.stderr);
    let r = results(&run.stdout);
    assert!(r[0].starts_with("failed, retry at") && r[0].contains("timed out"), "{r:?}");
    let counted: Vec<u64> =
        outbox(&env).iter().filter(|m| m["status"] == "queued").map(|m| m["attempts"].as_u64().unwrap()).collect();
    assert_eq!(counted.iter().filter(|a| **a == 1).count(), 1, "{counted:?}");

    env.note("the server is back: every mail is sent (the one that timed out may have reached the stalling server too: delivery is at least once)");
    env.now = "2026-11-30T08:05:00Z".into();
    let server = smtp_serving(None);
    config(&env, server.port, "", 5);
    env.step(&["outbox", "deliver"], None);
    assert!(server.inbox.lock().unwrap().len() + stalling.inbox.lock().unwrap().len() >= 3);
    let text = env.transcript.replace(&format!("127.0.0.1:{closed}"), "127.0.0.1:PORT");
    insta::assert_snapshot!(text);
}

#[test]
fn the_queued_list_is_in_delivery_order_and_its_limit_is_one_to_a_hundred_thousand() {
    let mut env = applications(3);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    env.note("ann's order mail (transactional) comes before the older acknowledgements (bulk), as delivery sends it");
    env.step(&["outbox", "list", "--status", "queued"], None);
    let queued = outbox(&env);
    env.step(&["--format", "json", "outbox", "list", "--status", "queued", "--limit", "1"], None);
    env.note("limits out of range are refused (exit 2), as for deliver");
    for limit in ["0", "100001", "-1"] {
        assert_eq!(env.step(&["outbox", "list", "--limit", limit], None).code, 2, "{limit}");
    }
    env.ok(&["outbox", "list", "--limit", "100000"]);
    let first: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "outbox", "list", "--status", "queued"])).unwrap();
    assert_eq!(first[0]["class"], "transactional", "{first:?}");
    assert!(queued.iter().any(|m| m["class"] == "bulk" && m["id"].as_i64() < first[0]["id"].as_i64()));
    insta::assert_snapshot!(env.transcript);
}

/// How [`limiting_server`] ends a session that has taken its mails.
#[derive(Clone, Copy, Debug)]
enum Limit {
    /// It closes the connection right after accepting the last one (an idle or per-connection
    /// limit the client does not see until it next writes).
    Close,
    /// It answers the next MAIL FROM with 421 and closes (RFC 5321 3.8).
    Reply421,
}

/// A real SMTP server (written out here, as no embedded server ends sessions by itself) that takes
/// at most `per_session` mails on each connection, then ends the session as `how` says. Returns
/// its port, the messages it accepted (their data), and how many MAIL FROM it refused.
fn limiting_server(per_session: usize, how: Limit) -> (u16, Arc<Mutex<Vec<String>>>, Arc<AtomicUsize>) {
    use std::io::{BufRead, BufReader};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let (inbox, refusals) = (got.clone(), refused.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (inbox, refusals) = (inbox.clone(), refusals.clone());
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut lines = BufReader::new(stream);
                let _ = out.write_all(b"220 limits.local ESMTP\r\n");
                let mut taken = 0;
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 limits.local\r\n",
                        "MAIL" if taken >= per_session => {
                            refusals.fetch_add(1, Ordering::SeqCst);
                            let _ = out.write_all(b"421 4.7.0 limits.local too many mails, closing\r\n");
                            return;
                        }
                        "DATA" => {
                            let _ = out.write_all(b"354 go ahead\r\n");
                            let mut data = String::new();
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                data.push_str(&line);
                            }
                            inbox.lock().unwrap().push(data);
                            taken += 1;
                            let _ = out.write_all(b"250 2.0.0 queued\r\n");
                            if taken >= per_session && matches!(how, Limit::Close) {
                                return;
                            }
                            continue;
                        }
                        "QUIT" => {
                            let _ = out.write_all(b"221 bye\r\n");
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = out.write_all(reply);
                }
            });
        }
    });
    (port, got, refused)
}

#[test]
fn a_pooled_connection_the_server_has_closed_costs_no_attempt_and_no_mail_is_sent_twice() {
    for how in [Limit::Close, Limit::Reply421] {
        let env = applications(10);
        assert_eq!(due_now(&env), 10);
        let (port, inbox, refused) = limiting_server(3, how);
        smtp_config(&env, port, "parallel = 1");
        let run = env.run(&["--format", "json", "outbox", "deliver"], None);
        assert_eq!(run.code, 0, "{how:?}: {}{}", run.stdout, run.stderr);
        assert!(results(&run.stdout).iter().all(|r| r == "sent"), "{how:?}: {}", run.stdout);
        let got = inbox.lock().unwrap().clone();
        assert_eq!(got.len(), 10, "{how:?}: every mail arrived");
        let mut ids: Vec<&str> =
            got.iter().map(|m| m.lines().find(|l| l.starts_with("Message-ID: ")).expect("a Message-ID")).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 10, "{how:?}: each mail once");
        if matches!(how, Limit::Reply421) {
            assert_eq!(refused.load(Ordering::SeqCst), 3, "{how:?}: sessions ended after mails 3, 6 and 9");
        }
        let sent: Vec<serde_json::Value> = outbox(&env).into_iter().filter(|m| m["status"] == "sent").collect();
        // The ten acknowledgements, and the two activation mails delivered to files before.
        assert_eq!(sent.len(), 12, "{how:?}");
        assert!(sent.iter().all(|m| m["attempts"] == 1), "{how:?}: each mail sent at its first attempt: {sent:?}");
        assert_eq!(due_now(&env), 0, "{how:?}");
    }
}
