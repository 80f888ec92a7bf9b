//! `crew order agenda`.

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveTime, TimeZone};
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::ordering;
use crew_core::types::Login;

use super::account_id;
use crate::context::{App, FromFlag};

/// A worker's day or week at a glance: their orders with start, end and zone
#[derive(Debug, Args)]
#[command(after_help = "\
Times are in the company's time zone. A day runs from midnight; --week shows the seven days from
Monday of that week. END is when the work is done, FREE when the worker is free again (the
service type's buffer).

Examples:
  crew order agenda                                  # a worker: today
  crew order agenda --week --day 2026-12-01          # a worker: that week
  crew order agenda --worker tom@crew.example --week # managers: any worker's")]
pub struct AgendaArgs {
    /// The day to show (default: today)
    #[arg(long, value_name = "DATE")]
    day: Option<String>,
    /// The whole week (Monday to Sunday) of that day
    #[arg(long)]
    week: bool,
    /// Whose agenda (managers; workers see their own)
    #[arg(long)]
    worker: Option<String>,
}

pub const ACTIONS: &[Action] = &[Action::ViewOrders];

pub fn run(app: &mut App, args: AgendaArgs) -> Result<()> {
    let tz = app.tz();
    let worker = args.worker.as_deref().map(Login::parse).transpose().flag("--worker")?;
    let day = args.day.as_deref().map(|d| parse_day(app, d)).transpose()?;
    let week = args.week;
    let entries = app.read(|tx, ctx| {
        let date = day.unwrap_or_else(|| ctx.now.with_timezone(&tz).date_naive());
        let first = if week { date - Duration::days(i64::from(date.weekday().num_days_from_monday())) } else { date };
        let midnight = |d: chrono::NaiveDate| {
            tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
                .earliest()
                .map(|t| t.with_timezone(&chrono::Utc))
                .ok_or_else(|| Error::bad_input(format!("{d} has no midnight in {tz}")))
        };
        let from = midnight(first)?;
        let until = midnight(first + Duration::days(if week { 7 } else { 1 }))?;
        let worker = worker.as_ref().map(|l| account_id(tx, l)).transpose()?;
        ordering::agenda(tx, ctx, worker, from, until)
    })?;
    let clock = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%H:%M").to_string();
    app.out.list(&entries, &["DAY", "START", "END", "FREE", "ORDER", "SERVICE", "ZONE", "STATUS"], |e| {
        vec![
            e.start.with_timezone(&tz).format("%a %Y-%m-%d").to_string(),
            clock(e.start),
            clock(e.end),
            clock(e.free_at),
            e.order.to_string(),
            e.service_type.to_string(),
            e.zone.to_string(),
            e.status.to_string(),
        ]
    })
}

/// `--day`: a date (`2026-12-01`), or a time whose date in the company's zone is meant. Anything
/// else, an impossible date (`2026-02-30`) among them, is bad input that says how to write a date.
fn parse_day(app: &App, raw: &str) -> Result<chrono::NaiveDate> {
    if let Ok(date) = chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        return Ok(date);
    }
    match app.parse_time("--day", raw) {
        Ok(t) => Ok(t.with_timezone(&app.tz()).date_naive()),
        Err(_) => {
            Err(Error::bad_input(format!("--day `{raw}` is not a date: write `2026-11-27` (a day in {})", app.tz()))
                .into())
        }
    }
}
