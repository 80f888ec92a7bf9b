//! Scaffolding: mail's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, MailId};
use crew_core::mail::{Mail, MailClass, MailStatus, MailStore, NewMail, Stored, Unreadable};
use crew_core::types::Email;

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl MailStore for PgTx<'_, '_> {
    fn insert_mail(&mut self, m: &NewMail) -> Result<bool> {
        todo!("PostgreSQL: MailStore::insert_mail")
    }

    fn update_mail(&mut self, m: &Mail) -> Result<()> {
        todo!("PostgreSQL: MailStore::update_mail")
    }

    fn mail(&mut self, id: MailId) -> Result<Option<Stored>> {
        todo!("PostgreSQL: MailStore::mail")
    }

    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Stored>> {
        todo!("PostgreSQL: MailStore::mails")
    }

    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Stored>> {
        todo!("PostgreSQL: MailStore::due_mails")
    }

    fn put_digest(&mut self, m: &NewMail) -> Result<bool> {
        todo!("PostgreSQL: MailStore::put_digest")
    }

    fn bury_unreadable(&mut self, id: MailId, reason: &str, at: DateTime<Utc>) -> Result<()> {
        todo!("PostgreSQL: MailStore::bury_unreadable")
    }
}
