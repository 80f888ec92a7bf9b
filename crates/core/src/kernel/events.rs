//! The event log: every state change is recorded as a domain event, in the same transaction as the
//! change, in one append-only log.
//!
//! Each context owns its events (an enum declared with [`domain_events!`]); the kernel knows them
//! only as a type name, a schema version, the subjects they are indexed by and a JSON payload. A
//! subscriber [`RecordedEvent::decode`]s the events of the contexts it listens to.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::ids::{AccountId, ApplicationId, EventSeq, OrderId};

/// What an event is about, kept in indexed columns beside it (for `crew events list --order`,
/// `crew hiring show`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subject {
    pub order: Option<OrderId>,
    pub application: Option<ApplicationId>,
}

/// The events of one context.
///
/// Implemented by [`domain_events!`] for the names and by the context for the rest. The stored
/// form is the enum serialised with `serde(tag = "type")`, so field sets are part of the format:
/// add fields with `#[serde(default)]`, or bump [`DomainEvent::version`] and teach
/// [`DomainEvent::upcast`].
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + std::fmt::Debug {
    /// Every type name this context's events are stored under (`order_created`, …).
    const TYPES: &'static [&'static str];

    /// This event's type name as stored and shown.
    fn type_name(&self) -> &'static str;

    /// The schema version of this event's type; stored beside it.
    fn version(&self) -> u32 {
        1
    }

    /// What the event is about, for the log's indexes.
    fn subject(&self) -> Subject {
        Subject::default()
    }

    /// A one-line description for people, naming accounts with `name`.
    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String;

    /// Reads a stored event of one of [`Self::TYPES`], upgrading older versions of its schema.
    fn upcast(type_name: &str, version: u32, payload: &str) -> Result<Self> {
        if version != 1 {
            return Err(Error::internal(format!("event `{type_name}` has unknown version {version}")));
        }
        serde_json::from_str(payload).map_err(|e| Error::internal(format!("event `{type_name}` cannot be read: {e}")))
    }
}

/// Declares a context's event enum: each variant with the type name it is stored under. Generates
/// the enum (serialised with `serde(tag = "type")`) and its [`DomainEvent::TYPES`] and
/// [`DomainEvent::type_name`]; the context implements the rest of [`DomainEvent`] through
/// [`EventDetails`].
///
/// ```text
/// domain_events! {
///     /// Ordering's events.
///     pub enum OrderingEvent {
///         /// A client placed an order.
///         OrderCreated { order: OrderId } = "order_created",
///     }
/// }
/// ```
#[macro_export]
macro_rules! domain_events {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident $body:tt = $type_name:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "type")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $type_name)] $variant $body ),*
        }

        impl $crate::kernel::events::DomainEvent for $name {
            const TYPES: &'static [&'static str] = &[$($type_name),*];

            fn type_name(&self) -> &'static str {
                match self {
                    $( $name::$variant { .. } => $type_name ),*
                }
            }

            fn version(&self) -> u32 {
                $crate::kernel::events::EventDetails::version(self)
            }

            fn subject(&self) -> $crate::kernel::events::Subject {
                $crate::kernel::events::EventDetails::subject(self)
            }

            fn summary(&self, name: &dyn Fn($crate::ids::AccountId) -> String) -> String {
                $crate::kernel::events::EventDetails::summary(self, name)
            }
        }
    };
}

/// What a context says about its events beyond their names (see [`domain_events!`]).
pub trait EventDetails {
    /// The schema version of this event's type.
    fn version(&self) -> u32 {
        1
    }
    /// What the event is about, for the log's indexes.
    fn subject(&self) -> Subject {
        Subject::default()
    }
    /// A one-line description for people, naming accounts with `name`.
    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String;
}

/// An event about to be appended: encoded, with its indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    /// Who caused it (a subscriber's reaction carries its cause's actor); `None` for crew itself.
    pub actor: Option<AccountId>,
    pub type_name: &'static str,
    pub version: u32,
    pub subject: Subject,
    /// The event as JSON (the enum serialised with its `type` tag).
    pub payload: String,
}

impl NewEvent {
    /// Encodes a context's event.
    pub fn encode<E: DomainEvent>(at: DateTime<Utc>, actor: Option<AccountId>, event: &E) -> Result<NewEvent> {
        NewEvent::encode_written(at, actor, event, None)
    }

    /// [`NewEvent::encode`] with the payload `written` by the event's context where it has a
    /// faster way to write the very text serde writes (for an event it records by the thousand,
    /// with a property test against serde's text); `None`: serde writes it.
    pub fn encode_written<E: DomainEvent>(
        at: DateTime<Utc>,
        actor: Option<AccountId>,
        event: &E,
        written: Option<String>,
    ) -> Result<NewEvent> {
        let payload = match written {
            Some(payload) => payload,
            None => serde_json::to_string(event).map_err(|e| Error::internal(format!("event encoding: {e}")))?,
        };
        Ok(NewEvent {
            at,
            actor,
            type_name: event.type_name(),
            version: event.version(),
            subject: event.subject(),
            payload,
        })
    }
}

/// An event as recorded: its position, when, by whom, and its encoded form.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub seq: EventSeq,
    /// The business time: the command's time (its `--now` where the database allows one).
    pub at: DateTime<Utc>,
    /// The real time the store appended it, never earlier than the event before's (`None` for
    /// events recorded before crew kept it).
    pub recorded_at: Option<DateTime<Utc>>,
    /// Who caused it (a subscriber's reaction carries its cause's actor); `None` for crew itself.
    pub actor: Option<AccountId>,
    pub type_name: String,
    pub version: u32,
    pub payload: String,
}

impl RecordedEvent {
    /// The event as `E` if it is one of `E`'s types, `None` if it belongs to another context.
    /// A stored event of `E`'s types that cannot be read is an internal error.
    pub fn decode<E: DomainEvent>(&self) -> Result<Option<E>> {
        if !E::TYPES.contains(&self.type_name.as_str()) {
            return Ok(None);
        }
        E::upcast(&self.type_name, self.version, &self.payload)
            .map(Some)
            .map_err(|e| e.context(format!("event #{}", self.seq)))
    }
}

/// Which events `crew events list` (and a context's history views) ask for. Every filter is
/// optional; results are oldest first. `since` includes events at that time; `after` excludes
/// the event at that position (like [`EventLog::events_after`]).
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub order: Option<OrderId>,
    pub application: Option<ApplicationId>,
    pub since: Option<DateTime<Utc>>,
    pub after: Option<EventSeq>,
    pub limit: Option<usize>,
}

/// The append-only event log and each subscriber's position in it.
///
/// Stores implement it with the log enforced by the database (no update, no delete).
pub trait EventLog {
    /// Appends an event and returns its position, greater than every earlier event's. Times are
    /// kept to the microsecond. The store stamps it with the real time (`recorded_at`), never
    /// earlier than the previous event's. An actor that does not exist is a conflict error.
    fn append_event(&mut self, event: &NewEvent) -> Result<EventSeq>;
    /// Appends events in the order given, as [`append_event`](Self::append_event) would one
    /// after another; returns their positions in the same order. One `recorded_at` may stamp
    /// them all (still never earlier than the event before's). An empty list appends nothing.
    /// For commands that record thousands of events at once (the intake); a store may keep the
    /// default, one append after another.
    fn append_events(&mut self, events: &[NewEvent]) -> Result<Vec<EventSeq>> {
        events.iter().map(|e| self.append_event(e)).collect()
    }
    /// Events with `seq > after`, oldest first, at most `limit` (an empty list at the end of the
    /// log).
    fn events_after(&mut self, after: EventSeq, limit: usize) -> Result<Vec<RecordedEvent>>;
    /// Every event with `seq > after` to the end of the log, oldest first, if the store holds them
    /// in memory already (the events this transaction appended, for a store that keeps them) and
    /// can hand them over whole: no read, no copy, however many (an intake's 100,000). `None`
    /// otherwise (then read them with [`events_after`](Self::events_after)); the default.
    fn take_kept_after(&mut self, after: EventSeq) -> Result<Option<Vec<RecordedEvent>>> {
        let _ = after;
        Ok(None)
    }
    /// Events matching every given filter, oldest first (an empty list when none match).
    fn find_events(&mut self, filter: &EventFilter) -> Result<Vec<RecordedEvent>>;
    /// The last event `subscriber` has handled (`EventSeq::START` for a subscriber never seen).
    fn subscriber_position(&mut self, subscriber: &str) -> Result<EventSeq>;
    /// Records `subscriber`'s position (creating it if new, replacing it otherwise).
    fn set_subscriber_position(&mut self, subscriber: &str, seq: EventSeq) -> Result<()>;
    /// The newest event's position (`EventSeq::START` for an empty log).
    fn last_event_seq(&mut self) -> Result<EventSeq>;
    /// The newest position of an event of one of these type names (`EventSeq::START` if none).
    fn last_event_of(&mut self, types: &[&str]) -> Result<EventSeq>;
}
