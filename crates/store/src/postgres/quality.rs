//! Scaffolding: quality's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::error::Result;
use crew_core::ids::{AccountId, OrderId};
use crew_core::quality::{
    Case, CaseReason, Ending, HypothesisClosure, OrderLife, QualityRead, QualityStore, Review, Verdict,
};
use crew_core::types::Text;

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl QualityRead for PgTx<'_, '_> {
    fn case(&mut self, order: OrderId) -> Result<Option<Case>> {
        todo!("PostgreSQL: QualityRead::case")
    }

    fn cases(&mut self) -> Result<Vec<Case>> {
        todo!("PostgreSQL: QualityRead::cases")
    }

    fn review(&mut self, order: OrderId) -> Result<Option<Review>> {
        todo!("PostgreSQL: QualityRead::review")
    }

    fn reviews(&mut self) -> Result<Vec<Review>> {
        todo!("PostgreSQL: QualityRead::reviews")
    }

    fn life(&mut self, order: OrderId) -> Result<Option<OrderLife>> {
        todo!("PostgreSQL: QualityRead::life")
    }

    fn lives(&mut self) -> Result<Vec<OrderLife>> {
        todo!("PostgreSQL: QualityRead::lives")
    }

    fn hypothesis_closures(&mut self) -> Result<Vec<HypothesisClosure>> {
        todo!("PostgreSQL: QualityRead::hypothesis_closures")
    }
}

impl QualityStore for PgTx<'_, '_> {
    fn put_hypothesis_closure(&mut self, c: &HypothesisClosure) -> Result<()> {
        todo!("PostgreSQL: QualityStore::put_hypothesis_closure")
    }

    fn put_case(&mut self, c: &Case) -> Result<()> {
        todo!("PostgreSQL: QualityStore::put_case")
    }

    fn put_review(&mut self, r: &Review) -> Result<()> {
        todo!("PostgreSQL: QualityStore::put_review")
    }

    fn put_life(&mut self, l: &OrderLife) -> Result<()> {
        todo!("PostgreSQL: QualityStore::put_life")
    }
}
