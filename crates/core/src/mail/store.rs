//! Mail's storage: the outbox. Only mail reads or writes it.

use chrono::{DateTime, Utc};

use super::{Mail, MailStatus, NewMail};
use crate::error::Result;
use crate::ids::MailId;
use crate::kernel::events::EventLog;

/// The outbox.
pub trait MailStore {
    /// Queues a mail (status `queued`, no attempts, due at its creation time); `false` and
    /// nothing added when a mail with the same cause exists already. An `activation_for` account
    /// that does not exist is a conflict error.
    fn insert_mail(&mut self, mail: &NewMail) -> Result<bool>;
    /// Saves an existing mail's status, attempts, next attempt, last error and sending time; an id
    /// with no mail changes nothing.
    fn update_mail(&mut self, mail: &Mail) -> Result<()>;
    /// The mail, `None` if there is none.
    fn mail(&mut self, id: MailId) -> Result<Option<Mail>>;
    /// Mails with `status` (any if `None`), by id ascending (the order they were queued in), at
    /// most `limit`.
    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Mail>>;
    /// Queued mails whose next attempt is due at `now` (at or before it), by next attempt then id,
    /// at most `limit`.
    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Mail>>;
}

/// The transaction mail's commands and subscriber run in.
pub trait MailTx: EventLog + MailStore {}
impl<T: EventLog + MailStore + ?Sized> MailTx for T {}
