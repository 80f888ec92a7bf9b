//! `crew man`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use crew_core::authz::Action;

use crate::cli::Cli;

/// Print the man page (or write one page per command into a folder)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew man | man -l -\n  crew man --dir target/man")]
pub struct ManArgs {
    /// Write crew.1 and a page per command into this folder
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub const ACTIONS: &[Action] = &[];

pub fn run(args: ManArgs) -> Result<()> {
    let cmd = Cli::command();
    match args.dir.as_deref() {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf)?;
            std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)?;
            Ok(())
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))
                .map_err(crate::context::bad_input)?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write man pages into {}", dir.display()))
                .map_err(crate::context::bad_input)?;
            Ok(())
        }
    }
}
