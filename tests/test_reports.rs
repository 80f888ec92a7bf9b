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
    // Each order on the day it is done, so its worker checks in within the window (an hour before).
    for at in ["2026-11-30 10:00", "2026-11-30 14:00", "2026-12-01 10:00", "2026-12-01 14:00", "2026-12-02 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
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
    env.now = "2026-11-30T09:00:00Z".into();
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

/// Billing's rows on the dashboards and `crew report billing`, on the known week: three orders
/// charged and completed by tom, one failed by tia (fined), then the week closed and collected.
#[test]
fn billing_shows_on_dashboards_and_in_its_report_with_the_ledgers_figures() {
    let mut env = a_known_week();
    let week = ["--from", "2026-11-30", "--to", "2026-12-06"];
    let json = |env: &Env, args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&env.ok(&all)).unwrap()
    };
    let cents = |v: &serde_json::Value| -> i64 {
        let s = v.as_str().unwrap_or_else(|| panic!("an amount, not {v}"));
        let (units, frac) = s.split_once('.').unwrap();
        units.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
    };

    // What the ledger says, independently: every charge and the fine.
    env.login("abe", PASSWORD);
    let balances = json(&env, &["billing", "balances"]);
    let company = |name: &str| {
        let b = balances.as_array().unwrap().iter().find(|b| b["account"] == name).unwrap_or_else(|| panic!("{name}"));
        cents(&b["debits"]) - cents(&b["credits"])
    };
    let (revenue, payouts, fines) =
        (-company("company:revenue"), company("company:worker_payouts"), -company("company:fines"));
    assert_eq!((revenue, payouts), (30000, 18000), "three orders at 100.00, 60% to the worker: {balances}");
    assert_eq!(fines, 4000, "one failed order, fined 40.00");

    let report = json(&env, &["report", "billing", week[0], week[1], week[2], week[3]]);
    let weeks = report["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 1, "2026-11-30 to 2026-12-06 is one week: {report}");
    assert_eq!(weeks[0]["week"], "2026-W49");
    assert_eq!(cents(&weeks[0]["revenue"]), revenue);
    assert_eq!(cents(&weeks[0]["earnings"]), payouts);
    assert_eq!(cents(&weeks[0]["fines"]), fines);
    assert_eq!(cents(&weeks[0]["collected"]), 0, "nothing collected before the week is closed");

    // Monday after: the accountant sees the week to close; cron closes and collects it.
    env.now = "2026-12-07T09:00:00Z".into();
    env.login("abe", PASSWORD);
    env.note("the accountant's Monday, before and after closing the week");
    env.step(&["dashboard"], None);
    let before = json(&env, &["dashboard"]);
    let cycles = &before["sections"][0];
    assert_eq!(cycles["key"], "cycles");
    assert_eq!(cycles["figures"]["weeks_to_close"], 1, "{before}");
    assert!(before.to_string().contains("never run: crew billing verify"), "{before}");
    env.ok(&["billing", "close-week"]);
    env.ok(&["billing", "verify"]);
    env.step(&["dashboard"], None);
    let after = json(&env, &["dashboard"]);
    assert_eq!(after["sections"][0]["figures"]["weeks_to_close"], 0, "{after}");
    assert_eq!(after["sections"][2]["key"], "verification");
    assert_eq!(after["sections"][2]["figures"]["passed"], 1, "{after}");
    assert!(after["sections"][2]["lines"][0].as_str().unwrap().starts_with("passed"), "{after}");

    let report = json(&env, &["report", "billing", "--from", "2026-11-30", "--to", "2026-12-13"]);
    let weeks = report["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 2, "{report}");
    assert_eq!(cents(&weeks[1]["collected"]), revenue, "the week's charges collected in W50: {report}");
    assert_eq!(cents(&weeks[1]["revenue"]), 0);

    env.login("tom@crew.example", PASSWORD);
    let tom = json(&env, &["dashboard"]);
    let billing = tom["sections"].as_array().unwrap().iter().find(|s| s["key"] == "billing").unwrap().clone();
    // #1 was completed on 30 November; #3 and #5 in December.
    assert_eq!(cents(&billing["amounts"]["earned"]), 12000, "December's earnings: {tom}");
    assert_eq!(cents(&billing["amounts"]["fines"]), 0, "tia was fined, not tom");
    env.note("tom's and tia's dashboards: earnings this month");
    env.step(&["dashboard"], None);
    env.login("tia@crew.example", PASSWORD);
    env.step(&["dashboard"], None);

    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-08 10:00"]);
    let ann = json(&env, &["dashboard"]);
    let due = ann["sections"].as_array().unwrap().iter().find(|s| s["key"] == "billing").unwrap().clone();
    assert_eq!(cents(&due["amounts"]["due"]), 0, "a new order is charged when it starts, not before: {ann}");
    env.note("ann's dashboard: nothing due yet this week");
    env.step(&["dashboard"], None);

    env.note("the billing report: who may see it, and as a page");
    env.step(&["report", "billing", "--from", "2026-11-30", "--to", "2026-12-13"], None);
    env.login("abe", PASSWORD);
    env.step(&["report", "billing", "--from", "2026-11-30", "--to", "2026-12-13"], None);
    env.step(&["report", "billing", "--from", "2024-01-01", "--to", "2026-12-13"], None);
    let page = env.path().join("money.html");
    let p = page.display().to_string();
    env.step(&["report", "billing", "--from", "2026-11-30", "--to", "2026-12-13", "--html", &p], None);
    insta::assert_snapshot!(env.transcript);

    let default = json(&env, &["report", "billing", "--to", "2026-12-13"]);
    let weeks: Vec<&str> = default["weeks"].as_array().unwrap().iter().map(|w| w["week"].as_str().unwrap()).collect();
    assert_eq!(weeks, ["2026-W47", "2026-W48", "2026-W49", "2026-W50"], "four weeks, --to's included");
    for (from, to) in [("+262142-12-31", "+262142-12-31"), ("1969-12-29", "1970-01-04"), ("9999-12-31", "+10000-01-01")]
    {
        let run = env.run(&["report", "billing", "--from", from, "--to", to], None);
        assert_eq!(run.code, 2, "{from}..{to}: {}", run.stderr);
    }
    let folder = format!("{}/", env.path().join("money.html").display());
    let run = env.run(&["report", "billing", "--html", &folder], None);
    assert_eq!((run.code, run.stderr.contains("not a folder")), (2, true), "{}", run.stderr);
    let dashboard = env.ok(&["--format", "csv", "dashboard"]);
    assert!(dashboard.starts_with("section,name,value\n"), "{dashboard}");
    assert!(
        dashboard.contains("\ncycles,weeks_to_close,0\n") && dashboard.contains("\nverification,passed,1\n"),
        "{dashboard}"
    );

    let csv = env.ok(&["--format", "csv", "report", "billing", "--from", "2026-11-30", "--to", "2026-12-13"]);
    assert_eq!(csv.lines().count(), 3, "a header and two weeks: {csv}");
    assert!(csv.starts_with("week,from,revenue,earnings"), "{csv}");

    let Some(browser) = chromium() else {
        assert!(std::env::var("CI").is_err(), "CI must have chromium: .ci/run installs it");
        return;
    };
    let dom = open_in_browser(&browser, &page, &page.with_extension("png"));
    assert!(dom.contains(r#"data-loaded="yes""#), "the page's script did not run: {dom}");
    assert_eq!(between(&dom, r#"<pre id="errors">"#, "</pre>"), "");
    // W49: revenue and earnings; W50: nothing charged or earned. Collected: W50 only.
    assert_eq!(between(&dom, r#"<pre id="marks">"#, "</pre>"), r#"{"revenue-and-payouts":2,"collections":1}"#);
}
