//! `crew service-type list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ordering;

use super::{HEADERS, cells};
use crate::context::App;

/// List service types
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew service-type list\n  crew service-type list --all")]
pub struct ListArgs {
    /// Include retired service types
    #[arg(long)]
    all: bool,
}

pub const ACTIONS: &[Action] = &[Action::ListServiceTypes];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let types = app.read(|tx, ctx| ordering::list_service_types(tx, ctx, args.all))?;
    app.out.list(&types, HEADERS, cells)
}
