//! Every list and show a user can print is a well-formed table and CSV: each row has as many
//! fields as the header (the reviewer found `service-type list` with 7 values under 5 headers, and
//! its CSV refused by the csv writer). The commands come from the real command tree: a new
//! `list` or `show` fails here until it has sample arguments.

use clap::CommandFactory;

use crate::common::{ADMIN_PASSWORD, Env, PASSWORD, fixture};

/// Every runnable command path, from the command tree (as the permission test walks it).
fn commands() -> Vec<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{prefix}{}", sub.get_name()).trim().to_string();
            let has_subs = sub.get_subcommands().any(|s| s.get_name() != "help");
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

/// The commands that print what crew holds (lists, records, reports as tables), with arguments
/// that find data in [`company_with_data`] and who runs them.
const READS: &[(&str, &[&str], &str)] = &[
    ("whoami", &[], "admin"),
    ("account list", &[], "admin"),
    ("account show", &["mia"], "admin"),
    ("account sessions", &["--all"], "admin"),
    ("service-type list", &["--all"], "admin"),
    ("order list", &[], "admin"),
    ("order show", &["1"], "admin"),
    ("order quote", &["--service", "cleaning", "--at", "2026-12-09 10:00"], "ann@example.com"),
    ("order agenda", &["--worker", "tom@crew.example", "--day", "2026-11-30"], "admin"),
    ("hiring test list", &[], "admin"),
    ("hiring test show", &["1"], "admin"),
    ("hiring set list", &[], "admin"),
    ("hiring list", &[], "admin"),
    ("hiring show", &["1"], "admin"),
    ("matching workers", &[], "admin"),
    ("matching profile", &["tom@crew.example"], "admin"),
    ("matching explain", &["3"], "admin"),
    ("matching hours", &["tom@crew.example"], "admin"),
    ("events list", &[], "admin"),
    ("outbox list", &[], "admin"),
    ("settings show", &[], "admin"),
    ("settings step list", &[], "admin"),
    ("billing due", &[], "ann@example.com"),
    ("billing charges", &[], "ann@example.com"),
    ("billing statement", &["tom@crew.example"], "abe"),
    ("billing invoices", &[], "abe"),
    ("billing balances", &[], "abe"),
    ("billing verify", &[], "abe"),
    ("supplies list", &[], "wes"),
    ("supplies show", &["1"], "wes"),
    ("supplies bom", &[], "wes"),
    ("supplies stock", &[], "wes"),
    ("quality queue", &[], "mia"),
    ("quality case", &["2"], "mia"),
    ("quality hypotheses", &["--all"], "mia"),
    ("quality trends", &[], "mia"),
    ("bets list", &["--all"], "mia"),
    ("bets show", &["3"], "mia"),
    ("dashboard", &[], "mia"),
    ("report operations", &[], "mia"),
    ("report quality", &[], "mia"),
    ("report billing", &[], "abe"),
];

/// ann's orders #1 (completed by tom), #2 (failed, reviewed), #3 (assigned, with a bet), an
/// application, a hiring test, a kit.
fn company_with_data() -> Env {
    let mut env = Env::company();
    let photo = |name: &str| fixture(&format!("tests/company/photos/{name}")).display().to_string();
    let hiring = |name: &str| fixture(&format!("tests/company/hiring/{name}")).display().to_string();
    env.ok(&["hiring", "test", "create", &hiring("test.toml")]);
    env.ok(&["hiring", "import", &hiring("applications.csv")]);
    let max = ["account", "create", "max", "--role", "manager", "--name", "Max", "--password-stdin"];
    env.ok_with(&max, Some(PASSWORD));
    env.login("ann@example.com", PASSWORD);
    for at in ["2026-11-30 10:00", "2026-12-01 10:00", "2026-12-02 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
    }
    env.login("mia", PASSWORD);
    env.ok(&["matching", "run"]);
    env.now = "2026-11-30T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "1", "--photo", &photo("door.jpg")]);
    env.ok(&["order", "complete", "1", "--photo", &photo("report.png")]);
    env.login("mia", PASSWORD);
    env.ok(&["order", "fail", "2", "--reason", "flooded, with a comma"]);
    env.ok(&["quality", "review", "2", "--verdict", "fault", "--cause", "late", "--hypothesis", "remind workers"]);
    env.login("max", PASSWORD);
    env.ok(&["bets", "place", "3", "--on", "completed", "--stake", "5.00"]);
    env
}

fn password(login: &str) -> &'static str {
    if login == "admin" { ADMIN_PASSWORD } else { PASSWORD }
}

#[test]
fn every_list_and_show_prints_as_many_fields_as_its_header_in_csv_and_table() {
    let env = company_with_data();
    let listed: Vec<&str> = READS.iter().map(|(c, _, _)| *c).collect();
    for command in commands() {
        let last = command.rsplit(' ').next().unwrap();
        assert!(
            !matches!(last, "list" | "show") || listed.contains(&command.as_str()),
            "`crew {command}` prints a list or record: add it to READS in tests/test_output_shapes.rs"
        );
    }
    for (command, args, who) in READS {
        assert!(commands().iter().any(|c| c == command), "`crew {command}` is no command");
        env.login(who, password(who));
        let mut argv: Vec<&str> = command.split(' ').collect();
        argv.extend_from_slice(args);
        for format in ["table", "csv"] {
            let mut full = vec!["--format", format];
            full.extend_from_slice(&argv);
            let run = env.run(&full, None);
            assert_eq!(run.code, 0, "crew {}: {}", full.join(" "), run.stderr);
            if format == "csv" && !run.stdout.trim().is_empty() {
                let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(run.stdout.as_bytes());
                let width = reader.headers().unwrap_or_else(|e| panic!("crew {}: {e}", full.join(" "))).len();
                let mut rows = 0;
                for record in reader.records() {
                    let record = record.unwrap_or_else(|e| panic!("crew {}: {e}\n{}", full.join(" "), run.stdout));
                    assert_eq!(record.len(), width, "crew {}:\n{}", full.join(" "), run.stdout);
                    rows += 1;
                }
                assert!(rows > 0 || run.stdout.lines().count() == 1, "crew {}:\n{}", full.join(" "), run.stdout);
            }
        }
    }
}

#[test]
fn service_types_list_with_their_duration_and_buffer_in_csv_and_table() {
    let mut env = Env::company();
    env.step(&["service-type", "list"], None);
    env.step(&["--format", "csv", "service-type", "list"], None);
    insta::assert_snapshot!(env.transcript);
}
