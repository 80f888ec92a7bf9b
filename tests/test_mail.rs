//! Mail: notifications queued with their cause, delivered to files and to a real SMTP server
//! (mailin-embedded, started here), retried with backoff, dead-lettered, and never lost.

use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};

use mailin_embedded::{Handler, Response, Server, response};

use crate::common::{Env, PASSWORD};

/// One message as the SMTP server received it.
#[derive(Debug, Clone, Default)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// A handler that keeps what it receives, or refuses every message.
#[derive(Clone)]
struct Inbox {
    got: Arc<Mutex<Vec<Received>>>,
    current: Received,
    refuse: bool,
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
        if self.refuse {
            return response::TRANSACTION_FAILED;
        }
        self.got.lock().unwrap().push(std::mem::take(&mut self.current));
        response::OK
    }
    fn rcpt(&mut self, _to: &str) -> Response {
        response::OK
    }
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
}

/// Starts a real SMTP server on a free local port; returns the port and its inbox.
fn smtp_server(refuse: bool) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let mut server = Server::new(Inbox { got: got.clone(), current: Received::default(), refuse });
    server.with_name("test.local").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, got)
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
    env.note("a queued mail may be in a running delivery's hands: only dead letters are retried");
    env.step(&["outbox", "retry", "3"], None);
    env.now = "2026-11-30T08:01:00Z".into();
    env.note("attempt 2 against a server that drops the connection");
    smtp_config(&env, dropping_server(), "");
    let run = env.run(&["--format", "json", "outbox", "deliver"], None);
    let outcomes: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes.iter().all(|o| o["result"].as_str().unwrap().starts_with("failed, retry at 2026-11-30 08:03")));
    env.now = "2026-11-30T08:03:00Z".into();
    smtp_config(&env, refusing, "");
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
