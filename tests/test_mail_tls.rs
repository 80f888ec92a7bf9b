//! SMTP over TLS with a login, against a real local server (mailin-embedded with rustls, started
//! here, serving `fixtures/tests/tls/server.pem`, signed by the test authority `ca.pem`):
//! STARTTLS delivery when `mail.smtp.ca_file` names the authority, a clear refusal when nothing
//! vouches for the certificate, and a login whose password comes from the environment and never
//! shows in output, the outbox, the event log or the database file. And implicit TLS
//! (`tls = "tls"`, port 465's way): TLS from the first byte, in front of the same kind of server.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{AuthMechanism, Handler, Response, Server, SslConfig, response};

use crate::common::{Env, PASSWORD, fixture};

const SMTP_USER: &str = "crew-mailer";
/// Long and unusual, so that finding it anywhere cannot be a coincidence.
const SMTP_PASSWORD: &str = "pw-Zq8!tls-only-7f3c9e1d";
const PASSWORD_ENV: &str = "CREW_TEST_SMTP_PASSWORD";

/// What the server saw: the logins tried (user, whether accepted) and the messages taken.
#[derive(Debug, Default)]
struct Seen {
    logins: Vec<(String, bool)>,
    messages: Vec<(Vec<String>, String)>,
}

#[derive(Clone)]
struct Inbox {
    seen: Arc<Mutex<Seen>>,
    to: Vec<String>,
    data: String,
}

impl Handler for Inbox {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
    fn auth_plain(&mut self, _authorization_id: &str, authentication_id: &str, password: &str) -> Response {
        let ok = authentication_id == SMTP_USER && password == SMTP_PASSWORD;
        self.seen.lock().unwrap().logins.push((authentication_id.to_string(), ok));
        if ok { response::AUTH_OK } else { response::INVALID_CREDENTIALS }
    }
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        (self.to, self.data) = (to.to_vec(), String::new());
        response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        let message = (std::mem::take(&mut self.to), std::mem::take(&mut self.data));
        self.seen.lock().unwrap().messages.push(message);
        response::OK
    }
}

/// A real SMTP server on a free local port that offers STARTTLS with the test certificate and
/// takes mail only after `AUTH PLAIN` as [`SMTP_USER`] with [`SMTP_PASSWORD`].
fn tls_server() -> (u16, Arc<Mutex<Seen>>) {
    // Two crypto providers are compiled in (lettre's ring, reqwest's aws-lc): the server's rustls
    // must be told which one to use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = Server::new(Inbox { seen: seen.clone(), to: Vec::new(), data: String::new() });
    server
        .with_name("localhost")
        .with_ssl(SslConfig::SelfSigned {
            cert_path: fixture("tests/tls/server.pem").display().to_string(),
            key_path: fixture("tests/tls/server.key").display().to_string(),
        })
        .unwrap()
        .with_auth(AuthMechanism::Plain)
        .with_tcp_listener(listener)
        .with_num_threads(4);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, seen)
}

/// `crew.toml` for STARTTLS to the test server, logging in as [`SMTP_USER`]; `extra` goes into
/// `[mail.smtp]` (the authority's file).
fn tls_config(env: &Env, port: u16, extra: &str) {
    let text = format!(
        "[mail]\nfrom = \"crew <crew@crew.example>\"\ntransport = \"smtp\"\nmax_attempts = 3\nbackoff_seconds = 60\n\
         [mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"starttls\"\ntimeout_seconds = 10\n\
         user = \"{SMTP_USER}\"\npassword_env = \"{PASSWORD_ENV}\"\n{extra}\n"
    );
    std::fs::write(env.path().join("crew.toml"), text).unwrap();
}

/// ann orders, the cycle assigns tom: three mails due (the activation mails of the company's
/// import go to files first).
fn three_mails() -> Env {
    let env = Env::company();
    assert!(env.ok(&["outbox", "deliver"]).contains("Delivered 2 of 2"));
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00", "--description", "Kitchen"]);
    env.login("mia", PASSWORD);
    env.ok(&["matching", "run"]);
    env
}

/// `crew outbox deliver` (as mia) with the password in the environment variable crew.toml names.
fn deliver(env: &Env, password: &str, args: &[&str]) -> crate::common::Run {
    let mut cmd = env.command(&[args, &["outbox", "deliver"]].concat());
    cmd.env(PASSWORD_ENV, password);
    env.run_with(cmd, None)
}

/// Every byte crew keeps: the database file, its log if one is left, the session and mail folders.
fn everything_crew_wrote(env: &Env) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut folders = vec![env.path().to_path_buf()];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_none_or(|e| e != "toml") {
                bytes.extend(std::fs::read(&path).unwrap());
            }
        }
    }
    bytes
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn starttls_with_the_named_authority_and_a_login_from_the_environment_delivers_every_mail() {
    let env = three_mails();
    let (port, seen) = tls_server();
    let ca = fixture("tests/tls/ca.pem");
    tls_config(&env, port, &format!("ca_file = \"{}\"", ca.display()));
    let run = deliver(&env, SMTP_PASSWORD, &["-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Delivered 3 of 3"), "{}", run.stdout);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.messages.len(), 3, "{seen:?}");
    assert!(seen.messages.iter().any(|(to, data)| to == &["tom@crew.example"] && data.contains("Subject: New job #1")));
    assert!(!seen.logins.is_empty() && seen.logins.iter().all(|(user, ok)| user == SMTP_USER && *ok), "{seen:?}");

    // The password is in no output, no outbox row, no event, no file crew keeps.
    let outbox = env.ok(&["--format", "json", "outbox", "list", "--status", "sent"]);
    let events = env.ok(&["--format", "json", "events", "list"]);
    for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr), ("outbox", &outbox), ("events", &events)] {
        assert!(!text.contains(SMTP_PASSWORD), "the password shows in {what}: {text}");
    }
    assert!(!holds(&everything_crew_wrote(&env), SMTP_PASSWORD), "the password is in a file crew wrote");
}

#[test]
fn a_certificate_no_trusted_authority_signed_is_refused_and_said_so() {
    let mut env = three_mails();
    let (port, seen) = tls_server();
    // No ca_file: the built-in roots do not know the test authority.
    tls_config(&env, port, "");
    let run = deliver(&env, SMTP_PASSWORD, &[]);
    assert_eq!(run.code, 7, "every attempt failed: {}{}", run.stdout, run.stderr);
    {
        let seen = seen.lock().unwrap();
        assert!(seen.messages.is_empty() && seen.logins.is_empty(), "nothing is sent before the server is trusted");
    }
    let outbox = env.ok(&["--format", "json", "outbox", "list"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&outbox).unwrap();
    let tried: Vec<&serde_json::Value> = rows.iter().filter(|r| !r["last_error"].is_null()).collect();
    assert!(!tried.is_empty(), "{outbox}");
    for row in &tried {
        assert_eq!(row["status"], "queued", "a refused certificate is not the mail's fault: it waits");
        let error = row["last_error"].as_str().unwrap();
        assert!(
            error.contains("TLS: the server's certificate is refused (UnknownIssuer)")
                && error.contains("mail.smtp.ca_file"),
            "{error}"
        );
    }
    env.note("a file that holds no certificate is refused before anything is sent");
    std::fs::write(env.path().join("not-a-ca.pem"), "hello").unwrap();
    tls_config(&env, port, "ca_file = \"not-a-ca.pem\"");
    let run = env.step(&["outbox", "deliver"], None);
    assert_eq!(run.code, 2);
    tls_config(&env, port, "ca_file = \"no-such-ca.pem\"");
    let run = env.step(&["outbox", "deliver"], None);
    assert_eq!(run.code, 2);
    assert!(seen.lock().unwrap().logins.is_empty());
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_login_the_server_refuses_leaves_the_mail_queued_and_never_shows_the_password() {
    let mut env = three_mails();
    let (port, seen) = tls_server();
    let ca = fixture("tests/tls/ca.pem");
    tls_config(&env, port, &format!("ca_file = \"{}\"", ca.display()));
    let wrong = "pw-wrong-4e1b77a0c2";
    let run = deliver(&env, wrong, &["-v"]);
    assert_eq!(run.code, 7, "{}{}", run.stdout, run.stderr);
    assert!(seen.lock().unwrap().messages.is_empty());
    let outbox = env.ok(&["--format", "json", "outbox", "list"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&outbox).unwrap();
    assert!(rows.iter().all(|r| r["status"] != "dead"), "a refused login is not a refused mail: {outbox}");
    let errors: Vec<&str> = rows.iter().filter_map(|r| r["last_error"].as_str()).collect();
    assert!(!errors.is_empty() && errors.iter().all(|e| e.contains("login") && e.contains("535")), "{errors:?}");
    for text in [&run.stdout, &run.stderr, &outbox] {
        assert!(!text.contains(wrong), "{text}");
    }
    assert!(!holds(&everything_crew_wrote(&env), wrong));
    // With the right password, the same mails go once they are due again (a minute later).
    env.now = "2026-11-30T08:01:00Z".into();
    let run = deliver(&env, SMTP_PASSWORD, &[]);
    assert!(run.stdout.contains("Delivered 3 of 3"), "{}{}", run.stdout, run.stderr);
}

/// A real SMTP server behind implicit TLS: every connection is TLS from its first byte (rustls,
/// the test certificate), and what it carries goes on to a plain mailin-embedded server on a port
/// of its own. The port, what the server saw, and how many TLS handshakes were completed.
fn implicit_tls_server() -> (u16, Arc<Mutex<Seen>>, Arc<Mutex<usize>>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let inner = TcpListener::bind("127.0.0.1:0").unwrap();
    let inner_port = inner.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = Server::new(Inbox { seen: seen.clone(), to: Vec::new(), data: String::new() });
    server.with_name("localhost").with_tcp_listener(inner).with_num_threads(4);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(fixture("tests/tls/server.pem")).unwrap().collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("tests/tls/server.key")).unwrap();
    let config = Arc::new(rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).unwrap());
    let front = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = front.local_addr().unwrap().port();
    let handshakes = Arc::new(Mutex::new(0));
    let counted = handshakes.clone();
    std::thread::spawn(move || {
        for client in front.incoming().flatten() {
            let (config, counted) = (config.clone(), counted.clone());
            std::thread::spawn(move || relay(client, config, inner_port, &counted));
        }
    });
    (port, seen, handshakes)
}

/// One connection of [`implicit_tls_server`]: the TLS handshake first (a client that does not
/// speak TLS gets nothing more), then bytes both ways until either side closes.
fn relay(client: TcpStream, config: Arc<rustls::ServerConfig>, inner_port: u16, handshakes: &Mutex<usize>) {
    let mut tls = rustls::StreamOwned::new(rustls::ServerConnection::new(config).unwrap(), client);
    tls.sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    while tls.conn.is_handshaking() {
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            return;
        }
    }
    *handshakes.lock().unwrap() += 1;
    let mut inner = TcpStream::connect(("127.0.0.1", inner_port)).unwrap();
    let tick = Some(Duration::from_millis(5));
    tls.sock.set_read_timeout(tick).unwrap();
    inner.set_read_timeout(tick).unwrap();
    let waiting = |e: &std::io::Error| matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    let mut buf = [0u8; 16 * 1024];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => return,
            Ok(n) if inner.write_all(&buf[..n]).is_err() => return,
            Ok(_) => {}
            Err(e) if waiting(&e) => {}
            Err(_) => return,
        }
        match inner.read(&mut buf) {
            Ok(0) => return,
            Ok(n) if tls.write_all(&buf[..n]).and_then(|()| tls.flush()).is_err() => return,
            Ok(_) => {}
            Err(e) if waiting(&e) => {}
            Err(_) => return,
        }
    }
}

#[test]
fn implicit_tls_with_the_named_authority_delivers_every_mail() {
    let env = three_mails();
    let (port, seen, handshakes) = implicit_tls_server();
    // The server speaks TLS from the first byte: a plain client gets no greeting.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut greeting = [0u8; 3];
    assert!(!matches!(plain.read(&mut greeting), Ok(3) if &greeting == b"220"), "no plain greeting");
    drop(plain);
    let text = format!(
        "[mail]\nfrom = \"crew <crew@crew.example>\"\ntransport = \"smtp\"\nmax_attempts = 3\nbackoff_seconds = 60\n\
         [mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"tls\"\ntimeout_seconds = 10\nca_file = \"{}\"\n",
        fixture("tests/tls/ca.pem").display()
    );
    std::fs::write(env.path().join("crew.toml"), text).unwrap();
    let run = deliver(&env, "", &["-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Delivered 3 of 3"), "{}", run.stdout);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.messages.len(), 3, "{seen:?}");
    assert!(seen.messages.iter().any(|(to, data)| to == &["tom@crew.example"] && data.contains("Subject: New job #1")));
    assert!(*handshakes.lock().unwrap() >= 1, "delivered through the TLS front");
}
