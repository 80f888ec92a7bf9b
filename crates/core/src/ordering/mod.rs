//! Ordering: service types, and each order's life from `open` to `completed`, `failed` or
//! `cancelled`.
//!
//! ```text
//! open ──assign──▶ assigned ──check in──▶ active ──complete──▶ completed
//!  │  ◀──reopen──    │ │                    │
//!  │                 │ └───────fail─────────┴──▶ failed ──reopen──▶ open
//!  └──cancel──▶ cancelled ◀──cancel──┘
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub mod events;
pub mod notifications;
pub mod store;
pub mod subscribers;

pub use events::{AssignedBy, Forced, OrderingEvent, ServiceTypeDetails};
pub use store::{OrderingRead, OrderingStore, OrderingTx};

use crate::authz::{Action, Actor, Role, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, OrderId, ServiceTypeId};
use crate::imports::{Field, ImportSummary, RawRecord};
use crate::kernel::command::{Ctx, record};
use crate::kernel::events::EventFilter;
use crate::matching::time::{Calendar, Slot, TimeRules, clashes};
use crate::matching::{WorkerProfile, WorkerStatus};
use crate::types::{Login, Money, Name, ServiceCode, Sha256Hex, Skill, SkillSet, Text, Zone};

/// How orders are priced.
#[derive(Debug, Clone)]
pub struct Pricing {
    /// The price of any order (DESIGN.md: the first version is 100 units for any service).
    pub base_price: Money,
    /// The client's loyalty discount.
    pub loyalty: Loyalty,
}

/// The loyalty discount (DESIGN.md "Matching"): a client who paid more than one `step` in total
/// gets `first_percent` off, one percent more per further step, at most `max_percent` — over
/// 10,000 → 5%, over 20,000 → 6%, … at most 12%. "Paid" is what billing collected
/// ([`crate::billing::BillingRead::total_paid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loyalty {
    /// More than zero; zero turns the discount off.
    pub step: Money,
    pub first_percent: u32,
    pub max_percent: u32,
}

impl Loyalty {
    /// No discount for anyone.
    pub const NONE: Loyalty = Loyalty { step: Money::ZERO, first_percent: 0, max_percent: 0 };

    /// The discount in percent for a client who has paid `paid` in total.
    pub fn percent(&self, paid: Money) -> u32 {
        let (paid, step) = (paid.cents(), self.step.cents());
        if step <= 0 || paid <= step {
            return 0;
        }
        let steps = (paid - 1) / step; // "over": exactly one step is not yet more than one
        let extra = u32::try_from(steps - 1).unwrap_or(u32::MAX);
        self.first_percent.saturating_add(extra).min(self.max_percent)
    }
}

impl Pricing {
    /// The pricing the company's rules say.
    pub fn from_rules(rules: &crate::settings::Rules) -> Pricing {
        Pricing {
            base_price: rules.base_price,
            loyalty: Loyalty {
                step: rules.loyalty_step,
                first_percent: rules.loyalty_first_percent,
                max_percent: rules.loyalty_max_percent,
            },
        }
    }

    /// The price of an order for a client who has paid `paid` in total so far: the base price less
    /// the loyalty discount, rounded to the cent (half up).
    pub fn price(&self, _service_type: &ServiceType, paid: Money) -> Money {
        let price = self.base_price.cents();
        let percent = i64::from(self.loyalty.percent(paid));
        Money::from_cents(price - (price * percent + 50) / 100)
    }
}

/// How long an order of a service type takes (DESIGN.md "Ordering"): it occupies
/// `[start, start + duration)`, and its worker is free again `buffer` minutes later (set-up,
/// tidying up). Whole minutes; an order placed keeps the timing of its moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Timing {
    /// 1 to 1440 minutes.
    pub duration_minutes: u32,
    /// 0 to 1440 minutes.
    pub buffer_minutes: u32,
}

impl Timing {
    /// What service types had before they had a timing (migration 0020): an hour, no buffer.
    pub const DEFAULT: Timing = Timing { duration_minutes: 60, buffer_minutes: 0 };

    pub fn new(duration_minutes: u32, buffer_minutes: u32) -> Result<Timing> {
        if !(1..=1440).contains(&duration_minutes) {
            return Err(Error::bad_input(format!("a duration is from 1 to 1440 minutes, not {duration_minutes}")));
        }
        if buffer_minutes > 1440 {
            return Err(Error::bad_input(format!("a buffer is from 0 to 1440 minutes, not {buffer_minutes}")));
        }
        Ok(Timing { duration_minutes, buffer_minutes })
    }
}

impl Default for Timing {
    fn default() -> Self {
        Timing::DEFAULT
    }
}

/// A kind of work clients can order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceType {
    pub id: ServiceTypeId,
    pub code: ServiceCode,
    pub name: Name,
    pub description: Text,
    /// The skills (and minimum levels) a worker needs for it.
    pub skills: SkillSet,
    #[serde(flatten)]
    pub timing: Timing,
    pub retired: bool,
    pub created_at: DateTime<Utc>,
}

/// A service type about to be added.
#[derive(Debug, Clone)]
pub struct NewServiceType {
    pub code: ServiceCode,
    pub name: Name,
    pub description: Text,
    pub skills: SkillSet,
    pub timing: Timing,
    pub created_at: DateTime<Utc>,
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Open,
    Assigned,
    Active,
    Completed,
    Failed,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Open,
        OrderStatus::Assigned,
        OrderStatus::Active,
        OrderStatus::Completed,
        OrderStatus::Failed,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Assigned => "assigned",
            OrderStatus::Active => "active",
            OrderStatus::Completed => "completed",
            OrderStatus::Failed => "failed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        OrderStatus::ALL.into_iter().find(|s| s.as_str() == raw.trim().to_lowercase()).ok_or_else(|| {
            Error::bad_input(format!(
                "`{raw}` is not an order status: use open, assigned, active, completed, failed or cancelled"
            ))
        })
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A photo kept in the media folder: its path there and its checksum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Photo {
    pub path: String,
    pub sha256: Sha256Hex,
}

/// A client's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    pub id: OrderId,
    pub client: AccountId,
    pub service_type: ServiceCode,
    pub zone: Zone,
    pub scheduled_at: DateTime<Utc>,
    pub description: Text,
    pub status: OrderStatus,
    pub worker: Option<AccountId>,
    /// The price quoted when the order was placed.
    pub quote: Money,
    /// The price fixed at assignment.
    pub price: Option<Money>,
    pub copied_from: Option<OrderId>,
    pub check_in_photo: Option<Photo>,
    pub completion_photo: Option<Photo>,
    /// Why it failed or was cancelled.
    pub reason: Option<Text>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An order about to be placed.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub client: AccountId,
    pub service_type: ServiceCode,
    pub zone: Zone,
    pub scheduled_at: DateTime<Utc>,
    pub description: Text,
    pub quote: Money,
    pub copied_from: Option<OrderId>,
    pub created_at: DateTime<Utc>,
}

/// Which orders `crew order list` shows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub client: Option<AccountId>,
    pub worker: Option<AccountId>,
    pub limit: Option<usize>,
}

/// A change asked of an order's life.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Assign { worker: AccountId, price: Money, by: AssignedBy },
    CheckIn { photo: Photo },
    Complete { photo: Photo },
    Fail { reason: Text },
    Cancel { reason: Text },
    Reopen,
}

impl Transition {
    fn verb(&self) -> &'static str {
        match self {
            Transition::Assign { .. } => "assigned",
            Transition::CheckIn { .. } => "checked in",
            Transition::Complete { .. } => "completed",
            Transition::Fail { .. } => "failed",
            Transition::Cancel { .. } => "cancelled",
            Transition::Reopen => "reopened",
        }
    }

    /// The states this transition may start from.
    pub fn allowed_from(&self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Transition::Assign { .. } => &[Open, Assigned],
            Transition::CheckIn { .. } => &[Assigned],
            Transition::Complete { .. } => &[Active],
            Transition::Fail { .. } => &[Assigned, Active],
            Transition::Cancel { .. } => &[Open, Assigned],
            Transition::Reopen => &[Assigned, Failed],
        }
    }
}

/// Decides whether a transition is legal in the order's state, and which event records it.
pub fn decide(order: &Order, transition: &Transition) -> Result<OrderingEvent> {
    let from = transition.allowed_from();
    if !from.contains(&order.status) {
        let names: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        return Err(Error::conflict(format!(
            "order #{} is {}; it cannot be {} (only an order that is {} can)",
            order.id,
            order.status,
            transition.verb(),
            names.join(" or ")
        )));
    }
    let id = order.id;
    Ok(match transition.clone() {
        Transition::Assign { worker, price, by } => {
            if order.worker == Some(worker) {
                return Err(Error::conflict(format!("order #{id} is already assigned to worker #{worker}")));
            }
            OrderingEvent::OrderAssigned { order: id, worker, price, by, relaxation: None, forced: None }
        }
        Transition::CheckIn { photo } => {
            OrderingEvent::OrderCheckedIn { order: id, worker: assigned(order)?, photo_sha256: photo.sha256 }
        }
        Transition::Complete { photo } => {
            OrderingEvent::OrderCompleted { order: id, worker: assigned(order)?, photo_sha256: photo.sha256 }
        }
        Transition::Fail { reason } => {
            if reason.is_empty() {
                return Err(Error::bad_input("a failed order needs a reason (--reason)"));
            }
            OrderingEvent::OrderFailed { order: id, worker: order.worker, reason }
        }
        Transition::Cancel { reason } => OrderingEvent::OrderCancelled {
            order: id,
            worker: order.worker,
            reason,
            after_assignment: order.status == OrderStatus::Assigned,
        },
        Transition::Reopen => OrderingEvent::OrderReopened { order: id, previous_worker: order.worker },
    })
}

fn assigned(order: &Order) -> Result<AccountId> {
    order.worker.ok_or_else(|| Error::internal(format!("order #{} has no worker", order.id)))
}

/// The order after a transition (the state `decide` allowed).
pub fn apply_transition(mut order: Order, transition: Transition, now: DateTime<Utc>) -> Order {
    order.updated_at = now;
    match transition {
        Transition::Assign { worker, price, .. } => {
            order.status = OrderStatus::Assigned;
            order.worker = Some(worker);
            order.price = Some(price);
        }
        Transition::CheckIn { photo } => {
            order.status = OrderStatus::Active;
            order.check_in_photo = Some(photo);
        }
        Transition::Complete { photo } => {
            order.status = OrderStatus::Completed;
            order.completion_photo = Some(photo);
        }
        Transition::Fail { reason } => {
            order.status = OrderStatus::Failed;
            order.reason = Some(reason);
        }
        Transition::Cancel { reason } => {
            order.status = OrderStatus::Cancelled;
            order.reason = Some(reason);
        }
        Transition::Reopen => {
            order.status = OrderStatus::Open;
            order.worker = None;
            order.price = None;
            order.check_in_photo = None;
            order.reason = None;
        }
    }
    order
}

fn transition(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, order: Order, t: Transition) -> Result<Order> {
    let event = decide(&order, &t)?;
    let order = apply_transition(order, t, ctx.now);
    tx.update_order(&order)?;
    record(tx, ctx, event)?;
    Ok(order)
}

// ---------------------------------------------------------------- service types

/// `crew service-type add`.
pub fn add_service_type(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    code: ServiceCode,
    name: Name,
    description: Text,
    skills: SkillSet,
    timing: Timing,
) -> Result<ServiceType> {
    require(&ctx.actor, Action::ManageServiceTypes)?;
    if tx.service_type(&code)?.is_some() {
        return Err(Error::conflict(format!("service type `{code}` exists")));
    }
    let new = NewServiceType { code: code.clone(), name, description, skills, timing, created_at: ctx.now };
    tx.insert_service_type(&new)?;
    let st = find_service_type(tx, &code)?;
    record(tx, ctx, OrderingEvent::ServiceTypeAdded(service_type_details(&st)))?;
    Ok(st)
}

fn service_type_details(st: &ServiceType) -> ServiceTypeDetails {
    ServiceTypeDetails {
        service_type: st.id,
        code: st.code.clone(),
        name: st.name.clone(),
        description: st.description.clone(),
        skills: st.skills.clone(),
        duration_minutes: st.timing.duration_minutes,
        buffer_minutes: st.timing.buffer_minutes,
    }
}

fn find_service_type(tx: &mut (impl OrderingTx + ?Sized), code: &ServiceCode) -> Result<ServiceType> {
    tx.service_type(code)?.ok_or_else(|| Error::not_found(format!("no service type `{code}`")))
}

/// What `crew service-type edit` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ServiceTypeEdit {
    pub name: Option<Name>,
    pub description: Option<Text>,
    pub skills: Option<SkillSet>,
    /// Minutes (1–1440).
    pub duration_minutes: Option<u32>,
    /// Minutes (0–1440).
    pub buffer_minutes: Option<u32>,
}

/// `crew service-type edit`. A new timing applies to orders placed from then on.
pub fn edit_service_type(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    code: &ServiceCode,
    edit: ServiceTypeEdit,
) -> Result<ServiceType> {
    require(&ctx.actor, Action::ManageServiceTypes)?;
    let mut st = find_service_type(tx, code)?;
    if st.retired {
        return Err(Error::conflict(format!("service type `{code}` is retired")));
    }
    let before = st.clone();
    if let Some(name) = edit.name {
        st.name = name;
    }
    if let Some(description) = edit.description {
        st.description = description;
    }
    if let Some(skills) = edit.skills {
        st.skills = skills;
    }
    if edit.duration_minutes.is_some() || edit.buffer_minutes.is_some() {
        st.timing = Timing::new(
            edit.duration_minutes.unwrap_or(st.timing.duration_minutes),
            edit.buffer_minutes.unwrap_or(st.timing.buffer_minutes),
        )?;
    }
    if st == before {
        return Err(Error::bad_input(
            "nothing to change: give --name, --description, --skills, --duration or --buffer with a new value",
        ));
    }
    tx.update_service_type(&st)?;
    record(tx, ctx, OrderingEvent::ServiceTypeEdited(service_type_details(&st)))?;
    Ok(st)
}

/// `crew service-type retire`: no new orders of this type; existing ones go on.
pub fn retire_service_type(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, code: &ServiceCode) -> Result<ServiceType> {
    require(&ctx.actor, Action::ManageServiceTypes)?;
    let mut st = find_service_type(tx, code)?;
    if st.retired {
        return Err(Error::conflict(format!("service type `{code}` is already retired")));
    }
    st.retired = true;
    tx.update_service_type(&st)?;
    record(tx, ctx, OrderingEvent::ServiceTypeRetired { service_type: st.id, code: st.code.clone() })?;
    Ok(st)
}

/// `crew service-type list`.
pub fn list_service_types(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    include_retired: bool,
) -> Result<Vec<ServiceType>> {
    require(&ctx.actor, Action::ListServiceTypes)?;
    Ok(tx.service_types()?.into_iter().filter(|s| include_retired || !s.retired).collect())
}

/// One service type of a company folder's `service-types.toml`.
#[derive(Debug, Clone)]
pub struct ServiceTypeRow {
    pub code: ServiceCode,
    pub name: Name,
    pub description: Text,
    pub skills: SkillSet,
    pub timing: Timing,
}

impl ServiceTypeRow {
    pub const REQUIRED: &'static [&'static str] = &["code", "name"];
    pub const OPTIONAL: &'static [&'static str] = &["description", "skills", "duration_minutes", "buffer_minutes"];

    pub fn parse(record: &RawRecord) -> Result<Self> {
        let f = Field::new(record);
        let minutes = |raw: &str| -> Result<u32> {
            raw.trim().parse().map_err(|_| Error::bad_input(format!("`{raw}` is not a whole number of minutes")))
        };
        let duration = f.optional("duration_minutes", minutes)?.unwrap_or(Timing::DEFAULT.duration_minutes);
        let buffer = f.optional("buffer_minutes", minutes)?.unwrap_or(Timing::DEFAULT.buffer_minutes);
        Ok(ServiceTypeRow {
            code: f.required("code", ServiceCode::parse)?,
            name: f.required("name", Name::parse)?,
            description: f.optional("description", Text::parse)?.unwrap_or_default(),
            skills: f.optional("skills", SkillSet::parse)?.unwrap_or_default(),
            timing: Timing::new(duration, buffer).map_err(|e| e.context("duration_minutes/buffer_minutes"))?,
        })
    }
}

/// Imports service types: new codes are added, changed ones edited, the rest left alone.
pub fn import_service_types(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    records: &[RawRecord],
) -> Result<ImportSummary> {
    require(&ctx.actor, Action::ManageServiceTypes)?;
    let mut summary = ImportSummary::default();
    for record in records {
        let row = ServiceTypeRow::parse(record).map_err(|e| e.context(&record.location))?;
        match tx.service_type(&row.code)? {
            None => {
                add_service_type(tx, ctx, row.code, row.name, row.description, row.skills, row.timing)?;
                summary.created += 1;
            }
            Some(st)
                if st.retired
                    || (st.name == row.name
                        && st.description == row.description
                        && st.skills == row.skills
                        && st.timing == row.timing) =>
            {
                summary.unchanged += 1;
            }
            Some(_) => {
                let edit = ServiceTypeEdit {
                    name: Some(row.name),
                    description: Some(row.description),
                    skills: Some(row.skills),
                    duration_minutes: Some(row.timing.duration_minutes),
                    buffer_minutes: Some(row.timing.buffer_minutes),
                };
                edit_service_type(tx, ctx, &row.code, edit)?;
                summary.updated += 1;
            }
        }
    }
    Ok(summary)
}

// ---------------------------------------------------------------- orders

/// What a client asks for.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    pub service_type: ServiceCode,
    /// `None`: the client's own zone.
    pub zone: Option<Zone>,
    pub scheduled_at: DateTime<Utc>,
    pub description: Text,
}

/// The approximate price a client sees before ordering.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub service_type: ServiceCode,
    pub zone: Zone,
    pub scheduled_at: DateTime<Utc>,
    pub price: Money,
}

fn orderable(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, req: &OrderRequest) -> Result<(ServiceType, Zone)> {
    let st = find_service_type(tx, &req.service_type)?;
    if st.retired {
        return Err(Error::conflict(format!("service type `{}` is retired; it can no longer be ordered", st.code)));
    }
    if req.scheduled_at <= ctx.now {
        return Err(Error::bad_input(format!(
            "the order's time {} is not in the future",
            req.scheduled_at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    let zone = match &req.zone {
        Some(z) => z.clone(),
        None => match tx.client_profile(ctx.actor.id)? {
            Some(p) => p.zone,
            None => return Err(Error::bad_input("give the order's zone with --zone")),
        },
    };
    Ok((st, zone))
}

/// `crew order quote`.
pub fn quote(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, pricing: &Pricing, req: &OrderRequest) -> Result<Quote> {
    require(&ctx.actor, Action::QuoteOrder)?;
    let (st, zone) = orderable(tx, ctx, req)?;
    let paid = tx.total_paid(ctx.actor.id)?;
    Ok(Quote { service_type: st.code.clone(), zone, scheduled_at: req.scheduled_at, price: pricing.price(&st, paid) })
}

/// `crew order create`: the client places an order; it is `open` until matched.
pub fn create_order(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    pricing: &Pricing,
    req: OrderRequest,
) -> Result<Order> {
    require(&ctx.actor, Action::CreateOrder)?;
    place(tx, ctx, pricing, req, None)
}

fn place(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    pricing: &Pricing,
    req: OrderRequest,
    copied_from: Option<OrderId>,
) -> Result<Order> {
    let (st, zone) = orderable(tx, ctx, &req)?;
    let paid = tx.total_paid(ctx.actor.id)?;
    let new = NewOrder {
        client: ctx.actor.id,
        service_type: st.code.clone(),
        zone,
        scheduled_at: req.scheduled_at,
        description: req.description,
        quote: pricing.price(&st, paid),
        copied_from,
        created_at: ctx.now,
    };
    let id = tx.insert_order(&new)?;
    record(
        tx,
        ctx,
        OrderingEvent::OrderCreated {
            order: id,
            client: new.client,
            service_type: new.service_type.clone(),
            zone: new.zone.clone(),
            scheduled_at: new.scheduled_at,
            description: new.description.clone(),
            quote: new.quote,
            copied_from,
        },
    )?;
    load(tx, id)
}

fn load(tx: &mut (impl OrderingTx + ?Sized), id: OrderId) -> Result<Order> {
    tx.order(id)?.ok_or_else(|| Error::not_found(format!("no order #{id}")))
}

/// Whether the actor may see this order: managers all, clients and workers their own.
fn may_see(actor: &Actor, order: &Order) -> bool {
    match actor.role {
        Role::Admin | Role::Manager => true,
        Role::Client => order.client == actor.id,
        Role::Worker => order.worker == Some(actor.id),
        _ => false,
    }
}

/// Loads an order the actor may see; someone else's order is refused.
fn visible(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, id: OrderId) -> Result<Order> {
    let order = load(tx, id)?;
    if !may_see(&ctx.actor, &order) {
        return Err(Error::not_allowed(format!("order #{id} is not one of yours")));
    }
    Ok(order)
}

/// `crew order copy`: the same order again at a new time (e.g. after a no-show), priced afresh.
pub fn copy_order(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    pricing: &Pricing,
    id: OrderId,
    scheduled_at: DateTime<Utc>,
) -> Result<Order> {
    require(&ctx.actor, Action::CopyOrder)?;
    let source = visible(tx, ctx, id)?;
    let req = OrderRequest {
        service_type: source.service_type,
        zone: Some(source.zone),
        scheduled_at,
        description: source.description,
    };
    place(tx, ctx, pricing, req, Some(id))
}

/// `crew order list`: managers see every order; clients and workers their own.
pub fn list_orders(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, mut filter: OrderFilter) -> Result<Vec<Order>> {
    require(&ctx.actor, Action::ViewOrders)?;
    match ctx.actor.role {
        Role::Client => filter.client = Some(ctx.actor.id),
        Role::Worker => filter.worker = Some(ctx.actor.id),
        _ => {}
    }
    tx.orders(&filter)
}

/// One order of a worker's agenda, with the time it occupies.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaEntry {
    pub order: OrderId,
    pub status: OrderStatus,
    pub service_type: ServiceCode,
    pub zone: Zone,
    pub client: AccountId,
    pub start: DateTime<Utc>,
    /// When the work is done (`start` + the duration the order was placed with).
    pub end: DateTime<Utc>,
    /// When the worker is free again (`end` + the buffer).
    pub free_at: DateTime<Utc>,
}

/// `crew order agenda`: a worker's assigned and active orders starting in `[from, until)`, by
/// start. Workers see their own (naming another worker is refused); managers and admins name the
/// worker (naming a client or staff member is bad input); clients have no agenda (not allowed:
/// their orders are `crew order list`).
pub fn agenda(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    worker: Option<AccountId>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<AgendaEntry>> {
    require(&ctx.actor, Action::ViewOrders)?;
    let worker = match (ctx.actor.role, worker) {
        (Role::Worker, None) => ctx.actor.id,
        (Role::Worker, Some(w)) if w == ctx.actor.id => w,
        (Role::Worker, Some(_)) => return Err(Error::not_allowed("a worker sees their own agenda only")),
        (Role::Admin | Role::Manager, Some(w)) => {
            let account = tx.account(w)?.ok_or_else(|| Error::not_found(format!("no account #{w}")))?;
            if account.role != Role::Worker {
                return Err(Error::bad_input(format!(
                    "`{}` is a {}, not a worker: only workers have an agenda",
                    account.login, account.role
                )));
            }
            w
        }
        (Role::Admin | Role::Manager, None) => {
            return Err(Error::bad_input("name the worker whose agenda to show with --worker"));
        }
        (role, _) => {
            return Err(Error::not_allowed(format!(
                "{role} {} may not view an agenda: only workers have one (a client's orders are in `crew order list`)",
                ctx.actor.login
            )));
        }
    };
    let mut entries = Vec::new();
    for slot in tx.held_slots(worker)? {
        if slot.start < from || slot.start >= until {
            continue;
        }
        let Some(o) = tx.order(slot.order)? else { continue };
        entries.push(AgendaEntry {
            order: o.id,
            status: o.status,
            service_type: o.service_type,
            zone: o.zone,
            client: o.client,
            start: slot.start,
            end: slot.work_end,
            free_at: slot.end,
        });
    }
    Ok(entries)
}

/// `crew order show`.
pub fn show_order(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, id: OrderId) -> Result<Order> {
    require(&ctx.actor, Action::ViewOrders)?;
    visible(tx, ctx, id)
}

/// Why a manager may not change `order` by hand (`doing`: "assign", "fail"…): the stakes they
/// hold on it (`held`: their bets whose book is not settled, any order's), so whoever bets on an
/// order does not steer it (docs/bets.md, the other direction of bets' own rule). `None` when
/// they hold none on this order. The refusal is not allowed (exit 3) and names the stakes.
pub fn stake_objection(order: OrderId, doing: &str, held: &[crate::bets::Bet]) -> Option<Error> {
    let on_it: Vec<String> = held
        .iter()
        .filter(|b| b.order == order)
        .map(|b| format!("bet #{}: {} on {}", b.id, b.stake, b.on.as_str()))
        .collect();
    (!on_it.is_empty()).then(|| {
        Error::not_allowed(format!(
            "you hold a stake on order #{order} ({}), so you may not {doing} it by hand: whoever bets on an order \
             does not steer it (another manager may, or the matching cycle)",
            on_it.join(", ")
        ))
    })
}

/// Refuses a staff member's manual change of `order` while they hold a stake on it
/// ([`stake_objection`]); clients and workers never stake, so their own steps are not checked.
fn refuse_if_staked(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, order: OrderId, doing: &str) -> Result<()> {
    if !matches!(ctx.actor.role, Role::Manager | Role::Admin) {
        return Ok(());
    }
    let held = tx.held_bets(ctx.actor.id)?;
    match stake_objection(order, doing, &held) {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

/// `crew order cancel`: a client cancels their own open or assigned order; a manager any (but not
/// one they hold a stake on).
pub fn cancel(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, id: OrderId, reason: Text) -> Result<Order> {
    require(&ctx.actor, Action::CancelOrder)?;
    let order = visible(tx, ctx, id)?;
    refuse_if_staked(tx, ctx, id, "cancel")?;
    transition(tx, ctx, order, Transition::Cancel { reason })
}

/// Why matching would never give an order to a worker: what `crew order assign` refuses unless the
/// manager forces it (`--force --reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Objection {
    /// The order's time has passed (it is not after now): matching leaves such an order open for
    /// the client to copy ([`crate::matching::prepare`]), and a worker assigned now would be a
    /// no-show at once.
    Passed(DateTime<Utc>),
    /// The worker has no profile in the matching pool: their skills, zone and capacity are unknown.
    NotInPool,
    /// Skills the service type needs that the worker lacks or holds below the level:
    /// (skill, level needed, level held).
    LacksSkills(Vec<(Skill, u8, Option<u8>)>),
    /// The worker lives neither in the order's zone nor in one of its configured neighbours.
    OutsideZone { worker: Zone, order: Zone },
    /// The worker cannot be there then: busy with another order (with buffer and travel), off that
    /// day, outside hours, on time off, or at their daily maximum ([`crate::matching::time`]), in words.
    Unavailable(String),
}

impl fmt::Display for Objection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Objection::Passed(at) => {
                write!(f, "the order's time ({} UTC) has passed", at.format("%Y-%m-%d %H:%M"))
            }
            Objection::NotInPool => {
                f.write_str("not in the matching pool (no profile: skills, zone and capacity unknown)")
            }
            Objection::LacksSkills(missing) => {
                let each: Vec<String> = missing
                    .iter()
                    .map(|(skill, need, have)| match have {
                        Some(have) => format!("{skill}:{need} (has {skill}:{have})"),
                        None => format!("{skill}:{need} (has none)"),
                    })
                    .collect();
                write!(f, "lacks {}", each.join(", "))
            }
            Objection::OutsideZone { worker, order } => {
                write!(f, "works in {worker}, not in {order} or a neighbouring zone")
            }
            Objection::Unavailable(said) => f.write_str(said),
        }
    }
}

/// What a manual assignment amounts to by matching's rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Eligibility {
    /// The rules it breaks — skills, zone, then time, in that order (empty: matching might do it
    /// too).
    pub objections: Vec<Objection>,
    /// The relaxation it needs (a neighbouring zone), as matching would name it.
    pub relaxation: Option<String>,
}

/// Whether `order`'s time has passed at `now`, by matching's boundary: matching takes only
/// orders whose time is after now, so an order due exactly now has passed too.
pub fn time_passed(order: &Order, now: DateTime<Utc>) -> Option<Objection> {
    (order.scheduled_at <= now).then_some(Objection::Passed(order.scheduled_at))
}

/// Whether matching could give `order` to a worker with `profile` (`None`: not in the pool),
/// needing the skills `needs`, given the worker's `unavailable` reasons at the order's time (what
/// [`crate::matching::time::clashes`] found, in words). The same rules as matching's eligibility:
/// every skill at its level; the order's zone, or a zone `neighbours` lists for it; and the time
/// rules (hours, time off, daily maximum, no overlapping order with buffer and travel).
pub fn eligibility(
    order: &Order,
    needs: &SkillSet,
    profile: Option<&WorkerProfile>,
    neighbours: &BTreeMap<Zone, Vec<Zone>>,
    unavailable: &[String],
) -> Eligibility {
    let Some(p) = profile else {
        return Eligibility { objections: vec![Objection::NotInPool], relaxation: None };
    };
    let mut objections = Vec::new();
    let missing: Vec<(Skill, u8, Option<u8>)> = needs
        .iter()
        .filter(|(skill, need)| p.skills.level(skill).is_none_or(|have| have < **need))
        .map(|(skill, need)| (skill.clone(), need.get(), p.skills.level(skill).map(|l| l.get())))
        .collect();
    if !missing.is_empty() {
        objections.push(Objection::LacksSkills(missing));
    }
    let mut relaxation = None;
    if p.zone != order.zone {
        if neighbours.get(&order.zone).is_some_and(|zones| zones.contains(&p.zone)) {
            relaxation = Some(format!("neighbouring zone {}", p.zone));
        } else {
            objections.push(Objection::OutsideZone { worker: p.zone.clone(), order: order.zone.clone() });
        }
    }
    objections.extend(unavailable.iter().cloned().map(Objection::Unavailable));
    Eligibility { objections, relaxation }
}

/// A manager's override of matching's rules: `--force` with its `--reason`.
#[derive(Debug, Clone, PartialEq)]
pub struct Force {
    pub reason: Text,
}

/// `crew order assign`: a manager picks the worker by hand (the manual override of matching).
/// What matching would never do — an order whose time has passed ([`time_passed`]), a worker
/// without the skills, outside the order's zone and its neighbours, or unavailable then (busy with another order, off, outside hours, on time off, at
/// the daily maximum: `time`'s rules) — is refused (conflict), naming every reason,
/// unless `force` is given; then the reason and what was overridden are recorded in the event.
/// A deactivated or suspended worker is refused even then, and so is a manager who holds a stake
/// on the order (not allowed: [`stake_objection`]).
// The rules (price, neighbours, time) come in one by one, as every command takes them.
#[allow(clippy::too_many_arguments)]
pub fn assign(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    pricing: &Pricing,
    neighbours: &BTreeMap<Zone, Vec<Zone>>,
    time: &TimeRules,
    id: OrderId,
    worker: &Login,
    force: Option<Force>,
) -> Result<Order> {
    require(&ctx.actor, Action::AssignOrder)?;
    if force.as_ref().is_some_and(|f| f.reason.is_empty()) {
        return Err(Error::bad_input("--force needs a reason: say why with --reason"));
    }
    let order = load(tx, id)?;
    refuse_if_staked(tx, ctx, id, "assign")?;
    let account =
        tx.account_by_login(worker)?.ok_or_else(|| Error::not_found(format!("no account with login `{worker}`")))?;
    if account.role != Role::Worker {
        return Err(Error::bad_input(format!("`{worker}` is a {}, not a worker", account.role)));
    }
    if !account.active {
        return Err(Error::conflict(format!("worker `{worker}` is deactivated")));
    }
    let profile = tx.worker_profile(account.id)?;
    if profile.as_ref().is_some_and(|p| p.status == WorkerStatus::Suspended) {
        return Err(Error::conflict(format!(
            "worker `{worker}` is suspended; reinstate them first (crew matching reinstate)"
        )));
    }
    if order.worker == Some(account.id) && order.status == OrderStatus::Assigned {
        return Err(Error::conflict(format!("order #{id} is already assigned to `{worker}`")));
    }
    let st = find_service_type(tx, &order.service_type)?;
    // The skills the cycle matches the order by: its service type's when it was placed.
    let copy = tx.match_order(id)?;
    let needs = copy.as_ref().map_or_else(|| st.skills.clone(), |m| m.skills.clone());
    let unavailable = match &profile {
        None => Vec::new(),
        Some(p) => {
            // The order's time as it was placed (matching's copy keeps the timing of that moment).
            let timing = copy.as_ref().map_or(st.timing, |m| m.timing);
            let slot = Slot::new(
                order.id,
                order.zone.clone(),
                order.scheduled_at,
                timing.duration_minutes,
                timing.buffer_minutes,
            );
            let held = tx.held_slots(account.id)?;
            let hours = tx.worker_hours(account.id)?.unwrap_or_else(|| time.default_hours.clone());
            let time_off = tx.worker_time_off(account.id)?;
            let calendar = Calendar { hours: &hours, time_off: &time_off, held: &held, capacity: p.capacity };
            clashes(time, &calendar, &slot).iter().map(|c| c.describe(time)).collect()
        }
    };
    let Eligibility { mut objections, relaxation } =
        eligibility(&order, &needs, profile.as_ref(), neighbours, &unavailable);
    // The order's time first: whoever the worker, matching would not take it.
    if let Some(passed) = time_passed(&order, ctx.now) {
        objections.insert(0, passed);
    }
    let overridden: Vec<String> = objections.iter().map(ToString::to_string).collect();
    let forced = match force {
        Some(Force { reason }) => Some(Forced { reason, overridden }),
        None if overridden.is_empty() => None,
        None => {
            return Err(Error::conflict(format!(
                "matching would never give order #{id} to `{worker}`: {}. To assign anyway, add --force --reason \"…\"",
                overridden.join("; ")
            )));
        }
    };
    let paid = tx.total_paid(order.client)?;
    let t = Transition::Assign { worker: account.id, price: pricing.price(&st, paid), by: AssignedBy::Manual };
    let mut event = decide(&order, &t)?;
    if let OrderingEvent::OrderAssigned { relaxation: r, forced: f, .. } = &mut event {
        (*r, *f) = (relaxation, forced);
    }
    let order = apply_transition(order, t, ctx.now);
    tx.update_order(&order)?;
    record(tx, ctx, event)?;
    Ok(order)
}

/// The override the order's current worker was assigned with (`crew order assign --force`), as
/// its `order_assigned` event recorded it; for `crew order show`. Only those who may read the
/// event log see it (the reason is the staff's): `None` for anyone else, and for an order whose
/// worker was not forced on it.
pub fn forced_assignment(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, order: &Order) -> Result<Option<Forced>> {
    if !crate::authz::permits(ctx.actor.role, Action::ViewEvents) {
        return Ok(None);
    }
    let Some(worker) = order.worker else { return Ok(None) };
    let events = tx.find_events(&EventFilter { order: Some(order.id), ..EventFilter::default() })?;
    let last = events.iter().rev().find_map(|e| match e.decode::<OrderingEvent>() {
        Ok(Some(OrderingEvent::OrderAssigned { worker: w, forced, .. })) => Some(Ok((w, forced))),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    });
    match last.transpose()? {
        Some((w, forced)) if w == worker => Ok(forced),
        _ => Ok(None),
    }
}

/// Loads an order the actor is the assigned worker of.
fn own_job(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, id: OrderId) -> Result<Order> {
    let order = load(tx, id)?;
    if order.worker != Some(ctx.actor.id) {
        return Err(Error::not_allowed(format!("order #{id} is not assigned to you")));
    }
    Ok(order)
}

/// `crew order check-in`: the assigned worker arrives, with a photo; the order becomes active. A
/// check-in is accepted from `window` before the order's start (the company's
/// `ordering.check_in_window_minutes`); earlier is a conflict naming when it opens.
pub fn check_in(
    tx: &mut (impl OrderingTx + ?Sized),
    ctx: &Ctx,
    id: OrderId,
    photo: Photo,
    window: chrono::Duration,
) -> Result<Order> {
    require(&ctx.actor, Action::CheckInOrder)?;
    let order = own_job(tx, ctx, id)?;
    if order.status == OrderStatus::Assigned && ctx.now < order.scheduled_at - window {
        return Err(Error::conflict(format!(
            "too early to check in to order #{id}: check-in opens at {} UTC, {} minutes before its start",
            (order.scheduled_at - window).format("%Y-%m-%d %H:%M"),
            window.num_minutes()
        )));
    }
    transition(tx, ctx, order, Transition::CheckIn { photo })
}

/// `crew order complete`: the assigned worker finishes, with a photo of the signed report.
pub fn complete(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, id: OrderId, photo: Photo) -> Result<Order> {
    require(&ctx.actor, Action::CompleteOrder)?;
    let order = own_job(tx, ctx, id)?;
    transition(tx, ctx, order, Transition::Complete { photo })
}

/// `crew order fail`: the assigned worker, or a manager (not one holding a stake on it), records
/// that the work failed.
pub fn fail(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, id: OrderId, reason: Text) -> Result<Order> {
    require(&ctx.actor, Action::FailOrder)?;
    let order = match ctx.actor.role {
        Role::Worker => own_job(tx, ctx, id)?,
        _ => load(tx, id)?,
    };
    refuse_if_staked(tx, ctx, id, "fail")?;
    transition(tx, ctx, order, Transition::Fail { reason })
}

/// `crew order reopen`: a manager (not one holding a stake on it) puts an assigned or failed order
/// back to `open`, unassigned.
pub fn reopen(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, id: OrderId) -> Result<Order> {
    require(&ctx.actor, Action::ReopenOrder)?;
    let order = load(tx, id)?;
    refuse_if_staked(tx, ctx, id, "reopen")?;
    transition(tx, ctx, order, Transition::Reopen)
}

/// What the no-show sweep did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    /// Orders whose worker did not check in in time: failed, and the client offered a copy.
    pub no_shows: Vec<OrderId>,
    /// Orders whose worker was suspended or deactivated: back to open for matching.
    pub reopened: Vec<OrderId>,
}

/// `crew order sweep-no-shows`: fails assigned orders whose worker has not checked in by the order's
/// time plus `grace` (offering the client a copy), and takes orders back from workers who can no
/// longer work them.
pub fn sweep_no_shows(tx: &mut (impl OrderingTx + ?Sized), ctx: &Ctx, grace: chrono::Duration) -> Result<SweepReport> {
    require(&ctx.actor, Action::SweepNoShows)?;
    let mut report = SweepReport::default();
    let assigned = tx.orders(&OrderFilter { status: Some(OrderStatus::Assigned), ..Default::default() })?;
    for order in assigned {
        let id = order.id;
        if order.scheduled_at + grace < ctx.now {
            let reason = Text::parse(&format!(
                "no-show: the worker had not checked in by {} UTC",
                (order.scheduled_at + grace).format("%Y-%m-%d %H:%M")
            ))?;
            let client = order.client;
            transition(tx, ctx, order, Transition::Fail { reason })?;
            record(tx, ctx, OrderingEvent::CopyOffered { order: id, client })?;
            report.no_shows.push(id);
            continue;
        }
        let Some(worker) = order.worker else { continue };
        let account_active = tx.account(worker)?.is_some_and(|a| a.active);
        let matchable = tx.worker_profile(worker)?.is_none_or(|p| p.status == WorkerStatus::Active);
        if !account_active || !matchable {
            transition(tx, ctx, order, Transition::Reopen)?;
            report.reopened.push(id);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loyalty_gives_5_percent_over_10000_paid_then_one_more_per_10000_at_most_12() {
        let loyalty = Loyalty { step: Money::from_cents(1_000_000), first_percent: 5, max_percent: 12 };
        let pct = |cents: i64| loyalty.percent(Money::from_cents(cents));
        assert_eq!((pct(0), pct(1_000_000), pct(1_000_001)), (0, 0, 5), "over 10,000, not at it");
        assert_eq!((pct(2_000_000), pct(2_000_001), pct(3_000_001)), (5, 6, 7));
        assert_eq!((pct(7_000_001), pct(8_000_000), pct(8_000_001), pct(i64::MAX)), (11, 11, 12, 12));
        assert_eq!(Loyalty::NONE.percent(Money::from_cents(i64::MAX)), 0);
        let st = ServiceType {
            id: ServiceTypeId::new(1),
            code: ServiceCode::parse("cleaning").unwrap(),
            name: Name::parse("Cleaning").unwrap(),
            description: Text::parse("").unwrap(),
            skills: SkillSet::parse("cleaning:1").unwrap(),
            timing: Timing::DEFAULT,
            retired: false,
            created_at: DateTime::parse_from_rfc3339("2026-11-30T08:00:00Z").unwrap().with_timezone(&Utc),
        };
        let pricing = Pricing { base_price: Money::from_cents(1_000_050), loyalty };
        // 5% of 10,000.50 is 500.025: rounded half up to 500.03.
        assert_eq!(pricing.price(&st, Money::from_cents(1_000_050)), Money::from_cents(950_047));
        assert_eq!(pricing.price(&st, Money::ZERO), Money::from_cents(1_000_050));
    }
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, 0, 0).unwrap()
    }

    fn order(status: OrderStatus) -> Order {
        Order {
            id: OrderId::new(1),
            client: AccountId::new(2),
            service_type: ServiceCode::parse("cleaning").unwrap(),
            zone: Zone::parse("north").unwrap(),
            scheduled_at: at(12),
            description: Text::default(),
            status,
            worker: (status != OrderStatus::Open).then(|| AccountId::new(3)),
            quote: Money::from_cents(10_000),
            price: None,
            copied_from: None,
            check_in_photo: None,
            completion_photo: None,
            reason: None,
            created_at: at(1),
            updated_at: at(1),
        }
    }

    fn photo() -> Photo {
        Photo { path: "orders/1/x.jpg".into(), sha256: Sha256Hex::of(b"x") }
    }

    fn all_transitions() -> Vec<Transition> {
        vec![
            Transition::Assign { worker: AccountId::new(9), price: Money::from_cents(100), by: AssignedBy::Manual },
            Transition::CheckIn { photo: photo() },
            Transition::Complete { photo: photo() },
            Transition::Fail { reason: Text::parse("no show").unwrap() },
            Transition::Cancel { reason: Text::default() },
            Transition::Reopen,
        ]
    }

    /// The lifecycle of DESIGN.md "Ordering", written out independently of `allowed_from`.
    fn expected(o: &Order, t: &Transition) -> Option<OrderStatus> {
        use OrderStatus::*;
        match (o.status, t) {
            (Assigned, Transition::Assign { worker, .. }) if o.worker == Some(*worker) => None,
            (Open | Assigned, Transition::Assign { .. }) => Some(Assigned),
            (Assigned, Transition::CheckIn { .. }) => Some(Active),
            (Active, Transition::Complete { .. }) => Some(Completed),
            (Assigned | Active, Transition::Fail { .. }) => Some(Failed),
            (Open | Assigned, Transition::Cancel { .. }) => Some(Cancelled),
            (Assigned | Failed, Transition::Reopen) => Some(Open),
            _ => None,
        }
    }

    #[test]
    fn every_transition_from_every_state_follows_the_lifecycle() {
        for status in OrderStatus::ALL {
            for t in all_transitions() {
                let o = order(status);
                match (decide(&o, &t), expected(&o, &t)) {
                    (Ok(_), Some(to)) => assert_eq!(apply_transition(o, t, at(2)).status, to),
                    (Err(e), None) => {
                        assert_eq!(e.kind, crate::error::ErrorKind::Conflict);
                        assert!(e.message.contains(&format!("is {status}")), "{}", e.message);
                    }
                    (got, want) => panic!("{status} + {t:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn cancelling_after_assignment_is_recorded_as_such() {
        let e = decide(&order(OrderStatus::Assigned), &Transition::Cancel { reason: Text::default() }).unwrap();
        assert!(matches!(e, OrderingEvent::OrderCancelled { after_assignment: true, .. }));
        let e = decide(&order(OrderStatus::Open), &Transition::Cancel { reason: Text::default() }).unwrap();
        assert!(matches!(e, OrderingEvent::OrderCancelled { after_assignment: false, .. }));
    }

    #[test]
    fn failing_needs_a_reason() {
        let e = decide(&order(OrderStatus::Active), &Transition::Fail { reason: Text::default() }).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::BadInput);
    }

    #[test]
    fn reassigning_to_the_same_worker_is_refused() {
        let t = Transition::Assign { worker: AccountId::new(3), price: Money::from_cents(1), by: AssignedBy::Manual };
        assert!(decide(&order(OrderStatus::Assigned), &t).is_err());
    }

    #[test]
    fn reopening_clears_worker_and_price() {
        let mut o = order(OrderStatus::Assigned);
        o.price = Some(Money::from_cents(10_000));
        let o = apply_transition(o, Transition::Reopen, at(3));
        assert_eq!((o.status, o.worker, o.price), (OrderStatus::Open, None, None));
    }

    // ------------------------------------------------ manual assignment: what matching would never do

    fn profile(zone: &str, skills: &str, load: u32, capacity: u32) -> WorkerProfile {
        WorkerProfile {
            worker: AccountId::new(3),
            zone: Zone::parse(zone).unwrap(),
            skills: SkillSet::parse(skills).unwrap(),
            capacity,
            rating: 50,
            status: WorkerStatus::Active,
            load,
            completed: 0,
            failed: 0,
            hired_at: at(1),
        }
    }

    fn needs(raw: &str) -> SkillSet {
        SkillSet::parse(raw).unwrap()
    }

    fn no_neighbours() -> BTreeMap<Zone, Vec<Zone>> {
        BTreeMap::new()
    }

    fn objections(p: Option<&WorkerProfile>, need: &str, unavailable: &[String]) -> Vec<Objection> {
        eligibility(&order(OrderStatus::Open), &needs(need), p, &no_neighbours(), unavailable).objections
    }

    #[test]
    fn a_qualified_worker_in_the_zone_with_room_and_time_may_be_assigned() {
        let p = profile("north", "cleaning:3;gardening:1", 0, 1);
        let e = eligibility(&order(OrderStatus::Open), &needs("cleaning:2"), Some(&p), &no_neighbours(), &[]);
        assert_eq!(e, Eligibility::default());
    }

    #[test]
    fn a_skill_at_the_needed_level_is_enough_and_one_below_or_missing_is_not() {
        assert_eq!(objections(Some(&profile("north", "cleaning:2", 0, 1)), "cleaning:2", &[]), vec![]);
        let lacking = objections(Some(&profile("north", "cleaning:1;gardening:5", 0, 1)), "cleaning:2;windows:1", &[]);
        let (cleaning, windows) = (Skill::parse("cleaning").unwrap(), Skill::parse("windows").unwrap());
        assert_eq!(lacking, vec![Objection::LacksSkills(vec![(cleaning, 2, Some(1)), (windows, 1, None)])]);
        assert_eq!(lacking[0].to_string(), "lacks cleaning:2 (has cleaning:1), windows:1 (has none)");
        // A service type that needs nothing is open to anyone in the pool.
        assert_eq!(objections(Some(&profile("north", "gardening:1", 0, 1)), "", &[]), vec![]);
    }

    #[test]
    fn a_worker_outside_the_zone_is_refused_unless_the_zone_lists_theirs_as_a_neighbour() {
        let south = profile("south", "cleaning:2", 0, 1);
        let order = order(OrderStatus::Open);
        let e = eligibility(&order, &needs("cleaning:2"), Some(&south), &no_neighbours(), &[]);
        let outside =
            Objection::OutsideZone { worker: Zone::parse("south").unwrap(), order: Zone::parse("north").unwrap() };
        assert_eq!(e.objections, vec![outside.clone()]);
        assert_eq!(outside.to_string(), "works in south, not in north or a neighbouring zone");

        let zone = |z: &str| Zone::parse(z).unwrap();
        let north_takes_south = BTreeMap::from([(zone("north"), vec![zone("east"), zone("south")])]);
        let e = eligibility(&order, &needs("cleaning:2"), Some(&south), &north_takes_south, &[]);
        assert_eq!(e, Eligibility { objections: vec![], relaxation: Some("neighbouring zone south".into()) });

        // Neighbours are one-way, as in matching: south's workers may not cover north just
        // because north's cover south.
        let south_takes_north = BTreeMap::from([(zone("south"), vec![zone("north")])]);
        let e = eligibility(&order, &needs("cleaning:2"), Some(&south), &south_takes_north, &[]);
        assert_eq!(e.objections, vec![outside]);
    }

    #[test]
    fn every_time_clash_is_an_objection_in_the_words_matching_uses() {
        let p = profile("north", "cleaning:2", 1, 3);
        let said = vec!["busy with #7 10:00–12:00".to_string(), "off on Tuesdays".to_string()];
        let got = objections(Some(&p), "cleaning:2", &said);
        assert_eq!(got, vec![Objection::Unavailable(said[0].clone()), Objection::Unavailable(said[1].clone())]);
        assert_eq!(got[0].to_string(), "busy with #7 10:00–12:00");
    }

    #[test]
    fn an_order_due_now_or_earlier_has_passed_and_a_second_later_has_not() {
        let mut o = order(OrderStatus::Open);
        o.scheduled_at = at(10);
        let second = chrono::Duration::seconds(1);
        assert_eq!(time_passed(&o, at(10)), Some(Objection::Passed(at(10))), "due this very second");
        assert_eq!(time_passed(&o, at(10) + second), Some(Objection::Passed(at(10))));
        assert_eq!(time_passed(&o, at(10) - second), None);
        assert_eq!(Objection::Passed(at(10)).to_string(), "the order's time (2026-11-25 10:00 UTC) has passed");
    }

    #[test]
    fn a_worker_without_a_profile_is_not_in_the_pool() {
        assert_eq!(objections(None, "cleaning:2", &[]), vec![Objection::NotInPool]);
    }

    #[test]
    fn every_broken_rule_is_named_skills_zone_then_time() {
        let p = profile("south", "gardening:1", 2, 2);
        let got = objections(Some(&p), "cleaning:2", &["day limit of 2 reached on 2026-11-25".to_string()]);
        let kinds: Vec<&str> = got
            .iter()
            .map(|o| match o {
                Objection::Passed(_) => "passed",
                Objection::NotInPool => "pool",
                Objection::LacksSkills(_) => "skills",
                Objection::OutsideZone { .. } => "zone",
                Objection::Unavailable(_) => "time",
            })
            .collect();
        assert_eq!(kinds, ["skills", "zone", "time"]);
    }

    #[test]
    fn a_forced_assignment_reads_with_what_it_overrode_and_why() {
        let f = Forced {
            reason: Text::parse("client asked for him").unwrap(),
            overridden: vec!["at capacity (2 of 2 orders)".into()],
        };
        assert_eq!(f.describe(), "forced past: at capacity (2 of 2 orders); reason: client asked for him");
        let e = OrderingEvent::OrderAssigned {
            order: OrderId::new(1),
            worker: AccountId::new(3),
            price: Money::from_cents(10_000),
            by: AssignedBy::Manual,
            relaxation: None,
            forced: Some(f),
        };
        let summary = crate::kernel::events::DomainEvent::summary(&e, &|_| "tom".to_string());
        assert_eq!(
            summary,
            "assigned to tom at 100.00 by hand, forced past: at capacity (2 of 2 orders); reason: client asked for him"
        );
    }

    #[test]
    fn an_assignment_stored_before_overrides_existed_still_reads() {
        let stored = r#"{"type":"order_assigned","order":1,"worker":3,"price":"100.00","by":"manual"}"#;
        let e: OrderingEvent = serde_json::from_str(stored).unwrap();
        assert!(matches!(e, OrderingEvent::OrderAssigned { forced: None, relaxation: None, .. }));
    }

    proptest! {
        /// Whatever is tried, an order only ever moves along the lifecycle, terminal states
        /// (completed, cancelled) never change, and an assigned or active order has a worker.
        #[test]
        fn random_walks_stay_on_the_lifecycle(steps in proptest::collection::vec(0usize..6, 0..40)) {
            let mut o = order(OrderStatus::Open);
            for i in steps {
                let t = all_transitions()[i].clone();
                let before = o.status;
                let want = expected(&o, &t);
                match decide(&o, &t) {
                    Ok(_) => {
                        o = apply_transition(o, t, at(4));
                        prop_assert_eq!(Some(o.status), want);
                    }
                    Err(_) => prop_assert_eq!(want, None),
                }
                prop_assert!(!matches!(before, OrderStatus::Completed | OrderStatus::Cancelled) || o.status == before);
                if matches!(o.status, OrderStatus::Assigned | OrderStatus::Active) {
                    prop_assert!(o.worker.is_some());
                }
            }
        }
    }

    #[test]
    fn a_refused_transition_names_the_state_the_verb_and_the_states_that_allow_it() {
        let t = Transition::CheckIn { photo: photo() };
        let e = decide(&order(OrderStatus::Open), &t).unwrap_err();
        assert_eq!(e.message, "order #1 is open; it cannot be checked in (only an order that is assigned can)");
        let verbs: Vec<&str> = all_transitions().iter().map(Transition::verb).collect();
        assert_eq!(verbs, ["assigned", "checked in", "completed", "failed", "cancelled", "reopened"]);
    }

    #[test]
    fn an_order_status_is_read_by_its_stored_name_whatever_the_case() {
        let names: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["open", "assigned", "active", "completed", "failed", "cancelled"]);
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(&format!(" {} ", status.as_str().to_uppercase())).unwrap(), status);
            assert_eq!(status.to_string(), status.as_str());
        }
        assert_eq!(OrderStatus::parse("lost").unwrap_err().kind, crate::error::ErrorKind::BadInput);
    }

    #[test]
    fn every_order_costs_the_base_price() {
        let pricing = Pricing { base_price: Money::from_cents(10_000), loyalty: Loyalty::NONE };
        let st = ServiceType {
            id: ServiceTypeId::new(1),
            code: ServiceCode::parse("cleaning").unwrap(),
            name: Name::parse("Cleaning").unwrap(),
            description: Text::default(),
            skills: SkillSet::default(),
            timing: Timing::DEFAULT,
            retired: false,
            created_at: at(1),
        };
        assert_eq!(pricing.price(&st, Money::from_cents(99_999_999)), Money::from_cents(10_000));
    }

    fn someone(id: i64, role: Role) -> Actor {
        Actor { id: AccountId::new(id), login: Login::parse("someone").unwrap(), role }
    }

    #[test]
    fn clients_and_workers_see_only_their_own_orders_and_managers_all() {
        // order(Assigned): client #2, worker #3.
        let o = order(OrderStatus::Assigned);
        assert!(may_see(&someone(2, Role::Client), &o));
        assert!(!may_see(&someone(3, Role::Client), &o), "another client's order");
        assert!(may_see(&someone(3, Role::Worker), &o));
        assert!(!may_see(&someone(2, Role::Worker), &o), "another worker's order");
        assert!(!may_see(&someone(3, Role::Worker), &order(OrderStatus::Open)), "an order without a worker");
        for role in [Role::Admin, Role::Manager] {
            assert!(may_see(&someone(9, role), &o), "{role}");
        }
        for role in [Role::Accountant, Role::Warehouse, Role::Service] {
            assert!(!may_see(&someone(2, role), &o), "{role}");
        }
    }
}
