//! IAM's reactions to other contexts' events.

use super::{IamTx, NewAccount, account_created};
use crate::authz::Role;
use crate::error::{Error, Result};
use crate::hiring::HiringEvent;
use crate::kernel::command::{Subscriber, append};
use crate::kernel::events::RecordedEvent;
use crate::types::Login;

/// Every hired worker gets a worker account (login = email, no password until an admin sets one
/// or hiring's activation does).
pub struct WorkerAccounts;

impl<T: IamTx + ?Sized> Subscriber<T> for WorkerAccounts {
    fn name(&self) -> &'static str {
        "iam.worker_accounts"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        // By its name first: most events (an intake's flood) are not hires and need no decoding.
        if stored.type_name != HiringEvent::WORKER_HIRED {
            return Ok(());
        }
        let Some(HiringEvent::WorkerHired(worker)) = stored.decode()? else {
            return Ok(());
        };
        if let Some(existing) = tx.account_by_email(&worker.email)? {
            return if existing.role == Role::Worker {
                Ok(())
            } else {
                Err(Error::conflict(format!("{} belongs to a {} account", worker.email, existing.role)))
            };
        }
        let new = NewAccount {
            login: Login::parse(worker.email.as_str())?,
            name: worker.name.clone(),
            email: Some(worker.email.clone()),
            role: Role::Worker,
            password_hash: None,
            created_at: stored.at,
        };
        if tx.account_by_login(&new.login)?.is_some() {
            return Err(Error::conflict(format!("login `{}` is taken by another account", new.login)));
        }
        let id = tx.insert_account(&new)?;
        append(tx, stored.at, stored.actor, &account_created(id, &new))?;
        Ok(())
    }
}
