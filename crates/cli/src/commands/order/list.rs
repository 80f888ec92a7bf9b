//! `crew order list`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::error::Error;
use crew_core::ordering::{self, OrderFilter, OrderStatus};
use crew_core::types::Login;

use super::{HEADERS, account_id, cells, views};
use crate::context::{App, FromFlag};

/// List orders: all for managers, your own for clients and workers
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew order list\n  crew order list --status open --format json")]
pub struct ListArgs {
    #[arg(long)]
    status: Option<String>,
    /// Only this client's orders (managers)
    #[arg(long)]
    client: Option<String>,
    /// Only this worker's orders (managers)
    #[arg(long)]
    worker: Option<String>,
    /// At most this many
    #[arg(long)]
    limit: Option<usize>,
}

pub const ACTIONS: &[Action] = &[Action::ViewOrders];

pub fn run(app: &mut App, args: ListArgs) -> Result<()> {
    let ListArgs { status, client, worker, limit } = args;
    let status = status.as_deref().map(OrderStatus::parse).transpose()?;
    let client = client.as_deref().map(Login::parse).transpose().flag("--client")?;
    let worker = worker.as_deref().map(Login::parse).transpose().flag("--worker")?;
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
