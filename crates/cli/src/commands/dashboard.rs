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
use crate::output::one_line as line;

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
    /// When what the section shows happened (the last verification).
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<DateTime<Utc>>,
    lines: Vec<String>,
    /// Whether the table shows the figures after the title (else only the lines say it).
    #[serde(skip)]
    figures_shown: bool,
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
                    amounts: vec![("due", due.total)],
                    ..section("billing", "Due this week", &[("charges", due.charges.len() as u64)], lines)
                });
                let unpaid = billing::overview::unpaid(tx, ctx, None)?;
                let lines = unpaid
                    .invoices
                    .iter()
                    .take(SHOWN)
                    .map(|i| {
                        let state = match i.status {
                            billing::InvoiceStatus::Failed => "the collection FAILED (declined or refused)",
                            _ => "being collected",
                        };
                        format!("invoice {} for {}: {}, {state}", i.number, i.period, i.amount)
                    })
                    .collect();
                let failed = unpaid.invoices.iter().filter(|i| i.status == billing::InvoiceStatus::Failed).count();
                sections.push(Section {
                    amounts: vec![("total", unpaid.total)],
                    ..section(
                        "invoices",
                        "Unpaid invoices",
                        &[("invoices", unpaid.invoices.len() as u64), ("failed", failed as u64)],
                        lines,
                    )
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
                let mut lines = vec![format!("{} so far, from {}", e.month, plural(e.entries, "entry", "entries"))];
                let owed = Money::from_cents(-e.carried_over.cents());
                if e.carried_over.cents() < 0 {
                    lines.push(format!("you owe {owed} from earlier months: it is taken off this month's payout"));
                } else if e.carried_over.cents() > 0 {
                    lines.push(format!("{} from earlier months is paid when that month closes", e.carried_over));
                }
                let this_month = e.net.cents() + e.carried_over.cents().min(0);
                lines.push(if e.next_payout.cents() > 0 {
                    format!("paid out after this month closes: {} so far", e.next_payout)
                } else if this_month < 0 {
                    format!("nothing to pay out so far: you owe {}, carried over", Money::from_cents(-this_month))
                } else {
                    "nothing to pay out so far".to_string()
                });
                sections.push(Section {
                    amounts: vec![
                        ("earned", e.earned),
                        ("fines", e.fines),
                        ("awards", e.awards),
                        ("adjustments", e.adjustments),
                        ("net", e.net),
                        ("carried_over", e.carried_over),
                        ("next_payout", e.next_payout),
                    ],
                    ..section("billing", "Earnings this month", &[], lines)
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
                        let entries = plural(due.waiting_entries as usize, "entry", "entries");
                        lines.push(match due.cycle {
                            billing::Cycle::Client => format!(
                                "  not invoiced, from before {}: {entries} of {}, {} owed by them",
                                due.current,
                                plural(due.waiting_holders, "client", "clients"),
                                due.waiting_invoiced
                            ),
                            // The dashboard asks for the client and worker cycles only.
                            billing::Cycle::Worker | billing::Cycle::Manager => format!(
                                "  not invoiced, from before {}: {entries} of {}, {} to pay out{}",
                                due.current,
                                plural(due.waiting_holders, "worker", "workers"),
                                due.waiting_invoiced,
                                if due.waiting_carried.cents() > 0 {
                                    format!(", {} owed by workers (carried over)", due.waiting_carried)
                                } else {
                                    String::new()
                                }
                            ),
                        });
                    }
                }
                sections.push(Section {
                    figures_shown: false,
                    amounts: vec![
                        ("weekly_to_invoice", c.weekly.waiting_invoiced),
                        ("monthly_to_pay_out", c.monthly.waiting_invoiced),
                        ("monthly_carried_over", c.monthly.waiting_carried),
                    ],
                    ..section(
                        "cycles",
                        "Billing cycles",
                        &[
                            ("weeks_to_close", u64::from(c.weekly.to_close.is_some())),
                            ("months_to_close", u64::from(c.monthly.to_close.is_some())),
                            ("weekly_entries_waiting", c.weekly.waiting_entries),
                            ("monthly_entries_waiting", c.monthly.waiting_entries),
                        ],
                        lines,
                    )
                });
                let mut lines: Vec<String> = c
                    .unknown
                    .iter()
                    .map(|p| {
                        format!(
                            "{} #{} for invoice {}: {}, outcome unknown since {} ({}): crew billing reconcile",
                            p.kind.as_str(),
                            p.id,
                            p.invoice,
                            p.amount,
                            show(p.updated_at),
                            p.note.clone().unwrap_or_default()
                        )
                    })
                    .collect();
                lines.extend(c.failed.iter().map(|i| {
                    let what = if i.cycle == billing::Cycle::Client { "collection" } else { "payout" };
                    format!("invoice {} ({}, {}): the {what} FAILED", i.number, i.period, i.amount)
                }));
                lines.truncate(SHOWN);
                sections.push(section(
                    "payments",
                    "Payments",
                    &[("unknown", c.unknown.len() as u64), ("open", c.open as u64), ("failed", c.failed.len() as u64)],
                    lines,
                ));
                let (figures, line): (Vec<(&'static str, u64)>, String) = match &c.last_verification {
                    Some(v) if v.passed => (
                        vec![("verified", 1), ("passed", 1), ("problems", 0)],
                        format!("passed {} checks on {}", v.checks, show(v.at)),
                    ),
                    Some(v) => (
                        vec![("verified", 1), ("passed", 0), ("problems", u64::from(v.problems))],
                        format!(
                            "FAILED on {}: {} (run crew billing verify)",
                            show(v.at),
                            plural(v.problems as usize, "problem", "problems")
                        ),
                    ),
                    None => (vec![("verified", 0)], "never run: crew billing verify".to_string()),
                };
                sections.push(Section {
                    at: c.last_verification.as_ref().map(|v| v.at),
                    figures_shown: false,
                    ..section("verification", "Last verification", &figures, vec![line])
                });
            }
            Role::Service => sections.push(outbox(tx, ctx, &show)?),
        }
        Ok(Dashboard { login: iam::login_of(tx, ctx.actor.id)?, role, at: now, sections })
    })?;
    match app.out.format {
        Format::Json => return app.out.record(&d, &[("login", d.login.clone()), ("role", d.role.to_string())]),
        // One row per figure: section, name, value (amounts as decimal strings).
        Format::Csv => {
            let mut rows: Vec<[String; 3]> = Vec::new();
            for s in &d.sections {
                rows.extend(s.figures.iter().map(|(k, v)| [s.key.to_string(), k.to_string(), v.to_string()]));
                rows.extend(s.amounts.iter().map(|(k, v)| [s.key.to_string(), k.to_string(), v.to_string()]));
            }
            return app.out.list(&rows, &["SECTION", "NAME", "VALUE"], |r| r.to_vec());
        }
        Format::Table => {}
    }
    line(&format!("{} ({}) — {}", d.login, d.role, app.show_time(d.at)))?;
    for s in &d.sections {
        line("")?;
        let mut figures: Vec<String> = s.figures.iter().map(|(k, v)| format!("{} {v}", k.replace('_', " "))).collect();
        figures.extend(s.amounts.iter().map(|(k, v)| format!("{} {v}", k.replace('_', " "))));
        if figures.is_empty() || !s.figures_shown {
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
    Section {
        key,
        title,
        figures: figures.iter().copied().collect(),
        amounts: Vec::new(),
        at: None,
        lines,
        figures_shown: true,
    }
}

/// `1 entry`, `2 entries`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
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
