//! The mail bets' events cause: each manager who bet on an order hears how its pot was shared.

use super::{BetsEvent, BetsTx};
use crate::error::Result;
use crate::kernel::events::RecordedEvent;
use crate::mail::{Notice, Notifier, Template};
use crate::settings;

const BETS_SETTLED: Template =
    Template { name: "bets_settled", text: include_str!("../../templates/mail/bets_settled.txt") };

/// The templates bets' mail uses.
pub const TEMPLATES: &[Template] = &[BETS_SETTLED];

/// Bets' notifier: one mail per manager who bet on a settled order (bulk: nobody waits on it).
pub struct BetsMail;

impl<T: BetsTx + ?Sized> Notifier<T> for BetsMail {
    fn notices(&self, tx: &mut T, stored: &RecordedEvent) -> Result<Vec<Notice>> {
        let Some(BetsEvent::BetsSettled { order, outcome, pot, winnings, .. }) = stored.decode::<BetsEvent>()? else {
            return Ok(vec![]);
        };
        let currency = settings::rules(tx)?.currency.to_string();
        let mut managers: Vec<_> = tx.bets(Some(order))?.into_iter().map(|b| b.manager).collect();
        managers.sort();
        managers.dedup();
        let mut out = Vec::new();
        for manager in managers {
            let Some(account) = tx.account(manager)? else { continue };
            let Some(email) = account.email else { continue };
            let staked: i64 =
                tx.bets(Some(order))?.iter().filter(|b| b.manager == manager).map(|b| b.stake.cents()).sum();
            let result = match winnings.iter().find(|w| w.manager == manager) {
                Some(w) => format!("You won {} {currency}.", w.won),
                None if winnings.is_empty() => "Nobody bet on that outcome: the house takes the pot.".to_string(),
                None => "You did not win this time.".to_string(),
            };
            let vars = vec![
                ("name", account.name.to_string()),
                ("order", order.to_string()),
                ("outcome", outcome.as_str().to_string()),
                ("pot", pot.to_string()),
                ("staked", crate::types::Money::from_cents(staked).to_string()),
                ("currency", currency.clone()),
                ("result", result),
            ];
            out.push(Notice::new(&BETS_SETTLED, email, vars).bulk());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_the_variables_bets_gives() {
        let vars: Vec<(&str, String)> = ["name", "order", "outcome", "pot", "staked", "currency", "result"]
            .into_iter()
            .map(|k| (k, format!("<{k}>")))
            .collect();
        for t in TEMPLATES {
            let (subject, body) = t.render(&vars).unwrap();
            assert!(!subject.is_empty() && !subject.contains('\n'), "{}", t.name);
            assert!(body.contains("-- crew") && !body.contains('{'), "{}: {body}", t.name);
        }
    }
}
