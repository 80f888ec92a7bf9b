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
