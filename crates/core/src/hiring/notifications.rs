//! The mail hiring's events cause: each pipeline step to the candidate, and one digest of an
//! intake to every active manager.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::events::HiringEvent;
use super::store::HiringTx;
use crate::authz::Role;
use crate::error::{Error, Result};
use crate::ids::ApplicationId;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, Template};
use crate::types::Email;

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
        if stored.type_name == HiringEvent::APPLICATION_RECEIVED {
            return acknowledgement(stored);
        }
        let Some(event) = stored.decode::<HiringEvent>()? else { return Ok(vec![]) };
        let template = match &event {
            HiringEvent::ApplicationReceived { .. } => return acknowledgement(stored),
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

/// The fields of an `application_received` event, read straight from its payload: the whole
/// [`HiringEvent`] is tagged by a field inside the object, which serde reads by buffering every
/// field first (decoding was 6.6% of a 100,000-row intake's instructions; BENCHMARKS.md, "Intake").
///
/// The texts are borrowed from the payload where they can be (no copy each), and only the
/// address is read as an [`Email`] again (the mail's recipient); the name, stored as crew wrote
/// it, goes into the mail as it is (shown inert there, as every value).
#[derive(Deserialize)]
struct Received<'a> {
    application: ApplicationId,
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
}

impl<'a> Received<'a> {
    /// The fields of a version-1 payload exactly as crew writes it (`{"type":
    /// "application_received","application":7,"email":"…","name":"…"}`, in that order), when
    /// its texts hold no escape: then each text is the payload's own bytes between its quotes (a
    /// JSON string holds a quote, a backslash or a control character only escaped, with a
    /// backslash). `None` for anything else, which serde reads (and words the error for). The
    /// two agree on what this takes (property test `a_payload_as_written_reads_as_serde_reads_it`);
    /// serde's general reading was a sixth of an intake's mail (BENCHMARKS.md, "Intake").
    fn as_written(payload: &'a str) -> Option<Received<'a>> {
        let rest = payload.strip_prefix(r#"{"type":"application_received","application":"#)?;
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, rest) = rest.split_at(digits);
        // JSON writes no leading zero (and serde reads none).
        if number.is_empty() || (number.len() > 1 && number.starts_with('0')) {
            return None;
        }
        let application = ApplicationId::new(number.parse().ok()?);
        let (email, rest) = rest.strip_prefix(r#","email":""#)?.split_once('"')?;
        let (name, rest) = rest.strip_prefix(r#","name":""#)?.split_once('"')?;
        if rest != "}" || email.contains('\\') || name.contains('\\') {
            return None;
        }
        Some(Received { application, email: Cow::Borrowed(email), name: Cow::Borrowed(name) })
    }
}

/// The acknowledgement of a new application. It needs nothing but what the event says: no read of
/// the application (most of an intake's time once went into reading each one back).
fn acknowledgement(stored: &RecordedEvent) -> Result<Vec<Notice>> {
    let Received { application, email, name } = match stored.version {
        1 if let Some(received) = Received::as_written(&stored.payload) => received,
        1 => serde_json::from_str::<Received>(&stored.payload).map_err(|e| {
            Error::internal(format!("event `{}` cannot be read: {e}", stored.type_name))
                .context(format!("event #{}", stored.seq))
        })?,
        // Another version: read as every reader of the log reads it (today: an error naming it).
        _ => match stored.decode::<HiringEvent>()? {
            Some(HiringEvent::ApplicationReceived { application, email, name }) => {
                Received { application, email: Cow::Owned(email.to_string()), name: Cow::Owned(name.to_string()) }
            }
            _ => return Err(Error::internal(format!("event #{} is not an application_received", stored.seq))),
        },
    };
    let email = Email::parse(&email).map_err(|e| {
        Error::internal(format!("event `{}` cannot be read: {}", stored.type_name, e.message))
            .context(format!("event #{}", stored.seq))
    })?;
    let vars = vec![
        ("name", name.into_owned()),
        // Not `to_string` (`core::fmt`): an intake writes 80,000-odd (BENCHMARKS.md, "The tenth round").
        ("application", itoa::Buffer::new().format(application.get()).to_string()),
        ("tests", "-".to_string()),
        ("score", String::new()),
        ("max_score", String::new()),
        ("reason", String::new()),
    ];
    // An acknowledgement is bulk mail: a flood of applications never delays mail about orders and
    // accounts.
    Ok(vec![Notice::new(&APPLICATION_RECEIVED, email, vars).bulk()])
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
    use crate::ids::{AccountId, EventSeq};
    use crate::kernel::events::{DomainEvent, NewEvent};
    use crate::types::Name;

    fn received(seq: i64, application: i64, email: &str, name: &str) -> RecordedEvent {
        let event = HiringEvent::ApplicationReceived {
            application: ApplicationId::new(application),
            email: Email::parse(email).unwrap(),
            name: Name::parse(name).unwrap(),
        };
        let new = NewEvent::encode(chrono::DateTime::UNIX_EPOCH, Some(AccountId::new(3)), &event).unwrap();
        RecordedEvent {
            seq: EventSeq::new(seq),
            at: new.at,
            recorded_at: None,
            actor: new.actor,
            type_name: new.type_name.to_string(),
            version: new.version,
            payload: new.payload,
        }
    }

    /// The acknowledgement as it was made before it was read straight from the payload: the
    /// whole event decoded.
    fn decoded_acknowledgement(stored: &RecordedEvent) -> Vec<Notice> {
        let Some(HiringEvent::ApplicationReceived { application, email, name }) = stored.decode().unwrap() else {
            panic!("not an application_received")
        };
        let vars = vec![
            ("name", name.to_string()),
            ("application", application.to_string()),
            ("tests", "-".to_string()),
            ("score", String::new()),
            ("max_score", String::new()),
            ("reason", String::new()),
        ];
        vec![Notice::new(&APPLICATION_RECEIVED, email, vars).bulk()]
    }

    #[test]
    fn application_received_is_the_stored_name_of_a_new_application() {
        let stored = received(1, 1, "rex@example.com", "Rex");
        assert_eq!(stored.type_name, HiringEvent::APPLICATION_RECEIVED);
        assert_eq!(HiringEvent::TYPES.iter().filter(|t| **t == HiringEvent::APPLICATION_RECEIVED).count(), 1);
    }

    #[test]
    fn an_acknowledgement_read_from_the_payload_is_the_one_the_decoded_event_gives() {
        for (email, name) in [
            ("rex@example.com", "Rex"),
            ("zoë@exämple.com", "Zoë \"the quick\" Ünïcode-Ñame"),
            ("a+b@example.com", "O'Brien\\Tab"),
        ] {
            let stored = received(41, 7, email, name);
            assert_eq!(acknowledgement(&stored).unwrap(), decoded_acknowledgement(&stored), "{email}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Whatever the texts (quotes, backslashes, controls, any Unicode) and the number, a
        /// payload in crew's order is read as written exactly when serde reads it the same.
        #[test]
        fn a_payload_as_written_reads_as_serde_reads_it(
            email in "(\\PC|[\"\\\\\u{0}-\u{1f}])*",
            name in "(\\PC|[\"\\\\\u{0}-\u{1f}])*",
            application in proptest::prop_oneof![0..10i64, 0..i64::MAX],
            ending in proptest::prop_oneof![proptest::strategy::Just("}"), proptest::strategy::Just(",\"x\":1}"), proptest::strategy::Just("} ")],
            zeros in proptest::prop_oneof![proptest::strategy::Just(""), proptest::strategy::Just("0"), proptest::strategy::Just("-")],
        ) {
            let payload = format!(
                r#"{{"type":"application_received","application":{zeros}{application},"email":{},"name":{}{ending}"#,
                serde_json::to_string(&email).unwrap(),
                serde_json::to_string(&name).unwrap()
            );
            let by_serde = serde_json::from_str::<Received>(&payload).ok().map(|r| (r.application, r.email.into_owned(), r.name.into_owned()));
            if let Some(r) = Received::as_written(&payload) {
                proptest::prop_assert_eq!(Some((r.application, r.email.into_owned(), r.name.into_owned())), by_serde, "{}", payload);
            }
        }
    }

    #[test]
    fn a_payload_crew_wrote_is_read_as_written() {
        for (application, email, name) in
            [(7, "rex@example.com", "Rex"), (0, "a@b.example", "Zero"), (82_814, "zoë@exämple.com", "Zoë Ünïcode-Ñame")]
        {
            let stored = received(41, application, email, name);
            let r = Received::as_written(&stored.payload).expect("crew's own payload, without escapes");
            assert_eq!((r.application.get(), r.email.as_ref(), r.name.as_ref()), (application, email, name));
        }
        // A name with a quote is escaped: serde reads that one.
        assert!(Received::as_written(&received(41, 7, "rex@example.com", "Rex \"the dog\"").payload).is_none());
    }

    #[test]
    fn an_acknowledgement_of_an_unknown_version_or_an_unreadable_payload_is_an_internal_error_naming_the_event() {
        let mut stored = received(41, 7, "rex@example.com", "Rex");
        stored.version = 2;
        let e = acknowledgement(&stored).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Internal);
        assert!(e.message.contains("event #41") && e.message.contains("unknown version 2"), "{e}");
        let mut stored = received(42, 7, "rex@example.com", "Rex");
        stored.payload =
            r#"{"type":"application_received","application":7,"email":"not an address","name":"Rex"}"#.into();
        let e = acknowledgement(&stored).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Internal);
        assert!(e.message.contains("event #42") && e.message.contains("cannot be read"), "{e}");
        stored.payload = r#"{"type":"application_received","application":7}"#.into();
        assert!(acknowledgement(&stored).unwrap_err().message.contains("event #42"));
    }

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
