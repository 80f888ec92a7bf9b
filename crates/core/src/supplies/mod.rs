//! Supplies (DESIGN.md §3 "Inventory (supplies)"): what the warehouse hands a worker for each
//! assigned order — a **kit** of the service type's bill of materials, the job acceptance form
//! and a fortune cookie from the contractor — and the stock the kits are taken from.
//!
//! Kits follow ordering's events (`subscribers.rs`): opened in the assignment's transaction with
//! tracked items reserved, moved on reassignment, held on reopening, cancelled (stock returned)
//! with their order. One cookie per kit, ordered by the shell (`crew supplies poll`) outside any
//! transaction with the kit's idempotency key; each outcome is recorded here in its own
//! transaction ([`record_cookie`]). Stock is never negative and never reserved twice: the
//! reservation is made inside the write transaction, which SQLite serialises.

pub mod events;
pub mod notifications;
pub mod store;
pub mod subscribers;

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, KitId, OrderId};
use crate::kernel::command::{Ctx, record};
use crate::settings::Rules;
use crate::types::{ServiceCode, Text, Zone};

pub use events::{CookieSource, KitLine, SuppliesEvent};
pub use store::{SuppliesRead, SuppliesStore, SuppliesTx};

/// An item of the warehouse (`gloves`, `sponge`): 1 to 40 letters, digits, `-` or `_`, lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemCode(String);

impl ItemCode {
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim().to_lowercase();
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(ItemCode(s))
        } else {
            Err(Error::bad_input(format!(
                "`{raw}` is not an item code: use 1 to 40 letters, digits, `-` or `_`, starting with a letter or digit"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ItemCode {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ItemCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        ItemCode::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The most units of one item a line may ask for, or a delivery bring.
pub const MAX_UNITS: u32 = 1_000_000;

/// One line of a bill of materials: an item and how many units a kit holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BomLine {
    pub item: ItemCode,
    pub quantity: u32,
}

impl BomLine {
    /// Reads `item:quantity` (or `item`, one unit), as `crew supplies bom --item` takes it.
    pub fn parse(raw: &str) -> Result<Self> {
        let (item, quantity) = match raw.split_once(':') {
            Some((item, q)) => (item, q.trim()),
            None => (raw, "1"),
        };
        let item = ItemCode::parse(item)?;
        let quantity = units(quantity).map_err(|e| e.context(format!("item {item}")))?;
        if quantity == 0 {
            return Err(Error::bad_input(format!("item {item}: a kit holds at least one unit")));
        }
        Ok(BomLine { item, quantity })
    }
}

/// A count of units: a whole number from 0 to [`MAX_UNITS`].
pub fn units(raw: &str) -> Result<u32> {
    match raw.trim().parse::<u32>() {
        Ok(n) if n <= MAX_UNITS => Ok(n),
        _ => Err(Error::bad_input(format!("`{raw}` is not a number of units (a whole number from 0 to {MAX_UNITS})"))),
    }
}

/// A service type's bill of materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillOfMaterials {
    pub service_type: ServiceCode,
    pub lines: Vec<BomLine>,
}

/// The stock of a tracked item. An item has stock once units were received or counted; an
/// untracked item is taken as always there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockItem {
    pub item: ItemCode,
    /// Units on the shelf, reserved ones included. Never negative.
    pub on_hand: u32,
    /// Units promised to open kits; never more than `on_hand`.
    pub reserved: u32,
}

impl StockItem {
    /// Units neither issued nor promised.
    pub fn available(&self) -> u32 {
        self.on_hand - self.reserved
    }
}

/// Where a kit is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KitStatus {
    /// Being assembled (or waiting for a worker after its order was reopened).
    Open,
    /// Handed to the worker.
    Issued,
    /// Its order ended (cancelled, failed or completed) before it was issued.
    Cancelled,
}

impl KitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KitStatus::Open => "open",
            KitStatus::Issued => "issued",
            KitStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        match raw.trim().to_lowercase().as_str() {
            "open" => Ok(KitStatus::Open),
            "issued" => Ok(KitStatus::Issued),
            "cancelled" => Ok(KitStatus::Cancelled),
            _ => Err(Error::bad_input(format!("`{raw}` is not a kit status: use open, issued or cancelled"))),
        }
    }
}

/// Where a kit's cookie is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CookieStatus {
    /// Not asked of the contractor yet.
    NotOrdered,
    /// Asked, but the answer never came (timeout, dropped connection, 5xx): asked again with the
    /// same key, which the contractor answers with its first outcome.
    Unknown,
    /// Accepted by the contractor, baking.
    Baking,
    /// Here.
    Ready,
    /// Refused by the contractor, or failed in its oven: the warehouse must find another.
    Refused,
}

impl CookieStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CookieStatus::NotOrdered => "not ordered",
            CookieStatus::Unknown => "unknown",
            CookieStatus::Baking => "baking",
            CookieStatus::Ready => "ready",
            CookieStatus::Refused => "refused",
        }
    }
}

/// A kit's fortune cookie, one per kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cookie {
    /// The idempotency key the contractor is asked with: `crew-{installation}-kit-{kit}-{seq}`,
    /// where `seq` is the position of the assignment that opened the kit (kits opened before the
    /// installation key existed keep their `crew-kit-{kit}-{seq}`). Never changes.
    pub key: String,
    pub status: CookieStatus,
    /// The contractor's id of the cookie, once it accepted the order.
    pub contractor_id: Option<String>,
    /// When the contractor said it would be ready.
    pub ready_at: Option<DateTime<Utc>>,
    /// Attempts that ended with an unknown outcome.
    pub attempts: u32,
    /// When to ask again after an unknown outcome (or to look a baking cookie up).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure or refusal, for people.
    pub last_error: Option<String>,
    /// Whether the built-in sandbox contractor made it (no real cookie).
    pub sandbox: bool,
}

/// A kit for one assignment of an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kit {
    pub id: KitId,
    pub order: OrderId,
    pub client: AccountId,
    /// `None` while its order waits for a worker again (reopened).
    pub worker: Option<AccountId>,
    pub service_type: ServiceCode,
    pub zone: Zone,
    pub scheduled_at: DateTime<Utc>,
    pub lines: Vec<KitLine>,
    pub status: KitStatus,
    pub cookie: Cookie,
    pub opened_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A kit about to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewKit {
    pub order: OrderId,
    pub client: AccountId,
    pub worker: AccountId,
    pub service_type: ServiceCode,
    pub zone: Zone,
    pub scheduled_at: DateTime<Utc>,
    pub lines: Vec<KitLine>,
    pub opened_at: DateTime<Utc>,
}

/// Which kits to list; every filter optional.
#[derive(Debug, Clone, Default)]
pub struct KitFilter {
    pub status: Option<KitStatus>,
    pub order: Option<OrderId>,
    pub worker: Option<AccountId>,
}

/// The company's supplies rules in force (`supplies.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuppliesRules {
    /// An item with this many available units or fewer is low.
    pub low_stock_units: u32,
    /// A kit not ready this many minutes before its order's start is at risk.
    pub at_risk_minutes: u32,
    /// The first wait before asking the contractor again; doubled each time, at most 64 times.
    pub cookie_retry_minutes: u32,
}

impl SuppliesRules {
    pub fn from(rules: &Rules) -> Self {
        SuppliesRules {
            low_stock_units: rules.low_stock_units,
            at_risk_minutes: rules.kit_at_risk_minutes,
            cookie_retry_minutes: rules.cookie_retry_minutes,
        }
    }
}

/// How a kit stands at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// Everything is there (items and cookie) and it has a worker: it may be issued.
    pub ready: bool,
    /// Open, not ready, and its order starts within the at-risk lead (or has started).
    pub at_risk: bool,
    /// What is missing, for people: `2 gloves`, `the cookie (baking)`, `a worker`.
    pub missing: Vec<String>,
}

impl Kit {
    /// Lines whose tracked item could not be reserved in full, with the units missing.
    pub fn shortages(&self) -> Vec<(ItemCode, u32)> {
        self.lines
            .iter()
            .filter_map(|l| l.reserved.filter(|r| *r < l.quantity).map(|r| (l.item.clone(), l.quantity - r)))
            .collect()
    }

    /// How the kit stands at `now` under `rules`.
    pub fn readiness(&self, now: DateTime<Utc>, rules: &SuppliesRules) -> Readiness {
        let mut missing: Vec<String> = self.shortages().into_iter().map(|(item, n)| format!("{n} {item}")).collect();
        if self.cookie.status != CookieStatus::Ready {
            missing.push(format!("the cookie ({})", self.cookie.status.as_str()));
        }
        if self.worker.is_none() {
            missing.push("a worker".into());
        }
        if self.status != KitStatus::Open {
            return Readiness { ready: false, at_risk: false, missing: vec![] };
        }
        let ready = missing.is_empty();
        let lead = Duration::minutes(i64::from(rules.at_risk_minutes));
        Readiness { ready, at_risk: !ready && now >= self.scheduled_at - lead, missing }
    }
}

/// A kit with how it stands, as the warehouse sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KitView {
    #[serde(flatten)]
    pub kit: Kit,
    #[serde(flatten)]
    pub readiness: Readiness,
}

fn view(kit: Kit, now: DateTime<Utc>, rules: &SuppliesRules) -> KitView {
    let readiness = kit.readiness(now, rules);
    KitView { kit, readiness }
}

fn find_kit(tx: &mut (impl SuppliesTx + ?Sized), id: KitId) -> Result<Kit> {
    tx.kit(id)?.ok_or_else(|| Error::not_found(format!("no kit #{id}")))
}

// ---------------------------------------------------------------- bills of materials

/// `crew supplies bom SERVICE --item …`: what every kit for the service type opened from now on
/// holds (kits already open keep theirs). An item listed twice is refused.
pub fn set_bill_of_materials(
    tx: &mut (impl SuppliesTx + ?Sized),
    ctx: &Ctx,
    service_type: &ServiceCode,
    lines: Vec<BomLine>,
) -> Result<BillOfMaterials> {
    require(&ctx.actor, Action::ManageBillsOfMaterials)?;
    if tx.service_type(service_type)?.is_none() {
        return Err(Error::not_found(format!("no service type `{service_type}`")));
    }
    for (i, line) in lines.iter().enumerate() {
        if lines[..i].iter().any(|l| l.item == line.item) {
            return Err(Error::bad_input(format!("item {} is listed twice", line.item)));
        }
    }
    if tx.bill_of_materials(service_type)? == lines {
        return Err(Error::conflict(format!("kits for `{service_type}` already hold exactly that")));
    }
    tx.set_bill_of_materials(service_type, &lines)?;
    record(tx, ctx, SuppliesEvent::BillOfMaterialsSet { service_type: service_type.clone(), lines: lines.clone() })?;
    Ok(BillOfMaterials { service_type: service_type.clone(), lines })
}

/// `crew supplies bom [SERVICE]`: every service type's bill of materials (empty ones too), or
/// one.
pub fn bills_of_materials(
    tx: &mut (impl SuppliesTx + ?Sized),
    ctx: &Ctx,
    service_type: Option<&ServiceCode>,
) -> Result<Vec<BillOfMaterials>> {
    require(&ctx.actor, Action::ViewKits)?;
    let codes: Vec<ServiceCode> = match service_type {
        Some(code) => {
            if tx.service_type(code)?.is_none() {
                return Err(Error::not_found(format!("no service type `{code}`")));
            }
            vec![code.clone()]
        }
        None => tx.service_types()?.into_iter().filter(|s| !s.retired).map(|s| s.code).collect(),
    };
    codes
        .into_iter()
        .map(|code| Ok(BillOfMaterials { lines: tx.bill_of_materials(&code)?, service_type: code }))
        .collect()
}

// ---------------------------------------------------------------- kits

/// `crew supplies list`: kits by their order's time, with how they stand at `ctx.now`.
pub fn list_kits(
    tx: &mut (impl SuppliesTx + ?Sized),
    ctx: &Ctx,
    filter: &KitFilter,
    rules: &SuppliesRules,
) -> Result<Vec<KitView>> {
    require(&ctx.actor, Action::ViewKits)?;
    Ok(tx.kits(filter)?.into_iter().map(|k| view(k, ctx.now, rules)).collect())
}

/// `crew supplies show KIT`.
pub fn show_kit(tx: &mut (impl SuppliesTx + ?Sized), ctx: &Ctx, id: KitId, rules: &SuppliesRules) -> Result<KitView> {
    require(&ctx.actor, Action::ViewKits)?;
    Ok(view(find_kit(tx, id)?, ctx.now, rules))
}

/// The job acceptance form that goes in the kit: what the worker and the client sign.
pub fn acceptance_form(
    tx: &mut (impl SuppliesTx + ?Sized),
    ctx: &Ctx,
    id: KitId,
    time: &dyn Fn(DateTime<Utc>) -> String,
) -> Result<Vec<String>> {
    require(&ctx.actor, Action::ViewKits)?;
    let kit = find_kit(tx, id)?;
    let client = person_name(tx, kit.client)?;
    let worker = match kit.worker {
        Some(w) => person_name(tx, w)?,
        None => "(to be assigned)".to_string(),
    };
    let description = tx.order(kit.order)?.map(|o| o.description.to_string()).unwrap_or_default();
    let mut form = vec![
        format!("JOB ACCEPTANCE FORM — order #{}, kit #{}", kit.order, kit.id),
        format!("Service: {}    Zone: {}    Time: {}", kit.service_type, kit.zone, time(kit.scheduled_at)),
        format!("Client: {client}"),
        format!("Worker: {worker}"),
        format!("Work: {description}"),
        "The work above was done as ordered and the place left clean.".into(),
        "Client's signature: ____________________   Worker's signature: ____________________".into(),
    ];
    form.retain(|l| l != "Work: ");
    Ok(form)
}

fn person_name(tx: &mut (impl SuppliesTx + ?Sized), id: AccountId) -> Result<String> {
    Ok(tx.account(id)?.map_or_else(|| format!("#{id}"), |a| a.name.to_string()))
}

/// `crew supplies issue KIT`: hands the kit to its worker. Only an open kit with a worker, every
/// tracked item reserved in full and its cookie here may be issued; its reserved units leave
/// stock. The worker is mailed.
pub fn issue_kit(tx: &mut (impl SuppliesTx + ?Sized), ctx: &Ctx, id: KitId, rules: &SuppliesRules) -> Result<KitView> {
    require(&ctx.actor, Action::HandleKits)?;
    let mut kit = find_kit(tx, id)?;
    match kit.status {
        KitStatus::Open => {}
        KitStatus::Issued => return Err(Error::conflict(format!("kit #{id} was already issued"))),
        KitStatus::Cancelled => return Err(Error::conflict(format!("kit #{id} is cancelled: its order ended"))),
    }
    // A kit left open by an older crew for an order that has ended is not handed out either.
    if let Some(order) = tx.order(kit.order)?
        && matches!(
            order.status,
            crate::ordering::OrderStatus::Completed
                | crate::ordering::OrderStatus::Failed
                | crate::ordering::OrderStatus::Cancelled
        )
    {
        return Err(Error::conflict(format!(
            "kit #{id} cannot be issued: its order #{} has ended ({})",
            kit.order,
            order.status.as_str()
        )));
    }
    let readiness = kit.readiness(ctx.now, rules);
    if !readiness.ready {
        return Err(Error::conflict(format!("kit #{id} is not ready: missing {}", readiness.missing.join(", "))));
    }
    let worker = kit.worker.ok_or_else(|| Error::internal("a ready kit has a worker"))?;
    for line in &kit.lines {
        let Some(reserved) = line.reserved else { continue };
        let mut stock = tx
            .stock_item(&line.item)?
            .ok_or_else(|| Error::internal(format!("kit #{id} reserved {} with no stock", line.item)))?;
        if stock.reserved < reserved || stock.on_hand < reserved {
            return Err(Error::internal(format!(
                "the stock of {} holds fewer units than kit #{id} reserved",
                line.item
            )));
        }
        stock.reserved -= reserved;
        stock.on_hand -= reserved;
        tx.put_stock(&stock)?;
    }
    kit.status = KitStatus::Issued;
    kit.issued_at = Some(ctx.now);
    kit.updated_at = ctx.now;
    tx.update_kit(&kit)?;
    record(tx, ctx, SuppliesEvent::KitIssued { kit: id, order: kit.order, worker })?;
    Ok(view(kit, ctx.now, rules))
}

// ---------------------------------------------------------------- stock

/// A tracked item's stock with its warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockView {
    #[serde(flatten)]
    pub stock: StockItem,
    pub available: u32,
    /// Available units at or below `supplies.low_stock_units`.
    pub low: bool,
    /// Units open kits still lack (short lines).
    pub short: u32,
}

/// `crew supplies stock`: every tracked item, by code.
pub fn stock(tx: &mut (impl SuppliesTx + ?Sized), ctx: &Ctx, rules: &SuppliesRules) -> Result<Vec<StockView>> {
    require(&ctx.actor, Action::ViewKits)?;
    stock_views(tx, rules)
}

/// Every tracked item's stock with its warnings (no permission check: for the commands above and
/// the warehouse's dashboard).
pub fn stock_views(tx: &mut (impl SuppliesTx + ?Sized), rules: &SuppliesRules) -> Result<Vec<StockView>> {
    let open = tx.kits(&KitFilter { status: Some(KitStatus::Open), ..KitFilter::default() })?;
    Ok(tx
        .stock()?
        .into_iter()
        .map(|s| {
            let short = open.iter().flat_map(Kit::shortages).filter(|(item, _)| *item == s.item).map(|(_, n)| n).sum();
            StockView { available: s.available(), low: s.available() <= rules.low_stock_units, short, stock: s }
        })
        .collect())
}

/// `crew supplies receive ITEM QUANTITY --reason …`: units arrive (an untracked item becomes
/// tracked). Open kits short of the item are filled first, oldest order first.
pub fn receive(
    tx: &mut (impl SuppliesTx + ?Sized),
    ctx: &Ctx,
    item: &ItemCode,
    quantity: u32,
    reason: Text,
) -> Result<(StockItem, Vec<KitId>)> {
    require(&ctx.actor, Action::HandleKits)?;
    if quantity == 0 {
        return Err(Error::bad_input("a delivery brings at least one unit"));
    }
    if reason.is_empty() {
        return Err(Error::bad_input("--reason: say where the units came from"));
    }
    let mut stock = tx.stock_item(item)?.unwrap_or(StockItem { item: item.clone(), on_hand: 0, reserved: 0 });
    stock.on_hand = stock
        .on_hand
        .checked_add(quantity)
        .filter(|n| *n <= MAX_UNITS)
        .ok_or_else(|| Error::bad_input(format!("{item}: more than {MAX_UNITS} units on hand")))?;
    let mut filled = Vec::new();
    for mut kit in tx.kits(&KitFilter { status: Some(KitStatus::Open), ..KitFilter::default() })? {
        let mut changed = false;
        // Lines opened while the item was untracked stay untracked: they were taken as there.
        for line in kit.lines.iter_mut().filter(|l| l.item == *item) {
            let Some(reserved) = line.reserved else { continue };
            let take = (line.quantity - reserved).min(stock.available());
            if take > 0 {
                line.reserved = Some(reserved + take);
                stock.reserved += take;
                changed = true;
            }
        }
        if changed {
            kit.updated_at = ctx.now;
            tx.update_kit(&kit)?;
            filled.push(kit.id);
        }
    }
    tx.put_stock(&stock)?;
    record(
        tx,
        ctx,
        SuppliesEvent::StockReceived {
            item: item.clone(),
            quantity,
            on_hand: stock.on_hand,
            reason,
            filled: filled.clone(),
        },
    )?;
    Ok((stock, filled))
}

/// `crew supplies adjust ITEM --to N --reason …`: a count says the shelf holds `to` units. A
/// count below what open kits have reserved is refused (cancel or issue those kits first).
/// Returns the stock and whether it changed: a count equal to the tracked stock records nothing
/// and returns `false` (like other commands that change nothing, not an error).
pub fn adjust(
    tx: &mut (impl SuppliesTx + ?Sized),
    ctx: &Ctx,
    item: &ItemCode,
    to: u32,
    reason: Text,
) -> Result<(StockItem, bool)> {
    require(&ctx.actor, Action::HandleKits)?;
    if reason.is_empty() {
        return Err(Error::bad_input("--reason: say why the count changed"));
    }
    if to > MAX_UNITS {
        return Err(Error::bad_input(format!("{item}: more than {MAX_UNITS} units on hand")));
    }
    // A count is of an item crew already counts: a mistyped code must not start a new one.
    let mut stock = tx.stock_item(item)?.ok_or_else(|| {
        Error::not_found(format!(
            "`{item}` is not counted in stock: `crew supplies receive {item} N --reason …` starts counting a new item"
        ))
    })?;
    if to < stock.reserved {
        return Err(Error::conflict(format!(
            "{item}: {} units are reserved by open kits; the count cannot be {to}",
            stock.reserved
        )));
    }
    let from = stock.on_hand;
    if from == to {
        return Ok((stock, false));
    }
    stock.on_hand = to;
    tx.put_stock(&stock)?;
    record(tx, ctx, SuppliesEvent::StockAdjusted { item: item.clone(), from, to, reason })?;
    Ok((stock, true))
}

// ---------------------------------------------------------------- cookies

/// What the shell must ask the contractor about one kit's cookie.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
pub enum CookieJob {
    /// Order it (`POST /v1/cookies` with the key): not ordered yet, or the last answer was lost.
    Order {
        kit: KitId,
        order: OrderId,
        key: String,
        reference: String,
        client_name: String,
        zone: Zone,
        message: String,
    },
    /// Look it up (`GET /v1/cookies/ID`): baking, and due.
    Check { kit: KitId, order: OrderId, cookie: String, ready_at: Option<DateTime<Utc>> },
}

impl CookieJob {
    pub fn kit(&self) -> KitId {
        match self {
            CookieJob::Order { kit, .. } | CookieJob::Check { kit, .. } => *kit,
        }
    }
}

/// The cookie work due at `ctx.now`: open kits whose cookie was never ordered or whose last
/// attempt is due again, and baking cookies due to be ready. Oldest order first.
pub fn cookie_jobs(tx: &mut (impl SuppliesTx + ?Sized), ctx: &Ctx) -> Result<Vec<CookieJob>> {
    require(&ctx.actor, Action::OrderCookies)?;
    let mut jobs = Vec::new();
    for kit in tx.kits(&KitFilter { status: Some(KitStatus::Open), ..KitFilter::default() })? {
        let due = kit.cookie.next_attempt_at.is_none_or(|t| t <= ctx.now);
        match kit.cookie.status {
            CookieStatus::NotOrdered | CookieStatus::Unknown if due => {
                let client_name =
                    tx.account(kit.client)?.map_or_else(|| format!("#{}", kit.client), |a| a.name.to_string());
                jobs.push(CookieJob::Order {
                    kit: kit.id,
                    order: kit.order,
                    key: kit.cookie.key.clone(),
                    reference: format!("kit-{}", kit.id),
                    message: format!("A fortune for {client_name}"),
                    client_name,
                    zone: kit.zone.clone(),
                });
            }
            CookieStatus::Baking if kit.cookie.ready_at.is_none_or(|t| t <= ctx.now) && due => {
                if let Some(cookie) = kit.cookie.contractor_id.clone() {
                    jobs.push(CookieJob::Check {
                        kit: kit.id,
                        order: kit.order,
                        cookie,
                        ready_at: kit.cookie.ready_at,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(jobs)
}

/// What the contractor answered (or failed to), as the shell classified it.
#[derive(Debug, Clone, PartialEq)]
pub enum CookieOutcome {
    /// The order was accepted (a first answer, or the first outcome repeated for the same key).
    Accepted { cookie: String, ready_at: Option<DateTime<Utc>>, sandbox: bool },
    /// No answer that settles it: a timeout, a dropped connection, a 5xx, an answer crew cannot
    /// read. Asked again later with the same key.
    Unknown { error: String },
    /// A definite refusal (a 4xx), or the contractor says the cookie failed.
    Refused { reason: String },
    /// A look-up says it is still baking.
    StillBaking,
    /// The cookie is here.
    Arrived { by: CookieSource },
}

/// Records one outcome for a kit's cookie, in its own transaction. Outcomes that no longer fit
/// (a second `Accepted` for a cookie already baking, an arrival already recorded) change nothing
/// and return `false`: recording is idempotent, and a repeated answer never counts twice. An
/// arrival by hand or by file may come for a kit in any state but cancelled.
pub fn record_cookie(
    tx: &mut (impl SuppliesTx + ?Sized),
    ctx: &Ctx,
    id: KitId,
    outcome: CookieOutcome,
    rules: &SuppliesRules,
) -> Result<(Kit, bool)> {
    let action = match outcome {
        CookieOutcome::Arrived { by: CookieSource::Hand | CookieSource::File } => Action::HandleKits,
        _ => Action::OrderCookies,
    };
    require(&ctx.actor, action)?;
    let mut kit = find_kit(tx, id)?;
    let order = kit.order;
    let c = &mut kit.cookie;
    let event = match outcome {
        CookieOutcome::Accepted { cookie, ready_at, sandbox } => {
            if !matches!(c.status, CookieStatus::NotOrdered | CookieStatus::Unknown) {
                return Ok((kit, false));
            }
            c.status = CookieStatus::Baking;
            c.contractor_id = Some(cookie.clone());
            c.ready_at = ready_at;
            c.next_attempt_at = ready_at;
            c.last_error = None;
            c.sandbox = sandbox;
            SuppliesEvent::CookieOrdered { kit: id, order, cookie, ready_at, sandbox }
        }
        CookieOutcome::Unknown { error } => {
            if !matches!(c.status, CookieStatus::NotOrdered | CookieStatus::Unknown | CookieStatus::Baking) {
                return Ok((kit, false));
            }
            if c.status != CookieStatus::Baking {
                c.status = CookieStatus::Unknown;
            }
            c.attempts += 1;
            let next_attempt_at = ctx.now + backoff(rules, c.attempts);
            c.next_attempt_at = Some(next_attempt_at);
            c.last_error = Some(error.clone());
            SuppliesEvent::CookieAttemptFailed { kit: id, order, attempt: c.attempts, error, next_attempt_at }
        }
        CookieOutcome::Refused { reason } => {
            if matches!(c.status, CookieStatus::Ready | CookieStatus::Refused) {
                return Ok((kit, false));
            }
            c.status = CookieStatus::Refused;
            c.last_error = Some(reason.clone());
            c.next_attempt_at = None;
            SuppliesEvent::CookieRefused { kit: id, order, reason }
        }
        CookieOutcome::StillBaking => {
            if c.status != CookieStatus::Baking {
                return Ok((kit, false));
            }
            // Look again a little later; nothing worth an event.
            c.next_attempt_at = Some(ctx.now + Duration::minutes(i64::from(rules.cookie_retry_minutes.max(1))));
            kit.updated_at = ctx.now;
            tx.update_kit(&kit)?;
            return Ok((kit, false));
        }
        CookieOutcome::Arrived { by } => {
            if kit.status == KitStatus::Cancelled && by == CookieSource::Hand {
                return Err(Error::conflict(format!("kit #{id} is cancelled: its order ended")));
            }
            if c.status == CookieStatus::Ready {
                return Ok((kit, false));
            }
            c.status = CookieStatus::Ready;
            c.next_attempt_at = None;
            c.last_error = None;
            SuppliesEvent::CookieArrived { kit: id, order, by }
        }
    };
    kit.updated_at = ctx.now;
    tx.update_kit(&kit)?;
    record(tx, ctx, event)?;
    Ok((kit, true))
}

/// Whether a delivery file from the contractor may speak for `kit`'s cookie: only a cookie the
/// contractor was asked for (baking, or asked with no answer yet) or already settled (a file read
/// twice changes nothing); a cookie never ordered cannot arrive or fail at the contractor. When
/// the file names the contractor's cookie `id` and crew knows it, they must agree.
///
/// Errors: bad input naming the kit.
pub fn check_delivery(kit: &Kit, contractor_id: Option<&str>) -> Result<()> {
    let c = &kit.cookie;
    if c.status == CookieStatus::NotOrdered {
        return Err(Error::bad_input(format!(
            "kit #{}'s cookie was never ordered from the contractor, so no delivery can be for it",
            kit.id
        )));
    }
    if let (Some(said), Some(known)) = (contractor_id, c.contractor_id.as_deref())
        && said != known
    {
        return Err(Error::bad_input(format!(
            "field `id`: `{said}` is not the cookie the contractor baked for kit #{} (`{known}`)",
            kit.id
        )));
    }
    Ok(())
}

/// The wait before attempt `attempts + 1`: the rule's minutes, doubled per failed attempt, at
/// most 64 times the rule.
pub fn backoff(rules: &SuppliesRules, attempts: u32) -> Duration {
    let factor = 1i64 << attempts.saturating_sub(1).min(6);
    Duration::minutes(i64::from(rules.cookie_retry_minutes.max(1)) * factor)
}

/// The kit of a cookie the contractor calls `reference` (`kit-7`), as `crew supplies poll` and
/// delivery files name it.
pub fn kit_of_reference(reference: &str) -> Result<KitId> {
    reference
        .trim()
        .strip_prefix("kit-")
        .ok_or_else(|| Error::bad_input(format!("`{reference}` is not a kit reference like `kit-7`")))?
        .parse()
}

#[cfg(test)]
mod tests;
