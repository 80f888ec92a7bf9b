//! The hiring pipeline: tests and test sets, applications from a public intake, scoring,
//! ranking, and accepting the best (`applied → tests_assigned → tests_submitted → accepted |
//! rejected`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::events::{HireSource, HiredWorker, HiringEvent};
use super::short_text;
use super::store::HiringTx;
use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::ids::{ApplicationId, TestId, TestSetId};
use crate::imports::{Field, Progress, RawRecord, bounded};
use crate::kernel::command::{CatchUp, Ctx, record};
use crate::kernel::events::{EventFilter, NewEvent, RecordedEvent};
use crate::types::{Email, Name, SkillLevel, SkillSet, Text, Zone, is_steering, refuse_formula};

// ---------------------------------------------------------------- tests and sets

/// One question of a test: options, the correct one (1-based), its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub text: String,
    pub options: Vec<String>,
    pub correct: usize,
    pub points: u32,
}

/// A test as written in its TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    pub name: String,
    /// Points needed to pass.
    pub pass_mark: u32,
    #[serde(rename = "question")]
    pub questions: Vec<Question>,
}

impl TestSpec {
    /// Checks the test makes sense, naming the question at fault.
    pub fn validate(&self) -> Result<()> {
        Name::parse(&self.name).map_err(|e| e.context("name"))?;
        if self.questions.is_empty() {
            return Err(Error::bad_input("a test needs at least one [[question]]"));
        }
        if self.questions.len() > 500 {
            return Err(Error::bad_input("a test has at most 500 questions"));
        }
        for (i, q) in self.questions.iter().enumerate() {
            let at = |m: String| Error::bad_input(format!("question {}: {m}", i + 1));
            if q.text.trim().is_empty() {
                return Err(at("`text` is empty".into()));
            }
            if q.options.len() < 2 {
                return Err(at("needs at least two `options`".into()));
            }
            if q.correct == 0 || q.correct > q.options.len() {
                return Err(at(format!("`correct` must be an option's number, 1 to {}", q.options.len())));
            }
            if q.points == 0 || q.points > 1000 {
                return Err(at("`points` must be from 1 to 1000".into()));
            }
        }
        if self.pass_mark > self.max_points() {
            return Err(Error::bad_input(format!(
                "pass_mark {} is more than the test's {} points",
                self.pass_mark,
                self.max_points()
            )));
        }
        Ok(())
    }

    pub fn max_points(&self) -> u32 {
        self.questions.iter().map(|q| q.points).sum()
    }
}

/// A test; every edit makes a new version, and candidates keep the version they were given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HiringTest {
    pub id: TestId,
    pub version: u32,
    pub spec: TestSpec,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
}

/// Tests grouped for a vacancy or a candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestSet {
    pub id: TestSetId,
    pub name: Name,
    pub description: Text,
    pub tests: Vec<TestId>,
    pub created_at: DateTime<Utc>,
}

fn find_test(tx: &mut (impl HiringTx + ?Sized), id: TestId) -> Result<HiringTest> {
    match tx.hiring_test(id, None)? {
        Some(t) if !t.deleted => Ok(t),
        _ => Err(Error::not_found(format!("no test #{id}"))),
    }
}

/// `crew hiring test create`.
pub fn create_test(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, spec: TestSpec) -> Result<HiringTest> {
    require(&ctx.actor, Action::ManageHiring)?;
    spec.validate()?;
    let id = tx.insert_hiring_test(&spec, ctx.now)?;
    record(tx, ctx, HiringEvent::HiringTestCreated { test: id, version: 1, name: spec.name.clone() })?;
    find_test(tx, id)
}

/// `crew hiring test edit`: a new version; candidates who hold an older one keep it.
pub fn edit_test(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, id: TestId, spec: TestSpec) -> Result<HiringTest> {
    require(&ctx.actor, Action::ManageHiring)?;
    spec.validate()?;
    let current = find_test(tx, id)?;
    if current.spec == spec {
        return Err(Error::bad_input(format!("test #{id} already reads exactly like that")));
    }
    let version = current.version + 1;
    tx.insert_hiring_test_version(id, version, &spec, ctx.now)?;
    record(tx, ctx, HiringEvent::HiringTestEdited { test: id, version })?;
    find_test(tx, id)
}

/// `crew hiring test show` (a version, or the current one).
pub fn show_test(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, id: TestId, version: Option<u32>) -> Result<HiringTest> {
    require(&ctx.actor, Action::ManageHiring)?;
    let Some(t) = tx.hiring_test(id, version)? else {
        // Say which is missing: the test, or only the version asked for.
        return Err(match (version, tx.hiring_test(id, None)?) {
            (Some(v), Some(current)) => {
                Error::not_found(format!("test #{id} has no version {v} (its versions are 1 to {})", current.version))
            }
            _ => Error::not_found(format!("no test #{id}")),
        });
    };
    if t.deleted && version.is_none() {
        return Err(Error::not_found(format!("no test #{id} (deleted)")));
    }
    Ok(t)
}

/// `crew hiring test list`.
pub fn list_tests(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx) -> Result<Vec<HiringTest>> {
    require(&ctx.actor, Action::ManageHiring)?;
    Ok(tx.hiring_tests()?.into_iter().filter(|t| !t.deleted).collect())
}

/// `crew hiring test delete`: refused while a set lists it or a candidate holds it.
pub fn delete_test(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, id: TestId) -> Result<HiringTest> {
    require(&ctx.actor, Action::ManageHiring)?;
    let mut t = find_test(tx, id)?;
    if let Some(set) = tx.test_sets()?.into_iter().find(|s| s.tests.contains(&id)) {
        return Err(Error::conflict(format!("test #{id} is in use: set #{} ({}) lists it", set.id, set.name)));
    }
    let holders = tx.applications_holding_test(id)?;
    if holders > 0 {
        return Err(Error::conflict(format!("test #{id} is in use: {holders} candidate(s) hold it")));
    }
    tx.delete_hiring_test(id)?;
    t.deleted = true;
    record(tx, ctx, HiringEvent::HiringTestDeleted { test: id })?;
    Ok(t)
}

fn checked_tests(tx: &mut (impl HiringTx + ?Sized), tests: &[TestId]) -> Result<()> {
    if tests.is_empty() {
        return Err(Error::bad_input("a set needs at least one test (--tests 1,2)"));
    }
    if tests.len() > 100 {
        return Err(Error::bad_input("a set has at most 100 tests"));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = tests.iter().find(|t| !seen.insert(**t)) {
        return Err(Error::bad_input(format!("test #{dup} is listed twice")));
    }
    for &t in tests {
        find_test(tx, t)?;
    }
    Ok(())
}

/// `crew hiring set create`.
pub fn create_set(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    name: Name,
    description: Text,
    tests: Vec<TestId>,
) -> Result<TestSet> {
    require(&ctx.actor, Action::ManageHiring)?;
    checked_tests(tx, &tests)?;
    if tx.test_sets()?.iter().any(|s| s.name == name) {
        return Err(Error::conflict(format!("a set named `{name}` exists")));
    }
    let id = tx.insert_test_set(&name, &description, &tests, ctx.now)?;
    record(tx, ctx, HiringEvent::TestSetSaved { set: id, name: name.clone(), tests: tests.clone() })?;
    find_set(tx, id)
}

fn find_set(tx: &mut (impl HiringTx + ?Sized), id: TestSetId) -> Result<TestSet> {
    tx.test_set(id)?.ok_or_else(|| Error::not_found(format!("no test set #{id}")))
}

/// `crew hiring set edit`: candidates already assigned keep what they were given.
pub fn edit_set(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    id: TestSetId,
    name: Option<Name>,
    tests: Option<Vec<TestId>>,
) -> Result<TestSet> {
    require(&ctx.actor, Action::ManageHiring)?;
    let mut set = find_set(tx, id)?;
    if let Some(name) = &name
        && tx.test_sets()?.iter().any(|s| &s.name == name && s.id != id)
    {
        return Err(Error::conflict(format!("a set named `{name}` exists")));
    }
    if let Some(tests) = tests {
        checked_tests(tx, &tests)?;
        set.tests = tests;
    }
    if let Some(name) = name {
        set.name = name;
    }
    tx.update_test_set(&set)?;
    record(tx, ctx, HiringEvent::TestSetSaved { set: id, name: set.name.clone(), tests: set.tests.clone() })?;
    Ok(set)
}

/// `crew hiring set list`.
pub fn list_sets(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx) -> Result<Vec<TestSet>> {
    require(&ctx.actor, Action::ManageHiring)?;
    tx.test_sets()
}

// ---------------------------------------------------------------- applications

/// Where an application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Applied,
    TestsAssigned,
    TestsSubmitted,
    Accepted,
    Rejected,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 5] = [
        ApplicationStatus::Applied,
        ApplicationStatus::TestsAssigned,
        ApplicationStatus::TestsSubmitted,
        ApplicationStatus::Accepted,
        ApplicationStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Applied => "applied",
            ApplicationStatus::TestsAssigned => "tests_assigned",
            ApplicationStatus::TestsSubmitted => "tests_submitted",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or_else(|| {
            Error::bad_input(format!(
                "`{raw}` is not an application status: use applied, tests_assigned, tests_submitted, accepted or rejected"
            ))
        })
    }
}

/// What a candidate sent: the applicant's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applicant {
    pub name: Name,
    pub email: Email,
    pub zone: Zone,
    /// Claimed strengths as skills; a level not given is 3.
    pub strengths: SkillSet,
    pub weaknesses: Text,
    pub age: Option<u32>,
    pub breed: Option<String>,
    pub coat: Option<String>,
    pub photo: Option<String>,
    pub source: Option<String>,
}

/// An application and where it is in the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Application {
    pub id: ApplicationId,
    #[serde(flatten)]
    pub applicant: Applicant,
    pub status: ApplicationStatus,
    pub set: Option<TestSetId>,
    /// The tests (id, version) the candidate holds.
    pub tests: Vec<(TestId, u32)>,
    pub score: Option<u32>,
    pub max_score: Option<u32>,
    pub passed: Option<bool>,
    pub reason: Option<Text>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `cleaning:4;gardening` → skills, a missing level being 3.
pub fn parse_strengths(raw: &str) -> Result<SkillSet> {
    let set = SkillSet::parse_parts(raw.split([';', ',']), Some(SkillLevel::new(3)?))?;
    if set.is_empty() {
        return Err(Error::bad_input("name at least one strength (a skill, e.g. `cleaning` or `cleaning:4`)"));
    }
    Ok(set)
}

/// A name from the public intake: a [`Name`] that a spreadsheet would not take for a formula and
/// that holds no bidirectional overrides (which can make a name read as another).
fn intake_name(raw: &str) -> Result<Name> {
    refuse_formula(raw)?;
    if raw.chars().any(is_steering) {
        return Err(Error::bad_input("a name must not contain control or bidirectional-override characters"));
    }
    Name::parse(raw)
}

impl Applicant {
    pub const REQUIRED: &'static [&'static str] = &["name", "email", "zone", "strengths"];
    pub const OPTIONAL: &'static [&'static str] = &["age", "breed", "coat", "photo", "weaknesses", "source"];
    /// The fields that are whole numbers (a JSON file may give them as numbers).
    pub const NUMERIC: &'static [&'static str] = &["age"];

    pub fn parse(record: &RawRecord) -> Result<Self> {
        let f = Field::new(record);
        Ok(Applicant {
            name: f.required("name", intake_name)?,
            email: f.required("email", email_field)?,
            zone: f.required("zone", Zone::parse)?,
            strengths: f.required("strengths", parse_strengths)?,
            weaknesses: f.optional("weaknesses", Text::parse)?.unwrap_or_default(),
            age: f.optional("age", |s| bounded(s, 0, 200))?.map(|n| n as u32),
            breed: f.optional("breed", short_text)?,
            coat: f.optional("coat", short_text)?,
            photo: f.optional("photo", short_text)?,
            source: f.optional("source", short_text)?,
        })
    }
}

/// How an intake reads its `email` field, trimmed and not empty (both [`Applicant::parse`] and
/// the first pass over a file's emails, [`intake_email`]): an address, not a spreadsheet formula.
fn email_field(raw: &str) -> Result<Email> {
    refuse_formula(raw)?;
    Email::parse(raw)
}

/// The email of an intake row's `email` field as the file gives it (untrimmed), read exactly as
/// [`Applicant::parse`] reads it; `None` when it is empty or not an address. For the first pass
/// over a large file's emails ([`LastRows`]).
pub fn intake_email(field: &str) -> Option<Email> {
    match field.trim() {
        "" => None,
        raw => email_field(raw).ok(),
    }
}

/// Where each email of an intake file appears last, from a first pass over the file's emails
/// alone (a tenth of the work of parsing its rows), so that its rows can be taken while the rest
/// of the file is still being parsed ([`import_streamed`]). A row is known by where its record
/// starts in the file (a byte offset, or any number that grows from row to row).
#[derive(Debug, Default)]
pub struct LastRows {
    /// Each email's last row, and whether an earlier row has the email too.
    last: HashMap<Email, (u64, bool)>,
    /// The rows a later row of their email follows (not in order).
    superseded: Vec<u64>,
    /// How many rows were noted, with an email or not.
    rows: u64,
}

impl LastRows {
    /// Room for `rows` rows' emails (a map grown as it fills is hashed over again each time).
    pub fn with_capacity(rows: usize) -> LastRows {
        LastRows { last: HashMap::with_capacity(rows), ..LastRows::default() }
    }

    /// Notes the row at `at` (after every row noted before it) and its email, if it has one.
    pub fn note(&mut self, at: u64, email: Option<Email>) {
        self.rows += 1;
        if let Some(email) = email {
            match self.last.entry(email) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let (earlier, _) = std::mem::replace(e.get_mut(), (at, true));
                    self.superseded.push(earlier);
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((at, false));
                }
            }
        }
    }

    /// How many rows were noted.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Adds the rows noted in `later`, all of which come after this one's (a first pass run in
    /// pieces, joined in the file's order): as if they had been noted here one by one.
    pub fn append(&mut self, later: LastRows) {
        self.rows += later.rows;
        self.superseded.extend(later.superseded);
        self.last.reserve(later.last.len());
        for (email, (at, repeated)) in later.last {
            match self.last.entry(email) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let (earlier, _) = std::mem::replace(e.get_mut(), (at, true));
                    self.superseded.push(earlier);
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((at, repeated));
                }
            }
        }
    }
}

/// One row an intake could not take.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub location: String,
    pub reason: String,
}

/// How many refused rows an intake's report names, the first ones in the file's order; the rest
/// are counted only ([`IntakeReport::invalid_rows`]). A hostile file of millions of short bad rows
/// must not hold a reason for each: 2,000,000 rows of `x` (a 4 MB file) took 330 MB to report.
pub const REFUSED_NAMED: usize = 10_000;

/// What an intake did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntakeReport {
    pub received: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// How many rows were refused, named or not.
    pub invalid_rows: u64,
    /// The first [`REFUSED_NAMED`] refused rows, where each is and why, in the file's order.
    pub invalid: Vec<Rejected>,
}

impl IntakeReport {
    /// Counts a refused row, and names it while fewer than [`REFUSED_NAMED`] are named (rows
    /// come in the file's order: the first ones are named).
    pub fn refuse(&mut self, row: Rejected) {
        self.invalid_rows += 1;
        if self.invalid.len() < REFUSED_NAMED {
            self.invalid.push(row);
        }
    }
}

/// Takes one candidate: a new email is a new application; a known one updates it (never a
/// duplicate).
fn take(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, c: Applicant, report: &mut IntakeReport) -> Result<()> {
    match tx.application_by_email(&c.email)? {
        None => receive(tx, ctx, &mut vec![c], report),
        Some(a) => revise(tx, ctx, a, c, report),
    }
}

/// New applications, each with its `application_received` event, stored a batch at a time
/// (an intake's thousands in a few statements); `new` is emptied.
fn receive(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    new: &mut Vec<Applicant>,
    report: &mut IntakeReport,
) -> Result<()> {
    if new.is_empty() {
        return Ok(());
    }
    let ids = tx.insert_applications(new, ctx.now)?;
    let events = ids
        .iter()
        .zip(new.drain(..))
        .map(|(id, c)| {
            let event = HiringEvent::ApplicationReceived { application: *id, email: c.email, name: c.name };
            NewEvent::encode_written(ctx.now, Some(ctx.actor.id), &event, event.payload_as_written())
        })
        .collect::<Result<Vec<_>>>()?;
    tx.append_events(&events)?;
    report.received += ids.len() as u64;
    Ok(())
}

/// A known email sent again: its application takes the new details, unless tests were given.
fn revise(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    mut a: Application,
    c: Applicant,
    report: &mut IntakeReport,
) -> Result<()> {
    // Once tests are assigned the application is what they were given on: a re-send does not
    // rewrite it (it counts as unchanged).
    if a.status != ApplicationStatus::Applied || a.applicant == c {
        report.unchanged += 1;
        return Ok(());
    }
    a.applicant = c;
    a.updated_at = ctx.now;
    tx.update_application(&a)?;
    record(tx, ctx, HiringEvent::ApplicationUpdated { application: a.id })?;
    report.updated += 1;
    Ok(())
}

/// How many rows an intake takes before it stores the new ones and lets the subscribers catch up.
const RECEIVE_BATCH: usize = 1000;

/// The start of the hour (UTC) an intake at `at` is tallied in: managers get one digest per hour.
pub fn intake_hour(at: DateTime<Utc>) -> DateTime<Utc> {
    let into = i64::from(at.minute()) * 60 + i64::from(at.second());
    at - chrono::Duration::seconds(into) - chrono::Duration::nanoseconds(i64::from(at.nanosecond()))
}

/// `crew hiring apply`.
pub fn take_application(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, c: Applicant) -> Result<Application> {
    require(&ctx.actor, Action::TakeApplications)?;
    let email = c.email.clone();
    let mut report = IntakeReport::default();
    take(tx, ctx, c, &mut report)?;
    if report.received > 0 {
        tx.add_to_intake_hour(intake_hour(ctx.now), 1, 0)?;
        record(tx, ctx, HiringEvent::ApplicationsArrived { received: 1, updated: 0 })?;
    }
    tx.application_by_email(&email)?.ok_or_else(|| Error::internal("the application vanished"))
}

/// An intake's record, parsed: the applicant, or where the record is and why it was refused.
pub type Parsed = std::result::Result<Applicant, (String, Error)>;

/// Parses an intake's records, each on its own: pure, so the records of one file can be parsed in
/// pieces on several threads while nothing else runs, and the pieces joined in the file's order
/// ([`import_parsed`] then takes them as [`import`] takes the records).
pub fn parse_applicants(records: &[RawRecord]) -> Vec<Parsed> {
    records.iter().map(|r| Applicant::parse(r).map_err(|e| (r.location.clone(), e))).collect()
}

/// [`parse_applicants`] of one record, taken as it is read (the record is not kept).
pub fn parse_applicant(record: RawRecord) -> Parsed {
    Applicant::parse(&record).map_err(|e| (record.location, e))
}

/// `crew hiring import`: the public intake. Valid rows are taken and invalid ones reported (line,
/// field, reason), unless `strict`, when one bad row refuses the whole file. A repeated email
/// updates its application (the last row wins); re-importing a file changes nothing.
pub fn import(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    records: &[RawRecord],
    strict: bool,
    progress: &mut dyn Progress,
) -> Result<IntakeReport> {
    import_parsed(tx, ctx, vec![parse_applicants(records)], strict, progress, &mut ())
}

/// [`import`] of records already parsed by [`parse_applicants`], in pieces (each piece's records
/// in order, the pieces in the file's order: they are not joined into one list first, 20 MB
/// copied for a 100,000-row file): the same checks in the same order (the caller's permission
/// first, then, if `strict`, the first refused record), the same report and the same rows,
/// events and mail. The subscribers catch up (`catch_up`) after every 1,000 rows taken.
pub fn import_parsed<T: HiringTx + ?Sized>(
    tx: &mut T,
    ctx: &Ctx,
    pieces: Vec<Vec<Parsed>>,
    strict: bool,
    progress: &mut dyn Progress,
    catch_up: &mut dyn CatchUp<T>,
) -> Result<IntakeReport> {
    require(&ctx.actor, Action::TakeApplications)?;
    if strict && let Some(Err((location, e))) = pieces.iter().flatten().find(|p| p.is_err()) {
        return Err(e.clone().context(location));
    }
    // Every row is parsed already: the last row of each email is its last valid one.
    let mut last = LastRows::with_capacity(pieces.iter().map(Vec::len).sum());
    for (at, p) in pieces.iter().flatten().enumerate() {
        last.note(at as u64, p.as_ref().ok().map(|c| c.email.clone()));
    }
    let rows = pieces.into_iter().flatten().enumerate().map(|(at, p)| Ok((at as u64, p)));
    take_rows(tx, ctx, &last, rows, progress, catch_up)
}

/// A row of an intake as [`import_streamed`] takes it: where it is ([`LastRows`]'s numbering)
/// and the row parsed, or where it is in the file and why it was refused.
pub type StreamedRow = (u64, Parsed);

/// [`import`] of rows given while they are still being parsed (a large CSV file, read on another
/// thread), in the file's order, after a first pass over the file's emails (`last`). A stream
/// that fails (its reader stopped) fails the import: nothing is kept.
///
/// The report, the applications and their content are those of [`import`]: each email's last
/// valid row is taken, and earlier rows count as unchanged. A valid row that a later row of the
/// same email (by the first pass) would supersede waits for it; if that later row turns out
/// invalid, the waiting row is taken at the later row's place in the file (where [`import`],
/// which parses the whole file first, takes it at its own): application ids and events follow
/// that order. The subscribers catch up (`catch_up`) after every 1,000 rows taken.
pub fn import_streamed<T: HiringTx + ?Sized>(
    tx: &mut T,
    ctx: &Ctx,
    last: LastRows,
    rows: impl Iterator<Item = Result<StreamedRow>>,
    progress: &mut dyn Progress,
    catch_up: &mut dyn CatchUp<T>,
) -> Result<IntakeReport> {
    require(&ctx.actor, Action::TakeApplications)?;
    take_rows(tx, ctx, &last, rows, progress, catch_up)
}

/// Takes an intake's rows in order: each email's last row (by `last`) as it comes; a valid row
/// that a later one of its email may supersede waits for it (replaced: unchanged; the later row
/// refused: taken there). After every [`RECEIVE_BATCH`] rows taken, what is pending is stored
/// and the subscribers catch up: an intake's events are handled as it goes, never all held.
fn take_rows<T: HiringTx + ?Sized>(
    tx: &mut T,
    ctx: &Ctx,
    last: &LastRows,
    rows: impl Iterator<Item = Result<StreamedRow>>,
    progress: &mut dyn Progress,
    catch_up: &mut dyn CatchUp<T>,
) -> Result<IntakeReport> {
    let mut report = IntakeReport::default();
    // Every email's application read at once, not one read per row.
    let emails: Vec<&Email> = last.last.keys().collect();
    let mut known: HashMap<Email, Application> =
        tx.applications_by_emails(&emails)?.into_iter().map(|a| (a.applicant.email.clone(), a)).collect();
    drop(emails);
    // The rows come in order: where each is among the superseded rows and the releases (the last
    // row of an email that appears more than once) is read off two sorted lists, not hashed.
    let mut superseded = last.superseded.clone();
    superseded.sort_unstable();
    let mut superseded = superseded.into_iter().peekable();
    let mut releases: Vec<(u64, &Email)> =
        last.last.iter().filter(|(_, (_, repeated))| *repeated).map(|(email, (at, _))| (*at, email)).collect();
    releases.sort_unstable();
    let mut releases = releases.into_iter().peekable();
    // Valid rows a later row of their email may supersede, with where they are.
    let mut waiting: HashMap<Email, (u64, Applicant)> = HashMap::new();
    let mut new = Vec::new();
    let mut taking = Taking { known: &mut known, new: &mut new, report: &mut report, taken: 0 };
    for row in rows {
        let (at, parsed) = row?;
        while superseded.next_if(|s| *s < at).is_some() {}
        while releases.next_if(|(r, _)| *r < at).is_some() {}
        let waits = superseded.next_if_eq(&at).is_some();
        let released = releases.next_if(|(r, _)| *r == at).map(|(_, email)| email);
        match parsed {
            Ok(c) if waits => {
                if waiting.insert(c.email.clone(), (at, c)).is_some() {
                    taking.report.unchanged += 1;
                }
            }
            Ok(c) => {
                if released.is_some() && waiting.remove(&c.email).is_some() {
                    taking.report.unchanged += 1;
                }
                taking.take(tx, ctx, c, catch_up)?;
            }
            Err((location, e)) => {
                taking.report.refuse(Rejected { location, reason: e.message });
                if let Some((_, c)) = released.and_then(|email| waiting.remove(email)) {
                    taking.take(tx, ctx, c, catch_up)?;
                }
            }
        }
        progress.advance(1);
    }
    // Rows still waiting: none, when `last` was noted from these very rows (a row left here would
    // be taken twice, which the store refuses: the import fails and keeps nothing).
    let mut left: Vec<(u64, Applicant)> = waiting.into_values().collect();
    left.sort_by_key(|(at, _)| *at);
    for (_, c) in left {
        taking.take(tx, ctx, c, catch_up)?;
    }
    receive(tx, ctx, &mut new, &mut report)?;
    if report.received + report.updated > 0 {
        tx.add_to_intake_hour(intake_hour(ctx.now), report.received, report.updated)?;
        record(tx, ctx, HiringEvent::ApplicationsArrived { received: report.received, updated: report.updated })?;
    }
    Ok(report)
}

/// What an intake is taking its rows into: the known applications (each revised once at most),
/// the new ones not stored yet, the report, how many rows were taken.
struct Taking<'a> {
    known: &'a mut HashMap<Email, Application>,
    new: &'a mut Vec<Applicant>,
    report: &'a mut IntakeReport,
    taken: usize,
}

impl Taking<'_> {
    /// Takes the row an email ends with: a known email revises its application (the new ones
    /// before it stored first, so that the events keep the rows' order); a new one is stored
    /// with the next batch. Every [`RECEIVE_BATCH`] rows taken (new or known), the new ones are
    /// stored and the subscribers catch up with the events so far.
    fn take<T: HiringTx + ?Sized>(
        &mut self,
        tx: &mut T,
        ctx: &Ctx,
        c: Applicant,
        catch_up: &mut dyn CatchUp<T>,
    ) -> Result<()> {
        // A fresh intake knows none of its emails: no lookup for each row then.
        if let Some(a) = (!self.known.is_empty()).then(|| self.known.remove(&c.email)).flatten() {
            receive(tx, ctx, self.new, self.report)?;
            revise(tx, ctx, a, c, self.report)?;
        } else {
            self.new.push(c);
        }
        self.taken += 1;
        if self.taken.is_multiple_of(RECEIVE_BATCH) {
            receive(tx, ctx, self.new, self.report)?;
            catch_up.catch_up(tx)?;
        }
        Ok(())
    }
}

fn find(tx: &mut (impl HiringTx + ?Sized), id: ApplicationId) -> Result<Application> {
    tx.application(id)?.ok_or_else(|| Error::not_found(format!("no application #{id}")))
}

fn expect_status(a: &Application, allowed: &[ApplicationStatus], verb: &str) -> Result<()> {
    if allowed.contains(&a.status) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    Err(Error::conflict(format!(
        "application #{} is {}; it cannot be {verb} (only one that is {} can)",
        a.id,
        a.status.as_str(),
        names.join(" or ")
    )))
}

/// `crew hiring assign`: the candidate gets the set's tests at their current versions.
pub fn assign_tests(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    id: ApplicationId,
    set: TestSetId,
) -> Result<Application> {
    require(&ctx.actor, Action::ManageHiring)?;
    let mut a = find(tx, id)?;
    expect_status(&a, &[ApplicationStatus::Applied, ApplicationStatus::TestsAssigned], "assigned tests")?;
    let s = find_set(tx, set)?;
    let mut tests = Vec::new();
    for t in &s.tests {
        let t = find_test(tx, *t)?;
        tests.push((t.id, t.version));
    }
    a.status = ApplicationStatus::TestsAssigned;
    a.set = Some(set);
    a.tests = tests.clone();
    a.updated_at = ctx.now;
    tx.update_application(&a)?;
    record(tx, ctx, HiringEvent::TestsAssigned { application: id, set, tests })?;
    Ok(a)
}

/// A candidate's answers: per test, the chosen option (1-based) of each question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerSheet {
    #[serde(rename = "test")]
    pub tests: Vec<TestAnswers>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestAnswers {
    pub id: TestId,
    pub answers: Vec<usize>,
}

/// A candidate's result over the tests they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Points of the correct answers.
    pub points: u32,
    /// Points of every question of the tests held.
    pub max_points: u32,
    /// Whether every test's pass mark was reached.
    pub passed: bool,
}

/// The score of answers against the tests held.
pub fn score(tests: &[HiringTest], sheet: &AnswerSheet) -> Result<Score> {
    let mut total = 0;
    let mut max = 0;
    let mut passed = true;
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = sheet.tests.iter().find(|a| !seen.insert(a.id)) {
        return Err(Error::bad_input(format!("test #{} is answered twice", dup.id)));
    }
    for t in tests {
        let answers = sheet
            .tests
            .iter()
            .find(|a| a.id == t.id)
            .ok_or_else(|| Error::bad_input(format!("no answers for test #{} ({})", t.id, t.spec.name)))?;
        if answers.answers.len() != t.spec.questions.len() {
            return Err(Error::bad_input(format!(
                "test #{}: {} answers for {} questions",
                t.id,
                answers.answers.len(),
                t.spec.questions.len()
            )));
        }
        let mut points = 0;
        for (i, (q, a)) in t.spec.questions.iter().zip(&answers.answers).enumerate() {
            if *a == 0 || *a > q.options.len() {
                return Err(Error::bad_input(format!("test #{} question {}: no option {a}", t.id, i + 1)));
            }
            if *a == q.correct {
                points += q.points;
            }
        }
        passed &= points >= t.spec.pass_mark;
        total += points;
        max += t.spec.max_points();
    }
    if let Some(extra) = sheet.tests.iter().find(|a| !tests.iter().any(|t| t.id == a.id)) {
        return Err(Error::bad_input(format!("answers for test #{}, which the candidate does not hold", extra.id)));
    }
    Ok(Score { points: total, max_points: max, passed })
}

/// `crew hiring submit`: the answers are scored by crew (never typed in).
pub fn submit(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    id: ApplicationId,
    sheet: &AnswerSheet,
) -> Result<Application> {
    require(&ctx.actor, Action::ManageHiring)?;
    let mut a = find(tx, id)?;
    expect_status(&a, &[ApplicationStatus::TestsAssigned], "submitted")?;
    let mut tests = Vec::new();
    for (t, v) in &a.tests {
        tests.push(tx.hiring_test(*t, Some(*v))?.ok_or_else(|| Error::internal(format!("test #{t} v{v} vanished")))?);
    }
    let Score { points, max_points: max, passed } = score(&tests, sheet)?;
    a.status = ApplicationStatus::TestsSubmitted;
    a.score = Some(points);
    a.max_score = Some(max);
    a.passed = Some(passed);
    a.updated_at = ctx.now;
    tx.update_application(&a)?;
    record(tx, ctx, HiringEvent::TestsSubmitted { application: id, score: points, max_score: max, passed })?;
    Ok(a)
}

/// Skills a hired candidate starts with: claimed strengths, one level up for a score of 90% or
/// more, one down below 60%, one down again if the weaknesses name the skill; 1 to 5.
pub fn hired_skills(a: &Application) -> SkillSet {
    let percent = percent(a);
    let weak = a.applicant.weaknesses.as_str().to_lowercase();
    let parts: Vec<String> = a
        .applicant
        .strengths
        .iter()
        .map(|(skill, level)| {
            let mut l = i64::from(level.get());
            if percent >= 90 {
                l += 1;
            } else if percent < 60 {
                l -= 1;
            }
            if weak.contains(skill.as_str()) {
                l -= 1;
            }
            format!("{skill}:{}", SkillLevel::new(l.clamp(1, 5)).map_or(1, |l| l.get()))
        })
        .collect();
    SkillSet::parse(&parts.join(";")).unwrap_or_default()
}

fn percent(a: &Application) -> u32 {
    match (a.score, a.max_score) {
        (Some(s), Some(m)) if m > 0 => (u64::from(s) * 100 / u64::from(m)) as u32,
        _ => 0,
    }
}

/// A score comparable across test versions with different points: parts per million of the
/// maximum.
fn share(a: &Application) -> u64 {
    match (a.score, a.max_score) {
        (Some(s), Some(m)) if m > 0 => u64::from(s) * 1_000_000 / u64::from(m),
        _ => 0,
    }
}

/// `crew hiring accept`: the candidate is hired (`WorkerHired`): IAM opens the account and mails
/// an activation secret; matching opens the profile.
pub fn accept(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, id: ApplicationId, reason: Text) -> Result<Application> {
    require(&ctx.actor, Action::ManageHiring)?;
    let mut a = find(tx, id)?;
    expect_status(&a, &[ApplicationStatus::TestsSubmitted], "accepted")?;
    if let Some(existing) = tx.account_by_email(&a.applicant.email)? {
        return Err(Error::conflict(format!("{} already has a {} account", a.applicant.email, existing.role)));
    }
    a.status = ApplicationStatus::Accepted;
    a.reason = Some(reason.clone());
    a.updated_at = ctx.now;
    tx.update_application(&a)?;
    record(tx, ctx, HiringEvent::ApplicationAccepted { application: id, reason })?;
    let c = &a.applicant;
    record(
        tx,
        ctx,
        HiringEvent::WorkerHired(HiredWorker {
            email: c.email.clone(),
            name: c.name.clone(),
            zone: c.zone.clone(),
            skills: hired_skills(&a),
            capacity: None,
            rating: Some(percent(&a).min(100) as u8),
            age: c.age,
            breed: c.breed.clone(),
            coat: c.coat.clone(),
            photo: c.photo.clone(),
            source: HireSource::Hiring,
        }),
    )?;
    Ok(a)
}

/// `crew hiring reject`.
pub fn reject(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, id: ApplicationId, reason: Text) -> Result<Application> {
    require(&ctx.actor, Action::ManageHiring)?;
    let mut a = find(tx, id)?;
    expect_status(
        &a,
        &[ApplicationStatus::Applied, ApplicationStatus::TestsAssigned, ApplicationStatus::TestsSubmitted],
        "rejected",
    )?;
    a.status = ApplicationStatus::Rejected;
    a.reason = Some(reason.clone());
    a.updated_at = ctx.now;
    tx.update_application(&a)?;
    record(tx, ctx, HiringEvent::ApplicationRejected { application: id, reason })?;
    Ok(a)
}

/// `crew hiring list`.
pub fn list(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    status: Option<ApplicationStatus>,
    limit: Option<usize>,
) -> Result<Vec<Application>> {
    require(&ctx.actor, Action::ManageHiring)?;
    tx.applications(status, None, limit)
}

/// `crew hiring show`: the application and every step of its history.
pub fn show(
    tx: &mut (impl HiringTx + ?Sized),
    ctx: &Ctx,
    id: ApplicationId,
) -> Result<(Application, Vec<RecordedEvent>)> {
    require(&ctx.actor, Action::ManageHiring)?;
    let a = find(tx, id)?;
    let history = tx.find_events(&EventFilter { application: Some(id), ..Default::default() })?;
    Ok((a, history))
}

/// One line of `crew hiring rank`.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub rank: usize,
    pub application: ApplicationId,
    pub name: Name,
    pub email: Email,
    pub score: u32,
    pub max_score: u32,
    pub passed: bool,
    /// The share of takers of the set who scored lower, plus half of those who scored the same.
    pub percentile: f64,
    pub status: ApplicationStatus,
}

/// How many of the best `crew hiring rank --top` keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Top {
    /// The best share of the takers, in percent (`3%`): at least one.
    Percent(f64),
    /// The best so many (`3`).
    Count(usize),
}

impl Top {
    /// `3%` is a share, `3` a count (documented in `crew hiring rank --help`).
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim();
        let bad = || Error::bad_input(format!("`{raw}` is neither a share like `3%` nor a count like `10`"));
        match s.strip_suffix('%') {
            Some(p) => match p.trim().parse::<f64>() {
                Ok(p) if p > 0.0 && p <= 100.0 => Ok(Top::Percent(p)),
                Ok(_) => Err(Error::bad_input(format!("`{raw}`: a share must be more than 0% and at most 100%"))),
                Err(_) => Err(bad()),
            },
            None => match s.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Top::Count(n)),
                _ => Err(bad()),
            },
        }
    }

    /// How many of `n` ranked takers this keeps (before ties with the last are added).
    fn of(self, n: usize) -> usize {
        match self {
            Top::Percent(p) => ((n as f64 * p / 100.0).ceil() as usize).clamp(1, n.max(1)),
            Top::Count(c) => c.min(n),
        }
    }
}

/// `crew hiring rank`: everyone who took the set, best first, with percentiles; `top` keeps the
/// best share or number of them, and everyone tied with the last of those.
pub fn rank(tx: &mut (impl HiringTx + ?Sized), ctx: &Ctx, set: TestSetId, top: Option<Top>) -> Result<Vec<Ranked>> {
    require(&ctx.actor, Action::ManageHiring)?;
    find_set(tx, set)?;
    let mut took: Vec<Application> =
        tx.applications(None, Some(set), None)?.into_iter().filter(|a| a.score.is_some()).collect();
    took.sort_by(|a, b| share(b).cmp(&share(a)).then(a.id.cmp(&b.id)));
    let n = took.len();
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for a in &took {
        *counts.entry(share(a)).or_default() += 1;
    }
    let ranked: Vec<Ranked> = took
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let s = share(a);
            let below: usize = counts.range(..s).map(|(_, c)| c).sum();
            let same = counts[&s];
            Ranked {
                rank: i + 1,
                application: a.id,
                name: a.applicant.name.clone(),
                email: a.applicant.email.clone(),
                score: a.score.unwrap_or(0),
                max_score: a.max_score.unwrap_or(0),
                passed: a.passed.unwrap_or(false),
                percentile: ((below as f64 + same as f64 / 2.0) / n as f64 * 1000.0).round() / 10.0,
                status: a.status,
            }
        })
        .collect();
    Ok(match top {
        Some(top) => {
            // The best share (or number), and everyone tied with the last of them.
            let keep = top.of(n);
            let cut = ranked.get(keep.saturating_sub(1)).map(|r| r.percentile);
            ranked
                .into_iter()
                .enumerate()
                .take_while(|(i, r)| *i < keep || Some(r.percentile) == cut)
                .map(|(_, r)| r)
                .collect()
        }
        None => ranked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TestSpec {
        TestSpec {
            name: "Basics".into(),
            pass_mark: 15,
            questions: vec![
                Question { text: "a".into(), options: vec!["x".into(), "y".into()], correct: 2, points: 10 },
                Question {
                    text: "b".into(),
                    options: vec!["x".into(), "y".into(), "z".into()],
                    correct: 1,
                    points: 10,
                },
            ],
        }
    }

    fn test(id: i64) -> HiringTest {
        HiringTest { id: TestId::new(id), version: 1, spec: spec(), deleted: false, created_at: Utc::now() }
    }

    fn sheet(id: i64, answers: Vec<usize>) -> AnswerSheet {
        AnswerSheet { tests: vec![TestAnswers { id: TestId::new(id), answers }] }
    }

    #[test]
    fn a_report_names_the_first_refused_rows_and_counts_every_one() {
        let mut report = IntakeReport::default();
        for line in 0..REFUSED_NAMED + 2 {
            report.refuse(Rejected { location: format!("line {line}"), reason: "bad".into() });
        }
        assert_eq!(report.invalid_rows, REFUSED_NAMED as u64 + 2);
        assert_eq!(report.invalid.len(), REFUSED_NAMED);
        assert_eq!(report.invalid.last().unwrap().location, format!("line {}", REFUSED_NAMED - 1));
    }

    #[test]
    fn last_rows_count_every_row_noted_and_know_each_emails_last() {
        let email = |raw: &str| Some(crate::types::Email::parse(raw).unwrap());
        let mut last = LastRows::with_capacity(4);
        for (at, e) in [(10, email("a@x.example")), (20, None), (30, email("A@x.example")), (40, email("b@x.example"))]
        {
            last.note(at, e);
        }
        assert_eq!(last.rows(), 4, "rows without an email count too");
        assert_eq!(last.superseded, [10]);
        assert_eq!(last.last.get(&crate::types::Email::parse("a@x.example").unwrap()), Some(&(30, true)));
        assert_eq!(last.last.get(&crate::types::Email::parse("b@x.example").unwrap()), Some(&(40, false)));
    }

    #[test]
    fn scores_count_points_of_correct_answers_against_the_pass_mark() {
        assert_eq!(
            score(&[test(1)], &sheet(1, vec![2, 1])).unwrap(),
            Score { points: 20, max_points: 20, passed: true }
        );
        assert_eq!(
            score(&[test(1)], &sheet(1, vec![2, 3])).unwrap(),
            Score { points: 10, max_points: 20, passed: false }
        );
    }

    #[test]
    fn malformed_answers_are_refused() {
        assert!(score(&[test(1)], &sheet(1, vec![2])).is_err());
        assert!(score(&[test(1)], &sheet(1, vec![2, 4])).is_err());
        assert!(score(&[test(1)], &sheet(2, vec![2, 1])).is_err());
    }

    #[test]
    fn a_test_must_make_sense() {
        assert!(spec().validate().is_ok());
        let mut s = spec();
        s.pass_mark = 21;
        assert!(s.validate().is_err());
        let mut s = spec();
        s.questions[0].correct = 3;
        assert!(s.validate().is_err());
        let mut s = spec();
        s.questions.clear();
        assert!(s.validate().is_err());
    }

    #[test]
    fn top_is_a_share_with_a_percent_sign_and_a_count_without() {
        assert_eq!(Top::parse("3%").unwrap(), Top::Percent(3.0));
        assert_eq!(Top::parse(" 2.5 % ").unwrap(), Top::Percent(2.5));
        assert_eq!(Top::parse("3").unwrap(), Top::Count(3));
        for raw in ["0%", "101%", "0", "-1", "3x", "", "%", "1.5"] {
            assert!(Top::parse(raw).is_err(), "{raw}");
        }
        assert_eq!(Top::Percent(3.0).of(100), 3);
        assert_eq!(Top::Percent(3.0).of(10), 1);
        assert_eq!(Top::Percent(100.0).of(7), 7);
        assert_eq!(Top::Count(3).of(100), 3);
        assert_eq!(Top::Count(30).of(7), 7);
        assert_eq!(Top::Count(3).of(0), 0);
    }

    #[test]
    fn an_intake_is_tallied_in_the_hour_it_arrives() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(intake_hour(at("2026-11-30T08:59:59.999999Z")), at("2026-11-30T08:00:00Z"));
        assert_eq!(intake_hour(at("2026-11-30T09:00:00Z")), at("2026-11-30T09:00:00Z"));
        assert_eq!(intake_hour(at("2026-11-30T23:30:00Z")), at("2026-11-30T23:00:00Z"));
    }

    #[test]
    fn strengths_default_to_level_three() {
        assert_eq!(parse_strengths("cleaning, gardening:5").unwrap().to_string(), "cleaning:3;gardening:5");
        assert!(parse_strengths("").is_err());
    }

    proptest::proptest! {
        /// Rows noted in two parts, the second appended to the first, are known as if noted in
        /// one: each email's last row, whether it repeats, every superseded row, the count.
        #[test]
        fn last_rows_noted_in_two_parts_and_appended_are_those_noted_in_one(
            rows in proptest::collection::vec(proptest::option::of(0..6usize), 0..40),
            cut in 0..41usize,
        ) {
            let email = |i: usize| crate::types::Email::parse(&format!("e{i}@x.example")).unwrap();
            let cut = cut.min(rows.len());
            let mut whole = LastRows::default();
            let (mut first, mut second) = (LastRows::default(), LastRows::with_capacity(rows.len()));
            for (at, e) in rows.iter().enumerate() {
                whole.note(at as u64 * 10, e.map(email));
                let part = if at < cut { &mut first } else { &mut second };
                part.note(at as u64 * 10, e.map(email));
            }
            first.append(second);
            proptest::prop_assert_eq!(first.rows(), whole.rows());
            proptest::prop_assert_eq!(&first.last, &whole.last);
            let (mut a, mut b) = (first.superseded.clone(), whole.superseded.clone());
            a.sort_unstable();
            b.sort_unstable();
            proptest::prop_assert_eq!(a, b);
        }
    }

    proptest::proptest! {
        /// Strengths read directly give what they gave when each part was written out with its
        /// level and the whole re-read as `skill:level;…`: the same set, or the same message.
        #[test]
        fn strengths_parse_as_written_out_with_their_levels(raw in "([a-d ]{0,3}(:[0-7x ]{0,2})?[;,]){0,6}|\\PC{0,12}") {
            let with_levels: Vec<String> = raw
                .split([';', ','])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| if p.contains(':') { p.to_string() } else { format!("{p}:3") })
                .collect();
            let reference = SkillSet::parse(&with_levels.join(";")).and_then(|set| {
                if set.is_empty() { Err(Error::bad_input("empty")) } else { Ok(set) }
            });
            match (parse_strengths(&raw), reference) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b),
                (Err(a), Err(b)) if b.message == "empty" => proptest::prop_assert!(a.message.contains("at least one strength")),
                (Err(a), Err(b)) => proptest::prop_assert_eq!(a.message, b.message),
                (a, b) => proptest::prop_assert!(false, "{a:?} against {b:?}"),
            }
        }
    }
}
