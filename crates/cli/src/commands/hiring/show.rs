//! `crew hiring show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline::{self, Application};
use serde::Serialize;

use super::application_fields;
use crate::context::App;

/// One application and the history of every step
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  crew hiring show 42")]
pub struct ShowArgs {
    application: i64,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let application = args.application;
    let (a, history) = app.read(|tx, ctx| pipeline::show(tx, ctx, application))?;
    if app.out.format != crate::cli::Format::Table {
        #[derive(Serialize)]
        struct View<'a> {
            #[serde(flatten)]
            application: &'a Application,
            history: &'a [crew_core::events::StoredEvent],
        }
        return app.out.record(&View { application: &a, history: &history }, &application_fields(&a));
    }
    app.out.record(&a, &application_fields(&a))?;
    crate::output::line("")?;
    app.out.list(&history, &["SEQ", "AT", "TYPE", "SUMMARY"], |e| {
        vec![
            e.seq.to_string(),
            app.show_time(e.at),
            e.event.type_name().to_string(),
            e.event.summary(|a| format!("#{a}")),
        ]
    })
}
