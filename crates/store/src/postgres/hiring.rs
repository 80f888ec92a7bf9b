//! Scaffolding: hiring's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::error::{Error, Result};
use crew_core::hiring::HiringStore;
use crew_core::hiring::pipeline::{Applicant, Application, ApplicationStatus, HiringTest, TestSet, TestSpec};
use crew_core::ids::{ApplicationId, TestId, TestSetId};
use crew_core::types::{Email, Name, SkillSet, Text, Zone};

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl HiringStore for PgTx<'_, '_> {
    fn insert_hiring_test(&mut self, spec: &TestSpec, at: DateTime<Utc>) -> Result<TestId> {
        todo!("PostgreSQL: HiringStore::insert_hiring_test")
    }

    fn insert_hiring_test_version(
        &mut self,
        test: TestId,
        version: u32,
        spec: &TestSpec,
        at: DateTime<Utc>,
    ) -> Result<()> {
        todo!("PostgreSQL: HiringStore::insert_hiring_test_version")
    }

    fn hiring_test(&mut self, test: TestId, version: Option<u32>) -> Result<Option<HiringTest>> {
        todo!("PostgreSQL: HiringStore::hiring_test")
    }

    fn hiring_tests(&mut self) -> Result<Vec<HiringTest>> {
        todo!("PostgreSQL: HiringStore::hiring_tests")
    }

    fn delete_hiring_test(&mut self, test: TestId) -> Result<()> {
        todo!("PostgreSQL: HiringStore::delete_hiring_test")
    }

    fn applications_holding_test(&mut self, test: TestId) -> Result<u64> {
        todo!("PostgreSQL: HiringStore::applications_holding_test")
    }

    fn insert_test_set(
        &mut self,
        name: &Name,
        description: &Text,
        tests: &[TestId],
        at: DateTime<Utc>,
    ) -> Result<TestSetId> {
        todo!("PostgreSQL: HiringStore::insert_test_set")
    }

    fn update_test_set(&mut self, set: &TestSet) -> Result<()> {
        todo!("PostgreSQL: HiringStore::update_test_set")
    }

    fn test_set(&mut self, set: TestSetId) -> Result<Option<TestSet>> {
        todo!("PostgreSQL: HiringStore::test_set")
    }

    fn test_sets(&mut self) -> Result<Vec<TestSet>> {
        todo!("PostgreSQL: HiringStore::test_sets")
    }

    fn insert_application(&mut self, c: &Applicant, at: DateTime<Utc>) -> Result<ApplicationId> {
        todo!("PostgreSQL: HiringStore::insert_application")
    }

    fn update_application(&mut self, a: &Application) -> Result<()> {
        todo!("PostgreSQL: HiringStore::update_application")
    }

    fn application(&mut self, id: ApplicationId) -> Result<Option<Application>> {
        todo!("PostgreSQL: HiringStore::application")
    }

    fn application_by_email(&mut self, email: &Email) -> Result<Option<Application>> {
        todo!("PostgreSQL: HiringStore::application_by_email")
    }

    fn applications(
        &mut self,
        status: Option<ApplicationStatus>,
        set: Option<TestSetId>,
        limit: Option<usize>,
    ) -> Result<Vec<Application>> {
        todo!("PostgreSQL: HiringStore::applications")
    }

    fn add_to_intake_hour(&mut self, hour: DateTime<Utc>, received: u64, updated: u64) -> Result<(u64, u64)> {
        todo!("PostgreSQL: HiringStore::add_to_intake_hour")
    }

    fn intake_hour(&mut self, hour: DateTime<Utc>) -> Result<(u64, u64)> {
        todo!("PostgreSQL: HiringStore::intake_hour")
    }
}
