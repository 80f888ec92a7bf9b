//! Quality: the review queue fills itself, samples are reproducible, a review is recorded once
//! (a second submission amends it and never counts twice) and moves the worker's rating in
//! matching, cases show the whole history and verify the photos.

use crate::common::{Env, PASSWORD, fixture};

fn rating(env: &Env, worker: &str) -> u64 {
    let out = env.ok(&["--format", "json", "matching", "profile", worker]);
    serde_json::from_str::<serde_json::Value>(&out).unwrap()["rating"].as_u64().unwrap()
}

fn photo(name: &str) -> String {
    fixture(&format!("tests/company/photos/{name}")).display().to_string()
}

/// Ann's orders: #1 completed by tom (90 minutes), #2 assigned to tom, #3 failed (tia), #4
/// cancelled before assignment. Logged in as mia.
fn a_day() -> Env {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    for at in ["2026-12-01 10:00", "2026-12-01 14:00", "2026-12-02 10:00", "2026-12-03 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
    }
    env.ok(&["order", "cancel", "4", "--reason", "plans changed"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "assign", "2", "tom@crew.example"]);
    env.ok(&["order", "assign", "3", "tia@crew.example", "--force", "--reason", "tia is learning"]);
    env.ok(&["order", "fail", "3", "--reason", "worker did not come"]);
    // tom checks in within the company's window (60 minutes before the start) and takes 90 minutes.
    let mut env = env;
    env.now = "2026-12-01T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "1", "--photo", &photo("door.jpg")]);
    env.now = "2026-12-01T11:00:00Z".into();
    env.ok(&["order", "complete", "1", "--photo", &photo("report.png")]);
    env.login("mia", PASSWORD);
    env
}

#[test]
fn a_failed_order_is_reviewed_amended_and_moves_the_rating_once() {
    let mut env = a_day();
    env.note("cancelled and failed orders are queued by themselves; completed ones by a sample");
    env.step(&["quality", "queue"], None);
    env.step(&["quality", "review", "1", "--verdict", "praise", "--cause", "spotless"], None);
    env.step(&["quality", "sample", "1", "--seed", "7"], None);
    env.step(&["quality", "sample", "1", "--seed", "7"], None);
    env.step(&["quality", "queue"], None);

    env.note("a review, the same again, then an amendment: the rating moves by the difference only");
    assert_eq!(rating(&env, "tia@crew.example"), 65);
    env.step(
        &[
            "quality",
            "review",
            "3",
            "--verdict",
            "fault",
            "--cause",
            "did not come",
            "--hypothesis",
            "Remind workers the day before",
        ],
        None,
    );
    assert_eq!(rating(&env, "tia@crew.example"), 60);
    env.step(
        &[
            "quality",
            "review",
            "3",
            "--verdict",
            "fault",
            "--cause",
            "did not come",
            "--hypothesis",
            "Remind workers the day before",
        ],
        None,
    );
    assert_eq!(rating(&env, "tia@crew.example"), 60, "the same review again counts nothing");
    env.step(
        &[
            "quality",
            "review",
            "3",
            "--verdict",
            "serious",
            "--cause",
            "did not come and did not call",
            "--hypothesis",
            "Remind workers the day before",
        ],
        None,
    );
    assert_eq!(rating(&env, "tia@crew.example"), 50, "65 − 15: the amendment replaced the fault");
    env.step(
        &[
            "quality",
            "review",
            "1",
            "--verdict",
            "praise",
            "--cause",
            "spotless",
            "--hypothesis",
            "remind workers the day before",
        ],
        None,
    );
    assert_eq!(rating(&env, "tom@crew.example"), 82);
    env.step(&["quality", "review", "4", "--verdict", "fine", "--cause", "the client changed plans"], None);
    env.step(&["quality", "review", "4", "--verdict", "great", "--cause", "x"], None);
    env.step(&["quality", "review", "2", "--verdict", "fine", "--cause", "x"], None);
    env.step(&["quality", "hypotheses"], None);
    env.step(&["quality", "trends"], None);
    env.step(&["quality", "case", "3"], None);
    env.step(&["quality", "case", "1"], None);

    env.note("a photo changed on disk is caught");
    let show = env.ok(&["--format", "json", "order", "show", "1"]);
    let path = serde_json::from_str::<serde_json::Value>(&show).unwrap()["completion_photo"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(env.path().join("crew-media").join(&path), b"not the report").unwrap();
    let case = env.ok(&["quality", "case", "1"]);
    assert!(case.contains("report: ") && case.contains("CHANGED"), "{case}");
    assert!(case.contains("check-in: ") && case.contains("verified"), "{case}");

    env.note("a serious case may suspend the worker in the same transaction");
    env.step(&["quality", "review", "3", "--verdict", "serious", "--cause", "no call", "--suspend"], None);
    env.step(&["matching", "profile", "tia@crew.example"], None);
    env.step(&["events", "list", "--order", "3"], None);
    insta::assert_snapshot!(env.transcript);

    let outbox: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "outbox", "list"])).unwrap();
    let reviews: Vec<(String, String)> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["subject"].as_str().unwrap().contains("review"))
        .map(|m| (m["to"].as_str().unwrap().to_string(), m["subject"].as_str().unwrap().to_string()))
        .collect();
    // Order 3: three recorded revisions × client and worker; order 1: both; order 4: the client.
    assert_eq!(reviews.len(), 3 * 2 + 2 + 1, "{reviews:?}");
    assert!(reviews.contains(&("tia@crew.example".into(), "The amended review of order #3".into())));

    // A FIFO and a link to an endless device in the media folder are shown, never read.
    let media = env.path().join("crew-media");
    let report = media.join(&path);
    std::fs::remove_file(&report).unwrap();
    let c = std::ffi::CString::new(report.to_str().unwrap()).unwrap();
    // SAFETY: a valid path; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let check_in = serde_json::from_str::<serde_json::Value>(&show).unwrap()["check_in_photo"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(media.join(&check_in)).unwrap();
    std::os::unix::fs::symlink("/dev/zero", media.join(&check_in)).unwrap();
    let mut child = env.command(&["quality", "case", "1"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("quality case hung on a FIFO or /dev/zero");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let case = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{case}");
    assert!(case.contains("NOT A FILE: it is a FIFO (named pipe)"), "{case}");
    assert!(case.contains("NOT A FILE: it is a symbolic link"), "{case}");
}

#[test]
fn the_same_seed_samples_the_same_orders_in_another_database() {
    let draw = |seed: &str| -> Vec<String> {
        let mut env = Env::company();
        env.login("ann@example.com", PASSWORD);
        for day in 1..=9 {
            env.ok(&["order", "create", "--service", "cleaning", "--at", &format!("2026-12-0{day} 10:00")]);
        }
        env.login("mia", PASSWORD);
        for order in 1..=9 {
            env.ok(&["order", "assign", &order.to_string(), "tom@crew.example", "--force", "--reason", "test"]);
        }
        for order in 1..=9 {
            // Within the check-in window: half an hour before each order's start.
            env.now = format!("2026-12-0{order}T09:30:00Z");
            env.login("tom@crew.example", PASSWORD);
            env.ok(&["order", "check-in", &order.to_string(), "--photo", &photo("door.jpg")]);
            env.ok(&["order", "complete", &order.to_string(), "--photo", &photo("report.png")]);
        }
        env.login("mia", PASSWORD);
        let out = env.ok(&["--format", "json", "quality", "sample", "3", "--seed", seed]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["orders"].as_array().unwrap().iter().map(|o| o.to_string()).collect()
    };
    let a = draw("2026");
    assert_eq!(a.len(), 3);
    assert_eq!(a, draw("2026"), "reproducible");
}

#[test]
fn a_missing_order_is_not_found_and_trends_take_one_to_fifty_three_weeks() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    for args in [
        &["quality", "case", "999"][..],
        &["quality", "review", "999", "--verdict", "fault", "--cause", "did not come"][..],
    ] {
        let run = env.run(args, None);
        assert_eq!(run.code, 4, "crew {args:?}: {}", run.stderr);
        assert!(run.stderr.contains("#999"), "crew {args:?}: {}", run.stderr);
    }
    for weeks in ["0", "54", "4294967295"] {
        let run = env.run(&["quality", "trends", "--weeks", weeks], None);
        assert_eq!(run.code, 2, "--weeks {weeks}: {}", run.stderr);
        assert!(run.stderr.contains("--weeks"), "{}", run.stderr);
    }
    for weeks in ["1", "53"] {
        env.ok(&["quality", "trends", "--weeks", weeks]);
    }
}

#[test]
fn a_hypothesis_is_closed_with_a_reason_and_opens_again_when_raised_again() {
    let mut env = a_day();
    let review = |env: &mut Env, order: &str, cause: &str, hypothesis: &str| {
        env.step(
            &["quality", "review", order, "--verdict", "fault", "--cause", cause, "--hypothesis", hypothesis],
            None,
        )
    };
    review(&mut env, "3", "did not come", "Remind workers the day before");
    env.ok(&["quality", "review", "4", "--verdict", "fine", "--cause", "plans changed", "--hypothesis", "Ask why"]);
    env.step(&["quality", "hypotheses"], None);
    env.step(
        &["quality", "hypotheses", "close", "remind workers THE day before", "--reason", "reminders sent since W50"],
        None,
    );
    env.step(&["quality", "hypotheses"], None);
    env.step(&["quality", "hypotheses", "--all"], None);
    env.note("closing again changes nothing; an unknown one is not found; a reason is required");
    env.step(&["quality", "hypotheses", "close", "Remind workers the day before", "--reason", "again"], None);
    env.step(&["quality", "hypotheses", "close", "Hire more", "--reason", "x"], None);
    env.step(&["quality", "hypotheses", "close", "Ask why", "--reason", "   "], None);
    env.step(&["quality", "hypotheses", "close", "Ask why"], None);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "quality", "hypotheses"])).unwrap();
    let open: Vec<&str> = json.as_array().unwrap().iter().map(|h| h["hypothesis"].as_str().unwrap()).collect();
    assert_eq!(open, ["Ask why"], "{json}");

    env.note("a later review raising it again opens it again");
    env.now = "2026-12-01T11:30:00Z".into();
    env.login("mia", PASSWORD);
    env.ok(&["quality", "sample", "1", "--seed", "7"]);
    review(&mut env, "1", "late", "Remind workers the day before");
    env.step(&["quality", "hypotheses"], None);
    env.login("tom@crew.example", PASSWORD);
    env.step(&["quality", "hypotheses", "close", "Ask why", "--reason", "x"], None);
    env.login("mia", PASSWORD);
    let events = env.ok(&["--format", "json", "events", "list"]);
    assert_eq!(events.matches("\"hypothesis_closed\"").count(), 1, "one close recorded: {events}");
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn hypotheses_that_look_alike_are_one_and_a_review_at_the_closing_instant_opens_it_again() {
    let env = a_day();
    let review = |order: &str, hypothesis: &str| {
        env.ok(&["quality", "review", order, "--verdict", "fine", "--cause", "c", "--hypothesis", hypothesis]);
    };
    review("3", "Café reminders"); // NFC é
    review("4", "CAFE\u{301}   REMINDERS"); // NFD, more spaces
    env.ok(&["quality", "sample", "1", "--seed", "7"]);
    review("1", "Caf\u{e9}\u{200b} reminders"); // a zero-width space inside
    let list: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "quality", "hypotheses"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "one hypothesis: {list}");
    assert_eq!(list[0]["cases"], serde_json::json!([1, 3, 4]));
    // Closed by a spelling of its own (NFD), then raised again at the same instant: open again.
    env.ok(&["quality", "hypotheses", "close", "cafe\u{301} reminders", "--reason", "tested"]);
    assert_eq!(env.ok(&["--format", "json", "quality", "hypotheses"]).trim(), "[]");
    env.ok(&["quality", "review", "4", "--verdict", "fault", "--cause", "c", "--hypothesis", "café reminders"]);
    let list: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "quality", "hypotheses"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "the amendment at the same --now opened it again: {list}");
    assert!(list[0].get("closed").is_none(), "{list}");
    // Shown inert: the zero-width space is visible as an escape wherever the text is shown.
    let shown = env.ok(&["quality", "case", "1"]);
    assert!(shown.contains("Caf\u{e9}\\u{200b} reminders"), "{shown}");
}
