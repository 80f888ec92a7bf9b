//! Matching in time through the CLI (issue 9): durations and buffers, travel between zones,
//! weekly hours and time off, the daily maximum, explanations in time, the manual override, the
//! check-in window, two cycles in a row, and cycles that commit while a client keeps ordering.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD};

fn order(env: &Env, service: &str, at: &str) {
    env.ok(&["-q", "order", "create", "--service", service, "--at", at]);
}

fn as_admin(env: &Env, commands: &[&[&str]]) {
    env.login("admin", ADMIN_PASSWORD);
    for args in commands {
        env.ok(args);
    }
    env.login("mia", PASSWORD);
}

#[test]
fn a_worker_is_never_booked_twice_off_hours_or_on_time_off_and_explain_says_why() {
    let mut env = Env::company();
    env.note("cleaning takes two hours and a 15-minute tidy-up; north to south is 30 minutes");
    env.step(&["service-type", "edit", "cleaning", "--duration", "120", "--buffer", "15"], None);
    as_admin(
        &env,
        &[
            &["settings", "set", "matching.travel_minutes", "north, south: 30"],
            &["settings", "set", "matching.neighbours", "south: north"],
        ],
    );
    env.step(&["matching", "edit", "tom@crew.example", "--capacity", "3"], None);
    env.login("ann@example.com", PASSWORD);
    env.note("three cleanings at 10:00 in different homes; one at 12:00 (overlaps); one at 12:15 (fits)");
    for at in ["2026-12-01 10:00", "2026-12-01 10:00", "2026-12-01 10:00", "2026-12-01 12:00", "2026-12-01 12:15"] {
        order(&env, "cleaning", at);
    }
    env.login("bob@example.com", PASSWORD);
    env.note("bob's south order at 14:45 (tia lacks cleaning; south may use north): tom is free at 14:30 in north, 30 minutes away");
    order(&env, "cleaning", "2026-12-01 14:45");
    env.login("mia", PASSWORD);
    env.step(&["matching", "run"], None);
    env.step(&["matching", "explain", "2"], None);
    env.step(&["matching", "explain", "6"], None);
    env.note("nothing changed: a second cycle assigns nothing");
    env.step(&["matching", "run"], None);

    env.note("weekly hours and time off");
    env.step(&["matching", "hours", "tom@crew.example", "--set", "mon-fri 08:00-17:00"], None);
    env.step(&["matching", "hours", "tom@crew.example", "--set", "mon-fri 8:00"], None);
    env.step(
        &[
            "matching",
            "time-off",
            "add",
            "tom@crew.example",
            "--from",
            "2026-12-03",
            "--until",
            "2026-12-04",
            "--reason",
            "dentist",
        ],
        None,
    );
    env.step(&["matching", "hours", "tom@crew.example"], None);
    env.login("ann@example.com", PASSWORD);
    order(&env, "cleaning", "2026-12-02 16:00"); // #7: ends 18:00, after 17:00
    order(&env, "cleaning", "2026-12-05 10:00"); // #8: a Saturday
    order(&env, "cleaning", "2026-12-03 10:00"); // #9: time off
    env.login("mia", PASSWORD);
    env.step(&["matching", "run", "--dry-run"], None);
    env.step(&["matching", "explain", "7"], None);

    env.note("by hand: refused for the same reasons, unless forced with a reason (recorded)");
    env.step(&["order", "assign", "2", "tom@crew.example"], None);
    env.step(&["order", "assign", "8", "tom@crew.example", "--force", "--reason", "client's regular"], None);
    env.step(&["events", "list", "--order", "8"], None);
    env.step(&["matching", "time-off", "remove", "1"], None);
    env.step(&["matching", "time-off", "remove", "1"], None);
    env.step(&["matching", "hours", "tom@crew.example", "--default"], None);

    env.note("tom's week at a glance, and the day of the first order");
    env.step(&["order", "agenda", "--worker", "tom@crew.example", "--week", "--day", "2026-12-01"], None);
    env.login("tom@crew.example", PASSWORD);
    env.step(&["order", "agenda", "--day", "2026-12-01"], None);
    env.step(&["order", "agenda", "--worker", "tia@crew.example"], None);
    insta::assert_snapshot!(env.transcript);
}

/// The company's default window is 60 minutes: 61 minutes before the start is refused (a
/// conflict, exit 5, naming when check-in opens; nothing changes), exactly 60 is accepted.
#[test]
fn a_check_in_opens_the_configured_minutes_before_the_start() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    env.step(&["settings", "show", "ordering.check_in_window_minutes"], None);
    env.login("ann@example.com", PASSWORD);
    order(&env, "cleaning", "2026-12-01 10:00");
    env.login("mia", PASSWORD);
    env.ok(&["-q", "matching", "run"]);
    let photo = crate::common::fixture("tests/company/photos/door.jpg");
    let photo = photo.to_str().unwrap();
    env.now = "2026-12-01T08:59:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.step(&["order", "check-in", "1", "--photo", photo], None);
    env.step(&["order", "show", "1"], None);
    env.now = "2026-12-01T09:00:00Z".into();
    env.step(&["order", "check-in", "1", "--photo", photo], None);
    insta::assert_snapshot!(env.transcript);

    // A window an admin widens is read at the check-in: two hours early is then accepted.
    let mut env = Env::company();
    as_admin(&env, &[&["settings", "set", "ordering.check_in_window_minutes", "120"]]);
    env.login("ann@example.com", PASSWORD);
    order(&env, "cleaning", "2026-12-01 10:00");
    env.login("mia", PASSWORD);
    env.ok(&["-q", "matching", "run"]);
    env.now = "2026-12-01T07:59:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    assert_eq!(env.run(&["order", "check-in", "1", "--photo", photo], None).code, 5);
    env.now = "2026-12-01T08:00:00Z".into();
    assert_eq!(env.run(&["order", "check-in", "1", "--photo", photo], None).code, 0);
}

/// A client places orders non-stop while the cycle runs again and again: orders placed after a
/// batch was read wait for the next cycle instead of refusing it.
#[test]
fn cycles_commit_while_a_client_keeps_ordering() {
    let env = Env::company();
    env.login("admin", ADMIN_PASSWORD);
    let token = env.ok(&["account", "create", "cron", "--role", "service", "--name", "Cron"]).trim().to_string();
    env.login("ann@example.com", PASSWORD);
    // At least this many cycles run, and they keep running until the client has placed at least
    // as many orders meanwhile (on a loaded machine the client may be slower than the cycles).
    const CYCLES: usize = 20;
    const MAX_CYCLES: usize = 200;
    let done = AtomicBool::new(false);
    let placed = AtomicUsize::new(0);
    let (ran, committed) = thread::scope(|s| {
        let client = s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                let n = placed.load(Ordering::Relaxed);
                let at = format!("2026-12-{:02} {:02}:{:02}", 1 + n / 200 % 28, 8 + n / 20 % 10, n % 20 * 3);
                let run = env.run(&["-q", "order", "create", "--service", "gardening", "--at", &at], None);
                assert_eq!(run.code, 0, "{}", run.stderr);
                placed.fetch_add(1, Ordering::Relaxed);
            }
        });
        let (mut ran, mut committed) = (0, 0);
        while ran < CYCLES || (placed.load(Ordering::Relaxed) < CYCLES && ran < MAX_CYCLES) {
            let mut cmd = env.command(&["-q", "matching", "run"]);
            cmd.env("CREW_TOKEN", &token);
            let run = env.run_with(cmd, None);
            ran += 1;
            if run.code == 0 {
                committed += 1;
            } else {
                assert_eq!(run.code, 5, "only a conflict may stop a cycle: {}", run.stderr);
            }
        }
        done.store(true, Ordering::Relaxed);
        client.join().unwrap();
        (ran, committed)
    });
    let placed = placed.into_inner();
    eprintln!("cycles committed: {committed} of {ran} while the client placed {placed} orders");
    assert!(placed >= CYCLES, "the client kept ordering during the cycles ({placed} orders in {ran} cycles)");
    assert!(committed * 100 >= ran * 95, "{committed} of {ran} cycles committed");
    // Every assignment the cycles made keeps the workers apart in time.
    let list = env.ok(&["--format", "json", "order", "list"]);
    let orders: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let mut held: Vec<(String, String)> = orders
        .iter()
        .filter(|o| o["worker"].is_number())
        .map(|o| (o["worker"].to_string(), o["scheduled_at"].as_str().unwrap().to_string()))
        .collect();
    let before = held.len();
    held.sort();
    held.dedup();
    assert_eq!(held.len(), before, "a worker holds two orders at the same start");
}

#[test]
fn imported_workers_bring_their_hours_and_a_bad_pattern_names_its_line_and_changes_nothing() {
    let mut env = Env::company();
    env.login("admin", ADMIN_PASSWORD);
    let bad = env.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,email,zone,skills,hours\nKit Kat,kit@crew.example,north,cleaning:2,mon-fri 08:00-16:00\nMo Paw,mo@crew.example,south,gardening:3,mon-fri 8-16\n",
    )
    .unwrap();
    env.step(&["import", "workers", bad.to_str().unwrap()], None);
    env.step(&["matching", "profile", "kit@crew.example"], None);
    let good = env.path().join("good.csv");
    std::fs::write(
        &good,
        "name,email,zone,skills,hours\nKit Kat,kit@crew.example,north,cleaning:2,mon-fri 08:00-16:00\nMo Paw,mo@crew.example,south,gardening:3,\n",
    )
    .unwrap();
    env.step(&["import", "workers", good.to_str().unwrap()], None);
    env.step(&["matching", "hours", "kit@crew.example"], None);
    env.step(&["matching", "hours", "mo@crew.example"], None);
    env.note("the same file again changes nothing");
    env.step(&["import", "workers", good.to_str().unwrap()], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn hours_time_off_and_agendas_refuse_what_would_silently_go_wrong() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    let events = env.event_count();
    env.note("an empty pattern or an empty item would take tom out of matching by accident: refused (exit 2)");
    for pattern in ["", "  ", "mon 08:00-09:00,,", "mon 08:00-09:00;;tue 10:00-11:00", "mon 08:00-09:00;"] {
        let run = env.step(&["matching", "hours", "tom@crew.example", "--set", pattern], None);
        assert_eq!(run.code, 2, "{pattern:?}: {}", run.stderr);
    }
    assert_eq!(env.event_count(), events, "every refusal changed nothing");
    env.note("`none` says it on purpose");
    env.step(&["matching", "hours", "tia@crew.example", "--set", "none"], None);

    env.note("time off: over already, longer than a year (exit 2), overlapping another (exit 5); touching is fine");
    let add = |from: &str, until: &str| -> Vec<String> {
        ["matching", "time-off", "add", "tom@crew.example", "--from", from, "--until", until, "--reason", "holiday"]
            .map(String::from)
            .to_vec()
    };
    for (from, until, code) in [
        ("2026-11-01", "2026-11-02", 2),
        ("2026-12-24", "2027-12-26", 2),
        ("2026-12-24", "2026-12-27", 0),
        ("2026-12-26", "2026-12-30", 5),
        ("2026-12-20", "2026-12-24 00:01", 5),
        ("2026-12-27", "2026-12-28", 0),
    ] {
        let args = add(from, until);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(env.step(&args, None).code, code, "{from} to {until}");
    }

    env.note("an agenda is a worker's: a client is refused like time-off add does (exit 2); a date that does not exist is said to be no date");
    env.step(&["order", "agenda", "--worker", "ann@example.com"], None);
    env.step(
        &["matching", "time-off", "add", "ann@example.com", "--from", "2026-12-24", "--until", "2026-12-27"],
        None,
    );
    env.step(&["order", "agenda", "--worker", "tom@crew.example", "--day", "2026-02-30"], None);
    env.step(&["order", "agenda", "--worker", "tom@crew.example", "--day", "2026-12-01"], None);
    insta::assert_snapshot!(env.transcript);
}
