//! Ordering's tables on PostgreSQL: service types and orders.

use crew_core::error::{Error, Result};
use crew_core::ids::{AccountId, OrderId, ServiceTypeId};
use crew_core::ordering::{
    NewOrder, NewServiceType, Order, OrderFilter, OrderStatus, OrderingRead, OrderingStore, Photo, ServiceType, Timing,
};
use crew_core::types::{Money, Name, ServiceCode, Sha256Hex, SkillSet, Text, Zone};
use postgres::Row;

use super::row::{PgTx, col, get, int, narrow, opt_col};

const SERVICE_TYPE_COLUMNS: &str =
    "id, code, name, description, skills, retired, created_at, duration_minutes, buffer_minutes";

fn service_type_row(row: &Row) -> Result<ServiceType> {
    Ok(ServiceType {
        id: ServiceTypeId::new(get(row, 0)?),
        code: col(row, 1, ServiceCode::parse)?,
        name: col(row, 2, Name::parse)?,
        description: col(row, 3, Text::parse)?,
        skills: col(row, 4, SkillSet::parse)?,
        retired: get(row, 5)?,
        created_at: get(row, 6)?,
        timing: Timing { duration_minutes: narrow(get(row, 7)?)?, buffer_minutes: narrow(get(row, 8)?)? },
    })
}

const ORDER_COLUMNS: &str = "id, client_id, service_type, zone, scheduled_at, description, status, worker_id, quote_cents, \
     price_cents, copied_from, check_in_photo, check_in_sha256, completion_photo, completion_sha256, reason, created_at, updated_at";

fn photo(row: &Row, path_idx: usize) -> Result<Option<Photo>> {
    let path: Option<String> = get(row, path_idx)?;
    let sha = opt_col(row, path_idx + 1, Sha256Hex::parse)?;
    Ok(path.zip(sha).map(|(path, sha256)| Photo { path, sha256 }))
}

fn order_row(row: &Row) -> Result<Order> {
    Ok(Order {
        id: OrderId::new(get(row, 0)?),
        client: AccountId::new(get(row, 1)?),
        service_type: col(row, 2, ServiceCode::parse)?,
        zone: col(row, 3, Zone::parse)?,
        scheduled_at: get(row, 4)?,
        description: col(row, 5, Text::parse)?,
        status: col(row, 6, OrderStatus::parse)?,
        worker: get::<Option<i64>>(row, 7)?.map(AccountId::new),
        quote: Money::from_cents(get(row, 8)?),
        price: get::<Option<i64>>(row, 9)?.map(Money::from_cents),
        copied_from: get::<Option<i64>>(row, 10)?.map(OrderId::new),
        check_in_photo: photo(row, 11)?,
        completion_photo: photo(row, 13)?,
        reason: opt_col(row, 15, Text::parse)?,
        created_at: get(row, 16)?,
        updated_at: get(row, 17)?,
    })
}

impl OrderingRead for PgTx<'_, '_> {
    fn service_type(&mut self, code: &ServiceCode) -> Result<Option<ServiceType>> {
        let row = self.query_opt(
            &format!("SELECT {SERVICE_TYPE_COLUMNS} FROM service_types WHERE code = $1"),
            &[&code.as_str()],
        )?;
        row.as_ref().map(service_type_row).transpose()
    }

    fn service_types(&mut self) -> Result<Vec<ServiceType>> {
        let rows =
            self.query(&format!("SELECT {SERVICE_TYPE_COLUMNS} FROM service_types ORDER BY code COLLATE \"C\""), &[])?;
        rows.iter().map(service_type_row).collect()
    }

    fn order(&mut self, id: OrderId) -> Result<Option<Order>> {
        let row = self.query_opt(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"), &[&id.get()])?;
        row.as_ref().map(order_row).transpose()
    }

    fn orders(&mut self, f: &OrderFilter) -> Result<Vec<Order>> {
        let limit = f.limit.map(int).transpose()?;
        let rows = self.query(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders
                 WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR client_id = $2)
                   AND ($3::bigint IS NULL OR worker_id = $3)
                 ORDER BY scheduled_at, id LIMIT $4"
            ),
            &[&f.status.map(OrderStatus::as_str), &f.client.map(AccountId::get), &f.worker.map(AccountId::get), &limit],
        )?;
        rows.iter().map(order_row).collect()
    }
}

impl OrderingStore for PgTx<'_, '_> {
    fn insert_service_type(&mut self, st: &NewServiceType) -> Result<ServiceTypeId> {
        let row = self.query_one(
            "INSERT INTO service_types (code, name, description, skills, retired, created_at, duration_minutes,
             buffer_minutes)
             VALUES ($1, $2, $3, $4, false, $5, $6, $7) RETURNING id",
            &[
                &st.code.as_str(),
                &st.name.as_str(),
                &st.description.as_str(),
                &st.skills.to_string(),
                &st.created_at,
                &i64::from(st.timing.duration_minutes),
                &i64::from(st.timing.buffer_minutes),
            ],
        )?;
        Ok(ServiceTypeId::new(get(&row, 0)?))
    }

    fn update_service_type(&mut self, st: &ServiceType) -> Result<()> {
        self.execute(
            "UPDATE service_types SET name = $2, description = $3, skills = $4, retired = $5, duration_minutes = $6,
             buffer_minutes = $7 WHERE id = $1",
            &[
                &st.id.get(),
                &st.name.as_str(),
                &st.description.as_str(),
                &st.skills.to_string(),
                &st.retired,
                &i64::from(st.timing.duration_minutes),
                &i64::from(st.timing.buffer_minutes),
            ],
        )?;
        Ok(())
    }

    fn insert_order(&mut self, o: &NewOrder) -> Result<OrderId> {
        let row = self.query_one(
            "INSERT INTO orders (client_id, service_type, zone, scheduled_at, description, status, quote_cents,
                                 copied_from, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $8) RETURNING id",
            &[
                &o.client.get(),
                &o.service_type.as_str(),
                &o.zone.as_str(),
                &o.scheduled_at,
                &o.description.as_str(),
                &o.quote.cents(),
                &o.copied_from.map(OrderId::get),
                &o.created_at,
            ],
        )?;
        Ok(OrderId::new(get(&row, 0)?))
    }

    fn update_order(&mut self, o: &Order) -> Result<()> {
        let n = self.execute(
            "UPDATE orders SET status = $2, worker_id = $3, price_cents = $4, check_in_photo = $5, check_in_sha256 = $6,
                    completion_photo = $7, completion_sha256 = $8, reason = $9, updated_at = $10
             WHERE id = $1",
            &[
                &o.id.get(),
                &o.status.as_str(),
                &o.worker.map(AccountId::get),
                &o.price.map(Money::cents),
                &o.check_in_photo.as_ref().map(|p| p.path.as_str()),
                &o.check_in_photo.as_ref().map(|p| p.sha256.as_str()),
                &o.completion_photo.as_ref().map(|p| p.path.as_str()),
                &o.completion_photo.as_ref().map(|p| p.sha256.as_str()),
                &o.reason.as_ref().map(Text::as_str),
                &o.updated_at,
            ],
        )?;
        if n == 0 {
            return Err(Error::not_found(format!("no order #{}", o.id)));
        }
        Ok(())
    }
}
