//! Scaffolding: ordering's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, OrderId, ServiceTypeId};
use crew_core::ordering::{
    NewOrder, NewServiceType, Order, OrderFilter, OrderStatus, OrderingRead, OrderingStore, Photo, ServiceType, Timing,
};
use crew_core::types::{Money, Name, ServiceCode, Sha256Hex, SkillSet, Text, Zone};

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl OrderingRead for PgTx<'_, '_> {
    fn service_type(&mut self, code: &ServiceCode) -> Result<Option<ServiceType>> {
        todo!("PostgreSQL: OrderingRead::service_type")
    }

    fn service_types(&mut self) -> Result<Vec<ServiceType>> {
        todo!("PostgreSQL: OrderingRead::service_types")
    }

    fn order(&mut self, id: OrderId) -> Result<Option<Order>> {
        todo!("PostgreSQL: OrderingRead::order")
    }

    fn orders(&mut self, f: &OrderFilter) -> Result<Vec<Order>> {
        todo!("PostgreSQL: OrderingRead::orders")
    }
}

impl OrderingStore for PgTx<'_, '_> {
    fn insert_service_type(&mut self, st: &NewServiceType) -> Result<ServiceTypeId> {
        todo!("PostgreSQL: OrderingStore::insert_service_type")
    }

    fn update_service_type(&mut self, st: &ServiceType) -> Result<()> {
        todo!("PostgreSQL: OrderingStore::update_service_type")
    }

    fn insert_order(&mut self, o: &NewOrder) -> Result<OrderId> {
        todo!("PostgreSQL: OrderingStore::insert_order")
    }

    fn update_order(&mut self, o: &Order) -> Result<()> {
        todo!("PostgreSQL: OrderingStore::update_order")
    }
}
