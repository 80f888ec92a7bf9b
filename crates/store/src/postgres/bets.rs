//! Bets' tables on PostgreSQL: stakes (triggers refuse UPDATE, DELETE and TRUNCATE) and each
//! order's book.
//!
//! As the SQLite twin (`crate::bets`), with times as `timestamptz`; a bet's id comes back from
//! `RETURNING id`, and a bet on a missing order or by a missing manager is refused by the foreign
//! keys (SQLSTATE class 23, a conflict).

use crew_core::bets::{Bet, BetsRead, BetsStore, Book, NewBet, Outcome};
use crew_core::error::Result;
use crew_core::ids::{AccountId, BetId, OrderId};
use crew_core::types::Money;
use postgres::Row;

use super::row::{PgTx, col, get, opt_col};

const BET_COLUMNS: &str = "id, order_id, manager_id, outcome, stake, placed_at";

fn bet_row(row: &Row) -> Result<Bet> {
    Ok(Bet {
        id: BetId::new(get(row, 0)?),
        order: OrderId::new(get(row, 1)?),
        manager: AccountId::new(get(row, 2)?),
        on: col(row, 3, Outcome::parse)?,
        stake: Money::from_cents(get(row, 4)?),
        placed_at: get(row, 5)?,
    })
}

fn bet_rows(rows: Vec<Row>) -> Result<Vec<Bet>> {
    rows.iter().map(bet_row).collect()
}

const BOOK_COLUMNS: &str = "order_id, closed_at, closed_by, outcome, settled_at";

fn book_row(row: &Row) -> Result<Book> {
    Ok(Book {
        order: OrderId::new(get(row, 0)?),
        closed_at: get(row, 1)?,
        closed_by: get::<Option<i64>>(row, 2)?.map(AccountId::new),
        outcome: opt_col(row, 3, Outcome::parse)?,
        settled_at: get(row, 4)?,
    })
}

impl BetsRead for PgTx<'_, '_> {
    fn bets(&mut self, order: Option<OrderId>) -> Result<Vec<Bet>> {
        let rows = match order {
            Some(o) => {
                self.query(&format!("SELECT {BET_COLUMNS} FROM bets WHERE order_id = $1 ORDER BY id"), &[&o.get()])?
            }
            None => self.query(&format!("SELECT {BET_COLUMNS} FROM bets ORDER BY id"), &[])?,
        };
        bet_rows(rows)
    }

    fn held_bets(&mut self, manager: AccountId) -> Result<Vec<Bet>> {
        let rows = self.query(
            &format!(
                "SELECT {BET_COLUMNS} FROM bets WHERE manager_id = $1 AND NOT EXISTS
                   (SELECT 1 FROM bet_books k WHERE k.order_id = bets.order_id AND k.outcome IS NOT NULL)
                 ORDER BY id"
            ),
            &[&manager.get()],
        )?;
        bet_rows(rows)
    }

    fn book(&mut self, order: OrderId) -> Result<Option<Book>> {
        let row =
            self.query_opt(&format!("SELECT {BOOK_COLUMNS} FROM bet_books WHERE order_id = $1"), &[&order.get()])?;
        row.as_ref().map(book_row).transpose()
    }

    fn books(&mut self) -> Result<Vec<Book>> {
        let rows = self.query(&format!("SELECT {BOOK_COLUMNS} FROM bet_books ORDER BY order_id"), &[])?;
        rows.iter().map(book_row).collect()
    }
}

impl BetsStore for PgTx<'_, '_> {
    fn insert_bet(&mut self, b: &NewBet) -> Result<BetId> {
        let row = self.query_one(
            "INSERT INTO bets (order_id, manager_id, outcome, stake, placed_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
            &[&b.order.get(), &b.manager.get(), &b.on.as_str(), &b.stake.cents(), &b.placed_at],
        )?;
        Ok(BetId::new(get(&row, 0)?))
    }

    fn put_book(&mut self, k: &Book) -> Result<()> {
        self.execute(
            &format!(
                "INSERT INTO bet_books ({BOOK_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (order_id) DO UPDATE SET closed_at = excluded.closed_at, closed_by = excluded.closed_by,
                     outcome = excluded.outcome, settled_at = excluded.settled_at"
            ),
            &[
                &k.order.get(),
                &k.closed_at,
                &k.closed_by.map(AccountId::get),
                &k.outcome.map(Outcome::as_str),
                &k.settled_at,
            ],
        )?;
        Ok(())
    }
}
