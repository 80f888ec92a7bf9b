//! Every command × every role against the documented matrix in docs/permissions.md, so that a
//! new command cannot skip authorisation, and the docs cannot drift from what crew does.

use std::collections::BTreeMap;

use clap::CommandFactory;

use crate::common::{Env, PASSWORD, fixture};

const ROLES: [&str; 7] = ["admin", "manager", "accountant", "warehouse", "worker", "client", "service"];

/// The documented matrix: command → cell per role.
fn documented() -> BTreeMap<String, Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/permissions.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = BTreeMap::new();
    let mut in_table = false;
    for line in text.lines() {
        let cells: Vec<String> = line.trim().trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
        if line.starts_with("| command |") {
            assert_eq!(&cells[1..], ROLES.map(String::from), "the table's columns are the seven roles in order");
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("| ---") {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        rows.insert(cells[0].clone(), cells[1..].to_vec());
    }
    rows
}

/// Every command path a user can run (`order create`, `import`, …), from the real command tree.
fn commands() -> Vec<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{prefix}{}", sub.get_name()).trim().to_string();
            let has_subs = sub.get_subcommands().any(|s| s.get_name() != "help");
            // A command with subcommands is one itself if it takes arguments of its own
            // (`account sessions [LOGIN]`, `quality hypotheses [--all]`).
            let own_args = sub.get_arguments().any(|a| !a.is_global_set() && a.get_id() != "help");
            if !has_subs || own_args {
                out.push(path.clone());
            }
            walk(sub, &format!("{path} "), out);
        }
    }
    let mut out = Vec::new();
    walk(&crew_cli::cli::Cli::command(), "", &mut out);
    out
}

/// Arguments that make each command a real request (and its stdin, if it reads one).
fn sample(command: &str) -> (Vec<String>, Option<&'static str>) {
    let company = fixture("tests/company");
    let f = |name: &str| company.join(name).display().to_string();
    let args: Vec<String> = match command {
        "init"
        | "logout"
        | "whoami"
        | "man"
        | "account list"
        | "account sessions"
        | "service-type list"
        | "order list"
        | "events list"
        | "order sweep-no-shows"
        | "matching run"
        | "matching workers"
        | "outbox deliver"
        | "outbox list" => vec![],
        "outbox retry" => vec!["1".into()],
        "account activate" => vec!["tom@crew.example".into(), "--stdin".into()],
        "hiring test create" => vec![f("hiring/test.toml")],
        "hiring test edit" => vec!["1".into(), f("hiring/test.toml")],
        "hiring test show" | "hiring test delete" => vec!["1".into()],
        "hiring test list" | "hiring set list" | "hiring list" => vec![],
        "hiring set create" => ["Night shift", "--tests", "1"].map(String::from).to_vec(),
        "hiring set edit" => ["1", "--name", "Renamed"].map(String::from).to_vec(),
        "hiring apply" => ["--name", "Kit", "--email", "kit@example.com", "--zone", "north", "--strengths", "cleaning"]
            .map(String::from)
            .to_vec(),
        "hiring import" => vec![f("hiring/applications.csv")],
        "hiring assign" => ["1", "1"].map(String::from).to_vec(),
        "hiring submit" => vec!["1".into(), f("hiring/answers.toml")],
        "hiring accept" | "hiring reject" | "hiring show" => vec!["1".into()],
        "hiring rank" => vec!["1".into()],
        "matching explain" => vec!["2".into()],
        "settings show" | "settings step list" => vec![],
        "settings set" => ["ordering.no_show_grace_minutes", "40"].map(String::from).to_vec(),
        "settings import" => vec![fixture("tests/settings/rules.toml").display().to_string()],
        "settings step add" => ["check", "--program", "/bin/true"].map(String::from).to_vec(),
        "settings step approve" | "settings step remove" => vec!["check".into()],
        "matching profile" | "matching reinstate" => vec!["tom@crew.example".into()],
        "matching edit" => ["tia@crew.example", "--capacity", "2"].map(String::from).to_vec(),
        "matching suspend" => ["tia@crew.example", "--reason", "test"].map(String::from).to_vec(),
        "order agenda" => ["--day", "2026-12-01"].map(String::from).to_vec(),
        "matching hours" => ["tia@crew.example", "--set", "mon-fri 08:00-17:00"].map(String::from).to_vec(),
        "matching time-off add" => {
            ["tia@crew.example", "--from", "2026-12-24", "--until", "2026-12-27"].map(String::from).to_vec()
        }
        // No time off has this number: allowed roles get "not found", not a refusal by role.
        "matching time-off remove" => vec!["999".into()],
        // A refused login: a successful one would change whose session the rest runs in.
        "login" => vec!["nobody".into(), "--password-stdin".into()],
        "completions" => vec!["bash".into()],
        "account create" => {
            ["newbie", "--role", "manager", "--name", "New", "--password-stdin"].map(String::from).to_vec()
        }
        "account show" => vec!["mia".into()],
        // No session has this id: allowed roles get "not found", not a refusal by role.
        "account sessions revoke" => vec!["999".into()],
        "account deactivate" => vec!["wes".into()],
        "account set-role" => vec!["abe".into(), "manager".into()],
        "account reset-password" => vec!["bob@example.com".into(), "--password-stdin".into()],
        "import" => vec![company.display().to_string()],
        "import clients" => vec![f("clients.csv")],
        "import workers" => vec![f("workers.csv")],
        "service-type add" => ["windows", "--name", "Windows"].map(String::from).to_vec(),
        "service-type edit" => ["gardening", "--name", "Garden"].map(String::from).to_vec(),
        "service-type retire" => vec!["gardening".into()],
        "order quote" | "order create" => {
            ["--service", "cleaning", "--at", "2026-12-01 10:00"].map(String::from).to_vec()
        }
        "order show" | "order cancel" | "order reopen" => vec!["1".into()],
        "order copy" => ["1", "--at", "2026-12-03 10:00"].map(String::from).to_vec(),
        "order assign" => ["2", "tom@crew.example"].map(String::from).to_vec(),
        "order check-in" => vec!["1".into(), "--photo".into(), f("photos/door.jpg")],
        "order complete" => vec!["1".into(), "--photo".into(), f("photos/report.png")],
        "order fail" => ["1", "--reason", "test"].map(String::from).to_vec(),
        "billing due" | "billing charges" | "billing statement" | "billing balances" | "billing verify"
        | "billing invoices" | "billing reconcile" | "billing collect" => vec![],
        // Not ended at the test's time: allowed roles get a conflict, not a refusal by role.
        "billing close-week" => vec!["2026-W49".into()],
        "billing export" => ["--journal", "hledger"].map(String::from).to_vec(),
        "billing close-month" => vec!["2026-11".into()],
        "billing award" => ["tom@crew.example", "5.00", "--reason", "test"].map(String::from).to_vec(),
        "supplies list" | "supplies stock" | "supplies bom" => vec![],
        "supplies poll" => vec!["--dry-run".into()],
        "supplies show" | "supplies issue" => vec!["1".into()],
        "supplies cookie" => ["1", "--arrived"].map(String::from).to_vec(),
        "supplies deliveries" => vec!["/nonexistent-crew-inbox".into()],
        "supplies set-bom" => ["cleaning", "--item", "gloves:1"].map(String::from).to_vec(),
        "supplies receive" => ["gloves", "1", "--reason", "test"].map(String::from).to_vec(),
        "supplies adjust" => ["gloves", "--to", "0", "--reason", "test"].map(String::from).to_vec(),
        "quality queue" | "quality hypotheses" | "quality trends" | "dashboard" => vec![],
        "quality hypotheses close" => ["Remind workers", "--reason", "tested"].map(String::from).to_vec(),
        "report operations" | "report quality" | "report billing" => vec![],
        "quality sample" => ["1", "--seed", "1"].map(String::from).to_vec(),
        "quality case" => vec!["1".into()],
        "quality review" => ["1", "--verdict", "fine", "--cause", "test"].map(String::from).to_vec(),
        "bets place" => ["2", "--on", "completed", "--stake", "1.00"].map(String::from).to_vec(),
        "bets close" | "bets show" => vec!["2".into()],
        "bets list" => vec![],
        "db copy" => ["--to", "copy.db"].map(String::from).to_vec(),
        other => panic!("no sample arguments for `crew {other}`: add them to tests/test_permissions.rs"),
    };
    let stdin = args.iter().any(|a| a == "--password-stdin" || a == "--stdin").then_some(PASSWORD);
    (args, stdin)
}

/// A company where `role` is logged in (or holds a token), with order #1 assigned to tom and
/// order #2 open, both ann's.
fn as_role(role: &str) -> (Env, Option<String>) {
    let env = Env::company();
    env.login("ann@example.com", PASSWORD);
    for _ in 0..2 {
        env.ok(&["order", "create", "--service", "cleaning", "--at", "2026-12-01 10:00"]);
    }
    env.login("mia", PASSWORD);
    env.ok(&["order", "assign", "1", "tom@crew.example"]);
    env.login("admin", crate::common::ADMIN_PASSWORD);
    let token = match role {
        "service" => {
            Some(env.ok(&["account", "create", "cron", "--role", "service", "--name", "Cron"]).trim().to_string())
        }
        "admin" => None,
        "manager" => {
            env.login("mia", PASSWORD);
            None
        }
        "accountant" => {
            env.login("abe", PASSWORD);
            None
        }
        "warehouse" => {
            env.login("wes", PASSWORD);
            None
        }
        "worker" => {
            env.login("tom@crew.example", PASSWORD);
            None
        }
        "client" => {
            env.login("ann@example.com", PASSWORD);
            None
        }
        other => panic!("unknown role {other}"),
    };
    (env, token)
}

#[test]
fn every_command_is_in_the_documented_matrix() {
    let documented = documented();
    let commands = commands();
    for c in &commands {
        assert!(documented.contains_key(c), "`crew {c}` is missing from docs/permissions.md");
    }
    for c in documented.keys() {
        assert!(commands.contains(c), "docs/permissions.md lists `{c}`, which crew does not have");
    }
}

#[test]
fn every_role_may_run_exactly_what_the_matrix_allows() {
    let documented = documented();
    let mut commands = commands();
    // Logging out ends the session the rest needs: run it last.
    commands.sort_by_key(|c| c == "logout");
    let mut failures = Vec::new();
    for (i, role) in ROLES.iter().enumerate() {
        let (env, token) = as_role(role);
        for command in &commands {
            let (args, stdin) = sample(command);
            let mut full: Vec<&str> = command.split(' ').collect();
            full.extend(args.iter().map(String::as_str));
            let mut cmd = env.command(&full);
            if let Some(t) = &token {
                cmd.env("CREW_TOKEN", t);
            }
            let run = env.run_with(cmd, stdin);
            let cell = documented[command][i].as_str();
            let allowed = cell != "—";
            let denied_by_role = run.stderr.contains(" may not ");
            let ok = if allowed {
                !denied_by_role && (run.code != 3 || cell == "own" || cell == "anyone")
            } else {
                denied_by_role && run.code == 3
            };
            if !ok {
                failures.push(format!(
                    "{role} `crew {}` (documented: {cell}) → exit {}: {}",
                    full.join(" "),
                    run.code,
                    run.stderr.trim()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "crew disagrees with docs/permissions.md:\n{}", failures.join("\n"));
}
