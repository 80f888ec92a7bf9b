//! The storage traits over one SQLite transaction.

use chrono::{DateTime, SecondsFormat, Utc};
use crew_core::authz::Role;
use crew_core::error::{Error, Result};
use crew_core::events::{Event, EventFilter, StoredEvent};
use crew_core::hiring::pipeline::{Application, ApplicationStatus, Candidate, HiringTest, TestSet, TestSpec};
use crew_core::iam::{Account, ClientProfile, NewAccount, Session, SessionKind};
use crew_core::ids::{AccountId, EventSeq, OrderId, ServiceTypeId};
use crew_core::mail::{Mail, MailStatus, NewMail};
use crew_core::matching::{MatchOrder, WorkerFilter, WorkerProfile, WorkerStatus};
use crew_core::ordering::{NewOrder, NewServiceType, Order, OrderFilter, OrderStatus, Photo, ServiceType};
use crew_core::store::{ActivationStore, EventLog, HiringStore, IamStore, MailStore, MatchingStore, OrderingStore};
use crew_core::types::{Email, Login, Money, Name, PaymentMethod, Phone, ServiceCode, Sha256Hex, SkillSet, Text, Zone};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

pub(crate) fn internal(e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return Error::conflict(format!("the database refused the change: {e}"));
    }
    Error::internal(format!("database: {e}"))
}

/// Times are stored as RFC 3339 UTC text of fixed width, so they sort as text.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a column into a domain type, turning a bad stored value into a conversion error.
fn col<T>(row: &Row<'_>, idx: usize, parse: impl FnOnce(&str) -> Result<T>) -> rusqlite::Result<T> {
    let raw: String = row.get(idx)?;
    parse(&raw).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn opt_col<T>(row: &Row<'_>, idx: usize, parse: impl FnOnce(&str) -> Result<T>) -> rusqlite::Result<Option<T>> {
    let raw: Option<String> = row.get(idx)?;
    raw.map(|raw| parse(&raw).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))))
        .transpose()
}

fn time(raw: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::internal(format!("stored time `{raw}`: {e}")))
}

fn role(raw: &str) -> Result<Role> {
    raw.parse()
}

pub(crate) struct SqliteTx<'a> {
    conn: &'a Connection,
}

impl<'a> SqliteTx<'a> {
    pub(crate) fn new(conn: &'a Connection) -> Self {
        SqliteTx { conn }
    }
}

// ---------------------------------------------------------------- events

const EVENT_COLUMNS: &str = "seq, at, actor_id, type, version, payload";

fn event_row(row: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    let type_name: String = row.get(3)?;
    let version: u32 = row.get(4)?;
    let payload: String = row.get(5)?;
    let event = Event::upcast(&type_name, version, &payload)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(5, Type::Text, e.into()))?;
    Ok(StoredEvent {
        seq: EventSeq::new(row.get(0)?),
        at: col(row, 1, time)?,
        actor: row.get::<_, Option<i64>>(2)?.map(AccountId::new),
        event,
    })
}

impl EventLog for SqliteTx<'_> {
    fn append_event(&mut self, at: DateTime<Utc>, actor: Option<AccountId>, event: &Event) -> Result<EventSeq> {
        let payload = serde_json::to_string(event).map_err(|e| Error::internal(format!("event encoding: {e}")))?;
        self.conn
            .prepare_cached(
                "INSERT INTO events (at, actor_id, type, version, order_id, application_id, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    ts(at),
                    actor.map(AccountId::get),
                    event.type_name(),
                    event.version(),
                    event.order().map(OrderId::get),
                    event.application(),
                    payload
                ])
            })
            .map_err(internal)?;
        Ok(EventSeq::new(self.conn.last_insert_rowid()))
    }

    fn events_after(&mut self, after: EventSeq, limit: usize) -> Result<Vec<StoredEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"))
            .map_err(internal)?;
        let rows = stmt.query_map(params![after.get(), limit as i64], event_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn find_events(&mut self, filter: &EventFilter) -> Result<Vec<StoredEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE (?1 IS NULL OR order_id = ?1) AND (?2 IS NULL OR at >= ?2) AND seq > ?3
                 ORDER BY seq LIMIT ?4"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(
                params![
                    filter.order.map(OrderId::get),
                    filter.since.map(ts),
                    filter.after.unwrap_or(EventSeq::START).get(),
                    filter.limit.map_or(-1, |l| l as i64)
                ],
                event_row,
            )
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn subscriber_position(&mut self, subscriber: &str) -> Result<EventSeq> {
        let pos: Option<i64> = self
            .conn
            .prepare_cached("SELECT position FROM subscriptions WHERE name = ?1")
            .and_then(|mut s| s.query_row([subscriber], |r| r.get(0)).optional())
            .map_err(internal)?;
        Ok(pos.map_or(EventSeq::START, EventSeq::new))
    }

    fn last_event_seq(&mut self) -> Result<EventSeq> {
        let seq: Option<i64> =
            self.conn.query_row("SELECT max(seq) FROM events", [], |r| r.get(0)).map_err(internal)?;
        Ok(seq.map_or(EventSeq::START, EventSeq::new))
    }

    fn last_event_of(&mut self, types: &[&str]) -> Result<EventSeq> {
        let list = serde_json::to_string(types).map_err(|e| Error::internal(e.to_string()))?;
        let seq: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT seq FROM events WHERE type IN (SELECT value FROM json_each(?1)) ORDER BY seq DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row([list], |r| r.get(0)).optional())
            .map_err(internal)?;
        Ok(seq.map_or(EventSeq::START, EventSeq::new))
    }

    fn set_subscriber_position(&mut self, subscriber: &str, seq: EventSeq) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO subscriptions (name, position) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            )
            .and_then(|mut s| s.execute(params![subscriber, seq.get()]))
            .map_err(internal)?;
        Ok(())
    }
}

// ---------------------------------------------------------------- IAM

const ACCOUNT_COLUMNS: &str = "id, login, name, email, role, active, password_hash, created_at";

fn account_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: AccountId::new(row.get(0)?),
        login: col(row, 1, Login::parse)?,
        name: col(row, 2, Name::parse)?,
        email: opt_col(row, 3, Email::parse)?,
        role: col(row, 4, role)?,
        active: row.get(5)?,
        password_hash: row.get(6)?,
        created_at: col(row, 7, time)?,
    })
}

fn session_kind(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Login => "login",
        SessionKind::ServiceToken => "service_token",
    }
}

impl SqliteTx<'_> {
    fn account_where(&self, clause: &str, value: &str) -> Result<Option<Account>> {
        self.conn
            .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {clause}"))
            .and_then(|mut s| s.query_row([value], account_row).optional())
            .map_err(internal)
    }
}

impl IamStore for SqliteTx<'_> {
    fn count_accounts(&mut self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM accounts", [], |r| r.get(0)).map_err(internal)?;
        Ok(n as u64)
    }

    fn count_active_accounts(&mut self, role: Role) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM accounts WHERE role = ?1 AND active = 1", [role.as_str()], |r| r.get(0))
            .map_err(internal)?;
        Ok(n as u64)
    }

    fn insert_account(&mut self, a: &NewAccount) -> Result<AccountId> {
        self.conn
            .prepare_cached(
                "INSERT INTO accounts (login, name, email, role, active, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.login.as_str(),
                    a.name.as_str(),
                    a.email.as_ref().map(Email::as_str),
                    a.role.as_str(),
                    a.password_hash,
                    ts(a.created_at)
                ])
            })
            .map_err(internal)?;
        Ok(AccountId::new(self.conn.last_insert_rowid()))
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE accounts SET login = ?2, name = ?3, email = ?4, role = ?5, active = ?6, password_hash = ?7
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.id.get(),
                    a.login.as_str(),
                    a.name.as_str(),
                    a.email.as_ref().map(Email::as_str),
                    a.role.as_str(),
                    a.active,
                    a.password_hash
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        self.account_where("id = ?1", &id.get().to_string())
    }

    fn account_by_login(&mut self, login: &Login) -> Result<Option<Account>> {
        self.account_where("login = ?1", login.as_str())
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        self.account_where("email = ?1", email.as_str())
    }

    fn accounts(&mut self, role: Option<Role>) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE ?1 IS NULL OR role = ?1 ORDER BY id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([role.map(Role::as_str)], account_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn insert_session(&mut self, s: &Session) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, account_id, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![s.token_hash, s.account.get(), session_kind(s.kind), ts(s.created_at)],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn session(&mut self, token_hash: &str) -> Result<Option<Session>> {
        self.conn
            .prepare_cached("SELECT token_hash, account_id, kind, created_at FROM sessions WHERE token_hash = ?1")
            .and_then(|mut s| {
                s.query_row([token_hash], |row| {
                    let kind: String = row.get(2)?;
                    Ok(Session {
                        token_hash: row.get(0)?,
                        account: AccountId::new(row.get(1)?),
                        kind: if kind == "login" { SessionKind::Login } else { SessionKind::ServiceToken },
                        created_at: col(row, 3, time)?,
                    })
                })
                .optional()
            })
            .map_err(internal)
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<bool> {
        let n = self.conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash]).map_err(internal)?;
        Ok(n > 0)
    }

    fn delete_sessions_of(&mut self, account: AccountId) -> Result<u64> {
        let n = self.conn.execute("DELETE FROM sessions WHERE account_id = ?1", [account.get()]).map_err(internal)?;
        Ok(n as u64)
    }

    fn client_profile(&mut self, account: AccountId) -> Result<Option<ClientProfile>> {
        self.conn
            .prepare_cached("SELECT account_id, zone, phone, payment_method FROM client_profiles WHERE account_id = ?1")
            .and_then(|mut s| {
                s.query_row([account.get()], |row| {
                    Ok(ClientProfile {
                        account: AccountId::new(row.get(0)?),
                        zone: col(row, 1, Zone::parse)?,
                        phone: opt_col(row, 2, Phone::parse)?,
                        payment_method: col(row, 3, PaymentMethod::parse)?,
                    })
                })
                .optional()
            })
            .map_err(internal)
    }

    fn upsert_client_profile(&mut self, p: &ClientProfile) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO client_profiles (account_id, zone, phone, payment_method) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id) DO UPDATE
                 SET zone = excluded.zone, phone = excluded.phone, payment_method = excluded.payment_method",
            )
            .and_then(|mut s| {
                s.execute(params![
                    p.account.get(),
                    p.zone.as_str(),
                    p.phone.as_ref().map(Phone::as_str),
                    p.payment_method.as_str()
                ])
            })
            .map_err(internal)?;
        Ok(())
    }
}

// ---------------------------------------------------------------- ordering

const SERVICE_TYPE_COLUMNS: &str = "id, code, name, description, skills, retired, created_at";

fn service_type_row(row: &Row<'_>) -> rusqlite::Result<ServiceType> {
    Ok(ServiceType {
        id: ServiceTypeId::new(row.get(0)?),
        code: col(row, 1, ServiceCode::parse)?,
        name: col(row, 2, Name::parse)?,
        description: col(row, 3, Text::parse)?,
        skills: col(row, 4, SkillSet::parse)?,
        retired: row.get(5)?,
        created_at: col(row, 6, time)?,
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

impl OrderingStore for SqliteTx<'_> {
    fn insert_service_type(&mut self, st: &NewServiceType) -> Result<ServiceTypeId> {
        self.conn
            .execute(
                "INSERT INTO service_types (code, name, description, skills, retired, created_at)
                 VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                params![
                    st.code.as_str(),
                    st.name.as_str(),
                    st.description.as_str(),
                    st.skills.to_string(),
                    ts(st.created_at)
                ],
            )
            .map_err(internal)?;
        Ok(ServiceTypeId::new(self.conn.last_insert_rowid()))
    }

    fn update_service_type(&mut self, st: &ServiceType) -> Result<()> {
        self.conn
            .execute(
                "UPDATE service_types SET name = ?2, description = ?3, skills = ?4, retired = ?5 WHERE id = ?1",
                params![st.id.get(), st.name.as_str(), st.description.as_str(), st.skills.to_string(), st.retired],
            )
            .map_err(internal)?;
        Ok(())
    }

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

// ---------------------------------------------------------------- matching

fn profile_row(row: &Row<'_>) -> rusqlite::Result<WorkerProfile> {
    Ok(WorkerProfile {
        worker: AccountId::new(row.get(0)?),
        zone: col(row, 1, Zone::parse)?,
        skills: col(row, 2, SkillSet::parse)?,
        capacity: row.get(3)?,
        rating: row.get(4)?,
        status: col(row, 5, WorkerStatus::parse)?,
        hired_at: col(row, 6, time)?,
        load: row.get(7)?,
        completed: row.get(8)?,
        failed: row.get(9)?,
    })
}

const PROFILES: &str = "
    SELECT w.worker_id, w.zone, w.skills, w.capacity, w.rating, w.status, w.hired_at,
           coalesce(l.load, 0), coalesce(h.completed, 0), coalesce(h.failed, 0)
    FROM matching_workers w
    LEFT JOIN (SELECT worker_id, count(*) AS load FROM matching_orders
               WHERE worker_id IS NOT NULL AND status IN ('assigned', 'active') GROUP BY worker_id) l
           ON l.worker_id = w.worker_id
    LEFT JOIN (SELECT worker_id, sum(completed) AS completed, sum(failed) AS failed FROM matching_outcomes
               GROUP BY worker_id) h
           ON h.worker_id = w.worker_id";

fn match_order_row(row: &Row<'_>) -> rusqlite::Result<MatchOrder> {
    Ok(MatchOrder {
        order: OrderId::new(row.get(0)?),
        client: AccountId::new(row.get(1)?),
        service_type: col(row, 2, ServiceCode::parse)?,
        skills: col(row, 3, SkillSet::parse)?,
        zone: col(row, 4, Zone::parse)?,
        scheduled_at: col(row, 5, time)?,
        status: col(row, 6, OrderStatus::parse)?,
        worker: row.get::<_, Option<i64>>(7)?.map(AccountId::new),
    })
}

const MATCH_ORDER_COLUMNS: &str = "order_id, client_id, service_type, skills, zone, scheduled_at, status, worker_id";

impl MatchingStore for SqliteTx<'_> {
    fn insert_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO matching_workers (worker_id, zone, skills, capacity, rating, status, hired_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    p.worker.get(),
                    p.zone.as_str(),
                    p.skills.to_string(),
                    p.capacity,
                    p.rating,
                    p.status.as_str(),
                    ts(p.hired_at)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn update_worker_profile(&mut self, p: &WorkerProfile) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE matching_workers SET zone = ?2, skills = ?3, capacity = ?4, rating = ?5, status = ?6
                 WHERE worker_id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    p.worker.get(),
                    p.zone.as_str(),
                    p.skills.to_string(),
                    p.capacity,
                    p.rating,
                    p.status.as_str()
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn worker_profile(&mut self, worker: AccountId) -> Result<Option<WorkerProfile>> {
        self.conn
            .prepare_cached(&format!("{PROFILES} WHERE w.worker_id = ?1"))
            .and_then(|mut s| s.query_row([worker.get()], profile_row).optional())
            .map_err(internal)
    }

    fn worker_profiles(&mut self, f: &WorkerFilter) -> Result<Vec<WorkerProfile>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{PROFILES} WHERE (?1 IS NULL OR w.zone = ?1) AND (?2 IS NULL OR w.status = ?2) ORDER BY w.worker_id"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(params![f.zone.as_ref().map(Zone::as_str), f.status.map(WorkerStatus::as_str)], profile_row)
            .map_err(internal)?;
        let all: Vec<WorkerProfile> = rows.collect::<rusqlite::Result<_>>().map_err(internal)?;
        Ok(match &f.skill {
            Some(skill) => all.into_iter().filter(|p| p.skills.level(skill).is_some()).collect(),
            None => all,
        })
    }

    fn upsert_match_order(&mut self, o: &MatchOrder) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO matching_orders ({MATCH_ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, worker_id = excluded.worker_id"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    o.order.get(),
                    o.client.get(),
                    o.service_type.as_str(),
                    o.skills.to_string(),
                    o.zone.as_str(),
                    ts(o.scheduled_at),
                    o.status.as_str(),
                    o.worker.map(AccountId::get)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn match_order(&mut self, order: OrderId) -> Result<Option<MatchOrder>> {
        self.conn
            .prepare_cached(&format!("SELECT {MATCH_ORDER_COLUMNS} FROM matching_orders WHERE order_id = ?1"))
            .and_then(|mut s| s.query_row([order.get()], match_order_row).optional())
            .map_err(internal)
    }

    fn open_match_orders(&mut self) -> Result<Vec<MatchOrder>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MATCH_ORDER_COLUMNS} FROM matching_orders WHERE status = 'open' ORDER BY scheduled_at, order_id"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map([], match_order_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn record_outcome(&mut self, worker: AccountId, client: AccountId, completed: bool) -> Result<()> {
        let (c, f) = if completed { (1, 0) } else { (0, 1) };
        self.conn
            .prepare_cached(
                "INSERT INTO matching_outcomes (worker_id, client_id, completed, failed) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (worker_id, client_id) DO UPDATE
                 SET completed = completed + excluded.completed, failed = failed + excluded.failed",
            )
            .and_then(|mut s| s.execute(params![worker.get(), client.get(), c, f]))
            .map_err(internal)?;
        Ok(())
    }

    fn outcomes(&mut self) -> Result<Vec<(AccountId, AccountId, u32, u32)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT worker_id, client_id, completed, failed FROM matching_outcomes")
            .map_err(internal)?;
        let rows = stmt
            .query_map([], |r| Ok((AccountId::new(r.get(0)?), AccountId::new(r.get(1)?), r.get(2)?, r.get(3)?)))
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

// ---------------------------------------------------------------- mail

const MAIL_COLUMNS: &str = "id, cause, recipient, subject, body, status, attempts, next_attempt_at, last_error, created_at, \
     sent_at, activation_for";

fn mail_row(row: &Row<'_>) -> rusqlite::Result<Mail> {
    Ok(Mail {
        id: row.get(0)?,
        cause: row.get(1)?,
        to: col(row, 2, Email::parse)?,
        subject: row.get(3)?,
        body: row.get(4)?,
        status: col(row, 5, MailStatus::parse)?,
        attempts: row.get(6)?,
        next_attempt_at: col(row, 7, time)?,
        last_error: row.get(8)?,
        created_at: col(row, 9, time)?,
        sent_at: opt_col(row, 10, time)?,
        activation_for: row.get::<_, Option<i64>>(11)?.map(AccountId::new),
    })
}

impl MailStore for SqliteTx<'_> {
    fn insert_mail(&mut self, m: &NewMail) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO outbox (cause, recipient, subject, body, status, attempts, next_attempt_at, created_at,
                                     activation_for)
                 VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?5, ?6) ON CONFLICT (cause) DO NOTHING",
            )
            .and_then(|mut s| {
                s.execute(params![
                    m.cause,
                    m.to.as_str(),
                    m.subject,
                    m.body,
                    ts(m.created_at),
                    m.activation_for.map(AccountId::get)
                ])
            })
            .map_err(internal)?;
        Ok(n > 0)
    }

    fn update_mail(&mut self, m: &Mail) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5, sent_at = ?6
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    m.id,
                    m.status.as_str(),
                    m.attempts,
                    ts(m.next_attempt_at),
                    m.last_error,
                    m.sent_at.map(ts)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn mail(&mut self, id: i64) -> Result<Option<Mail>> {
        self.conn
            .prepare_cached(&format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id], mail_row).optional())
            .map_err(internal)
    }

    fn mails(&mut self, status: Option<MailStatus>, limit: Option<usize>) -> Result<Vec<Mail>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MAIL_COLUMNS} FROM outbox WHERE ?1 IS NULL OR status = ?1 ORDER BY id LIMIT ?2"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(params![status.map(MailStatus::as_str), limit.map_or(-1, |l| l as i64)], mail_row)
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn due_mails(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Mail>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {MAIL_COLUMNS} FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, id LIMIT ?2"
            ))
            .map_err(internal)?;
        let rows = stmt.query_map(params![ts(now), limit as i64], mail_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

// ---------------------------------------------------------------- hiring

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("encoding: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let raw: String = row.get(idx)?;
    serde_json::from_str(&raw).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn test_row(row: &Row<'_>) -> rusqlite::Result<HiringTest> {
    Ok(HiringTest {
        id: row.get(0)?,
        version: row.get(1)?,
        deleted: row.get(2)?,
        created_at: col(row, 3, time)?,
        spec: from_json::<TestSpec>(row, 4)?,
    })
}

fn set_row(row: &Row<'_>) -> rusqlite::Result<TestSet> {
    Ok(TestSet {
        id: row.get(0)?,
        name: col(row, 1, Name::parse)?,
        description: col(row, 2, Text::parse)?,
        tests: from_json(row, 3)?,
        created_at: col(row, 4, time)?,
    })
}

/// What of a candidate is stored as JSON (all but the email, which is a column).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredCandidate {
    name: String,
    zone: String,
    strengths: String,
    weaknesses: String,
    age: Option<u32>,
    breed: Option<String>,
    coat: Option<String>,
    photo: Option<String>,
    source: Option<String>,
}

fn stored(c: &Candidate) -> StoredCandidate {
    StoredCandidate {
        name: c.name.to_string(),
        zone: c.zone.to_string(),
        strengths: c.strengths.to_string(),
        weaknesses: c.weaknesses.to_string(),
        age: c.age,
        breed: c.breed.clone(),
        coat: c.coat.clone(),
        photo: c.photo.clone(),
        source: c.source.clone(),
    }
}

fn bad(idx: usize, e: Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

const APPLICATION_COLUMNS: &str =
    "id, email, candidate, status, set_id, tests, score, max_score, passed, reason, created_at, updated_at";

fn application_row(row: &Row<'_>) -> rusqlite::Result<Application> {
    let s: StoredCandidate = from_json(row, 2)?;
    let candidate = Candidate {
        name: Name::parse(&s.name).map_err(|e| bad(2, e))?,
        email: col(row, 1, Email::parse)?,
        zone: Zone::parse(&s.zone).map_err(|e| bad(2, e))?,
        strengths: SkillSet::parse(&s.strengths).map_err(|e| bad(2, e))?,
        weaknesses: Text::parse(&s.weaknesses).map_err(|e| bad(2, e))?,
        age: s.age,
        breed: s.breed,
        coat: s.coat,
        photo: s.photo,
        source: s.source,
    };
    Ok(Application {
        id: row.get(0)?,
        candidate,
        status: col(row, 3, ApplicationStatus::parse)?,
        set: row.get(4)?,
        tests: from_json(row, 5)?,
        score: row.get(6)?,
        max_score: row.get(7)?,
        passed: row.get(8)?,
        reason: opt_col(row, 9, Text::parse)?,
        created_at: col(row, 10, time)?,
        updated_at: col(row, 11, time)?,
    })
}

const TEST_SELECT: &str = "SELECT t.id, v.version, t.deleted, t.created_at, v.spec
     FROM hiring_tests t JOIN hiring_test_versions v ON v.test_id = t.id";

impl HiringStore for SqliteTx<'_> {
    fn insert_hiring_test(&mut self, spec: &TestSpec, at: DateTime<Utc>) -> Result<i64> {
        self.conn
            .execute("INSERT INTO hiring_tests (version, deleted, created_at) VALUES (1, 0, ?1)", [ts(at)])
            .map_err(internal)?;
        let id = self.conn.last_insert_rowid();
        self.insert_hiring_test_version(id, 1, spec, at)?;
        Ok(id)
    }

    fn insert_hiring_test_version(
        &mut self,
        test: i64,
        version: u32,
        spec: &TestSpec,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO hiring_test_versions (test_id, version, spec, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![test, version, json(spec)?, ts(at)],
            )
            .map_err(internal)?;
        self.conn
            .execute("UPDATE hiring_tests SET version = ?2 WHERE id = ?1 AND version < ?2", params![test, version])
            .map_err(internal)?;
        Ok(())
    }

    fn hiring_test(&mut self, test: i64, version: Option<u32>) -> Result<Option<HiringTest>> {
        self.conn
            .prepare_cached(&format!("{TEST_SELECT} WHERE t.id = ?1 AND v.version = coalesce(?2, t.version)"))
            .and_then(|mut s| s.query_row(params![test, version], test_row).optional())
            .map_err(internal)
    }

    fn hiring_tests(&mut self) -> Result<Vec<HiringTest>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{TEST_SELECT} WHERE v.version = t.version ORDER BY t.id"))
            .map_err(internal)?;
        let rows = stmt.query_map([], test_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn delete_hiring_test(&mut self, test: i64) -> Result<()> {
        self.conn.execute("UPDATE hiring_tests SET deleted = 1 WHERE id = ?1", [test]).map_err(internal)?;
        Ok(())
    }

    fn applications_holding_test(&mut self, test: i64) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM applications
                 WHERE status IN ('tests_assigned', 'tests_submitted')
                   AND EXISTS (SELECT 1 FROM json_each(applications.tests) WHERE json_extract(value, '$[0]') = ?1)",
                [test],
                |r| r.get(0),
            )
            .map_err(internal)?;
        Ok(n as u64)
    }

    fn insert_test_set(&mut self, name: &Name, description: &Text, tests: &[i64], at: DateTime<Utc>) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO hiring_sets (name, description, tests, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name.as_str(), description.as_str(), json(&tests)?, ts(at)],
            )
            .map_err(internal)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn update_test_set(&mut self, set: &TestSet) -> Result<()> {
        self.conn
            .execute(
                "UPDATE hiring_sets SET name = ?2, description = ?3, tests = ?4 WHERE id = ?1",
                params![set.id, set.name.as_str(), set.description.as_str(), json(&set.tests)?],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn test_set(&mut self, set: i64) -> Result<Option<TestSet>> {
        self.conn
            .prepare_cached("SELECT id, name, description, tests, created_at FROM hiring_sets WHERE id = ?1")
            .and_then(|mut s| s.query_row([set], set_row).optional())
            .map_err(internal)
    }

    fn test_sets(&mut self) -> Result<Vec<TestSet>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, description, tests, created_at FROM hiring_sets ORDER BY id")
            .map_err(internal)?;
        let rows = stmt.query_map([], set_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn insert_application(&mut self, c: &Candidate, at: DateTime<Utc>) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO applications (email, candidate, status, tests, created_at, updated_at)
                 VALUES (?1, ?2, 'applied', '[]', ?3, ?3)",
            )
            .and_then(|mut s| s.execute(params![c.email.as_str(), json(&stored(c)).map_err(to_sql)?, ts(at)]))
            .map_err(internal)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn update_application(&mut self, a: &Application) -> Result<()> {
        let candidate = json(&stored(&a.candidate))?;
        let tests = json(&a.tests)?;
        self.conn
            .prepare_cached(
                "UPDATE applications SET candidate = ?2, status = ?3, set_id = ?4, tests = ?5, score = ?6, max_score = ?7,
                        passed = ?8, reason = ?9, updated_at = ?10
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.id,
                    candidate,
                    a.status.as_str(),
                    a.set,
                    tests,
                    a.score,
                    a.max_score,
                    a.passed,
                    a.reason.as_ref().map(Text::as_str),
                    ts(a.updated_at)
                ])
            })
            .map_err(internal)?;
        Ok(())
    }

    fn application(&mut self, id: i64) -> Result<Option<Application>> {
        self.conn
            .prepare_cached(&format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id], application_row).optional())
            .map_err(internal)
    }

    fn application_by_email(&mut self, email: &Email) -> Result<Option<Application>> {
        self.conn
            .prepare_cached(&format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE email = ?1"))
            .and_then(|mut s| s.query_row([email.as_str()], application_row).optional())
            .map_err(internal)
    }

    fn applications(
        &mut self,
        status: Option<ApplicationStatus>,
        set: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<Application>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications
                 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR set_id = ?2) ORDER BY id LIMIT ?3"
            ))
            .map_err(internal)?;
        let rows = stmt
            .query_map(
                params![status.map(ApplicationStatus::as_str), set, limit.map_or(-1, |l| l as i64)],
                application_row,
            )
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    fn application_events(&mut self, application: i64) -> Result<Vec<StoredEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE application_id = ?1 ORDER BY seq"))
            .map_err(internal)?;
        let rows = stmt.query_map([application], event_row).map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }
}

fn to_sql(e: Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

impl ActivationStore for SqliteTx<'_> {
    fn set_activation(&mut self, account: AccountId, secret_hash: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO activations (account_id, secret_hash, issued_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id) DO UPDATE SET secret_hash = excluded.secret_hash,
                     issued_at = excluded.issued_at, used_at = NULL",
                params![account.get(), secret_hash, ts(at)],
            )
            .map_err(internal)?;
        Ok(())
    }

    fn activation(&mut self, account: AccountId) -> Result<Option<(String, DateTime<Utc>)>> {
        self.conn
            .query_row(
                "SELECT secret_hash, issued_at FROM activations WHERE account_id = ?1 AND used_at IS NULL",
                [account.get()],
                |row| Ok((row.get(0)?, col(row, 1, time)?)),
            )
            .optional()
            .map_err(internal)
    }

    fn use_activation(&mut self, account: AccountId, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute("UPDATE activations SET used_at = ?2 WHERE account_id = ?1", params![account.get(), ts(at)])
            .map_err(internal)?;
        Ok(())
    }
}
