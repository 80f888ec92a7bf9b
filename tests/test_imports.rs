//! Imports: all or nothing, idempotent by email, bad rows named by file, line and field.

use crate::common::{ADMIN_PASSWORD, Env};

fn write(env: &Env, name: &str, text: &str) -> String {
    let path = env.path().join(name);
    std::fs::write(&path, text).unwrap();
    name.to_string()
}

fn fresh() -> Env {
    let env = Env::new();
    env.ok_with(&["init", "--password-stdin"], Some(ADMIN_PASSWORD));
    env.login("admin", ADMIN_PASSWORD);
    env
}

#[test]
fn a_bad_row_aborts_the_whole_import_and_names_file_line_and_field() {
    let mut env = fresh();
    let cases = [
        ("bad-email.csv", "name,email,zone\nAnn,ann@example.com,north\nBob,bob-at-example,south\n"),
        ("missing-field.csv", "name,email,zone\nAnn,ann@example.com,north\nBob,,south\n"),
        ("unknown-column.csv", "name,email,zone,shoe_size\nAnn,ann@example.com,north,4\n"),
        ("missing-column.csv", "name,email\nAnn,ann@example.com\n"),
        ("short-row.csv", "name,email,zone\nAnn,ann@example.com,north\nBob,bob@example.com\n"),
        ("duplicate.csv", "name,email,zone\nAnn,ann@example.com,north\nAnnie,ANN@example.com,south\n"),
        ("bad-payment.csv", "name,email,zone,payment_method\nAnn,ann@example.com,north,bitcoin\n"),
        (
            "bad-zone.json",
            "[{\"name\": \"Ann\", \"email\": \"ann@example.com\", \"zone\": \"north\"}, {\"name\": \"Bob\", \"email\": \"bob@example.com\", \"zone\": \"south side\"}]",
        ),
        ("float.json", "[{\"name\": \"Ann\", \"email\": \"ann@example.com\", \"zone\": 1.5}]"),
        ("broken.json", "[{\"name\": \"Ann\",\n \"email\": }]"),
        (
            "lines.jsonl",
            "{\"name\": \"Ann\", \"email\": \"ann@example.com\", \"zone\": \"north\"}\n{\"name\": \"Bob\", \"zone\": \"south\"}\n",
        ),
        ("clients.txt", "name,email,zone\n"),
    ];
    for (name, text) in cases {
        let file = write(&env, name, text);
        env.step(&["import", "clients", &file], None);
    }
    env.step(&["import", "clients", "no-such-file.csv"], None);
    let bad_skills = write(&env, "workers.csv", "name,email,zone,skills\nTom,tom@crew.example,north,cleaning:9\n");
    env.step(&["import", "workers", &bad_skills], None);
    let no_skills = write(&env, "workers2.csv", "name,email,zone,skills\nTom,tom@crew.example,north,\n");
    env.step(&["import", "workers", &no_skills], None);
    insta::assert_snapshot!(env.transcript);
    // Nothing of any of it was kept: only the admin's account and login events exist.
    assert_eq!(env.ok(&["--format", "csv", "account", "list"]).lines().count(), 2);
    assert_eq!(env.event_count(), 2);
}

#[test]
fn importing_the_same_file_twice_changes_nothing_and_a_changed_row_updates() {
    let mut env = fresh();
    let csv = write(&env, "clients.csv", "name,email,zone\nAnn,ann@example.com,north\nBob,bob@example.com,south\n");
    let json = write(
        &env,
        "clients.json",
        r#"[{"name": "Ann", "email": "ann@example.com", "zone": "north"}, {"name": "Bob Paws", "email": "bob@example.com", "zone": "centre", "payment_method": "invoice", "phone": null}]"#,
    );
    env.step(&["import", "clients", &csv], None);
    let events = env.event_count();
    env.step(&["import", "clients", &csv], None);
    assert_eq!(env.event_count(), events, "a repeated import records nothing");
    env.step(&["import", "clients", &json], None);
    env.step(&["account", "show", "bob@example.com"], None);
    let workers = write(
        &env,
        "workers.jsonl",
        "{\"name\": \"Tom\", \"email\": \"tom@crew.example\", \"zone\": \"north\", \"skills\": \"cleaning:3\", \"capacity\": 2}\n",
    );
    env.step(&["import", "workers", &workers], None);
    env.step(&["import", "workers", &workers], None);
    let clash = write(&env, "clash.csv", "name,email,zone,skills\nAnn,ann@example.com,north,cleaning:1\n");
    env.step(&["import", "workers", &clash], None);
    env.step(&["events", "list"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_company_folder_imports_in_one_transaction() {
    let mut env = fresh();
    let company = crate::common::fixture("tests/company");
    let copy = env.path().join("company");
    std::fs::create_dir(&copy).unwrap();
    for f in ["staff.toml", "service-types.toml", "clients.csv"] {
        std::fs::copy(company.join(f), copy.join(f)).unwrap();
    }
    // A bad worker row at the end: nothing before it may be kept.
    std::fs::write(
        copy.join("workers.csv"),
        "name,email,zone,skills\nTom,tom@crew.example,north,cleaning:3\nTia,tia@crew.example,south,knitting\n",
    )
    .unwrap();
    env.step(&["import", "company"], None);
    assert_eq!(env.event_count(), 2);
    std::fs::write(copy.join("workers.csv"), "name,email,zone,skills\nTom,tom@crew.example,north,cleaning:3\n")
        .unwrap();
    env.step(&["import", "company"], None);
    env.step(&["import", "company"], None);
    env.step(&["import", "nowhere"], None);
    insta::assert_snapshot!(env.transcript);
}

/// The codes `crew service-type list` (with `extra` flags) prints, in order.
fn service_codes(env: &Env, extra: &[&str]) -> Vec<String> {
    let out = env.ok(&[&["--format", "json", "service-type", "list"][..], extra].concat());
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    rows.iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn service_type_list_shows_retired_types_only_with_all() {
    let env = Env::company();
    assert_eq!(service_codes(&env, &[]), ["cleaning", "gardening"]);
    env.ok(&["service-type", "retire", "gardening"]);
    assert_eq!(service_codes(&env, &[]), ["cleaning"]);
    assert_eq!(service_codes(&env, &["--all"]), ["cleaning", "gardening"]);
}

#[test]
fn a_service_type_import_counts_each_row_as_created_updated_or_unchanged() {
    let env = Env::company();
    env.ok(&["service-type", "retire", "gardening"]);
    let folder = env.path().join("types");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("service-types.toml"),
        "[[service_type]]\ncode = \"cleaning\"\nname = \"Home cleaning\"\ndescription = \"Rooms, kitchen and hall\"\nskills = \"cleaning:2\"\n\n\
         [[service_type]]\ncode = \"gardening\"\nname = \"Gardens, retired: left alone\"\n\n\
         [[service_type]]\ncode = \"windows\"\nname = \"Window cleaning\"\nskills = \"cleaning:1\"\n\n\
         [[service_type]]\ncode = \"moving\"\nname = \"Moving\"\n",
    )
    .unwrap();
    let counts = |env: &Env| {
        let out = env.ok(&["--format", "json", "import", "types"]);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        (
            rows[0]["created"].as_u64().unwrap(),
            rows[0]["updated"].as_u64().unwrap(),
            rows[0]["unchanged"].as_u64().unwrap(),
        )
    };
    // cleaning as it is and gardening retired: unchanged; windows and moving: new.
    assert_eq!(counts(&env), (2, 0, 2));
    std::fs::write(
        folder.join("service-types.toml"),
        "[[service_type]]\ncode = \"windows\"\nname = \"Window cleaning\"\nskills = \"cleaning:2\"\n\n\
         [[service_type]]\ncode = \"moving\"\nname = \"Moving\"\n",
    )
    .unwrap();
    // windows with a new skill level: updated; moving: unchanged.
    assert_eq!(counts(&env), (0, 1, 1));
}

#[test]
fn a_json_key_named_twice_or_a_file_not_in_utf8_is_refused_naming_where() {
    let env = fresh();
    let twice = write(
        &env,
        "twice.json",
        "[{\"name\": \"Ann\", \"email\": \"ann@example.com\",\n  \"zone\": \"north\", \"email\": \"eve@example.com\"}]",
    );
    for args in [&["import", "clients", &twice][..], &["hiring", "import", &twice]] {
        let run = env.run(args, None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("twice.json") && run.stderr.contains("the key `email` appears twice"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("line 2"), "{}", run.stderr);
    }
    // A spreadsheet saved as Latin-1: "José" is one byte 0xE9 on line 3.
    std::fs::write(
        env.path().join("latin1.csv"),
        b"name,email,zone\r\nAnn,ann@example.com,north\r\nJos\xe9,jose@example.com,north\r\n",
    )
    .unwrap();
    for args in [&["import", "clients", "latin1.csv"][..], &["hiring", "import", "latin1.csv"]] {
        let run = env.run(args, None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("latin1.csv: line 3: not UTF-8 text (byte 4 of the line)"), "{}", run.stderr);
    }
    assert_eq!(env.ok(&["--format", "csv", "account", "list"]).lines().count(), 2, "nothing was imported");
    assert_eq!(env.event_count(), 2);
}
