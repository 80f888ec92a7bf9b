//! Orders walked through every legal and illegal transition, as the people who would do it.

use crate::common::{Env, PASSWORD, fixture};

fn photo(name: &str) -> String {
    fixture(&format!("tests/company/photos/{name}")).display().to_string()
}

#[test]
fn a_day_of_orders_follows_the_lifecycle() {
    let mut env = Env::company();
    let door = photo("door.jpg");
    let report = photo("report.png");

    env.note("a client quotes and places orders");
    env.login("ann@example.com", PASSWORD);
    env.step(&["order", "quote", "--service", "cleaning", "--at", "2026-12-01 10:00"], None);
    env.step(
        &["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00", "--description", "Kitchen"],
        None,
    );
    env.step(&["order", "create", "--service", "gardening", "--at", "2026-12-01T14:00:00Z"], None);
    env.step(&["order", "create", "--service", "cleaning", "--at", "2026-12-02 09:30", "--zone", "south"], None);
    env.step(&["order", "create", "--service", "cleaning", "--at", "2026-11-29 09:30"], None);
    env.step(&["order", "create", "--service", "windows", "--at", "2026-12-02 09:30"], None);
    env.step(&["order", "assign", "1", "tom@crew.example"], None);

    env.note("a manager assigns by hand");
    env.login("mia", PASSWORD);
    env.step(&["order", "list", "--status", "open"], None);
    env.step(&["order", "assign", "1", "tom@crew.example"], None);
    env.step(&["order", "assign", "2", "tia@crew.example"], None);
    env.step(&["order", "assign", "2", "tia@crew.example", "--force", "--reason", "tia covers the north today"], None);
    env.step(&["order", "assign", "2", "tia@crew.example"], None);
    env.step(&["order", "assign", "3", "ann@example.com"], None);
    env.step(&["order", "assign", "3", "tom@crew.example", "--force", "--reason", "nobody in the south cleans"], None);
    env.step(&["order", "assign", "99", "tom@crew.example"], None);

    env.note("Tuesday 09:30, half an hour before #1: the worker checks in and completes; the wrong worker is refused");
    env.now = "2026-12-01T09:30:00Z".into();
    env.login("tia@crew.example", PASSWORD);
    env.step(&["order", "check-in", "1", "--photo", &door], None);
    env.login("tom@crew.example", PASSWORD);
    env.step(&["order", "list"], None);
    env.step(&["order", "complete", "1", "--photo", &report], None);
    env.step(&["order", "check-in", "1", "--photo", &photo("not-a-photo.jpg")], None);
    env.step(&["order", "check-in", "1", "--photo", &photo("missing.jpg")], None);
    env.step(&["order", "check-in", "1", "--photo", &door], None);
    env.step(&["order", "check-in", "1", "--photo", &door], None);
    env.step(&["order", "complete", "1", "--photo", &report], None);
    env.step(&["order", "cancel", "1"], None);
    env.step(&["order", "fail", "3", "--reason", "door locked"], None);

    env.note("a client cancels; a failed order is copied to a new date");
    env.login("ann@example.com", PASSWORD);
    env.step(&["order", "cancel", "1"], None);
    env.step(&["order", "cancel", "2", "--reason", "rain"], None);
    env.step(&["order", "copy", "3", "--at", "2026-12-05 09:30"], None);
    env.step(&["order", "list"], None);

    env.note("another client sees none of it");
    env.login("bob@example.com", PASSWORD);
    env.step(&["order", "show", "1"], None);
    env.step(&["order", "cancel", "4"], None);
    env.step(&["order", "list"], None);

    env.note("a manager reopens and fails; events tell the story");
    env.login("mia", PASSWORD);
    env.step(&["order", "reopen", "3"], None);
    env.step(&["order", "reopen", "1"], None);
    env.step(&["order", "assign", "4", "tom@crew.example", "--force", "--reason", "nobody in the south cleans"], None);
    env.step(&["order", "reopen", "4"], None);
    env.step(&["order", "assign", "4", "tia@crew.example", "--force", "--reason", "tom is away"], None);
    env.step(&["order", "fail", "4", "--reason", ""], None);
    env.step(&["order", "fail", "4", "--reason", "worker ill"], None);
    env.step(&["order", "show", "1"], None);
    env.step(&["order", "list"], None);
    env.step(&["events", "list", "--order", "4"], None);
    env.step(&["--format", "csv", "order", "list", "--status", "completed"], None);

    insta::assert_snapshot!(env.transcript);

    // The photos are in the media folder beside the database, under their checksums.
    let show = env.ok(&["--format", "json", "order", "show", "1"]);
    let order: serde_json::Value = serde_json::from_str(&show).unwrap();
    let path = order["completion_photo"]["path"].as_str().unwrap();
    let kept = std::fs::read(env.path().join("crew-media").join(path)).unwrap();
    assert_eq!(kept, std::fs::read(&report).unwrap());
    use sha2::Digest;
    assert_eq!(order["completion_photo"]["sha256"].as_str().unwrap(), format!("{:x}", sha2::Sha256::digest(&kept)));
    // The refused check-ins left no files behind.
    let files: Vec<_> = std::fs::read_dir(env.path().join("crew-media/orders/1")).unwrap().collect();
    assert_eq!(files.len(), 2, "one check-in photo and one report");
}

#[test]
fn json_output_is_stable_for_scripts() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    let out = env.ok(&["--format", "json", "order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    insta::assert_snapshot!(out);
}

#[test]
fn a_photo_larger_than_the_limit_is_refused_even_from_a_device() {
    let env = Env::company();
    env.ok(&["settings", "set", "ordering.max_photo_mib", "1"]);
    env.login("ann@example.com", PASSWORD);
    // Within the check-in window (it opens an hour before the start): only the photo is refused.
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-11-30 08:30"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.login("tom@crew.example", PASSWORD);
    // A device is refused for what it is, before anything is read from it.
    let run = env.run(&["order", "check-in", "1", "--photo", "/dev/zero"], None);
    let refused = "error: photo /dev/zero is a character device, not a regular file: crew reads only regular files";
    assert_eq!((run.code, run.stderr.trim()), (2, refused));
    // A real photo over the limit is refused by its size, naming the limit.
    let mut big = b"\xFF\xD8\xFF\xE0".to_vec();
    big.resize(3 * 512 * 1024, 0);
    std::fs::write(env.path().join("big.jpg"), big).unwrap();
    let run = env.run(&["order", "check-in", "1", "--photo", "big.jpg"], None);
    assert_eq!((run.code, run.stderr.trim()), (2, "error: photo big.jpg is 1.5 MiB; the limit for photos is 1 MiB"));
    let run = env.run(&["order", "check-in", "1", "--photo", "/tmp"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn clients_log_in_with_any_valid_email() {
    let env = Env::company();
    std::fs::write(
        env.path().join("more.csv"),
        "name,email,zone\nAoife,o'brien@example.ie,north\nJosé,josé@example.es,south\n",
    )
    .unwrap();
    env.ok(&["import", "clients", "more.csv"]);
    env.ok_with(&["account", "reset-password", "O'Brien@example.ie", "--password-stdin"], Some(PASSWORD));
    env.login("o'brien@example.ie", PASSWORD);
    assert!(env.ok(&["whoami"]).contains("o'brien@example.ie"));
}

#[test]
fn a_manager_reassigns_an_assigned_order_to_another_worker_but_not_to_the_same_one() {
    let env = Env::company();
    env.login("admin", crate::common::ADMIN_PASSWORD);
    env.ok(&["settings", "set", "matching.neighbours", "north: south"]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "gardening", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    let again = env.run(&["order", "assign", "1", "tom@crew.example"], None);
    assert_eq!(again.code, 5, "{}", again.stderr);
    assert!(again.stderr.contains("already assigned to `tom@crew.example`"), "{}", again.stderr);
    let moved = env.run(&["--format", "json", "order", "assign", "1", "tia@crew.example"], None);
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    let order: serde_json::Value = serde_json::from_str(&moved.stdout).unwrap();
    assert_eq!(
        (order["status"].as_str(), order["worker_login"].as_str()),
        (Some("assigned"), Some("tia@crew.example"))
    );
}

#[test]
fn a_worker_busy_at_a_time_does_not_make_another_worker_busy() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "gardening", "--at", "2026-12-01 10:00"]);
    env.login("bob@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "gardening", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    // Tom's job at 10:00 is his alone: Tia may take Bob's order at the same time.
    let run = env.run(&["order", "assign", "2", "tia@crew.example"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
