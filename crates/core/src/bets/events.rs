//! Bets' events: stakes placed, betting closed, pots settled. Billing posts the ledger entries
//! from `bet_placed` and `bets_settled` (its subscriber), exactly once each.

use super::{Outcome, Winning};
use crate::domain_events;
use crate::ids::{AccountId, BetId, OrderId};
use crate::kernel::events::{EventDetails, Subject};
use crate::types::Money;

domain_events! {
    /// What bets records.
    pub enum BetsEvent {
        /// A manager staked `stake` on the order ending `on`; the stake is held until the order
        /// ends (billing: `manager:M` → `company:stakes`).
        BetPlaced { bet: BetId, order: OrderId, manager: AccountId, on: Outcome, stake: Money } = "bet_placed",
        /// A manager closed the order's betting: no new stakes; the bets placed stay and settle
        /// when the order ends.
        BettingClosed { order: OrderId } = "betting_closed",
        /// The order ended `outcome`: the pot (every stake on it) went to the managers who bet on
        /// that outcome in proportion to their stakes (largest remainder), or, if nobody did, to
        /// the house (billing: `company:stakes` → the winners or `company:house`).
        BetsSettled { order: OrderId, outcome: Outcome, pot: Money, winnings: Vec<Winning>, house: Money } = "bets_settled",
    }
}

impl EventDetails for BetsEvent {
    fn subject(&self) -> Subject {
        let order = match self {
            BetsEvent::BetPlaced { order, .. }
            | BetsEvent::BettingClosed { order }
            | BetsEvent::BetsSettled { order, .. } => *order,
        };
        Subject { order: Some(order), ..Subject::default() }
    }

    fn summary(&self, name: &dyn Fn(AccountId) -> String) -> String {
        match self {
            BetsEvent::BetPlaced { bet, manager, on, stake, .. } => {
                format!("bet {bet}: {} staked {stake} on {}", name(*manager), on.as_str())
            }
            BetsEvent::BettingClosed { .. } => "betting closed: no new stakes".to_string(),
            BetsEvent::BetsSettled { outcome, pot, winnings, house, .. } => {
                if winnings.is_empty() {
                    format!("bets settled ({}): nobody won, the house takes the pot of {pot}", outcome.as_str())
                } else {
                    let won: Vec<String> = winnings.iter().map(|w| format!("{} {}", name(w.manager), w.won)).collect();
                    let house = if house.cents() > 0 { format!(", house {house}") } else { String::new() };
                    format!("bets settled ({}): pot {pot} to {}{house}", outcome.as_str(), won.join(", "))
                }
            }
        }
    }
}
