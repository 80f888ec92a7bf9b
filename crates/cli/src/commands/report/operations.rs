//! `crew report operations`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use serde::Serialize;

use super::html::{self, CANCELLED, COMPLETED, Chart, FAILED, RATE, Series};
use super::{Period, Report, figures, write_page};
use crate::context::App;

/// Orders per day by outcome and completion rate per worker, for a period
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew report operations --html week.html\n  crew report operations --from 2026-11-23 --to 2026-11-29 --format json\n  crew report operations --format csv > days.csv   # one table: day,completed,failed,cancelled\n\nJSON names each worker by id and login. CSV holds one table, the days."
)]
pub struct OperationsArgs {
    #[command(flatten)]
    period: Period,
}

pub const ACTIONS: &[Action] = &[Action::ViewReports];

#[derive(Serialize)]
struct WorkerShown {
    login: String,
    #[serde(flatten)]
    row: crew_core::quality::report::WorkerRow,
}

#[derive(Serialize)]
struct Shown {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    days: Vec<crew_core::quality::report::DayRow>,
    workers: Vec<WorkerShown>,
}

pub fn run(app: &mut App, args: OperationsArgs) -> Result<()> {
    let r = figures(app, &args.period)?;
    let f = &r.figures;
    let charts = charts(&r);
    if let Some(path) = &args.period.html {
        let mut sections = Vec::new();
        sections.push(html::figure(&charts[0])?);
        let rows: Vec<Vec<String>> = f
            .days
            .iter()
            .map(|d| vec![d.day.to_string(), d.completed.to_string(), d.failed.to_string(), d.cancelled.to_string()])
            .collect();
        sections.push(html::table(&["day", "completed", "failed", "cancelled"], &rows));
        sections.push(html::figure(&charts[1])?);
        sections.push(html::table(&["worker", "completed", "failed", "completion rate"], &worker_rows(&r)));
        sections.push(
            "<p class=\"note\">Revenue and payouts by week come with billing, which lands separately.</p>".into(),
        );
        let page = html::page("Operations", &format!("{} to {} ({})", f.from, f.to, app.tz()), &sections);
        write_page(path, &page)?;
        let marks: Vec<String> = charts.iter().map(|c| format!("{} {}", c.id, html::marks(c))).collect();
        return app.out.note(&format!("Wrote {} (charts: {}).", path.display(), marks.join(", ")));
    }
    let shown = Shown {
        from: f.from,
        to: f.to,
        days: f.days.clone(),
        workers: f.workers.iter().map(|w| WorkerShown { login: r.login(w.worker), row: w.clone() }).collect(),
    };
    let day_cells = |d: &crew_core::quality::report::DayRow| {
        vec![d.day.to_string(), d.completed.to_string(), d.failed.to_string(), d.cancelled.to_string()]
    };
    match app.out.format {
        crate::cli::Format::Json => return app.out.record(&shown, &[]),
        // One table in CSV: the days (the per-worker rates are in the table and JSON output).
        crate::cli::Format::Csv => {
            return app.out.list(&f.days, &["DAY", "COMPLETED", "FAILED", "CANCELLED"], day_cells);
        }
        crate::cli::Format::Table => {}
    }
    app.out.list(&f.days, &["DAY", "COMPLETED", "FAILED", "CANCELLED"], day_cells)?;
    app.out.list(&worker_rows(&r), &["WORKER", "COMPLETED", "FAILED", "COMPLETION RATE"], Clone::clone)
}

pub(super) fn worker_rows(r: &Report) -> Vec<Vec<String>> {
    r.figures
        .workers
        .iter()
        .map(|w| {
            let rate = w.completion_rate.map_or("—".into(), |p| format!("{p}%"));
            vec![r.login(w.worker), w.completed.to_string(), w.failed.to_string(), rate]
        })
        .collect()
}

pub(super) fn rate_chart(r: &Report) -> Chart<'static> {
    Chart {
        id: "completion-rate",
        title: "Completion rate per worker",
        labels: r.figures.workers.iter().map(|w| r.login(w.worker)).collect(),
        series: vec![Series {
            name: "completed of completed and failed",
            color: RATE,
            values: r.figures.workers.iter().map(|w| w.completion_rate.unwrap_or(0)).collect(),
        }],
        unit: "%",
        y_max: Some(100),
    }
}

fn charts(r: &Report) -> Vec<Chart<'static>> {
    let f = &r.figures;
    vec![
        Chart {
            id: "orders-per-day",
            title: "Orders per day by outcome",
            labels: f.days.iter().map(|d| d.day.format("%a %d").to_string()).collect(),
            series: vec![
                Series { name: "completed", color: COMPLETED, values: f.days.iter().map(|d| d.completed).collect() },
                Series { name: "failed", color: FAILED, values: f.days.iter().map(|d| d.failed).collect() },
                Series { name: "cancelled", color: CANCELLED, values: f.days.iter().map(|d| d.cancelled).collect() },
            ],
            unit: "orders",
            y_max: None,
        },
        rate_chart(r),
    ]
}
