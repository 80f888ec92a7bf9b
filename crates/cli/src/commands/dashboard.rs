//! `crew dashboard`: what the logged-in role needs first, on one screen. The shell composes the
//! contexts' query functions, each checking the role as usual; nothing here decides.
//!
//! Billing's rows: a client's charges due this week, a worker's earnings this month, and the
//! accountant's cycles (what waits to be closed, payments whose outcome is unknown, the last
//! `crew billing verify`).

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use clap::Args;
use crew_core::authz::{Action, Role};
use crew_core::billing::{self, Month};
use crew_core::iam;
use crew_core::mail::{self, MailStatus};
use crew_core::ordering::{self, Order, OrderFilter, OrderStatus};
use crew_core::quality;
use crew_core::settings;
use crew_core::supplies::{self, KitFilter, KitStatus, SuppliesRules};
use crew_core::types::Money;
use crew_core::wiring::Tx;
use serde::Serialize;

use crate::cli::Format;
use crate::context::App;
use crate::output::line;

/// What your role needs first, on one screen (orders, jobs, review queue, kits, stock, mail)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew dashboard\n  crew dashboard --format json     # the same figures for scripts\n\nClients see their open and upcoming orders; workers today's and this week's jobs; managers\nopen and unassigned orders, the review queue, kits at risk and the outbox; the warehouse the\nkits to assemble and stock warnings; accountants the billing cycles due, payments whose outcome is\nunknown and the last verification. Clients also see what is due this week, workers what they\nearned this month."
)]
pub struct DashboardArgs {}

pub const ACTIONS: &[Action] = &[Action::ViewDashboard];

/// One part of the screen: named figures and a few lines of detail.
#[derive(Serialize)]
struct Section {
    key: &'static str,
    title: &'static str,
    figures: BTreeMap<&'static str, u64>,
    /// Money figures (decimal strings in JSON, like every amount), shown after the counts, in
    /// this order.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "as_map")]
    amounts: Vec<(&'static str, Money)>,
    lines: Vec<String>,
}

#[derive(Serialize)]
struct Dashboard {
    login: String,
    role: Role,
    at: DateTime<Utc>,
    sections: Vec<Section>,
}

const SHOWN: usize = 8;

pub fn run(app: &mut App, _args: DashboardArgs) -> Result<()> {
    let tz = app.tz();
    let show = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M").to_string();
    let d = app.read(|tx, ctx| {
        let role = ctx.actor.role;
        let now = ctx.now;
        let mut sections = Vec::new();
        let order_line = |o: &Order, who: Option<String>| {
            let who = who.map(|w| format!(", {w}")).unwrap_or_default();
            format!("#{} {} in {} at {} ({}{who})", o.id, o.service_type, o.zone, show(o.scheduled_at), o.status)
        };
        match role {
            Role::Client => {
                let orders = live_orders(tx, ctx)?;
                let lines = orders.iter().take(SHOWN).map(|o| order_line(o, None)).collect();
                let upcoming = orders.iter().filter(|o| o.scheduled_at >= now).count() as u64;
                sections.push(section(
                    "orders",
                    "Your open and upcoming orders",
                    &[("open", orders.len() as u64), ("upcoming", upcoming)],
                    lines,
                ));
                let due = billing::due(tx, ctx, None, tz)?;
                let lines = due
                    .charges
                    .iter()
                    .take(SHOWN)
                    .map(|c| {
                        let order = c.order.map(|o| format!("order #{o} ")).unwrap_or_default();
                        format!("{order}{} on {}", c.amount, show(c.at))
                    })
                    .collect();
                sections.push(Section {
                    key: "billing",
                    title: "Due this week",
                    figures: BTreeMap::from([("charges", due.charges.len() as u64)]),
                    amounts: vec![("due", due.total)],
                    lines,
                });
            }
            Role::Worker => {
                let local = now.with_timezone(&tz).date_naive();
                let day_start = tz
                    .from_local_datetime(&local.and_time(NaiveTime::MIN))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(now);
                let week_start = day_start - Duration::days(i64::from(local.weekday().num_days_from_monday()));
                let (day_end, week_end) = (day_start + Duration::days(1), week_start + Duration::days(7));
                let orders = live_orders(tx, ctx)?;
                let today: Vec<&Order> =
                    orders.iter().filter(|o| o.scheduled_at >= day_start && o.scheduled_at < day_end).collect();
                let week: Vec<&Order> =
                    orders.iter().filter(|o| o.scheduled_at >= week_start && o.scheduled_at < week_end).collect();
                let lines = today.iter().map(|o| order_line(o, None)).collect();
                sections.push(section("today", "Today's jobs", &[("jobs", today.len() as u64)], lines));
                let lines = week.iter().take(SHOWN).map(|o| order_line(o, None)).collect();
                sections.push(section("week", "This week's jobs", &[("jobs", week.len() as u64)], lines));
                let e = billing::overview::earnings(tx, ctx, None, Month::of(now, tz), tz)?;
                sections.push(Section {
                    key: "billing",
                    title: "Earnings this month",
                    figures: BTreeMap::new(),
                    amounts: vec![
                        ("earned", e.earned),
                        ("fines", e.fines),
                        ("awards", e.awards),
                        ("adjustments", e.adjustments),
                        ("net", e.net),
                    ],
                    lines: vec![if e.net.cents() < 0 {
                        format!(
                            "{} so far ({} entries): you owe this; it carries over when the month closes",
                            e.month, e.entries
                        )
                    } else {
                        format!("{} so far ({} entries): paid out after the month closes", e.month, e.entries)
                    }],
                });
            }
            Role::Admin | Role::Manager => {
                let orders = live_orders(tx, ctx)?;
                let open: Vec<&Order> = orders.iter().filter(|o| o.status == OrderStatus::Open).collect();
                let lines = open.iter().take(SHOWN).map(|o| order_line(o, None)).collect();
                sections.push(section(
                    "orders",
                    "Orders",
                    &[("open", orders.len() as u64), ("unassigned", open.len() as u64)],
                    lines,
                ));
                let cases = quality::queue(tx, ctx, false)?;
                let lines = cases.iter().take(SHOWN).map(|c| format!("#{} {}", c.order, c.reason.as_str())).collect();
                sections.push(section("review_queue", "Review queue", &[("to_review", cases.len() as u64)], lines));
                let rules = SuppliesRules::from(&settings::rules(tx)?);
                let kits = supplies::list_kits(
                    tx,
                    ctx,
                    &KitFilter { status: Some(KitStatus::Open), ..KitFilter::default() },
                    &rules,
                )?;
                let risky: Vec<String> = kits
                    .iter()
                    .filter(|k| k.readiness.at_risk)
                    .map(|k| {
                        format!(
                            "kit #{} for order #{} at {}: missing {}",
                            k.kit.id,
                            k.kit.order,
                            show(k.kit.scheduled_at),
                            k.readiness.missing.join(", ")
                        )
                    })
                    .collect();
                sections.push(section(
                    "kits",
                    "Kits at risk",
                    &[("at_risk", risky.len() as u64)],
                    risky.into_iter().take(SHOWN).collect(),
                ));
                sections.push(outbox(tx, ctx, &show)?);
            }
            Role::Warehouse => {
                let rules = SuppliesRules::from(&settings::rules(tx)?);
                let kits = supplies::list_kits(
                    tx,
                    ctx,
                    &KitFilter { status: Some(KitStatus::Open), ..KitFilter::default() },
                    &rules,
                )?;
                let ready = kits.iter().filter(|k| k.readiness.ready).count() as u64;
                let at_risk = kits.iter().filter(|k| k.readiness.at_risk).count() as u64;
                let lines = kits
                    .iter()
                    .filter(|k| !k.readiness.ready)
                    .take(SHOWN)
                    .map(|k| {
                        let risk = if k.readiness.at_risk { "AT RISK " } else { "" };
                        format!(
                            "{risk}kit #{} for order #{} at {}: missing {}",
                            k.kit.id,
                            k.kit.order,
                            show(k.kit.scheduled_at),
                            k.readiness.missing.join(", ")
                        )
                    })
                    .collect();
                let to_assemble = kits.len() as u64 - ready;
                sections.push(section(
                    "kits",
                    "Kits to assemble",
                    &[("to_assemble", to_assemble), ("at_risk", at_risk), ("ready_to_issue", ready)],
                    lines,
                ));
                let stock = supplies::stock(tx, ctx, &rules)?;
                let warnings: Vec<String> = stock
                    .iter()
                    .filter(|s| s.low || s.short > 0)
                    .map(|s| {
                        let why = if s.short > 0 { format!("open kits lack {}", s.short) } else { "low".to_string() };
                        format!("{}: {} available, {why}", s.stock.item, s.available)
                    })
                    .collect();
                sections.push(section("stock", "Stock warnings", &[("warnings", warnings.len() as u64)], warnings));
            }
            Role::Accountant => {
                let c = billing::overview::cycles(tx, ctx, tz)?;
                let mut lines = Vec::new();
                for (due, command) in [(&c.weekly, "close-week"), (&c.monthly, "close-month")] {
                    match &due.to_close {
                        Some(period) => {
                            lines.push(format!("{period} has ended and is not closed: crew billing {command} {period}"))
                        }
                        None => lines.push(format!("{} can be closed from {}", due.current, show(due.current_ends))),
                    }
                    if due.waiting_entries > 0 {
                        let (who, what) = if due.cycle == billing::Cycle::Client {
                            ("clients", "owed by them")
                        } else {
                            ("workers", "owed to them")
                        };
                        lines.push(format!(
                            "  not invoiced yet: {} entries of {} {who}, {} {what}",
                            due.waiting_entries, due.waiting_holders, due.waiting_total
                        ));
                    }
                }
                sections.push(Section {
                    key: "cycles",
                    title: "Billing cycles",
                    figures: BTreeMap::from([
                        ("weeks_to_close", u64::from(c.weekly.to_close.is_some())),
                        ("months_to_close", u64::from(c.monthly.to_close.is_some())),
                        ("entries_waiting", c.weekly.waiting_entries + c.monthly.waiting_entries),
                    ]),
                    amounts: Vec::new(),
                    lines,
                });
                let lines = c
                    .unknown
                    .iter()
                    .take(SHOWN)
                    .map(|p| {
                        format!(
                            "{} #{} for invoice {}: {} since {} ({})",
                            p.kind.as_str(),
                            p.id,
                            p.invoice,
                            p.amount,
                            show(p.updated_at),
                            p.note.clone().unwrap_or_default()
                        )
                    })
                    .collect();
                sections.push(section(
                    "payments",
                    "Payments (unknown outcome: crew billing reconcile)",
                    &[("unknown", c.unknown.len() as u64), ("open", c.open as u64)],
                    lines,
                ));
                let line = match &c.last_verification {
                    Some(v) if v.passed => format!("passed {} checks on {}", v.checks, show(v.at)),
                    Some(v) => format!("FAILED on {}: {} problems (run crew billing verify)", show(v.at), v.problems),
                    None => "never run: crew billing verify".to_string(),
                };
                sections.push(section(
                    "verification",
                    "Last verification",
                    &[("failed", u64::from(c.last_verification.as_ref().is_some_and(|v| !v.passed)))],
                    vec![line],
                ));
            }
            Role::Service => sections.push(outbox(tx, ctx, &show)?),
        }
        Ok(Dashboard { login: iam::login_of(tx, ctx.actor.id)?, role, at: now, sections })
    })?;
    if app.out.format != Format::Table {
        return app.out.record(&d, &[("login", d.login.clone()), ("role", d.role.to_string())]);
    }
    line(&format!("{} ({}) — {}", d.login, d.role, app.show_time(d.at)))?;
    for s in &d.sections {
        line("")?;
        let mut figures: Vec<String> = s.figures.iter().map(|(k, v)| format!("{} {v}", k.replace('_', " "))).collect();
        figures.extend(s.amounts.iter().map(|(k, v)| format!("{} {v}", k.replace('_', " "))));
        if figures.is_empty() {
            line(s.title)?;
        } else {
            line(&format!("{}: {}", s.title, figures.join(", ")))?;
        }
        for l in &s.lines {
            line(&format!("  {l}"))?;
        }
    }
    Ok(())
}

fn as_map<S: serde::Serializer>(amounts: &[(&'static str, Money)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(amounts.iter().map(|(k, v)| (k, v)))
}

fn section(key: &'static str, title: &'static str, figures: &[(&'static str, u64)], lines: Vec<String>) -> Section {
    Section { key, title, figures: figures.iter().copied().collect(), amounts: Vec::new(), lines }
}

/// The orders that have not ended (open, assigned, active), as the actor may see them.
fn live_orders(tx: &mut dyn Tx, ctx: &crew_core::kernel::command::Ctx) -> crew_core::Result<Vec<Order>> {
    let mut out = Vec::new();
    for status in [OrderStatus::Open, OrderStatus::Assigned, OrderStatus::Active] {
        out.extend(ordering::list_orders(tx, ctx, OrderFilter { status: Some(status), ..OrderFilter::default() })?);
    }
    out.sort_by_key(|o| (o.scheduled_at, o.id));
    Ok(out)
}

/// Outbox health: mail waiting and dead letters.
fn outbox(
    tx: &mut dyn Tx,
    ctx: &crew_core::kernel::command::Ctx,
    show: &dyn Fn(DateTime<Utc>) -> String,
) -> crew_core::Result<Section> {
    let queued = mail::list(tx, ctx, Some(MailStatus::Queued), None)?;
    let dead = mail::list(tx, ctx, Some(MailStatus::Dead), None)?;
    let lines = dead
        .iter()
        .take(SHOWN)
        .map(|m| match m {
            Ok(m) => format!(
                "dead letter #{} to {} since {}: {}",
                m.id,
                m.to,
                show(m.created_at),
                m.last_error.clone().unwrap_or_default()
            ),
            // A row crew cannot read is reported, never a reason for the dashboard to fail.
            Err(u) => format!("mail #{} cannot be read: {}", u.id, u.reason),
        })
        .collect();
    Ok(section("outbox", "Outbox", &[("queued", queued.len() as u64), ("dead", dead.len() as u64)], lines))
}
