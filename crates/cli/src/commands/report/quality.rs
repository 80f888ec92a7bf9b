//! `crew report quality`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;

use super::html::{self, Chart, Series, VERDICTS};
use super::operations::{rate_chart, worker_rows};
use super::{Period, figures, write_page};
use crate::context::App;

/// Review verdicts and causes, completion rate per worker and hypotheses, for a period
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew report quality --html quality.html\n  crew report quality --from 2026-11-01 --to 2026-11-30 --format json\n  crew report quality --format csv > causes.csv   # one table: verdict,cause,reviews\n\nJSON names each worker by id and login. CSV holds one table, the verdicts with their causes."
)]
pub struct QualityArgs {
    #[command(flatten)]
    period: Period,
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

pub fn run(app: &mut App, args: QualityArgs) -> Result<()> {
    let r = figures(app, &args.period)?;
    let f = &r.figures;
    let verdicts = Chart {
        id: "review-verdicts",
        title: "Reviews by verdict",
        labels: f.verdicts.iter().map(|(v, _)| v.as_str().to_string()).collect(),
        series: vec![Series { name: "reviews", color: VERDICTS, values: f.verdicts.iter().map(|(_, n)| *n).collect() }],
        unit: "reviews",
        y_max: None,
    };
    let causes: Vec<Vec<String>> =
        f.causes.iter().map(|c| vec![c.verdict.as_str().to_string(), c.cause.clone(), c.reviews.to_string()]).collect();
    let hypotheses: Vec<Vec<String>> = f
        .hypotheses
        .iter()
        .map(|h| {
            let cases: Vec<String> = h.cases.iter().map(|o| format!("#{o}")).collect();
            let status = match &h.closed {
                Some(c) => format!("closed {}: {}", app.show_time(c.closed_at), c.reason),
                None => "open".to_string(),
            };
            vec![h.hypothesis.clone(), cases.join(" "), status]
        })
        .collect();
    if let Some(path) = &args.period.html {
        let rate = rate_chart(&r);
        let sections = vec![
            html::figure(&verdicts)?,
            html::table(&["verdict", "cause", "reviews"], &causes),
            html::figure(&rate)?,
            html::table(&["worker", "completed", "failed", "completion rate"], &worker_rows(&r)),
            "<h2>Hypotheses</h2>".to_string(),
            html::table(&["hypothesis", "cases", "status"], &hypotheses),
        ];
        let page = html::page("Quality", &format!("{} to {} ({})", f.from, f.to, app.tz()), &sections);
        write_page(path, &page)?;
        return app.out.note(&format!(
            "Wrote {} (charts: {} {}, {} {}).",
            path.display(),
            verdicts.id,
            html::marks(&verdicts),
            rate.id,
            html::marks(&rate)
        ));
    }
    match app.out.format {
        crate::cli::Format::Json => {
            let workers: Vec<WorkerShown> =
                f.workers.iter().map(|w| WorkerShown { login: r.login(w.worker), row: w.clone() }).collect();
            let shown = Shown {
                from: f.from,
                to: f.to,
                days: &f.days,
                workers,
                verdicts: &f.verdicts,
                causes: &f.causes,
                hypotheses: &f.hypotheses,
            };
            return app.out.record(&shown, &[]);
        }
        // One table in CSV: the verdicts with their causes.
        crate::cli::Format::Csv => return app.out.list(&causes, &["VERDICT", "CAUSE", "REVIEWS"], Clone::clone),
        crate::cli::Format::Table => {}
    }
    app.out.list(&causes, &["VERDICT", "CAUSE", "REVIEWS"], Clone::clone)?;
    app.out.list(&worker_rows(&r), &["WORKER", "COMPLETED", "FAILED", "COMPLETION RATE"], Clone::clone)?;
    app.out.list(&hypotheses, &["HYPOTHESIS", "CASES", "STATUS"], Clone::clone)
}

/// A worker's row with their login beside their id (JSON).
#[derive(serde::Serialize)]
struct WorkerShown {
    login: String,
    #[serde(flatten)]
    row: crew_core::quality::report::WorkerRow,
}

/// The figures as JSON: `Figures` with each worker's login.
#[derive(serde::Serialize)]
struct Shown<'a> {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    days: &'a [crew_core::quality::report::DayRow],
    workers: Vec<WorkerShown>,
    verdicts: &'a [(crew_core::quality::Verdict, u32)],
    causes: &'a [crew_core::quality::report::CauseRow],
    hypotheses: &'a [crew_core::quality::Hypothesis],
}
