//! `crew completions SHELL`.

use anyhow::Result;
use clap::{Args, CommandFactory};
use crew_core::authz::Action;

use crate::cli::Cli;

/// Print a shell completion script
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew completions bash > ~/.local/share/bash-completion/completions/crew")]
pub struct CompletionsArgs {
    /// The shell to complete for
    shell: clap_complete::Shell,
}

pub const ACTIONS: &[Action] = &[];

pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "crew", &mut buf);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?;
    Ok(())
}
