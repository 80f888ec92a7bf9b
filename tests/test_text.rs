//! Untrusted text stays inert wherever crew shows it, and the lines, times and messages crew
//! prints can be trusted: hostile intake rows, errors that echo input, CSV read by spreadsheets,
//! files exported from spreadsheets (CRLF), JSON of the wrong type, Unicode forms of one email,
//! the autumn clock change.

use crate::common::{Env, PASSWORD, Run, fixture};

/// The first character in `text` that would steer a terminal (C0/C1 controls but newline and tab,
/// DEL, bidi overrides and isolates), if any.
fn steering(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

fn assert_inert(args: &[&str], run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(c) = steering(text) {
            panic!("crew {args:?} printed {c:?} raw on {stream}:\n{text}");
        }
    }
}

/// Runs a step of the transcript and insists that nothing it printed can steer a terminal. The
/// command line itself is written to the transcript escaped, so the snapshot holds no raw
/// control characters either.
fn inert_step(env: &mut Env, args: &[&str]) -> Run {
    let shown: Vec<String> = args.iter().map(|a| escaped(a)).collect();
    let before = env.transcript.len();
    let run = env.step(args, None);
    let rest = env.transcript.split_off(before);
    // The command line takes as many lines as its arguments hold newlines, plus one.
    let breaks = args.iter().map(|a| a.matches('\n').count()).sum::<usize>() + 1;
    let first_line_end = rest.match_indices('\n').nth(breaks - 1).map_or(rest.len(), |(i, _)| i + 1);
    env.transcript.push_str(&format!("$ crew {}\n", shown.join(" ")));
    env.transcript.push_str(&rest[first_line_end..]);
    assert_inert(args, &run);
    run
}

fn escaped(arg: &str) -> String {
    let line_break = |c: char| matches!(c, '\n' | '\t' | '\u{2028}' | '\u{2029}');
    arg.chars()
        .map(|c| {
            if steering(&c.to_string()).is_some() || line_break(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[test]
fn hostile_intake_rows_are_refused_or_shown_inert_everywhere() {
    let mut env = Env::company();
    std::fs::write(
        env.path().join("intake.csv"),
        "name,email,zone,strengths,weaknesses,breed\n\
         Ann\u{1b}[2J\u{1b}[H,ann.h@example.com,north,cleaning,,\n\
         Bo,\"bo\u{1b}]0;pwned\u{7}@example.com\",north,cleaning,,\n\
         Cat \u{202e}gnp.exe,cat@example.com,north,cleaning,,\n\
         Dot,dot@example.com,north,cleaning,\"likes \u{202e}desrever\u{202c} and \u{2067}isolates\u{2069}\",-Siamese\n\
         \"=cmd|' /C calc'!A0\",eve@example.com,north,cleaning,,\n\
         Fay,+fay@example.com,north,cleaning,,\n\
         Gus,gus@example.com,north,cleaning,=1+2,@sum\n\
         Hal\u{9b}31m,hal@example.com,north,cleaning,,\n",
    )
    .unwrap();
    env.note("rows that set the title, clear the screen, reverse text or hold formulas");
    let run = inert_step(&mut env, &["hiring", "import", "intake.csv"]);
    assert!(run.stdout.contains("2 new"), "{}", run.stdout);
    assert!(run.stderr.contains("\\u{1b}]0;pwned\\u{7}"), "{}", run.stderr);
    inert_step(&mut env, &["hiring", "list"]);
    inert_step(&mut env, &["hiring", "show", "1"]);
    env.note("CSV for spreadsheets: formulas neutralised with a leading '");
    let csv = inert_step(&mut env, &["--format", "csv", "hiring", "show", "2"]);
    assert!(csv.stdout.contains(",'=1+2,") && csv.stdout.contains(",'@sum,"), "{}", csv.stdout);
    let csv = inert_step(&mut env, &["--format", "csv", "hiring", "show", "1"]);
    assert!(csv.stdout.contains(",'-Siamese,"), "{}", csv.stdout);
    env.note("JSON: the same strings, escaped");
    let json = inert_step(&mut env, &["--format", "json", "hiring", "show", "1"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        value["applicant"]["weaknesses"].as_str().or(value["weaknesses"].as_str()),
        Some("likes \u{202e}desrever\u{202c} and \u{2067}isolates\u{2069}"),
        "{value}"
    );
    inert_step(&mut env, &["--format", "json", "hiring", "import", "intake.csv"]);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn errors_that_echo_input_are_inert() {
    let mut env = Env::company();
    for args in [
        vec!["order", "show", "\u{1b}]0;owned\u{7}"],
        vec!["login", "\u{1b}[31mroot", "--password-stdin"],
        vec!["hiring", "rank", "\u{1b}[2J"],
        vec!["hiring", "rank", "\u{202e}1\u{1b}]0;x\u{7}"],
        vec!["order", "list", "--format", "\u{9b}31m"],
        vec!["order", "list", "--status", "\u{202e}nepo"],
        vec!["events", "list", "--since", "2026-11-30\u{1b}[8m"],
        vec!["import", "clients", "evil\u{1b}[2J.csv"],
        vec!["account", "show", "ann\u{7f}@example.com"],
        vec![
            "service-type",
            "add",
            "windows",
            "--name",
            "Windows",
            "--skills",
            "cleaning:2",
            "--description",
            "a\u{1}b",
        ],
    ] {
        let run = inert_step(&mut env, &args);
        assert_ne!(run.code, 0, "{args:?}");
        assert!(run.stderr.starts_with("error: ") || run.stderr.contains("error:"), "{args:?}: {}", run.stderr);
    }
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn csv_output_keeps_formulas_from_running_and_numbers_as_numbers() {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&[
        "order",
        "create",
        "--service",
        "cleaning",
        "--at",
        "2026-12-01 10:00",
        "--description",
        "=HYPERLINK(\"http://evil.example\",\"click\")",
    ]);
    let csv = env.ok(&["--format", "csv", "order", "show", "1"]);
    assert!(csv.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\","), "{csv}");
    let list = env.ok(&["--format", "csv", "order", "list"]);
    let row = list.lines().nth(1).unwrap();
    assert!(row.ends_with(",100.00"), "a price stays a number: {row}");
    // JSON is for exact values: nothing is prefixed there.
    let json = env.ok(&["--format", "json", "order", "show", "1"]);
    assert!(json.contains("\"description\": \"=HYPERLINK("), "{json}");
}

#[test]
fn files_exported_from_spreadsheets_name_the_physical_line() {
    let mut env = Env::company();
    let crlf = |name: &str| fixture(&format!("tests/crlf/{name}")).display().to_string();
    let run = env.step(&["import", "clients", &crlf("clients.csv")], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("clients.csv: line 5: field `email`"), "{}", run.stderr);
    let run = env.step(&["import", &crlf("company")], None);
    assert!(run.stderr.contains("clients.csv: line 3: field `email`"), "{}", run.stderr);
    env.note("the intake reports skipped rows on their lines, after a field spanning lines 3 to 5");
    let run = env.step(&["hiring", "import", &crlf("applications.csv")], None);
    for line in ["line 6: field `zone`", "line 7: 3 fields", "line 9: field `name`"] {
        assert!(run.stderr.contains(line), "{line}: {}", run.stderr);
    }
    assert!(run.stdout.contains("3 new"), "{}", run.stdout);
    env.step(&["hiring", "show", "2"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn json_values_of_the_wrong_type_are_refused_naming_file_item_and_field() {
    let mut env = Env::company();
    let cases = [
        ("zone-number.json", r#"[{"name": "Zed", "email": "zed@example.com", "zone": 42}]"#),
        ("name-bool.jsonl", r#"{"name": true, "email": "zed@example.com", "zone": "north"}"#),
        ("phone-object.json", r#"[{"name": "Zed", "email": "zed@example.com", "zone": "north", "phone": {"n": 1}}]"#),
    ];
    for (file, text) in cases {
        std::fs::write(env.path().join(file), text).unwrap();
        let run = env.step(&["import", "clients", file], None);
        assert_eq!(run.code, 2, "{file}: {}", run.stderr);
    }
    env.note("numbers are accepted where the field is a number");
    std::fs::write(
        env.path().join("workers.jsonl"),
        "{\"name\": \"Max\", \"email\": \"max@crew.example\", \"zone\": \"north\", \"skills\": \"cleaning:3\", \"capacity\": 2, \"rating\": 80, \"age\": 4}\n\
         {\"name\": \"Nia\", \"email\": \"nia@crew.example\", \"zone\": \"north\", \"skills\": \"cleaning:3\", \"capacity\": 2.5}\n",
    )
    .unwrap();
    let run = env.step(&["import", "workers", "workers.jsonl"], None);
    assert!(run.stderr.contains("workers.jsonl: line 2: field `capacity`: expected a whole number"), "{}", run.stderr);
    std::fs::write(
        env.path().join("workers.jsonl"),
        "{\"name\": \"Max\", \"email\": \"max@crew.example\", \"zone\": \"north\", \"skills\": \"cleaning:3\", \"capacity\": 2, \"rating\": 80, \"age\": 4}\n",
    )
    .unwrap();
    env.step(&["import", "workers", "workers.jsonl"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn one_email_in_two_unicode_forms_is_one_person() {
    let env = Env::company();
    let composed = "jos\u{e9}@example.com";
    let decomposed = "jose\u{301}@example.com";
    let apply = |email: &str, name: &str| {
        env.ok(&["hiring", "apply", "--name", name, "--email", email, "--zone", "north", "--strengths", "cleaning"])
    };
    assert!(apply(decomposed, "Jose\u{301}").contains("Application #1"));
    assert!(apply(composed, "Jos\u{e9}").contains("Application #1"), "the same application, not a second one");
    let list = env.ok(&["--format", "json", "hiring", "list"]);
    let apps: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(apps.len(), 1, "{list}");
    assert_eq!(apps[0]["email"], composed);
    // Clients: the decomposed form finds the composed account.
    std::fs::write(env.path().join("a.csv"), format!("name,email,zone\nJosé,{composed},north\n")).unwrap();
    std::fs::write(env.path().join("b.csv"), format!("name,email,zone\nJose\u{301},{decomposed},north\n")).unwrap();
    env.ok(&["import", "clients", "a.csv"]);
    let again = env.ok(&["--format", "json", "import", "clients", "b.csv"]);
    assert!(again.contains("\"unchanged\": 1") && again.contains("\"created\": 0"), "{again}");
    env.ok_with(&["account", "reset-password", decomposed, "--password-stdin"], Some(PASSWORD));
    env.login(composed, PASSWORD);
    assert!(env.ok(&["whoami"]).contains(composed));
}

#[test]
fn a_local_time_that_happens_twice_is_refused_and_shown_with_its_zone() {
    let mut env = Env::company();
    env.ok(&["settings", "set", "time_zone", "Europe/Berlin"]);
    env.login("ann@example.com", PASSWORD);
    env.note("2027-10-31 02:30 happens twice in Berlin: first in summer time (CEST), then in winter time (CET)");
    let run = env.step(&["order", "create", "--service", "cleaning", "--at", "2027-10-31 02:30"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("2027-10-31T02:30:00+02:00") && run.stderr.contains("2027-10-31T02:30:00+01:00"));
    env.step(&["order", "create", "--service", "cleaning", "--at", "2027-10-31T02:30:00+02:00"], None);
    env.step(&["order", "create", "--service", "cleaning", "--at", "2027-10-31T02:30:00+01:00"], None);
    env.step(&["order", "create", "--service", "cleaning", "--at", "2027-10-31 12:00"], None);
    env.step(&["order", "create", "--service", "cleaning", "--at", "2027-03-28 02:30"], None);
    env.step(&["order", "list"], None);
    env.login("admin", crate::common::ADMIN_PASSWORD);
    env.note("mail writes times in the company's zone, always labelled");
    let run = env.step(&["outbox", "list"], None);
    assert!(run.stdout.contains("2027-10-31 02:30 CEST") && run.stdout.contains("2027-10-31 02:30 CET"));
    assert!(run.stdout.contains("2027-10-31 12:00 CET"));
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn messages_name_the_flag_the_version_and_the_count() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    let hiring = |name: &str| fixture(&format!("tests/company/hiring/{name}")).display().to_string();
    env.ok(&["hiring", "test", "create", &hiring("test.toml")]);
    env.step(&["hiring", "test", "show", "1", "--version", "99"], None);
    env.step(&["hiring", "test", "show", "2"], None);
    env.step(
        &["hiring", "apply", "--name", "=Mo", "--email", "mo@example.com", "--zone", "north", "--strengths", "x"],
        None,
    );
    env.step(
        &["hiring", "apply", "--name", "Mo", "--email", "mo@example.com", "--zone", "north", "--strengths", "x:9"],
        None,
    );
    env.step(&["hiring", "set", "create", &"x".repeat(201), "--tests", "1"], None);
    env.step(&["hiring", "set", "create", "Cleaners", "--tests", "1", "--description", "tab\tok, bell\u{7} not"], None);
    env.step(&["hiring", "rank", "1", "--top", "three"], None);
    env.step(&["hiring", "rank", "1", "--top", "0%"], None);
    env.login("ann@example.com", PASSWORD);
    let long = "d".repeat(2001);
    env.step(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00", "--description", &long], None);
    env.step(&["order", "create", "--service", "clean ing", "--at", "2026-12-01 10:00"], None);
    env.step(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00", "--zone", "up town"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn hiring_rank_top_takes_a_share_with_percent_and_a_count_without() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    let hiring = |name: &str| fixture(&format!("tests/company/hiring/{name}")).display().to_string();
    env.ok(&["hiring", "test", "create", &hiring("test.toml")]);
    env.ok(&["hiring", "set", "create", "Cleaners", "--tests", "1"]);
    // Five takers with distinct scores: 25, 20, 15, 10 and 0 points.
    let answers = ["[2, 1, 2]", "[2, 1, 1]", "[2, 2, 2]", "[1, 1, 1]", "[1, 2, 1]"];
    for (i, a) in answers.iter().enumerate() {
        let email = format!("c{i}@example.com");
        env.ok(&["hiring", "apply", "--name", "Cand", "--email", &email, "--zone", "north", "--strengths", "cleaning"]);
        let id = (i + 1).to_string();
        env.ok(&["hiring", "assign", &id, "1"]);
        let file = env.path().join(format!("a{i}.toml"));
        std::fs::write(&file, format!("[[test]]\nid = 1\nanswers = {a}\n")).unwrap();
        env.ok(&["hiring", "submit", &id, file.to_str().unwrap()]);
    }
    let count = |top: &str| {
        let out = env.ok(&["--format", "json", "hiring", "rank", "1", "--top", top]);
        serde_json::from_str::<Vec<serde_json::Value>>(&out).unwrap().len()
    };
    assert_eq!(count("2"), 2, "a bare number is a count");
    assert_eq!(count("40%"), 2, "40% of five");
    assert_eq!(count("1%"), 1, "at least one");
    assert_eq!(count("9"), 5, "no more than there are");
}

#[test]
fn keys_stored_in_two_unicode_forms_are_reported_to_admins_until_settled() {
    // A SQLite database an older crew left: PostgreSQL never held a crew schema that old.
    crate::sqlite_only!();
    let mut env = Env::new();
    // The database an older crew (schema 4, before keys were normalised) left: an admin, a
    // manager, a client and an applicant stored with a composed key (`é`) and each with its
    // decomposed twin (`e` + U+0301).
    crew_store::write_old_schema(&env.db(), 4).unwrap();
    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let hash = |pw: &str| crew_core::iam::Password::parse(pw).unwrap().hash(&[9; 16]).unwrap();
        let at = "2026-11-30T08:00:00.000000Z";
        for (login, email, role, pw) in [
            ("admin", None, "admin", Some(hash(crate::common::ADMIN_PASSWORD))),
            ("mia", Some("mia@crew.example"), "manager", Some(hash(PASSWORD))),
            ("jos\u{e9}@example.com", Some("jos\u{e9}@example.com"), "client", None),
            ("jose\u{301}@example.com", Some("jose\u{301}@example.com"), "client", None),
        ] {
            conn.execute(
                "INSERT INTO accounts (login, name, email, role, active, password_hash, created_at)
                 VALUES (?1, 'José', ?2, ?3, 1, ?4, ?5)",
                rusqlite::params![login, email, role, pw, at],
            )
            .unwrap();
        }
        let candidate = r#"{"name":"José","zone":"north","strengths":"cleaning:3","weaknesses":"","age":null,"breed":null,"coat":null,"photo":null,"source":null}"#;
        for email in ["jos\u{e9}@example.com", "jose\u{301}@example.com"] {
            conn.execute(
                "INSERT INTO applications (email, candidate, status, tests, created_at, updated_at)
                 VALUES (?1, ?2, 'applied', '[]', ?3, ?3)",
                rusqlite::params![email, candidate, at],
            )
            .unwrap();
        }
    }
    // The first command brings the schema up to date (and the old database runs on the system
    // clock: no --now for a login); the test then marks it as a test database, whose clock is
    // chosen.
    let mut first = env.command(&["login", "admin", "--password-stdin"]);
    first.env_remove("CREW_NOW");
    let run = env.run_with(first, Some(crate::common::ADMIN_PASSWORD));
    assert_eq!(run.code, 0, "{}", run.stderr);
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute("INSERT INTO clock_policy (id, policy) VALUES (1, 'chosen')", [])
        .unwrap();
    env.note("the migration merges nothing; admins are told, with the ids");
    let run = env.step(&["account", "list", "--role", "client"], None);
    assert!(run.stderr.contains("warning: accounts #3, #4 share the key `jos\u{e9}@example.com`"), "{}", run.stderr);
    assert!(run.stderr.contains("warning: applications #1, #2 share the key"), "{}", run.stderr);
    assert!(run.stdout.contains("unicode-clash-4"), "the decomposed twin got a login that can be typed");
    env.note("others are not told of other people's keys");
    env.login("mia", PASSWORD);
    let run = env.step(&["order", "list"], None);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    env.note("the admin keeps one of each: the warnings end");
    env.login("admin", crate::common::ADMIN_PASSWORD);
    let run = env.step(&["account", "deactivate", "unicode-clash-4"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = env.step(&["hiring", "reject", "2", "--reason", "the same person as #1"], None);
    assert!(!run.stderr.contains("accounts #3"), "{}", run.stderr);
    let run = env.step(&["hiring", "list"], None);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn one_line_text_refuses_every_line_break_and_one_line_displays_escape_them() {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    env.login("mia", PASSWORD);
    let events = env.event_count();
    env.note("the reviewer's repro and its kind: a reason with a line break (newline, NEL, U+2028, U+2029, CR) or a tab is refused (exit 2)");
    let fake = "line1\nEvent #999 order_completed by admin";
    inert_step(&mut env, &["order", "assign", "1", "tom@crew.example", "--force", "--reason", fake]);
    for reason in ["a\u{85}b", "a\u{2028}b", "a\u{2029}b", "a\rb", "a\tb"] {
        let run = inert_step(&mut env, &["order", "fail", "1", "--reason", reason]);
        assert_eq!(run.code, 2, "{reason:?}: {}", run.stderr);
    }
    for args in [
        &["order", "cancel", "1", "--reason", fake][..],
        &["matching", "suspend", "tom@crew.example", "--reason", fake],
        &[
            "matching",
            "time-off",
            "add",
            "tom@crew.example",
            "--from",
            "2026-12-24",
            "--until",
            "2026-12-27",
            "--reason",
            fake,
        ],
        &["quality", "review", "1", "--verdict", "fault", "--cause", fake],
        &["quality", "review", "1", "--verdict", "fault", "--cause", "late", "--hypothesis", fake],
    ] {
        let run = inert_step(&mut env, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("must be one line: it holds a line break (U+000A)"), "{args:?}: {}", run.stderr);
    }
    assert_eq!(env.event_count(), events, "every refusal changed nothing");
    env.login("wes", PASSWORD);
    let run = inert_step(&mut env, &["supplies", "receive", "gloves", "5", "--reason", fake]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    env.note("multi-line text (a description) may hold a newline: a list's row stays one line (escaped), CSV quotes it; U+2028 is escaped everywhere");
    let description = "two\nlines Event #999 order_completed by admin\u{2028}sep";
    env.login("admin", crate::common::ADMIN_PASSWORD);
    inert_step(
        &mut env,
        &[
            "service-type",
            "add",
            "windows",
            "--name",
            "Windows",
            "--skills",
            "cleaning:2",
            "--description",
            description,
        ],
    );
    let list = inert_step(&mut env, &["service-type", "list"]);
    assert_eq!(list.stdout.lines().count(), 1 + 3, "a header and one line per service type:\n{}", list.stdout);
    assert!(list.stdout.contains("two\\u{a}lines Event #999 order_completed by admin\\u{2028}sep"), "{}", list.stdout);
    let json = inert_step(&mut env, &["--format", "json", "service-type", "list"]);
    assert!(!json.stdout.contains('\u{2028}') && json.stdout.contains("\\u2028"), "{}", json.stdout);
    let csv = inert_step(&mut env, &["--format", "csv", "service-type", "list"]);
    assert!(!csv.stdout.contains('\u{2028}'), "{}", csv.stdout);
    insta::assert_snapshot!(env.transcript);
}
