//! `crew quality trends`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::quality::{self, TrendRow};
use crew_core::types::Login;
use serde::Serialize;

use super::steps;
use crate::context::{App, FromFlag};

/// Show worker trends per ISO week: completed, failed, cancelled, reviews and the rating they moved
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew quality trends\n  crew quality trends tom@crew.example --weeks 12")]
pub struct TrendsArgs {
    /// One worker (default: every worker)
    worker: Option<String>,
    /// How many weeks back from now (1–53)
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=53))]
    weeks: u32,
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

#[derive(Serialize)]
struct Shown {
    login: String,
    #[serde(flatten)]
    row: TrendRow,
}

pub fn run(app: &mut App, args: TrendsArgs) -> Result<()> {
    let login = args.worker.as_deref().map(Login::parse).transpose().flag("WORKER")?;
    let weeks = args.weeks;
    let list = app.read(|tx, ctx| {
        let worker = login.as_ref().map(|l| iam::find_worker(tx, l).map(|a| a.id)).transpose()?;
        let steps = steps(tx)?;
        let rows = quality::trends(tx, ctx, worker, weeks, &steps)?;
        rows.into_iter()
            .map(|row| Ok(Shown { login: iam::login_of(tx, row.worker)?, row }))
            .collect::<crew_core::Result<Vec<_>>>()
    })?;
    app.out.list(&list, &["WORKER", "WEEK", "COMPLETED", "FAILED", "CANCELLED", "REVIEWS", "RATING"], |s| {
        vec![
            s.login.clone(),
            s.row.week.clone(),
            s.row.completed.to_string(),
            s.row.failed.to_string(),
            s.row.cancelled.to_string(),
            s.row.reviews.to_string(),
            format!("{:+}", s.row.rating_change),
        ]
    })
}
