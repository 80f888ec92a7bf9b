//! Hiring's storage: tests and their versions, test sets, applications. Only hiring reads or
//! writes them; other contexts learn of hiring through its events.

use chrono::{DateTime, Utc};

use super::pipeline::{Applicant, Application, ApplicationStatus, HiringTest, TestSet, TestSpec};
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::{ApplicationId, TestId, TestSetId};
use crate::kernel::events::EventLog;
use crate::types::{Email, Name, Text};

/// Hiring's own tables.
pub trait HiringStore {
    /// A new test at version 1; returns its new id.
    fn insert_hiring_test(&mut self, spec: &TestSpec, at: DateTime<Utc>) -> Result<TestId>;
    /// Adds `version` of an existing test; it becomes the current one if it is newer than the
    /// current one. A version already stored is a conflict error; a missing test is a conflict
    /// error too (a reference to nothing).
    fn insert_hiring_test_version(
        &mut self,
        test: TestId,
        version: u32,
        spec: &TestSpec,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// A test at a version (`None`: its current one), deleted or not; `None` if the test or the
    /// version does not exist.
    fn hiring_test(&mut self, test: TestId, version: Option<u32>) -> Result<Option<HiringTest>>;
    /// Every test (deleted ones too) at its current version, by id ascending.
    fn hiring_tests(&mut self) -> Result<Vec<HiringTest>>;
    /// Marks a test deleted (its versions stay, for candidates who hold them). A missing test is
    /// left as it is.
    fn delete_hiring_test(&mut self, test: TestId) -> Result<()>;
    /// How many applications in progress (tests assigned or submitted) hold some version of the
    /// test; decided applications do not count.
    fn applications_holding_test(&mut self, test: TestId) -> Result<u64>;
    /// A new test set; returns its new id. A name already taken is a conflict error.
    fn insert_test_set(
        &mut self,
        name: &Name,
        description: &Text,
        tests: &[TestId],
        at: DateTime<Utc>,
    ) -> Result<TestSetId>;
    /// Saves a set's name, description and tests. A name taken by another set is a conflict
    /// error; an id with no set changes nothing. Test ids are not checked here (the pipeline
    /// checks them).
    fn update_test_set(&mut self, set: &TestSet) -> Result<()>;
    /// The set, `None` if there is none.
    fn test_set(&mut self, set: TestSetId) -> Result<Option<TestSet>>;
    /// Every set, by id ascending.
    fn test_sets(&mut self) -> Result<Vec<TestSet>>;
    /// A new application (status `applied`) at `at`; returns its new id. An email that already
    /// has an application is a conflict error.
    fn insert_application(&mut self, applicant: &Applicant, at: DateTime<Utc>) -> Result<ApplicationId>;
    /// New applications (status `applied`) at `at`, in the order given, as if each were inserted
    /// by [`insert_application`](Self::insert_application) in turn; returns their new ids in the
    /// same order, each greater than every earlier application's. An email that already has an
    /// application, or that is given twice, is a conflict error (the caller's transaction is then
    /// rolled back). An empty list stores nothing. For the intake: thousands of rows at once.
    fn insert_applications(&mut self, applicants: &[Applicant], at: DateTime<Utc>) -> Result<Vec<ApplicationId>>;
    /// Saves an existing application's details (all but the email, which never changes), status,
    /// tests, score, reason and update time; an id with no application changes nothing.
    fn update_application(&mut self, application: &Application) -> Result<()>;
    /// The application, `None` if there is none.
    fn application(&mut self, id: ApplicationId) -> Result<Option<Application>>;
    /// The application of this email (exact match), `None` if there is none.
    fn application_by_email(&mut self, email: &Email) -> Result<Option<Application>>;
    /// The applications of these emails (exact match), one per email that has one, in no
    /// particular order; emails without one are left out, an email given twice counts once. One
    /// read for a whole intake rather than one per row.
    fn applications_by_emails(&mut self, emails: &[&Email]) -> Result<Vec<Application>>;
    /// Applications with `status` (any if `None`) that were given the tests of `set` (any if
    /// `None`), by id ascending, at most `limit`.
    fn applications(
        &mut self,
        status: Option<ApplicationStatus>,
        set: Option<TestSetId>,
        limit: Option<usize>,
    ) -> Result<Vec<Application>>;
    /// Adds an intake's counts to the tally of the hour that starts at `hour` (zero at first);
    /// the hour's totals after it, `(received, updated)`. Counts that would overflow are an
    /// internal error.
    fn add_to_intake_hour(&mut self, hour: DateTime<Utc>, received: u64, updated: u64) -> Result<(u64, u64)>;
    /// The tally of the hour that starts at `hour`, `(0, 0)` if nothing arrived in it.
    fn intake_hour(&mut self, hour: DateTime<Utc>) -> Result<(u64, u64)>;
}

/// The transaction hiring's commands and subscribers run in: its own tables, the event log, and
/// IAM's accounts (an accepted candidate must not already have one).
pub trait HiringTx: EventLog + HiringStore + IamRead {}
impl<T: EventLog + HiringStore + IamRead + ?Sized> HiringTx for T {}
