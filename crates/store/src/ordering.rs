//! Ordering's tables: service types and orders.

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, OrderId, ServiceTypeId};
use crew_core::ordering::{
    NewOrder, NewServiceType, Order, OrderFilter, OrderStatus, OrderingRead, OrderingStore, Photo, ServiceType, Timing,
};
use crew_core::types::{Money, Name, ServiceCode, Sha256Hex, SkillSet, Text, Zone};
use rusqlite::{OptionalExtension, Row, params};

use crate::row::{SqliteTx, col, internal, opt_col, time, ts};

const SERVICE_TYPE_COLUMNS: &str =
    "id, code, name, description, skills, retired, created_at, duration_minutes, buffer_minutes";

fn service_type_row(row: &Row<'_>) -> rusqlite::Result<ServiceType> {
    Ok(ServiceType {
        id: ServiceTypeId::new(row.get(0)?),
        code: col(row, 1, ServiceCode::parse)?,
        name: col(row, 2, Name::parse)?,
        description: col(row, 3, Text::parse)?,
        skills: col(row, 4, SkillSet::parse)?,
        retired: row.get(5)?,
        created_at: col(row, 6, time)?,
        timing: Timing { duration_minutes: row.get(7)?, buffer_minutes: row.get(8)? },
    })
}

const ORDER_COLUMNS: &str = "id, client_id, service_type, zone, scheduled_at, description, status, worker_id, quote_cents, \
     price_cents, copied_from, check_in_photo, check_in_sha256, completion_photo, completion_sha256, reason, created_at, updated_at";

fn photo(row: &Row<'_>, path_idx: usize) -> rusqlite::Result<Option<Photo>> {
    let path: Option<String> = row.get(path_idx)?;
    let sha = opt_col(row, path_idx + 1, Sha256Hex::parse)?;
    Ok(path.zip(sha).map(|(path, sha256)| Photo { path, sha256 }))
}

fn order_row(row: &Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order {
        id: OrderId::new(row.get(0)?),
        client: AccountId::new(row.get(1)?),
        service_type: col(row, 2, ServiceCode::parse)?,
        zone: col(row, 3, Zone::parse)?,
        scheduled_at: col(row, 4, time)?,
        description: col(row, 5, Text::parse)?,
        status: col(row, 6, OrderStatus::parse)?,
        worker: row.get::<_, Option<i64>>(7)?.map(AccountId::new),
        quote: Money::from_cents(row.get(8)?),
        price: row.get::<_, Option<i64>>(9)?.map(Money::from_cents),
        copied_from: row.get::<_, Option<i64>>(10)?.map(OrderId::new),
        check_in_photo: photo(row, 11)?,
        completion_photo: photo(row, 13)?,
        reason: opt_col(row, 15, Text::parse)?,
        created_at: col(row, 16, time)?,
        updated_at: col(row, 17, time)?,
    })
}

impl OrderingRead for SqliteTx<'_> {
    fn service_type(&mut self, code: &ServiceCode) -> Result<Option<ServiceType>> {
        self.conn
            .prepare_cached(&format!("SELECT {SERVICE_TYPE_COLUMNS} FROM service_types WHERE code = ?1"))
            .and_then(|mut s| s.query_row([code.as_str()], service_type_row).optional())
            .map_err(internal)
    }

    fn service_types(&mut self) -> Result<Vec<ServiceType>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {SERVICE_TYPE_COLUMNS} FROM service_types ORDER BY code"))
            .map_err(internal)?;
        let rows = stmt.query_map([], service_type_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn order(&mut self, id: OrderId) -> Result<Option<Order>> {
        self.conn
            .prepare_cached(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id.get()], order_row).optional())
            .map_err(internal)
    }

    fn orders(&mut self, f: &OrderFilter) -> Result<Vec<Order>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ORDER_COLUMNS} FROM orders
                 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR client_id = ?2) AND (?3 IS NULL OR worker_id = ?3)
                 ORDER BY scheduled_at, id LIMIT ?4"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(
                params![
                    f.status.map(OrderStatus::as_str),
                    f.client.map(AccountId::get),
                    f.worker.map(AccountId::get),
                    f.limit.map_or(-1, |l| l as i64)
                ],
                order_row,
            )
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

impl OrderingStore for SqliteTx<'_> {
    fn insert_service_type(&mut self, st: &NewServiceType) -> Result<ServiceTypeId> {
        self.conn
            .execute(
                "INSERT INTO service_types (code, name, description, skills, retired, created_at, duration_minutes,
                 buffer_minutes)
                 VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7)",
                params![
                    st.code.as_str(),
                    st.name.as_str(),
                    st.description.as_str(),
                    st.skills.to_string(),
                    ts(st.created_at),
                    st.timing.duration_minutes,
                    st.timing.buffer_minutes
                ],
            )
            .map_err(internal)?;
        Ok(ServiceTypeId::new(self.conn.last_insert_rowid()))
    }

    fn update_service_type(&mut self, st: &ServiceType) -> Result<()> {
        self.conn
            .execute(
                "UPDATE service_types SET name = ?2, description = ?3, skills = ?4, retired = ?5, duration_minutes = ?6,
                 buffer_minutes = ?7 WHERE id = ?1",
                params![
                    st.id.get(),
                    st.name.as_str(),
                    st.description.as_str(),
                    st.skills.to_string(),
                    st.retired,
                    st.timing.duration_minutes,
                    st.timing.buffer_minutes
                ],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn insert_order(&mut self, o: &NewOrder) -> Result<OrderId> {
        self.conn
            .prepare_cached(
                "INSERT INTO orders (client_id, service_type, zone, scheduled_at, description, status, quote_cents,
                                     copied_from, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    o.client.get(),
                    o.service_type.as_str(),
                    o.zone.as_str(),
                    ts(o.scheduled_at),
                    o.description.as_str(),
                    o.quote.cents(),
                    o.copied_from.map(OrderId::get),
                    ts(o.created_at)
                ])
            })
            .map_err(internal)?;
        Ok(OrderId::new(self.conn.last_insert_rowid()))
    }

    fn update_order(&mut self, o: &Order) -> Result<()> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE orders SET status = ?2, worker_id = ?3, price_cents = ?4, check_in_photo = ?5, check_in_sha256 = ?6,
                        completion_photo = ?7, completion_sha256 = ?8, reason = ?9, updated_at = ?10
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    o.id.get(),
                    o.status.as_str(),
                    o.worker.map(AccountId::get),
                    o.price.map(Money::cents),
                    o.check_in_photo.as_ref().map(|p| p.path.as_str()),
                    o.check_in_photo.as_ref().map(|p| p.sha256.as_str()),
                    o.completion_photo.as_ref().map(|p| p.path.as_str()),
                    o.completion_photo.as_ref().map(|p| p.sha256.as_str()),
                    o.reason.as_ref().map(Text::as_str),
                    ts(o.updated_at)
                ])
            })
            .map_err(internal)?;
        if n == 0 {
            return Err(Error::not_found(format!("no order #{}", o.id)));
        }
        Ok(())
    }
}
