//! `crew hiring test show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline;
use crew_core::ids::TestId;

use super::test_fields;
use crate::context::App;

/// Show a test (its current version, or --version N)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew hiring test show 1\n  crew hiring test show 1 --version 1")]
pub struct ShowArgs {
    test: i64,
    #[arg(long)]
    version: Option<u32>,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let t = app.read(|tx, ctx| pipeline::show_test(tx, ctx, TestId::new(args.test), args.version))?;
    if app.out.format != crate::cli::Format::Table {
        return app.out.record(&t, &test_fields(&t));
    }
    app.out.record(&t, &test_fields(&t))?;
    for (i, q) in t.spec.questions.iter().enumerate() {
        crate::output::line("")?;
        crate::output::one_line(&format!("{}. {} ({} points)", i + 1, q.text, q.points))?;
        for (j, o) in q.options.iter().enumerate() {
            let mark = if j + 1 == q.correct { "*" } else { " " };
            crate::output::one_line(&format!("   {mark} {}) {o}", j + 1))?;
        }
    }
    Ok(())
}
