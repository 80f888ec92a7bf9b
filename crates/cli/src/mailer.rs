//! Mail transports: `file` (one private .eml per message in a folder, written atomically) and
//! `smtp` (lettre with rustls, no OpenSSL; a pool of connections kept open and reused, one per
//! mail sent at once). lettre builds every message. Each message carries a Message-ID derived
//! from its cause, so a resend after a crash is recognisably the same mail — and, for the file
//! transport, lands in the same file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use crew_core::mail::Mail;
use crew_core::types::Sha256Hex;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::Config;
use crate::files;

pub enum Mailer {
    File(MailFolder),
    Smtp { transport: SmtpTransport, timeout_seconds: u64 },
}

/// Why a mail was not sent, as delivery must treat it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with a temporary refusal (SMTP 4xx): try again later.
    Deferred(String),
    /// The server answered with a permanent refusal (SMTP 5xx), or the mail cannot be made into a
    /// message: trying again cannot help.
    Refused(String),
    /// No answer: the connection was refused, dropped or timed out, or the mail folder could not
    /// be written. Counts towards stopping the run early.
    Unreachable(String),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer> {
        let mail = &config.file.mail;
        match mail.transport.as_str() {
            "file" => Ok(Mailer::File(MailFolder::open(&config.mail_dir)?)),
            _ => {
                let s = &mail.smtp;
                let builder = match s.tls.as_str() {
                    "none" => SmtpTransport::builder_dangerous(&s.host),
                    "tls" => SmtpTransport::relay(&s.host)?,
                    _ => SmtpTransport::starttls_relay(&s.host)?,
                };
                // One connection per mail sent at once, kept open between mails.
                let pool = PoolConfig::new().max_size(mail.parallel).idle_timeout(Duration::from_secs(30));
                let mut builder =
                    builder.port(s.port).timeout(Some(Duration::from_secs(s.timeout_seconds))).pool_config(pool);
                if let Some(user) = &s.user {
                    let password = std::env::var(&s.password_env).map_err(|_| {
                        crew_core::Error::bad_input(format!(
                            "mail.smtp.user is set, but the password variable {} is not",
                            s.password_env
                        ))
                    })?;
                    builder = builder.credentials(Credentials::new(user.clone(), password));
                }
                Ok(Mailer::Smtp { transport: builder.build(), timeout_seconds: s.timeout_seconds })
            }
        }
    }

    /// Sends one mail (from any thread: the SMTP pool hands each sender its own connection).
    pub fn send(&self, from: &Mailbox, mail: &Mail, body: &str, date: std::time::SystemTime) -> Result<(), Failure> {
        let message = message(from, mail, body, date).map_err(|e| Failure::Refused(format!("{e:#}")))?;
        match self {
            Mailer::File(folder) => folder.write(mail, &message).map(|_| ()).map_err(Failure::Unreachable),
            Mailer::Smtp { transport, timeout_seconds } => {
                transport.send(&message).map(|_| ()).map_err(|e| smtp_failure(&e, *timeout_seconds))
            }
        }
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
        files::write_private_atomically(&self.dir, &name, &message.formatted())
            .map_err(|e| format!("cannot write {}: {e}", self.dir.join(&name).display()))
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
