//! The mail hiring's events cause: each pipeline step to the candidate, and one digest of an
//! intake to every active manager.

use chrono::{DateTime, Utc};

use super::events::HiringEvent;
use super::store::HiringTx;
use crate::authz::Role;
use crate::error::Result;
use crate::ids::ApplicationId;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, Template};

macro_rules! template {
    ($name:literal) => {
        Template { name: $name, text: include_str!(concat!("../../templates/mail/", $name, ".txt")) }
    };
}

const APPLICATION_RECEIVED: Template = template!("application_received");
const TESTS_ASSIGNED: Template = template!("tests_assigned");
const TESTS_SUBMITTED: Template = template!("tests_submitted");
const APPLICATION_ACCEPTED: Template = template!("application_accepted");
const APPLICATION_REJECTED: Template = template!("application_rejected");
const APPLICATIONS_ARRIVED: Template = template!("applications_arrived");

/// The templates hiring's mail uses.
pub const TEMPLATES: &[Template] = &[
    APPLICATION_RECEIVED,
    TESTS_ASSIGNED,
    TESTS_SUBMITTED,
    APPLICATION_ACCEPTED,
    APPLICATION_REJECTED,
    APPLICATIONS_ARRIVED,
];

/// Hiring's notifier.
pub struct HiringMail;

impl<T: HiringTx + ?Sized> Notifier<T> for HiringMail {
    fn notices(&self, tx: &mut T, stored: &RecordedEvent) -> Result<Vec<Notice>> {
        let Some(event) = stored.decode::<HiringEvent>()? else { return Ok(vec![]) };
        let template = match &event {
            // The acknowledgement needs nothing but what the event says: no read of the
            // application (most of an intake's time went into reading each one back).
            HiringEvent::ApplicationReceived { application, email, name } => {
                let vars = vec![
                    ("name", name.to_string()),
                    ("application", application.to_string()),
                    ("tests", "-".to_string()),
                    ("score", String::new()),
                    ("max_score", String::new()),
                    ("reason", String::new()),
                ];
                // An acknowledgement is bulk mail: a flood of applications never delays mail
                // about orders and accounts.
                return Ok(vec![Notice::new(&APPLICATION_RECEIVED, email.clone(), vars).bulk()]);
            }
            HiringEvent::TestsAssigned { .. } => &TESTS_ASSIGNED,
            HiringEvent::TestsSubmitted { .. } => &TESTS_SUBMITTED,
            HiringEvent::ApplicationAccepted { .. } => &APPLICATION_ACCEPTED,
            HiringEvent::ApplicationRejected { .. } => &APPLICATION_REJECTED,
            HiringEvent::ApplicationsArrived { .. } => return digest(tx, stored.at),
            _ => return Ok(vec![]),
        };
        // The later steps of one application are transactional: someone is waiting on them.
        match event.application() {
            Some(application) => to_candidate(tx, application, template),
            None => Ok(vec![]),
        }
    }
}

/// A hiring step's mail to the candidate.
fn to_candidate(
    tx: &mut (impl HiringTx + ?Sized),
    application: ApplicationId,
    template: &'static Template,
) -> Result<Vec<Notice>> {
    let Some(a) = tx.application(application)? else { return Ok(vec![]) };
    let mut tests = Vec::new();
    for (t, v) in &a.tests {
        if let Some(test) = tx.hiring_test(*t, Some(*v))? {
            tests.push(format!("#{t} {} ({} questions)", test.spec.name, test.spec.questions.len()));
        }
    }
    let vars = vec![
        ("name", a.applicant.name.to_string()),
        ("application", a.id.to_string()),
        ("tests", if tests.is_empty() { "-".into() } else { tests.join(", ") }),
        ("score", a.score.map(|s| s.to_string()).unwrap_or_default()),
        ("max_score", a.max_score.map(|s| s.to_string()).unwrap_or_default()),
        ("reason", a.reason.as_ref().map(ToString::to_string).unwrap_or_default()),
    ];
    Ok(vec![Notice::new(template, a.applicant.email.clone(), vars)])
}

/// One digest per hour to every active manager with an address: the hour's tally of new and
/// updated applications, sent when the hour is over (each intake in the hour rewrites it).
fn digest(tx: &mut (impl HiringTx + ?Sized), at: DateTime<Utc>) -> Result<Vec<Notice>> {
    let hour = super::pipeline::intake_hour(at);
    let (received, updated) = tx.intake_hour(hour)?;
    let mut notices = Vec::new();
    for manager in tx.accounts(Some(Role::Manager))? {
        if let (true, Some(email)) = (manager.active, manager.email) {
            let vars = vec![
                ("received", received.to_string()),
                ("updated", updated.to_string()),
                ("name", manager.name.to_string()),
            ];
            let key = format!("applications_arrived:{}:{}", manager.id, hour.format("%Y-%m-%dT%H"));
            let due = hour + chrono::Duration::hours(1);
            notices.push(Notice::new(&APPLICATIONS_ARRIVED, email, vars).keyed(key).bulk().digest(due));
        }
    }
    Ok(notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_the_variables_hiring_gives() {
        let vars: Vec<(&str, String)> =
            ["name", "application", "tests", "score", "max_score", "reason", "received", "updated"]
                .into_iter()
                .map(|k| (k, format!("<{k}>")))
                .collect();
        for t in TEMPLATES {
            let (subject, body) = t.render(&vars).unwrap();
            assert!(!subject.is_empty() && !subject.contains('\n'), "{}", t.name);
            assert!(body.contains("-- crew"), "{}", t.name);
        }
    }
}
