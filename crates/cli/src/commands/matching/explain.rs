//! `crew matching explain`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::matching;

use super::logins;
use crate::context::App;
use crate::steps::run_external_steps;

/// Every candidate for an order, each step's score, and why the winner won
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  crew matching explain 7\n\nThe steps, weights and relaxations are the company's (`crew settings show`); external steps run\nonly as an admin registered them (`crew settings step list`)."
)]
pub struct ExplainArgs {
    order: String,
}

pub const ACTIONS: &[Action] = &[Action::ExplainMatching];

pub fn run(app: &mut App, args: ExplainArgs) -> Result<()> {
    let order: OrderId = args.order.parse()?;
    let mut batch = app.read(|tx, ctx| {
        matching::may_explain(tx, ctx, order)?;
        let settings = matching::settings(tx)?;
        matching::prepare(tx, &settings, Some(order), ctx.now)
    })?;
    run_external_steps(&mut batch)?;
    let explanation = matching::explain(&batch)?;
    let names = app.read(|tx, _| {
        let ids = explanation.candidates.iter().map(|c| c.worker).chain(explanation.worker);
        logins(tx, ids.chain(explanation.unavailable.iter().map(|u| u.worker)))
    })?;
    let verdict = explanation.verdict.describe(explanation.status, |w| names[&w].clone());
    if app.out.format != crate::cli::Format::Table {
        return app.out.record(&explanation, &[("order", order.to_string()), ("verdict", verdict)]);
    }
    let step_names: Vec<String> = batch.steps.iter().map(|s| format!("{} ×{}", s.name, s.weight)).collect();
    let mut headers: Vec<&str> = vec!["WORKER", "ZONE", "SKILLS", "LOAD"];
    headers.extend(step_names.iter().map(String::as_str));
    headers.push("TOTAL");
    crate::output::line(&format!("Order #{order} ({}): {verdict}", explanation.status))?;
    if let Some(r) = &explanation.relaxation {
        crate::output::line(&format!(
            "Candidates include workers of the {r} (in-zone workers are preferred when that serves as many orders)."
        ))?;
    }
    for u in &explanation.unavailable {
        let line = format!("Unavailable then: {} ({}): {}.", names[&u.worker], u.zone, u.reasons.join("; "));
        crate::output::line(&crate::output::shown_line(&line))?;
    }
    if explanation.candidates.is_empty() {
        return Ok(());
    }
    crate::output::line("")?;
    app.out.list(&explanation.candidates, &headers, |c| {
        let mut row = vec![
            format!("{}{}", names[&c.worker], if Some(c.worker) == explanation.worker { " *" } else { "" }),
            c.zone.to_string(),
            c.skills.to_string(),
            format!("{}/{}", c.load, c.capacity),
        ];
        row.extend(c.scores.iter().map(|(_, s)| format!("{s:.3}")));
        row.push(format!("{:.3}", c.total));
        row
    })
}
