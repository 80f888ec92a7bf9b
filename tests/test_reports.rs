//! The views people open first: `crew dashboard` per role.

use crate::common::{Env, PASSWORD};

#[test]
fn each_role_sees_what_it_needs_first_on_its_dashboard() {
    let mut env = Env::company();
    env.login("mia", PASSWORD);
    env.ok(&["supplies", "set-bom", "cleaning", "--item", "gloves:2"]);
    env.login("wes", PASSWORD);
    env.ok(&["supplies", "receive", "gloves", "3", "--reason", "first delivery"]);
    env.login("ann@example.com", PASSWORD);
    for at in ["2026-11-30 08:45", "2026-12-01 14:00", "2026-12-02 10:00", "2026-12-09 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
    }
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.ok(&["order", "assign", "2", "tom@crew.example"]);
    env.ok(&["order", "assign", "4", "tia@crew.example", "--force", "--reason", "training"]);
    env.ok(&["order", "fail", "4", "--reason", "worker ill"]);
    for who in ["mia", "wes", "tom@crew.example", "ann@example.com", "abe"] {
        env.login(who, PASSWORD);
        env.note(&format!("{who}'s dashboard"));
        env.step(&["dashboard"], None);
    }
    env.step(&["--format", "json", "dashboard"], None);
    insta::assert_snapshot!(env.transcript);
}

/// A week with known figures: Mon: #1 completed (tom), #2 cancelled; Tue: #3 completed (tom), #4
/// failed (tia); Wed: #5 completed (tom). Reviews: #4 fault, #2 fine, #1 praise (sampled).
fn a_known_week() -> Env {
    let mut env = Env::company();
    env.login("ann@example.com", PASSWORD);
    for day in 1..=5 {
        env.ok(&["order", "create", "--service", "cleaning", "--at", &format!("2026-12-1{day} 10:00")]);
    }
    env.ok(&["order", "cancel", "2", "--reason", "plans changed"]);
    env.login("mia", PASSWORD);
    for (order, worker) in
        [("1", "tom@crew.example"), ("3", "tom@crew.example"), ("4", "tia@crew.example"), ("5", "tom@crew.example")]
    {
        env.ok(&["order", "assign", order, worker, "--force", "--reason", "the test's plan"]);
    }
    let door = crate::common::fixture("tests/company/photos/door.jpg").display().to_string();
    let report = crate::common::fixture("tests/company/photos/report.png").display().to_string();
    let finish = |env: &Env, order: &str| {
        env.login("tom@crew.example", PASSWORD);
        env.ok(&["order", "check-in", order, "--photo", &door]);
        env.ok(&["order", "complete", order, "--photo", &report]);
    };
    finish(&env, "1");
    env.now = "2026-12-01T09:00:00Z".into();
    finish(&env, "3");
    env.login("mia", PASSWORD);
    env.ok(&["order", "fail", "4", "--reason", "worker did not come"]);
    env.now = "2026-12-02T09:00:00Z".into();
    finish(&env, "5");
    env.login("mia", PASSWORD);
    env.ok(&[
        "quality",
        "review",
        "4",
        "--verdict",
        "fault",
        "--cause",
        "did not come",
        "--hypothesis",
        "Remind workers the day before",
    ]);
    env.ok(&["quality", "review", "2", "--verdict", "fine", "--cause", "client changed plans"]);
    env.ok(&["quality", "sample", "3", "--seed", "1"]);
    env.ok(&["quality", "review", "1", "--verdict", "praise", "--cause", "spotless <b>really</b>"]);
    env
}

/// The Chromium the suite opens pages in, if installed (`.ci/run` installs it).
fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"].into_iter().find_map(|name| {
        let found = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())?;
        Some(String::from_utf8_lossy(&found.stdout).trim().to_string())
    })
}

/// Opens `page` in headless Chromium: the DOM after its scripts ran, and a screenshot.
fn open_in_browser(browser: &str, page: &std::path::Path, shot: &std::path::Path) -> String {
    let home = tempfile::tempdir().unwrap();
    let run = |extra: &[String]| {
        let out = std::process::Command::new(browser)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1200,2000"])
            .arg(format!("--user-data-dir={}", home.path().display()))
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .env("HOME", home.path())
            .output()
            .expect("chromium runs");
        assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&[format!("--screenshot={}", shot.display())]);
    run(&["--dump-dom".to_string()])
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start} in the page")) + start.len();
    &text[from..from + text[from..].find(end).unwrap()]
}

#[test]
fn a_week_rendered_as_reports_loads_in_a_browser_with_the_expected_marks() {
    let mut env = a_known_week();
    env.step(&["report", "operations", "--from", "2026-11-30", "--to", "2026-12-06"], None);
    env.step(&["report", "quality", "--from", "2026-11-30", "--to", "2026-12-06"], None);
    env.step(&["report", "quality", "--from", "2026-12-06", "--to", "2026-11-30"], None);
    let ops = env.path().join("reports/operations.html");
    let qual = env.path().join("reports/quality.html");
    std::fs::create_dir(env.path().join("reports")).unwrap();
    for (kind, path) in [("operations", &ops), ("quality", &qual)] {
        let p = path.display().to_string();
        env.step(&["report", kind, "--from", "2026-11-30", "--to", "2026-12-06", "--html", &p], None);
    }
    insta::assert_snapshot!(env.transcript);

    let json: serde_json::Value = serde_json::from_str(&env.ok(&[
        "--format",
        "json",
        "report",
        "operations",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-06",
    ]))
    .unwrap();
    assert_eq!(json["days"].as_array().unwrap().len(), 7);
    assert_eq!(json["days"][1]["failed"], 1);

    for path in [&ops, &qual] {
        let html = std::fs::read_to_string(path).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600);
        // Self-contained: the only URLs are SVG's namespace names, never something to fetch.
        let fetched = html.match_indices("http").filter(|(at, _)| !html[..*at].ends_with("xmlns=\"")).count();
        assert_eq!(fetched, 0, "a URL in {}", path.display());
        assert!(!html.contains("<b>really</b>"), "text from people is escaped");
    }
    let Some(browser) = chromium() else {
        assert!(std::env::var("CI").is_err(), "CI must have chromium: .ci/run installs it");
        eprintln!("skipped the browser check: no chromium on PATH (CI installs it)");
        return;
    };
    for (path, expected) in
        [(&ops, r#"{"orders-per-day":5,"completion-rate":1}"#), (&qual, r#"{"review-verdicts":3,"completion-rate":1}"#)]
    {
        let shot = path.with_extension("png");
        let dom = open_in_browser(&browser, path, &shot);
        assert!(dom.contains(r#"data-loaded="yes""#), "the page's script did not run: {dom}");
        assert_eq!(between(&dom, r#"<pre id="errors">"#, "</pre>"), "", "errors in {}", path.display());
        assert_eq!(between(&dom, r#"<pre id="marks">"#, "</pre>"), expected, "marks in {}", path.display());
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a screenshot of {}", path.display());
    }
}

#[test]
fn reports_as_csv_hold_their_rows_and_as_json_name_workers_by_login() {
    let env = a_known_week();
    let period = ["--from", "2026-11-30", "--to", "2026-12-06"];
    let csv = |kind: &str| {
        let mut args = vec!["--format", "csv", "report", kind];
        args.extend_from_slice(&period);
        env.ok(&args)
    };
    let ops = csv("operations");
    let lines: Vec<&str> = ops.lines().collect();
    assert_eq!(lines[0], "day,completed,failed,cancelled", "{ops}");
    assert_eq!(lines.len(), 8, "a header and seven days: {ops}");
    assert_eq!(lines[2], "2026-12-01,1,1,0", "{ops}");
    let quality = csv("quality");
    let lines: Vec<&str> = quality.lines().collect();
    assert_eq!(lines[0], "verdict,cause,reviews", "{quality}");
    assert!(lines.contains(&"fault,did not come,1"), "{quality}");
    for kind in ["operations", "quality"] {
        let mut args = vec!["--format", "json", "report", kind];
        args.extend_from_slice(&period);
        let json: serde_json::Value = serde_json::from_str(&env.ok(&args)).unwrap();
        let logins: Vec<&str> =
            json["workers"].as_array().unwrap().iter().map(|w| w["login"].as_str().unwrap()).collect();
        assert_eq!(logins, ["tom@crew.example", "tia@crew.example"], "{kind}: {json}");
        assert!(json["workers"][0]["worker"].is_u64(), "the id stays beside the login");
    }
    let mut args = vec!["report", "quality"];
    args.extend_from_slice(&period);
    let table = env.ok(&args);
    assert!(table.contains("COMPLETION RATE") && table.contains("tom@crew.example"), "per worker: {table}");
}
