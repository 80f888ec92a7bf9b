//! Mail transports: `file` (one private .eml per message in a folder, written atomically) and
//! `smtp` (lettre's SMTP connection with rustls, no OpenSSL; connections kept open and reused, one
//! per mail sent at once). lettre builds every message. Each message carries a Message-ID derived
//! from its cause, so a resend after a crash is recognisably the same mail — and, for the file
//! transport, lands in the same file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use crew_core::mail::Mail;
use crew_core::types::Sha256Hex;
use lettre::message::{Mailbox, header::ContentType};
use std::sync::Mutex;

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail as MailFrom, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use crate::config::{Config, SmtpConfig};
use crate::files;

pub enum Mailer {
    File(MailFolder),
    Smtp(Smtp),
}

/// Why a mail was not sent, as delivery must treat it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with a temporary refusal (SMTP 4xx): try again later.
    Deferred(String),
    /// The server answered with a permanent refusal (SMTP 5xx), or the mail cannot be made into a
    /// message: trying again cannot help.
    Refused(String),
    /// No answer within this mail's own transaction (the connection dropped or timed out after
    /// the server accepted its MAIL FROM, during DATA), or the mail folder could not be written:
    /// an attempt of the mail.
    /// Counts towards stopping the run early.
    Unreachable(String),
    /// No session to send it in: the server could not be reached (connection refused or reset,
    /// no greeting or EHLO answer in time), the TLS handshake failed, the server refused the
    /// session or the login, or it closed the session at a mail's MAIL FROM (no answer, or 421)
    /// on a new connection, or on a reused one and then on a new one. Not the mail's fault: no attempt of it counted
    /// (`mail::Attempt::Unreached`). Counts towards stopping the run early.
    NoSession(String),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer> {
        let mail = &config.file.mail;
        match mail.transport.as_str() {
            "file" => Ok(Mailer::File(MailFolder::open(&config.mail_dir)?)),
            _ => {
                let s = &mail.smtp;
                let tls = match s.tls.as_str() {
                    "none" => Tls::None,
                    "tls" => Tls::Wrapper(tls_parameters(s)?),
                    _ => Tls::Starttls(tls_parameters(s)?),
                };
                let credentials = match &s.user {
                    None => None,
                    Some(user) => {
                        let password = std::env::var(&s.password_env).map_err(|_| {
                            crew_core::Error::bad_input(format!(
                                "mail.smtp.user is set, but the password variable {} is not",
                                s.password_env
                            ))
                        })?;
                        Some(Credentials::new(user.clone(), password))
                    }
                };
                Ok(Mailer::Smtp(Smtp {
                    host: s.host.clone(),
                    port: s.port,
                    timeout_seconds: s.timeout_seconds,
                    tls,
                    credentials,
                    user: s.user.clone(),
                    hello: ClientId::default(),
                    open: Mutex::new(Vec::new()),
                }))
            }
        }
    }

    /// Sends one mail (from any thread: the SMTP pool hands each sender its own connection).
    pub fn send(&self, from: &Mailbox, mail: &Mail, body: &str, date: std::time::SystemTime) -> Result<(), Failure> {
        let message = message(from, mail, body, date).map_err(|e| Failure::Refused(format!("{e:#}")))?;
        match self {
            Mailer::File(folder) => folder.write(mail, &message).map(|_| ()).map_err(Failure::Unreachable),
            Mailer::Smtp(smtp) => smtp.send(&message).map_err(|e| match e {
                SmtpError::Session(e) => session_failure(&e, smtp.timeout_seconds, None),
                SmtpError::Login(e) => {
                    session_failure(&e, smtp.timeout_seconds, Some(smtp.user.as_deref().unwrap_or("")))
                }
                SmtpError::Mail(e) => smtp_failure(&e, smtp.timeout_seconds),
            }),
        }
    }
}

/// How crew checks the server's certificate: against the Mozilla roots built in (webpki-roots),
/// plus the authorities of `mail.smtp.ca_file` if it names one. There is no switch that accepts
/// any certificate: a server with a private authority is trusted by naming that authority.
fn tls_parameters(s: &SmtpConfig) -> Result<TlsParameters> {
    let mut builder = TlsParameters::builder(s.host.clone());
    if let Some(path) = &s.ca_file {
        let bad = |why: String| crew_core::Error::bad_input(format!("mail.smtp.ca_file: {}: {why}", path.display()));
        let pem = std::fs::read(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
        if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(bad("holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)".into()).into());
        }
        let authorities =
            Certificate::from_pem(&pem).map_err(|e| bad(format!("is not a PEM certificate file: {e}")))?;
        builder = builder.add_root_certificate(authorities);
    }
    Ok(builder.build_rustls()?)
}

enum Tls {
    None,
    /// STARTTLS, required.
    Starttls(TlsParameters),
    /// Implicit TLS (port 465).
    Wrapper(TlsParameters),
}

/// An SMTP server and the connections open to it: a sender takes one (or opens one), sends, and
/// puts it back, so a run opens at most one connection per mail sent at once.
///
/// lettre's own transport writes a message and its final `.` in two writes; with Nagle's
/// algorithm and the server's delayed acknowledgement that costs ~40 ms a mail on a connection
/// that is reused. Here the message and its end go in one write.
pub struct Smtp {
    host: String,
    port: u16,
    timeout_seconds: u64,
    tls: Tls,
    credentials: Option<Credentials>,
    /// The login, to name in errors (the password is only in `credentials`).
    user: Option<String>,
    hello: ClientId,
    open: Mutex<Vec<SmtpConnection>>,
}

/// Where an SMTP exchange failed: opening the session (connecting, the greeting, EHLO, TLS), the
/// login, or one mail's transaction. Only the last is about the mail: a server that refuses the
/// session or the login refuses every mail alike, so its 5xx is no reason to bury this one.
enum SmtpError {
    Session(lettre::transport::smtp::Error),
    Login(lettre::transport::smtp::Error),
    Mail(lettre::transport::smtp::Error),
}

impl Smtp {
    /// A new session: connect (implicit TLS for `tls`), read the greeting, EHLO, STARTTLS for
    /// `starttls`, and log in if a user is configured.
    ///
    /// A server that greets and then never answers costs two timeouts here, not one: lettre's
    /// `SmtpConnection::connect` answers a failed EHLO by sending QUIT and waiting for its reply
    /// (its `abort`), and its public interface offers no way to open a session without that. The
    /// senders of a run wait out those timeouts at the same time, so the whole run stops after
    /// about two (`stop_after_failures` attempts in a row, `parallel` at once).
    fn connect(&self) -> Result<SmtpConnection, SmtpError> {
        let wrapper = match &self.tls {
            Tls::Wrapper(p) => Some(p),
            _ => None,
        };
        let timeout = Some(Duration::from_secs(self.timeout_seconds));
        let mut conn = SmtpConnection::connect((self.host.as_str(), self.port), timeout, &self.hello, wrapper, None)
            .map_err(SmtpError::Session)?;
        if let Tls::Starttls(p) = &self.tls {
            conn.starttls(p, &self.hello).map_err(SmtpError::Session)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).map_err(SmtpError::Login)?;
        }
        Ok(conn)
    }

    /// Sends one message: on a connection of the pool if one is open, else on a new one. A
    /// pooled connection the server has closed since its last mail (an idle timeout, a limit of
    /// mails per connection: it answers MAIL FROM with 421, or not at all) is dropped and the
    /// mail is sent once more on a new connection — nothing of it had been accepted yet, so the
    /// server cannot get it twice, and the mail is not charged an attempt for the server's
    /// housekeeping. Without a reply at MAIL FROM on a new connection too, the session is what
    /// failed ([`SmtpError::Session`]: no attempt of the mail, see [`Failure::NoSession`]).
    fn send(&self, message: &Message) -> Result<(), SmtpError> {
        let reused = self.open.lock().ok().and_then(|mut open| open.pop());
        let (mut conn, result) = match reused {
            Some(mut conn) => match transaction(&mut conn, message) {
                // The pooled connection had gone stale (a timeout is no sign of that: a server
                // that stalls would only stall again, and cost another timeout).
                Err(Stage::MailFrom(e)) if session_lost(&e) && !timed_out(&e) => {
                    drop(conn);
                    let mut fresh = self.connect()?;
                    let result = transaction(&mut fresh, message);
                    (fresh, result)
                }
                result => (conn, result),
            },
            None => {
                let mut fresh = self.connect()?;
                let result = transaction(&mut fresh, message);
                (fresh, result)
            }
        };
        match result {
            Ok(()) => {
                if let Ok(mut open) = self.open.lock() {
                    open.push(conn);
                }
                Ok(())
            }
            // MAIL FROM unanswered or answered with 421: the session ended before this mail began.
            Err(Stage::MailFrom(e)) if session_lost(&e) => Err(SmtpError::Session(e)),
            // The server answered: the connection is still good once the transaction is reset.
            Err(Stage::MailFrom(e) | Stage::Mail(e))
                if (e.is_transient() || e.is_permanent()) && conn.command(Rset).is_ok() =>
            {
                if let Ok(mut open) = self.open.lock() {
                    open.push(conn);
                }
                Err(SmtpError::Mail(e))
            }
            // No answer: the connection is dropped without a QUIT (which would wait again).
            Err(Stage::MailFrom(e) | Stage::Mail(e)) => Err(SmtpError::Mail(e)),
        }
    }
}

/// Whether an error at MAIL FROM means the session is gone rather than that the server refused
/// this mail: no reply at all (the connection was closed, reset, or timed out), or 421 ("service
/// not available, closing transmission channel", RFC 5321 3.8 and 4.2.3: a server closing a
/// session that is over its limits answers any command so).
fn session_lost(e: &lettre::transport::smtp::Error) -> bool {
    match e.status() {
        Some(code) => code.to_string() == "421",
        None => !e.is_client(),
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Ok(open) = self.open.get_mut() {
            for conn in open.iter_mut() {
                let _ = conn.quit();
            }
        }
    }
}

/// Where a mail's transaction failed: at its MAIL FROM (nothing of the mail accepted yet), or
/// later (RCPT TO, DATA, the message).
enum Stage {
    MailFrom(lettre::transport::smtp::Error),
    Mail(lettre::transport::smtp::Error),
}

/// One mail on an open connection: MAIL FROM, RCPT TO each recipient, DATA, then the
/// dot-stuffed message and its end in one write.
fn transaction(conn: &mut SmtpConnection, message: &Message) -> Result<(), Stage> {
    let envelope = message.envelope();
    let bytes = message.formatted();
    let mut options = Vec::new();
    if !bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(MailFrom::new(envelope.from().cloned(), options)).map_err(Stage::MailFrom)?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![])).map_err(Stage::Mail)?;
    }
    conn.command(Data).map_err(Stage::Mail)?;
    match String::from_utf8(bytes) {
        Ok(text) => conn.command(DataEnd(text)).map(|_| ()),
        Err(e) => conn.message(e.as_bytes()).map(|_| ()),
    }
    .map_err(Stage::Mail)
}

/// A message's text as DATA sends it: every line that starts with `.` gets another (RFC 5321
/// 4.5.2), lines end in CRLF, and the end of data (`CRLF . CRLF`) follows.
struct DataEnd(String);

impl std::fmt::Display for DataEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0.as_str();
        let mut start_of_line = true;
        for c in text.chars() {
            if start_of_line && c == '.' {
                f.write_str(".")?;
            }
            std::fmt::Write::write_char(f, c)?;
            start_of_line = c == '\n';
        }
        if !text.ends_with("\r\n") {
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

/// What a failure to open a session means: the mail waits for the next run with no attempt
/// counted ([`Failure::NoSession`]; it counts towards stopping this one early), whatever the
/// server answered — a 5xx to EHLO, STARTTLS or the login
/// is about crew's session, not about this mail. A refused login names the user, never the
/// password.
fn session_failure(e: &lettre::transport::smtp::Error, timeout_seconds: u64, login: Option<&str>) -> Failure {
    if timed_out(e) {
        return Failure::NoSession(format!("timed out: the server did not answer within {timeout_seconds} s"));
    }
    if let Some(tls) = tls_refusal(e) {
        return Failure::NoSession(format!(
            "TLS: {tls}; crew trusts the built-in Mozilla roots and, if set, the authorities of mail.smtp.ca_file"
        ));
    }
    match login {
        Some(user) => Failure::NoSession(format!(
            "the server refused the login of `{user}` (mail.smtp.user; the password from the variable \
             mail.smtp.password_env): {e}"
        )),
        None if e.is_transient() || e.is_permanent() => {
            Failure::NoSession(format!("the server refused the session: {e}"))
        }
        None => Failure::NoSession(format!("cannot reach the server: {e}")),
    }
}

/// What an SMTP error means for the mail: a reply of the server (4xx, 5xx) is quoted; a network
/// failure says what happened, a timeout as a timeout (the socket reports it as "Resource
/// temporarily unavailable", which tells an operator nothing).
fn smtp_failure(e: &lettre::transport::smtp::Error, timeout_seconds: u64) -> Failure {
    if e.is_permanent() {
        return Failure::Refused(format!("refused by the server: {e}"));
    }
    if e.is_transient() {
        return Failure::Deferred(format!("deferred by the server: {e}"));
    }
    if timed_out(e) {
        return Failure::Unreachable(format!("timed out: the server did not answer within {timeout_seconds} s"));
    }
    Failure::Unreachable(format!("cannot reach the server: {e}"))
}

/// The TLS error in `e`'s causes, if the handshake failed (a certificate refused, above all).
fn tls_refusal(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        // An I/O error does not list the error it wraps among its sources: look inside it.
        let inner = c.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref);
        let tls = c.downcast_ref::<rustls::Error>().or_else(|| inner.and_then(|i| i.downcast_ref::<rustls::Error>()));
        if let Some(tls) = tls {
            return Some(match tls {
                rustls::Error::InvalidCertificate(why) => format!("the server's certificate is refused ({why:?})"),
                other => format!("the secure connection failed: {other}"),
            });
        }
        cause = c.source();
    }
    None
}

fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The `file` transport's folder: mode 0700 when crew creates it; one file per mail, mode 0600,
/// named after the mail's Message-ID (`<id>.eml`).
pub struct MailFolder {
    dir: PathBuf,
}

impl MailFolder {
    /// Creates the folder if needed (private), and clears what a killed delivery left behind.
    pub fn open(dir: &Path) -> Result<MailFolder> {
        files::create_private_dir_all(dir)
            .with_context(|| format!("cannot create the mail folder {}", dir.display()))?;
        files::remove_stale_temporaries(dir, files::STALE);
        Ok(MailFolder { dir: dir.to_path_buf() })
    }

    /// Writes the message whole (a temporary file, flushed, renamed): a crash leaves no empty or
    /// partial `.eml`, and writing the same mail again replaces its file rather than adding one.
    fn write(&self, mail: &Mail, message: &Message) -> Result<PathBuf, String> {
        let name = format!("{}.eml", message_id(mail));
        files::write_private_atomically(&self.dir, &name, &message.formatted()).map_err(|e| e.to_string())
    }
}

/// The local part of a mail's Message-ID: 32 hex digits of the SHA-256 of its cause, the same on
/// every attempt.
fn message_id(mail: &Mail) -> String {
    Sha256Hex::of(mail.cause.as_bytes()).as_str()[..32].to_string()
}

fn message(from: &Mailbox, mail: &Mail, body: &str, date: std::time::SystemTime) -> Result<Message> {
    let to: Mailbox = mail.to.as_str().parse().map_err(|e| anyhow!("recipient {}: {e}", mail.to))?;
    Ok(Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@crew>", message_id(mail))))
        .date(date)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())?)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use chrono::{TimeZone, Utc};
    use crew_core::ids::MailId;
    use crew_core::mail::MailStatus;
    use crew_core::types::Email;

    use super::*;

    fn mail(cause: &str, body: &str) -> Mail {
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap();
        Mail {
            id: MailId::new(1),
            cause: cause.into(),
            to: Email::parse("ann@example.com").unwrap(),
            subject: "Your order".into(),
            body: body.into(),
            status: MailStatus::Queued,
            attempts: 0,
            next_attempt_at: t,
            last_error: None,
            created_at: t,
            sent_at: None,
            activation_for: None,
            class: crew_core::mail::MailClass::Transactional,
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn the_same_mail_sent_twice_is_one_private_file_named_after_its_message_id() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("deep/crew-mail");
        let mailer = Mailer::File(MailFolder::open(&dir).unwrap());
        let from: Mailbox = "crew <crew@example.com>".parse().unwrap();
        let first = mail("event:7:order_placed", "first attempt");
        mailer.send(&from, &first, &first.body, std::time::SystemTime::now()).unwrap();
        // A crash before the outcome was recorded: the same claimed mail is delivered again.
        let again = mail("event:7:order_placed", "second attempt");
        mailer.send(&from, &again, &again.body, std::time::SystemTime::now()).unwrap();
        let other = mail("event:8:order_placed", "another mail");
        mailer.send(&from, &other, &other.body, std::time::SystemTime::now()).unwrap();

        let id = message_id(&first);
        assert_eq!(names(&dir), vec![format!("{id}.eml"), format!("{}.eml", message_id(&other))]);
        let text = std::fs::read_to_string(dir.join(format!("{id}.eml"))).unwrap();
        assert!(text.contains(&format!("Message-ID: <{id}@crew>")), "{text}");
        assert!(text.contains("second attempt") && !text.contains("first attempt"), "{text}");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.join(format!("{id}.eml"))), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("deep")), 0o700, "every folder crew creates is private");
    }

    #[test]
    fn data_is_dot_stuffed_and_ends_with_its_terminator_in_one_piece() {
        let cases = [
            ("Hi\r\n.\r\n..x\r\n", "Hi\r\n..\r\n...x\r\n.\r\n"),
            (".start\r\nend", "..start\r\nend\r\n.\r\n"),
            ("a.b\r\n", "a.b\r\n.\r\n"),
        ];
        for (text, sent) in cases {
            assert_eq!(DataEnd(text.to_string()).to_string(), sent, "{text:?}");
        }
    }

    #[test]
    fn a_killed_delivery_leaves_no_eml_and_its_stale_temporary_is_cleared() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("crew-mail");
        MailFolder::open(&dir).unwrap();
        // What a SIGKILL between creating and renaming leaves: a hidden temporary, never an .eml.
        let left = dir.join(".0123.eml.4242.abcd.tmp");
        std::fs::write(&left, "partial").unwrap();
        let fresh = dir.join(".4567.eml.4243.abcd.tmp");
        std::fs::write(&fresh, "a write in progress elsewhere").unwrap();
        let hours_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
        std::fs::File::options().write(true).open(&left).unwrap().set_modified(hours_ago).unwrap();
        MailFolder::open(&dir).unwrap();
        assert!(!left.exists(), "the stale temporary is removed");
        assert!(fresh.exists(), "a recent one may belong to a running delivery");
    }
}
