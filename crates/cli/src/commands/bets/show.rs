//! `crew bets show`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::{bets, iam};

use super::pool_view;
use crate::cli::Format;
use crate::context::{App, FromFlag};

/// One order's bets, its pot and, once it ended, who won what (managers, accountants)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  crew bets show 17\n  crew bets show 17 --format json")]
pub struct ShowArgs {
    /// The order's id
    order: String,
}

pub const ACTIONS: &[Action] = &[Action::ViewBets];

pub fn run(app: &mut App, args: ShowArgs) -> Result<()> {
    let order: OrderId = args.order.parse().flag("ORDER")?;
    let (pool, logins) = app.read(|tx, ctx| Ok((bets::show(tx, ctx, order)?, iam::logins(tx)?)))?;
    let view = pool_view(&pool, &logins);
    if app.out.format != Format::Table {
        return app.out.record(&view, &[("order", order.to_string()), ("state", view.state.to_string())]);
    }
    app.out.list(&view.bets, &["BET", "MANAGER", "ON", "STAKE", "PLACED", "WON"], |b| {
        let won = match view.outcome {
            None => String::new(),
            Some(o) if o == b.bet.on.as_str() => "yes".to_string(),
            Some(_) => "no".to_string(),
        };
        vec![
            b.bet.id.to_string(),
            b.manager_login.clone(),
            b.bet.on.as_str().to_string(),
            b.bet.stake.to_string(),
            app.show_time(b.bet.placed_at),
            won,
        ]
    })?;
    let currency = app.currency().to_string();
    let head = match view.outcome {
        None if view.state == "ended" => format!("Order #{order} has ended with no bets to settle."),
        None => {
            format!("Order #{order}: betting {}, pot {} {currency}, held until the order ends.", view.state, view.pot)
        }
        Some(o) if view.winnings.is_empty() => {
            format!("Order #{order} {o}: nobody bet on it; the house took the pot of {} {currency}.", view.pot)
        }
        Some(o) => {
            let w: Vec<String> =
                view.winnings.iter().map(|w| format!("{} {}", w.manager_login, w.winning.won)).collect();
            format!("Order #{order} {o}: the pot of {} {currency} went to {}.", view.pot, w.join(", "))
        }
    };
    app.out.note(&head)
}
