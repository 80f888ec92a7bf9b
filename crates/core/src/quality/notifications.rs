//! The mail quality's events cause: a review's result to the order's client and worker.

use super::{QualityEvent, QualityTx};
use crate::error::Result;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, Template};

const REVIEW_CLIENT: Template =
    Template { name: "review_result_client", text: include_str!("../../templates/mail/review_result_client.txt") };
const REVIEW_WORKER: Template =
    Template { name: "review_result_worker", text: include_str!("../../templates/mail/review_result_worker.txt") };

/// The templates quality's mail uses.
pub const TEMPLATES: &[Template] = &[REVIEW_CLIENT, REVIEW_WORKER];

/// Quality's notifier.
pub struct QualityMail;

impl<T: QualityTx + ?Sized> Notifier<T> for QualityMail {
    fn notices(&self, tx: &mut T, stored: &RecordedEvent) -> Result<Vec<Notice>> {
        let Some(QualityEvent::ReviewRecorded { order, worker, client, verdict, cause, revision, .. }) =
            stored.decode()?
        else {
            return Ok(vec![]);
        };
        let amended = if revision > 1 { "amended " } else { "" };
        let mut notices = Vec::new();
        for (template, who) in [(&REVIEW_CLIENT, Some(client)), (&REVIEW_WORKER, worker)] {
            let Some(account) = who.map(|id| tx.account(id)).transpose()?.flatten() else { continue };
            let Some(email) = account.email else { continue };
            notices.push(Notice::new(
                template,
                email,
                vec![
                    ("order", order.to_string()),
                    ("name", account.name.to_string()),
                    ("verdict", verdict.as_str().to_string()),
                    ("cause", cause.to_string()),
                    ("amended", amended.to_string()),
                ],
            ));
        }
        Ok(notices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_mails_render_with_the_values_they_are_given() {
        let vars = [
            ("order", "7".to_string()),
            ("name", "Ann".to_string()),
            ("verdict", "fault".to_string()),
            ("cause", "late".to_string()),
            ("amended", "amended ".to_string()),
        ];
        for t in TEMPLATES {
            let (subject, body) = t.render(&vars).unwrap();
            assert!(subject.contains("#7"), "{subject}");
            assert!(body.contains("late") && body.contains("Ann"), "{body}");
        }
    }
}
