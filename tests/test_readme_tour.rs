//! The README's tour, run as written: every `crew …` line of its first `sh` block, in order, in a
//! fresh folder where `fixtures/` is the repository's, with nothing from the caller's environment.
//! A line that asks for a password gets the one its comment names (`… password tuna-demo …`)
//! through `--password-stdin`, as if typed at the prompt; a later `crew login` of the same login
//! reuses it. So the tour cannot name an order it never placed, a photo that does not exist or a
//! login nobody gave a password.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::common::{Env, crew_bin, fixtures_root};

/// The tour's clock: the day before its orders.
const NOW: &str = "2026-11-30T08:00:00Z";

/// The `crew …` lines of the first ```sh block after `## A tour`, with their comments.
fn tour_lines(readme: &str) -> Vec<(String, String)> {
    let tour = &readme[readme.find("## A tour").expect("the README has a tour")..];
    let block = &tour[tour.find("```sh\n").expect("the tour has a sh block") + 6..];
    let block = &block[..block.find("```").expect("the block ends")];
    block
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("crew "))
        .map(|l| {
            let (command, comment) = split_comment(l);
            (command.trim().to_string(), comment.trim().to_string())
        })
        .collect()
}

/// `crew x "a # b"   # comment` → the command and the comment (a `#` inside quotes is text).
fn split_comment(line: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted && line[..i].ends_with(' ') => return (&line[..i], &line[i + 1..]),
            _ => {}
        }
    }
    (line, "")
}

/// Shell words: split at spaces, `"…"` keeps spaces (the tour needs no more of the shell).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in command.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            _ => (word.push(c), any = true).1,
        }
    }
    assert!(!quoted, "unbalanced quotes in `{command}`");
    if any {
        out.push(word);
    }
    out
}

/// The password a comment names: the first word after the last "password" that could be one (8 or more
/// letters, digits, `-` or `_`).
fn password_in(comment: &str) -> Option<String> {
    let after = &comment[comment.rfind("password")? + "password".len()..];
    after
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .find(|w| w.len() >= 8)
        .map(str::to_string)
}

fn run_tour(dir: &Path, lines: &[(String, String)]) -> String {
    let mut passwords: HashMap<String, String> = HashMap::new();
    let mut transcript = String::new();
    let env = Env::new();
    for (command, comment) in lines {
        let mut args = words(command);
        assert_eq!(args.remove(0), "crew");
        let named = password_in(comment);
        // Which commands ask for a password, and whose it becomes or is.
        let prompt_for = match args.first().map(String::as_str) {
            Some("init") => Some("admin".to_string()),
            Some("login") => Some(args[1].clone()),
            Some("account") if args.get(1).map(String::as_str) == Some("reset-password") => Some(args[2].clone()),
            _ => None,
        };
        let stdin = prompt_for.map(|login| {
            let password = named
                .clone()
                .or_else(|| passwords.get(&login).cloned())
                .unwrap_or_else(|| panic!("the tour never says the password of `{login}` (at `{command}`)"));
            passwords.insert(login, password.clone());
            args.push("--password-stdin".into());
            password
        });
        let mut cmd = Command::new(crew_bin());
        cmd.args(&args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", dir.join("home"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("CREW_NOW", NOW);
        let run = env.run_with(cmd, stdin.as_deref());
        assert_eq!(run.code, 0, "the README's tour fails at `{command}`:\n{}{}", run.stdout, run.stderr);
        transcript.push_str(&format!("$ {command}\n{}", run.stdout));
    }
    transcript
}

#[test]
fn the_readme_tour_runs_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let lines = tour_lines(&readme);
    let commands: Vec<&str> = lines.iter().map(|(c, _)| c.as_str()).collect();
    for step in ["crew init", "crew import fixtures/demo/", "crew matching run", "crew order check-in 1 --photo"] {
        assert!(commands.iter().any(|c| c.starts_with(step)), "the tour lost `{step}…`: {commands:#?}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(fixtures_root(), dir.path().join("fixtures")).unwrap();
    let transcript = run_tour(dir.path(), &lines);
    // It did what it says: the database is ./crew.db, and order 1 went all the way.
    assert!(dir.path().join("crew.db").is_file());
    let shown = transcript.split("$ crew order show 1\n").nth(1).unwrap();
    assert!(shown.contains("completed"), "{shown}");
    assert!(shown.contains("tom@crew.example"), "{shown}");
}

#[test]
fn the_tour_reader_splits_lines_as_a_shell_would() {
    assert_eq!(
        split_comment(r#"crew order create --description "Kitchen # and hall"   # order 1"#),
        (r#"crew order create --description "Kitchen # and hall"   "#, " order 1")
    );
    assert_eq!(
        words(r#"crew order quote  --at "2026-12-01 10:00""#),
        ["crew", "order", "quote", "--at", "2026-12-01 10:00"]
    );
    assert_eq!(password_in("a manager (the demo staff's password is catnip-demo)").as_deref(), Some("catnip-demo"));
    assert_eq!(password_in("type password admin-demo (twice)").as_deref(), Some("admin-demo"));
    assert_eq!(password_in("who did what"), None);
}
