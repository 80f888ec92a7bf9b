//! `crew supplies poll`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::{KitId, OrderId};
use crew_core::supplies::{self, CookieJob, CookieOutcome};
use serde::Serialize;

use super::rules;
use crate::context::App;
use crate::contractor;

/// Order the cookies of new kits and collect the baked ones from the contractor (cron)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew supplies poll --dry-run     # what would be asked\n  CREW_TOKEN=… crew supplies poll  # every few minutes from cron (scripts/cron/cookies)\n\nEach kit's cookie is ordered under one idempotency key derived from the kit; an answer that\nnever came (timeout, dropped connection, 5xx) is asked again with the same key after a backoff\n(supplies.cookie_retry_minutes, doubling), so the contractor never bakes two cookies for one kit.\nThe contractor is `[contractor]` in crew.toml: the built-in sandbox unless it says otherwise."
)]
pub struct PollArgs {
    /// Show what would be asked, asking nothing
    #[arg(long)]
    dry_run: bool,
    /// At most this many questions in this run
    #[arg(long, default_value_t = 100)]
    limit: usize,
}

pub const ACTIONS: &[Action] = &[Action::OrderCookies];

#[derive(Serialize)]
struct Asked {
    kit: KitId,
    order: OrderId,
    asked: &'static str,
    result: String,
}

fn asked(job: &CookieJob) -> &'static str {
    match job {
        CookieJob::Order { .. } => "order",
        CookieJob::Check { .. } => "check",
    }
}

pub fn run(app: &mut App, args: PollArgs) -> Result<()> {
    let contractor = contractor::from_config(&app.config.file.contractor)?;
    let mut jobs = app.read(|tx, ctx| supplies::cookie_jobs(tx, ctx))?;
    jobs.truncate(args.limit);
    if !app.out.quiet {
        crate::output::warn(&format!("crew: asking {}", contractor.label()));
    }
    let headers = ["KIT", "ORDER", "ASKED", "RESULT"];
    let row = |a: &Asked| vec![a.kit.to_string(), a.order.to_string(), a.asked.to_string(), a.result.clone()];
    if args.dry_run {
        let plan: Vec<Asked> = jobs
            .iter()
            .map(|j| Asked { kit: j.kit(), order: order_of(j), asked: asked(j), result: "(dry run: not asked)".into() })
            .collect();
        return app.out.list(&plan, &headers, row);
    }
    let mut bar = app.progress("cookies", jobs.len());
    let mut done = Vec::with_capacity(jobs.len());
    for job in jobs {
        // The network is used outside any transaction; each answer is recorded in its own.
        let outcome = contractor.ask(&job, app.now);
        let (kit, changed) = app.write(|tx, ctx| {
            let rules = rules(tx)?;
            supplies::record_cookie(tx, ctx, job.kit(), outcome.clone(), &rules)
        })?;
        let result = match (&outcome, changed) {
            (CookieOutcome::Accepted { cookie, ready_at, .. }, true) => match ready_at {
                Some(t) => format!("ordered: {cookie}, ready at {}", app.show_time(*t)),
                None => format!("ordered: {cookie}"),
            },
            (CookieOutcome::Accepted { .. }, false) => "already ordered".into(),
            (CookieOutcome::Unknown { error }, _) => {
                let next = kit.cookie.next_attempt_at.map(|t| app.show_time(t)).unwrap_or_default();
                format!("no answer ({error}); asking again with the same key at {next}")
            }
            (CookieOutcome::Refused { reason }, _) => format!("refused: {reason}"),
            (CookieOutcome::StillBaking, _) => "still baking".into(),
            (CookieOutcome::Arrived { .. }, true) => "arrived".into(),
            (CookieOutcome::Arrived { .. }, false) => "had already arrived".into(),
        };
        crew_core::imports::Progress::advance(&mut bar, 1);
        done.push(Asked { kit: job.kit(), order: order_of(&job), asked: asked(&job), result });
    }
    drop(bar);
    app.out.list(&done, &headers, row)
}

fn order_of(job: &CookieJob) -> OrderId {
    match job {
        CookieJob::Order { order, .. } | CookieJob::Check { order, .. } => *order,
    }
}
