//! `crew matching run`: the matching cycle.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::{Error, ErrorKind};
use crew_core::ids::OrderId;
use crew_core::matching;
use crew_core::ordering::Pricing;
use crew_core::settings;
use serde::Serialize;

use super::logins;
use crate::context::App;
use crate::steps::run_external_steps;

/// Assign every open order it can, in one optimal solve (cron, managers)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew matching run --dry-run     # the plan, changing nothing\n  CREW_TOKEN=… crew matching run\n\nFirst the most orders (earliest first), then the best total score; capacities respected.\nSteps, weights, relaxations and the price are the company's rules (`crew settings show`).\nSee docs/matching.md."
)]
pub struct RunArgs {
    /// Show the plan; assign nothing
    #[arg(long)]
    dry_run: bool,
}

pub const ACTIONS: &[Action] = &[Action::RunMatching];

#[derive(Serialize)]
struct Row {
    order: OrderId,
    status: &'static str,
    worker: Option<String>,
    score: Option<f64>,
    price: Option<String>,
    note: String,
}

/// How often the cycle starts again when the database changed under it.
const ATTEMPTS: usize = 3;

pub fn run(app: &mut App, args: RunArgs) -> Result<()> {
    let dry_run = args.dry_run;
    let spinner = crate::output::Bar::spinner("matching", !app.out.quiet);
    let mut attempt = 0;
    let report = loop {
        attempt += 1;
        // The steps and relaxations are the rules in force when the batch is read; the price, those
        // when the decision is recorded (a change of either in between starts the cycle again).
        let mut batch = app.read(|tx, ctx| {
            matching::may_run(ctx)?;
            let settings = matching::settings(tx)?;
            matching::prepare(tx, &settings, None, ctx.now)
        })?;
        // External programs run outside any transaction: the database stays free meanwhile.
        run_external_steps(&mut batch)?;
        let decision = matching::plan(&batch)?;
        let pricing = |tx: &mut dyn crew_core::wiring::Tx| -> crew_core::Result<Pricing> {
            Ok(Pricing::from_rules(&settings::rules(tx)?))
        };
        let result = if dry_run {
            app.read(|tx, _| {
                let pricing = pricing(tx)?;
                matching::report(tx, &batch, &decision, &pricing, true)
            })
        } else {
            app.write(|tx, ctx| {
                let pricing = pricing(tx)?;
                matching::commit(tx, ctx, &batch, &decision, &pricing)
            })
        };
        match result {
            Err(e)
                if attempt < ATTEMPTS && e.downcast_ref::<Error>().is_some_and(|e| e.kind == ErrorKind::Conflict) =>
            {
                continue;
            }
            other => break other?,
        }
    };
    drop(spinner);
    let currency = app.currency().to_string();
    let rows = app.read(|tx, _| {
        let names = logins(tx, report.assigned.iter().map(|a| a.worker))?;
        let mut rows: Vec<Row> = report
            .assigned
            .iter()
            .map(|a| Row {
                order: a.order,
                status: if dry_run { "would assign" } else { "assigned" },
                worker: Some(names[&a.worker].clone()),
                score: Some(a.score),
                price: Some(format!("{} {currency}", a.price)),
                note: a.relaxation.clone().unwrap_or_default(),
            })
            .collect();
        rows.extend(report.left_open.iter().map(|l| Row {
            order: l.order,
            status: "left open",
            worker: None,
            score: None,
            price: None,
            note: l.reason.clone(),
        }));
        Ok(rows)
    })?;
    app.out.list(&rows, &["ORDER", "STATUS", "WORKER", "SCORE", "PRICE", "NOTE"], |r| {
        vec![
            r.order.to_string(),
            r.status.to_string(),
            r.worker.clone().unwrap_or_default(),
            r.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
            r.price.clone().unwrap_or_default(),
            r.note.clone(),
        ]
    })?;
    let verb = if dry_run { "would assign" } else { "assigned" };
    app.out.note(&format!(
        "Matching {verb} {} order(s); {} left open.{}",
        report.assigned.len(),
        report.left_open.len(),
        if dry_run { " Dry run: nothing was changed." } else { "" }
    ))
}
