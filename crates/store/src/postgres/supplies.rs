//! Scaffolding: supplies's storage traits on PostgreSQL, not ported yet (every method panics).
#![allow(unused_variables, unused_imports)]

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, KitId, OrderId};
use crew_core::supplies::subscribers::new_cookie;
use crew_core::supplies::{
    BomLine, ItemCode, Kit, KitFilter, KitStatus, NewKit, StockItem, SuppliesRead, SuppliesStore,
};
use crew_core::types::{ServiceCode, Zone};

use chrono::{DateTime, Utc};

use super::row::PgTx;

impl SuppliesRead for PgTx<'_, '_> {
    fn kit(&mut self, id: KitId) -> Result<Option<Kit>> {
        todo!("PostgreSQL: SuppliesRead::kit")
    }

    fn kits(&mut self, f: &KitFilter) -> Result<Vec<Kit>> {
        todo!("PostgreSQL: SuppliesRead::kits")
    }

    fn bill_of_materials(&mut self, service_type: &ServiceCode) -> Result<Vec<BomLine>> {
        todo!("PostgreSQL: SuppliesRead::bill_of_materials")
    }

    fn stock_item(&mut self, item: &ItemCode) -> Result<Option<StockItem>> {
        todo!("PostgreSQL: SuppliesRead::stock_item")
    }

    fn stock(&mut self) -> Result<Vec<StockItem>> {
        todo!("PostgreSQL: SuppliesRead::stock")
    }
}

impl SuppliesStore for PgTx<'_, '_> {
    fn set_bill_of_materials(&mut self, service_type: &ServiceCode, lines: &[BomLine]) -> Result<()> {
        todo!("PostgreSQL: SuppliesStore::set_bill_of_materials")
    }

    fn insert_kit(&mut self, k: &NewKit, cookie_key: &dyn Fn(KitId) -> String) -> Result<KitId> {
        todo!("PostgreSQL: SuppliesStore::insert_kit")
    }

    fn update_kit(&mut self, k: &Kit) -> Result<()> {
        todo!("PostgreSQL: SuppliesStore::update_kit")
    }

    fn put_stock(&mut self, s: &StockItem) -> Result<()> {
        todo!("PostgreSQL: SuppliesStore::put_stock")
    }
}
