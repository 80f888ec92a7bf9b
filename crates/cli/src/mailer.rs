//! Mail transports (lettre): `file` (one .eml per message in a folder) and `smtp` (rustls, no
//! OpenSSL). Each message carries a Message-ID derived from its cause, so a resend after a crash is
//! recognisably the same mail.

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use crew_core::mail::Mail;
use crew_core::types::Sha256Hex;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use crate::config::Config;

pub enum Mailer {
    File(FileTransport),
    Smtp(SmtpTransport),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer> {
        let mail = &config.file.mail;
        match mail.transport.as_str() {
            "file" => {
                std::fs::create_dir_all(&config.mail_dir)
                    .with_context(|| format!("cannot create the mail folder {}", config.mail_dir.display()))?;
                Ok(Mailer::File(FileTransport::new(&config.mail_dir)))
            }
            _ => {
                let s = &mail.smtp;
                let builder = match s.tls.as_str() {
                    "none" => SmtpTransport::builder_dangerous(&s.host),
                    "tls" => SmtpTransport::relay(&s.host)?,
                    _ => SmtpTransport::starttls_relay(&s.host)?,
                };
                let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(s.timeout_seconds)));
                if let Some(user) = &s.user {
                    let password = std::env::var(&s.password_env).map_err(|_| {
                        crew_core::Error::bad_input(format!(
                            "mail.smtp.user is set, but the password variable {} is not",
                            s.password_env
                        ))
                    })?;
                    builder = builder.credentials(Credentials::new(user.clone(), password));
                }
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }

    /// Sends one mail; the error, if any, is what to record.
    pub fn send(&self, from: &Mailbox, mail: &Mail, body: &str, date: std::time::SystemTime) -> Result<(), String> {
        let message = message(from, mail, body, date).map_err(|e| format!("{e:#}"))?;
        match self {
            Mailer::File(t) => t.send(&message).map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Smtp(t) => t.send(&message).map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

fn message(from: &Mailbox, mail: &Mail, body: &str, date: std::time::SystemTime) -> Result<Message> {
    let to: Mailbox = mail.to.as_str().parse().map_err(|e| anyhow!("recipient {}: {e}", mail.to))?;
    let id = Sha256Hex::of(mail.cause.as_bytes());
    Ok(Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@crew>", &id.as_str()[..32])))
        .date(date)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())?)
}
