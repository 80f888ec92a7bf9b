//! Scaffolding: bets's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::bets::{Bet, BetsRead, BetsStore, Book, NewBet, Outcome};
use crew_core::error::Result;
use crew_core::ids::{AccountId, BetId, OrderId};
use crew_core::types::Money;

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl BetsRead for PgTx<'_, '_> {
    fn bets(&mut self, order: Option<OrderId>) -> Result<Vec<Bet>> {
        todo!("PostgreSQL: BetsRead::bets")
    }

    fn held_bets(&mut self, manager: AccountId) -> Result<Vec<Bet>> {
        todo!("PostgreSQL: BetsRead::held_bets")
    }

    fn book(&mut self, order: OrderId) -> Result<Option<Book>> {
        todo!("PostgreSQL: BetsRead::book")
    }

    fn books(&mut self) -> Result<Vec<Book>> {
        todo!("PostgreSQL: BetsRead::books")
    }
}

impl BetsStore for PgTx<'_, '_> {
    fn insert_bet(&mut self, b: &NewBet) -> Result<BetId> {
        todo!("PostgreSQL: BetsStore::insert_bet")
    }

    fn put_book(&mut self, k: &Book) -> Result<()> {
        todo!("PostgreSQL: BetsStore::put_book")
    }
}
