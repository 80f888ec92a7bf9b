//! `crew report …`: the figures of a period as tables and JSON, or as a self-contained HTML page
//! with SVG charts (`--html FILE`). One file per report; the page and its charts in `html.rs`.

mod billing;
mod html;
mod operations;
mod quality;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{Datelike, Days, NaiveDate};
use clap::{Args, Subcommand};
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::iam;
use crew_core::ids::AccountId;
use crew_core::quality::report::{self, Figures};

use crate::context::App;

/// Reports for people who would rather look than read: tables, JSON, or an HTML page with charts
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew report operations --html week.html                  # the last 7 days, charts and tables\n  crew report quality --from 2026-11-23 --to 2026-11-29 --html quality.html\n  crew report operations --format json                     # the same figures for scripts\n  crew report billing --from 2026-11-02 --to 2026-11-29 --html money.html\n\nThe page is one file with everything inside (no network fetches). Days and weeks are in the\ncompany's time zone. See docs/reports.md."
)]
pub enum ReportCommand {
    Operations(operations::OperationsArgs),
    Quality(quality::QualityArgs),
    Billing(billing::BillingArgs),
}

impl ReportCommand {
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Operations(_) => operations::ACTIONS,
            Self::Quality(_) => quality::ACTIONS,
            Self::Billing(_) => billing::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: ReportCommand) -> Result<()> {
    match command {
        ReportCommand::Operations(args) => operations::run(app, args),
        ReportCommand::Quality(args) => quality::run(app, args),
        ReportCommand::Billing(args) => billing::run(app, args),
    }
}

/// The period and the page every report takes.
#[derive(Debug, Args)]
pub struct Period {
    /// The first day (YYYY-MM-DD, company time zone) [default: 6 days before --to; for `report
    /// billing`, the Monday three weeks before --to's week: four weeks]
    #[arg(long)]
    from: Option<String>,
    /// The last day, included [default: today]
    #[arg(long)]
    to: Option<String>,
    /// Write a self-contained HTML page with charts to FILE (mode 0600). An existing regular FILE
    /// is replaced atomically (whole or not at all); a device, FIFO, folder or symbolic link there
    /// is refused (exit 2) and left as it is
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

/// The report's figures with the logins of the workers they name.
pub struct Report {
    pub figures: Figures,
    pub logins: HashMap<AccountId, String>,
}

impl Report {
    pub fn login(&self, id: AccountId) -> String {
        self.logins.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
}

/// A day of the years crew keeps (1970 to 9999, as every time it stores).
fn day(flag: &str, raw: &str) -> Result<NaiveDate> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Error::bad_input(format!("{flag} `{raw}` is not a day like 2026-11-30")))?;
    if !(1970..=9999).contains(&d.year()) {
        return Err(Error::bad_input(format!("{flag} `{raw}` is out of range: use a year from 1970 to 9999")).into());
    }
    Ok(d)
}

/// How a report's period starts when `--from` is not given.
#[derive(Clone, Copy)]
enum DefaultSpan {
    /// This many days, up to `--to`.
    Days(u64),
    /// This many weeks (Monday to Sunday), the last one holding `--to`.
    Weeks(u64),
}

/// The period's first and last day: `--from` [default: see [`DefaultSpan`]] and `--to` [default:
/// today], in the company's time zone.
fn days(app: &App, period: &Period, default: DefaultSpan) -> Result<(NaiveDate, NaiveDate)> {
    let tz = app.tz();
    let to = match &period.to {
        Some(raw) => day("--to", raw)?,
        None => app.now.with_timezone(&tz).date_naive(),
    };
    let from = match &period.from {
        Some(raw) => day("--from", raw)?,
        None => {
            let back = match default {
                DefaultSpan::Days(n) => n.saturating_sub(1),
                DefaultSpan::Weeks(n) => u64::from(to.weekday().num_days_from_monday()) + 7 * n.saturating_sub(1),
            };
            to.checked_sub_days(Days::new(back)).unwrap_or(to)
        }
    };
    Ok((from, to))
}

/// Reads the period and the figures, in one read transaction.
fn figures(app: &mut App, period: &Period) -> Result<Report> {
    let tz = app.tz();
    let (from, to) = days(app, period, DefaultSpan::Days(7))?;
    let (figures, logins) = app.read(|tx, ctx| Ok((report::figures(tx, ctx, from, to, tz)?, iam::logins(tx)?)))?;
    let logins = logins.into_iter().map(|(k, v)| (k, v.to_string())).collect();
    Ok(Report { figures, logins })
}

/// Writes the page privately, whole or not at all.
fn write_page(path: &Path, page: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.as_os_str().to_string_lossy().ends_with('/') {
        return Err(Error::bad_input(format!("--html {}: name a file, not a folder", path.display())).into());
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::bad_input(format!("--html {}: name a file", path.display())))?;
    crate::files::write_private_atomically(&dir, name, page.as_bytes())?;
    Ok(())
}
