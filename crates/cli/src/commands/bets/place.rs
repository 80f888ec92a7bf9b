//! `crew bets place`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::bets::{self, Bet, Outcome};
use crew_core::ids::OrderId;
use crew_core::types::Money;
use crew_core::{iam, settings};
use serde::Serialize;

use crate::context::{App, FromFlag};

/// Stake your own money on how an order ends (managers)
#[derive(Debug, Args)]
#[command(after_help = "\
The stake moves from your ledger account (manager:ID) to company:stakes, where it is held until
the order ends. Then the whole pot goes to the managers who bet on what happened, in proportion to
their stakes (largest remainder), or to the house if nobody did. Refused: a stake of zero or less
(exit 2); your stakes on one order over the company's limit `bets.max_stake` (exit 2); an order
that has ended, whose betting was closed or whose bets were settled (exit 5); an order you acted
on — assigned, reassigned, reopened, cancelled or failed it (exit 3); anyone but a manager (exit 3).

Examples:
  crew bets place 17 --on completed --stake 5.00
  crew bets place 17 --on failed --stake 2.50")]
pub struct PlaceArgs {
    /// The order's id
    order: String,
    /// The outcome you bet on: completed, cancelled or failed
    #[arg(long)]
    on: String,
    /// How much you stake, like `5.00`
    #[arg(long, allow_hyphen_values = true)]
    stake: String,
}

pub const ACTIONS: &[Action] = &[Action::PlaceBets];

#[derive(Serialize)]
struct View {
    #[serde(flatten)]
    bet: Bet,
    manager_login: String,
}

pub fn run(app: &mut App, args: PlaceArgs) -> Result<()> {
    let order: OrderId = args.order.parse().flag("ORDER")?;
    let on = Outcome::parse(&args.on).flag("--on")?;
    let stake = Money::parse_typed(&args.stake).flag("--stake")?;
    let (bet, login) = app.write(|tx, ctx| {
        let max = settings::rules(tx)?.max_stake;
        let bet = bets::place(tx, ctx, order, on, stake, max)?;
        let login = iam::login_of(tx, bet.manager)?;
        Ok((bet, login))
    })?;
    let sentence = format!(
        "Bet {} placed: {stake} {} on order #{order} ending {}; held until it ends.",
        bet.id,
        app.currency(),
        on.as_str()
    );
    let fields = [("bet", bet.id.to_string()), ("order", order.to_string()), ("stake", stake.to_string())];
    app.out.done(&View { bet, manager_login: login }, &fields, &sentence)
}
