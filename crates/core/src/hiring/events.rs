//! Hiring's events: tests and sets, applications through the pipeline, and workers joining the
//! pool.

use serde::{Deserialize, Serialize};

use crate::domain_events;
use crate::ids::{AccountId, ApplicationId, TestId, TestSetId};
use crate::kernel::events::{EventDetails, Subject};
use crate::types::{Email, Name, SkillSet, Text, Zone};

domain_events! {
    /// What hiring records.
    pub enum HiringEvent {
        /// A worker joins the pool (IAM opens the account, matching the profile).
        WorkerHired(HiredWorker) = "worker_hired",
        HiringTestCreated { test: TestId, version: u32, name: String } = "hiring_test_created",
        HiringTestEdited { test: TestId, version: u32 } = "hiring_test_edited",
        HiringTestDeleted { test: TestId } = "hiring_test_deleted",
        TestSetSaved { set: TestSetId, name: Name, tests: Vec<TestId> } = "test_set_saved",
        ApplicationReceived { application: ApplicationId, email: Email, name: Name } = "application_received",
        ApplicationUpdated { application: ApplicationId } = "application_updated",
        /// New and updated applications of one intake (managers get one mail about them).
        ApplicationsArrived { received: u64, updated: u64 } = "applications_arrived",
        TestsAssigned { application: ApplicationId, set: TestSetId, tests: Vec<(TestId, u32)> } = "tests_assigned",
        TestsSubmitted { application: ApplicationId, score: u32, max_score: u32, passed: bool } = "tests_submitted",
        ApplicationAccepted { application: ApplicationId, reason: Text } = "application_accepted",
        ApplicationRejected { application: ApplicationId, reason: Text } = "application_rejected",
    }
}

/// Where a hired worker came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HireSource {
    /// `crew import workers`: the company's existing workforce.
    WorkforceImport,
    /// Accepted through the hiring pipeline.
    Hiring,
}

/// A worker joining the pool: what every context needs to open its side of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiredWorker {
    pub email: Email,
    pub name: Name,
    pub zone: Zone,
    pub skills: SkillSet,
    pub capacity: Option<u32>,
    pub rating: Option<u8>,
    pub age: Option<u32>,
    pub breed: Option<String>,
    pub coat: Option<String>,
    pub photo: Option<String>,
    pub source: HireSource,
}

impl HiringEvent {
    /// The stored type name of [`HiringEvent::WorkerHired`]. Subscribers that react only to hires
    /// compare it with [`RecordedEvent::type_name`](crate::kernel::events::RecordedEvent) before
    /// decoding, so an intake's flood of `application_received` is not deserialised (emails and
    /// names parsed again) by each of them.
    pub const WORKER_HIRED: &'static str = "worker_hired";

    /// The stored type name of [`HiringEvent::ApplicationReceived`]: mail reads an intake's
    /// acknowledgements straight from such events (see `hiring::notifications`).
    pub const APPLICATION_RECEIVED: &'static str = "application_received";

    /// The payload serde writes for an `application_received` event
    /// (`{"type":"application_received","application":7,"email":"…","name":"…"}`), written
    /// straight into one string when neither text needs escaping (no `"`, `\\` or control
    /// character: JSON writes every other character as it is); `None` for one that does and for
    /// every other event, which serde writes. An intake records one per new application: serde's
    /// writing was 3.7% of its writing thread's instructions (BENCHMARKS.md, "The tenth round").
    /// Mail reads this form back the same way (`hiring::notifications`); property test
    /// `a_received_payload_as_written_is_serdes_text`.
    pub fn payload_as_written(&self) -> Option<String> {
        let HiringEvent::ApplicationReceived { application, email, name } = self else { return None };
        let plain = |text: &str| !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
        if !plain(email.as_str()) || !plain(name.as_str()) {
            return None;
        }
        let mut out = String::with_capacity(96 + email.as_str().len() + name.as_str().len());
        out.push_str(r#"{"type":"application_received","application":"#);
        out.push_str(itoa::Buffer::new().format(application.get()));
        out.push_str(r#","email":""#);
        out.push_str(email.as_str());
        out.push_str(r#"","name":""#);
        out.push_str(name.as_str());
        out.push_str(r#""}"#);
        Some(out)
    }

    /// The application this event is about, if any.
    pub fn application(&self) -> Option<ApplicationId> {
        match self {
            HiringEvent::ApplicationReceived { application, .. }
            | HiringEvent::ApplicationUpdated { application }
            | HiringEvent::TestsAssigned { application, .. }
            | HiringEvent::TestsSubmitted { application, .. }
            | HiringEvent::ApplicationAccepted { application, .. }
            | HiringEvent::ApplicationRejected { application, .. } => Some(*application),
            _ => None,
        }
    }
}

impl EventDetails for HiringEvent {
    fn subject(&self) -> Subject {
        Subject { application: self.application(), ..Subject::default() }
    }

    fn summary(&self, _name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            HiringEvent::WorkerHired(w) => {
                format!("worker {} <{}> hired in {} ({})", w.name, w.email, w.zone, w.skills)
            }
            HiringEvent::HiringTestCreated { test, name, .. } => format!("test #{test} `{name}` created"),
            HiringEvent::HiringTestEdited { test, version } => format!("test #{test} edited: version {version}"),
            HiringEvent::HiringTestDeleted { test } => format!("test #{test} deleted"),
            HiringEvent::TestSetSaved { set, name, tests } => {
                let tests: Vec<String> = tests.iter().map(ToString::to_string).collect();
                format!("test set #{set} `{name}`: tests [{}]", tests.join(", "))
            }
            HiringEvent::ApplicationReceived { application, email, name } => {
                format!("application #{application} from {name} <{email}>")
            }
            HiringEvent::ApplicationUpdated { application } => {
                format!("application #{application} re-sent with changes")
            }
            HiringEvent::ApplicationsArrived { received, updated } => {
                format!("{received} new application(s), {updated} updated")
            }
            HiringEvent::TestsAssigned { application, set, .. } => {
                format!("application #{application}: test set #{set} assigned")
            }
            HiringEvent::TestsSubmitted { application, score, max_score, passed } => format!(
                "application #{application}: answers scored {score}/{max_score} ({})",
                if *passed { "passed" } else { "below the pass mark" }
            ),
            HiringEvent::ApplicationAccepted { application, .. } => format!("application #{application} accepted"),
            HiringEvent::ApplicationRejected { application, reason } => {
                format!("application #{application} rejected: {reason}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::events::DomainEvent;

    fn received(application: i64, email: &str, name: &str) -> Option<HiringEvent> {
        Some(HiringEvent::ApplicationReceived {
            application: ApplicationId::new(application),
            email: Email::parse(email).ok()?,
            name: Name::parse(name).ok()?,
        })
    }

    #[test]
    fn a_plain_received_payload_is_written_without_serde_and_one_to_escape_with_it() {
        let plain = received(7, "rex@example.com", "Rex Ünal").unwrap();
        assert_eq!(
            plain.payload_as_written().as_deref(),
            Some(r#"{"type":"application_received","application":7,"email":"rex@example.com","name":"Rex Ünal"}"#)
        );
        assert_eq!(received(7, "rex@example.com", "Rex \"the\" dog").unwrap().payload_as_written(), None);
        assert_eq!(received(7, "rex@example.com", "back\\slash").unwrap().payload_as_written(), None);
        assert_eq!(HiringEvent::ApplicationUpdated { application: ApplicationId::new(7) }.payload_as_written(), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// What the fast path writes is serde's text, byte for byte, whatever the candidate sent.
        #[test]
        fn a_received_payload_as_written_is_serdes_text(
            application in proptest::prop_oneof![0..10i64, 0..i64::MAX],
            local in proptest::string::string_regex("[a-z0-9.+\"\\\\]{1,8}").unwrap(),
            name in proptest::string::string_regex("[a-zA-Z0-9 .,'\"\\\\/\u{7f}\u{1}\tÄé😀-]{1,12}").unwrap(),
        ) {
            let Some(event) = received(application, &format!("{local}@example.com"), &name) else { return Ok(()) };
            let by_serde = serde_json::to_string(&event).unwrap();
            proptest::prop_assert_eq!(event.payload_as_written().unwrap_or_else(|| by_serde.clone()), by_serde);
        }
    }

    #[test]
    fn worker_hired_is_the_stored_name_of_a_hire() {
        let hire = HiringEvent::WorkerHired(HiredWorker {
            email: Email::parse("tom@example.com").unwrap(),
            name: Name::parse("Tom").unwrap(),
            zone: Zone::parse("north").unwrap(),
            skills: SkillSet::parse("cleaning:3").unwrap(),
            capacity: None,
            rating: None,
            age: None,
            breed: None,
            coat: None,
            photo: None,
            source: HireSource::Hiring,
        });
        assert_eq!(hire.type_name(), HiringEvent::WORKER_HIRED);
        assert_eq!(HiringEvent::TYPES.iter().filter(|t| **t == HiringEvent::WORKER_HIRED).count(), 1);
    }
}
