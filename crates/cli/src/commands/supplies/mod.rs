//! `crew supplies …`: the warehouse's kits, bills of materials, stock and cookies. One file per
//! subcommand; the kit table shared here.

mod adjust;
mod bom;
mod cookie;
mod deliveries;
mod issue;
mod list;
mod poll;
mod receive;
mod set_bom;
mod show;
mod stock;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::settings;
use crew_core::supplies::{KitStatus, KitView, SuppliesRules};
use crew_core::wiring::Tx;
use serde::Serialize;

use crate::context::App;

/// The warehouse: kits for assigned orders, their cookies, bills of materials and stock
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew supplies set-bom cleaning --item gloves:2 --item sponge   # what a cleaning kit holds (managers)\n  crew supplies receive gloves 40 --reason \"delivery 2026-11-30\"\n  crew supplies list                                         # kits to assemble, at-risk first in mind\n  crew supplies poll                                         # order and collect cookies (cron)\n  crew supplies issue 3                                      # hand kit 3 to its worker\n\nSee docs/supplies.md."
)]
pub enum SuppliesCommand {
    List(list::ListArgs),
    Show(show::ShowArgs),
    Issue(issue::IssueArgs),
    Cookie(cookie::CookieArgs),
    Poll(poll::PollArgs),
    Deliveries(deliveries::DeliveriesArgs),
    Bom(bom::BomArgs),
    #[command(name = "set-bom")]
    SetBom(set_bom::SetBomArgs),
    Stock(stock::StockArgs),
    Receive(receive::ReceiveArgs),
    Adjust(adjust::AdjustArgs),
}

impl SuppliesCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::List(_) => list::ACTIONS,
            Self::Show(_) => show::ACTIONS,
            Self::Issue(_) => issue::ACTIONS,
            Self::Cookie(_) => cookie::ACTIONS,
            Self::Poll(_) => poll::ACTIONS,
            Self::Deliveries(_) => deliveries::ACTIONS,
            Self::Bom(_) => bom::ACTIONS,
            Self::SetBom(_) => set_bom::ACTIONS,
            Self::Stock(_) => stock::ACTIONS,
            Self::Receive(_) => receive::ACTIONS,
            Self::Adjust(_) => adjust::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: SuppliesCommand) -> Result<()> {
    match command {
        SuppliesCommand::List(args) => list::run(app, args),
        SuppliesCommand::Show(args) => show::run(app, args),
        SuppliesCommand::Issue(args) => issue::run(app, args),
        SuppliesCommand::Cookie(args) => cookie::run(app, args),
        SuppliesCommand::Poll(args) => poll::run(app, args),
        SuppliesCommand::Deliveries(args) => deliveries::run(app, args),
        SuppliesCommand::Bom(args) => bom::run(app, args),
        SuppliesCommand::SetBom(args) => set_bom::run(app, args),
        SuppliesCommand::Stock(args) => stock::run(app, args),
        SuppliesCommand::Receive(args) => receive::run(app, args),
        SuppliesCommand::Adjust(args) => adjust::run(app, args),
    }
}

/// The supplies rules in force, read inside the command's transaction.
fn rules(tx: &mut dyn Tx) -> crew_core::Result<SuppliesRules> {
    Ok(SuppliesRules::from(&settings::rules(tx)?))
}

/// A kit as shown: how it stands, and its worker's login.
#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    view: KitView,
    worker_login: Option<String>,
}

fn shown(tx: &mut dyn Tx, view: KitView) -> crew_core::Result<Shown> {
    let worker_login = view.kit.worker.map(|w| iam::login_of(tx, w)).transpose()?;
    Ok(Shown { view, worker_login })
}

const HEADERS: &[&str] = &["KIT", "ORDER", "WHEN", "WORKER", "SERVICE", "STATUS", "COOKIE", "STATE"];

/// `ready`, `AT RISK: missing …`, `missing …`, or the kit's end.
fn state(v: &KitView) -> String {
    let r = &v.readiness;
    if r.ready {
        "ready to issue".into()
    } else if r.at_risk {
        format!("AT RISK: missing {}", r.missing.join(", "))
    } else if !r.missing.is_empty() {
        format!("missing {}", r.missing.join(", "))
    } else {
        "—".into()
    }
}

fn cells(app: &App, s: &Shown) -> Vec<String> {
    let k = &s.view.kit;
    vec![
        k.id.to_string(),
        k.order.to_string(),
        app.show_time(k.scheduled_at),
        s.worker_login.clone().unwrap_or_else(|| "(none)".into()),
        k.service_type.to_string(),
        k.status.as_str().to_string(),
        cookie_text(&s.view),
        state(&s.view),
    ]
}

fn cookie_text(v: &KitView) -> String {
    let c = &v.kit.cookie;
    let sandbox = if c.sandbox { " (sandbox)" } else { "" };
    format!("{}{sandbox}", c.status.as_str())
}

fn fields(app: &App, s: &Shown) -> Vec<(&'static str, String)> {
    let k = &s.view.kit;
    let items: Vec<String> = k
        .lines
        .iter()
        .map(|l| match l.reserved {
            Some(r) if r < l.quantity => {
                format!("{} × {} ({r} reserved, {} short)", l.quantity, l.item, l.quantity - r)
            }
            Some(_) => match k.status {
                KitStatus::Open => format!("{} × {} (reserved)", l.quantity, l.item),
                KitStatus::Issued => format!("{} × {} (issued)", l.quantity, l.item),
                KitStatus::Cancelled => format!("{} × {} (returned to stock)", l.quantity, l.item),
            },
            None => format!("{} × {} (not counted)", l.quantity, l.item),
        })
        .collect();
    let c = &k.cookie;
    let mut cookie = cookie_text(&s.view);
    if let Some(id) = &c.contractor_id {
        cookie.push_str(&format!(", {id}"));
    }
    if let Some(t) = c.ready_at {
        cookie.push_str(&format!(", ready at {}", app.show_time(t)));
    }
    if let Some(e) = &c.last_error {
        cookie.push_str(&format!(", last error: {e}"));
    }
    vec![
        ("kit", k.id.to_string()),
        ("order", k.order.to_string()),
        ("when", app.show_time(k.scheduled_at)),
        ("worker", s.worker_login.clone().unwrap_or_else(|| "(none)".into())),
        ("service", k.service_type.to_string()),
        ("zone", k.zone.to_string()),
        ("items", if items.is_empty() { "(none)".into() } else { items.join("; ") }),
        ("cookie", cookie),
        ("cookie key", c.key.clone()),
        ("status", k.status.as_str().to_string()),
        ("state", state(&s.view)),
        ("opened", app.show_time(k.opened_at)),
        ("issued", k.issued_at.map(|t| app.show_time(t)).unwrap_or_default()),
    ]
}
