//! Supplies' tables on PostgreSQL: bills of materials, stock and kits.
//!
//! As the SQLite twin (`crate::supplies`), with times as `timestamptz` and counts as `bigint`.
//! Item codes sort in byte order (`COLLATE "C"`), as SQLite's text does. A bill of materials is
//! replaced under a savepoint, so a refused list leaves the old one whole and the transaction
//! usable (a failed statement would otherwise abort it).

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, KitId, OrderId};
use crew_core::supplies::subscribers::new_cookie;
use crew_core::supplies::{
    BomLine, ItemCode, Kit, KitFilter, KitStatus, NewKit, StockItem, SuppliesRead, SuppliesStore,
};
use crew_core::types::{ServiceCode, Zone};
use postgres::Row;
use postgres::types::ToSql;

use super::row::{PgTx, col, from_json, get, int, json, narrow};

const KIT_COLUMNS: &str = "kit_id, order_id, client_id, worker_id, service_type, zone, scheduled_at, lines, status, \
     cookie, opened_at, issued_at, updated_at";

fn kit_row(row: &Row) -> Result<Kit> {
    Ok(Kit {
        id: KitId::new(get(row, 0)?),
        order: OrderId::new(get(row, 1)?),
        client: AccountId::new(get(row, 2)?),
        worker: get::<Option<i64>>(row, 3)?.map(AccountId::new),
        service_type: col(row, 4, ServiceCode::parse)?,
        zone: col(row, 5, Zone::parse)?,
        scheduled_at: get(row, 6)?,
        lines: from_json(row, 7)?,
        status: col(row, 8, KitStatus::parse)?,
        cookie: from_json(row, 9)?,
        opened_at: get(row, 10)?,
        issued_at: get(row, 11)?,
        updated_at: get(row, 12)?,
    })
}

fn stock_row(row: &Row) -> Result<StockItem> {
    Ok(StockItem {
        item: col(row, 0, ItemCode::parse)?,
        on_hand: narrow(get(row, 1)?)?,
        reserved: narrow(get(row, 2)?)?,
    })
}

impl PgTx<'_, '_> {
    fn replace_bill_of_materials(&mut self, service_type: &ServiceCode, lines: &[BomLine]) -> Result<()> {
        self.execute("DELETE FROM supplies_boms WHERE service_type = $1", &[&service_type.as_str()])?;
        for (i, line) in lines.iter().enumerate() {
            self.execute(
                "INSERT INTO supplies_boms (service_type, item, quantity, position) VALUES ($1, $2, $3, $4)",
                &[&service_type.as_str(), &line.item.as_str(), &i64::from(line.quantity), &int(i)?],
            )?;
        }
        Ok(())
    }
}

impl SuppliesRead for PgTx<'_, '_> {
    fn kit(&mut self, id: KitId) -> Result<Option<Kit>> {
        let row =
            self.query_opt(&format!("SELECT {KIT_COLUMNS} FROM supplies_kits WHERE kit_id = $1"), &[&id.get()])?;
        row.as_ref().map(kit_row).transpose()
    }

    fn kits(&mut self, f: &KitFilter) -> Result<Vec<Kit>> {
        // Only the filters given are in the statement (as in SQLite, where `$2 IS NULL OR …` kept
        // the planner from the order index).
        let status = f.status.map(KitStatus::as_str);
        let order = f.order.map(OrderId::get);
        let worker = f.worker.map(AccountId::get);
        let mut conditions = Vec::new();
        let mut values: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(status) = &status {
            values.push(status);
            conditions.push(format!("status = ${}", values.len()));
        }
        if let Some(order) = &order {
            values.push(order);
            conditions.push(format!("order_id = ${}", values.len()));
        }
        if let Some(worker) = &worker {
            values.push(worker);
            conditions.push(format!("worker_id = ${}", values.len()));
        }
        let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let rows = self.query(
            &format!("SELECT {KIT_COLUMNS} FROM supplies_kits {filter} ORDER BY scheduled_at, kit_id"),
            &values,
        )?;
        rows.iter().map(kit_row).collect()
    }

    fn bill_of_materials(&mut self, service_type: &ServiceCode) -> Result<Vec<BomLine>> {
        let rows = self.query(
            "SELECT item, quantity FROM supplies_boms WHERE service_type = $1 ORDER BY position",
            &[&service_type.as_str()],
        )?;
        rows.iter().map(|r| Ok(BomLine { item: col(r, 0, ItemCode::parse)?, quantity: narrow(get(r, 1)?)? })).collect()
    }

    fn stock_item(&mut self, item: &ItemCode) -> Result<Option<StockItem>> {
        let row =
            self.query_opt("SELECT item, on_hand, reserved FROM supplies_stock WHERE item = $1", &[&item.as_str()])?;
        row.as_ref().map(stock_row).transpose()
    }

    fn stock(&mut self) -> Result<Vec<StockItem>> {
        let rows = self.query("SELECT item, on_hand, reserved FROM supplies_stock ORDER BY item COLLATE \"C\"", &[])?;
        rows.iter().map(stock_row).collect()
    }
}

impl SuppliesStore for PgTx<'_, '_> {
    fn set_bill_of_materials(&mut self, service_type: &ServiceCode, lines: &[BomLine]) -> Result<()> {
        // One statement per row inside a savepoint: a duplicate item leaves the old list whole.
        self.batch("SAVEPOINT bom")?;
        let result = self.replace_bill_of_materials(service_type, lines);
        let end =
            if result.is_ok() { "RELEASE SAVEPOINT bom" } else { "ROLLBACK TO SAVEPOINT bom; RELEASE SAVEPOINT bom" };
        self.batch(end)?;
        result
    }

    fn insert_kit(&mut self, k: &NewKit, cookie_key: &dyn Fn(KitId) -> String) -> Result<KitId> {
        // The key is derived from the id, known only once the row exists: inserted under a
        // placeholder, then set, in this transaction.
        let row = self.query_one(
            "INSERT INTO supplies_kits (order_id, client_id, worker_id, service_type, zone, scheduled_at, lines,
                 status, cookie_key, cookie, opened_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', 'pending', '{}', $8, $8)
             RETURNING kit_id",
            &[
                &k.order.get(),
                &k.client.get(),
                &k.worker.get(),
                &k.service_type.as_str(),
                &k.zone.as_str(),
                &k.scheduled_at,
                &json(&k.lines)?,
                &k.opened_at,
            ],
        )?;
        let id = KitId::new(get(&row, 0)?);
        let key = cookie_key(id);
        let cookie = json(&new_cookie(key.clone()))?;
        self.execute(
            "UPDATE supplies_kits SET cookie_key = $2, cookie = $3 WHERE kit_id = $1",
            &[&id.get(), &key, &cookie],
        )?;
        Ok(id)
    }

    fn update_kit(&mut self, k: &Kit) -> Result<()> {
        let changed = self.execute(
            "UPDATE supplies_kits SET worker_id = $2, lines = $3, status = $4, cookie = $5, issued_at = $6,
                 updated_at = $7
             WHERE kit_id = $1",
            &[
                &k.id.get(),
                &k.worker.map(AccountId::get),
                &json(&k.lines)?,
                &k.status.as_str(),
                &json(&k.cookie)?,
                &k.issued_at,
                &k.updated_at,
            ],
        )?;
        if changed == 0 {
            return Err(Error::not_found(format!("no kit #{}", k.id)));
        }
        Ok(())
    }

    fn put_stock(&mut self, s: &StockItem) -> Result<()> {
        self.execute(
            "INSERT INTO supplies_stock (item, on_hand, reserved) VALUES ($1, $2, $3)
             ON CONFLICT (item) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved",
            &[&s.item.as_str(), &i64::from(s.on_hand), &i64::from(s.reserved)],
        )?;
        Ok(())
    }
}
