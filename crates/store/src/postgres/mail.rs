//! Mail's table on PostgreSQL: the outbox.
//!
//! **Claims.** Delivery workers on several machines claim due mail at the same time. The claim
//! (`crew_core::mail::claim`: [`MailStore::due_mails`], then each mail's lease saved in the same
//! transaction) locks the rows it reads with `FOR UPDATE SKIP LOCKED`: a row another worker's
//! claim holds is passed over, never waited for and never claimed twice. (Write transactions
//! also queue behind the schema's advisory lock; the row locks keep the promise whatever runs
//! beside them.) A read-only transaction (a listing) cannot lock rows, so there the same query
//! runs without the lock.
//!
//! **Unreadable rows.** The SQLite store keeps times as fixed-width text up to the year 9999 and
//! cannot read back a later one (an unchecked lease once stored one). `timestamptz` holds such a
//! time, but crew never writes one, so a time outside the years 0 to 9999 reads back here as
//! unreadable too (the reason names the column and the time, as SQLite's names the stored text),
//! and counts as due: one bad row never stops the outbox.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use crew_core::error::Result;
use crew_core::ids::{AccountId, MailId};
use crew_core::mail::{Mail, MailClass, MailStatus, MailStore, NewMail, Stored, Unreadable};
use crew_core::types::Email;
use postgres::Row;
use postgres::types::FromSql;

use super::row::{PgTx, Time, get, int};

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

/// The first and the last year of a time crew stores in the outbox (as the SQLite store can).
const YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

/// A column of a row that cannot be read: which, what it holds (if it could be read at all), and
/// why.
struct Unread {
    column: usize,
    raw: Option<String>,
    why: String,
}

impl Unread {
    fn reason(&self) -> String {
        let name = COLUMN_NAMES.get(self.column).copied().unwrap_or("a column");
        match &self.raw {
            Some(raw) => format!("{name} `{raw}`: {}", self.why),
            None => format!("{name}: {}", self.why),
        }
    }
}

/// At most the first 80 bytes of a stored text, as the reason shows it.
fn clip(raw: &str) -> String {
    let mut end = raw.len().min(80);
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    raw[..end].to_string()
}

fn value<'r, T: FromSql<'r>>(row: &'r Row, idx: usize) -> std::result::Result<T, Unread> {
    row.try_get(idx).map_err(|e| Unread { column: idx, raw: None, why: e.to_string() })
}

fn parsed<T>(row: &Row, idx: usize, parse: impl FnOnce(&str) -> Result<T>) -> std::result::Result<T, Unread> {
    let raw: &str = value(row, idx)?;
    parse(raw).map_err(|e| Unread { column: idx, raw: Some(clip(raw)), why: e.to_string() })
}

/// Whether crew can have stored `t` (see the module doc).
fn storable(t: Time) -> bool {
    YEARS.contains(&t.year())
}

fn moment(t: Time, idx: usize) -> std::result::Result<Time, Unread> {
    if storable(t) {
        return Ok(t);
    }
    let raw = t.to_rfc3339_opts(SecondsFormat::Micros, true);
    // Worded as the SQLite store words the same time (`crate::row::time`).
    let why = format!("stored time `{raw}`: {}", crate::row::OUT_OF_YEARS);
    Err(Unread { column: idx, raw: Some(raw), why })
}

fn time(row: &Row, idx: usize) -> std::result::Result<Time, Unread> {
    moment(value(row, idx)?, idx)
}

fn mail_row(row: &Row) -> std::result::Result<Mail, Unread> {
    Ok(Mail {
        id: MailId::new(value(row, 0)?),
        cause: value(row, 1)?,
        to: parsed(row, 2, Email::parse)?,
        subject: value(row, 3)?,
        body: value(row, 4)?,
        status: parsed(row, 5, MailStatus::parse)?,
        attempts: {
            let n: i64 = value(row, 6)?;
            u32::try_from(n).map_err(|e| Unread { column: 6, raw: Some(n.to_string()), why: e.to_string() })?
        },
        next_attempt_at: time(row, 7)?,
        last_error: value(row, 8)?,
        created_at: time(row, 9)?,
        sent_at: value::<Option<Time>>(row, 10)?.map(|t| moment(t, 10)).transpose()?,
        activation_for: value::<Option<i64>>(row, 11)?.map(AccountId::new),
        class: {
            let rank: i64 = value(row, 12)?;
            MailClass::from_rank(rank).ok_or_else(|| Unread {
                column: 12,
                raw: Some(rank.to_string()),
                why: format!("{rank} is not a mail class"),
            })?
        },
    })
}

/// A row as a mail, or, if a column cannot be read, what is wrong with it (the id is the one
/// column every row has).
fn stored_row(row: &Row) -> Result<Stored> {
    let id = MailId::new(get(row, 0)?);
    Ok(mail_row(row).map_err(|bad| Unreadable { id, reason: bad.reason() }))
}

fn stored_rows(rows: Vec<Row>) -> Result<Vec<Stored>> {
    rows.iter().map(stored_row).collect()
}

/// The first moment of a year, as a bound of the outbox's readable times.
fn new_year(year: i32) -> Time {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN).and_time(chrono::NaiveTime::MIN).and_utc()
}

impl MailStore for PgTx<'_, '_> {
    fn insert_mail(&mut self, m: &NewMail) -> Result<bool> {
        // A missing `activation_for` account breaks the foreign key: a conflict.
        let n = self.execute(
            "INSERT INTO outbox (cause, recipient, subject, body, status, attempts, next_attempt_at, created_at,
                                 activation_for, priority)
             VALUES ($1, $2, $3, $4, 'queued', 0, $5, $5, $6, $7) ON CONFLICT (cause) DO NOTHING",
            &[
                &m.cause,
                &m.to.as_str(),
                &m.subject,
                &m.body,
                &m.created_at,
                &m.activation_for.map(AccountId::get),
                &m.class.rank(),
            ],
        )?;
        Ok(n > 0)
    }

    fn update_mail(&mut self, m: &Mail) -> Result<()> {
        self.execute(
            "UPDATE outbox SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, sent_at = $6
             WHERE id = $1",
            &[&m.id.get(), &m.status.as_str(), &i64::from(m.attempts), &m.next_attempt_at, &m.last_error, &m.sent_at],
        )?;
        Ok(())
    }

    fn mail(&mut self, id: MailId) -> Result<Option<Stored>> {
        let row = self.query_opt(&format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = $1"), &[&id.get()])?;
        row.as_ref().map(stored_row).transpose()
    }

    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Stored>> {
        // No limit is `LIMIT NULL` (every row), as SQLite's `LIMIT -1`.
        let limit = limit.map(int).transpose()?;
        let rows = self.query(
            &format!(
                "SELECT {MAIL_COLUMNS} FROM outbox WHERE $1::text IS NULL OR status = $1
                 ORDER BY CASE WHEN $1::text = 'queued' THEN priority ELSE 0 END, id LIMIT $2"
            ),
            &[&status.map(MailStatus::as_str), &limit],
        )?;
        stored_rows(rows)
    }

    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Stored>> {
        // The claim locks what it takes; a read-only transaction cannot (see the module doc).
        let read_only = self.query_one("SELECT current_setting('transaction_read_only') = 'on'", &[])?;
        let lock = if get(&read_only, 0)? { "" } else { "FOR UPDATE SKIP LOCKED" };
        // Due at `now`, or holding a time crew cannot have stored (before $3 or from $4 on).
        let rows = self.query(
            &format!(
                "SELECT {MAIL_COLUMNS} FROM outbox
                 WHERE status = 'queued' AND (next_attempt_at <= $1 OR next_attempt_at < $3 OR next_attempt_at >= $4)
                 ORDER BY priority, id LIMIT $2 {lock}"
            ),
            &[&now, &int(limit)?, &new_year(*YEARS.start()), &new_year(YEARS.end() + 1)],
        )?;
        stored_rows(rows)
    }

    fn put_digest(&mut self, m: &NewMail) -> Result<bool> {
        if self.insert_mail(m)? {
            return Ok(true);
        }
        let n = self.execute(
            "UPDATE outbox SET recipient = $2, subject = $3, body = $4
             WHERE cause = $1 AND status = 'queued' AND attempts = 0 AND next_attempt_at = created_at",
            &[&m.cause, &m.to.as_str(), &m.subject, &m.body],
        )?;
        Ok(n > 0)
    }

    fn bury_unreadable(&mut self, id: MailId, reason: &str, at: DateTime<Utc>) -> Result<()> {
        self.execute(
            "UPDATE outbox SET status = 'dead', last_error = $2, next_attempt_at = $3 WHERE id = $1",
            &[&id.get(), &reason, &at],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use crew_core::mail::{MailClass, NewMail};
    use crew_core::types::Email;
    use crew_core::wiring::Store;

    use super::super::test_server::{fresh_store, server_url};

    fn queued(cause: &str) -> NewMail {
        NewMail {
            cause: cause.to_string(),
            to: Email::parse("ann@example.com").unwrap(),
            subject: cause.to_string(),
            body: cause.to_string(),
            created_at: Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap(),
            activation_for: None,
            class: MailClass::Transactional,
        }
    }

    /// Another delivery worker's connection to the same schema, outside crew's write lock.
    fn other_worker(schema: &str) -> postgres::Client {
        let base = server_url().split('?').next().unwrap_or_default();
        let mut config: postgres::Config = base.parse().unwrap();
        if let Ok(password) = std::env::var("PGPASSWORD") {
            config.password(password);
        }
        let mut client = config.connect(postgres::NoTls).unwrap();
        client.batch_execute(&format!("SET search_path = {schema}")).unwrap();
        client
    }

    #[test]
    fn a_claim_locks_the_mails_it_takes_and_another_claim_passes_them_over() {
        let (schema, mut store) = fresh_store();
        let mut other = other_worker(schema.name());
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        store
            .write(|tx| {
                for cause in ["m1", "m2", "m3"] {
                    assert!(tx.insert_mail(&queued(cause))?);
                }
                Ok(())
            })
            .unwrap();
        let (claimed, seen_by_other) = store
            .write(|tx| {
                let claimed: Vec<String> =
                    tx.due_mails(now, 2)?.into_iter().map(|m| m.map(|m| m.cause).unwrap_or_default()).collect();
                // While this claim is open, another worker's claim skips what it holds.
                let mut theirs = other.transaction().unwrap();
                let rows = theirs
                    .query("SELECT cause FROM outbox WHERE status = 'queued' ORDER BY id FOR UPDATE SKIP LOCKED", &[])
                    .unwrap();
                let seen: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
                theirs.rollback().unwrap();
                Ok((claimed, seen))
            })
            .unwrap();
        assert_eq!(claimed, ["m1", "m2"]);
        assert_eq!(seen_by_other, ["m3"]);
        // A read-only transaction (listing the outbox) reads the same without locking.
        let listed: Vec<String> = store
            .read(|tx| Ok(tx.due_mails(now, 2)?.into_iter().map(|m| m.map(|m| m.cause).unwrap_or_default()).collect()))
            .unwrap();
        assert_eq!(listed, ["m1", "m2"]);
    }
}
