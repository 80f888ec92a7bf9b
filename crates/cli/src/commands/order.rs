//! `crew order …`.

use std::collections::HashMap;

use anyhow::Result;
use crew_core::error::Error;
use crew_core::ids::{AccountId, OrderId};
use crew_core::ordering::{self, Order, OrderFilter, OrderRequest, OrderStatus, Policy};
use crew_core::store::Tx;
use crew_core::types::{Login, ServiceCode, Text, Zone};
use serde::Serialize;

use crate::cli::{OrderCommand, OrderSpec};
use crate::context::App;
use crate::files::store_photo;

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
        ("quote", format!("{} {}", o.quote, app.config.file.currency)),
        ("price", opt(o.price.map(|p| format!("{p} {}", app.config.file.currency)))),
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
        let l = tx.account(id)?.map_or_else(|| format!("#{id}"), |a| a.login.to_string());
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

fn policy(app: &App) -> Policy {
    Policy { base_price: app.config.file.pricing.base_price }
}

fn request(app: &App, spec: &OrderSpec) -> Result<OrderRequest> {
    Ok(OrderRequest {
        service_type: ServiceCode::parse(&spec.service)?,
        zone: spec.zone.as_deref().map(Zone::parse).transpose()?,
        scheduled_at: app.parse_time("--at", &spec.at)?,
        description: Text::parse(&spec.description)?,
    })
}

fn account_id(tx: &mut dyn Tx, login: &Login) -> crew_core::Result<AccountId> {
    tx.account_by_login(login)?
        .map(|a| a.id)
        .ok_or_else(|| Error::not_found(format!("no account with login `{login}`")))
}

/// Keeps a photo in the media folder, runs the transition that records it, and removes the
/// photo again if the transition is refused.
fn with_photo(
    app: &mut App,
    id: OrderId,
    kind: &str,
    photo: &std::path::Path,
    transition: fn(&mut dyn Tx, &crew_core::app::Ctx, OrderId, crew_core::ordering::Photo) -> crew_core::Result<Order>,
) -> Result<OrderView> {
    let max = app.config.file.ordering.max_photo_mib;
    let stored = store_photo(&app.config.media_dir, &id.to_string(), kind, photo, max)?;
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

pub fn run(app: &mut App, command: OrderCommand) -> Result<()> {
    let policy = policy(app);
    match command {
        OrderCommand::Quote(spec) => {
            let req = request(app, &spec)?;
            let quote = app.read(|tx, ctx| ordering::quote(tx, ctx, &policy, &req))?;
            let currency = app.config.file.currency.clone();
            let f = [
                ("service", quote.service_type.to_string()),
                ("zone", quote.zone.to_string()),
                ("at", app.show_time(quote.scheduled_at)),
                ("price", format!("{} {currency}", quote.price)),
            ];
            app.out.record(&quote, &f)
        }
        OrderCommand::Create(spec) => {
            let req = request(app, &spec)?;
            let v = app.write(|tx, ctx| {
                let o = ordering::create_order(tx, ctx, &policy, req)?;
                one(tx, o)
            })?;
            let s = format!(
                "Order #{} placed: {} in {} at {}, about {} {}. It is open until a worker is assigned.",
                v.order.id,
                v.order.service_type,
                v.order.zone,
                app.show_time(v.order.scheduled_at),
                v.order.quote,
                app.config.file.currency
            );
            changed(app, &v, s)
        }
        OrderCommand::List { status, client, worker, limit } => {
            let status = status.as_deref().map(OrderStatus::parse).transpose()?;
            let client = client.as_deref().map(Login::parse).transpose()?;
            let worker = worker.as_deref().map(Login::parse).transpose()?;
            let views = app.read(|tx, ctx| {
                let staff = matches!(ctx.actor.role, crew_core::authz::Role::Admin | crew_core::authz::Role::Manager);
                if !staff && (client.is_some() || worker.is_some()) {
                    return Err(Error::not_allowed("only managers filter orders by --client or --worker"));
                }
                let filter = OrderFilter {
                    status,
                    client: client.as_ref().map(|l| account_id(tx, l)).transpose()?,
                    worker: worker.as_ref().map(|l| account_id(tx, l)).transpose()?,
                    limit,
                };
                let orders = ordering::list_orders(tx, ctx, filter)?;
                views(tx, orders)
            })?;
            app.out.list(&views, HEADERS, |v| cells(app, v))
        }
        OrderCommand::Show { order } => {
            let id: OrderId = order.parse()?;
            let v = app.read(|tx, ctx| {
                let o = ordering::show_order(tx, ctx, id)?;
                one(tx, o)
            })?;
            app.out.record(&v, &fields(app, &v))
        }
        OrderCommand::Cancel { order, reason } => {
            let id: OrderId = order.parse()?;
            let reason = Text::parse(&reason)?;
            let v = app.write(|tx, ctx| {
                let o = ordering::cancel(tx, ctx, id, reason)?;
                one(tx, o)
            })?;
            changed(app, &v, format!("Order #{id} is cancelled."))
        }
        OrderCommand::Copy { order, at } => {
            let id: OrderId = order.parse()?;
            let at = app.parse_time("--at", &at)?;
            let v = app.write(|tx, ctx| {
                let o = ordering::copy_order(tx, ctx, &policy, id, at)?;
                one(tx, o)
            })?;
            let s =
                format!("Order #{} placed as a copy of #{id}, at {}.", v.order.id, app.show_time(v.order.scheduled_at));
            changed(app, &v, s)
        }
        OrderCommand::Assign { order, worker } => {
            let id: OrderId = order.parse()?;
            let worker = Login::parse(&worker)?;
            let v = app.write(|tx, ctx| {
                let o = ordering::assign(tx, ctx, &policy, id, &worker)?;
                one(tx, o)
            })?;
            let price = v.order.price.map(|p| p.to_string()).unwrap_or_default();
            changed(app, &v, format!("Order #{id} is assigned to {worker} at {price} {}.", app.config.file.currency))
        }
        OrderCommand::CheckIn { order, photo } => {
            let id: OrderId = order.parse()?;
            let v = with_photo(app, id, "check-in", &photo, ordering::check_in)?;
            changed(app, &v, format!("Checked in to order #{id}; it is active."))
        }
        OrderCommand::Complete { order, photo } => {
            let id: OrderId = order.parse()?;
            let v = with_photo(app, id, "report", &photo, ordering::complete)?;
            changed(app, &v, format!("Order #{id} is completed."))
        }
        OrderCommand::Fail { order, reason } => {
            let id: OrderId = order.parse()?;
            let reason = Text::parse(&reason)?;
            let v = app.write(|tx, ctx| {
                let o = ordering::fail(tx, ctx, id, reason)?;
                one(tx, o)
            })?;
            changed(app, &v, format!("Order #{id} has failed."))
        }
        OrderCommand::Reopen { order } => {
            let id: OrderId = order.parse()?;
            let v = app.write(|tx, ctx| {
                let o = ordering::reopen(tx, ctx, id)?;
                one(tx, o)
            })?;
            changed(app, &v, format!("Order #{id} is open again, without a worker."))
        }
        OrderCommand::SweepNoShows { dry_run } => {
            let grace = chrono::Duration::minutes(i64::from(app.config.file.ordering.no_show_grace_minutes));
            let sweep = |tx: &mut dyn Tx, ctx: &crew_core::app::Ctx| ordering::sweep_no_shows(tx, ctx, grace);
            let report = if dry_run { app.rehearse(sweep)? } else { app.write(sweep)? };
            #[derive(Serialize)]
            struct Row {
                order: OrderId,
                action: &'static str,
            }
            let rows: Vec<Row> = report
                .no_shows
                .iter()
                .map(|&order| Row { order, action: "failed as a no-show; client offered a copy" })
                .chain(
                    report.reopened.iter().map(|&order| Row { order, action: "reopened: the worker is unavailable" }),
                )
                .collect();
            if dry_run {
                app.out.note("Dry run: nothing was changed.")?;
            }
            app.out.list(&rows, &["ORDER", "ACTION"], |r| vec![r.order.to_string(), r.action.to_string()])
        }
    }
}
