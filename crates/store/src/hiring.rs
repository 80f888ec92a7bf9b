//! Hiring's tables: tests and their versions, test sets, applications.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use crew_core::error::{Error, Result};
use crew_core::hiring::HiringStore;
use crew_core::hiring::pipeline::{Applicant, Application, ApplicationStatus, HiringTest, TestSet, TestSpec};
use crew_core::ids::{ApplicationId, TestId, TestSetId};
use crew_core::types::{Email, Name, SkillSet, Text, Zone};
use rusqlite::{OptionalExtension, Row, params};

use crate::batch;
use crate::row::{SqliteTx, bad, col, from_json, internal, json, opt_col, time, to_sql, ts};

fn test_row(row: &Row<'_>) -> rusqlite::Result<HiringTest> {
    Ok(HiringTest {
        id: TestId::new(row.get(0)?),
        version: row.get(1)?,
        deleted: row.get(2)?,
        created_at: col(row, 3, time)?,
        spec: from_json::<TestSpec>(row, 4)?,
    })
}

fn set_row(row: &Row<'_>) -> rusqlite::Result<TestSet> {
    Ok(TestSet {
        id: TestSetId::new(row.get(0)?),
        name: col(row, 1, Name::parse)?,
        description: col(row, 2, Text::parse)?,
        tests: from_json(row, 3)?,
        created_at: col(row, 4, time)?,
    })
}

/// What of a candidate is stored as JSON (all but the email, which is a column). What is empty
/// or missing is left out (read back as empty or missing): an intake stores tens of thousands.
/// The PostgreSQL store stores the same JSON.
/// Borrowed from the applicant when written (an intake writes tens of thousands: a copy of each
/// text was a few percent of it), owned when read.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredApplicant<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) zone: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub(crate) strengths: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub(crate) weaknesses: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) breed: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) coat: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) photo: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<Cow<'a, str>>,
}

pub(crate) fn stored(c: &Applicant) -> StoredApplicant<'_> {
    StoredApplicant {
        name: Cow::Borrowed(c.name.as_str()),
        zone: Cow::Borrowed(c.zone.as_str()),
        strengths: Cow::Owned(c.strengths.to_string()),
        weaknesses: Cow::Borrowed(c.weaknesses.as_str()),
        age: c.age,
        breed: c.breed.as_deref().map(Cow::Borrowed),
        coat: c.coat.as_deref().map(Cow::Borrowed),
        photo: c.photo.as_deref().map(Cow::Borrowed),
        source: c.source.as_deref().map(Cow::Borrowed),
    }
}

/// The candidate's column: `json(&stored(c))`, the same text ([`StoredApplicant`]'s fields in
/// order, the empty and missing ones left out), written straight into one string when no text
/// needs escaping (no `"`, `\\` or control character: JSON writes every other character as it
/// is) and by serde otherwise. Through serde, with the strengths formatted first, an intake's
/// candidates were 6% of its writing thread's instructions (BENCHMARKS.md, "The tenth round").
/// Property test `a_candidate_as_written_is_serdes_text`.
pub(crate) fn candidate_json(c: &Applicant) -> Result<String> {
    match candidate_as_written(c) {
        Some(text) => Ok(text),
        None => json(&stored(c)),
    }
}

fn candidate_as_written(c: &Applicant) -> Option<String> {
    fn plain(text: &str) -> bool {
        !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
    }
    fn field(out: &mut String, key: &str, text: &str) -> Option<()> {
        plain(text).then(|| {
            out.push_str(",\"");
            out.push_str(key);
            out.push_str("\":\"");
            out.push_str(text);
            out.push('"');
        })
    }
    let mut out = String::with_capacity(128);
    out.push_str("{\"name\":\"");
    plain(c.name.as_str()).then(|| out.push_str(c.name.as_str()))?;
    out.push('"');
    field(&mut out, "zone", c.zone.as_str())?;
    if !c.strengths.is_empty() {
        out.push_str(",\"strengths\":\"");
        for (i, (skill, level)) in c.strengths.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            plain(skill.as_str()).then(|| out.push_str(skill.as_str()))?;
            out.push(':');
            // A level is one digit (1 to 5), as `SkillSet`'s text writes it.
            out.push(char::from(b'0' + level.get()));
        }
        out.push('"');
    }
    if !c.weaknesses.as_str().is_empty() {
        field(&mut out, "weaknesses", c.weaknesses.as_str())?;
    }
    if let Some(age) = c.age {
        out.push_str(",\"age\":");
        out.push_str(itoa::Buffer::new().format(age));
    }
    for (key, text) in [("breed", &c.breed), ("coat", &c.coat), ("photo", &c.photo), ("source", &c.source)] {
        if let Some(text) = text {
            field(&mut out, key, text)?;
        }
    }
    out.push('}');
    Some(out)
}

/// How many applications hold tests and among them the test `?1`. Its condition is the one of
/// the partial index `applications_holding_tests` (migration 0023), word for word, so that SQLite
/// reads that index (test `the_intakes_dropped_indexes_leave_every_query_its_plan`).
pub(crate) const APPLICATIONS_HOLDING_TEST: &str = "SELECT count(*) FROM applications
     WHERE (status = 'tests_assigned' OR status = 'tests_submitted')
       AND EXISTS (SELECT 1 FROM json_each(applications.tests) WHERE json_extract(value, '$[0]') = ?1)";

const APPLICATION_COLUMNS: &str =
    "id, email, candidate, status, set_id, tests, score, max_score, passed, reason, created_at, updated_at";

fn application_row(row: &Row<'_>) -> rusqlite::Result<Application> {
    let s: StoredApplicant = from_json(row, 2)?;
    let applicant = Applicant {
        name: Name::parse(&s.name).map_err(|e| bad(2, e))?,
        email: col(row, 1, Email::parse)?,
        zone: Zone::parse(&s.zone).map_err(|e| bad(2, e))?,
        strengths: SkillSet::parse(&s.strengths).map_err(|e| bad(2, e))?,
        weaknesses: Text::parse(&s.weaknesses).map_err(|e| bad(2, e))?,
        age: s.age,
        breed: s.breed.map(Cow::into_owned),
        coat: s.coat.map(Cow::into_owned),
        photo: s.photo.map(Cow::into_owned),
        source: s.source.map(Cow::into_owned),
    };
    Ok(Application {
        id: ApplicationId::new(row.get(0)?),
        applicant,
        status: col(row, 3, ApplicationStatus::parse)?,
        set: row.get::<_, Option<i64>>(4)?.map(TestSetId::new),
        tests: from_json(row, 5)?,
        score: row.get(6)?,
        max_score: row.get(7)?,
        passed: row.get(8)?,
        reason: opt_col(row, 9, Text::parse)?,
        created_at: col(row, 10, time)?,
        updated_at: col(row, 11, time)?,
    })
}

const TEST_SELECT: &str = "SELECT t.id, v.version, t.deleted, t.created_at, v.spec
     FROM hiring_tests t JOIN hiring_test_versions v ON v.test_id = t.id";

/// How many emails `applications_by_emails` looks up with one statement.
const LOOKUP_CHUNK: usize = 1000;

impl HiringStore for SqliteTx<'_> {
    fn insert_hiring_test(&mut self, spec: &TestSpec, at: DateTime<Utc>) -> Result<TestId> {
        self.conn
            .execute("INSERT INTO hiring_tests (version, deleted, created_at) VALUES (1, 0, ?1)", [ts(at)])
            .map_err(internal)?;
        let id = TestId::new(self.conn.last_insert_rowid());
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
        self.conn
            .execute(
                "INSERT INTO hiring_test_versions (test_id, version, spec, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![test.get(), version, json(spec)?, ts(at)],
            )
            .map_err(internal)?;
        self.conn
            .execute(
                "UPDATE hiring_tests SET version = ?2 WHERE id = ?1 AND version < ?2",
                params![test.get(), version],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn hiring_test(&mut self, test: TestId, version: Option<u32>) -> Result<Option<HiringTest>> {
        self.conn
            .prepare_cached(&format!("{TEST_SELECT} WHERE t.id = ?1 AND v.version = coalesce(?2, t.version)"))
            .and_then(|mut s| s.query_row(params![test.get(), version], test_row).optional())
            .map_err(internal)
    }

    fn hiring_tests(&mut self) -> Result<Vec<HiringTest>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{TEST_SELECT} WHERE v.version = t.version ORDER BY t.id"))
            .map_err(internal)?;
        let rows = stmt.query_map([], test_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn delete_hiring_test(&mut self, test: TestId) -> Result<()> {
        self.conn.execute("UPDATE hiring_tests SET deleted = 1 WHERE id = ?1", [test.get()]).map_err(internal)?;
        Ok(())
    }

    fn applications_holding_test(&mut self, test: TestId) -> Result<u64> {
        let n: i64 = self.conn.query_row(APPLICATIONS_HOLDING_TEST, [test.get()], |r| r.get(0)).map_err(internal)?;
        Ok(n as u64)
    }

    fn insert_test_set(
        &mut self,
        name: &Name,
        description: &Text,
        tests: &[TestId],
        at: DateTime<Utc>,
    ) -> Result<TestSetId> {
        self.conn
            .execute(
                "INSERT INTO hiring_sets (name, description, tests, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name.as_str(), description.as_str(), json(&tests)?, ts(at)],
            )
            .map_err(internal)?;
        Ok(TestSetId::new(self.conn.last_insert_rowid()))
    }

    fn update_test_set(&mut self, set: &TestSet) -> Result<()> {
        self.conn
            .execute(
                "UPDATE hiring_sets SET name = ?2, description = ?3, tests = ?4 WHERE id = ?1",
                params![set.id.get(), set.name.as_str(), set.description.as_str(), json(&set.tests)?],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn test_set(&mut self, set: TestSetId) -> Result<Option<TestSet>> {
        self.conn
            .prepare_cached("SELECT id, name, description, tests, created_at FROM hiring_sets WHERE id = ?1")
            .and_then(|mut s| s.query_row([set.get()], set_row).optional())
            .map_err(internal)
    }

    fn test_sets(&mut self) -> Result<Vec<TestSet>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, description, tests, created_at FROM hiring_sets ORDER BY id")
            .map_err(internal)?;
        let rows = stmt.query_map([], set_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn insert_application(&mut self, c: &Applicant, at: DateTime<Utc>) -> Result<ApplicationId> {
        self.conn
            .prepare_cached(
                "INSERT INTO applications (email, candidate, status, tests, created_at, updated_at)
                 VALUES (?1, ?2, 'applied', '[]', ?3, ?3)",
            )
            .and_then(|mut s| s.execute(params![c.email.as_str(), candidate_json(c).map_err(to_sql)?, ts(at)]))
            .map_err(internal)?;
        Ok(ApplicationId::new(self.conn.last_insert_rowid()))
    }

    fn insert_applications(&mut self, applicants: &[Applicant], at: DateTime<Utc>) -> Result<Vec<ApplicationId>> {
        if applicants.is_empty() {
            return Ok(Vec::new());
        }
        // The ids SQLite gives the rows (each the largest so far + 1, [`batch::expect_rowids`]),
        // known here so that a multi-row statement knows each row's.
        let first: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM applications")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(internal)?;
        let at = ts(at);
        let insert = batch::Insert {
            head: "INSERT INTO applications (email, candidate, status, tests, created_at, updated_at) VALUES ",
            row: "(#, #, 'applied', '[]', ?1, ?1)",
            tail: "",
            shared: &[&at],
        };
        let stored = insert
            .run(self.conn, &mut self.statements, applicants, |row, c| {
                row.text(0, c.email.as_str())?;
                row.text_owned(1, candidate_json(c).map_err(to_sql)?)
            })
            .map_err(internal)?;
        let ids = batch::expect_rowids(self.conn, first, stored, applicants.len(), "applications")?;
        Ok(ids.map(ApplicationId::new).collect())
    }

    fn update_application(&mut self, a: &Application) -> Result<()> {
        let candidate = candidate_json(&a.applicant)?;
        let tests = json(&a.tests)?;
        self.conn
            .prepare_cached(
                "UPDATE applications SET candidate = ?2, status = ?3, set_id = ?4, tests = ?5, score = ?6, max_score = ?7,
                        passed = ?8, reason = ?9, updated_at = ?10
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.id.get(),
                    candidate,
                    a.status.as_str(),
                    a.set.map(TestSetId::get),
                    tests,
                    a.score,
                    a.max_score,
                    a.passed,
                    a.reason.as_ref().map(Text::as_str),
                    ts(a.updated_at)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn application(&mut self, id: ApplicationId) -> Result<Option<Application>> {
        self.conn
            .prepare_cached(&format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], application_row).optional())
            .map_err(internal)
    }

    fn application_by_email(&mut self, email: &Email) -> Result<Option<Application>> {
        self.conn
            .prepare_cached(&format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE email = ?1"))
            .and_then(|mut s| s.query_row([email.as_str()], application_row).optional())
            .map_err(internal)
    }

    fn applications_by_emails(&mut self, emails: &[&Email]) -> Result<Vec<Application>> {
        if emails.is_empty() {
            return Ok(Vec::new());
        }
        // No application yet (a first intake): nothing to look up.
        let any: bool =
            self.conn.query_row("SELECT EXISTS (SELECT 1 FROM applications)", [], |r| r.get(0)).map_err(internal)?;
        if !any {
            return Ok(Vec::new());
        }
        // Each email once, in order: sorting here costs less than SQLite's DISTINCT (a temporary
        // b-tree of the whole list), and the probes below then walk the index in order.
        let mut list: Vec<&str> = emails.iter().map(|e| e.as_str()).collect();
        list.sort_unstable();
        list.dedup();
        // The list drives the join (CROSS JOIN keeps it outside): one probe of the unique index
        // per email, however many applications the table holds. A thousand emails at a time, in
        // one buffer: a 100,000-email list as one JSON text was megabytes of fresh memory, which
        // cost more than the probes (BENCHMARKS.md, "Intake").
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM json_each(?1) AS given CROSS JOIN applications AS a ON a.email = given.value",
                APPLICATION_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ")
            ))
            .map_err(internal)?;
        let mut found = Vec::new();
        let mut text = Vec::new();
        for part in list.chunks(LOOKUP_CHUNK) {
            text.clear();
            serde_json::to_writer(&mut text, part).map_err(|e| Error::internal(format!("encoding emails: {e}")))?;
            let text = std::str::from_utf8(&text).map_err(|e| Error::internal(format!("encoding emails: {e}")))?;
            let rows = stmt.query_map([text], application_row).map_err(internal)?;
            for row in rows {
                found.push(row.map_err(internal)?);
            }
        }
        Ok(found)
    }

    fn applications(
        &mut self,
        status: Option<ApplicationStatus>,
        set: Option<TestSetId>,
        limit: Option<usize>,
    ) -> Result<Vec<Application>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications
                 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR set_id = ?2) ORDER BY id LIMIT ?3"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(
                params![status.map(ApplicationStatus::as_str), set.map(TestSetId::get), limit.map_or(-1, |l| l as i64)],
                application_row,
            )
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn add_to_intake_hour(&mut self, hour: DateTime<Utc>, received: u64, updated: u64) -> Result<(u64, u64)> {
        let (received, updated) = (
            i64::try_from(received).map_err(|_| Error::internal("an intake count beyond i64"))?,
            i64::try_from(updated).map_err(|_| Error::internal("an intake count beyond i64"))?,
        );
        self.conn
            .prepare_cached(
                "INSERT INTO intake_hours (hour, received, updated) VALUES (?1, ?2, ?3)
                 ON CONFLICT (hour) DO UPDATE SET received = received + excluded.received,
                                                  updated = updated + excluded.updated
                 RETURNING received, updated",
            )
            .and_then(|mut s| {
                s.query_row(params![ts(hour), received, updated], |r| {
                    Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
                })
            })
            .map_err(internal)
    }

    fn intake_hour(&mut self, hour: DateTime<Utc>) -> Result<(u64, u64)> {
        self.conn
            .prepare_cached("SELECT received, updated FROM intake_hours WHERE hour = ?1")
            .and_then(|mut s| {
                s.query_row([ts(hour)], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))).optional()
            })
            .map(|o| o.unwrap_or((0, 0)))
            .map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts of the kinds a candidate sends: plain, with a quote, a backslash, a control
    /// character, a line break, non-ASCII, or nothing.
    fn texts() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[a-zA-Z0-9 .,'\"\\\\/\u{7f}\u{1}\u{1f}\n\tÄé😀-]{0,12}").unwrap()
    }

    fn applicant(
        name: &str,
        zone: &str,
        skills: &str,
        weaknesses: &str,
        age: Option<u32>,
        extra: [Option<String>; 4],
    ) -> Option<Applicant> {
        let [breed, coat, photo, source] = extra;
        Some(Applicant {
            name: Name::parse(name).ok()?,
            email: Email::parse("rex@example.com").ok()?,
            zone: Zone::parse(zone).ok()?,
            strengths: SkillSet::parse(skills).ok()?,
            weaknesses: Text::parse(weaknesses).ok()?,
            age,
            breed,
            coat,
            photo,
            source,
        })
    }

    #[test]
    fn a_plain_candidate_is_written_without_serde_and_one_to_escape_with_it() {
        let plain =
            applicant("Rex", "north", "gardening:2;cleaning:3", "", Some(4), [None, None, None, Some("web".into())])
                .unwrap();
        assert_eq!(
            candidate_as_written(&plain).as_deref(),
            Some(r#"{"name":"Rex","zone":"north","strengths":"cleaning:3;gardening:2","age":4,"source":"web"}"#)
        );
        let quoted = applicant("Rex \"the\" dog", "north", "", "", None, [None, None, None, None]).unwrap();
        assert_eq!(candidate_as_written(&quoted), None);
        assert_eq!(candidate_json(&quoted).unwrap(), r#"{"name":"Rex \"the\" dog","zone":"north"}"#);
        let photo = applicant("Rex", "north", "", "", None, [None, None, Some("a\\b".into()), None]).unwrap();
        assert_eq!(candidate_as_written(&photo), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// What the fast path writes is serde's text, byte for byte, whatever the candidate sent.
        #[test]
        fn a_candidate_as_written_is_serdes_text(
            name in texts(),
            zone in prop::sample::select(vec!["north", "z15", "south-2"]),
            skills in prop::sample::select(vec!["", "cleaning:3", "gardening:1;cleaning:5", "a_b:2"]),
            weaknesses in texts(),
            age in prop::option::of(0u32..200),
            extra in prop::array::uniform4(prop::option::of(texts())),
        ) {
            let Some(c) = applicant(&name, zone, skills, &weaknesses, age, extra) else { return Ok(()) };
            prop_assert_eq!(candidate_json(&c).unwrap(), json(&stored(&c)).unwrap());
        }
    }
}
