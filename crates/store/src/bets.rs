//! Bets' tables: stakes (never changed or deleted) and each order's book.

use crew_core::bets::{Bet, BetsRead, BetsStore, Book, NewBet, Outcome};
use crew_core::error::Result;
use crew_core::ids::{AccountId, BetId, OrderId};
use crew_core::types::Money;
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, internal, opt_col, time, ts};

const BET_COLUMNS: &str = "id, order_id, manager_id, outcome, stake, placed_at";

fn bet_row(row: &Row<'_>) -> rusqlite::Result<Bet> {
    Ok(Bet {
        id: BetId::new(row.get(0)?),
        order: OrderId::new(row.get(1)?),
        manager: AccountId::new(row.get(2)?),
        on: col(row, 3, Outcome::parse)?,
        stake: Money::from_cents(row.get(4)?),
        placed_at: col(row, 5, time)?,
    })
}

const BOOK_COLUMNS: &str = "order_id, closed_at, closed_by, outcome, settled_at";

fn book_row(row: &Row<'_>) -> rusqlite::Result<Book> {
    Ok(Book {
        order: OrderId::new(row.get(0)?),
        closed_at: opt_col(row, 1, time)?,
        closed_by: row.get::<_, Option<i64>>(2)?.map(AccountId::new),
        outcome: opt_col(row, 3, Outcome::parse)?,
        settled_at: opt_col(row, 4, time)?,
    })
}

impl SqliteTx<'_> {
    fn bet_rows(&self, sql: &str, arg: Option<i64>) -> Result<Vec<Bet>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(internal)?;
        let rows = match arg {
            Some(a) => stmt.query_map([a], bet_row),
            None => stmt.query_map([], bet_row),
        }
        .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

impl BetsRead for SqliteTx<'_> {
    fn bets(&mut self, order: Option<OrderId>) -> Result<Vec<Bet>> {
        match order {
            Some(o) => {
                self.bet_rows(&format!("SELECT {BET_COLUMNS} FROM bets WHERE order_id = ?1 ORDER BY id"), Some(o.get()))
            }
            None => self.bet_rows(&format!("SELECT {BET_COLUMNS} FROM bets ORDER BY id"), None),
        }
    }

    fn held_bets(&mut self, manager: AccountId) -> Result<Vec<Bet>> {
        self.bet_rows(
            &format!(
                "SELECT {BET_COLUMNS} FROM bets WHERE manager_id = ?1 AND NOT EXISTS
                   (SELECT 1 FROM bet_books k WHERE k.order_id = bets.order_id AND k.outcome IS NOT NULL)
                 ORDER BY id"
            ),
            Some(manager.get()),
        )
    }

    fn book(&mut self, order: OrderId) -> Result<Option<Book>> {
        self.conn
            .prepare_cached(&format!("SELECT {BOOK_COLUMNS} FROM bet_books WHERE order_id = ?1"))
            .and_then(|mut s| s.query_row([order.get()], book_row).optional())
            .map_err(internal)
    }

    fn books(&mut self) -> Result<Vec<Book>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {BOOK_COLUMNS} FROM bet_books ORDER BY order_id"))
            .map_err(internal)?;
        let rows = stmt.query_map([], book_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

impl BetsStore for SqliteTx<'_> {
    fn insert_bet(&mut self, b: &NewBet) -> Result<BetId> {
        self.conn
            .prepare_cached(
                "INSERT INTO bets (order_id, manager_id, outcome, stake, placed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![b.order.get(), b.manager.get(), b.on.as_str(), b.stake.cents(), ts(b.placed_at)])
            })
            .map_err(internal)?;
        Ok(BetId::new(self.conn.last_insert_rowid()))
    }

    fn put_book(&mut self, k: &Book) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO bet_books ({BOOK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (order_id) DO UPDATE SET closed_at = excluded.closed_at, closed_by = excluded.closed_by,
                     outcome = excluded.outcome, settled_at = excluded.settled_at"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    k.order.get(),
                    k.closed_at.map(ts),
                    k.closed_by.map(AccountId::get),
                    k.outcome.map(Outcome::as_str),
                    k.settled_at.map(ts)
                ])
            })
            .map(|_| ())
            .map_err(internal)
    }
}
