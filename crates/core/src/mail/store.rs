//! Mail's storage: the outbox. Only mail reads or writes it.

use chrono::{DateTime, Utc};

use super::{MailStatus, NewMail, Stored};
use crate::error::Result;
use crate::ids::MailId;
use crate::kernel::events::EventLog;

/// The outbox.
///
/// A stored row that cannot be read back as a [`Mail`](super::Mail) (a value no crew writes) is
/// returned as an [`Unreadable`](super::Unreadable) in its place, never as an error of the whole
/// read: one bad row must not stop the outbox.
pub trait MailStore {
    /// Queues a mail (status `queued`, no attempts, due at its creation time, in its class);
    /// `false` and nothing added when a mail with the same cause exists already. An
    /// `activation_for` account that does not exist is a conflict error.
    fn insert_mail(&mut self, mail: &NewMail) -> Result<bool>;
    /// Queues mails in the order given, as [`insert_mail`](Self::insert_mail) would one after
    /// another (ids in that order; a mail whose cause is already in the outbox, or earlier in the
    /// list, is left out); returns how many were queued. An empty list queues nothing. For events
    /// that mail thousands at once (an intake's acknowledgements); a store may keep the default.
    fn insert_mails(&mut self, mails: &[NewMail]) -> Result<usize> {
        let mut queued = 0;
        for m in mails {
            queued += usize::from(self.insert_mail(m)?);
        }
        Ok(queued)
    }
    /// Saves an existing mail's status, attempts, next attempt, last error and sending time; an id
    /// with no mail changes nothing.
    fn update_mail(&mut self, mail: &super::Mail) -> Result<()>;
    /// The row, `None` if there is none.
    fn mail(&mut self, id: MailId) -> Result<Option<Stored>>;
    /// Rows with `status` (any if `None`), by id ascending (the order they were queued in), at
    /// most `limit`; queued rows (`status` = queued) in delivery's order instead: transactional
    /// before bulk, then by id (oldest first).
    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Stored>>;
    /// Queued rows whose next attempt is due at `now` (at or before it): transactional before
    /// bulk, then by id (oldest first), at most `limit`. A row whose next attempt cannot be read
    /// counts as due (it is returned, unreadable, so that it can be dealt with).
    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Stored>>;
    /// Queues a digest, due at its `created_at`; or, if the mail with its cause is still queued,
    /// never tried and never taken for delivery (its next attempt still its creation time),
    /// replaces its recipient, subject and body. `false`, changing nothing, if that mail is
    /// already on its way (taken, sent, dead).
    fn put_digest(&mut self, mail: &NewMail) -> Result<bool>;
    /// Makes the row `id` a dead letter with `reason` as its last error and `at` as its next
    /// attempt, whatever its other columns hold (for a row that cannot be read); an id with no
    /// row changes nothing.
    fn bury_unreadable(&mut self, id: MailId, reason: &str, at: DateTime<Utc>) -> Result<()>;
}

/// The transaction mail's commands and subscriber run in.
pub trait MailTx: EventLog + MailStore {}
impl<T: EventLog + MailStore + ?Sized> MailTx for T {}
