//! Supplies: kits opened, moved and cancelled with their orders, stock reserved and never
//! negative, cookies from the sandbox contractor, by file and by hand, kits issued and mailed.

use std::thread;

use crate::common::{Env, PASSWORD};

fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut full = vec!["--format", "json"];
    full.extend_from_slice(args);
    serde_json::from_str(&env.ok(&full)).unwrap()
}

#[test]
fn a_kit_is_assembled_with_its_cookie_and_issued_to_its_worker() {
    let mut env = Env::company();
    env.note("a manager says what a cleaning kit holds; the warehouse counts gloves");
    env.login("mia", PASSWORD);
    env.step(&["supplies", "set-bom", "cleaning", "--item", "gloves:2", "--item", "sponge"], None);
    env.step(&["supplies", "set-bom", "cleaning", "--item", "gloves:2", "--item", "gloves:1"], None);
    env.step(&["supplies", "set-bom", "windows", "--item", "gloves:2"], None);
    env.step(&["supplies", "bom"], None);
    env.login("wes", PASSWORD);
    env.step(&["supplies", "set-bom", "cleaning", "--clear"], None);
    env.step(&["supplies", "receive", "gloves", "3", "--reason", "delivery note 1187"], None);
    env.step(&["supplies", "receive", "gloves", "0", "--reason", "typo"], None);

    env.note("two cleaning orders are assigned: the first kit takes two gloves, the second the last one");
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 14:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "assign", "2", "tom@crew.example"]);
    env.login("wes", PASSWORD);
    env.step(&["supplies", "list"], None);
    env.step(&["supplies", "stock"], None);
    env.step(&["supplies", "issue", "1"], None);

    env.note("the sandbox contractor takes the cookie orders, then bakes for ten minutes");
    env.step(&["supplies", "poll", "--dry-run"], None);
    env.step(&["supplies", "poll"], None);
    env.step(&["supplies", "poll"], None);
    env.now = "2026-11-30T08:11:00Z".into();
    env.step(&["supplies", "poll"], None);
    env.step(&["supplies", "show", "1"], None);
    env.step(&["supplies", "show", "1", "--form"], None);

    env.note("kit 1 is issued (and its worker mailed); kit 2 waits for a glove");
    env.step(&["supplies", "issue", "1"], None);
    env.step(&["supplies", "issue", "1"], None);
    env.step(&["supplies", "issue", "2"], None);
    env.step(&["supplies", "receive", "gloves", "5", "--reason", "delivery note 1188"], None);
    env.step(&["supplies", "issue", "2"], None);
    env.step(&["supplies", "stock"], None);
    env.step(&["supplies", "adjust", "gloves", "--to", "3", "--reason", "monthly count"], None);
    env.step(&["supplies", "list", "--status", "all"], None);
    env.login("mia", PASSWORD);
    env.step(&["events", "list", "--order", "1"], None);
    insta::assert_snapshot!(env.transcript);

    let outbox = json(&env, &["outbox", "list"]);
    let kit_mail: Vec<&serde_json::Value> =
        outbox.as_array().unwrap().iter().filter(|m| m["subject"].as_str().unwrap().contains("kit")).collect();
    assert_eq!(kit_mail.len(), 2, "one mail per issued kit: {kit_mail:?}");
    assert_eq!(kit_mail[0]["to"], "tom@crew.example");
}

#[test]
fn a_reassigned_then_cancelled_order_never_gets_a_second_cookie() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    env.ok(&["supplies", "set-bom", "cleaning", "--item", "gloves:1"]);
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "receive", "gloves", "1", "--reason", "first delivery"]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.login("wes", PASSWORD);
    env.note("the cookie is ordered and baking when the order moves, is reopened, and is cancelled");
    env.step(&["supplies", "poll"], None);
    env.login("mia", PASSWORD);
    env.step(&["order", "assign", "1", "tia@crew.example", "--force", "--reason", "tom is ill"], None);
    env.step(&["order", "reopen", "1"], None);
    env.step(&["order", "assign", "1", "tom@crew.example"], None);
    env.login("wes", PASSWORD);
    env.step(&["supplies", "poll"], None);
    env.step(&["supplies", "list"], None);
    env.login("ann@example.com", PASSWORD);
    env.step(&["order", "cancel", "1", "--reason", "plans changed"], None);
    env.login("wes", PASSWORD);
    env.now = "2026-11-30T08:30:00Z".into();
    env.step(&["supplies", "poll"], None);
    env.step(&["supplies", "list", "--status", "all"], None);
    env.step(&["supplies", "stock"], None);
    env.step(&["supplies", "issue", "1"], None);
    env.step(&["supplies", "cookie", "1", "--arrived"], None);
    env.login("mia", PASSWORD);
    env.step(&["events", "list", "--order", "1"], None);
    insta::assert_snapshot!(env.transcript);

    let events = json(&env, &["events", "list", "--order", "1"]);
    let ordered = events.as_array().unwrap().iter().filter(|e| e["event"]["type"] == "cookie_ordered").count();
    assert_eq!(ordered, 1, "one cookie for the one kit");
}

#[test]
fn kits_not_ready_an_hour_before_their_order_are_at_risk_and_cookies_arrive_by_file_or_hand() {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-11-30 10:00"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-11-30 12:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "assign", "2", "tom@crew.example"]);
    env.login("wes", PASSWORD);
    env.now = "2026-11-30T09:00:00Z".into();
    env.step(&["supplies", "list", "--at-risk"], None);

    env.note("the cookies of kits 1 and 2 are ordered from the (sandbox) contractor; kit 3 opens after");
    env.step(&["supplies", "poll"], None);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-11-30 14:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "3", "tom@crew.example", "--force", "--reason", "tom can fit it in"]);
    env.login("wes", PASSWORD);

    env.note("a delivery folder: one good file; one for a kit that does not exist; one unreadable; one naming another cookie's id; one for a cookie never ordered; a link; a folder");
    let inbox = env.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(inbox.join("a.json"), r#"{"reference": "kit-1", "status": "ready"}"#).unwrap();
    std::fs::write(inbox.join("b.json"), r#"{"reference": "kit-9", "status": "ready"}"#).unwrap();
    std::fs::write(inbox.join("c.json"), "{\"reference\": \"kit-2\",\n \"status\": 7}").unwrap();
    std::fs::write(inbox.join("d.json"), r#"{"reference": "kit-2", "status": "ready", "id": "c-77"}"#).unwrap();
    std::fs::write(inbox.join("e.json"), r#"{"reference": "kit-3", "status": "failed"}"#).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", inbox.join("f.json")).unwrap();
    std::fs::create_dir(inbox.join("g.json")).unwrap();
    std::fs::write(inbox.join("h.json"), "[]").unwrap();
    std::fs::write(inbox.join("notes.txt"), "not a delivery").unwrap();
    env.step(&["supplies", "deliveries", inbox.to_str().unwrap()], None);
    assert!(inbox.join("done/a.json").exists() && inbox.join("b.json").exists() && inbox.join("c.json").exists());
    assert!(inbox.join("d.json").exists() && inbox.join("e.json").exists(), "refused files stay where they are");
    let kit3 = json(&env, &["supplies", "show", "3"]);
    assert_eq!(kit3["cookie"]["status"], "not_ordered", "a file cannot refuse a cookie nobody ordered");

    env.note("crew moves read files only into a folder of its own: a `done` that is a link is refused");
    let other = env.path().join("inbox2");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("a.json"), r#"{"reference": "kit-1", "status": "ready"}"#).unwrap();
    std::os::unix::fs::symlink(env.path(), other.join("done")).unwrap();
    env.step(&["supplies", "deliveries", other.to_str().unwrap()], None);
    assert!(other.join("a.json").exists(), "left where it was");
    env.step(&["supplies", "cookie", "2", "--arrived"], None);
    env.step(&["supplies", "cookie", "2", "--arrived"], None);
    env.step(&["supplies", "list"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn two_kits_racing_for_the_last_unit_one_gets_it_the_other_is_short() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    env.ok(&["supplies", "set-bom", "cleaning", "--item", "gloves:1"]);
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "receive", "gloves", "1", "--reason", "the last pair"]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 14:00"]);
    env.login("mia", PASSWORD);
    // Two processes assign at once; each assignment opens its kit in its own transaction.
    let codes: Vec<i32> = thread::scope(|s| {
        let handles: Vec<_> = ["1", "2"]
            .into_iter()
            .map(|order| {
                let env = &env;
                s.spawn(move || env.run(&["-q", "order", "assign", order, "tom@crew.example"], None).code)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(codes, [0, 0]);
    env.login("wes", PASSWORD);
    let kits = json(&env, &["supplies", "list"]);
    let reserved: Vec<u64> =
        kits.as_array().unwrap().iter().map(|k| k["lines"][0]["reserved"].as_u64().unwrap()).collect();
    assert_eq!(reserved.iter().sum::<u64>(), 1, "exactly one kit holds the last unit: {reserved:?}");
    let short = kits.as_array().unwrap().iter().filter(|k| k["missing"][0] == "1 gloves").count();
    assert_eq!(short, 1);
    let stock = json(&env, &["supplies", "stock"]);
    assert_eq!((stock[0]["on_hand"].as_u64(), stock[0]["reserved"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn an_order_that_ends_closes_its_unissued_kit_and_returns_its_stock() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    env.ok(&["supplies", "set-bom", "cleaning", "--item", "gloves:1"]);
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "receive", "gloves", "2", "--reason", "first delivery"]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-02 10:00"]);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-09 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "assign", "2", "tom@crew.example"]);
    let door = crate::common::fixture("tests/company/photos/door.jpg").display().to_string();
    let report = crate::common::fixture("tests/company/photos/report.png").display().to_string();
    // Each check-in within the window, half an hour before the order's start.
    let mut env = env;
    env.now = "2026-12-01T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "1", "--photo", &door]);
    env.ok(&["order", "complete", "1", "--photo", &report]);
    env.now = "2026-12-02T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "2", "--photo", &door]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "fail", "2", "--reason", "the client was away"]);

    env.login("wes", PASSWORD);
    let kits = json(&env, &["supplies", "list", "--status", "all"]);
    let statuses: Vec<&str> = kits.as_array().unwrap().iter().map(|k| k["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cancelled", "cancelled"], "{kits}");
    assert_eq!(json(&env, &["supplies", "list"]).as_array().unwrap().len(), 0, "no kit of an ended order is open");
    let stock = json(&env, &["supplies", "stock"]);
    assert_eq!((stock[0]["on_hand"].as_u64(), stock[0]["reserved"].as_u64()), (Some(2), Some(0)));
    for kit in ["1", "2"] {
        let run = env.run(&["supplies", "issue", kit], None);
        assert_eq!(run.code, 5, "issuing kit {kit}: {}", run.stderr);
    }
    // The stock that came back goes to the next order's kit.
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "3", "tom@crew.example"]);
    env.login("wes", PASSWORD);
    let kits = json(&env, &["supplies", "list"]);
    assert_eq!(kits[0]["lines"][0]["reserved"].as_u64(), Some(1), "{kits}");
    env.login("mia", PASSWORD);
    let events = json(&env, &["events", "list", "--order", "1"]);
    let closed = events.as_array().unwrap().iter().filter(|e| e["event"]["type"] == "kit_cancelled").count();
    assert_eq!(closed, 1, "the completed order's kit was closed by an event");
}

#[test]
fn an_issued_kit_stays_with_its_worker_when_the_order_moves_and_the_new_worker_gets_a_new_kit() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    env.ok(&["supplies", "set-bom", "cleaning", "--item", "gloves:1"]);
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "receive", "gloves", "3", "--reason", "first delivery"]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "cookie", "1", "--arrived"]);
    env.ok(&["supplies", "issue", "1"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tia@crew.example", "--force", "--reason", "tom is ill"]);
    env.login("wes", PASSWORD);
    let kits = json(&env, &["supplies", "list", "--status", "all"]);
    let kits = kits.as_array().unwrap();
    assert_eq!(kits.len(), 2, "{kits:?}");
    assert_eq!((kits[0]["status"].as_str(), kits[1]["status"].as_str()), (Some("issued"), Some("open")));
    let (tom, tia) = (kits[0]["worker"].as_u64().unwrap(), kits[1]["worker"].as_u64().unwrap());
    assert_ne!(tom, tia, "the issued kit is still tom's, the new one tia's: {kits:?}");
    assert_eq!(kits[1]["lines"][0]["reserved"].as_u64(), Some(1), "the new kit reserves its stock");
    let stock = json(&env, &["supplies", "stock"]);
    assert_eq!((stock[0]["on_hand"].as_u64(), stock[0]["reserved"].as_u64()), (Some(2), Some(1)));
    env.login("mia", PASSWORD);
    let events = json(&env, &["events", "list", "--order", "1"]);
    let events = events.as_array().unwrap();
    assert!(!events.iter().any(|e| e["event"]["type"] == "kit_reassigned"), "the issued kit did not move");
    let opened = events.iter().rfind(|e| e["event"]["type"] == "kit_opened").unwrap();
    assert_eq!(opened["event"]["issued_kit"], 1, "{opened}");

    // Back to tom, who still has kit #1: tia's open kit is closed, its glove back on the shelf;
    // tom does not get a second kit.
    env.ok(&["order", "assign", "1", "tom@crew.example", "--force", "--reason", "tom is back"]);
    env.login("wes", PASSWORD);
    let kits = json(&env, &["supplies", "list", "--status", "all"]);
    let kits = kits.as_array().unwrap();
    assert_eq!(kits.len(), 2, "no third kit: {kits:?}");
    assert_eq!((kits[0]["status"].as_str(), kits[1]["status"].as_str()), (Some("issued"), Some("cancelled")));
    assert_eq!(kits[0]["worker"].as_u64(), Some(tom));
    let stock = json(&env, &["supplies", "stock"]);
    assert_eq!((stock[0]["on_hand"].as_u64(), stock[0]["reserved"].as_u64()), (Some(2), Some(0)));
    env.login("mia", PASSWORD);
    let events = json(&env, &["events", "list", "--order", "1"]);
    let closed = events.as_array().unwrap().iter().rfind(|e| e["event"]["type"] == "kit_cancelled").unwrap();
    assert_eq!(closed["event"]["back_to_issued"], 1, "{closed}");
    // And away again: the issued kit stays with tom, tia gets a new one.
    env.ok(&["order", "assign", "1", "tia@crew.example", "--force", "--reason", "tom is ill again"]);
    env.login("wes", PASSWORD);
    let kits = json(&env, &["supplies", "list", "--status", "all"]);
    assert_eq!(kits.as_array().unwrap().len(), 3, "{kits}");
    assert_eq!(kits[2]["status"], "open");
}

#[test]
fn a_count_that_changes_nothing_says_so_and_succeeds() {
    let env = Env::company();
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "receive", "gloves", "3", "--reason", "first delivery"]);
    let out = env.ok(&["supplies", "adjust", "gloves", "--to", "3", "--reason", "monthly count"]);
    assert!(out.contains("nothing changed"), "{out}");
    let out = env.ok(&["supplies", "adjust", "gloves", "--to", "2", "--reason", "monthly count"]);
    assert!(out.contains("2 on hand"), "{out}");
    env.login("mia", PASSWORD);
    let events = json(&env, &["events", "list"]);
    let adjusted = events.as_array().unwrap().iter().filter(|e| e["event"]["type"] == "stock_adjusted").count();
    assert_eq!(adjusted, 1, "only the count that changed the stock is recorded");
}
