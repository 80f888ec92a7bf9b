use chrono::Utc;
use proptest::prelude::*;

use super::*;

fn bet(id: i64, manager: i64, on: Outcome, cents: i64) -> Bet {
    Bet {
        id: BetId::new(id),
        order: OrderId::new(1),
        manager: AccountId::new(manager),
        on,
        stake: Money::from_cents(cents),
        placed_at: Utc::now(),
    }
}

#[test]
fn outcomes_read_back_as_written() {
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(&format!(" {} ", o.as_str().to_uppercase())).unwrap(), o);
    }
    assert!(Outcome::parse("won").unwrap_err().message.contains("completed, cancelled or failed"));
    assert_eq!(Outcome::of(OrderStatus::Active), None);
    assert_eq!(Outcome::of(OrderStatus::Failed), Some(Outcome::Failed));
}

#[test]
fn the_pot_goes_to_the_winners_in_proportion_to_their_stakes() {
    // Pot 10.00; winners staked 1.00 and 2.00: 3.33⅓ and 6.66⅔ → 3.33 and 6.67.
    let bets =
        [bet(1, 2, Outcome::Completed, 100), bet(2, 3, Outcome::Completed, 200), bet(3, 4, Outcome::Failed, 700)];
    let s = share(&bets, Outcome::Completed);
    assert_eq!(s.pot, Money::from_cents(1000));
    assert_eq!(s.house, Money::from_cents(0));
    let won: Vec<(i64, i64, i64)> =
        s.winnings.iter().map(|w| (w.manager.get(), w.stake.cents(), w.won.cents())).collect();
    assert_eq!(won, [(2, 100, 333), (3, 200, 667)]);
}

#[test]
fn a_managers_bets_on_the_winning_outcome_count_together() {
    let bets = [bet(1, 2, Outcome::Failed, 100), bet(2, 2, Outcome::Failed, 50), bet(3, 3, Outcome::Completed, 150)];
    let s = share(&bets, Outcome::Failed);
    assert_eq!(
        s.winnings,
        [Winning { manager: AccountId::new(2), stake: Money::from_cents(150), won: Money::from_cents(300) }]
    );
}

#[test]
fn nobody_won_the_house_takes_the_pot() {
    let bets = [bet(1, 2, Outcome::Completed, 100), bet(2, 3, Outcome::Failed, 250)];
    let s = share(&bets, Outcome::Cancelled);
    assert_eq!((s.pot.cents(), s.house.cents(), s.winnings.len()), (350, 350, 0));
}

proptest! {
    /// Any bets and any outcome: the winners' shares and the house's sum to the pot exactly, each
    /// winner gets at least their stake, and the house takes something only when nobody won.
    #[test]
    fn the_pot_is_paid_out_exactly(
        stakes in prop::collection::vec((1i64..6, 0usize..3, 1i64..1_000_000), 1..30),
        outcome in 0usize..3,
    ) {
        let bets: Vec<Bet> = stakes.iter().enumerate()
            .map(|(i, (m, o, c))| bet(i as i64 + 1, *m, Outcome::ALL[*o], *c))
            .collect();
        let outcome = Outcome::ALL[outcome];
        let s = share(&bets, outcome);
        let pot: i64 = bets.iter().map(|b| b.stake.cents()).sum();
        prop_assert_eq!(s.pot.cents(), pot);
        let paid: i64 = s.winnings.iter().map(|w| w.won.cents()).sum::<i64>() + s.house.cents();
        prop_assert_eq!(paid, pot);
        prop_assert_eq!(s.house.cents() > 0, s.winnings.is_empty());
        for w in &s.winnings {
            prop_assert!(w.won >= w.stake, "{:?}", w);
        }
    }
}
