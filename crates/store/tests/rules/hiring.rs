//! Hiring's rules: tests and their versions, sets, the intake, the pipeline's states, scoring,
//! the skills a hire starts with, ranking.

use crew_core::authz::Actor;
use crew_core::error::ErrorKind;
use crew_core::hiring::HiringEvent;
use std::collections::BTreeMap;

use crew_core::error::Error;
use crew_core::hiring::pipeline::{
    self, AnswerSheet, Applicant, ApplicationStatus, HiringTest, IntakeReport, LastRows, Question, Score, TestAnswers,
    TestSpec, Top,
};
use crew_core::iam;
use crew_core::ids::{ApplicationId, TestId, TestSetId};
use crew_core::imports::RawRecord;
use crew_core::kernel::command::{CatchUp, Subscribers};
use crew_core::types::{Login, Name, Text};
use crew_core::wiring::{Event, Store, Tx};
use crew_store::SqliteStore;

use super::{at, ctx, events, kind, store};

fn company() -> (SqliteStore, Actor) {
    let mut store = store();
    let hash = iam::Password::parse("correct horse").unwrap().hash(&[7; 16]).unwrap();
    let admin = store
        .write(|tx: &mut dyn Tx| {
            iam::init(tx, at(0), Login::parse("root").unwrap(), Name::parse("Root").unwrap(), None, hash)
        })
        .unwrap();
    (store, admin.actor())
}

fn question(options: usize, correct: usize, points: u32) -> Question {
    Question { text: "q".into(), options: (1..=options).map(|i| format!("o{i}")).collect(), correct, points }
}

/// Two questions of 10 points (answers 2 and 1 are right); 15 to pass.
fn spec(name: &str) -> TestSpec {
    TestSpec { name: name.into(), pass_mark: 15, questions: vec![question(2, 2, 10), question(3, 1, 10)] }
}

fn new_test(store: &mut SqliteStore, admin: &Actor, name: &str) -> TestId {
    store.write(|tx: &mut dyn Tx| pipeline::create_test(tx, &ctx(admin, at(1)), spec(name))).unwrap().id
}

fn new_set(store: &mut SqliteStore, admin: &Actor, name: &str, tests: Vec<TestId>) -> TestSetId {
    let name = Name::parse(name).unwrap();
    store
        .write(|tx: &mut dyn Tx| pipeline::create_set(tx, &ctx(admin, at(2)), name, Text::default(), tests))
        .unwrap()
        .id
}

fn record(location: &str, fields: &[(&str, &str)]) -> RawRecord {
    RawRecord {
        location: location.into(),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

fn applicant(email: &str, strengths: &str, weaknesses: &str) -> Applicant {
    Applicant::parse(&record(
        "line 2",
        &[("name", "Tom"), ("email", email), ("zone", "north"), ("strengths", strengths), ("weaknesses", weaknesses)],
    ))
    .unwrap()
}

fn apply(store: &mut SqliteStore, admin: &Actor, a: Applicant) -> ApplicationId {
    store.write(|tx: &mut dyn Tx| pipeline::take_application(tx, &ctx(admin, at(3)), a)).unwrap().id
}

fn sheet(answers: &[(TestId, Vec<usize>)]) -> AnswerSheet {
    AnswerSheet { tests: answers.iter().map(|(id, a)| TestAnswers { id: *id, answers: a.clone() }).collect() }
}

fn status(store: &mut SqliteStore, admin: &Actor, id: ApplicationId) -> ApplicationStatus {
    store.write(|tx: &mut dyn Tx| pipeline::show(tx, &ctx(admin, at(9)), id)).unwrap().0.status
}

#[test]
fn a_test_must_make_sense_at_every_limit() {
    assert!(spec("ok").validate().is_ok());
    let with = |f: &dyn Fn(&mut TestSpec)| {
        let mut s = spec("t");
        f(&mut s);
        s.validate()
    };
    assert!(with(&|s| s.name = " ".into()).is_err());
    assert!(with(&|s| s.pass_mark = 20).is_ok(), "every point may be needed");
    assert!(with(&|s| s.pass_mark = 21).is_err());
    assert!(with(&|s| s.questions.clear()).is_err());
    let mut s = spec("t");
    s.pass_mark = 0;
    s.questions = vec![question(2, 1, 1); 500];
    assert!(s.validate().is_ok(), "500 questions");
    s.questions.push(question(2, 1, 1));
    assert!(s.validate().is_err(), "501 questions");
    assert!(with(&|s| s.questions[0].text = "  ".into()).is_err());
    assert!(with(&|s| s.questions[0] = question(1, 1, 10)).is_err(), "one option");
    assert!(with(&|s| s.questions[0].correct = 0).is_err());
    assert!(with(&|s| s.questions[0].correct = 2).is_ok(), "the last option");
    assert!(with(&|s| s.questions[0].correct = 3).is_err());
    assert!(with(&|s| s.questions[0].points = 0).is_err());
    assert!(with(&|s| s.questions[0].points = 1000).is_ok());
    assert!(with(&|s| s.questions[0].points = 1001).is_err());
    assert_eq!(spec("t").max_points(), 20);
}

#[test]
fn every_edit_of_a_test_is_a_new_version_and_old_versions_stay_readable() {
    let (mut store, admin) = company();
    let id = new_test(&mut store, &admin, "Basics");
    let same = store.write(|tx: &mut dyn Tx| pipeline::edit_test(tx, &ctx(&admin, at(2)), id, spec("Basics")));
    assert_eq!(kind(same), ErrorKind::BadInput, "an edit that changes nothing");
    let mut changed = spec("Basics");
    changed.pass_mark = 20;
    let v2 = store.write(|tx: &mut dyn Tx| pipeline::edit_test(tx, &ctx(&admin, at(2)), id, changed)).unwrap();
    assert_eq!(v2.version, 2);
    let show =
        |store: &mut SqliteStore, v| store.write(|tx: &mut dyn Tx| pipeline::show_test(tx, &ctx(&admin, at(3)), id, v));
    assert_eq!(show(&mut store, Some(1)).unwrap().spec.pass_mark, 15);
    assert_eq!(show(&mut store, None).unwrap().version, 2);
    let e = show(&mut store, Some(3)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("versions are 1 to 2"), "{e}");
    store.write(|tx: &mut dyn Tx| pipeline::delete_test(tx, &ctx(&admin, at(4)), id)).unwrap();
    assert_eq!(kind(show(&mut store, None)), ErrorKind::NotFound);
    assert!(show(&mut store, Some(1)).is_ok(), "a deleted test's versions stay readable");
    let listed = store.write(|tx: &mut dyn Tx| pipeline::list_tests(tx, &ctx(&admin, at(5)))).unwrap();
    assert!(listed.is_empty());
    // A deleted test is gone for everything but reading its versions.
    let again = store.write(|tx: &mut dyn Tx| pipeline::delete_test(tx, &ctx(&admin, at(5)), id));
    assert_eq!(kind(again), ErrorKind::NotFound);
    let edit = store.write(|tx: &mut dyn Tx| pipeline::edit_test(tx, &ctx(&admin, at(5)), id, spec("Basics")));
    assert_eq!(kind(edit), ErrorKind::NotFound);
    let name = Name::parse("With a deleted test").unwrap();
    let set =
        store.write(|tx: &mut dyn Tx| pipeline::create_set(tx, &ctx(&admin, at(5)), name, Text::default(), vec![id]));
    assert_eq!(kind(set), ErrorKind::NotFound);
    let e = store
        .write(|tx: &mut dyn Tx| pipeline::show_test(tx, &ctx(&admin, at(3)), TestId::new(99), Some(1)))
        .unwrap_err();
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::NotFound, "no test #99"));
}

#[test]
fn a_test_in_use_is_not_deleted() {
    let (mut store, admin) = company();
    let t1 = new_test(&mut store, &admin, "One");
    let t2 = new_test(&mut store, &admin, "Two");
    let set = new_set(&mut store, &admin, "Set", vec![t1]);
    let r = store.write(|tx: &mut dyn Tx| pipeline::delete_test(tx, &ctx(&admin, at(4)), t1));
    assert_eq!(kind(r), ErrorKind::Conflict, "a set lists it");
    let app = apply(&mut store, &admin, applicant("tom@x.example", "cleaning", ""));
    store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), app, set)).unwrap();
    let name = Name::parse("Set").unwrap();
    store
        .write(|tx: &mut dyn Tx| pipeline::edit_set(tx, &ctx(&admin, at(5)), set, Some(name), Some(vec![t2])))
        .unwrap();
    let r = store.write(|tx: &mut dyn Tx| pipeline::delete_test(tx, &ctx(&admin, at(6)), t1));
    assert_eq!(kind(r), ErrorKind::Conflict, "a candidate holds it");
    let t3 = new_test(&mut store, &admin, "Three");
    store.write(|tx: &mut dyn Tx| pipeline::delete_test(tx, &ctx(&admin, at(6)), t3)).unwrap();
    let listed = store.write(|tx: &mut dyn Tx| pipeline::list_tests(tx, &ctx(&admin, at(7)))).unwrap();
    assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), [t1, t2]);
}

#[test]
fn a_set_lists_1_to_100_distinct_live_tests_under_a_name_of_its_own() {
    let (mut store, admin) = company();
    let tests: Vec<TestId> = (0..101).map(|i| new_test(&mut store, &admin, &format!("T{i}"))).collect();
    let create = |store: &mut SqliteStore, name: &str, tests: Vec<TestId>| {
        let name = Name::parse(name).unwrap();
        store.write(|tx: &mut dyn Tx| pipeline::create_set(tx, &ctx(&admin, at(2)), name, Text::default(), tests))
    };
    assert_eq!(kind(create(&mut store, "none", vec![])), ErrorKind::BadInput);
    assert_eq!(kind(create(&mut store, "all", tests.clone())), ErrorKind::BadInput, "101 tests");
    assert_eq!(kind(create(&mut store, "twice", vec![tests[0], tests[0]])), ErrorKind::BadInput);
    assert_eq!(kind(create(&mut store, "ghost", vec![TestId::new(999)])), ErrorKind::NotFound);
    let big = create(&mut store, "big", tests[..100].to_vec()).unwrap();
    assert_eq!(big.tests.len(), 100);
    assert_eq!(kind(create(&mut store, "big", vec![tests[0]])), ErrorKind::Conflict);
    let small = create(&mut store, "small", vec![tests[0]]).unwrap();
    let edit = |store: &mut SqliteStore, name: &str| {
        let name = Name::parse(name).unwrap();
        store.write(|tx: &mut dyn Tx| pipeline::edit_set(tx, &ctx(&admin, at(3)), small.id, Some(name), None))
    };
    assert_eq!(kind(edit(&mut store, "big")), ErrorKind::Conflict);
    assert_eq!(edit(&mut store, "small").unwrap().name.as_str(), "small", "its own name is no clash");
    assert_eq!(edit(&mut store, "tiny").unwrap().tests, vec![tests[0]], "a rename keeps the tests");
    let sets = store.write(|tx: &mut dyn Tx| pipeline::list_sets(tx, &ctx(&admin, at(4)))).unwrap();
    assert_eq!(sets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["big", "tiny"]);
}

#[test]
fn the_intake_takes_new_emails_updates_known_ones_and_freezes_them_once_tested() {
    let (mut store, admin) = company();
    let take = |store: &mut SqliteStore, a: Applicant| {
        store.write(|tx: &mut dyn Tx| pipeline::take_application(tx, &ctx(&admin, at(3)), a)).unwrap()
    };
    let first = take(&mut store, applicant("tom@x.example", "cleaning", ""));
    let arrived = |store: &mut SqliteStore| {
        events(store).iter().filter(|e| matches!(e, Event::Hiring(HiringEvent::ApplicationsArrived { .. }))).count()
    };
    assert_eq!(arrived(&mut store), 1);
    let again = take(&mut store, applicant("tom@x.example", "cleaning", ""));
    assert_eq!((again.id, arrived(&mut store)), (first.id, 1), "the same application, nothing new arrived");
    let updated = take(&mut store, applicant("tom@x.example", "cleaning:5", ""));
    assert_eq!(updated.applicant.strengths.to_string(), "cleaning:5");
    let t = new_test(&mut store, &admin, "Basics");
    let set = new_set(&mut store, &admin, "Set", vec![t]);
    store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), first.id, set)).unwrap();
    let frozen = take(&mut store, applicant("tom@x.example", "gardening", ""));
    assert_eq!(frozen.applicant.strengths.to_string(), "cleaning:5", "tests were given on what it said then");
}

#[test]
fn an_intake_file_keeps_the_last_row_of_an_email_and_reports_bad_rows() {
    let (mut store, admin) = company();
    let row = |line: &str, email: &str, strengths: &str| {
        record(line, &[("name", "Tom"), ("email", email), ("zone", "north"), ("strengths", strengths)])
    };
    let rows = [
        row("line 2", "a@x.example", "cleaning"),
        row("line 3", "b@x.example", ""),
        row("line 4", "a@x.example", "gardening"),
        row("line 5", "c@x.example", "cleaning"),
    ];
    let import = |store: &mut SqliteStore, strict| {
        store.write(|tx: &mut dyn Tx| pipeline::import(tx, &ctx(&admin, at(3)), &rows, strict, &mut ()))
    };
    let e = import(&mut store, true).unwrap_err();
    assert!(e.message.contains("line 3") || e.to_string().contains("line 3"), "{e}");
    let report = import(&mut store, false).unwrap();
    assert_eq!((report.received, report.updated, report.unchanged), (2, 0, 1));
    assert_eq!(report.invalid.iter().map(|r| r.location.as_str()).collect::<Vec<_>>(), ["line 3"]);
    let a = store
        .read(|tx: &mut dyn Tx| tx.application_by_email(&crew_core::types::Email::parse("a@x.example").unwrap()))
        .unwrap();
    assert_eq!(a.unwrap().applicant.strengths.to_string(), "gardening:3", "the last row wins");
    let arrived: Vec<(u64, u64)> = events(&mut store)
        .iter()
        .filter_map(|e| match e {
            Event::Hiring(HiringEvent::ApplicationsArrived { received, updated }) => Some((*received, *updated)),
            _ => None,
        })
        .collect();
    assert_eq!(arrived, [(2, 0)]);
    let before = events(&mut store).len();
    let again = import(&mut store, false).unwrap();
    assert_eq!((again.received, again.updated, again.unchanged), (0, 0, 3), "re-importing changes nothing");
    assert_eq!(events(&mut store).len(), before, "and records nothing");
    // An import that only updates: a's strengths change; c holds tests now, so c's row changes
    // nothing however it reads.
    let t = new_test(&mut store, &admin, "Basics");
    let set = new_set(&mut store, &admin, "Set", vec![t]);
    let c = store
        .read(|tx: &mut dyn Tx| tx.application_by_email(&crew_core::types::Email::parse("c@x.example").unwrap()))
        .unwrap()
        .unwrap();
    store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), c.id, set)).unwrap();
    let changed = [row("line 2", "a@x.example", "cooking"), row("line 3", "c@x.example", "gardening")];
    let report =
        store.write(|tx: &mut dyn Tx| pipeline::import(tx, &ctx(&admin, at(5)), &changed, false, &mut ())).unwrap();
    assert_eq!((report.received, report.updated, report.unchanged), (0, 1, 1));
    let arrived: Vec<(u64, u64)> = events(&mut store)
        .iter()
        .filter_map(|e| match e {
            Event::Hiring(HiringEvent::ApplicationsArrived { received, updated }) => Some((*received, *updated)),
            _ => None,
        })
        .collect();
    assert_eq!(arrived, [(2, 0), (0, 1)], "an import of updates alone is news too");
}

/// An intake of `rows` streamed, as a CSV file is: the first pass notes every row whose email
/// reads (a row refused for another field included), the rows come parsed one by one.
fn import_streamed(store: &mut SqliteStore, admin: &Actor, rows: &[RawRecord]) -> Result<IntakeReport, Error> {
    let mut last = LastRows::default();
    for (at, r) in rows.iter().enumerate() {
        last.note(at as u64, r.fields.get("email").and_then(pipeline::intake_email));
    }
    let parsed = rows.iter().enumerate().map(|(at, r)| Ok((at as u64, pipeline::parse_applicant(r.clone()))));
    store.write(|tx: &mut dyn Tx| pipeline::import_streamed(tx, &ctx(admin, at(3)), last, parsed, &mut (), &mut ()))
}

/// Every application by email: its content and status.
fn by_email(store: &mut SqliteStore) -> BTreeMap<String, (Applicant, ApplicationStatus)> {
    store
        .read(|tx: &mut dyn Tx| tx.applications(None, None, None))
        .unwrap()
        .into_iter()
        .map(|a| (a.applicant.email.to_string(), (a.applicant, a.status)))
        .collect()
}

/// What an intake reported, comparable.
fn told(r: &IntakeReport) -> (u64, u64, u64, Vec<(String, String)>) {
    (r.received, r.updated, r.unchanged, r.invalid.iter().map(|i| (i.location.clone(), i.reason.clone())).collect())
}

/// An intake row: `line N`, an email, strengths (empty: the row is refused for them).
fn intake_row(line: usize, email: &str, strengths: &str) -> RawRecord {
    record(&format!("line {line}"), &[("name", "Tom"), ("email", email), ("zone", "north"), ("strengths", strengths)])
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// A file taken while it is parsed (its emails read first) keeps and reports what the same
    /// file parsed first keeps and reports: each email's last valid row, known emails revised,
    /// every refused row named; over files of repeated emails, refused rows (for their email or
    /// another field) and applications already there.
    #[test]
    fn a_streamed_intake_takes_what_a_parsed_one_takes(
        known in proptest::collection::vec((0..5usize, 0..3usize), 0..4),
        file in proptest::collection::vec((0..6usize, 0..3usize), 0..30),
    ) {
        const EMAILS: [&str; 6] = ["a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example", "not-an-email"];
        const STRENGTHS: [&str; 3] = ["cleaning", "gardening:4", ""];
        let rows = |spec: &[(usize, usize)]| -> Vec<RawRecord> {
            spec.iter().enumerate().map(|(i, (e, s))| intake_row(i + 2, EMAILS[*e], STRENGTHS[*s])).collect()
        };
        let (mut first, admin) = company();
        let (mut streamed, admin2) = company();
        for store in [&mut first, &mut streamed] {
            store.write(|tx: &mut dyn Tx| pipeline::import(tx, &ctx(&admin, at(2)), &rows(&known), false, &mut ())).unwrap();
        }
        let rows = rows(&file);
        let parsed_first =
            first.write(|tx: &mut dyn Tx| pipeline::import(tx, &ctx(&admin, at(3)), &rows, false, &mut ())).unwrap();
        let streamed_report = import_streamed(&mut streamed, &admin2, &rows).unwrap();
        proptest::prop_assert_eq!(told(&streamed_report), told(&parsed_first));
        proptest::prop_assert_eq!(by_email(&mut streamed), by_email(&mut first));
        proptest::prop_assert_eq!(events(&mut streamed).len(), events(&mut first).len());
    }
}

#[test]
fn a_streamed_row_whose_later_row_is_refused_is_taken_at_the_refused_rows_place() {
    // a's row 2 waits for row 4 (a's last by the first pass), which is refused: a is taken
    // there, after b. Parsed first, a is taken at row 2. The same applications and report.
    let rows = [
        intake_row(2, "a@x.example", "cleaning"),
        intake_row(3, "b@x.example", "cleaning"),
        intake_row(4, "a@x.example", ""),
    ];
    let (mut store, admin) = company();
    let report = import_streamed(&mut store, &admin, &rows).unwrap();
    assert_eq!(told(&report).0, 2);
    assert_eq!(report.invalid.iter().map(|r| r.location.as_str()).collect::<Vec<_>>(), ["line 4"]);
    let ids: Vec<(String, u64)> = store
        .read(|tx: &mut dyn Tx| tx.applications(None, None, None))
        .unwrap()
        .iter()
        .map(|a| (a.applicant.email.to_string(), a.id.get() as u64))
        .collect();
    assert_eq!(ids, [("b@x.example".to_string(), 1), ("a@x.example".to_string(), 2)]);
    assert_eq!(by_email(&mut store)["a@x.example"].0.strengths.to_string(), "cleaning:3");
    let (mut first, admin) = company();
    first.write(|tx: &mut dyn Tx| pipeline::import(tx, &ctx(&admin, at(3)), &rows, false, &mut ())).unwrap();
    let first_ids: Vec<String> = first
        .read(|tx: &mut dyn Tx| tx.applications(None, None, None))
        .unwrap()
        .iter()
        .map(|a| a.applicant.email.to_string())
        .collect();
    assert_eq!(first_ids, ["a@x.example", "b@x.example"], "parsed first, a is taken at its own row");
    assert_eq!(by_email(&mut store), by_email(&mut first));
}

/// A catch-up that notes, at each call, how many applications and events the log holds.
#[derive(Default)]
struct Noted(Vec<(usize, i64)>);

impl<'a> CatchUp<dyn Tx + 'a> for Noted {
    fn catch_up(&mut self, tx: &mut (dyn Tx + 'a)) -> crew_core::Result<()> {
        let applications = tx.applications(None, None, None)?.len();
        self.0.push((applications, tx.last_event_seq()?.get()));
        Ok(())
    }
}

#[test]
fn an_intake_lets_the_subscribers_catch_up_after_every_thousand_rows_taken() {
    // 2,500 rows: 2,400 new, 99 updates of known applications and one refused row. The
    // subscribers catch up after the 1,000th and the 2,000th row taken (new or known), each
    // time with every row taken so far stored and its event in the log; the rest waits for the
    // dispatch at the command's end.
    let known: Vec<RawRecord> = (0..99).map(|i| intake_row(i + 2, &format!("k{i}@x.example"), "cleaning")).collect();
    let mut rows: Vec<RawRecord> = Vec::new();
    for i in 0..2500usize {
        rows.push(match i {
            7 => intake_row(i + 2, "not-an-email", "cleaning"),
            i if i % 25 == 3 && i / 25 < 99 => intake_row(i + 2, &format!("k{}@x.example", i / 25), "gardening"),
            i => intake_row(i + 2, &format!("n{i}@x.example"), "cleaning"),
        });
    }
    let updates = rows.iter().filter(|r| r.fields.get("email").is_some_and(|e| e.starts_with('k'))).count();
    assert_eq!(updates, 99);
    for streamed in [false, true] {
        let (mut store, admin) = company();
        store.write(|tx: &mut dyn Tx| pipeline::import(tx, &ctx(&admin, at(2)), &known, false, &mut ())).unwrap();
        let start = store.read(|tx: &mut dyn Tx| tx.last_event_seq()).unwrap().get();
        let mut noted = Noted::default();
        let report = if streamed {
            let mut last = LastRows::default();
            for (at, r) in rows.iter().enumerate() {
                last.note(at as u64, r.fields.get("email").and_then(pipeline::intake_email));
            }
            let parsed = rows.iter().enumerate().map(|(at, r)| Ok((at as u64, pipeline::parse_applicant(r.clone()))));
            store.write(|tx: &mut dyn Tx| {
                pipeline::import_streamed(tx, &ctx(&admin, at(3)), last, parsed, &mut (), &mut noted)
            })
        } else {
            let pieces = vec![pipeline::parse_applicants(&rows)];
            store.write(|tx: &mut dyn Tx| {
                pipeline::import_parsed(tx, &ctx(&admin, at(3)), pieces, false, &mut (), &mut noted)
            })
        }
        .unwrap();
        assert_eq!((report.received, report.updated), (2400, 99));
        // Row 7 is refused: the 1,000th row taken is row 1,000 (0-based), after 960 new rows and
        // 40 updates (rows 3, 28, ..., 978); the 2,000th is row 2,000, after 1,920 new and 80.
        assert_eq!(noted.0, [(99 + 960, start + 1000), (99 + 1920, start + 2000)], "streamed: {streamed}");
    }
}

#[test]
fn a_stream_that_fails_part_way_keeps_nothing() {
    let (mut store, admin) = company();
    let rows = [intake_row(2, "a@x.example", "cleaning"), intake_row(3, "b@x.example", "cleaning")];
    let mut last = LastRows::default();
    last.note(0, pipeline::intake_email("a@x.example"));
    last.note(1, pipeline::intake_email("b@x.example"));
    let parsed = [
        Ok((0, pipeline::parse_applicant(rows[0].clone()))),
        Err(Error::internal("the file's reader stopped before the end of the file")),
    ];
    let before = events(&mut store).len();
    let e = store
        .write(|tx: &mut dyn Tx| {
            pipeline::import_streamed(tx, &ctx(&admin, at(3)), last, parsed.into_iter(), &mut (), &mut ())
        })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal);
    assert!(by_email(&mut store).is_empty(), "no application kept");
    assert_eq!(events(&mut store).len(), before, "no event kept");
}

#[test]
fn answers_are_scored_against_every_test_held() {
    let test = |id: i64, pass_mark| HiringTest {
        id: TestId::new(id),
        version: 1,
        spec: TestSpec { pass_mark, ..spec("t") },
        deleted: false,
        created_at: at(0),
    };
    let (a, b) = (TestId::new(1), TestId::new(2));
    let tests = [test(1, 10), test(2, 20)];
    let s = pipeline::score(&tests, &sheet(&[(a, vec![2, 3]), (b, vec![2, 1])])).unwrap();
    assert_eq!(s, Score { points: 30, max_points: 40, passed: true }, "10 of 10 needed, 20 of 20 needed");
    let s = pipeline::score(&tests, &sheet(&[(a, vec![1, 3]), (b, vec![2, 1])])).unwrap();
    assert_eq!(s, Score { points: 20, max_points: 40, passed: false }, "every test must pass");
    assert!(pipeline::score(&tests, &sheet(&[(a, vec![2, 1])])).is_err(), "no answers for #2");
    assert!(pipeline::score(&tests, &sheet(&[(a, vec![2, 1]), (a, vec![2, 1]), (b, vec![2, 1])])).is_err(), "twice");
    assert!(
        pipeline::score(&tests[..1], &sheet(&[(a, vec![2, 1]), (b, vec![2, 1])])).is_err(),
        "answers for a test not held"
    );
    assert!(pipeline::score(&tests, &sheet(&[(a, vec![0, 1]), (b, vec![2, 1])])).is_err(), "option 0");
    assert!(pipeline::score(&tests, &sheet(&[(a, vec![2, 3]), (b, vec![2, 1])])).is_ok(), "the last option");
    assert!(pipeline::score(&tests, &sheet(&[(a, vec![2, 4]), (b, vec![2, 1])])).is_err(), "no option 4");
    assert!(pipeline::score(&tests, &sheet(&[(a, vec![2]), (b, vec![2, 1])])).is_err(), "too few");
    assert!(pipeline::score(&tests, &sheet(&[(a, vec![2, 1, 1]), (b, vec![2, 1])])).is_err(), "too many");
}

/// An application that scored `points` of 20 (with `strengths` and `weaknesses`), submitted.
fn scored(
    store: &mut SqliteStore,
    admin: &Actor,
    email: &str,
    strengths: &str,
    weaknesses: &str,
    answers: Vec<usize>,
) -> ApplicationId {
    let t = store.read(|tx: &mut dyn Tx| tx.hiring_tests()).unwrap().first().map(|t| t.id);
    let t = t.unwrap_or_else(|| new_test(store, admin, "Basics"));
    let set = store.read(|tx: &mut dyn Tx| tx.test_sets()).unwrap().first().map(|s| s.id);
    let set = set.unwrap_or_else(|| new_set(store, admin, "Set", vec![t]));
    let id = apply(store, admin, applicant(email, strengths, weaknesses));
    store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(admin, at(4)), id, set)).unwrap();
    store.write(|tx: &mut dyn Tx| pipeline::submit(tx, &ctx(admin, at(5)), id, &sheet(&[(t, answers)]))).unwrap();
    id
}

#[test]
fn the_pipeline_moves_only_forward() {
    let (mut store, admin) = company();
    let t = new_test(&mut store, &admin, "Basics");
    let set = new_set(&mut store, &admin, "Set", vec![t]);
    let id = apply(&mut store, &admin, applicant("tom@x.example", "cleaning", ""));
    let reason = || Text::parse("r").unwrap();
    let submit = |store: &mut SqliteStore| {
        store.write(|tx: &mut dyn Tx| pipeline::submit(tx, &ctx(&admin, at(5)), id, &sheet(&[(t, vec![2, 1])])))
    };
    assert_eq!(kind(submit(&mut store)), ErrorKind::Conflict, "no tests assigned yet");
    let accept = |store: &mut SqliteStore| {
        store.write(|tx: &mut dyn Tx| pipeline::accept(tx, &ctx(&admin, at(6)), id, reason()))
    };
    assert_eq!(kind(accept(&mut store)), ErrorKind::Conflict, "not submitted");
    store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), id, set)).unwrap();
    store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), id, set)).unwrap();
    assert_eq!(kind(accept(&mut store)), ErrorKind::Conflict, "not submitted");
    // The test changes after it was given: the candidate is scored on the version they hold.
    let mut harder = spec("Basics");
    harder.questions[0].correct = 1;
    store.write(|tx: &mut dyn Tx| pipeline::edit_test(tx, &ctx(&admin, at(4)), t, harder)).unwrap();
    let a = submit(&mut store).unwrap();
    assert_eq!(
        (a.score, a.max_score, a.passed, a.status),
        (Some(20), Some(20), Some(true), ApplicationStatus::TestsSubmitted)
    );
    assert_eq!(kind(submit(&mut store)), ErrorKind::Conflict, "submitted once");
    let r = store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(6)), id, set));
    assert_eq!(kind(r), ErrorKind::Conflict, "no new tests after submitting");
    accept(&mut store).unwrap();
    assert_eq!(status(&mut store, &admin, id), ApplicationStatus::Accepted);
    assert_eq!(kind(accept(&mut store)), ErrorKind::Conflict);
    let r = store.write(|tx: &mut dyn Tx| pipeline::reject(tx, &ctx(&admin, at(7)), id, reason()));
    assert_eq!(kind(r), ErrorKind::Conflict, "an accepted candidate is not rejected");
}

#[test]
fn an_application_is_rejected_at_any_step_before_a_decision() {
    let (mut store, admin) = company();
    let t = new_test(&mut store, &admin, "Basics");
    let set = new_set(&mut store, &admin, "Set", vec![t]);
    let reject = |store: &mut SqliteStore, id| {
        store.write(|tx: &mut dyn Tx| pipeline::reject(tx, &ctx(&admin, at(7)), id, Text::parse("no").unwrap()))
    };
    let applied = apply(&mut store, &admin, applicant("a@x.example", "cleaning", ""));
    let assigned = apply(&mut store, &admin, applicant("b@x.example", "cleaning", ""));
    store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), assigned, set)).unwrap();
    let submitted = scored(&mut store, &admin, "c@x.example", "cleaning", "", vec![2, 1]);
    for id in [applied, assigned, submitted] {
        assert_eq!(reject(&mut store, id).unwrap().status, ApplicationStatus::Rejected);
        assert_eq!(kind(reject(&mut store, id)), ErrorKind::Conflict, "rejected once");
    }
    let listed = store
        .write(|tx: &mut dyn Tx| pipeline::list(tx, &ctx(&admin, at(8)), Some(ApplicationStatus::Rejected), None))
        .unwrap();
    assert_eq!(listed.len(), 3);
}

fn hired_rating_and_skills(store: &mut SqliteStore) -> (Option<u8>, String) {
    match events(store).into_iter().rev().find_map(|e| match e {
        Event::Hiring(HiringEvent::WorkerHired(w)) => Some(w),
        _ => None,
    }) {
        Some(w) => (w.rating, w.skills.to_string()),
        None => panic!("nobody hired"),
    }
}

#[test]
fn a_hire_starts_with_claimed_skills_moved_by_the_score_and_the_weaknesses() {
    // Five questions of 20 points: answering k right scores 20·k percent.
    let five = TestSpec { name: "Five".into(), pass_mark: 0, questions: vec![question(2, 1, 20); 5] };
    let cases = [
        // (right answers, strengths, weaknesses, rating, skills)
        (5, "cleaning:3;gardening:5", "", 100, "cleaning:4;gardening:5"),
        (3, "cleaning:3", "", 60, "cleaning:3"),
        (2, "cleaning:3;gardening:1", "", 40, "cleaning:2;gardening:1"),
        (5, "cleaning:3;gardening:3", "Gardening is hard", 100, "cleaning:4;gardening:3"),
        (2, "cleaning:3", "cleaning", 40, "cleaning:1"),
    ];
    for (right, strengths, weaknesses, rating, skills) in cases {
        let (mut store, admin) = company();
        let t = store.write(|tx: &mut dyn Tx| pipeline::create_test(tx, &ctx(&admin, at(1)), five.clone())).unwrap().id;
        let set = new_set(&mut store, &admin, "Set", vec![t]);
        let id = apply(&mut store, &admin, applicant("tom@x.example", strengths, weaknesses));
        store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), id, set)).unwrap();
        let answers: Vec<usize> = (0..5).map(|i| if i < right { 1 } else { 2 }).collect();
        store.write(|tx: &mut dyn Tx| pipeline::submit(tx, &ctx(&admin, at(5)), id, &sheet(&[(t, answers)]))).unwrap();
        store.write(|tx: &mut dyn Tx| pipeline::accept(tx, &ctx(&admin, at(6)), id, Text::default())).unwrap();
        assert_eq!(hired_rating_and_skills(&mut store), (Some(rating), skills.to_string()), "{right} right of 5");
    }
}

#[test]
fn ninety_percent_is_a_level_up_and_just_below_sixty_a_level_down() {
    // Questions of 1 point each: 9 of 10 is 90%, 89 of 100 is 89%, 6 of 10 is 60%, 59 of 100 is 59%.
    for (points_right, total, expected) in
        [(9, 10, "cleaning:4"), (89, 100, "cleaning:3"), (6, 10, "cleaning:3"), (59, 100, "cleaning:2")]
    {
        let (mut store, admin) = company();
        let questions = vec![question(2, 1, 1); total];
        let t = TestSpec { name: "Pct".into(), pass_mark: 0, questions };
        let t = store.write(|tx: &mut dyn Tx| pipeline::create_test(tx, &ctx(&admin, at(1)), t)).unwrap().id;
        let set = new_set(&mut store, &admin, "Set", vec![t]);
        let id = apply(&mut store, &admin, applicant("tom@x.example", "cleaning", ""));
        store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), id, set)).unwrap();
        let answers: Vec<usize> = (0..total).map(|i| if i < points_right { 1 } else { 2 }).collect();
        store.write(|tx: &mut dyn Tx| pipeline::submit(tx, &ctx(&admin, at(5)), id, &sheet(&[(t, answers)]))).unwrap();
        store.write(|tx: &mut dyn Tx| pipeline::accept(tx, &ctx(&admin, at(6)), id, Text::default())).unwrap();
        let (rating, skills) = hired_rating_and_skills(&mut store);
        assert_eq!(
            (rating, skills.as_str()),
            (Some((points_right * 100 / total) as u8), expected),
            "{points_right}/{total}"
        );
    }
}

#[test]
fn a_candidate_with_an_account_is_not_hired_again() {
    let (mut store, admin) = company();
    let id = scored(&mut store, &admin, "root@x.example", "cleaning", "", vec![2, 1]);
    let req = iam::AccountRequest {
        login: Login::parse("tom").unwrap(),
        name: Name::parse("Tom").unwrap(),
        email: Some(crew_core::types::Email::parse("root@x.example").unwrap()),
        role: crew_core::authz::Role::Manager,
        credential: iam::Credential::PasswordHash(
            iam::Password::parse("correct horse").unwrap().hash(&[1; 16]).unwrap(),
        ),
    };
    store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(5)), req)).unwrap();
    let r = store.write(|tx: &mut dyn Tx| pipeline::accept(tx, &ctx(&admin, at(6)), id, Text::default()));
    assert_eq!(kind(r), ErrorKind::Conflict);
    assert_eq!(status(&mut store, &admin, id), ApplicationStatus::TestsSubmitted);
}

#[test]
fn ranking_orders_by_score_share_with_percentiles_and_keeps_ties_with_the_last() {
    let (mut store, admin) = company();
    // Scores of 20: 20, 10, 10, 0, in that order of application.
    let best = scored(&mut store, &admin, "a@x.example", "cleaning", "", vec![2, 1]);
    let mid1 = scored(&mut store, &admin, "b@x.example", "cleaning", "", vec![2, 2]);
    let mid2 = scored(&mut store, &admin, "c@x.example", "cleaning", "", vec![1, 1]);
    let worst = scored(&mut store, &admin, "d@x.example", "cleaning", "", vec![1, 2]);
    apply(&mut store, &admin, applicant("e@x.example", "cleaning", "")); // took nothing
    let set = store.read(|tx: &mut dyn Tx| tx.test_sets()).unwrap()[0].id;
    let rank = |store: &mut SqliteStore, top| {
        store.write(|tx: &mut dyn Tx| pipeline::rank(tx, &ctx(&admin, at(9)), set, top)).unwrap()
    };
    let all = rank(&mut store, None);
    assert_eq!(all.iter().map(|r| r.application).collect::<Vec<_>>(), [best, mid1, mid2, worst]);
    assert_eq!(all.iter().map(|r| r.rank).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(all.iter().map(|r| r.percentile).collect::<Vec<_>>(), [87.5, 50.0, 50.0, 12.5]);
    assert_eq!(all.iter().map(|r| r.passed).collect::<Vec<_>>(), [true, false, false, false]);
    assert_eq!(rank(&mut store, Some(Top::Count(1))).len(), 1);
    assert_eq!(rank(&mut store, Some(Top::Count(2))).len(), 3, "the tie with the second is kept");
    assert_eq!(rank(&mut store, Some(Top::Percent(25.0))).len(), 1);
    assert_eq!(rank(&mut store, Some(Top::Percent(26.0))).len(), 3, "26% of 4 is 2 (rounded up), plus the tie");
    assert_eq!(rank(&mut store, Some(Top::Percent(1.0))).len(), 1, "at least one");
    let r = store.write(|tx: &mut dyn Tx| pipeline::rank(tx, &ctx(&admin, at(9)), TestSetId::new(99), None));
    assert_eq!(kind(r), ErrorKind::NotFound);
}

#[test]
fn ranking_compares_shares_of_the_maximum_across_test_versions() {
    let (mut store, admin) = company();
    let t = new_test(&mut store, &admin, "Basics"); // v1: 2 questions of 10 points
    let set = new_set(&mut store, &admin, "Set", vec![t]);
    let take = |store: &mut SqliteStore, email: &str, answers: Vec<usize>| {
        let id = apply(store, &admin, applicant(email, "cleaning", ""));
        store.write(|tx: &mut dyn Tx| pipeline::assign_tests(tx, &ctx(&admin, at(4)), id, set)).unwrap();
        store.write(|tx: &mut dyn Tx| pipeline::submit(tx, &ctx(&admin, at(5)), id, &sheet(&[(t, answers)]))).unwrap();
        id
    };
    let half = take(&mut store, "a@x.example", vec![2, 2]); // 10 of 20
    let v2 = TestSpec { name: "Basics".into(), pass_mark: 0, questions: vec![question(2, 1, 10); 4] };
    store.write(|tx: &mut dyn Tx| pipeline::edit_test(tx, &ctx(&admin, at(6)), t, v2)).unwrap();
    let quarter = take(&mut store, "b@x.example", vec![1, 2, 2, 2]); // 10 of 40
    let three_quarters = take(&mut store, "c@x.example", vec![1, 1, 1, 2]); // 30 of 40
    let ranked = store.write(|tx: &mut dyn Tx| pipeline::rank(tx, &ctx(&admin, at(9)), set, None)).unwrap();
    let order: Vec<(ApplicationId, u32, u32)> = ranked.iter().map(|r| (r.application, r.score, r.max_score)).collect();
    assert_eq!(order, [(three_quarters, 30, 40), (half, 10, 20), (quarter, 10, 40)]);
}

#[test]
fn an_applications_history_is_its_own_events_only() {
    let (mut store, admin) = company();
    let a = apply(&mut store, &admin, applicant("a@x.example", "cleaning", ""));
    let b = apply(&mut store, &admin, applicant("b@x.example", "cleaning", ""));
    let reject = |store: &mut SqliteStore, id| {
        store
            .write(|tx: &mut dyn Tx| pipeline::reject(tx, &ctx(&admin, at(7)), id, Text::parse("no").unwrap()))
            .unwrap();
    };
    reject(&mut store, b);
    let (_, history) = store.write(|tx: &mut dyn Tx| pipeline::show(tx, &ctx(&admin, at(8)), a)).unwrap();
    let types: Vec<&str> = history.iter().map(|e| e.type_name.as_str()).collect();
    assert_eq!(types, ["application_received"]);
}

#[test]
fn an_intake_that_lets_the_subscribers_catch_up_stores_what_one_dispatch_at_its_end_stores() {
    // 2,500 rows with updates of known applications among them: the events, applications and
    // queued mail (one acknowledgement each, the digest) are the same, in the same order, whether
    // mail caught up after every thousand rows or only at the end.
    let known: Vec<RawRecord> = (0..30).map(|i| intake_row(i + 2, &format!("k{i}@x.example"), "cleaning")).collect();
    let rows: Vec<RawRecord> = (0..2500usize)
        .map(|i| match i {
            i if i % 80 == 5 => intake_row(i + 2, &format!("k{}@x.example", i / 80), "gardening"),
            i => intake_row(i + 2, &format!("n{i}@x.example"), "cleaning"),
        })
        .collect();
    let stored = |catch_up: bool| {
        let (mut store, admin) = company();
        // A manager with an address: the intake's digest is queued too.
        let req = iam::AccountRequest {
            login: Login::parse("mia").unwrap(),
            name: Name::parse("Mia").unwrap(),
            email: Some(crew_core::types::Email::parse("mia@x.example").unwrap()),
            role: crew_core::authz::Role::Manager,
            credential: iam::Credential::PasswordHash(
                iam::Password::parse("correct horse").unwrap().hash(&[1; 16]).unwrap(),
            ),
        };
        store.write(|tx: &mut dyn Tx| iam::create_account(tx, &ctx(&admin, at(1)), req)).unwrap();
        let subscribers = crew_core::wiring::subscribers(chrono_tz::UTC);
        crew_core::wiring::execute(&mut store, &subscribers, |tx| {
            pipeline::import(tx, &ctx(&admin, at(2)), &known, false, &mut ())
        })
        .unwrap();
        let report = crew_core::wiring::execute(&mut store, &subscribers, |tx| {
            let pieces = vec![pipeline::parse_applicants(&rows)];
            if catch_up {
                let mut subscribers = Subscribers(&subscribers);
                pipeline::import_parsed(tx, &ctx(&admin, at(5)), pieces, false, &mut (), &mut subscribers)
            } else {
                pipeline::import_parsed(tx, &ctx(&admin, at(5)), pieces, false, &mut (), &mut ())
            }
        })
        .unwrap();
        assert_eq!((report.received, report.updated), (2470, 30));
        store
            .read(|tx: &mut dyn Tx| {
                let log: Vec<(i64, String, String)> = tx
                    .events_after(crew_core::ids::EventSeq::START, 100_000)?
                    .into_iter()
                    .map(|e| (e.seq.get(), e.type_name, e.payload))
                    .collect();
                let mails: Vec<String> = tx.mails(None, None)?.iter().map(|m| format!("{m:?}")).collect();
                Ok((log, format!("{:?}", tx.applications(None, None, None)?), mails))
            })
            .unwrap()
    };
    let (at_the_end, as_it_goes) = (stored(false), stored(true));
    assert!(at_the_end.2.len() > 2470, "an acknowledgement for each new application and the digest");
    assert_eq!(as_it_goes, at_the_end);
}

#[test]
fn a_large_intake_keeps_the_files_order_records_each_new_application_and_mails_each_once() {
    use crew_core::ids::EventSeq;
    use crew_core::mail::MailStatus;
    let (mut store, admin) = company();
    let known = apply(&mut store, &admin, applicant("known@x.example", "cleaning", ""));
    let row = |n: usize, email: &str, strengths: &str| {
        record(&format!("line {n}"), &[("name", "Tom"), ("email", email), ("zone", "north"), ("strengths", strengths)])
    };
    // More new emails than the intake stores at a time, with a known email among them (updated:
    // its event comes between the new ones around it) and a repeat (the last row wins).
    let mut rows: Vec<RawRecord> = (0..2100).map(|i| row(i + 2, &format!("new{i}@x.example"), "cleaning")).collect();
    rows.insert(1500, row(9000, "known@x.example", "gardening"));
    rows.push(row(9001, "new3@x.example", "gardening"));
    let subscribers = crew_core::wiring::subscribers(chrono_tz::UTC);
    let before = store.read(|tx: &mut dyn Tx| tx.last_event_seq()).unwrap();
    let report = crew_core::wiring::execute(&mut store, &subscribers, |tx| {
        pipeline::import(tx, &ctx(&admin, at(5)), &rows, false, &mut ())
    })
    .unwrap();
    assert_eq!((report.received, report.updated, report.unchanged), (2100, 1, 1));
    let (log, applications, mails) = store
        .read(|tx: &mut dyn Tx| {
            Ok((tx.events_after(before, 100_000)?, tx.applications(None, None, None)?, tx.mails(None, None)?))
        })
        .unwrap();
    // The applications in the file's order (new3 where its last row is), one event each.
    let emails: Vec<String> = applications[1..].iter().map(|a| a.applicant.email.to_string()).collect();
    let expected: Vec<String> = (0..2100).filter(|i| *i != 3).chain([3]).map(|i| format!("new{i}@x.example")).collect();
    assert_eq!(emails, expected);
    assert_eq!(applications[2100].applicant.strengths.to_string(), "gardening:3", "the last row of new3 wins");
    let hiring: Vec<(EventSeq, Option<ApplicationId>, &str)> = log
        .iter()
        .filter(|e| e.type_name.starts_with("application"))
        .map(|e| {
            let application = match e.decode::<HiringEvent>().unwrap() {
                Some(HiringEvent::ApplicationReceived { application, .. })
                | Some(HiringEvent::ApplicationUpdated { application }) => Some(application),
                _ => None,
            };
            (e.seq, application, e.type_name.as_str())
        })
        .collect();
    // 1,499 new rows come before the known one (new3 waits for its last row).
    let expected: Vec<(Option<ApplicationId>, &str)> = applications[1..1500]
        .iter()
        .map(|a| (Some(a.id), "application_received"))
        .chain([(Some(known), "application_updated")])
        .chain(applications[1500..].iter().map(|a| (Some(a.id), "application_received")))
        .chain([(None, "applications_arrived")])
        .collect();
    assert_eq!(hiring.iter().map(|(_, a, t)| (*a, *t)).collect::<Vec<_>>(), expected);
    // One acknowledgement per new application, caused by its event, in the same order; then the
    // managers' digest (none here: no manager).
    let acks: Vec<String> = mails
        .iter()
        .map(|m| m.as_ref().unwrap())
        .filter(|m| m.cause.ends_with(":application_received"))
        .map(|m| {
            assert_eq!(m.status, MailStatus::Queued);
            m.cause.clone()
        })
        .collect();
    let causes: Vec<String> = hiring
        .iter()
        .filter(|(_, _, t)| *t == "application_received")
        .map(|(seq, _, _)| format!("event:{:012}:application_received", seq.get()))
        .collect();
    // The first is the known application's own, from before (`apply` dispatches nothing).
    assert_eq!(acks.len(), 2101);
    assert_eq!(acks[1..], causes[..]);
}
