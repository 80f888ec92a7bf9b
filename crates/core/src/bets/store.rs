//! Bets' storage: what other contexts may read ([`BetsRead`]) and what only bets writes
//! ([`BetsStore`]).

use super::{Bet, Book, NewBet};
use crate::error::Result;
use crate::iam::IamRead;
use crate::ids::{AccountId, BetId, OrderId};
use crate::kernel::events::EventLog;
use crate::ordering::OrderingRead;
use crate::settings::SettingsRead;

/// Bets and the books of orders, as any context may read them.
pub trait BetsRead {
    /// Bets on `order` (every order when `None`), by id ascending (an empty list when none).
    fn bets(&mut self, order: Option<OrderId>) -> Result<Vec<Bet>>;
    /// The bets `manager` placed on orders whose book is not settled yet (their stakes held), by
    /// id ascending.
    fn held_bets(&mut self, manager: AccountId) -> Result<Vec<Bet>>;
    /// The order's book, `None` if nobody bet on it or closed it yet.
    fn book(&mut self, order: OrderId) -> Result<Option<Book>>;
    /// Every book, by order id ascending.
    fn books(&mut self) -> Result<Vec<Book>>;
}

/// Bets' own tables; only bets writes them.
pub trait BetsStore: BetsRead {
    /// Adds a bet and returns its new id, greater than every earlier bet's. An order or manager
    /// that does not exist is a conflict error and changes nothing.
    fn insert_bet(&mut self, bet: &NewBet) -> Result<BetId>;
    /// Adds the order's book, or replaces it (a book is never removed).
    fn put_book(&mut self, book: &Book) -> Result<()>;
}

/// The transaction bets' commands and subscribers run in: its own tables, the event log,
/// ordering's orders (their state), IAM's accounts (the managers) and the company's rules (the
/// stake limit).
pub trait BetsTx: EventLog + BetsStore + OrderingRead + IamRead + SettingsRead {}
impl<T: EventLog + BetsStore + OrderingRead + IamRead + SettingsRead + ?Sized> BetsTx for T {}
