//! Quality's tables: its view of orders, the review queue, reviews.

use crew_core::error::Result;
use crew_core::ids::{AccountId, OrderId};
use crew_core::quality::{
    Case, CaseReason, Ending, HypothesisClosure, OrderLife, QualityRead, QualityStore, Review, Verdict,
};
use crew_core::types::Text;
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, internal, opt_col, time, ts};

const CASE_COLUMNS: &str = "order_id, client_id, worker_id, reason, queued_at, reviewed";

fn case_row(row: &Row<'_>) -> rusqlite::Result<Case> {
    Ok(Case {
        order: OrderId::new(row.get(0)?),
        client: AccountId::new(row.get(1)?),
        worker: row.get::<_, Option<i64>>(2)?.map(AccountId::new),
        reason: col(row, 3, CaseReason::parse)?,
        queued_at: col(row, 4, time)?,
        reviewed: row.get(5)?,
    })
}

const REVIEW_COLUMNS: &str =
    "order_id, client_id, worker_id, verdict, cause, hypothesis, revision, reviewer_id, reviewed_at";

fn review_row(row: &Row<'_>) -> rusqlite::Result<Review> {
    Ok(Review {
        order: OrderId::new(row.get(0)?),
        client: AccountId::new(row.get(1)?),
        worker: row.get::<_, Option<i64>>(2)?.map(AccountId::new),
        verdict: col(row, 3, Verdict::parse)?,
        cause: col(row, 4, Text::parse)?,
        hypothesis: col(row, 5, Text::parse)?,
        revision: row.get(6)?,
        reviewer: AccountId::new(row.get(7)?),
        reviewed_at: col(row, 8, time)?,
    })
}

const LIFE_COLUMNS: &str = "order_id, client_id, worker_id, ending, assigned_at, checked_in_at, finished_at";

fn life_row(row: &Row<'_>) -> rusqlite::Result<OrderLife> {
    Ok(OrderLife {
        order: OrderId::new(row.get(0)?),
        client: AccountId::new(row.get(1)?),
        worker: row.get::<_, Option<i64>>(2)?.map(AccountId::new),
        ending: col(row, 3, Ending::parse)?,
        assigned_at: opt_col(row, 4, time)?,
        checked_in_at: opt_col(row, 5, time)?,
        finished_at: opt_col(row, 6, time)?,
    })
}

impl SqliteTx<'_> {
    fn all<T>(&self, sql: &str, f: fn(&Row<'_>) -> rusqlite::Result<T>) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(internal)?;
        let rows = stmt.query_map([], f).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn one<T>(&self, sql: &str, id: i64, f: fn(&Row<'_>) -> rusqlite::Result<T>) -> Result<Option<T>> {
        self.conn.prepare_cached(sql).and_then(|mut s| s.query_row([id], f).optional()).map_err(internal)
    }
}

impl QualityRead for SqliteTx<'_> {
    fn case(&mut self, order: OrderId) -> Result<Option<Case>> {
        self.one(&format!("SELECT {CASE_COLUMNS} FROM quality_cases WHERE order_id = ?1"), order.get(), case_row)
    }

    fn cases(&mut self) -> Result<Vec<Case>> {
        self.all(&format!("SELECT {CASE_COLUMNS} FROM quality_cases ORDER BY queued_at, order_id"), case_row)
    }

    fn review(&mut self, order: OrderId) -> Result<Option<Review>> {
        self.one(&format!("SELECT {REVIEW_COLUMNS} FROM quality_reviews WHERE order_id = ?1"), order.get(), review_row)
    }

    fn reviews(&mut self) -> Result<Vec<Review>> {
        self.all(&format!("SELECT {REVIEW_COLUMNS} FROM quality_reviews ORDER BY order_id"), review_row)
    }

    fn life(&mut self, order: OrderId) -> Result<Option<OrderLife>> {
        self.one(&format!("SELECT {LIFE_COLUMNS} FROM quality_orders WHERE order_id = ?1"), order.get(), life_row)
    }

    fn lives(&mut self) -> Result<Vec<OrderLife>> {
        self.all(&format!("SELECT {LIFE_COLUMNS} FROM quality_orders ORDER BY order_id"), life_row)
    }

    fn hypothesis_closures(&mut self) -> Result<Vec<HypothesisClosure>> {
        self.all(
            "SELECT key, hypothesis, reason, closed_by, closed_at, reviews FROM quality_hypothesis_closures ORDER BY key",
            |row| {
                Ok(HypothesisClosure {
                    key: row.get(0)?,
                    hypothesis: row.get(1)?,
                    reason: col(row, 2, Text::parse)?,
                    closed_by: AccountId::new(row.get(3)?),
                    closed_at: col(row, 4, time)?,
                    reviews: col(row, 5, |raw: &str| {
                        serde_json::from_str::<Vec<(i64, u32)>>(raw)
                            .map(|v| v.into_iter().map(|(o, r)| (OrderId::new(o), r)).collect())
                            .map_err(|e| crew_core::Error::internal(format!("a closure's reviews: {e}")))
                    })?,
                })
            },
        )
    }
}

impl QualityStore for SqliteTx<'_> {
    fn put_hypothesis_closure(&mut self, c: &HypothesisClosure) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO quality_hypothesis_closures (key, hypothesis, reason, closed_by, closed_at, reviews)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                let reviews: Vec<(i64, u32)> = c.reviews.iter().map(|(o, r)| (o.get(), *r)).collect();
                let reviews = serde_json::to_string(&reviews).unwrap_or_else(|_| "[]".into());
                s.execute(params![c.key, c.hypothesis, c.reason.as_str(), c.closed_by.get(), ts(c.closed_at), reviews])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn put_case(&mut self, c: &Case) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                // An upsert, not a REPLACE: a review refers to its case, which must never be deleted.
                "INSERT INTO quality_cases ({CASE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (order_id) DO UPDATE SET client_id = excluded.client_id,
                     worker_id = excluded.worker_id, reason = excluded.reason, queued_at = excluded.queued_at,
                     reviewed = excluded.reviewed"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    c.order.get(),
                    c.client.get(),
                    c.worker.map(AccountId::get),
                    c.reason.as_str(),
                    ts(c.queued_at),
                    c.reviewed
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn put_review(&mut self, r: &Review) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT OR REPLACE INTO quality_reviews ({REVIEW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    r.order.get(),
                    r.client.get(),
                    r.worker.map(AccountId::get),
                    r.verdict.as_str(),
                    r.cause.as_str(),
                    r.hypothesis.as_str(),
                    r.revision,
                    r.reviewer.get(),
                    ts(r.reviewed_at)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn put_life(&mut self, l: &OrderLife) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT OR REPLACE INTO quality_orders ({LIFE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    l.order.get(),
                    l.client.get(),
                    l.worker.map(AccountId::get),
                    l.ending.as_str(),
                    l.assigned_at.map(ts),
                    l.checked_in_at.map(ts),
                    l.finished_at.map(ts)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }
}
