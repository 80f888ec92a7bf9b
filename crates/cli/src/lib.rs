//! The `crew` command line: clap commands per context, configuration, output, sessions, files.
//!
//! `main.rs` is only the entry point; everything lives here so tests can walk the command tree.

pub mod cli;
pub mod commands;
pub mod config;
mod context;
mod contractor;
mod files;
mod http;
mod mailer;
mod money;
mod output;
mod session;
mod steps;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// Runs crew with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    // Before anything opens a database: SQLite allocates through mimalloc too.
    let configured = crew_store::use_mimalloc();
    debug_assert!(configured, "SQLite started before crew_cli::main configured it");
    // Help and version go to stdout as clap writes them; a usage error may echo a value from the
    // command line, so it is shown inert (clap's own layout, its newlines, is kept).
    let refused = |e: clap::Error| -> ExitCode {
        if e.use_stderr() {
            let _ = write!(io::stderr().lock(), "{}", output::shown(&e.render().to_string()));
            return ExitCode::from(e.exit_code() as u8);
        }
        e.exit()
    };
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => return refused(e),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return refused(e),
    };
    // A format from the flag or the environment beats crew.toml's; clap's default does not.
    cli.global.format_chosen =
        matches.value_source("format").is_some_and(|s| s != clap::parser::ValueSource::DefaultValue);
    let verbose = cli.global.verbose;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e, verbose),
    }
}

/// Prints an error the way a user can act on it, and picks the exit code of its kind.
fn report(e: &anyhow::Error, verbose: bool) -> ExitCode {
    // A closed pipe (`crew order list | head`) is not an error worth a word.
    if e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)) {
        return ExitCode::SUCCESS;
    }
    let kind = e.chain().find_map(|c| c.downcast_ref::<crew_core::Error>()).map(|ce| ce.kind);
    let code = kind.map_or(1, |k| k.exit_code());
    // A delivery that did not send everything has its own codes (6, 7) for cron.
    let code = e.downcast_ref::<commands::outbox::Shortfall>().map_or(code, |s| i32::from(s.code));
    // The message may echo input (a value, a file name): it is shown inert, on one line.
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "error: {}", output::shown_line(&format!("{e:#}")));
    if kind.is_none() && verbose {
        let _ = writeln!(err, "{}", output::shown(&format!("{e:?}")));
    }
    ExitCode::from(code as u8)
}

#[cfg(test)]
mod layering {
    /// The shell reaches the database only through the contexts' command and query functions
    /// (which check roles and ownership), never by calling a storage trait on the transaction.
    #[test]
    fn the_shell_calls_no_storage_method_directly() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if let Some(at) = code.find("tx.")
                        && code[at + 3..].chars().next().is_some_and(|c| c.is_ascii_lowercase())
                        && !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    {
                        offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "storage calls in the shell:\n{}", offenders.join("\n"));
    }
}
