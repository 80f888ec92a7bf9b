//! Quality's tables on PostgreSQL: its view of orders, the review queue, reviews, closed
//! hypotheses.
//!
//! The SQLite store replaces a review, an order's life and a closure with `INSERT OR REPLACE`
//! (delete, then insert); here each is an upsert of every column, which leaves the same row.

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, OrderId};
use crew_core::quality::{
    Case, CaseReason, Ending, HypothesisClosure, OrderLife, QualityRead, QualityStore, Review, Verdict,
};
use crew_core::types::Text;
use postgres::Row;

use super::row::{Params, PgTx, col, get, json, narrow};

const CASE_COLUMNS: &str = "order_id, client_id, worker_id, reason, queued_at, reviewed";

fn case_row(row: &Row) -> Result<Case> {
    Ok(Case {
        order: OrderId::new(get(row, 0)?),
        client: AccountId::new(get(row, 1)?),
        worker: get::<Option<i64>>(row, 2)?.map(AccountId::new),
        reason: col(row, 3, CaseReason::parse)?,
        queued_at: get(row, 4)?,
        reviewed: get(row, 5)?,
    })
}

const REVIEW_COLUMNS: &str =
    "order_id, client_id, worker_id, verdict, cause, hypothesis, revision, reviewer_id, reviewed_at";

fn review_row(row: &Row) -> Result<Review> {
    Ok(Review {
        order: OrderId::new(get(row, 0)?),
        client: AccountId::new(get(row, 1)?),
        worker: get::<Option<i64>>(row, 2)?.map(AccountId::new),
        verdict: col(row, 3, Verdict::parse)?,
        cause: col(row, 4, Text::parse)?,
        hypothesis: col(row, 5, Text::parse)?,
        revision: narrow(get(row, 6)?)?,
        reviewer: AccountId::new(get(row, 7)?),
        reviewed_at: get(row, 8)?,
    })
}

const LIFE_COLUMNS: &str = "order_id, client_id, worker_id, ending, assigned_at, checked_in_at, finished_at";

fn life_row(row: &Row) -> Result<OrderLife> {
    Ok(OrderLife {
        order: OrderId::new(get(row, 0)?),
        client: AccountId::new(get(row, 1)?),
        worker: get::<Option<i64>>(row, 2)?.map(AccountId::new),
        ending: col(row, 3, Ending::parse)?,
        assigned_at: get(row, 4)?,
        checked_in_at: get(row, 5)?,
        finished_at: get(row, 6)?,
    })
}

const CLOSURE_COLUMNS: &str = "key, hypothesis, reason, closed_by, closed_at, reviews";

fn closure_row(row: &Row) -> Result<HypothesisClosure> {
    Ok(HypothesisClosure {
        key: get(row, 0)?,
        hypothesis: get(row, 1)?,
        reason: col(row, 2, Text::parse)?,
        closed_by: AccountId::new(get(row, 3)?),
        closed_at: get(row, 4)?,
        // The JSON list of [order, revision] pairs, as the SQLite store writes it.
        reviews: col(row, 5, |raw: &str| {
            serde_json::from_str::<Vec<(i64, u32)>>(raw)
                .map(|v| v.into_iter().map(|(o, r)| (OrderId::new(o), r)).collect())
                .map_err(|e| Error::internal(format!("a closure's reviews: {e}")))
        })?,
    })
}

/// Every row `sql` returns, each read by `f`.
fn all<T>(tx: &mut PgTx<'_, '_>, sql: &str, f: fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    tx.query(sql, &[])?.iter().map(f).collect()
}

/// The one row `sql` returns, read by `f`, or `None`.
fn one<T>(tx: &mut PgTx<'_, '_>, sql: &str, params: &Params<'_>, f: fn(&Row) -> Result<T>) -> Result<Option<T>> {
    tx.query_opt(sql, params)?.as_ref().map(f).transpose()
}

impl QualityRead for PgTx<'_, '_> {
    fn case(&mut self, order: OrderId) -> Result<Option<Case>> {
        one(self, &format!("SELECT {CASE_COLUMNS} FROM quality_cases WHERE order_id = $1"), &[&order.get()], case_row)
    }

    fn cases(&mut self) -> Result<Vec<Case>> {
        all(self, &format!("SELECT {CASE_COLUMNS} FROM quality_cases ORDER BY queued_at, order_id"), case_row)
    }

    fn review(&mut self, order: OrderId) -> Result<Option<Review>> {
        one(
            self,
            &format!("SELECT {REVIEW_COLUMNS} FROM quality_reviews WHERE order_id = $1"),
            &[&order.get()],
            review_row,
        )
    }

    fn reviews(&mut self) -> Result<Vec<Review>> {
        all(self, &format!("SELECT {REVIEW_COLUMNS} FROM quality_reviews ORDER BY order_id"), review_row)
    }

    fn life(&mut self, order: OrderId) -> Result<Option<OrderLife>> {
        one(self, &format!("SELECT {LIFE_COLUMNS} FROM quality_orders WHERE order_id = $1"), &[&order.get()], life_row)
    }

    fn lives(&mut self) -> Result<Vec<OrderLife>> {
        all(self, &format!("SELECT {LIFE_COLUMNS} FROM quality_orders ORDER BY order_id"), life_row)
    }

    fn hypothesis_closures(&mut self) -> Result<Vec<HypothesisClosure>> {
        // Keys in byte order, as SQLite sorts text.
        all(
            self,
            &format!("SELECT {CLOSURE_COLUMNS} FROM quality_hypothesis_closures ORDER BY key COLLATE \"C\""),
            closure_row,
        )
    }
}

impl QualityStore for PgTx<'_, '_> {
    fn put_hypothesis_closure(&mut self, c: &HypothesisClosure) -> Result<()> {
        let reviews: Vec<(i64, u32)> = c.reviews.iter().map(|(o, r)| (o.get(), *r)).collect();
        self.execute(
            &format!(
                "INSERT INTO quality_hypothesis_closures ({CLOSURE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (key) DO UPDATE SET hypothesis = excluded.hypothesis, reason = excluded.reason,
                     closed_by = excluded.closed_by, closed_at = excluded.closed_at, reviews = excluded.reviews"
            ),
            &[&c.key, &c.hypothesis, &c.reason.as_str(), &c.closed_by.get(), &c.closed_at, &json(&reviews)?],
        )?;
        Ok(())
    }

    fn put_case(&mut self, c: &Case) -> Result<()> {
        // An upsert: a review refers to its case, which must never be deleted.
        self.execute(
            &format!(
                "INSERT INTO quality_cases ({CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (order_id) DO UPDATE SET client_id = excluded.client_id,
                     worker_id = excluded.worker_id, reason = excluded.reason, queued_at = excluded.queued_at,
                     reviewed = excluded.reviewed"
            ),
            &[
                &c.order.get(),
                &c.client.get(),
                &c.worker.map(AccountId::get),
                &c.reason.as_str(),
                &c.queued_at,
                &c.reviewed,
            ],
        )?;
        Ok(())
    }

    fn put_review(&mut self, r: &Review) -> Result<()> {
        self.execute(
            &format!(
                "INSERT INTO quality_reviews ({REVIEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (order_id) DO UPDATE SET client_id = excluded.client_id, worker_id = excluded.worker_id,
                     verdict = excluded.verdict, cause = excluded.cause, hypothesis = excluded.hypothesis,
                     revision = excluded.revision, reviewer_id = excluded.reviewer_id,
                     reviewed_at = excluded.reviewed_at"
            ),
            &[
                &r.order.get(),
                &r.client.get(),
                &r.worker.map(AccountId::get),
                &r.verdict.as_str(),
                &r.cause.as_str(),
                &r.hypothesis.as_str(),
                &i64::from(r.revision),
                &r.reviewer.get(),
                &r.reviewed_at,
            ],
        )?;
        Ok(())
    }

    fn put_life(&mut self, l: &OrderLife) -> Result<()> {
        self.execute(
            &format!(
                "INSERT INTO quality_orders ({LIFE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (order_id) DO UPDATE SET client_id = excluded.client_id, worker_id = excluded.worker_id,
                     ending = excluded.ending, assigned_at = excluded.assigned_at,
                     checked_in_at = excluded.checked_in_at, finished_at = excluded.finished_at"
            ),
            &[
                &l.order.get(),
                &l.client.get(),
                &l.worker.map(AccountId::get),
                &l.ending.as_str(),
                &l.assigned_at,
                &l.checked_in_at,
                &l.finished_at,
            ],
        )?;
        Ok(())
    }
}
