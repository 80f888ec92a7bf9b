//! `crew report billing`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::billing::overview::{self, MoneyByWeek, WeekFigures};
use crew_core::types::Money;

use super::html::{self, Chart, Series};
use super::{Period, days, write_page};
use crate::cli::Format;
use crate::context::App;

/// The company's money by week: revenue, earnings, fines, awards, collections and payouts
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  crew report billing                                       # the last four weeks, this one included
  crew report billing --from 2026-11-02 --to 2026-11-29 --html money.html
  crew report billing --format json                         # amounts as decimal strings
  crew report billing --format csv > weeks.csv              # one table: one row per week

Weeks run Monday to Sunday in the company's time zone; a period covers every week its days touch
(at most 106). The figures come from the ledger's entries of each week: revenue is what clients
were charged (net of reversals), earnings what workers earned, collected and paid out what the
money services confirmed. The charts show whole currency units; tables and JSON the exact amounts.")]
pub struct BillingArgs {
    #[command(flatten)]
    period: Period,
}

pub const ACTIONS: &[Action] = &[Action::ViewReports];

const HEADERS: [&str; 9] = ["WEEK", "FROM", "REVENUE", "EARNINGS", "FINES", "AWARDS", "HOUSE", "COLLECTED", "PAID OUT"];

fn cells(w: &WeekFigures) -> Vec<String> {
    vec![
        w.week.to_string(),
        w.from.to_string(),
        w.revenue.to_string(),
        w.earnings.to_string(),
        w.fines.to_string(),
        w.awards.to_string(),
        w.house.to_string(),
        w.collected.to_string(),
        w.paid_out.to_string(),
    ]
}

/// Whole currency units for a chart bar (rounded half up; nothing below zero).
fn units(m: Money) -> u32 {
    let cents = m.cents().max(0);
    u32::try_from((cents + 50) / 100).unwrap_or(u32::MAX)
}

fn charts<'a>(f: &MoneyByWeek, currency: &'a str) -> Vec<Chart<'a>> {
    let labels: Vec<String> = f.weeks.iter().map(|w| w.week.to_string()).collect();
    let series = |name: &'static str, color, get: fn(&WeekFigures) -> Money| Series {
        name,
        color,
        values: f.weeks.iter().map(|w| units(get(w))).collect(),
    };
    let unit = currency;
    vec![
        Chart {
            id: "revenue-and-payouts",
            title: "Revenue and payouts by week",
            labels: labels.clone(),
            series: vec![
                series("revenue", html::REVENUE, |w| w.revenue),
                series("earnings", html::EARNINGS, |w| w.earnings),
                series("paid out", html::PAID_OUT, |w| w.paid_out),
            ],
            unit,
            y_max: None,
        },
        Chart {
            id: "collections",
            title: "Collected from clients by week",
            labels,
            series: vec![series("collected", html::COLLECTED, |w| w.collected)],
            unit,
            y_max: None,
        },
    ]
}

pub fn run(app: &mut App, args: BillingArgs) -> Result<()> {
    let tz = app.tz();
    let (from, to) = days(app, &args.period, super::DefaultSpan::Weeks(4))?;
    let f = app.read(|tx, ctx| overview::money_by_week(tx, ctx, from, to, tz))?;
    let currency = app.currency().to_string();
    if let Some(path) = &args.period.html {
        let charts = charts(&f, &currency);
        let rows: Vec<Vec<String>> = f.weeks.iter().map(cells).collect();
        let headers: Vec<String> = HEADERS.iter().map(|h| h.to_lowercase()).collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let sections = vec![html::figure(&charts[0])?, html::figure(&charts[1])?, html::table(&headers, &rows)];
        let page = html::page(
            "Billing",
            &format!("{} to {}, weeks {} to {} ({}, amounts in {currency})", f.from, f.to, first(&f), last(&f), tz),
            &sections,
        );
        write_page(path, &page)?;
        let marks: Vec<String> = charts.iter().map(|c| format!("{} {}", c.id, html::marks(c))).collect();
        return app.out.note(&format!("Wrote {} (charts: {}).", path.display(), marks.join(", ")));
    }
    if app.out.format == Format::Json {
        return app.out.record(&f, &[]);
    }
    app.out.list(&f.weeks, &HEADERS, cells)
}

fn first(f: &MoneyByWeek) -> String {
    f.weeks.first().map(|w| w.week.to_string()).unwrap_or_default()
}

fn last(f: &MoneyByWeek) -> String {
    f.weeks.last().map(|w| w.week.to_string()).unwrap_or_default()
}
