//! Hiring's tables on PostgreSQL: tests and their versions, test sets, applications, and the
//! tally of each hour's intake.

use chrono::{DateTime, Utc};
use crew_core::error::{Error, Result};
use crew_core::hiring::HiringStore;
use crew_core::hiring::pipeline::{Applicant, Application, ApplicationStatus, HiringTest, TestSet, TestSpec};
use crew_core::ids::{ApplicationId, TestId, TestSetId};
use crew_core::types::{Email, Name, SkillSet, Text, Zone};
use postgres::Row;

use crate::hiring::{StoredApplicant, candidate_json};

use super::row::{PgTx, col, from_json, get, int, json, narrow, opt_col};

fn test_row(row: &Row) -> Result<HiringTest> {
    Ok(HiringTest {
        id: TestId::new(get(row, 0)?),
        version: narrow(get(row, 1)?)?,
        deleted: get(row, 2)?,
        created_at: get(row, 3)?,
        spec: from_json::<TestSpec>(row, 4)?,
    })
}

fn set_row(row: &Row) -> Result<TestSet> {
    Ok(TestSet {
        id: TestSetId::new(get(row, 0)?),
        name: col(row, 1, Name::parse)?,
        description: col(row, 2, Text::parse)?,
        tests: from_json(row, 3)?,
        created_at: get(row, 4)?,
    })
}

/// A value of the stored candidate (column 2) that does not parse.
fn candidate(e: Error) -> Error {
    Error::internal(format!("stored candidate in column 2: {}", e.message))
}

const APPLICATION_COLUMNS: &str =
    "id, email, candidate, status, set_id, tests, score, max_score, passed, reason, created_at, updated_at";

fn application_row(row: &Row) -> Result<Application> {
    let s: StoredApplicant = from_json(row, 2)?;
    let applicant = Applicant {
        name: Name::parse(&s.name).map_err(candidate)?,
        email: col(row, 1, Email::parse)?,
        zone: Zone::parse(&s.zone).map_err(candidate)?,
        strengths: SkillSet::parse(&s.strengths).map_err(candidate)?,
        weaknesses: Text::parse(&s.weaknesses).map_err(candidate)?,
        age: s.age,
        breed: s.breed.map(std::borrow::Cow::into_owned),
        coat: s.coat.map(std::borrow::Cow::into_owned),
        photo: s.photo.map(std::borrow::Cow::into_owned),
        source: s.source.map(std::borrow::Cow::into_owned),
    };
    Ok(Application {
        id: ApplicationId::new(get(row, 0)?),
        applicant,
        status: col(row, 3, ApplicationStatus::parse)?,
        set: get::<Option<i64>>(row, 4)?.map(TestSetId::new),
        tests: from_json(row, 5)?,
        score: get::<Option<i64>>(row, 6)?.map(narrow).transpose()?,
        max_score: get::<Option<i64>>(row, 7)?.map(narrow).transpose()?,
        passed: get(row, 8)?,
        reason: opt_col(row, 9, Text::parse)?,
        created_at: get(row, 10)?,
        updated_at: get(row, 11)?,
    })
}

fn applications(rows: Vec<Row>) -> Result<Vec<Application>> {
    rows.iter().map(application_row).collect()
}

/// An hour's tally, `(received, updated)`, from two `bigint` columns.
fn tally(row: &Row) -> Result<(u64, u64)> {
    Ok((narrow(get(row, 0)?)?, narrow(get(row, 1)?)?))
}

const TEST_SELECT: &str = "SELECT t.id, v.version, t.deleted, t.created_at, v.spec
     FROM hiring_tests t JOIN hiring_test_versions v ON v.test_id = t.id";

impl HiringStore for PgTx<'_, '_> {
    fn insert_hiring_test(&mut self, spec: &TestSpec, at: DateTime<Utc>) -> Result<TestId> {
        let row = self.query_one(
            "INSERT INTO hiring_tests (version, deleted, created_at) VALUES (1, false, $1) RETURNING id",
            &[&at],
        )?;
        let id = TestId::new(get(&row, 0)?);
        self.insert_hiring_test_version(id, 1, spec, at)?;
        Ok(id)
    }

    fn insert_hiring_test_version(
        &mut self,
        test: TestId,
        version: u32,
        spec: &TestSpec,
        at: DateTime<Utc>,
    ) -> Result<()> {
        // A missing test breaks the foreign key, a stored version the primary key: both conflicts.
        let version = i64::from(version);
        self.execute(
            "INSERT INTO hiring_test_versions (test_id, version, spec, created_at) VALUES ($1, $2, $3, $4)",
            &[&test.get(), &version, &json(spec)?, &at],
        )?;
        self.execute("UPDATE hiring_tests SET version = $2 WHERE id = $1 AND version < $2", &[&test.get(), &version])?;
        Ok(())
    }

    fn hiring_test(&mut self, test: TestId, version: Option<u32>) -> Result<Option<HiringTest>> {
        let row = self.query_opt(
            &format!("{TEST_SELECT} WHERE t.id = $1 AND v.version = coalesce($2::bigint, t.version)"),
            &[&test.get(), &version.map(i64::from)],
        )?;
        row.as_ref().map(test_row).transpose()
    }

    fn hiring_tests(&mut self) -> Result<Vec<HiringTest>> {
        let rows = self.query(&format!("{TEST_SELECT} WHERE v.version = t.version ORDER BY t.id"), &[])?;
        rows.iter().map(test_row).collect()
    }

    fn delete_hiring_test(&mut self, test: TestId) -> Result<()> {
        self.execute("UPDATE hiring_tests SET deleted = true WHERE id = $1", &[&test.get()])?;
        Ok(())
    }

    fn applications_holding_test(&mut self, test: TestId) -> Result<u64> {
        // `tests` is the JSON list of [test, version] pairs; the pair's first element is compared
        // as a JSON number, as SQLite's `json_extract(value, '$[0]') = ?` compares an integer.
        let row = self.query_one(
            "SELECT count(*) FROM applications
             WHERE (status = 'tests_assigned' OR status = 'tests_submitted')
               AND EXISTS (SELECT 1 FROM jsonb_array_elements(applications.tests::jsonb) AS held (pair)
                           WHERE held.pair -> 0 = to_jsonb($1::bigint))",
            &[&test.get()],
        )?;
        narrow(get(&row, 0)?)
    }

    fn insert_test_set(
        &mut self,
        name: &Name,
        description: &Text,
        tests: &[TestId],
        at: DateTime<Utc>,
    ) -> Result<TestSetId> {
        let row = self.query_one(
            "INSERT INTO hiring_sets (name, description, tests, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&name.as_str(), &description.as_str(), &json(&tests)?, &at],
        )?;
        Ok(TestSetId::new(get(&row, 0)?))
    }

    fn update_test_set(&mut self, set: &TestSet) -> Result<()> {
        self.execute(
            "UPDATE hiring_sets SET name = $2, description = $3, tests = $4 WHERE id = $1",
            &[&set.id.get(), &set.name.as_str(), &set.description.as_str(), &json(&set.tests)?],
        )?;
        Ok(())
    }

    fn test_set(&mut self, set: TestSetId) -> Result<Option<TestSet>> {
        let row = self.query_opt(
            "SELECT id, name, description, tests, created_at FROM hiring_sets WHERE id = $1",
            &[&set.get()],
        )?;
        row.as_ref().map(set_row).transpose()
    }

    fn test_sets(&mut self) -> Result<Vec<TestSet>> {
        let rows = self.query("SELECT id, name, description, tests, created_at FROM hiring_sets ORDER BY id", &[])?;
        rows.iter().map(set_row).collect()
    }

    fn insert_application(&mut self, c: &Applicant, at: DateTime<Utc>) -> Result<ApplicationId> {
        let row = self.query_one(
            "INSERT INTO applications (email, candidate, status, tests, created_at, updated_at)
             VALUES ($1, $2, 'applied', '[]', $3, $3) RETURNING id",
            &[&c.email.as_str(), &candidate_json(c)?, &at],
        )?;
        Ok(ApplicationId::new(get(&row, 0)?))
    }

    fn insert_applications(&mut self, applicants: &[Applicant], at: DateTime<Utc>) -> Result<Vec<ApplicationId>> {
        // One after another: a taken email is refused by the unique index and the caller's
        // transaction rolls back, as the contract says.
        applicants.iter().map(|c| self.insert_application(c, at)).collect()
    }

    fn applications_by_emails(&mut self, emails: &[&Email]) -> Result<Vec<Application>> {
        if emails.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<&str> = emails.iter().map(|e| e.as_str()).collect();
        let rows =
            self.query(&format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE email = ANY($1)"), &[&list])?;
        rows.iter().map(application_row).collect()
    }

    fn update_application(&mut self, a: &Application) -> Result<()> {
        let candidate = candidate_json(&a.applicant)?;
        let tests = json(&a.tests)?;
        self.execute(
            "UPDATE applications SET candidate = $2, status = $3, set_id = $4, tests = $5, score = $6, max_score = $7,
                    passed = $8, reason = $9, updated_at = $10
             WHERE id = $1",
            &[
                &a.id.get(),
                &candidate,
                &a.status.as_str(),
                &a.set.map(TestSetId::get),
                &tests,
                &a.score.map(i64::from),
                &a.max_score.map(i64::from),
                &a.passed,
                &a.reason.as_ref().map(Text::as_str),
                &a.updated_at,
            ],
        )?;
        Ok(())
    }

    fn application(&mut self, id: ApplicationId) -> Result<Option<Application>> {
        let row =
            self.query_opt(&format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = $1"), &[&id.get()])?;
        row.as_ref().map(application_row).transpose()
    }

    fn application_by_email(&mut self, email: &Email) -> Result<Option<Application>> {
        let row = self.query_opt(
            &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE email = $1"),
            &[&email.as_str()],
        )?;
        row.as_ref().map(application_row).transpose()
    }

    fn applications(
        &mut self,
        status: Option<ApplicationStatus>,
        set: Option<TestSetId>,
        limit: Option<usize>,
    ) -> Result<Vec<Application>> {
        // No limit is `LIMIT NULL` (every row), as SQLite's `LIMIT -1`.
        let limit = limit.map(int).transpose()?;
        let rows = self.query(
            &format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications
                 WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR set_id = $2) ORDER BY id LIMIT $3"
            ),
            &[&status.map(ApplicationStatus::as_str), &set.map(TestSetId::get), &limit],
        )?;
        applications(rows)
    }

    fn add_to_intake_hour(&mut self, hour: DateTime<Utc>, received: u64, updated: u64) -> Result<(u64, u64)> {
        let (received, updated) = (
            i64::try_from(received).map_err(|_| Error::internal("an intake count beyond i64"))?,
            i64::try_from(updated).map_err(|_| Error::internal("an intake count beyond i64"))?,
        );
        // A sum beyond `bigint` is refused by the server (numeric value out of range): internal.
        let row = self.query_one(
            "INSERT INTO intake_hours AS h (hour, received, updated) VALUES ($1, $2, $3)
             ON CONFLICT (hour) DO UPDATE SET received = h.received + excluded.received,
                                              updated = h.updated + excluded.updated
             RETURNING received, updated",
            &[&hour, &received, &updated],
        )?;
        tally(&row)
    }

    fn intake_hour(&mut self, hour: DateTime<Utc>) -> Result<(u64, u64)> {
        let row = self.query_opt("SELECT received, updated FROM intake_hours WHERE hour = $1", &[&hour])?;
        Ok(match row {
            Some(row) => tally(&row)?,
            None => (0, 0),
        })
    }
}
