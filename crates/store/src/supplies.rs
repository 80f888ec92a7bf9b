//! Supplies' tables: bills of materials, stock and kits.

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, KitId, OrderId};
use crew_core::supplies::subscribers::new_cookie;
use crew_core::supplies::{
    BomLine, ItemCode, Kit, KitFilter, KitStatus, NewKit, StockItem, SuppliesRead, SuppliesStore,
};
use crew_core::types::{ServiceCode, Zone};
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, from_json, internal, json, opt_col, time, ts};

const KIT_COLUMNS: &str = "kit_id, order_id, client_id, worker_id, service_type, zone, scheduled_at, lines, status, \
     cookie, opened_at, issued_at, updated_at";

fn kit_row(row: &Row<'_>) -> rusqlite::Result<Kit> {
    Ok(Kit {
        id: KitId::new(row.get(0)?),
        order: OrderId::new(row.get(1)?),
        client: AccountId::new(row.get(2)?),
        worker: row.get::<_, Option<i64>>(3)?.map(AccountId::new),
        service_type: col(row, 4, ServiceCode::parse)?,
        zone: col(row, 5, Zone::parse)?,
        scheduled_at: col(row, 6, time)?,
        lines: from_json(row, 7)?,
        status: col(row, 8, KitStatus::parse)?,
        cookie: from_json(row, 9)?,
        opened_at: col(row, 10, time)?,
        issued_at: opt_col(row, 11, time)?,
        updated_at: col(row, 12, time)?,
    })
}

fn stock_row(row: &Row<'_>) -> rusqlite::Result<StockItem> {
    Ok(StockItem { item: col(row, 0, ItemCode::parse)?, on_hand: row.get(1)?, reserved: row.get(2)? })
}

impl SuppliesRead for SqliteTx<'_> {
    fn kit(&mut self, id: KitId) -> Result<Option<Kit>> {
        self.conn
            .prepare_cached(&format!("SELECT {KIT_COLUMNS} FROM supplies_kits WHERE kit_id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], kit_row).optional())
            .map_err(internal)
    }

    fn kits(&mut self, f: &KitFilter) -> Result<Vec<Kit>> {
        // Only the filters given are in the statement: `?2 IS NULL OR order_id = ?2` would keep
        // SQLite from the order index, and the kits subscriber asks once per assignment (a
        // matching run of 10,000 assignments spent ~9 s scanning every kit each time).
        let mut conditions = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(status) = f.status {
            values.push(status.as_str().to_string().into());
            conditions.push(format!("status = ?{}", values.len()));
        }
        if let Some(order) = f.order {
            values.push(order.get().into());
            conditions.push(format!("order_id = ?{}", values.len()));
        }
        if let Some(worker) = f.worker {
            values.push(worker.get().into());
            conditions.push(format!("worker_id = ?{}", values.len()));
        }
        let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {KIT_COLUMNS} FROM supplies_kits {filter} ORDER BY scheduled_at, kit_id"))
            .map_err(internal)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), kit_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn bill_of_materials(&mut self, service_type: &ServiceCode) -> Result<Vec<BomLine>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT item, quantity FROM supplies_boms WHERE service_type = ?1 ORDER BY position")
            .map_err(internal)?;
        let rows = stmt
            .query_map([service_type.as_str()], |r| {
                Ok(BomLine { item: col(r, 0, ItemCode::parse)?, quantity: r.get(1)? })
            })
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn stock_item(&mut self, item: &ItemCode) -> Result<Option<StockItem>> {
        self.conn
            .prepare_cached("SELECT item, on_hand, reserved FROM supplies_stock WHERE item = ?1")
            .and_then(|mut s| s.query_row([item.as_str()], stock_row).optional())
            .map_err(internal)
    }

    fn stock(&mut self) -> Result<Vec<StockItem>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT item, on_hand, reserved FROM supplies_stock ORDER BY item")
            .map_err(internal)?;
        let rows = stmt.query_map([], stock_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

impl SuppliesStore for SqliteTx<'_> {
    fn set_bill_of_materials(&mut self, service_type: &ServiceCode, lines: &[BomLine]) -> Result<()> {
        // One statement per row inside a savepoint: a duplicate item leaves the old list whole.
        self.conn.execute_batch("SAVEPOINT bom").map_err(internal)?;
        let result = (|| {
            self.conn
                .prepare_cached("DELETE FROM supplies_boms WHERE service_type = ?1")
                .and_then(|mut s| s.execute([service_type.as_str()]))?;
            let mut insert = self.conn.prepare_cached(
                "INSERT INTO supplies_boms (service_type, item, quantity, position) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (i, line) in lines.iter().enumerate() {
                insert.execute(params![service_type.as_str(), line.item.as_str(), line.quantity, i as i64])?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.conn.execute_batch("RELEASE bom").map_err(internal),
            Err(e) => {
                self.conn.execute_batch("ROLLBACK TO bom; RELEASE bom").map_err(internal)?;
                Err(internal(e))
            }
        }
    }

    fn insert_kit(&mut self, k: &NewKit, cookie_key: &dyn Fn(KitId) -> String) -> Result<KitId> {
        // The key is derived from the id, known only once the row exists: inserted under a
        // placeholder, then set, in this transaction.
        self.conn
            .prepare_cached(
                "INSERT INTO supplies_kits (order_id, client_id, worker_id, service_type, zone, scheduled_at, lines,
                     status, cookie_key, cookie, opened_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', 'pending', '{}', ?8, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    k.order.get(),
                    k.client.get(),
                    k.worker.get(),
                    k.service_type.as_str(),
                    k.zone.as_str(),
                    ts(k.scheduled_at),
                    json(&k.lines).map_err(crate::row::to_sql)?,
                    ts(k.opened_at),
                ])
            })
            .map_err(internal)?;
        let id = KitId::new(self.conn.last_insert_rowid());
        let key = cookie_key(id);
        let cookie = json(&new_cookie(key.clone()))?;
        self.conn
            .prepare_cached("UPDATE supplies_kits SET cookie_key = ?2, cookie = ?3 WHERE kit_id = ?1")
            .and_then(|mut s| s.execute(params![id.get(), key, cookie]))
            .map_err(internal)?;
        Ok(id)
    }

    fn update_kit(&mut self, k: &Kit) -> Result<()> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE supplies_kits SET worker_id = ?2, lines = ?3, status = ?4, cookie = ?5, issued_at = ?6,
                     updated_at = ?7
                 WHERE kit_id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    k.id.get(),
                    k.worker.map(AccountId::get),
                    json(&k.lines).map_err(crate::row::to_sql)?,
                    k.status.as_str(),
                    json(&k.cookie).map_err(crate::row::to_sql)?,
                    k.issued_at.map(ts),
                    ts(k.updated_at),
                ])
            })
            .map_err(internal)?;
        if changed == 0 {
            return Err(Error::not_found(format!("no kit #{}", k.id)));
        }
        Ok(())
    }

    fn put_stock(&mut self, s: &StockItem) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO supplies_stock (item, on_hand, reserved) VALUES (?1, ?2, ?3)
                 ON CONFLICT (item) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved",
            )
            .and_then(|mut st| st.execute(params![s.item.as_str(), s.on_hand, s.reserved]))
            .map_err(internal)?;
        Ok(())
    }
}
