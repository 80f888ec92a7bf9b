//! [`HiringStore`](crew_core::hiring::HiringStore): tests and their versions, test sets, applications.

use crew_core::error::ErrorKind;
use crew_core::hiring::pipeline::{Applicant, Application, ApplicationStatus, HiringTest, Question, TestSet, TestSpec};
use crew_core::ids::{ApplicationId, TestId, TestSetId};
use crew_core::types::Name;
use crew_core::wiring::{Store, Tx};

use super::{at, email, expect_err, name, read, skills, text, write, zone};

fn spec(title: &str, pass_mark: u32) -> TestSpec {
    TestSpec {
        name: title.to_string(),
        pass_mark,
        questions: vec![
            Question {
                text: format!("{title}: which brush?"),
                options: vec!["soft".to_string(), "hard".to_string()],
                correct: 2,
                points: 3,
            },
            Question {
                text: "And then?".to_string(),
                options: vec!["rinse".to_string(), "dry".to_string(), "both".to_string()],
                correct: 3,
                points: 2,
            },
        ],
    }
}

fn test(tx: &mut dyn Tx, title: &str) -> crew_core::Result<TestId> {
    tx.insert_hiring_test(&spec(title, 3), at(0))
}

fn set(tx: &mut dyn Tx, set_name: &str, tests: &[TestId]) -> crew_core::Result<TestSetId> {
    tx.insert_test_set(&name(set_name), &text("For the spring."), tests, at(1))
}

fn applicant(mail: &str) -> Applicant {
    Applicant {
        name: name("Rex"),
        email: email(mail),
        zone: zone("north"),
        strengths: skills("cleaning:4;gardening:3"),
        weaknesses: text("Squirrels."),
        age: None,
        breed: None,
        coat: None,
        photo: None,
        source: None,
    }
}

fn apply(tx: &mut dyn Tx, mail: &str) -> crew_core::Result<ApplicationId> {
    tx.insert_application(&applicant(mail), at(2))
}

fn ids(applications: &[Application]) -> Vec<ApplicationId> {
    applications.iter().map(|a| a.id).collect()
}

pub(crate) fn a_missing_test_or_version_is_none<S: Store>(store: &mut S) {
    let id = write(store, |tx| test(tx, "Brushing"));
    let got = read(store, |tx| {
        Ok((
            tx.hiring_test(TestId::new(id.get() + 1000), None)?,
            tx.hiring_test(TestId::new(id.get() + 1000), Some(1))?,
            tx.hiring_test(id, Some(2))?,
        ))
    });
    assert_eq!(got, (None, None, None));
}

pub(crate) fn an_inserted_test_reads_back_at_version_1_not_deleted<S: Store>(store: &mut S) {
    let (id, other) = write(store, |tx| {
        let id = tx.insert_hiring_test(&spec("Brushing", 4), at(12))?;
        Ok((id, test(tx, "Mopping")?))
    });
    assert_ne!(id, other);
    let expected = HiringTest { id, version: 1, spec: spec("Brushing", 4), deleted: false, created_at: at(12) };
    let got = read(store, |tx| Ok((tx.hiring_test(id, None)?, tx.hiring_test(id, Some(1))?)));
    assert_eq!(got, (Some(expected.clone()), Some(expected)));
}

pub(crate) fn a_new_version_becomes_current_and_earlier_ones_stay_readable<S: Store>(store: &mut S) {
    let (id, other) = write(store, |tx| Ok((test(tx, "Brushing")?, test(tx, "Mopping")?)));
    write(store, |tx| tx.insert_hiring_test_version(id, 2, &spec("Brushing, again", 5), at(20)));
    let (current, first, second, untouched) = read(store, |tx| {
        Ok((
            tx.hiring_test(id, None)?,
            tx.hiring_test(id, Some(1))?,
            tx.hiring_test(id, Some(2))?,
            tx.hiring_test(other, None)?,
        ))
    });
    let current = current.unwrap();
    assert_eq!((current.version, &current.spec), (2, &spec("Brushing, again", 5)));
    assert_eq!(second.as_ref(), Some(&current));
    assert_eq!(first.map(|t| (t.version, t.spec)), Some((1, spec("Brushing", 3))));
    assert_eq!(untouched.map(|t| t.version), Some(1));
}

pub(crate) fn inserting_a_stored_version_again_is_a_conflict<S: Store>(store: &mut S) {
    let id = write(store, |tx| {
        let id = test(tx, "Brushing")?;
        tx.insert_hiring_test_version(id, 2, &spec("Second", 3), at(5))?;
        Ok(id)
    });
    for version in [1, 2] {
        let err = store.write(|tx| tx.insert_hiring_test_version(id, version, &spec("Clash", 3), at(6)));
        expect_err(err, ErrorKind::Conflict);
    }
    let got = read(store, |tx| Ok((tx.hiring_test(id, Some(1))?, tx.hiring_test(id, None)?)));
    assert_eq!(got.0.map(|t| t.spec.name), Some("Brushing".to_string()));
    assert_eq!(got.1.map(|t| (t.version, t.spec.name)), Some((2, "Second".to_string())));
}

pub(crate) fn inserting_a_version_of_a_missing_test_is_a_conflict<S: Store>(store: &mut S) {
    let id = write(store, |tx| test(tx, "Brushing"));
    let missing = TestId::new(id.get() + 1000);
    let err = store.write(|tx| tx.insert_hiring_test_version(missing, 2, &spec("Orphan", 3), at(5)));
    expect_err(err, ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.hiring_test(missing, Some(2))), None);
}

pub(crate) fn tests_are_listed_by_id_at_their_current_version_deleted_ones_too<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.hiring_tests()).is_empty());
    let ids = write(store, |tx| {
        let ids = [test(tx, "Zebra")?, test(tx, "Apple")?, test(tx, "Mango")?];
        tx.insert_hiring_test_version(ids[1], 2, &spec("Apple, again", 3), at(4))?;
        tx.delete_hiring_test(ids[2])?;
        Ok(ids)
    });
    let mut expected_ids = ids.to_vec();
    expected_ids.sort();
    let listed = read(store, |tx| tx.hiring_tests());
    assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), expected_ids);
    let by_id = |id: TestId| listed.iter().find(|t| t.id == id).map(|t| (t.version, t.deleted));
    assert_eq!(by_id(ids[0]), Some((1, false)));
    assert_eq!(by_id(ids[1]), Some((2, false)));
    assert_eq!(by_id(ids[2]), Some((1, true)));
}

pub(crate) fn deleting_a_test_marks_it_deleted_and_keeps_its_versions<S: Store>(store: &mut S) {
    let (id, other) = write(store, |tx| {
        let id = test(tx, "Brushing")?;
        tx.insert_hiring_test_version(id, 2, &spec("Second", 3), at(5))?;
        Ok((id, test(tx, "Mopping")?))
    });
    write(store, |tx| tx.delete_hiring_test(id));
    let (current, first, untouched) =
        read(store, |tx| Ok((tx.hiring_test(id, None)?, tx.hiring_test(id, Some(1))?, tx.hiring_test(other, None)?)));
    assert_eq!(current.map(|t| (t.version, t.deleted)), Some((2, true)));
    assert_eq!(first.map(|t| (t.spec.name, t.deleted)), Some(("Brushing".to_string(), true)));
    assert_eq!(untouched.map(|t| t.deleted), Some(false));
}

pub(crate) fn deleting_a_missing_test_leaves_it_missing<S: Store>(store: &mut S) {
    let id = write(store, |tx| test(tx, "Brushing"));
    let missing = TestId::new(id.get() + 1000);
    write(store, |tx| tx.delete_hiring_test(missing));
    let got = read(store, |tx| Ok((tx.hiring_test(missing, None)?, tx.hiring_tests()?.len())));
    assert_eq!(got, (None, 1));
}

pub(crate) fn applications_holding_a_test_are_counted_by_any_version<S: Store>(store: &mut S) {
    let (brushing, mopping, unheld) = write(store, |tx| {
        let brushing = test(tx, "Brushing")?;
        tx.insert_hiring_test_version(brushing, 2, &spec("Second", 3), at(5))?;
        Ok((brushing, test(tx, "Mopping")?, test(tx, "Unheld")?))
    });
    write(store, |tx| {
        let set_id = set(tx, "Spring", &[brushing, mopping])?;
        // Two candidates hold brushing (different versions), one holds mopping too.
        let plan = [
            ("rex@example.com", ApplicationStatus::TestsAssigned, vec![(brushing, 1), (mopping, 1)]),
            ("fido@example.com", ApplicationStatus::TestsSubmitted, vec![(brushing, 2)]),
            ("lassie@example.com", ApplicationStatus::Applied, vec![]),
        ];
        for (mail, status, tests) in plan {
            let id = apply(tx, mail)?;
            let mut a = tx.application(id)?.unwrap();
            a.status = status;
            a.set = (!tests.is_empty()).then_some(set_id);
            a.tests = tests;
            tx.update_application(&a)?;
        }
        Ok(())
    });
    let counts = read(store, |tx| {
        Ok((
            tx.applications_holding_test(brushing)?,
            tx.applications_holding_test(mopping)?,
            tx.applications_holding_test(unheld)?,
            tx.applications_holding_test(TestId::new(unheld.get() + 1000))?,
        ))
    });
    assert_eq!(counts, (2, 1, 0, 0));
}

pub(crate) fn a_missing_test_set_is_none<S: Store>(store: &mut S) {
    let id = write(store, |tx| {
        let t = test(tx, "Brushing")?;
        set(tx, "Spring", &[t])
    });
    assert_eq!(read(store, |tx| tx.test_set(TestSetId::new(id.get() + 1000))), None);
}

pub(crate) fn an_inserted_test_set_reads_back_with_its_tests_in_order<S: Store>(store: &mut S) {
    let (id, tests) = write(store, |tx| {
        let a = test(tx, "Brushing")?;
        let b = test(tx, "Mopping")?;
        let c = test(tx, "Ironing")?;
        // Not in id order: the set keeps the order it was given.
        let tests = vec![c, a, b];
        Ok((tx.insert_test_set(&name("Spring"), &text("For the spring."), &tests, at(8))?, tests))
    });
    let expected = TestSet { id, name: name("Spring"), description: text("For the spring."), tests, created_at: at(8) };
    assert_eq!(read(store, |tx| tx.test_set(id)), Some(expected));
}

pub(crate) fn inserting_a_taken_test_set_name_is_a_conflict<S: Store>(store: &mut S) {
    let (t, first) = write(store, |tx| {
        let t = test(tx, "Brushing")?;
        Ok((t, set(tx, "Spring", &[t])?))
    });
    expect_err(store.write(|tx| set(tx, "Spring", &[t])), ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.test_sets()).iter().map(|s| s.id).collect::<Vec<_>>(), [first]);
}

pub(crate) fn updating_a_test_set_saves_name_description_and_tests<S: Store>(store: &mut S) {
    let (a, b, id, other) = write(store, |tx| {
        let a = test(tx, "Brushing")?;
        let b = test(tx, "Mopping")?;
        Ok((a, b, set(tx, "Spring", &[a])?, set(tx, "Autumn", &[a, b])?))
    });
    let before = read(store, |tx| tx.test_set(id)).unwrap();
    let untouched = read(store, |tx| tx.test_set(other)).unwrap();
    let changed = TestSet {
        name: name("Summer"),
        description: text("For the summer."),
        tests: vec![b, a],
        created_at: at(700),
        ..before.clone()
    };
    write(store, |tx| tx.update_test_set(&changed));
    let got = read(store, |tx| Ok((tx.test_set(id)?, tx.test_set(other)?)));
    assert_eq!(got, (Some(TestSet { created_at: before.created_at, ..changed.clone() }), Some(untouched)));
    // Keeping its own name is no clash.
    let same_name = TestSet { description: text("Still summer."), ..changed };
    write(store, |tx| tx.update_test_set(&same_name));
    assert_eq!(read(store, |tx| tx.test_set(id)).map(|s| s.description), Some(text("Still summer.")));
}

pub(crate) fn renaming_a_test_set_to_another_sets_name_is_a_conflict<S: Store>(store: &mut S) {
    let (id, other) = write(store, |tx| {
        let t = test(tx, "Brushing")?;
        Ok((set(tx, "Spring", &[t])?, set(tx, "Autumn", &[t])?))
    });
    let mut renamed = read(store, |tx| tx.test_set(id)).unwrap();
    renamed.name = name("Autumn");
    expect_err(store.write(|tx| tx.update_test_set(&renamed)), ErrorKind::Conflict);
    let names = read(store, |tx| Ok((tx.test_set(id)?.map(|s| s.name), tx.test_set(other)?.map(|s| s.name))));
    assert_eq!(names, (Some(name("Spring")), Some(name("Autumn"))));
}

pub(crate) fn test_sets_are_listed_by_id_ascending<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.test_sets()).is_empty());
    let ids = write(store, |tx| {
        let t = test(tx, "Brushing")?;
        Ok(vec![set(tx, "Zebra", &[t])?, set(tx, "Apple", &[t])?, set(tx, "Mango", &[t])?])
    });
    let mut expected = ids.clone();
    expected.sort();
    let names: Vec<Name> = read(store, |tx| tx.test_sets()).into_iter().map(|s| s.name).collect();
    let listed: Vec<TestSetId> = read(store, |tx| tx.test_sets()).iter().map(|s| s.id).collect();
    assert_eq!(listed, expected);
    assert_eq!(names, [name("Zebra"), name("Apple"), name("Mango")]);
}

pub(crate) fn missing_applications_are_none_by_id_and_email<S: Store>(store: &mut S) {
    let id = write(store, |tx| apply(tx, "rex@example.com"));
    let got = read(store, |tx| {
        Ok((
            tx.application(ApplicationId::new(id.get() + 1000))?,
            tx.application_by_email(&email("fido@example.com"))?,
            // Exact: not a part of an address.
            tx.application_by_email(&email("ex@example.com"))?,
        ))
    });
    assert_eq!(got, (None, None, None));
}

pub(crate) fn an_inserted_application_reads_back_applied_with_every_field<S: Store>(store: &mut S) {
    let full = Applicant {
        age: Some(4),
        breed: Some("collie".to_string()),
        coat: Some("long, black and white".to_string()),
        photo: Some("https://example.com/rex.jpg".to_string()),
        source: Some("website".to_string()),
        ..applicant("rex@example.com")
    };
    let bare = Applicant { weaknesses: text(""), strengths: skills(""), ..applicant("fido@example.com") };
    let (rex, fido) =
        write(store, |tx| Ok((tx.insert_application(&full, at(30))?, tx.insert_application(&bare, at(31))?)));
    let expected = |id, applicant, when| Application {
        id,
        applicant,
        status: ApplicationStatus::Applied,
        set: None,
        tests: vec![],
        score: None,
        max_score: None,
        passed: None,
        reason: None,
        created_at: when,
        updated_at: when,
    };
    let got = read(store, |tx| {
        Ok((tx.application(rex)?, tx.application(fido)?, tx.application_by_email(&email("rex@example.com"))?))
    });
    assert_eq!(got.0, Some(expected(rex, full.clone(), at(30))));
    assert_eq!(got.1, Some(expected(fido, bare, at(31))));
    assert_eq!(got.2, Some(expected(rex, full, at(30))));
}

pub(crate) fn inserting_an_application_for_an_email_that_has_one_is_a_conflict<S: Store>(store: &mut S) {
    let rex = write(store, |tx| apply(tx, "rex@example.com"));
    let again = Applicant { name: name("Rex the Second"), ..applicant("rex@example.com") };
    expect_err(store.write(|tx| tx.insert_application(&again, at(9))), ErrorKind::Conflict);
    let got = read(store, |tx| Ok((tx.applications(None, None, None)?, tx.application(rex)?)));
    assert_eq!(ids(&got.0), [rex]);
    assert_eq!(got.1.map(|a| a.applicant.name), Some(name("Rex")));
}

pub(crate) fn updating_an_application_saves_its_progress_and_keeps_its_creation_time<S: Store>(store: &mut S) {
    let (rex, fido, set_id, t) = write(store, |tx| {
        let t = test(tx, "Brushing")?;
        let set_id = set(tx, "Spring", &[t])?;
        Ok((apply(tx, "rex@example.com")?, apply(tx, "fido@example.com")?, set_id, t))
    });
    let before = read(store, |tx| tx.application(rex)).unwrap();
    let untouched = read(store, |tx| tx.application(fido)).unwrap();
    let progressed = Application {
        applicant: Applicant {
            name: name("Rex Senior"),
            zone: zone("south"),
            strengths: skills("ironing:2"),
            weaknesses: text("Cats."),
            age: Some(7),
            breed: Some("mixed".to_string()),
            coat: Some("short".to_string()),
            photo: Some("rex.png".to_string()),
            source: Some("a friend".to_string()),
            ..before.applicant.clone()
        },
        status: ApplicationStatus::Rejected,
        set: Some(set_id),
        tests: vec![(t, 1)],
        score: Some(2),
        max_score: Some(5),
        passed: Some(false),
        reason: Some(text("Not this time.")),
        created_at: at(800),
        updated_at: at(60),
        ..before.clone()
    };
    write(store, |tx| tx.update_application(&progressed));
    let got = read(store, |tx| Ok((tx.application(rex)?, tx.application(fido)?)));
    assert_eq!(got, (Some(Application { created_at: before.created_at, ..progressed }), Some(untouched)));
}

pub(crate) fn applications_are_listed_by_id_filtered_by_status_and_set_at_most_the_limit<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.applications(None, None, None)).is_empty());
    let (ids_, spring, autumn) = write(store, |tx| {
        let t = test(tx, "Brushing")?;
        let spring = set(tx, "Spring", &[t])?;
        let autumn = set(tx, "Autumn", &[t])?;
        let plan = [
            // Emails in neither id nor any other order.
            ("e@example.com", ApplicationStatus::Applied, None),
            ("b@example.com", ApplicationStatus::TestsAssigned, Some(spring)),
            ("f@example.com", ApplicationStatus::TestsAssigned, Some(autumn)),
            ("a@example.com", ApplicationStatus::TestsSubmitted, Some(spring)),
            ("d@example.com", ApplicationStatus::TestsAssigned, Some(spring)),
            ("c@example.com", ApplicationStatus::Applied, None),
        ];
        let mut ids = Vec::new();
        for (mail, status, set_id) in plan {
            let id = apply(tx, mail)?;
            let mut a = tx.application(id)?.unwrap();
            a.status = status;
            a.set = set_id;
            a.tests = set_id.map(|_| vec![(t, 1)]).unwrap_or_default();
            tx.update_application(&a)?;
            ids.push(id);
        }
        Ok((ids, spring, autumn))
    });
    let mut all = ids_.clone();
    all.sort();
    let pick = |picks: &[usize]| {
        let mut v: Vec<ApplicationId> = picks.iter().map(|&i| ids_[i]).collect();
        v.sort();
        v
    };
    let assigned = Some(ApplicationStatus::TestsAssigned);
    let cases = [
        ((None, None, None), all.clone()),
        ((Some(ApplicationStatus::Applied), None, None), pick(&[0, 5])),
        ((assigned, None, None), pick(&[1, 2, 4])),
        ((None, Some(spring), None), pick(&[1, 3, 4])),
        ((assigned, Some(spring), None), pick(&[1, 4])),
        ((assigned, Some(autumn), None), pick(&[2])),
        ((Some(ApplicationStatus::Accepted), None, None), vec![]),
        ((None, None, Some(0)), vec![]),
        ((None, None, Some(4)), all[..4].to_vec()),
        ((None, None, Some(100)), all.clone()),
        ((assigned, None, Some(2)), pick(&[1, 2, 4])[..2].to_vec()),
    ];
    for ((status, set_id, limit), expected) in cases {
        assert_eq!(
            ids(&read(store, |tx| tx.applications(status, set_id, limit))),
            expected,
            "{status:?} {set_id:?} {limit:?}"
        );
    }
}

pub(crate) fn intake_hours_add_up_per_hour_from_zero<S: Store>(store: &mut S) {
    assert_eq!(read(store, |tx| tx.intake_hour(at(0))), (0, 0));
    assert_eq!(write(store, |tx| tx.add_to_intake_hour(at(0), 1, 0)), (1, 0));
    assert_eq!(write(store, |tx| tx.add_to_intake_hour(at(0), 30, 4)), (31, 4));
    assert_eq!(write(store, |tx| tx.add_to_intake_hour(at(60), 2, 1)), (2, 1), "another hour starts from zero");
    assert_eq!(read(store, |tx| Ok((tx.intake_hour(at(0))?, tx.intake_hour(at(60))?))), ((31, 4), (2, 1)));
}

pub(crate) fn applications_inserted_in_a_batch_get_increasing_ids_in_order_and_read_back_applied<S: Store>(
    store: &mut S,
) {
    let first = write(store, |tx| apply(tx, "first@example.com"));
    assert!(write(store, |tx| tx.insert_applications(&[], at(3))).is_empty(), "an empty batch stores nothing");
    // More than a statement's worth of rows, each with its own details.
    let batch: Vec<Applicant> = (0..250)
        .map(|i| Applicant {
            name: name(&format!("Rex {i}")),
            age: (i % 2 == 0).then_some(i),
            ..applicant(&format!("rex{i}@example.com"))
        })
        .collect();
    let got = write(store, |tx| tx.insert_applications(&batch, at(40)));
    assert_eq!(got.len(), 250);
    assert!(got[0] > first && got.windows(2).all(|w| w[0] < w[1]), "{got:?}");
    let after = write(store, |tx| apply(tx, "after@example.com"));
    assert!(after > got[249]);
    let listed = read(store, |tx| tx.applications(None, None, None));
    assert_eq!(ids(&listed), [vec![first], got.clone(), vec![after]].concat());
    for ((id, c), a) in got.iter().zip(&batch).zip(&listed[1..]) {
        let expected = Application {
            id: *id,
            applicant: c.clone(),
            status: ApplicationStatus::Applied,
            set: None,
            tests: vec![],
            score: None,
            max_score: None,
            passed: None,
            reason: None,
            created_at: at(40),
            updated_at: at(40),
        };
        assert_eq!(a, &expected);
    }
    assert_eq!(read(store, |tx| tx.application_by_email(&email("rex7@example.com"))).map(|a| a.id), Some(got[7]));
}

pub(crate) fn a_batch_with_an_email_that_has_an_application_or_comes_twice_is_a_conflict<S: Store>(store: &mut S) {
    let rex = write(store, |tx| apply(tx, "rex@example.com"));
    let taken = [applicant("fido@example.com"), applicant("rex@example.com")];
    expect_err(store.write(|tx| tx.insert_applications(&taken, at(9))), ErrorKind::Conflict);
    let twice = [applicant("fido@example.com"), applicant("lassie@example.com"), applicant("fido@example.com")];
    expect_err(store.write(|tx| tx.insert_applications(&twice, at(9))), ErrorKind::Conflict);
    assert_eq!(ids(&read(store, |tx| tx.applications(None, None, None))), [rex], "the transaction stored nothing");
}

pub(crate) fn applications_are_read_by_a_list_of_emails_one_per_email_that_has_one<S: Store>(store: &mut S) {
    let (rex, fido) = write(store, |tx| {
        apply(tx, "lassie@example.com")?;
        Ok((apply(tx, "rex@example.com")?, apply(tx, "fido@example.com")?))
    });
    assert!(read(store, |tx| tx.applications_by_emails(&[])).is_empty());
    let asked = [
        email("fido@example.com"),
        email("nobody@example.com"),
        email("rex@example.com"),
        email("fido@example.com"),
        // Exact: not a part of an address.
        email("ex@example.com"),
    ];
    let asked: Vec<&crew_core::types::Email> = asked.iter().collect();
    let mut got = read(store, |tx| tx.applications_by_emails(&asked));
    got.sort_by_key(|a| a.id);
    let expected = read(store, |tx| Ok(vec![tx.application(rex)?.unwrap(), tx.application(fido)?.unwrap()]));
    assert_eq!(got, expected, "each known email once, with every field");
    // A long list (a store may look it up a part at a time): the two found wherever they fall.
    let many: Vec<crew_core::types::Email> = (0..2500).map(|i| email(&format!("m{i}@example.com"))).collect();
    let mut asked: Vec<&crew_core::types::Email> = many.iter().collect();
    let (rex_email, fido_email) = (email("rex@example.com"), email("fido@example.com"));
    asked.insert(0, &fido_email);
    asked.push(&rex_email);
    let mut got = read(store, |tx| tx.applications_by_emails(&asked));
    got.sort_by_key(|a| a.id);
    assert_eq!(got, expected, "found across a long list");
}
