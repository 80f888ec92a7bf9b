//! `crew quality queue`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::quality::{self, Case};
use serde::Serialize;

use crate::context::App;

/// List the review queue: cancelled and failed orders, and sampled completed ones
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew quality queue\n  crew quality queue --all --format csv   # reviewed ones too"
)]
pub struct QueueArgs {
    /// Reviewed cases too
    #[arg(long)]
    all: bool,
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    case: Case,
    worker_login: Option<String>,
}

pub fn run(app: &mut App, args: QueueArgs) -> Result<()> {
    let list = app.read(|tx, ctx| {
        let cases = quality::queue(tx, ctx, args.all)?;
        cases
            .into_iter()
            .map(|case| Ok(Shown { worker_login: case.worker.map(|w| iam::login_of(tx, w)).transpose()?, case }))
            .collect::<crew_core::Result<Vec<_>>>()
    })?;
    app.out.list(&list, &["ORDER", "WHY", "WORKER", "QUEUED", "REVIEWED"], |s| {
        vec![
            s.case.order.to_string(),
            s.case.reason.as_str().to_string(),
            s.worker_login.clone().unwrap_or_else(|| "(none)".into()),
            app.show_time(s.case.queued_at),
            if s.case.reviewed { "yes".into() } else { "no".into() },
        ]
    })
}
