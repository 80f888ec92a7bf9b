//! The `crew` command line: clap commands per context, configuration, output, sessions, files.
//!
//! `main.rs` is only the entry point; everything lives here so tests can walk the command tree.

pub mod cli;
pub mod commands;
pub mod config;
mod context;
mod files;
mod mailer;
mod output;
mod session;
mod steps;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// Runs crew with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
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
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "error: {e:#}");
    if kind.is_none() && verbose {
        let _ = writeln!(err, "{e:?}");
    }
    ExitCode::from(code as u8)
}
