//! `crew matching hours`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::matching::{self, time::TimeRules};
use crew_core::settings::{self, hours::WeeklyHours};
use crew_core::types::Login;
use serde::Serialize;

use super::worker_id;
use crate::context::{App, FromFlag};

/// Show or set a worker's weekly working hours (managers)
#[derive(Debug, Args)]
#[command(after_help = "\
Hours are in the company's time zone: days (mon…sun, a range mon-fri or a list mon,wed), then one
or more ranges HH:MM-HH:MM; items separated by `;`. A day not listed is a day off; `--set none`
says the worker never works (never matched); an empty pattern or an empty item (`;;`, `,,`) is
refused. Workers without
hours of their own follow the company's `matching.default_hours` (crew settings set). Matching
never gives a worker an order outside their hours; the orders they hold already are not touched.

Examples:
  crew matching hours tom@crew.example            # the hours in force, time off to come
  crew matching hours tom@crew.example --set \"mon-fri 08:00-12:00, 13:00-17:00; sat 09:00-13:00\"
  crew matching hours tom@crew.example --default  # back to the company's default
  crew matching hours tom@crew.example --set none # never works: never matched")]
pub struct HoursArgs {
    /// The worker's login
    worker: String,
    /// The worker's own weekly hours (`none`: never works)
    #[arg(long, value_name = "PATTERN", conflicts_with = "default")]
    set: Option<String>,
    /// Forget the worker's own hours: the company's default applies
    #[arg(long)]
    default: bool,
}

pub const ACTIONS: &[Action] = &[Action::ManageWorkers];

#[derive(Serialize)]
struct View {
    login: String,
    #[serde(flatten)]
    hours: matching::HoursShown,
}

pub fn run(app: &mut App, args: HoursArgs) -> Result<()> {
    let login = Login::parse(&args.worker).flag("WORKER")?;
    let change = match (&args.set, args.default) {
        (Some(raw), _) => Some(Some(WeeklyHours::parse_typed(raw).flag("--set")?)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let changing = change.is_some();
    let view = app.write(|tx, ctx| {
        let id = worker_id(tx, &login)?;
        if let Some(hours) = change {
            matching::set_hours(tx, ctx, id, hours)?;
        }
        let time = TimeRules::from_rules(&settings::rules(tx)?);
        Ok(View { login: login.to_string(), hours: matching::show_hours(tx, ctx, &time, id)? })
    })?;
    let h = &view.hours;
    let shown = if h.hours.to_string().is_empty() { "none (never matched)".to_string() } else { h.hours.to_string() };
    let mut fields = vec![
        ("worker", view.login.clone()),
        ("hours", shown),
        ("whose", if h.default { "the company's default" } else { "their own" }.to_string()),
    ];
    for off in &h.time_off {
        fields.push((
            "time off",
            format!("{} {} to {} ({})", off.id, app.show_time(off.starts_at), app.show_time(off.ends_at), off.reason),
        ));
    }
    if changing {
        app.out.note(&format!("Hours of {} set; matching uses them from its next cycle.", view.login))?;
    }
    app.out.record(&view, &fields)
}
