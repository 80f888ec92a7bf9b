//! `crew hiring rank`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::hiring::pipeline::{self, Top};
use crew_core::ids::TestSetId;

use crate::context::{App, FromFlag};

/// Everyone who took a set, best first, with percentiles
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew hiring rank 1\n  crew hiring rank 1 --top 3%    # the best 3 percent\n  crew hiring rank 1 --top 10    # the best 10 applicants\n\n\
With --top, everyone tied with the last one kept is kept too."
)]
pub struct RankArgs {
    set: i64,
    /// Only the best: a share with `%` (`3%`), or a number of applicants without (`10`)
    #[arg(long)]
    top: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ManageHiring];

pub fn run(app: &mut App, args: RankArgs) -> Result<()> {
    let set = TestSetId::new(args.set);
    let top = args.top.as_deref().map(Top::parse).transpose().flag("--top")?;
    let ranked = app.read(|tx, ctx| pipeline::rank(tx, ctx, set, top))?;
    app.out.list(&ranked, &["RANK", "APPLICATION", "NAME", "EMAIL", "SCORE", "PERCENTILE", "STATUS"], |r| {
        vec![
            r.rank.to_string(),
            r.application.to_string(),
            r.name.to_string(),
            r.email.to_string(),
            format!("{}/{}{}", r.score, r.max_score, if r.passed { "" } else { " (below pass mark)" }),
            format!("{:.1}", r.percentile),
            r.status.as_str().to_string(),
        ]
    })
}
