//! The mail IAM's events cause: a new worker's activation mail.

use super::{IamEvent, IamTx};
use crate::authz::Role;
use crate::error::Result;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, SECRET_PLACEHOLDER, Template};

/// The templates IAM's mail uses.
pub const TEMPLATES: &[Template] = &[WORKER_ACTIVATION];

const WORKER_ACTIVATION: Template =
    Template { name: "worker_activation", text: include_str!("../../templates/mail/worker_activation.txt") };

/// A worker account created with an address gets a mail whose one-time secret IAM issues only
/// when the mail is sent ([`super::issue_activation`]).
pub struct AccountMail;

impl<T: IamTx + ?Sized> Notifier<T> for AccountMail {
    fn notices(&self, _tx: &mut T, stored: &RecordedEvent) -> Result<Vec<Notice>> {
        let Some(IamEvent::AccountCreated { account, login, name, role: Role::Worker, email: Some(email) }) =
            stored.decode()?
        else {
            return Ok(vec![]);
        };
        let vars = vec![
            ("name", name.to_string()),
            ("login", login.to_string()),
            ("activation_secret", SECRET_PLACEHOLDER.to_string()),
        ];
        Ok(vec![Notice::new(&WORKER_ACTIVATION, email, vars).activating(account)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_the_variables_iam_gives() {
        let vars: Vec<(&str, String)> =
            ["name", "login", "activation_secret"].into_iter().map(|k| (k, format!("<{k}>"))).collect();
        for t in TEMPLATES {
            let (subject, body) = t.render(&vars).unwrap();
            assert!(!subject.is_empty() && !subject.contains('\n'), "{}", t.name);
            assert!(body.contains("-- crew"), "{}", t.name);
        }
    }
}
