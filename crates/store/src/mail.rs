//! Mail's table: the outbox.

use chrono::{DateTime, Utc};
use crew_core::error::Result;
use crew_core::ids::{AccountId, MailId};
use crew_core::mail::{Mail, MailStatus, MailStore, NewMail};
use crew_core::types::Email;
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, internal, opt_col, time, ts};

const MAIL_COLUMNS: &str = "id, cause, recipient, subject, body, status, attempts, next_attempt_at, last_error, created_at, \
     sent_at, activation_for";

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
    })
}

impl MailStore for SqliteTx<'_> {
    fn insert_mail(&mut self, m: &NewMail) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO outbox (cause, recipient, subject, body, status, attempts, next_attempt_at, created_at,
                                     activation_for)
                 VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?5, ?6) ON CONFLICT (cause) DO NOTHING",
            )
            .and_then(|mut s| {
                s.execute(params![
                    m.cause,
                    m.to.as_str(),
                    m.subject,
                    m.body,
                    ts(m.created_at),
                    m.activation_for.map(AccountId::get)
                ])
            })
            .map_err(internal)?;
        Ok(n > 0)
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

    fn mail(&mut self, id: MailId) -> Result<Option<Mail>> {
        self.conn
            .prepare_cached(&format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], mail_row).optional())
            .map_err(internal)
    }

    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Mail>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MAIL_COLUMNS} FROM outbox WHERE ?1 IS NULL OR status = ?1 ORDER BY id LIMIT ?2"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(params![status.map(MailStatus::as_str), limit.map_or(-1, |l| l as i64)], mail_row)
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Mail>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MAIL_COLUMNS} FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT ?2"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map(params![ts(now), limit as i64], mail_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}
