//! `crew supplies show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::KitId;
use crew_core::supplies;

use super::{fields, rules, shown};
use crate::context::App;

/// Show one kit: its items, cookie and state (with --form, the job acceptance form to print)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew supplies show 3\n  crew supplies show 3 --form | lp")]
pub struct ShowArgs {
    kit: String,
    /// Print the job acceptance form that goes in the kit instead
    #[arg(long)]
    form: bool,
}

pub const ACTIONS: &[Action] = &[Action::ViewKits];

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let id: KitId = args.kit.parse()?;
    if args.form {
        let tz = app.tz();
        let time = move |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string();
        let form = app.read(|tx, ctx| supplies::acceptance_form(tx, ctx, id, &time))?;
        for line in form {
            crate::output::line(&line)?;
        }
        return Ok(());
    }
    let s = app.read(|tx, ctx| {
        let rules = rules(tx)?;
        let v = supplies::show_kit(tx, ctx, id, &rules)?;
        shown(tx, v)
    })?;
    app.out.record(&s, &fields(app, &s))
}
