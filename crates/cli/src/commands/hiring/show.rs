//! `crew hiring show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline::{self, Application};
use crew_core::ids::ApplicationId;
use crew_core::wiring::StoredEvent;
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
    let application = ApplicationId::new(args.application);
    let (a, history) = app.read(|tx, ctx| {
        let (a, history) = pipeline::show(tx, ctx, application)?;
        let history = history.iter().map(StoredEvent::decode).collect::<crew_core::Result<Vec<_>>>()?;
        Ok((a, history))
    })?;
    if app.out.format != crate::cli::Format::Table {
        #[derive(Serialize)]
        struct View<'a> {
            #[serde(flatten)]
            application: &'a Application,
            history: &'a [StoredEvent],
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
            e.event.summary(&|a| format!("#{a}")),
        ]
    })
}
