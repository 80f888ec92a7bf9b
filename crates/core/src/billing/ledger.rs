//! The ledger's model: ledger accounts, journal entries of postings that sum to zero, balances,
//! and largest-remainder splits. Pure values and rules; storage is in `store.rs`.
//!
//! Sign convention: a posting's amount is positive for a debit and negative for a credit, so the
//! postings of every entry sum to zero. A client's balance is what the client owes the company
//! (positive); a worker's is what the worker owes (negative: what the company owes the worker).
//! Single currency: every amount is in the company's one currency (`currency`, DESIGN.md §5); the
//! ledger stores no currency per posting, so two currencies cannot meet in one entry.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::ids::{AccountId, EventSeq, OrderId};
use crate::types::Money;

/// One of the company's own ledger accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompanyAccount {
    /// What clients are charged for orders (income).
    Revenue,
    /// Workers' earnings (an expense).
    WorkerPayouts,
    /// Fines workers pay for failed orders (income).
    Fines,
    /// Awards managers grant workers (an expense).
    Awards,
    /// Pots of bets nobody won (income).
    House,
    /// Money on its way between the bank and the ledger: collections in, payouts out.
    BankClearing,
    /// Managers' stakes held until their order ends (bets), then paid to the winners or the house.
    Stakes,
}

impl CompanyAccount {
    pub const ALL: [CompanyAccount; 7] = [
        CompanyAccount::Revenue,
        CompanyAccount::WorkerPayouts,
        CompanyAccount::Fines,
        CompanyAccount::Awards,
        CompanyAccount::House,
        CompanyAccount::BankClearing,
        CompanyAccount::Stakes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompanyAccount::Revenue => "revenue",
            CompanyAccount::WorkerPayouts => "worker_payouts",
            CompanyAccount::Fines => "fines",
            CompanyAccount::Awards => "awards",
            CompanyAccount::House => "house",
            CompanyAccount::BankClearing => "bank_clearing",
            CompanyAccount::Stakes => "stakes",
        }
    }
}

/// An account of the ledger (not IAM's `Account`): one per client, worker and manager, plus the
/// company's own. Written `client:7`, `worker:3`, `manager:2`, `company:revenue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LedgerAccount {
    /// What a client owes (positive) or has paid ahead (negative).
    Client(AccountId),
    /// What a worker owes (positive) or is owed (negative).
    Worker(AccountId),
    /// A manager's own money: stakes and winnings of bets.
    Manager(AccountId),
    Company(CompanyAccount),
}

impl LedgerAccount {
    /// Reads `client:7`, `worker:3`, `manager:2` or `company:revenue`.
    pub fn parse(raw: &str) -> Result<LedgerAccount> {
        let s = raw.trim();
        let bad = || {
            let company: Vec<String> = CompanyAccount::ALL.iter().map(|c| format!("company:{}", c.as_str())).collect();
            Error::bad_input(format!(
                "`{raw}` is not a ledger account: write client:ID, worker:ID, manager:ID or one of {}",
                company.join(", ")
            ))
        };
        let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
        let id = || rest.parse::<AccountId>().map_err(|_| bad());
        match kind {
            "client" => Ok(LedgerAccount::Client(id()?)),
            "worker" => Ok(LedgerAccount::Worker(id()?)),
            "manager" => Ok(LedgerAccount::Manager(id()?)),
            "company" => {
                CompanyAccount::ALL.into_iter().find(|c| c.as_str() == rest).map(LedgerAccount::Company).ok_or_else(bad)
            }
            _ => Err(bad()),
        }
    }

    /// The person whose account it is, if any.
    pub fn holder(self) -> Option<AccountId> {
        match self {
            LedgerAccount::Client(a) | LedgerAccount::Worker(a) | LedgerAccount::Manager(a) => Some(a),
            LedgerAccount::Company(_) => None,
        }
    }
}

impl fmt::Display for LedgerAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerAccount::Client(a) => write!(f, "client:{a}"),
            LedgerAccount::Worker(a) => write!(f, "worker:{a}"),
            LedgerAccount::Manager(a) => write!(f, "manager:{a}"),
            LedgerAccount::Company(c) => write!(f, "company:{}", c.as_str()),
        }
    }
}

impl Serialize for LedgerAccount {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LedgerAccount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        LedgerAccount::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A journal entry's id, chosen by whoever posts it (`order:12:charge`, `award:3`): 1 to 120
/// characters of lower-case letters, digits and `:._-`. Posting the same id twice with the same
/// content is the first outcome again; with other content it is a conflict.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntryId(String);

impl EntryId {
    pub fn parse(raw: &str) -> Result<EntryId> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 120
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b':' | b'.' | b'_' | b'-'));
        if ok {
            Ok(EntryId(s.to_string()))
        } else {
            Err(Error::bad_input(format!(
                "`{raw}` is not an entry id: use 1 to 120 lower-case letters, digits, `:`, `.`, `_` or `-`"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EntryId {
    type Error = Error;
    fn try_from(s: String) -> Result<EntryId> {
        EntryId::parse(&s)
    }
}

impl From<EntryId> for String {
    fn from(id: EntryId) -> String {
        id.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A client charged an order's price (the order became active, or was cancelled after
    /// assignment).
    Charge,
    /// A worker's share of a completed order.
    Earning,
    /// A worker fined for a failed order.
    Fine,
    /// A manager's award to a worker.
    Award,
    /// An entry undoing another (mistakes are corrected only this way).
    Reversal,
    /// Money collected from a client for an invoice (bank clearing ← client).
    Collection,
    /// Money paid out to a worker for an invoice (worker ← bank clearing).
    Payout,
    /// A manager's stake on an order's outcome, held until the order ends (stakes ← manager).
    Stake,
    /// An order's pot shared when it ended: to the managers who won, or to the house (winners or
    /// house ← stakes).
    BetSettlement,
}

impl EntryKind {
    pub const ALL: [EntryKind; 9] = [
        EntryKind::Charge,
        EntryKind::Earning,
        EntryKind::Fine,
        EntryKind::Award,
        EntryKind::Reversal,
        EntryKind::Collection,
        EntryKind::Payout,
        EntryKind::Stake,
        EntryKind::BetSettlement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Charge => "charge",
            EntryKind::Earning => "earning",
            EntryKind::Fine => "fine",
            EntryKind::Award => "award",
            EntryKind::Reversal => "reversal",
            EntryKind::Collection => "collection",
            EntryKind::Payout => "payout",
            EntryKind::Stake => "stake",
            EntryKind::BetSettlement => "bet_settlement",
        }
    }

    pub fn parse(raw: &str) -> Result<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == raw.trim()).ok_or_else(|| {
            Error::bad_input(format!(
                "`{raw}` is not an entry kind: charge, earning, fine, award, reversal, collection, payout, stake or \
                 bet_settlement"
            ))
        })
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of an entry: an amount debited (positive) or credited (negative) to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub account: LedgerAccount,
    /// Cents; positive is a debit, negative a credit.
    pub amount: Money,
}

/// An immutable journal entry: postings that sum to zero, with where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: EntryId,
    pub kind: EntryKind,
    /// The business time it belongs to (its cause's time); periods are cut by it.
    pub at: DateTime<Utc>,
    /// The order it comes from, if any.
    pub order: Option<OrderId>,
    /// The event that caused it (an order event), if any.
    pub cause: Option<EventSeq>,
    /// Who caused it; `None` for crew itself.
    pub actor: Option<AccountId>,
    /// Why, in words (an award's reason).
    pub memo: String,
    /// In the order given; at least two, summing to zero.
    pub postings: Vec<Posting>,
}

impl Entry {
    /// Checks the entry's own rules: at least two postings, none zero, each account once, and a
    /// sum of zero (computed without overflow).
    pub fn check(&self) -> Result<()> {
        if self.postings.len() < 2 {
            return Err(Error::bad_input(format!("entry {}: an entry needs at least two postings", self.id)));
        }
        let mut sum: i128 = 0;
        for (i, p) in self.postings.iter().enumerate() {
            if p.amount.cents() == 0 {
                return Err(Error::bad_input(format!("entry {}: posting {} is zero", self.id, i + 1)));
            }
            if self.postings[..i].iter().any(|q| q.account == p.account) {
                return Err(Error::bad_input(format!("entry {}: account {} is posted twice", self.id, p.account)));
            }
            sum += i128::from(p.amount.cents());
        }
        if sum != 0 {
            return Err(Error::bad_input(format!("entry {}: its postings sum to {} cents, not zero", self.id, sum)));
        }
        Ok(())
    }

    /// The total moved: the sum of its debits.
    pub fn total(&self) -> Money {
        Money::from_cents(self.postings.iter().map(|p| p.amount.cents().max(0)).sum())
    }

    /// The amount posted to `account` by this entry (zero if none).
    pub fn amount_for(&self, account: LedgerAccount) -> Money {
        Money::from_cents(self.postings.iter().filter(|p| p.account == account).map(|p| p.amount.cents()).sum())
    }

    /// Whether `other` records the same thing: every field but the time it was written (a retry
    /// by the same client repeats the content, and is the first outcome again).
    pub fn same_content(&self, other: &Entry) -> bool {
        self.id == other.id
            && self.kind == other.kind
            && self.order == other.order
            && self.actor == other.actor
            && self.memo == other.memo
            && self.postings == other.postings
    }

    /// A two-posting entry: `amount` debited to `debit` and credited to `credit`.
    #[allow(clippy::too_many_arguments)]
    pub fn transfer(
        id: EntryId,
        kind: EntryKind,
        at: DateTime<Utc>,
        debit: LedgerAccount,
        credit: LedgerAccount,
        amount: Money,
        memo: String,
    ) -> Entry {
        Entry {
            id,
            kind,
            at,
            order: None,
            cause: None,
            actor: None,
            memo,
            postings: vec![
                Posting { account: debit, amount },
                Posting { account: credit, amount: Money::from_cents(-amount.cents()) },
            ],
        }
    }
}

/// A ledger account's balance as the store keeps it (maintained with every posting) or as it is
/// recomputed from the postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub account: LedgerAccount,
    /// The sum of its debits (cents, zero or more).
    pub debits: Money,
    /// The sum of its credits, as a positive amount.
    pub credits: Money,
}

impl Balance {
    /// Debits minus credits: positive means the account holder owes the company.
    pub fn net(&self) -> Money {
        Money::from_cents(self.debits.cents() - self.credits.cents())
    }
}

/// Splits `total` cents into parts proportional to `weights` by the largest-remainder method:
/// each part gets the floor of its exact share, and the cents left over go one each to the parts
/// with the largest remainders (ties to the earlier part). The parts always sum to `total`; a
/// negative total is split as its absolute value, negated. All weights zero: everything to the
/// first part. No weights: an empty list (callers never split among nobody).
pub fn split(total: i64, weights: &[u64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    let abs = u128::from(total.unsigned_abs());
    let sign: i128 = if total < 0 { -1 } else { 1 };
    if sum == 0 {
        let mut parts = vec![0; weights.len()];
        parts[0] = total;
        return parts;
    }
    let mut parts: Vec<u128> = weights.iter().map(|w| abs * u128::from(*w) / sum).collect();
    let given: u128 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Remainders compared as exact fractions over the same denominator.
    order.sort_by(|a, b| {
        let ra = abs * u128::from(weights[*a]) % sum;
        let rb = abs * u128::from(weights[*b]) % sum;
        rb.cmp(&ra).then(a.cmp(b))
    });
    for i in order.into_iter().take((abs - given) as usize) {
        parts[i] += 1;
    }
    parts.into_iter().map(|p| (sign * p as i128) as i64).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ledger_accounts_read_back_as_written() {
        for raw in ["client:7", "worker:3", "manager:2", "company:revenue", "company:bank_clearing"] {
            assert_eq!(LedgerAccount::parse(raw).unwrap().to_string(), raw);
        }
        for raw in ["client", "client:0", "client:x", "company:cash", "bank:1", ""] {
            assert!(LedgerAccount::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn an_entry_must_balance_and_post_each_account_once() {
        let t = Utc::now();
        let id = EntryId::parse("t:1").unwrap();
        let c = LedgerAccount::Client(AccountId::new(1));
        let r = LedgerAccount::Company(CompanyAccount::Revenue);
        let ok = Entry::transfer(id.clone(), EntryKind::Charge, t, c, r, Money::from_cents(100), String::new());
        ok.check().unwrap();
        let mut off = ok.clone();
        off.postings[1].amount = Money::from_cents(-99);
        assert!(off.check().unwrap_err().message.contains("sum to 1 cents"));
        let mut twice = ok.clone();
        twice.postings[1].account = c;
        assert!(twice.check().unwrap_err().message.contains("twice"));
        let mut one = ok.clone();
        one.postings.pop();
        assert!(one.check().is_err());
        let zero = Entry::transfer(id, EntryKind::Charge, t, c, r, Money::ZERO, String::new());
        assert!(zero.check().unwrap_err().message.contains("zero"));
    }

    #[test]
    fn sixty_percent_of_an_odd_price_rounds_by_largest_remainder() {
        assert_eq!(split(10_000, &[60, 40]), vec![6_000, 4_000]);
        assert_eq!(split(101, &[60, 40]), vec![61, 40]); // 60.6 and 40.4
        assert_eq!(split(1, &[1, 1, 1]), vec![1, 0, 0]);
        assert_eq!(split(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(split(-100, &[1, 1, 1]), vec![-34, -33, -33]);
        assert_eq!(split(7, &[0, 0]), vec![7, 0]);
        assert!(split(7, &[]).is_empty());
    }

    proptest! {
        #[test]
        fn splits_sum_to_the_whole_and_each_part_is_within_a_cent_of_its_share(
            total in -1_000_000_000i64..1_000_000_000,
            weights in proptest::collection::vec(0u64..1_000_000, 1..20),
        ) {
            let parts = split(total, &weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            let sum: f64 = weights.iter().map(|w| *w as f64).sum();
            if sum > 0.0 {
                for (p, w) in parts.iter().zip(&weights) {
                    let exact = total as f64 * *w as f64 / sum;
                    prop_assert!((*p as f64 - exact).abs() < 1.0 + 1e-6, "{} vs {}", p, exact);
                }
            }
        }
    }
}
