//! Two crew processes writing at once: both finish, nothing is lost, ids never collide.

use std::thread;

use crate::common::{Env, PASSWORD};

#[test]
fn concurrent_writers_queue_instead_of_failing() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    const PER_WRITER: usize = 25;
    let results: Vec<Vec<i32>> = thread::scope(|s| {
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let env = &env;
                s.spawn(move || {
                    (0..PER_WRITER)
                        .map(|i| {
                            let at = format!("2026-12-{:02} 10:{:02}", w + 1, i);
                            let run = env.run(&["-q", "order", "create", "--service", "cleaning", "--at", &at], None);
                            assert!(run.stderr.is_empty(), "{}", run.stderr);
                            run.code
                        })
                        .collect()
                })
            })
            .collect();
        writers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results.iter().flatten().all(|&c| c == 0), "{results:?}");
    let list = env.ok(&["--format", "json", "order", "list"]);
    let orders: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(orders.len(), 3 * PER_WRITER);
    let mut ids: Vec<i64> = orders.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3 * PER_WRITER);
}

/// Several delivery workers and matching cycles at once against one database (on PostgreSQL: one
/// server, as from several machines): every mail is delivered exactly once, no worker is
/// double-booked, and nothing fails for being run beside another.
#[test]
fn delivery_workers_and_cycles_running_at_once_send_each_mail_once() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    for day in 1..=6 {
        for hour in [9, 11, 14] {
            env.ok(&["-q", "order", "create", "--service", "cleaning", "--at", &format!("2026-12-{day:02} {hour}:00")]);
        }
    }
    env.login("mia", PASSWORD);
    let runs: Vec<(String, crate::common::Run)> = thread::scope(|s| {
        let mut handles = Vec::new();
        for i in 0..6 {
            let env = &env;
            handles.push(s.spawn(move || {
                let args: &[&str] =
                    if i % 3 == 0 { &["-q", "matching", "run"] } else { &["-q", "outbox", "deliver", "--limit", "7"] };
                (args.join(" "), env.run(args, None))
            }));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (args, run) in &runs {
        assert_eq!(run.code, 0, "crew {args}: {}", run.stderr);
    }
    // What is still due goes out now, once more.
    env.ok(&["outbox", "deliver"]);
    let outbox: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["--format", "json", "outbox", "list", "--limit", "1000"])).unwrap();
    assert!(outbox.len() > 20, "{}", outbox.len());
    assert!(outbox.iter().all(|m| m["status"] == "sent"), "{outbox:?}");
    let files: Vec<String> = std::fs::read_dir(env.path().join("crew-mail"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    assert_eq!(files.len(), outbox.len(), "one file per mail: none sent twice, none lost");
    let orders: Vec<serde_json::Value> = serde_json::from_str(&env.ok(&["--format", "json", "order", "list"])).unwrap();
    assert!(orders.iter().all(|o| o["status"] == "assigned" || o["status"] == "open"), "{orders:?}");
    let assigned: Vec<(String, String)> = orders
        .iter()
        .filter(|o| o["status"] == "assigned")
        .map(|o| (o["worker"].to_string(), o["scheduled_at"].to_string()))
        .collect();
    assert!(!assigned.is_empty(), "the cycles assigned orders");
    let mut slots = assigned.clone();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), assigned.len(), "no worker holds two orders at one time");
}
