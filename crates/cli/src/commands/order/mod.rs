//! `crew order …`: one file per subcommand; what they share (the order as shown, the table layout,
//! the `OrderSpec` of quote and create, photos) is here.

mod agenda;
mod assign;
mod cancel;
mod check_in;
mod complete;
mod copy;
mod create;
mod fail;
mod list;
mod quote;
mod reopen;
mod show;
mod sweep_no_shows;

use std::collections::HashMap;

use anyhow::Result;
use clap::{Args, Subcommand};
use crew_core::authz::Action;
use crew_core::iam;
use crew_core::ids::{AccountId, OrderId};
use crew_core::kernel::command::Ctx;
use crew_core::ordering::{Order, OrderRequest, Photo, Pricing};
use crew_core::settings;
use crew_core::types::{Login, ServiceCode, Text, Zone};
use crew_core::wiring::Tx;
use serde::Serialize;

use crate::context::{App, FromFlag};
use crate::files::store_photo;

/// Quote, place and follow orders through their life
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  crew order quote --service cleaning --at \"2026-12-01 10:00\"\n  crew order create --service cleaning --at \"2026-12-01 10:00\" --description \"Kitchen and hall\"\n  crew order list --status open\n  crew order assign 2 oscar@crew.example               # a manager picks the worker\n  crew order check-in 1 --photo fixtures/demo/photos/door.jpg     # the assigned worker arrives\n  crew order complete 1 --photo fixtures/demo/photos/report.png\n\nTimes are `YYYY-MM-DD HH:MM` in the configured time zone, or RFC 3339 with an offset."
)]
pub enum OrderCommand {
    Quote(quote::QuoteArgs),
    Create(create::CreateArgs),
    List(list::ListArgs),
    Agenda(agenda::AgendaArgs),
    Show(show::ShowArgs),
    Cancel(cancel::CancelArgs),
    Copy(copy::CopyArgs),
    Assign(assign::AssignArgs),
    #[command(name = "check-in")]
    CheckIn(check_in::CheckInArgs),
    Complete(complete::CompleteArgs),
    Fail(fail::FailArgs),
    Reopen(reopen::ReopenArgs),
    #[command(name = "sweep-no-shows")]
    SweepNoShows(sweep_no_shows::SweepNoShowsArgs),
}

impl OrderCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Quote(_) => quote::ACTIONS,
            Self::Create(_) => create::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Agenda(_) => agenda::ACTIONS,
            Self::Show(_) => show::ACTIONS,
            Self::Cancel(_) => cancel::ACTIONS,
            Self::Copy(_) => copy::ACTIONS,
            Self::Assign(_) => assign::ACTIONS,
            Self::CheckIn(_) => check_in::ACTIONS,
            Self::Complete(_) => complete::ACTIONS,
            Self::Fail(_) => fail::ACTIONS,
            Self::Reopen(_) => reopen::ACTIONS,
            Self::SweepNoShows(_) => sweep_no_shows::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: OrderCommand) -> Result<()> {
    match command {
        OrderCommand::Quote(args) => quote::run(app, args),
        OrderCommand::Create(args) => create::run(app, args),
        OrderCommand::List(args) => list::run(app, args),
        OrderCommand::Agenda(args) => agenda::run(app, args),
        OrderCommand::Show(args) => show::run(app, args),
        OrderCommand::Cancel(args) => cancel::run(app, args),
        OrderCommand::Copy(args) => copy::run(app, args),
        OrderCommand::Assign(args) => assign::run(app, args),
        OrderCommand::CheckIn(args) => check_in::run(app, args),
        OrderCommand::Complete(args) => complete::run(app, args),
        OrderCommand::Fail(args) => fail::run(app, args),
        OrderCommand::Reopen(args) => reopen::run(app, args),
        OrderCommand::SweepNoShows(args) => sweep_no_shows::run(app, args),
    }
}

/// What a client asks for: the arguments quote and create share (flattened into each).
#[derive(Debug, Args)]
struct OrderSpec {
    /// The service type's code
    #[arg(long)]
    service: String,
    /// When: RFC 3339, or `YYYY-MM-DD HH:MM` in the configured time zone
    #[arg(long)]
    at: String,
    /// Where [default: the client's zone]
    #[arg(long)]
    zone: Option<String>,
    /// What needs doing
    #[arg(long, default_value = "")]
    description: String,
}

/// An order with the logins of its client and worker, as shown.
#[derive(Serialize)]
struct OrderView {
    #[serde(flatten)]
    order: Order,
    client_login: String,
    worker_login: Option<String>,
}

const HEADERS: &[&str] = &["ID", "STATUS", "SERVICE", "ZONE", "AT", "CLIENT", "WORKER", "PRICE"];

fn cells(app: &App, v: &OrderView) -> Vec<String> {
    let o = &v.order;
    vec![
        o.id.to_string(),
        o.status.to_string(),
        o.service_type.to_string(),
        o.zone.to_string(),
        app.show_time(o.scheduled_at),
        v.client_login.clone(),
        v.worker_login.clone().unwrap_or_default(),
        o.price.unwrap_or(o.quote).to_string(),
    ]
}

fn fields(app: &App, v: &OrderView) -> Vec<(&'static str, String)> {
    let o = &v.order;
    let opt = |s: Option<String>| s.unwrap_or_default();
    vec![
        ("id", o.id.to_string()),
        ("status", o.status.to_string()),
        ("service", o.service_type.to_string()),
        ("zone", o.zone.to_string()),
        ("at", app.show_time(o.scheduled_at)),
        ("description", o.description.to_string()),
        ("client", v.client_login.clone()),
        ("worker", opt(v.worker_login.clone())),
        ("quote", format!("{} {}", o.quote, app.currency())),
        ("price", opt(o.price.map(|p| format!("{p} {}", app.currency())))),
        ("copied_from", opt(o.copied_from.map(|c| format!("#{c}")))),
        ("check_in_photo", opt(o.check_in_photo.as_ref().map(|p| format!("{} (sha256 {})", p.path, p.sha256)))),
        ("completion_photo", opt(o.completion_photo.as_ref().map(|p| format!("{} (sha256 {})", p.path, p.sha256)))),
        ("reason", opt(o.reason.as_ref().map(ToString::to_string))),
        ("created", app.show_time(o.created_at)),
        ("updated", app.show_time(o.updated_at)),
    ]
}

/// Adds the logins of clients and workers, looking each account up once.
fn views(tx: &mut dyn Tx, orders: Vec<Order>) -> crew_core::Result<Vec<OrderView>> {
    let mut names: HashMap<AccountId, String> = HashMap::new();
    let mut login = |tx: &mut dyn Tx, id: AccountId| -> crew_core::Result<String> {
        if let Some(l) = names.get(&id) {
            return Ok(l.clone());
        }
        let l = iam::login_of(tx, id)?;
        names.insert(id, l.clone());
        Ok(l)
    };
    orders
        .into_iter()
        .map(|order| {
            let client_login = login(tx, order.client)?;
            let worker_login = order.worker.map(|w| login(tx, w)).transpose()?;
            Ok(OrderView { order, client_login, worker_login })
        })
        .collect()
}

fn one(tx: &mut dyn Tx, order: Order) -> crew_core::Result<OrderView> {
    Ok(views(tx, vec![order])?.remove(0))
}

/// The company's pricing in force, read inside the command's transaction.
fn pricing(tx: &mut dyn Tx) -> crew_core::Result<Pricing> {
    Ok(Pricing::from_rules(&settings::rules(tx)?))
}

fn request(app: &App, spec: &OrderSpec) -> Result<OrderRequest> {
    Ok(OrderRequest {
        service_type: ServiceCode::parse(&spec.service).flag("--service")?,
        zone: spec.zone.as_deref().map(Zone::parse).transpose().flag("--zone")?,
        scheduled_at: app.parse_time("--at", &spec.at)?,
        description: Text::parse(&spec.description).flag("--description")?,
    })
}

fn account_id(tx: &mut dyn Tx, login: &Login) -> crew_core::Result<AccountId> {
    iam::find(tx, login).map(|a| a.id)
}

/// Keeps a photo in the media folder, runs the transition that records it, and removes the
/// photo again if the transition is refused.
fn with_photo(
    app: &mut App,
    id: OrderId,
    kind: &str,
    photo: &std::path::Path,
    transition: fn(&mut dyn Tx, &Ctx, OrderId, Photo) -> crew_core::Result<Order>,
) -> Result<OrderView> {
    let stored = store_photo(&app.config.media_dir, &id.to_string(), kind, photo, &app.limits())?;
    let p = stored.photo.clone();
    let v = app.write(|tx, ctx| {
        let o = transition(tx, ctx, id, p)?;
        one(tx, o)
    })?;
    stored.keep();
    Ok(v)
}

/// Prints the order after a change: a sentence for people, the order for scripts.
fn changed(app: &App, view: &OrderView, sentence: String) -> Result<()> {
    app.out.done(view, &fields(app, view), &sentence)
}
