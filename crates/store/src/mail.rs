//! Mail's table: the outbox.

use chrono::{DateTime, Utc};
use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, MailId};
use crew_core::mail::{Mail, MailClass, MailStatus, MailStore, NewMail, Stored, Unreadable};
use crew_core::types::Email;
use rusqlite::{OptionalExtension, Row, params};

use crate::batch;
use crate::row::{SqliteTx, col, internal, opt_col, time, ts};

const MAIL_COLUMNS: &str = "id, cause, recipient, subject, body, status, attempts, next_attempt_at, last_error, created_at, \
     sent_at, activation_for, priority";

const COLUMN_NAMES: [&str; 13] = [
    "id",
    "cause",
    "recipient",
    "subject",
    "body",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
    "sent_at",
    "activation_for",
    "priority",
];

fn mail_row(row: &Row<'_>) -> rusqlite::Result<Mail> {
    Ok(Mail {
        id: MailId::new(row.get(0)?),
        cause: row.get(1)?,
        to: col(row, 2, Email::parse)?,
        subject: row.get(3)?,
        body: row.get(4)?,
        status: col(row, 5, MailStatus::parse)?,
        attempts: row.get(6)?,
        next_attempt_at: col(row, 7, time)?,
        last_error: row.get(8)?,
        created_at: col(row, 9, time)?,
        sent_at: opt_col(row, 10, time)?,
        activation_for: row.get::<_, Option<i64>>(11)?.map(AccountId::new),
        class: {
            let rank: i64 = row.get(12)?;
            MailClass::from_rank(rank).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    12,
                    rusqlite::types::Type::Integer,
                    Box::new(Error::internal(format!("{rank} is not a mail class"))),
                )
            })?
        },
    })
}

/// A row as a mail, or, if a column cannot be read, what is wrong with it (the id is the one
/// column every row has).
fn stored_row(row: &Row<'_>) -> rusqlite::Result<Stored> {
    let id = MailId::new(row.get(0)?);
    Ok(mail_row(row).map_err(|e| Unreadable { id, reason: unreadable_reason(row, &e) }))
}

fn unreadable_reason(row: &Row<'_>, e: &rusqlite::Error) -> String {
    let column = match e {
        rusqlite::Error::FromSqlConversionFailure(i, _, _)
        | rusqlite::Error::InvalidColumnType(i, _, _)
        | rusqlite::Error::IntegralValueOutOfRange(i, _) => Some(*i),
        _ => None,
    };
    match column {
        Some(i) => {
            let raw: String = match row.get_ref(i) {
                Ok(v) => match v {
                    rusqlite::types::ValueRef::Null => "NULL".into(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Real(x) => x.to_string(),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned()
                    }
                },
                Err(_) => String::new(),
            };
            let why = match e {
                rusqlite::Error::FromSqlConversionFailure(_, _, inner) => inner.to_string(),
                other => other.to_string(),
            };
            format!("{} `{raw}`: {why}", COLUMN_NAMES.get(i).copied().unwrap_or("a column"))
        }
        None => e.to_string(),
    }
}

impl MailStore for SqliteTx<'_> {
    fn insert_mail(&mut self, m: &NewMail) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO outbox (cause, recipient, subject, body, status, attempts, next_attempt_at, created_at,
                                     activation_for, priority)
                 VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?5, ?6, ?7) ON CONFLICT (cause) DO NOTHING",
            )
            .and_then(|mut s| {
                s.execute(params![
                    m.cause,
                    m.to.as_str(),
                    m.subject,
                    m.body,
                    ts(m.created_at),
                    m.activation_for.map(AccountId::get),
                    m.class.rank(),
                ])
            })
            .map_err(internal)?;
        Ok(n > 0)
    }

    fn insert_mails(&mut self, mails: &[NewMail]) -> Result<usize> {
        let mut times = batch::Times::default();
        let insert = batch::Insert {
            head: "INSERT INTO outbox (cause, recipient, subject, body, status, attempts, next_attempt_at, created_at,
                                     activation_for, priority)
                 VALUES ",
            row: "(#, #, #, #, 'queued', 0, #, #, #, #)",
            tail: " ON CONFLICT (cause) DO NOTHING",
            shared: &[],
        };
        insert
            .run(self.conn, &mut self.statements, mails, |row, m| {
                let created = times.ts(m.created_at);
                row.text(0, &m.cause)?;
                row.text(1, m.to.as_str())?;
                row.text(2, &m.subject)?;
                row.text(3, &m.body)?;
                row.text_copy(4, created)?;
                row.text_copy(5, created)?;
                row.opt_int(6, m.activation_for.map(AccountId::get))?;
                row.int(7, m.class.rank())
            })
            .map_err(internal)
    }

    fn update_mail(&mut self, m: &Mail) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5, sent_at = ?6
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    m.id.get(),
                    m.status.as_str(),
                    m.attempts,
                    ts(m.next_attempt_at),
                    m.last_error,
                    m.sent_at.map(ts)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn mail(&mut self, id: MailId) -> Result<Option<Stored>> {
        self.conn
            .prepare_cached(&format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], stored_row).optional())
            .map_err(internal)
    }

    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Stored>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MAIL_COLUMNS} FROM outbox WHERE ?1 IS NULL OR status = ?1
                 ORDER BY CASE WHEN ?1 = 'queued' THEN priority ELSE 0 END, id LIMIT ?2"
            ))
            .map_err(internal)?;
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let rows = stmt.query_map(params![status.map(MailStatus::as_str), limit], stored_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Stored>> {
        // Every time crew stores is 27 characters wide (`2026-11-30T08:00:00.000000Z`): one of
        // another width was not written by crew and cannot be compared as text, so it is
        // returned (unreadable) rather than left to block or hide.
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MAIL_COLUMNS} FROM outbox
                 WHERE status = 'queued' AND (next_attempt_at <= ?1 OR length(next_attempt_at) <> 27)
                 ORDER BY priority, id LIMIT ?2"
            ))
            .map_err(internal)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![ts(now), limit], stored_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn put_digest(&mut self, m: &NewMail) -> Result<bool> {
        if self.insert_mail(m)? {
            return Ok(true);
        }
        let n = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET recipient = ?2, subject = ?3, body = ?4
                 WHERE cause = ?1 AND status = 'queued' AND attempts = 0 AND next_attempt_at = created_at",
            )
            .and_then(|mut s| s.execute(params![m.cause, m.to.as_str(), m.subject, m.body]))
            .map_err(internal)?;
        Ok(n > 0)
    }

    fn bury_unreadable(&mut self, id: MailId, reason: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE outbox SET status = 'dead', last_error = ?2, next_attempt_at = ?3 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id.get(), reason, ts(at)]))
            .map_err(internal)?;
        Ok(())
    }
}
