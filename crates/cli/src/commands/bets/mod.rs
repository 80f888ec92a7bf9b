//! `crew bets …`: managers stake on how orders end (DESIGN.md "Bets"); one file per subcommand,
//! the pool's views shared here.

mod close;
mod list;
mod place;
mod show;

use std::collections::BTreeMap;

use anyhow::Result;
use clap::Subcommand;
use crew_core::authz::Action;
use crew_core::bets::{Bet, Pool, Winning};
use crew_core::ids::{AccountId, OrderId};
use crew_core::types::{Login, Money};
use serde::Serialize;

use crate::context::App;

/// Managers' bets on how orders end: place, close, list, show
#[derive(Debug, Subcommand)]
#[command(after_help = "\
Stakes are held on the ledger (manager:ID → company:stakes) until the order ends; then the whole
pot goes to the managers who bet on what happened, in proportion to their stakes, or to the house
if nobody did. A manager's net from bets is settled with the monthly cycle (docs/bets.md).

Examples:
  crew bets place 17 --on completed --stake 5.00
  crew bets close 17
  crew bets list
  crew bets show 17

See docs/bets.md.")]
pub enum BetsCommand {
    Place(place::PlaceArgs),
    Close(close::CloseArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
}

impl BetsCommand {
    /// The actions this subcommand needs.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            Self::Place(_) => place::ACTIONS,
            Self::Close(_) => close::ACTIONS,
            Self::List(_) => list::ACTIONS,
            Self::Show(_) => show::ACTIONS,
        }
    }
}

pub fn run(app: &mut App, command: BetsCommand) -> Result<()> {
    match command {
        BetsCommand::Place(args) => place::run(app, args),
        BetsCommand::Close(args) => close::run(app, args),
        BetsCommand::List(args) => list::run(app, args),
        BetsCommand::Show(args) => show::run(app, args),
    }
}

/// A login for an account id, or `#ID` if it has none any more.
fn login(logins: &BTreeMap<AccountId, Login>, id: AccountId) -> String {
    logins.get(&id).map_or_else(|| format!("#{id}"), |l| l.to_string())
}

/// A bet as scripts read it: the stable ids, and the manager's login beside the id.
#[derive(Serialize)]
struct BetView {
    #[serde(flatten)]
    bet: Bet,
    manager_login: String,
}

#[derive(Serialize)]
struct WinningView {
    #[serde(flatten)]
    winning: Winning,
    manager_login: String,
}

/// A pool as scripts read it (`--format json`).
#[derive(Serialize)]
struct PoolView {
    order: OrderId,
    state: &'static str,
    pot: Money,
    stakes: BTreeMap<&'static str, Money>,
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
    outcome: Option<&'static str>,
    settled_at: Option<chrono::DateTime<chrono::Utc>>,
    bets: Vec<BetView>,
    winnings: Vec<WinningView>,
    house: Money,
}

fn pool_view(p: &Pool, logins: &BTreeMap<AccountId, Login>) -> PoolView {
    let book = p.book.as_ref();
    PoolView {
        order: p.order,
        state: p.state,
        pot: p.pot,
        stakes: p.stakes.iter().map(|(o, m)| (o.as_str(), *m)).collect(),
        closed_at: book.and_then(|b| b.closed_at),
        outcome: book.and_then(|b| b.outcome).map(|o| o.as_str()),
        settled_at: book.and_then(|b| b.settled_at),
        bets: p.bets.iter().map(|b| BetView { bet: b.clone(), manager_login: login(logins, b.manager) }).collect(),
        winnings: p
            .settlement
            .iter()
            .flat_map(|s| s.winnings.iter())
            .map(|w| WinningView { winning: *w, manager_login: login(logins, w.manager) })
            .collect(),
        house: p.settlement.as_ref().map_or(Money::from_cents(0), |s| s.house),
    }
}
