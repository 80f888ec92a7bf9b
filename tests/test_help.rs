//! The command-line reference: every command has help with an example, and the whole reference
//! is a snapshot, so a changed flag shows up in review.

use clap::CommandFactory;

use crate::common::Env;

/// Every command path, and whether it is only a group of subcommands.
fn leaves(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<(Vec<String>, bool)>) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = prefix.clone();
        path.push(sub.get_name().to_string());
        let group = sub.get_subcommands().next().is_some() && sub.get_positionals().next().is_none();
        out.push((path.clone(), group));
        leaves(sub, path, out);
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    let mut paths = Vec::new();
    leaves(&crew_cli::cli::Cli::command(), vec![], &mut paths);
    let env = Env::new();
    let mut reference = String::new();
    for (path, is_group) in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = env.run(&args, None);
        assert_eq!(run.code, 0, "crew {} --help: {}", path.join(" "), run.stderr);
        // Groups too: `crew order --help` is where people look first.
        let what = if is_group { "group" } else { "command" };
        assert!(run.stdout.contains("Example"), "the {what} `crew {} --help` shows no example", path.join(" "));
        reference.push_str(&format!("==== crew {}\n{}\n", path.join(" "), run.stdout));
    }
    insta::assert_snapshot!(reference);
}

#[test]
fn completions_and_man_pages_are_generated() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.ok(&["completions", shell]);
        assert!(out.contains("order"), "{shell} completion mentions commands");
    }
    let man = env.ok(&["man"]);
    assert!(man.starts_with(".ie") || man.contains(".TH crew"), "{}", &man[..100.min(man.len())]);
    let dir = env.path().join("man");
    env.ok(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(dir.join("crew.1").is_file());
    assert!(dir.join("crew-order-create.1").is_file());
}

#[test]
fn a_closed_pipe_ends_json_output_quietly_too() {
    use std::process::Stdio;
    let env = Env::company();
    for _ in 0..3 {
        let mut cmd = env.command(&["--format", "json", "events", "list"]);
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{:?}", out);
        assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn a_closed_pipe_ends_crew_quietly() {
    use std::process::{Command, Stdio};
    let env = Env::new();
    let mut child = env.command(&["completions", "bash"]);
    let mut child = child.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = Command::new("true");
}
