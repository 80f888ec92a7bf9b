//! The storage traits every context works through. `crew-store` implements them over SQLite; a
//! server database would implement the same traits.
//!
//! A [`Tx`] is one transaction: everything a command does through it commits together or not at
//! all. Each context owns its own trait's tables; other contexts only call its query functions.

use chrono::{DateTime, Utc};

use crate::authz::Role;
use crate::error::Result;
use crate::events::{Event, EventFilter, StoredEvent};
use crate::hiring::pipeline::{Application, ApplicationStatus, Candidate, HiringTest, TestSet, TestSpec};
use crate::iam::{Account, ClientProfile, NewAccount, Session};
use crate::ids::{AccountId, EventSeq, OrderId, ServiceTypeId};
use crate::mail::{Mail, MailStatus, NewMail};
use crate::matching::{MatchOrder, WorkerFilter, WorkerProfile};
use crate::ordering::{NewOrder, NewServiceType, Order, OrderFilter, ServiceType};
use crate::types::{Email, Login, Name, ServiceCode, Text};

/// The append-only event log and each subscriber's position in it.
pub trait EventLog {
    fn append_event(&mut self, at: DateTime<Utc>, actor: Option<AccountId>, event: &Event) -> Result<EventSeq>;
    /// Events with `seq > after`, oldest first, at most `limit`.
    fn events_after(&mut self, after: EventSeq, limit: usize) -> Result<Vec<StoredEvent>>;
    fn find_events(&mut self, filter: &EventFilter) -> Result<Vec<StoredEvent>>;
    /// The last event `subscriber` has handled (`EventSeq::START` if none).
    fn subscriber_position(&mut self, subscriber: &str) -> Result<EventSeq>;
    fn set_subscriber_position(&mut self, subscriber: &str, seq: EventSeq) -> Result<()>;
    /// The newest event's position (`EventSeq::START` for an empty log).
    fn last_event_seq(&mut self) -> Result<EventSeq>;
    /// The newest position of an event of one of these types (`EventSeq::START` if none).
    fn last_event_of(&mut self, types: &[&str]) -> Result<EventSeq>;
}

/// IAM's tables: accounts, sessions and tokens, client details.
pub trait IamStore {
    fn count_accounts(&mut self) -> Result<u64>;
    fn count_active_accounts(&mut self, role: Role) -> Result<u64>;
    fn insert_account(&mut self, account: &NewAccount) -> Result<AccountId>;
    fn update_account(&mut self, account: &Account) -> Result<()>;
    fn account(&mut self, id: AccountId) -> Result<Option<Account>>;
    fn account_by_login(&mut self, login: &Login) -> Result<Option<Account>>;
    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>>;
    fn accounts(&mut self, role: Option<Role>) -> Result<Vec<Account>>;
    fn insert_session(&mut self, session: &Session) -> Result<()>;
    fn session(&mut self, token_hash: &str) -> Result<Option<Session>>;
    fn delete_session(&mut self, token_hash: &str) -> Result<bool>;
    /// Ends every session and revokes every token of the account; returns how many.
    fn delete_sessions_of(&mut self, account: AccountId) -> Result<u64>;
    fn client_profile(&mut self, account: AccountId) -> Result<Option<ClientProfile>>;
    fn upsert_client_profile(&mut self, profile: &ClientProfile) -> Result<()>;
}

/// Ordering's tables: service types and orders.
pub trait OrderingStore {
    fn insert_service_type(&mut self, service_type: &NewServiceType) -> Result<ServiceTypeId>;
    fn update_service_type(&mut self, service_type: &ServiceType) -> Result<()>;
    fn service_type(&mut self, code: &ServiceCode) -> Result<Option<ServiceType>>;
    fn service_types(&mut self) -> Result<Vec<ServiceType>>;
    fn insert_order(&mut self, order: &NewOrder) -> Result<OrderId>;
    fn update_order(&mut self, order: &Order) -> Result<()>;
    fn order(&mut self, id: OrderId) -> Result<Option<Order>>;
    fn orders(&mut self, filter: &OrderFilter) -> Result<Vec<Order>>;
}

/// Matching's tables: worker profiles, its view of orders, past outcomes.
pub trait MatchingStore {
    fn insert_worker_profile(&mut self, profile: &WorkerProfile) -> Result<()>;
    /// Saves zone, skills, capacity, rating and status (load and outcomes are derived).
    fn update_worker_profile(&mut self, profile: &WorkerProfile) -> Result<()>;
    fn worker_profile(&mut self, worker: AccountId) -> Result<Option<WorkerProfile>>;
    fn worker_profiles(&mut self, filter: &WorkerFilter) -> Result<Vec<WorkerProfile>>;
    fn upsert_match_order(&mut self, order: &MatchOrder) -> Result<()>;
    fn match_order(&mut self, order: OrderId) -> Result<Option<MatchOrder>>;
    fn open_match_orders(&mut self) -> Result<Vec<MatchOrder>>;
    /// Counts one finished order of `worker` for `client`.
    fn record_outcome(&mut self, worker: AccountId, client: AccountId, completed: bool) -> Result<()>;
    /// Every (worker, client, completed, failed).
    fn outcomes(&mut self) -> Result<Vec<(AccountId, AccountId, u32, u32)>>;
}

/// Mail's table: the outbox.
pub trait MailStore {
    /// Queues a mail; a mail with the same cause already queued means nothing is added.
    fn insert_mail(&mut self, mail: &NewMail) -> Result<bool>;
    fn update_mail(&mut self, mail: &Mail) -> Result<()>;
    fn mail(&mut self, id: i64) -> Result<Option<Mail>>;
    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Mail>>;
    /// Queued mails whose next attempt is due at `now`, oldest first.
    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Mail>>;
}

/// Hiring's tables: tests and their versions, test sets, applications.
pub trait HiringStore {
    /// A new test at version 1; returns its id.
    fn insert_hiring_test(&mut self, spec: &TestSpec, at: DateTime<Utc>) -> Result<i64>;
    fn insert_hiring_test_version(&mut self, test: i64, version: u32, spec: &TestSpec, at: DateTime<Utc>)
    -> Result<()>;
    /// A test at a version (`None`: its current one).
    fn hiring_test(&mut self, test: i64, version: Option<u32>) -> Result<Option<HiringTest>>;
    fn hiring_tests(&mut self) -> Result<Vec<HiringTest>>;
    fn delete_hiring_test(&mut self, test: i64) -> Result<()>;
    fn applications_holding_test(&mut self, test: i64) -> Result<u64>;
    fn insert_test_set(&mut self, name: &Name, description: &Text, tests: &[i64], at: DateTime<Utc>) -> Result<i64>;
    fn update_test_set(&mut self, set: &TestSet) -> Result<()>;
    fn test_set(&mut self, set: i64) -> Result<Option<TestSet>>;
    fn test_sets(&mut self) -> Result<Vec<TestSet>>;
    fn insert_application(&mut self, candidate: &Candidate, at: DateTime<Utc>) -> Result<i64>;
    fn update_application(&mut self, application: &Application) -> Result<()>;
    fn application(&mut self, id: i64) -> Result<Option<Application>>;
    fn application_by_email(&mut self, email: &Email) -> Result<Option<Application>>;
    fn applications(
        &mut self,
        status: Option<ApplicationStatus>,
        set: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<Application>>;
    fn application_events(&mut self, application: i64) -> Result<Vec<StoredEvent>>;
}

/// IAM's one-time activation secrets (hashes only).
pub trait ActivationStore {
    /// Sets (or replaces) the hash of the account's current activation secret.
    fn set_activation(&mut self, account: AccountId, secret_hash: &str, at: DateTime<Utc>) -> Result<()>;
    /// The hash and when it was issued, if the account has an unused one.
    fn activation(&mut self, account: AccountId) -> Result<Option<(String, DateTime<Utc>)>>;
    fn use_activation(&mut self, account: AccountId, at: DateTime<Utc>) -> Result<()>;
}

/// One transaction over every context's tables.
pub trait Tx: EventLog + IamStore + OrderingStore + MatchingStore + MailStore + HiringStore + ActivationStore {}
impl<T: EventLog + IamStore + OrderingStore + MatchingStore + MailStore + HiringStore + ActivationStore> Tx for T {}

/// A database that runs transactions.
pub trait Store {
    /// Runs `f` in a write transaction (taken up front, so concurrent writers queue instead of
    /// failing); commits if `f` returns `Ok`, rolls back otherwise.
    fn write<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R>;
    /// Runs `f` in a read transaction: a consistent snapshot; writes are not expected.
    fn read<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R>;
    /// Runs `f` in a write transaction and always rolls it back: what a change would do
    /// (`--dry-run`), without doing it.
    fn rehearse<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<R>) -> Result<R>;
}
