//! Hiring through the CLI: tests and sets, the public intake, scoring, ranking, accepting, and a
//! hired worker activating their account and joining the matching pool.

use crate::common::{Env, PASSWORD, fixture};

fn hiring(name: &str) -> String {
    fixture(&format!("tests/company/hiring/{name}")).display().to_string()
}

#[test]
fn from_application_to_a_worker_in_the_pool() {
    let mut env = Env::company();
    env.ok(&["outbox", "deliver"]);
    env.login("mia", PASSWORD);
    let applications = env.path().join("applications.csv");
    std::fs::write(
        &applications,
        "name,email,zone,strengths,weaknesses,age\n\
         Kit Purrington,kit@example.com,north,cleaning:4,,3\n\
         Lou Fluff,lou@example.com,south,cleaning;gardening:2,gardening,5\n\
         No Mail,,north,cleaning,,2\n\
         Kit Purrington,KIT@example.com,north,cleaning:4;repairs:2,,3\n\
         Old Tom,old@example.com,east,knitting:9,,12\n",
    )
    .unwrap();
    env.step(&["hiring", "test", "create", &hiring("test.toml")], None);
    env.step(&["hiring", "set", "create", "Cleaner 2026", "--tests", "1", "--description", "cleaning vacancy"], None);
    env.step(&["hiring", "import", "applications.csv"], None);
    env.step(&["hiring", "import", "applications.csv"], None);
    env.step(&["hiring", "list"], None);
    env.step(&["hiring", "accept", "1"], None);
    env.step(&["hiring", "assign", "1", "1"], None);
    env.step(&["hiring", "assign", "2", "1"], None);

    env.note("editing a held test makes version 2; the candidates keep version 1");
    let edited = env.path().join("test-v2.toml");
    std::fs::write(
        &edited,
        std::fs::read_to_string(hiring("test.toml")).unwrap().replace("pass_mark = 20", "pass_mark = 25"),
    )
    .unwrap();
    env.step(&["hiring", "test", "edit", "1", "test-v2.toml"], None);
    env.step(&["hiring", "test", "list"], None);
    env.step(&["hiring", "test", "delete", "1"], None);

    env.note("answers are scored by crew");
    std::fs::write(env.path().join("wrong.toml"), "[[test]]\nid = 1\nanswers = [1, 2]\n").unwrap();
    std::fs::write(env.path().join("lou.toml"), "[[test]]\nid = 1\nanswers = [2, 2, 1]\n").unwrap();
    env.step(&["hiring", "submit", "1", "wrong.toml"], None);
    env.step(&["hiring", "submit", "1", &hiring("answers.toml")], None);
    env.step(&["hiring", "submit", "2", "lou.toml"], None);
    env.step(&["hiring", "rank", "1"], None);
    env.step(&["hiring", "rank", "1", "--top", "3%"], None);
    env.step(&["hiring", "accept", "1", "--reason", "top 3%"], None);
    env.step(&["hiring", "accept", "1"], None);
    env.step(&["hiring", "reject", "2", "--reason", "below the pass mark"], None);
    env.step(&["hiring", "show", "1"], None);
    env.note("a re-sent application does not rewrite one that was tested");
    std::fs::write(
        env.path().join("again.csv"),
        "name,email,zone,strengths\nLou Fluff,lou@example.com,north,cleaning:5;repairs:5\n",
    )
    .unwrap();
    env.step(&["hiring", "import", "again.csv"], None);
    std::fs::write(
        env.path().join("twice.toml"),
        "[[test]]\nid = 1\nanswers = [2, 1, 2]\n[[test]]\nid = 1\nanswers = [1, 1, 1]\n",
    )
    .unwrap();
    env.step(&["hiring", "set", "create", "Doubled", "--tests", "1,1"], None);
    env.step(&["matching", "profile", "lou@example.com"], None);
    env.step(&["outbox", "deliver"], None);
    env.note("the managers' digest of the hour's intake goes out when the hour is over");
    env.now = "2026-11-30T09:00:00Z".into();
    env.step(&["outbox", "deliver"], None);
    env.now = "2026-11-30T08:00:00Z".into();
    insta::assert_snapshot!(env.transcript);

    // The new worker activates with the mailed secret, logs in, and sees their (empty) orders.
    let mail = std::fs::read_dir(env.path().join("crew-mail"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|m| m.contains("To: lou@example.com") && m.contains("Subject: Welcome to crew"))
        .expect("lou's activation mail");
    let secret = mail.split_whitespace().find(|w| w.starts_with("act_")).expect("a secret in the mail");
    let db = env.database_bytes();
    assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()), "the secret is not stored");
    let wrong = env.run(&["account", "activate", "lou@example.com", "--stdin"], Some("act_wrong\nkit-password\n"));
    assert_eq!(wrong.code, 3, "{}", wrong.stderr);
    let input = format!("{secret}\nkit-password\n");
    env.ok_with(&["account", "activate", "lou@example.com", "--stdin"], Some(&input));
    let again = env.run(&["account", "activate", "lou@example.com", "--stdin"], Some(&input));
    assert_eq!(again.code, 3, "a secret works once: {}", again.stderr);
    env.login("lou@example.com", "kit-password");
    assert!(env.ok(&["whoami"]).contains("worker"));
}

#[test]
fn the_summary_of_an_import_is_one_line_whatever_the_files_name() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    std::fs::write(env.path().join("evil\nname.csv"), "name,email,zone,strengths\nA,a@x.example,north,cleaning\n")
        .unwrap();
    let out = env.ok(&["hiring", "import", "evil\nname.csv"]);
    assert_eq!(out.lines().count(), 1, "{out:?}");
    assert!(out.contains("1 new"), "{out}");
}

#[test]
fn strict_names_the_files_first_bad_row_whether_refused_or_unreadable() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    // Line 2 is refused (a level of 7), line 3 cannot be read (three fields of four): line 2.
    std::fs::write(
        env.path().join("two.csv"),
        "name,email,zone,strengths\nA,a@x.example,north,weaving:7\nB,b@x.example,north\n",
    )
    .unwrap();
    let run = env.run(&["hiring", "import", "two.csv", "--strict"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("line 2") && run.stderr.contains("level 7"), "{}", run.stderr);
    // The other way round: line 2 cannot be read, line 3 is refused: line 2.
    std::fs::write(
        env.path().join("two.csv"),
        "name,email,zone,strengths\nB,b@x.example,north\nA,a@x.example,north,weaving:7\n",
    )
    .unwrap();
    let run = env.run(&["hiring", "import", "two.csv", "--strict"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("line 2") && run.stderr.contains("fields"), "{}", run.stderr);
    let list: Vec<serde_json::Value> = serde_json::from_str(&env.ok(&["--format", "json", "hiring", "list"])).unwrap();
    assert!(list.is_empty(), "nothing kept");
}

#[test]
fn a_file_of_blank_lines_is_no_rows_and_makes_no_room_for_them() {
    // 48 million line breaks after the header: no row at all. Room made for each line was
    // gigabytes (an abort where the address space is limited, as here to 3 GiB).
    let env = Env::company();
    env.login("mia", PASSWORD);
    let mut text = b"name,email,zone,strengths\n".to_vec();
    text.resize(text.len() + 48_000_000, b'\n');
    std::fs::write(env.path().join("blank.csv"), &text).unwrap();
    for strict in [false, true] {
        let mut args = vec!["--format", "json", "hiring", "import", "blank.csv"];
        if strict {
            args.push("--strict");
        }
        let mut cmd = env.command(&args);
        // SAFETY: between fork and exec only setrlimit runs, which is async-signal-safe.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                let limit = libc::rlimit { rlim_cur: 3 << 30, rlim_max: 3 << 30 };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let run = env.run_with(cmd, None);
        assert_eq!(run.code, 0, "strict: {strict}: {}", run.stderr);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!((report["received"].as_u64(), report["invalid"].as_array().map(Vec::len)), (Some(0), Some(0)));
    }
}

#[test]
fn a_csv_intake_taken_while_it_is_parsed_keeps_what_the_same_rows_as_json_lines_keep() {
    // 3,000 rows over three chunks of the streamed reader and past a thousand emails looked up at
    // a time: repeated emails (one known already), rows refused for their email or their
    // strengths, a refused row that is an email's last, CRLF line endings, quoted commas.
    let rows: Vec<(String, String, String)> = (0..3000)
        .map(|i| {
            let who = i % 1400;
            let email = match i % 89 {
                0 => format!("not-an-email-{i}"),
                _ => format!("cat{who}@example.com"),
            };
            let strengths = match i % 53 {
                0 => "weaving:7".to_string(),
                _ => format!("cleaning:{}", 1 + i % 5),
            };
            (format!("Cat {who}, the {i}th"), email, strengths)
        })
        .collect();
    let mut csv = String::from("name,email,zone,strengths\r\n");
    let mut jsonl = String::new();
    for (name, email, strengths) in &rows {
        csv.push_str(&format!("\"{name}\",{email},north,{strengths}\r\n"));
        jsonl.push_str(&format!(
            "{{\"name\": \"{name}\", \"email\": \"{email}\", \"zone\": \"north\", \"strengths\": \"{strengths}\"}}\n"
        ));
    }
    let known = "name,email,zone,strengths\nKnown Cat,cat7@example.com,south,gardening\n";
    let mut kept = Vec::new();
    for (file, text) in [("flood.csv", &csv), ("flood.jsonl", &jsonl)] {
        let env = Env::company();
        env.login("mia", PASSWORD);
        std::fs::write(env.path().join("known.csv"), known).unwrap();
        env.ok(&["hiring", "import", "known.csv"]);
        std::fs::write(env.path().join(file), text).unwrap();
        let run = env.run(&["--format", "json", "hiring", "import", file], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let list: Vec<serde_json::Value> =
            serde_json::from_str(&env.ok(&["--format", "json", "hiring", "list", "--limit", "5000"])).unwrap();
        let mut by_email: Vec<(String, String, String)> =
            list.iter().map(|a| (a["email"].to_string(), a["name"].to_string(), a["strengths"].to_string())).collect();
        by_email.sort();
        kept.push((report, by_email));
    }
    let (csv_report, csv_kept) = &kept[0];
    let (json_report, json_kept) = &kept[1];
    // The JSON Lines file has no header line: its row N is the CSV file's line N + 1.
    let mut json_report = json_report.clone();
    for refused in json_report["invalid"].as_array_mut().unwrap() {
        let line: u64 = refused["location"].as_str().unwrap().trim_start_matches("line ").parse().unwrap();
        refused["location"] = format!("line {}", line + 1).into();
    }
    assert_eq!(csv_report, &json_report, "the same report, the same rows refused at the same lines");
    assert_eq!(csv_kept, json_kept, "the same applications, each with its email's last valid row");
    assert_eq!(csv_report["updated"], 1, "the known email revised");
    assert_eq!(csv_kept.len(), 1400);
}

#[test]
fn a_flood_of_applications_leaves_one_row_per_email() {
    let env = Env::company();
    env.login("mia", PASSWORD);
    let mut csv = String::from("name,email,zone,strengths\n");
    for i in 0..1000 {
        let who = i % 150;
        match i % 97 {
            0 => csv.push_str("Broken,,north,cleaning\n"),
            1 => csv.push_str(&format!("Cat {who},cat{who}@example.com,north,weaving:7\n")),
            _ => csv.push_str(&format!("Cat {who},cat{who}@example.com,north,cleaning:{}\n", 1 + i % 5)),
        }
    }
    std::fs::write(env.path().join("flood.csv"), &csv).unwrap();
    let run = env.run(&["--format", "json", "hiring", "import", "flood.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["received"], 150);
    assert_eq!(report["invalid"].as_array().unwrap().len(), 22);
    assert_eq!(report["invalid"][0]["location"], "line 2");
    let list: Vec<serde_json::Value> = serde_json::from_str(&env.ok(&["--format", "json", "hiring", "list"])).unwrap();
    assert_eq!(list.len(), 150, "one application per email");
    // Importing the same file again changes nothing.
    let again: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "hiring", "import", "flood.csv"])).unwrap();
    assert_eq!((again["received"].as_u64(), again["updated"].as_u64()), (Some(0), Some(0)));
    // A JSON Lines file with a line that is not UTF-8: that line is reported, the rest taken.
    let mut bytes =
        b"{\"name\": \"Ada\", \"email\": \"ada@example.com\", \"zone\": \"north\", \"strengths\": \"cleaning\"}\n"
            .to_vec();
    bytes.extend_from_slice(
        b"{\"name\": \"B\xe9a\", \"email\": \"bea@example.com\", \"zone\": \"north\", \"strengths\": \"cleaning\"}\n",
    );
    std::fs::write(env.path().join("web.jsonl"), bytes).unwrap();
    let web: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "hiring", "import", "web.jsonl"])).unwrap();
    assert_eq!(web["received"], 1);
    assert_eq!(web["invalid"][0]["location"], "line 2");
    // A header naming a column twice refuses the file.
    std::fs::write(env.path().join("twice.csv"), "name,email,zone,strengths,email\nA,a@x.io,north,cleaning,b@x.io\n")
        .unwrap();
    assert_eq!(env.run(&["hiring", "import", "twice.csv"], None).code, 2);
    // --strict refuses the whole file at the first bad row.
    let strict = env.run(&["hiring", "import", "flood.csv", "--strict"], None);
    assert_eq!(strict.code, 2);
    assert!(strict.stderr.contains("line 2: field `email` is required"), "{}", strict.stderr);
}

#[test]
fn an_intake_whose_quote_never_closes_is_refused_whole_naming_the_line() {
    let env = Env::company();
    // Ann's weaknesses open a quote that never closes: read as written, Bob's and Cid's rows
    // would become her text. The file is refused, with or without --strict, and nothing is kept.
    let text = "name,email,zone,strengths,weaknesses\nAnn,ann@x.example,north,cleaning,\"shy\nBob,bob@x.example,north,cleaning,\nCid,cid@x.example,north,cleaning,\n";
    std::fs::write(env.path().join("open.csv"), text).unwrap();
    for strict in [false, true] {
        let args: &[&str] =
            if strict { &["hiring", "import", "open.csv", "--strict"] } else { &["hiring", "import", "open.csv"] };
        let out = env.run(args, None);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("open.csv: line 2: a quoted field opened here is never closed"), "{}", out.stderr);
    }
    let listed: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "hiring", "list"])).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");
}

#[test]
fn an_intake_with_a_record_of_more_than_a_thousand_fields_or_a_mebibyte_is_refused_whole() {
    let env = Env::company();
    // Good rows, then a row of 2,000 commas (in a file read in pieces and streamed: 700 KB), or
    // one quoted field of 2 MiB; JSON Lines with a record of 2,000 values is one refused row.
    let mut rows = String::from("name,email,zone,strengths,weaknesses\n");
    for i in 0..20_000 {
        rows.push_str(&format!("A{i},a{i}@x.example,north,cleaning,\n"));
    }
    let wide = format!("{rows}Bob,bob@x.example,north,cleaning{}\n", ",".repeat(2_000));
    let long = format!("{rows}Bob,bob@x.example,north,cleaning,\"{}\"\n", "shy\n".repeat(1 << 19));
    for (file, text, said) in [
        ("wide.csv", wide, "wide.csv: line 20002: a record of more than 1,000 fields"),
        ("long.csv", long, "long.csv: line 20002: a quoted field that runs on for more than 1 MiB"),
    ] {
        std::fs::write(env.path().join(file), text).unwrap();
        let out = env.run(&["hiring", "import", file], None);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains(said), "{}", out.stderr);
    }
    let listed: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "hiring", "list"])).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "nothing kept: {listed}");
    let nulls = vec!["null"; 2_000].join(",");
    let jsonl = format!(
        "{{\"name\": \"Ann\", \"email\": \"ann@x.example\", \"zone\": \"north\", \"strengths\": \"cleaning\"}}\n\
         {{\"name\": \"Bob\", \"email\": \"bob@x.example\", \"zone\": \"north\", \"x\": [{nulls}]}}\n"
    );
    std::fs::write(env.path().join("wide.jsonl"), jsonl).unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "hiring", "import", "wide.jsonl"])).unwrap();
    assert_eq!(out["received"], 1, "{out}");
    assert_eq!(out["invalid"][0]["location"], "line 2", "{out}");
    let reason = out["invalid"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("a record of more than 1,000 values"), "{out}");
}

#[test]
fn an_intakes_files_are_refused_saying_what_is_wrong_with_them() {
    let env = Env::company();
    let missing = env.run(&["hiring", "import", "gone.csv"], None);
    assert_eq!(missing.code, 4, "not found: {}", missing.stderr);
    assert!(missing.stderr.contains("cannot read gone.csv: it does not exist"), "{}", missing.stderr);
    let folder = env.run(&["import", "gone-folder"], None);
    assert_eq!(folder.code, 4, "not found: {}", folder.stderr);
    assert!(folder.stderr.contains("cannot read gone-folder: it does not exist"), "{}", folder.stderr);
    std::fs::write(env.path().join("empty.csv"), "").unwrap();
    let empty = env.run(&["hiring", "import", "empty.csv"], None);
    assert_eq!(empty.code, 2);
    assert!(empty.stderr.contains("empty.csv: the file is empty"), "{}", empty.stderr);
    // A breed with a bell character in it: the field is named, and called a value, not a name;
    // a short row is "1 field".
    std::fs::write(
        env.path().join("odd.csv"),
        "name,email,zone,strengths,breed\nAnn,ann@x.example,north,cleaning,sia\u{7}mese\nBob\n",
    )
    .unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&env.ok(&["--format", "json", "hiring", "import", "odd.csv"])).unwrap();
    assert_eq!(out["invalid"][0]["reason"], "field `breed`: the value must not contain control characters", "{out}");
    assert_eq!(out["invalid"][1]["reason"], "1 field where the header has 5", "{out}");
}

#[test]
fn a_flood_of_bad_rows_is_counted_and_only_its_first_ten_thousand_named() {
    let env = Env::company();
    // 12,000 rows that cannot be read (one field where the header has four), then one good row;
    // as CSV (taken while it is parsed) and as JSON Lines (parsed first).
    let mut csv = String::from("name,email,zone,strengths\n");
    let mut jsonl = String::new();
    for _ in 0..12_000 {
        csv.push_str("x\n");
        jsonl.push_str("x\n");
    }
    csv.push_str("Ann,ann@x.example,north,cleaning\n");
    jsonl.push_str(
        "{\"name\": \"Ann\", \"email\": \"ann@x.example\", \"zone\": \"north\", \"strengths\": \"cleaning\"}\n",
    );
    std::fs::write(env.path().join("bad.csv"), csv).unwrap();
    std::fs::write(env.path().join("bad.jsonl"), jsonl).unwrap();
    for (file, first, last) in [("bad.csv", "line 2", "line 10001"), ("bad.jsonl", "line 1", "line 10000")] {
        let out = env.run(&["--format", "json", "hiring", "import", file], None);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(report["invalid_rows"], 12_000, "{file}");
        let named = report["invalid"].as_array().unwrap();
        assert_eq!(named.len(), 10_000, "{file}");
        assert_eq!((named[0]["location"].as_str(), named[9_999]["location"].as_str()), (Some(first), Some(last)));
        assert!(out.stderr.contains("2000 more refused rows are counted, not named"), "{}", out.stderr);
        let table = env.run(&["hiring", "import", file], None);
        assert!(table.stdout.contains("12000 invalid"), "{}", table.stdout);
        assert!(table.stderr.contains("… and 11980 more invalid rows (the first 10000 with"), "{}", table.stderr);
    }
}

#[test]
fn an_intakes_blank_lines_are_skipped_its_line_breaks_kept_and_its_refused_rows_listed_as_csv() {
    let env = Env::company();
    // Old Mac line ends (a lone CR), lines of spaces and tabs, a quoted two-line field, a refused
    // row with a 100,000-character email.
    let long = "a".repeat(100_000);
    let text = format!(
        "name,email,zone,strengths,weaknesses\r  \r\t\rJo,jo@x.example,north,cleaning,\"one\rtwo\"\r \rLong,{long},north,cleaning,\r"
    );
    std::fs::write(env.path().join("mac.csv"), text).unwrap();
    let refused = env.ok(&["--format", "csv", "hiring", "import", "mac.csv"]);
    let want = format!(
        "location,reason\nline 7,field `email`: `{}…` (100000 characters) is not a valid email address: it is longer than 254 characters\n",
        "a".repeat(64)
    );
    assert_eq!(refused, want);
    let shown: serde_json::Value = serde_json::from_str(&env.ok(&["--format", "json", "hiring", "show", "1"])).unwrap();
    assert_eq!(shown["weaknesses"], "one\ntwo", "{shown}");
}
