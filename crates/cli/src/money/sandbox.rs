//! The built-in sandbox: the money services' stand-in for demos, tests and a first look. It moves
//! no money, keeps nothing and answers at once, deterministically:
//!
//! - a collection or payout succeeds, with the id `sandbox-` and its key;
//! - except a first collection or payout of an amount whose cents are `13` (`10.13`, `100.13`):
//!   declined, like a test card number at a real provider ("card declined (sandbox: amounts ending
//!   in .13 are declined on the first attempt)");
//! - a retry of a declined collection (`crew billing collect`: a new key, `retry` ≥ 1) is
//!   collected, as if the client had put money on the card: so a failed-then-retried collection
//!   can be shown and tested.

use crew_core::billing::{Outcome, PaymentKind};

use super::{Lookup, MoneyService, Request};

/// The sandbox (see the module's doc).
pub struct Sandbox;

impl Sandbox {
    fn answer(key: &str, cents: i64, retry: u32) -> Outcome {
        if cents.rem_euclid(100) == 13 && retry == 0 {
            return Outcome::Failed {
                reason: "card declined (sandbox: amounts ending in .13 are declined on the first attempt)".into(),
            };
        }
        Outcome::Confirmed { service_id: format!("sandbox-{key}") }
    }
}

impl MoneyService for Sandbox {
    fn label(&self) -> String {
        "sandbox (no money moves)".into()
    }

    fn execute(&self, request: &Request) -> Outcome {
        Sandbox::answer(&request.key, request.amount.cents(), request.retry)
    }

    /// The sandbox keeps nothing: it says it never received the key, so reconcile sends it again
    /// (the sandbox answers every request the same way, so nothing is done twice).
    fn lookup(&self, _kind: PaymentKind, _key: &str) -> Lookup {
        Lookup::NeverReceived
    }

    /// It answers at once: a thousand payments a transaction.
    fn batch(&self) -> usize {
        1000
    }
}

#[cfg(test)]
mod tests {
    use crew_core::types::Money;

    use super::*;

    fn request(cents: i64) -> Request {
        Request {
            kind: PaymentKind::Collection,
            key: "k1".into(),
            reference: "invoice 1".into(),
            party: "ann@example.com".into(),
            method: "card".into(),
            amount: Money::from_cents(cents),
            currency: "EUR".into(),
            retry: 0,
        }
    }

    #[test]
    fn the_sandbox_confirms_and_declines_amounts_ending_in_13_cents() {
        assert_eq!(Sandbox.execute(&request(30_000)), Outcome::Confirmed { service_id: "sandbox-k1".into() });
        assert!(matches!(Sandbox.execute(&request(10_013)), Outcome::Failed { .. }));
        assert_eq!(Sandbox.execute(&request(10_013)), Sandbox.execute(&request(10_013)), "deterministic");
        let retried = Request { retry: 1, key: "k1-r1".into(), ..request(10_013) };
        assert_eq!(Sandbox.execute(&retried), Outcome::Confirmed { service_id: "sandbox-k1-r1".into() });
    }
}
