//! Matching: picks the best worker for every open order, at a price.
//!
//! Its own language: the client is the "reference sample", the worker the "normal sample"; a
//! **profile** is what matching knows of a worker (skills with levels, zone, rating 0–100, capacity,
//! load, status); a **candidate** is a worker who may take an order; a **step** scores candidates; the
//! **cycle** assigns every open order it can in one optimal solve.
//!
//! Matching keeps its own tables (profiles, its view of orders, past outcomes per worker and
//! client), fed only by events ([`subscribers::MatchingView`]); it changes orders only by
//! recording ordering's `OrderAssigned { by: matching }`, which ordering applies.

pub mod events;
#[cfg(test)]
mod plan_tests;
pub mod solver;
pub mod steps;
pub mod store;
pub mod subscribers;
pub mod time;

pub use events::MatchingEvent;
pub use store::{MatchingRead, MatchingStore, MatchingTx};

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::authz::{Action, Role, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, EventSeq, OrderId, TimeOffId};
use crate::kernel::command::{Ctx, record};
use crate::kernel::events::RecordedEvent;
use crate::ordering::{OrderStatus, OrderingEvent, Pricing, Timing};
use crate::settings::hours::WeeklyHours;
use crate::types::{Money, ServiceCode, Skill, SkillSet, Text, Zone};
use time::{Calendar, Slot, TimeOff, TimeRules};

pub use steps::{Step, StepKind};

/// Whether a worker may be matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerStatus {
    Active,
    /// Taken out of matching by a manager (quality); reinstated by a manager.
    Suspended,
    /// The account was deactivated.
    Deactivated,
}

impl WorkerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerStatus::Active => "active",
            WorkerStatus::Suspended => "suspended",
            WorkerStatus::Deactivated => "deactivated",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        match raw.trim() {
            "active" => Ok(WorkerStatus::Active),
            "suspended" => Ok(WorkerStatus::Suspended),
            "deactivated" => Ok(WorkerStatus::Deactivated),
            _ => Err(Error::bad_input(format!("`{raw}` is not a worker status: use active, suspended or deactivated"))),
        }
    }
}

/// What matching knows of a worker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerProfile {
    pub worker: AccountId,
    pub zone: Zone,
    pub skills: SkillSet,
    /// The most orders the worker takes a day (a day of the company's time zone). Before orders
    /// had times it counted orders held at once; migration 0020 kept each worker's number as
    /// their daily maximum (docs/matching.md, "Time").
    pub capacity: u32,
    pub rating: u8,
    pub status: WorkerStatus,
    /// Orders assigned or active now (derived from matching's view of orders).
    pub load: u32,
    pub completed: u32,
    pub failed: u32,
    pub hired_at: DateTime<Utc>,
}

impl WorkerProfile {
    pub fn spare(&self) -> u32 {
        self.capacity.saturating_sub(self.load)
    }
}

/// Matching's copy of an order: what it needs to match it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchOrder {
    pub order: OrderId,
    pub client: AccountId,
    pub service_type: ServiceCode,
    /// The skills the service type needed when the order was placed.
    pub skills: SkillSet,
    pub zone: Zone,
    pub scheduled_at: DateTime<Utc>,
    /// The duration and buffer of its service type when it was placed.
    pub timing: Timing,
    pub status: OrderStatus,
    pub worker: Option<AccountId>,
}

impl MatchOrder {
    /// The time the order occupies.
    pub fn slot(&self) -> Slot {
        Slot::new(
            self.order,
            self.zone.clone(),
            self.scheduled_at,
            self.timing.duration_minutes,
            self.timing.buffer_minutes,
        )
    }
}

/// Which workers `crew matching workers` lists.
#[derive(Debug, Clone, Default)]
pub struct WorkerFilter {
    pub zone: Option<Zone>,
    pub skill: Option<Skill>,
    pub status: Option<WorkerStatus>,
}

/// One worker's finished orders for one client (the history step reads them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub worker: AccountId,
    pub client: AccountId,
    pub completed: u32,
    pub failed: u32,
}

/// The steps and relaxations a cycle runs with, from the company's rules ([`settings`]).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Scoring steps, in the order they run (eligibility always runs first, as a gate).
    pub steps: Vec<Step>,
    /// Zones whose workers may also take an order of a zone (in-zone workers preferred).
    pub neighbours: BTreeMap<Zone, Vec<Zone>>,
    /// Hours, travel and the company's time zone.
    pub time: TimeRules,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { steps: steps::default_steps(), neighbours: BTreeMap::new(), time: TimeRules::default() }
    }
}

/// The steps and relaxations in force: the company's `matching.steps` (built-in steps, and the
/// external programs an admin registered, with the checksums they approved) and
/// `matching.neighbours`. Read inside the cycle's transaction, so a batch is scored by the rules
/// of the moment it was read.
pub fn settings(tx: &mut (impl MatchingTx + ?Sized)) -> Result<Settings> {
    let rules = crate::settings::rules(tx)?;
    let mut steps = Vec::with_capacity(rules.steps.len());
    for s in &rules.steps {
        if s.name.is_built_in() {
            steps.push(Step::built_in(s.name.as_str(), s.weight));
            continue;
        }
        let program = tx.step_program(&s.name)?.ok_or_else(|| {
            Error::bad_input(format!(
                "matching.steps names `{}`, which is neither built in nor registered: an admin registers it with `crew settings step add` or takes it out with `crew settings set matching.steps`",
                s.name
            ))
        })?;
        steps.push(Step {
            name: s.name.to_string(),
            kind: StepKind::External,
            weight: s.weight,
            command: std::iter::once(program.program).chain(program.args).collect(),
            timeout_seconds: u64::from(program.timeout_seconds),
            files: program.files,
        });
    }
    let time = TimeRules::from_rules(&rules);
    Ok(Settings { steps, neighbours: rules.neighbours, time })
}

// ---------------------------------------------------------------- profiles

/// A worker's login for messages.
fn who(tx: &mut (impl MatchingTx + ?Sized), worker: AccountId) -> Result<String> {
    Ok(tx.account(worker)?.map_or_else(|| format!("#{worker}"), |a| a.login.to_string()))
}

fn profile(tx: &mut (impl MatchingTx + ?Sized), worker: AccountId) -> Result<WorkerProfile> {
    tx.worker_profile(worker)?.ok_or_else(|| Error::not_found(format!("account #{worker} is not a worker in the pool")))
}

/// `crew matching workers`.
pub fn list_workers(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    filter: &WorkerFilter,
) -> Result<Vec<WorkerProfile>> {
    require(&ctx.actor, Action::ViewWorkers)?;
    tx.worker_profiles(filter)
}

/// `crew matching profile`.
pub fn show_profile(tx: &mut (impl MatchingTx + ?Sized), ctx: &Ctx, worker: AccountId) -> Result<WorkerProfile> {
    require(&ctx.actor, Action::ViewWorkers)?;
    profile(tx, worker)
}

/// What `crew matching edit` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileEdit {
    pub zone: Option<Zone>,
    pub skills: Option<SkillSet>,
    pub capacity: Option<u32>,
}

/// `crew matching edit`: a manager corrects a worker's skills, capacity or zone.
pub fn edit_profile(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    worker: AccountId,
    edit: ProfileEdit,
) -> Result<WorkerProfile> {
    require(&ctx.actor, Action::ManageWorkers)?;
    let mut p = profile(tx, worker)?;
    let before = p.clone();
    if let Some(zone) = edit.zone {
        p.zone = zone;
    }
    if let Some(skills) = edit.skills {
        if skills.is_empty() {
            return Err(Error::bad_input("a worker needs at least one skill"));
        }
        p.skills = skills;
    }
    if let Some(capacity) = edit.capacity {
        if !(1..=20).contains(&capacity) {
            return Err(Error::bad_input("capacity (the daily maximum) must be from 1 to 20 orders a day"));
        }
        p.capacity = capacity;
    }
    if p == before {
        return Err(Error::bad_input("nothing to change: give --zone, --skills or --capacity with a new value"));
    }
    tx.update_worker_profile(&p)?;
    record(
        tx,
        ctx,
        MatchingEvent::WorkerProfileEdited {
            worker,
            zone: p.zone.clone(),
            skills: p.skills.clone(),
            capacity: p.capacity,
        },
    )?;
    Ok(p)
}

/// `crew matching suspend`: the worker gets no new orders until reinstated.
pub fn suspend(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    worker: AccountId,
    reason: Text,
) -> Result<WorkerProfile> {
    require(&ctx.actor, Action::ManageWorkers)?;
    if reason.is_empty() {
        return Err(Error::bad_input("say why with --reason"));
    }
    let mut p = profile(tx, worker)?;
    if p.status != WorkerStatus::Active {
        return Err(Error::conflict(format!("worker {} is {}", who(tx, worker)?, p.status.as_str())));
    }
    refuse_if_staked_on_their_orders(tx, ctx, worker)?;
    p.status = WorkerStatus::Suspended;
    tx.update_worker_profile(&p)?;
    record(tx, ctx, MatchingEvent::WorkerSuspended { worker, reason })?;
    Ok(p)
}

/// Refuses a manager's (or admin's) suspension of a worker who holds an order the manager has an
/// unsettled stake on (docs/bets.md, "No acting by hand on an order you hold a stake on"): a
/// suspended worker's order is reopened by the no-show sweep, so the suspension would steer it.
/// Exit 3 (not allowed), naming the order and the bets.
fn refuse_if_staked_on_their_orders(tx: &mut (impl MatchingTx + ?Sized), ctx: &Ctx, worker: AccountId) -> Result<()> {
    if !matches!(ctx.actor.role, Role::Manager | Role::Admin) {
        return Ok(());
    }
    let held = tx.held_bets(ctx.actor.id)?;
    let mut staked: Vec<OrderId> = held.iter().map(|b| b.order).collect();
    staked.sort_unstable();
    staked.dedup();
    for id in staked {
        let Some(order) = tx.order(id)? else { continue };
        if order.worker == Some(worker) && matches!(order.status, OrderStatus::Assigned | OrderStatus::Active) {
            let bets: Vec<String> = held
                .iter()
                .filter(|b| b.order == id)
                .map(|b| format!("bet #{}: {} on {}", b.id, b.stake, b.on.as_str()))
                .collect();
            return Err(Error::not_allowed(format!(
                "you hold a stake on order #{id} ({}), which {} holds, so you may not suspend them: whoever bets on \
                 an order does not steer it (another manager may)",
                bets.join(", "),
                who(tx, worker)?
            )));
        }
    }
    Ok(())
}

/// `crew matching reinstate`.
pub fn reinstate(tx: &mut (impl MatchingTx + ?Sized), ctx: &Ctx, worker: AccountId) -> Result<WorkerProfile> {
    require(&ctx.actor, Action::ManageWorkers)?;
    let mut p = profile(tx, worker)?;
    if p.status != WorkerStatus::Suspended {
        return Err(Error::conflict(format!("worker {} is {}, not suspended", who(tx, worker)?, p.status.as_str())));
    }
    p.status = WorkerStatus::Active;
    tx.update_worker_profile(&p)?;
    record(tx, ctx, MatchingEvent::WorkerReinstated { worker })?;
    Ok(p)
}

/// `crew matching hours`: a manager sets a worker's weekly hours, or (`None`) puts them back on
/// the company's default (`matching.default_hours`). Orders already held are not touched.
pub fn set_hours(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    worker: AccountId,
    hours: Option<WeeklyHours>,
) -> Result<Option<WeeklyHours>> {
    require(&ctx.actor, Action::ManageWorkers)?;
    profile(tx, worker)?;
    if tx.worker_hours(worker)? == hours {
        return Err(Error::bad_input(format!("nothing to change: those are already {}'s hours", who(tx, worker)?)));
    }
    tx.set_worker_hours(worker, hours.as_ref())?;
    record(tx, ctx, MatchingEvent::WorkerHoursSet { worker, hours: hours.clone() })?;
    Ok(hours)
}

/// `crew import workers` with an `hours` column: sets the worker's own hours unless they are
/// those already (then nothing is recorded). Returns whether they changed.
pub fn import_hours(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    worker: AccountId,
    hours: WeeklyHours,
) -> Result<bool> {
    require(&ctx.actor, Action::ManageWorkers)?;
    if tx.worker_hours(worker)?.as_ref() == Some(&hours) {
        return Ok(false);
    }
    set_hours(tx, ctx, worker, Some(hours))?;
    Ok(true)
}

/// A worker's hours as `crew matching hours` shows them: their own, or the company's default.
#[derive(Debug, Clone, Serialize)]
pub struct HoursShown {
    pub worker: AccountId,
    pub hours: WeeklyHours,
    /// Whether these are the company's default (the worker has none of their own).
    pub default: bool,
    pub time_off: Vec<TimeOff>,
}

/// `crew matching hours WORKER` (no change): the hours in force and the time off to come.
pub fn show_hours(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    time: &TimeRules,
    worker: AccountId,
) -> Result<HoursShown> {
    require(&ctx.actor, Action::ViewWorkers)?;
    profile(tx, worker)?;
    let own = tx.worker_hours(worker)?;
    let time_off = tx.worker_time_off(worker)?.into_iter().filter(|t| t.ends_at > ctx.now).collect();
    Ok(HoursShown {
        worker,
        default: own.is_none(),
        hours: own.unwrap_or_else(|| time.default_hours.clone()),
        time_off,
    })
}

/// The longest time off one entry may cover: a year (366 days, a leap year's). Longer is a typing
/// mistake more often than a plan; a worker who leaves is deactivated or suspended instead.
pub const MAX_TIME_OFF_DAYS: i64 = 366;

/// Why a new time off `[starts_at, ends_at)` is refused given the worker's `existing` ones: longer
/// than [`MAX_TIME_OFF_DAYS`] (bad input), or overlapping one of them (conflict, naming it: remove
/// it first, or add only the days it does not cover). Touching (one ends when the other starts) is
/// no overlap. `None`: it may be added.
pub fn time_off_refusal(existing: &[time::TimeOff], starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Option<Error> {
    if ends_at - starts_at > chrono::Duration::days(MAX_TIME_OFF_DAYS) {
        return Some(Error::bad_input(format!(
            "a time off lasts at most {MAX_TIME_OFF_DAYS} days (this one {} days): split it, or suspend the worker",
            (ends_at - starts_at).num_days()
        )));
    }
    existing.iter().find(|t| t.starts_at < ends_at && starts_at < t.ends_at).map(|t| {
        Error::conflict(format!(
            "it overlaps the worker's time off {} ({} to {} UTC, {}): remove that one first (crew matching \
             time-off remove {}) or add only the days it does not cover",
            t.id,
            t.starts_at.format("%Y-%m-%d %H:%M"),
            t.ends_at.format("%Y-%m-%d %H:%M"),
            t.reason,
            t.id
        ))
    })
}

/// `crew matching time-off add`: the worker is off from `starts_at` until `ends_at` (a holiday,
/// sick leave). Orders the worker already holds then are not taken back: the result lists them,
/// for the manager to reopen (`crew order reopen`) or reassign. Refused: one that ends before it
/// starts or is over already (bad input), one longer than a year or overlapping the worker's
/// existing time off ([`time_off_refusal`]).
pub fn add_time_off(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    worker: AccountId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Text,
) -> Result<(TimeOff, Vec<OrderId>)> {
    require(&ctx.actor, Action::ManageWorkers)?;
    profile(tx, worker)?;
    if starts_at >= ends_at {
        return Err(Error::bad_input("a time off must end after it starts (--until after --from)"));
    }
    if ends_at <= ctx.now {
        return Err(Error::bad_input("that time off is over already: --until must be in the future"));
    }
    if let Some(refusal) = time_off_refusal(&tx.worker_time_off(worker)?, starts_at, ends_at) {
        return Err(refusal);
    }
    let id = tx.insert_time_off(worker, starts_at, ends_at, &reason)?;
    record(tx, ctx, MatchingEvent::TimeOffAdded { worker, time_off: id, starts_at, ends_at, reason: reason.clone() })?;
    let clashing = tx
        .held_slots(worker)?
        .into_iter()
        .filter(|s| s.start < ends_at && starts_at < s.work_end)
        .map(|s| s.order)
        .collect();
    Ok((TimeOff { id, worker, starts_at, ends_at, reason }, clashing))
}

/// `crew matching time-off remove`.
pub fn remove_time_off(tx: &mut (impl MatchingTx + ?Sized), ctx: &Ctx, id: TimeOffId) -> Result<TimeOff> {
    require(&ctx.actor, Action::ManageWorkers)?;
    let off = tx.time_off(id)?.ok_or_else(|| Error::not_found(format!("no time off {id}")))?;
    tx.delete_time_off(id)?;
    record(tx, ctx, MatchingEvent::TimeOffRemoved { worker: off.worker, time_off: id })?;
    Ok(off)
}

// ---------------------------------------------------------------- the cycle

/// One candidate pair of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// Index into [`Batch::orders`].
    pub order: usize,
    /// Index into [`Batch::workers`].
    pub worker: usize,
    /// The worker is from a configured neighbouring zone, not the order's.
    pub relaxed: bool,
}

/// A worker who meets the skills and zone of an order but cannot take it at its time.
#[derive(Debug, Clone, Serialize)]
pub struct Unavailable {
    pub worker: AccountId,
    pub zone: Zone,
    /// Each reason in words ("busy with #7 10:00–12:00", "off on Tuesdays").
    pub reasons: Vec<String>,
}

/// Everything a cycle decides from: open orders, candidate workers, candidate pairs, and each
/// step's score per pair. Built in one read transaction ([`prepare`]); scored by built-in steps
/// there and by external steps outside any transaction; solved by [`plan`]; recorded by [`commit`].
#[derive(Debug, Clone)]
pub struct Batch {
    /// The last relevant event when the batch was read: [`commit`] looks at what came since.
    pub snapshot: EventSeq,
    /// Open orders whose time has passed: not matched.
    pub past: Vec<LeftOpen>,
    /// Open orders, earliest first.
    pub orders: Vec<MatchOrder>,
    pub workers: Vec<WorkerProfile>,
    /// Grouped by order, in order index order; within an order by worker id.
    pub pairs: Vec<Pair>,
    /// Per order: whether its candidates include neighbouring zones' workers, for `explain`
    /// (an assignment names its own worker's zone instead, [`report`]).
    pub relaxation: Vec<Option<String>>,
    /// Per order without candidates: why nobody can take it.
    pub nobody: BTreeMap<usize, String>,
    /// The steps, and per step a score in [0, 1] per pair (empty until the step has run).
    pub steps: Vec<Step>,
    pub scores: Vec<Vec<f64>>,
    /// The time rules the batch was read with.
    pub time: TimeRules,
    /// Per worker: the hours in force, the time off to come, the orders held.
    hours: Vec<WeeklyHours>,
    time_off: Vec<Vec<TimeOff>>,
    held: Vec<Vec<Slot>>,
    /// For `explain` (a one-order batch) only: who meets skills and zone but not the time.
    pub unavailable: Vec<Unavailable>,
    /// Completed and failed orders per (worker, client), for the history step.
    history: HashMap<(AccountId, AccountId), (u32, u32)>,
}

/// The events that change what a cycle would decide: [`commit`] looks at those recorded since
/// the batch was read. Logins, imports of clients and the like do not count.
pub const RELEVANT_EVENTS: &[&str] = &[
    // The company's rules: steps, weights, relaxations, prices.
    "setting_changed",
    "step_registered",
    "step_approved",
    "step_removed",
    "worker_hired",
    "account_deactivated",
    "order_created",
    "order_assigned",
    "order_checked_in",
    "order_completed",
    "order_failed",
    "order_cancelled",
    "order_reopened",
    "worker_profile_edited",
    "worker_suspended",
    "worker_reinstated",
    "worker_hours_set",
    "time_off_added",
    "time_off_removed",
    "service_type_retired",
    // Quality's verdicts move a worker's rating, which the rating step scores.
    "review_recorded",
];

/// How far back held orders and time off are read: an order that started this long before the
/// earliest open one can still overlap it.
const LOOK_BACK_DAYS: i64 = 2;

/// Finds every eligible (order, worker) pair of the open orders (or of one order, for `explain`):
/// every skill at its level, the order's zone or a configured neighbour, and the time rules
/// ([`time::clashes`]: hours, time off, the daily maximum, no overlap with an order held).
/// Open orders whose time has passed by `now` are not matched: they are left open for the client
/// to copy to a new time.
pub fn prepare(
    tx: &mut (impl MatchingTx + ?Sized),
    settings: &Settings,
    only: Option<OrderId>,
    now: DateTime<Utc>,
) -> Result<Batch> {
    let snapshot = tx.last_event_of(RELEVANT_EVENTS)?;
    let mut orders = match only {
        None => tx.open_match_orders()?,
        Some(id) => {
            let o = tx.match_order(id)?.ok_or_else(|| Error::not_found(format!("no order #{id}")))?;
            vec![o]
        }
    };
    orders.sort_by_key(|o| (o.scheduled_at, o.order));
    let (orders, past): (Vec<MatchOrder>, Vec<MatchOrder>) =
        if only.is_some() { (orders, Vec::new()) } else { orders.into_iter().partition(|o| o.scheduled_at > now) };
    let mut workers = tx.worker_profiles(&WorkerFilter { status: Some(WorkerStatus::Active), ..Default::default() })?;
    // An order being explained does not count in its own worker's load (the load step's score).
    if let Some(o) = orders.first().filter(|_| only.is_some())
        && let Some(w) = o.worker
        && matches!(o.status, OrderStatus::Assigned | OrderStatus::Active)
        && let Some(p) = workers.iter_mut().find(|p| p.worker == w)
    {
        p.load = p.load.saturating_sub(1);
    }
    let index: HashMap<AccountId, usize> = workers.iter().enumerate().map(|(i, w)| (w.worker, i)).collect();
    let since = orders.first().map_or(now, |o| o.scheduled_at.min(now)) - chrono::Duration::days(LOOK_BACK_DAYS);
    let mut hours = vec![settings.time.default_hours.clone(); workers.len()];
    for (w, h) in tx.all_worker_hours()? {
        if let Some(&i) = index.get(&w) {
            hours[i] = h;
        }
    }
    let mut time_off = vec![Vec::new(); workers.len()];
    for t in tx.time_off_since(since)? {
        if let Some(&i) = index.get(&t.worker) {
            time_off[i].push(t);
        }
    }
    let mut held = vec![Vec::new(); workers.len()];
    for (w, slot) in tx.held_slots_since(since)? {
        if let Some(&i) = index.get(&w) {
            held[i].push(slot);
        }
    }
    let history = tx.outcomes()?.into_iter().map(|o| ((o.worker, o.client), (o.completed, o.failed))).collect();
    let mut batch = Batch {
        snapshot,
        past: past
            .into_iter()
            .map(|o| LeftOpen {
                order: o.order,
                reason: format!(
                    "its time ({} UTC) has passed; the client may copy it",
                    o.scheduled_at.format("%Y-%m-%d %H:%M")
                ),
            })
            .collect(),
        orders,
        workers,
        pairs: Vec::new(),
        relaxation: Vec::new(),
        nobody: BTreeMap::new(),
        steps: settings.steps.clone(),
        scores: Vec::new(),
        time: settings.time.clone(),
        hours,
        time_off,
        held,
        unavailable: Vec::new(),
        history,
    };
    let unavailable = batch.find_candidates(settings, only.is_some());
    // Name the workers the time rules kept out, for the reasons of orders nobody can take.
    for (oi, list) in unavailable {
        let total = list.len();
        let mut said = Vec::new();
        for (wi, reasons) in list.iter().take(3) {
            said.push(format!("{} {}", who(tx, batch.workers[*wi].worker)?, reasons.join(", ")));
        }
        if total > 3 {
            said.push(format!("and {} more", total - 3));
        }
        let why = format!("all {total} qualified worker(s) are unavailable then: {}", said.join("; "));
        batch.nobody.insert(oi, why);
    }
    batch.score_built_in();
    Ok(batch)
}

impl Batch {
    /// The calendar of worker `wi`: hours, time off, orders held.
    fn calendar(&self, wi: usize) -> Calendar<'_> {
        Calendar {
            hours: &self.hours[wi],
            time_off: &self.time_off[wi],
            held: &self.held[wi],
            capacity: self.workers[wi].capacity,
        }
    }

    /// Fills `pairs`, `relaxation` and `nobody`; returns, per order without candidates for time
    /// reasons only, the workers the time rules kept out with their reasons. With `explaining`,
    /// keeps every such worker in `unavailable`.
    #[allow(clippy::type_complexity)]
    fn find_candidates(&mut self, settings: &Settings, explaining: bool) -> Vec<(usize, Vec<(usize, Vec<String>)>)> {
        // Index: (zone, skill) → workers, and zone → all of them.
        let mut by_zone: HashMap<&Zone, Vec<usize>> = HashMap::new();
        let mut by_zone_skill: HashMap<(&Zone, &Skill), Vec<usize>> = HashMap::new();
        for (i, w) in self.workers.iter().enumerate() {
            by_zone.entry(&w.zone).or_default().push(i);
            for (skill, _) in w.skills.iter() {
                by_zone_skill.entry((&w.zone, skill)).or_default().push(i);
            }
        }
        let eligible = |o: &MatchOrder, zone: &Zone| -> Vec<usize> {
            let pool = o
                .skills
                .iter()
                .map(|(s, _)| by_zone_skill.get(&(zone, s)).map_or(&[][..], Vec::as_slice))
                .min_by_key(|l| l.len())
                .unwrap_or_else(|| by_zone.get(zone).map_or(&[][..], Vec::as_slice));
            pool.iter().copied().filter(|&i| qualified(&self.workers[i].skills, &o.skills)).collect()
        };
        // Workers sharing weekly hours (most follow the company's default) share one answer of
        // "within hours?" per order: each distinct pattern gets a number.
        let mut pattern_of: HashMap<String, usize> = HashMap::new();
        let pattern: Vec<usize> = self
            .hours
            .iter()
            .map(|h| {
                if *h == settings.time.default_hours {
                    return 0;
                }
                let next = pattern_of.len() + 1;
                *pattern_of.entry(h.to_string()).or_insert(next)
            })
            .collect();
        let mut within: HashMap<usize, std::result::Result<(), crate::settings::hours::OffHours>> = HashMap::new();
        let mut pairs = Vec::new();
        let mut relaxation = Vec::with_capacity(self.orders.len());
        let mut nobody = BTreeMap::new();
        let mut kept_out = Vec::new();
        let mut unavailable = Vec::new();
        for (oi, o) in self.orders.iter().enumerate() {
            // In-zone and neighbouring-zone workers are candidates together: the solver prefers
            // in-zone ones at equal service (a relaxed pair costs more than any in-zone pair).
            let mut qualified: Vec<(usize, bool)> = eligible(o, &o.zone).into_iter().map(|w| (w, false)).collect();
            let mut neighbours = Vec::new();
            for zone in settings.neighbours.get(&o.zone).into_iter().flatten() {
                let more = eligible(o, zone);
                if !more.is_empty() {
                    neighbours.push(zone.as_str());
                }
                qualified.extend(more.into_iter().map(|w| (w, true)));
            }
            let slot = o.slot();
            let mut found = Vec::new();
            let mut out = Vec::new();
            within.clear();
            for (wi, relaxed) in qualified {
                let hours = *within
                    .entry(pattern[wi])
                    .or_insert_with(|| time::within_hours(&self.time, &self.hours[wi], &slot));
                let clashes = time::clashes_within(&self.time, &self.calendar(wi), &slot, hours);
                if clashes.is_empty() {
                    found.push((wi, relaxed));
                } else {
                    out.push((wi, clashes.iter().map(|c| c.describe(&self.time)).collect::<Vec<_>>()));
                }
            }
            if explaining {
                unavailable.extend(out.iter().map(|(wi, reasons)| Unavailable {
                    worker: self.workers[*wi].worker,
                    zone: self.workers[*wi].zone.clone(),
                    reasons: reasons.clone(),
                }));
            }
            let relaxed_used = found.iter().any(|(_, r)| *r);
            relaxation.push(relaxed_used.then(|| format!("neighbouring zone {}", neighbours.join(", "))));
            if found.is_empty() {
                if out.is_empty() {
                    let mut why = self.why_nobody(o);
                    if let Some(zones) = settings.neighbours.get(&o.zone).filter(|z| !z.is_empty()) {
                        let names: Vec<&str> = zones.iter().map(Zone::as_str).collect();
                        why.push_str(&format!("; nor can anyone in the neighbouring {}", names.join(", ")));
                    }
                    nobody.insert(oi, why);
                } else {
                    out.sort_unstable_by_key(|(wi, _)| self.workers[*wi].worker);
                    kept_out.push((oi, out));
                }
            }
            found.sort_unstable_by_key(|&(wi, _)| self.workers[wi].worker);
            pairs.extend(found.into_iter().map(|(w, relaxed)| Pair { order: oi, worker: w, relaxed }));
        }
        self.pairs = pairs;
        self.relaxation = relaxation;
        self.nobody = nobody;
        self.unavailable = unavailable;
        kept_out
    }

    /// Why no worker can take an order, in the order the rules apply.
    fn why_nobody(&self, o: &MatchOrder) -> String {
        let in_zone: Vec<&WorkerProfile> = self.workers.iter().filter(|w| w.zone == o.zone).collect();
        if in_zone.is_empty() {
            return format!("no active worker in zone {}", o.zone);
        }
        format!("none of the {} active workers in {} has {}", in_zone.len(), o.zone, o.skills)
    }

    fn score_built_in(&mut self) {
        self.scores = vec![Vec::new(); self.steps.len()];
        for (si, step) in self.steps.iter().enumerate() {
            if step.kind == StepKind::External {
                continue;
            }
            let scores = self
                .pairs
                .iter()
                .map(|p| {
                    let o = &self.orders[p.order];
                    let w = &self.workers[p.worker];
                    let history = self.history.get(&(w.worker, o.client)).copied().unwrap_or((0, 0));
                    steps::built_in(step.kind, o, w, history)
                })
                .collect();
            self.scores[si] = scores;
        }
    }

    /// Stores an external step's answer, checking it has one score in [0, 1] per pair.
    pub fn set_scores(&mut self, step: usize, scores: Vec<f64>) -> Result<()> {
        let name = &self.steps[step].name;
        if scores.len() != self.pairs.len() {
            return Err(Error::bad_input(format!(
                "matching step `{name}` answered {} scores for {} pairs; nothing was assigned",
                scores.len(),
                self.pairs.len()
            )));
        }
        if let Some((i, bad)) = scores.iter().enumerate().find(|(_, s)| !(0.0..=1.0).contains(*s)) {
            return Err(Error::bad_input(format!(
                "matching step `{name}` scored pair {i} {bad}: scores must be from 0 to 1; nothing was assigned"
            )));
        }
        self.scores[step] = scores;
        Ok(())
    }

    /// The weighted total score of pair `i` (higher is better).
    pub fn total(&self, i: usize) -> f64 {
        self.steps.iter().zip(&self.scores).map(|(s, sc)| s.weight * sc.get(i).copied().unwrap_or(0.0)).sum()
    }

    fn max_total(&self) -> f64 {
        self.steps.iter().map(|s| s.weight).sum()
    }

    /// The score a pair can miss at most, in thousandths, plus one: more than any difference of
    /// two pairs' scores.
    fn score_range(&self) -> i64 {
        (self.max_total() * 1000.0).ceil() as i64 + 1
    }

    /// The solver's cost of pair `i`: the score it misses, in thousandths (whole numbers, so the
    /// optimum is exact); a neighbouring-zone pair costs a whole [`Batch::score_range`] more, so
    /// any in-zone pair beats it at equal service.
    pub fn cost(&self, i: usize) -> i64 {
        let missed = ((self.max_total() - self.total(i)) * 1000.0).round().max(0.0) as i64;
        if self.pairs[i].relaxed { missed + self.score_range() } else { missed }
    }

    /// The company's day each order starts on.
    fn days(&self) -> Vec<NaiveDate> {
        self.orders.iter().map(|o| self.time.day(o.scheduled_at)).collect()
    }

    /// How many more orders worker `wi` may take on `day` (daily maximum less orders held).
    fn room(&self, wi: usize, day: NaiveDate) -> u32 {
        let held = self.held[wi].iter().filter(|h| self.time.day(h.start) == day).count();
        self.workers[wi].capacity.saturating_sub(held as u32)
    }
}

/// Whether `have` meets every `need` at its level.
pub fn qualified(have: &SkillSet, need: &SkillSet) -> bool {
    need.iter().all(|(s, lvl)| have.level(s).is_some_and(|l| l >= *lvl))
}

/// A cycle's decision: for each order of the batch, the chosen pair (index into `pairs`).
#[derive(Debug, Clone)]
pub struct Decision {
    pub chosen: Vec<Option<usize>>,
    /// How many times the flow was solved (1 when no worker got two overlapping orders).
    pub rounds: usize,
}

/// The cost of leaving each order of the batch open.
///
/// Leaving order `r` (0 = earliest) of `n` open costs `A + D·(n − r)`: `D` exceeds any possible
/// difference in pair costs, so serving earlier orders beats any saving in cost, and `A` exceeds any
/// possible difference in those date terms, so serving one more order beats everything else.
pub fn open_costs(batch: &Batch) -> Result<Vec<i64>> {
    let n = batch.orders.len() as i64;
    // The largest pair cost: a whole score missed, on a relaxed pair.
    let max_cost = 2 * batch.score_range();
    let overflow = || Error::internal("the batch is too large to weigh without overflow");
    let d = max_cost.checked_mul(n + 1).ok_or_else(overflow)?;
    let a = d.checked_mul(n + 2).ok_or_else(overflow)?;
    // The largest total must fit too: every order open at its largest cost.
    a.checked_add(d.checked_mul(n + 1).ok_or_else(overflow)?)
        .and_then(|m| m.checked_mul(n.max(1)))
        .ok_or_else(overflow)?;
    Ok((0..n).map(|r| a + d * (n - r)).collect())
}

/// The most times [`plan`] solves the flow again after taking pairs out.
pub const MAX_ROUNDS: usize = 12;

/// Solves the batch: the most orders served (earlier orders first), then the least total cost,
/// with no worker holding two orders whose times overlap.
///
/// The method (docs/matching.md, "Time"): a min-cost flow where each worker is split into one
/// node per day, holding their room that day (daily maximum less orders held): that is exact when
/// no two orders sharing a candidate overlap in time. When the flow gives a worker overlapping
/// orders, the repair keeps the earliest of them (the order the objective ranks first) and takes
/// that worker out of the others' candidates, and the flow is solved again, at most
/// [`MAX_ROUNDS`] times. Then every order still open gets, earliest first, its cheapest candidate
/// still free then (so a second cycle with nothing changed finds nothing to assign); if the repair
/// took pairs out, a local search ([`Improve`]) moves orders between workers while that makes the
/// plan better by the same objective (measured against an exact MIP optimum in BENCHMARKS.md,
/// "Matching in time"). Last, the
/// whole plan is checked against every time rule: a plan that broke one would be an internal
/// error, never recorded.
pub fn plan(batch: &Batch) -> Result<Decision> {
    plan_with(batch, true)
}

/// [`plan`], with or without the local search (the tests compare both).
fn plan_with(batch: &Batch, improve: bool) -> Result<Decision> {
    plan_with_effort(batch, if improve { IMPROVE_EFFORT } else { 0 }).map(|(decision, _)| decision)
}

/// [`plan`] with the local search allowed `effort` candidate pairs (0: none); also returns how many
/// it examined.
fn plan_with_effort(batch: &Batch, effort: usize) -> Result<(Decision, usize)> {
    let open = open_costs(batch)?;
    let DayNodes { pair_node, room } = day_nodes(batch);
    let mut starts = Vec::with_capacity(batch.orders.len() + 1);
    let mut first = 0;
    for oi in 0..batch.orders.len() {
        starts.push(first);
        first += batch.pairs[first..].iter().take_while(|p| p.order == oi).count();
    }
    starts.push(first);
    let costs: Vec<i64> = (0..batch.pairs.len()).map(|i| batch.cost(i)).collect();
    let mut allowed = vec![true; batch.pairs.len()];
    let mut rounds = 0;
    let chosen = loop {
        rounds += 1;
        let mut graph = solver::Graph::new(room.clone());
        for (oi, open_cost) in open.iter().enumerate() {
            graph.add_order(
                *open_cost,
                (starts[oi]..starts[oi + 1]).filter(|&i| allowed[i]).map(|i| (pair_node[i], costs[i])),
            );
        }
        let solved = solver::solve(&graph);
        let mut chosen: Vec<Option<usize>> = solved
            .worker
            .iter()
            .enumerate()
            .map(|(oi, node)| {
                node.and_then(|node| (starts[oi]..starts[oi + 1]).find(|&i| allowed[i] && pair_node[i] == node))
            })
            .collect();
        let dropped = keep_apart(batch, &mut chosen);
        if dropped.is_empty() || rounds >= MAX_ROUNDS {
            break chosen;
        }
        for i in dropped {
            allowed[i] = false;
        }
    };
    let mut decision = Decision { chosen, rounds };
    fill(batch, &mut decision.chosen, &starts, &costs, &pair_node, &room);
    let mut examined = 0;
    if effort > 0 && rounds > 1 {
        // The repair took pairs out: the plan may be improved by moving orders between workers.
        examined =
            Improve::new(batch, &decision.chosen, &starts, &costs, &pair_node, &room, effort).run(&mut decision.chosen);
    }
    verify(batch, &decision)?;
    Ok((decision, examined))
}

/// The flow's worker-day nodes: each pair's node (its worker on its order's day) and each node's
/// room (the worker's daily maximum less the orders they hold that day). What [`plan`] solves, and
/// what the benchmark gives an independent solver.
#[derive(Debug, Clone)]
pub struct DayNodes {
    /// Per pair (index into [`Batch::pairs`]): its node.
    pub pair_node: Vec<usize>,
    /// Per node: how many more orders it may take.
    pub room: Vec<u32>,
}

/// The worker-day nodes of a batch, numbered in the order pairs first meet them.
pub fn day_nodes(batch: &Batch) -> DayNodes {
    let days = batch.days();
    // Per worker, the nodes of the days met so far: a worker's candidate orders fall on a few
    // days, so a short list beats hashing every pair (a tenth of the plan on 333,000 pairs).
    let mut nodes_of: Vec<Vec<(NaiveDate, usize)>> = vec![Vec::new(); batch.workers.len()];
    let mut room: Vec<u32> = Vec::new();
    let pair_node = batch
        .pairs
        .iter()
        .map(|p| {
            let day = days[p.order];
            let nodes = &mut nodes_of[p.worker];
            if let Some(&(_, node)) = nodes.iter().find(|(d, _)| *d == day) {
                return node;
            }
            room.push(batch.room(p.worker, day));
            nodes.push((day, room.len() - 1));
            room.len() - 1
        })
        .collect();
    DayNodes { pair_node, room }
}

/// Takes out of `chosen` every order that overlaps (with buffer and travel) an earlier-ranked
/// order of the same worker; returns the pairs taken out.
fn keep_apart(batch: &Batch, chosen: &mut [Option<usize>]) -> Vec<usize> {
    let mut by_worker: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for (oi, c) in chosen.iter().enumerate() {
        if let Some(pi) = c {
            by_worker.entry(batch.pairs[*pi].worker).or_default().push((oi, *pi));
        }
    }
    let mut dropped = Vec::new();
    for (_, mut list) in by_worker {
        if list.len() < 2 {
            continue;
        }
        list.sort_unstable();
        let mut kept: Vec<Slot> = Vec::new();
        for (oi, pi) in list {
            let slot = batch.orders[oi].slot();
            if kept.iter().all(|k| batch.time.apart(k, &slot)) {
                kept.push(slot);
            } else {
                chosen[oi] = None;
                dropped.push(pi);
            }
        }
    }
    dropped.sort_unstable();
    dropped
}

/// Gives each order still open, earliest first, its cheapest candidate with room that day and no
/// overlap with what the plan gave them.
fn fill(
    batch: &Batch,
    chosen: &mut [Option<usize>],
    starts: &[usize],
    costs: &[i64],
    pair_node: &[usize],
    room: &[u32],
) {
    let mut used = vec![0u32; room.len()];
    let mut slots: HashMap<usize, Vec<Slot>> = HashMap::new();
    for (oi, c) in chosen.iter().enumerate() {
        if let Some(pi) = c {
            used[pair_node[*pi]] += 1;
            slots.entry(batch.pairs[*pi].worker).or_default().push(batch.orders[oi].slot());
        }
    }
    for oi in 0..chosen.len() {
        if chosen[oi].is_some() {
            continue;
        }
        let slot = batch.orders[oi].slot();
        let mut options: Vec<usize> = (starts[oi]..starts[oi + 1]).collect();
        options.sort_by_key(|&i| (costs[i], batch.workers[batch.pairs[i].worker].worker));
        let pick = options.into_iter().find(|&i| {
            used[pair_node[i]] < room[pair_node[i]]
                && slots.get(&batch.pairs[i].worker).is_none_or(|s| s.iter().all(|k| batch.time.apart(k, &slot)))
        });
        if let Some(i) = pick {
            used[pair_node[i]] += 1;
            slots.entry(batch.pairs[i].worker).or_default().push(slot);
            chosen[oi] = Some(i);
        }
    }
}

/// How deep [`Improve`] follows a chain of orders moved to make room (each link moves one order to
/// another of its candidates).
const CHAIN_DEPTH: usize = 3;

/// The most candidate pairs [`Improve`] examines in one cycle (each: is this worker free for this
/// order then, or is one order of theirs all that stands in the way). Past it the search stops
/// and the plan stays as improved so far: every move already made kept it valid and made it
/// better, and the plan is checked as always. Each examination reads one worker's orders in the
/// plan (a handful), so the bound is one on work, whatever the batch; on the benchmark's week
/// companies it does not bind (their plans are the same with and without it: BENCHMARKS.md,
/// "The timeless tight graph beside SciPy, third session").
pub const IMPROVE_EFFORT: usize = 2_000_000;

/// The local search after the repair (docs/matching.md, "Time"): moves that make the plan better
/// by the cycle's own objective, each kept only if it does, so it ends.
///
/// 1. An open order takes a candidate worker whose only clash (an overlapping order, or the one
///    that fills their day) is moved on to another of its own candidates, and so on up to
///    [`CHAIN_DEPTH`] links: one more order served.
/// 2. An open order takes a worker from a *later* order that clashes with it alone, and that later
///    order stays open: as many served, an earlier one first.
/// 3. An assigned order moves to a cheaper candidate who is free then (or whose only clash moves
///    on, the chain costing less in all): the same orders, a better score.
///
/// Bounded work: at most 8 passes over the orders, and at most `effort` candidate pairs examined
/// in all ([`IMPROVE_EFFORT`] in a cycle); when the effort runs out mid-move, that move is undone
/// and the search stops.
struct Improve<'a> {
    batch: &'a Batch,
    starts: &'a [usize],
    costs: &'a [i64],
    pair_node: &'a [usize],
    room: &'a [u32],
    /// Per order: its start and when its worker is free again (buffer included), in microseconds
    /// since the epoch, and its zone's index into `travel`'s rows.
    times: Vec<(i64, i64, usize)>,
    /// Travel microseconds from zone to zone (row by row; the batch's zones).
    travel: Vec<i64>,
    /// How many zones `travel` has rows for.
    zones: usize,
    /// Per worker (index), the orders of the plan they hold.
    holds: Vec<Vec<usize>>,
    /// Per worker-day node, the orders of the plan on it.
    used: Vec<u32>,
    chosen: Vec<Option<usize>>,
    /// How many more candidate pairs the search may examine.
    effort: usize,
    /// How many it has examined.
    examined: usize,
    /// Per worker, their pairs (indexes into the batch's pairs, by order).
    pairs_of: Vec<Vec<usize>>,
    /// Every change to the plan, with what the order had before: what a move that turns out no
    /// better is undone by.
    log: Vec<(usize, Option<usize>)>,
    /// In the first phase only moves that serve more orders are kept.
    more_only: bool,
}

impl<'a> Improve<'a> {
    fn new(
        batch: &'a Batch,
        chosen: &[Option<usize>],
        starts: &'a [usize],
        costs: &'a [i64],
        pair_node: &'a [usize],
        room: &'a [u32],
        effort: usize,
    ) -> Self {
        let slots: Vec<Slot> = batch.orders.iter().map(MatchOrder::slot).collect();
        let mut zones: Vec<&Zone> = slots.iter().map(|s| &s.zone).collect();
        zones.sort_unstable();
        zones.dedup();
        let n = zones.len();
        let mut travel = vec![0i64; n * n];
        for (i, a) in zones.iter().enumerate() {
            for (j, b) in zones.iter().enumerate() {
                travel[i * n + j] = i64::from(batch.time.travel.between(a, b)) * 60_000_000;
            }
        }
        let times = slots
            .iter()
            .map(|s| {
                let zone = zones.binary_search(&&s.zone).expect("every order's zone is listed");
                (s.start.timestamp_micros(), s.end.timestamp_micros(), zone)
            })
            .collect();
        let zones = n;
        let mut this = Improve {
            batch,
            starts,
            costs,
            pair_node,
            room,
            times,
            travel,
            zones,
            holds: vec![Vec::new(); batch.workers.len()],
            used: vec![0; room.len()],
            chosen: vec![None; chosen.len()],
            effort,
            examined: 0,
            pairs_of: vec![Vec::new(); batch.workers.len()],
            log: Vec::new(),
            more_only: false,
        };
        for (pi, p) in batch.pairs.iter().enumerate() {
            this.pairs_of[p.worker].push(pi);
        }
        for (oi, c) in chosen.iter().enumerate() {
            if let Some(pi) = c {
                this.assign(oi, *pi);
            }
        }
        this
    }

    fn assign(&mut self, oi: usize, pi: usize) {
        self.log.push((oi, self.chosen[oi]));
        self.put(oi, pi);
    }

    fn unassign(&mut self, oi: usize) -> Option<usize> {
        self.log.push((oi, self.chosen[oi]));
        self.take(oi)
    }

    fn put(&mut self, oi: usize, pi: usize) {
        self.chosen[oi] = Some(pi);
        self.used[self.pair_node[pi]] += 1;
        self.holds[self.batch.pairs[pi].worker].push(oi);
    }

    fn take(&mut self, oi: usize) -> Option<usize> {
        let pi = self.chosen[oi].take()?;
        self.used[self.pair_node[pi]] -= 1;
        self.holds[self.batch.pairs[pi].worker].retain(|&o| o != oi);
        Some(pi)
    }

    /// [`TimeRules::apart`] for orders `a` and `b` of the batch, on the times and travel computed
    /// once (the local search asks millions of times).
    fn apart(&self, a: usize, b: usize) -> bool {
        let (a_start, a_end, a_zone) = self.times[a];
        let (b_start, b_end, b_zone) = self.times[b];
        let n = self.zones;
        (a_end <= b_start && a_end + self.travel[a_zone * n + b_zone] <= b_start)
            || (b_end <= a_start && b_end + self.travel[b_zone * n + a_zone] <= a_start)
    }

    /// Undoes every change made since the log was `mark` long.
    fn rollback(&mut self, mark: usize) {
        while self.log.len() > mark {
            let (oi, before) = self.log.pop().expect("the log is longer than the mark");
            self.take(oi);
            if let Some(pi) = before {
                self.put(oi, pi);
            }
        }
    }

    /// Whether the plan now is better than it was when the log was `mark` long, by the cycle's
    /// objective (docs/matching.md, "Time"): more orders served; or as many, with the earliest
    /// order whose state changed now served (earlier orders first) and the flow's weighing of
    /// ranks ([`open_costs`]: Σ(n − rank) over the orders served) and then the cost no worse;
    /// or the same orders, cheaper. So a kept move is better both order by order and by the
    /// total [`plan_total`] counts.
    fn better_since(&self, mark: usize) -> bool {
        let mut before: HashMap<usize, Option<usize>> = HashMap::new();
        for &(oi, was) in &self.log[mark..] {
            before.entry(oi).or_insert(was);
        }
        let (mut gained, mut lost) = (0usize, 0usize);
        let mut earliest: Option<(usize, bool)> = None;
        // Σ rank of the orders no longer served less Σ rank of those now served: how much the
        // flow's weighing of ranks gains.
        let mut rank_gain = 0i64;
        let mut saving = 0i64;
        for (&oi, was) in &before {
            let now = self.chosen[oi];
            if was.is_some() != now.is_some() {
                if now.is_some() {
                    gained += 1;
                    rank_gain -= oi as i64;
                } else {
                    lost += 1;
                    rank_gain += oi as i64;
                }
                if earliest.is_none_or(|(e, _)| oi < e) {
                    earliest = Some((oi, now.is_some()));
                }
            }
            saving += was.map_or(0, |pi| self.costs[pi]) - now.map_or(0, |pi| self.costs[pi]);
        }
        if self.more_only {
            return gained > lost;
        }
        match gained.cmp(&lost) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => match earliest {
                Some((_, served)) => served && (rank_gain > 0 || (rank_gain == 0 && saving >= 0)),
                None => saving > 0,
            },
        }
    }

    /// What stands between order `oi` and pair `pi`: `None` if nothing can be cleared by moving
    /// one order; otherwise the orders of the plan any one of which, moved away, clears it: none
    /// (the worker is free then, with room that day), the one order that overlaps (when it is on
    /// the same day or the day has room), or, with no overlap and the day full, each order of that
    /// day, latest first (the one the objective would rather leave open if it finds no other place).
    fn blockers(&self, oi: usize, pi: usize) -> Option<Vec<usize>> {
        let w = self.batch.pairs[pi].worker;
        let node = self.pair_node[pi];
        let full = self.used[node] >= self.room[node];
        let on_node = |o: usize| self.chosen[o].is_some_and(|cp| self.pair_node[cp] == node);
        let mut clash = None;
        for &other in &self.holds[w] {
            if other != oi && !self.apart(other, oi) {
                if clash.is_some() {
                    return None;
                }
                clash = Some(other);
            }
        }
        match clash {
            None if !full => Some(Vec::new()),
            // The day is full: moving an order of that day (the clash, or one chosen here) frees it.
            Some(c) if !full || on_node(c) => Some(vec![c]),
            None => {
                let mut day: Vec<usize> = self.holds[w].iter().copied().filter(|&o| o != oi && on_node(o)).collect();
                day.sort_unstable_by(|a, b| b.cmp(a));
                (!day.is_empty()).then_some(day)
            }
            Some(_) => None,
        }
    }

    /// Order `oi`'s candidate pairs, cheapest first (then by worker id): the order moves are tried in.
    /// Takes one examination from the effort left; `false` when none is left.
    fn spend(&mut self) -> bool {
        if self.effort == 0 {
            return false;
        }
        self.effort -= 1;
        self.examined += 1;
        true
    }

    fn options(&self, oi: usize) -> Vec<usize> {
        let mut options: Vec<usize> = (self.starts[oi]..self.starts[oi + 1]).collect();
        options.sort_by_key(|&i| (self.costs[i], self.batch.workers[self.batch.pairs[i].worker].worker));
        options
    }

    /// Places order `oi` (not in the plan now) on one of its pairs other than `except`, moving at
    /// most `depth` more orders along, each to another of its own pairs, with the chain's cost
    /// change at most `budget`. With `drop_after` = `Some(r)`, an order in the way that is ranked
    /// after `r` (later) and finds no place may be left open instead. Returns the cost change
    /// (of the orders placed), or `None` (the plan as it was).
    fn place(
        &mut self,
        oi: usize,
        depth: usize,
        budget: i64,
        except: Option<usize>,
        moving: &mut Vec<usize>,
        drop_after: Option<usize>,
    ) -> Option<i64> {
        for pi in self.options(oi) {
            if Some(pi) == except || self.costs[pi] > budget {
                continue;
            }
            if !self.spend() {
                return None;
            }
            let Some(blockers) = self.blockers(oi, pi) else { continue };
            if blockers.is_empty() {
                self.assign(oi, pi);
                return Some(self.costs[pi]);
            }
            for c in blockers {
                if moving.contains(&c) || !(depth > 0 || drop_after.is_some_and(|r| c > r)) {
                    continue;
                }
                let old = self.unassign(c).expect("a blocker is in the plan");
                self.assign(oi, pi);
                moving.push(c);
                let rest = budget.saturating_sub(self.costs[pi]).saturating_add(self.costs[old]);
                if depth > 0
                    && let Some(delta) = self.place(c, depth - 1, rest, Some(old), moving, drop_after)
                {
                    moving.pop();
                    return Some(self.costs[pi] - self.costs[old] + delta);
                }
                moving.pop();
                if drop_after.is_some_and(|r| c > r) {
                    // `c` stays open: a later order gives way.
                    return Some(self.costs[pi] - self.costs[old]);
                }
                self.unassign(oi);
                self.assign(c, old);
                if self.effort == 0 {
                    return None;
                }
            }
        }
        None
    }

    /// Move 4 for open order `oi`: for each of its pairs with one order `c` in the way, `c` leaves,
    /// `oi` takes the pair, every other open order with a pair on that worker is placed if it can be
    /// (earliest first, each moving at most one order along), and `c` is placed elsewhere if it can
    /// be; kept only if the plan is better for it ([`Improve::better_since`]), e.g. one order out
    /// and two in. Returns whether it was kept.
    fn make_room(&mut self, oi: usize) -> bool {
        for pi in self.options(oi) {
            if !self.spend() {
                return false;
            }
            let tries = match self.blockers(oi, pi) {
                Some(one_of) => one_of.into_iter().map(|c| vec![c]).collect(),
                // More than one order in the way: all of them leave.
                None => vec![self.in_the_way(oi, pi)],
            };
            for out in tries {
                if self.make_room_with(oi, pi, &out) {
                    return true;
                }
                if self.effort == 0 {
                    return false;
                }
            }
        }
        false
    }

    /// Every order of the plan in the way of order `oi` on pair `pi`: those that overlap it, and,
    /// if the day is still full without them, the latest other order of that day.
    fn in_the_way(&self, oi: usize, pi: usize) -> Vec<usize> {
        let w = self.batch.pairs[pi].worker;
        let node = self.pair_node[pi];
        let held = &self.holds[w];
        let on_node = |o: usize| self.chosen[o].is_some_and(|cp| self.pair_node[cp] == node);
        let mut out: Vec<usize> = held.iter().copied().filter(|&o| o != oi && !self.apart(o, oi)).collect();
        let left = self.used[node] - out.iter().filter(|&&o| on_node(o)).count() as u32;
        if left >= self.room[node]
            && let Some(latest) = held.iter().copied().filter(|&o| o != oi && on_node(o) && !out.contains(&o)).max()
        {
            out.push(latest);
        }
        out
    }

    /// One try of move 4: the orders `out` leave, `oi` takes pair `pi`, the rest as
    /// [`Improve::make_room`] says.
    fn make_room_with(&mut self, oi: usize, pi: usize, out: &[usize]) -> bool {
        let mark = self.log.len();
        let old: Vec<usize> =
            out.iter().map(|&c| self.unassign(c).expect("an order in the way is in the plan")).collect();
        self.assign(oi, pi);
        let w = self.batch.pairs[pi].worker;
        let waiting: Vec<usize> = self.pairs_of[w]
            .iter()
            .map(|&pj| self.batch.pairs[pj].order)
            .filter(|&oj| oj != oi && !out.contains(&oj) && self.chosen[oj].is_none())
            .collect();
        for oj in waiting {
            if self.chosen[oj].is_none() && self.effort > 0 {
                self.place(oj, 1, i64::MAX, None, &mut vec![oj, oi], None);
            }
        }
        for (&c, &was) in out.iter().zip(&old) {
            if self.effort > 0 {
                self.place(c, CHAIN_DEPTH - 1, i64::MAX, Some(was), &mut vec![c, oi], None);
            }
        }
        if self.effort > 0 && self.better_since(mark) {
            return true;
        }
        self.rollback(mark);
        false
    }

    /// Improves the plan in `chosen`; returns how many candidate pairs it examined.
    fn run(mut self, chosen: &mut [Option<usize>]) -> usize {
        // Each pass changes the plan only for the better (more served; as many, earlier; as
        // many as early, cheaper), so the passes end; a bound keeps the time bounded too. The
        // first phase serves more orders only, before any move trades one order for another.
        for more_only in [true, false] {
            self.more_only = more_only;
            self.passes(more_only);
            if self.effort == 0 {
                break;
            }
        }
        chosen.copy_from_slice(&self.chosen);
        self.examined
    }

    /// Up to 8 passes over the orders, each trying every move (only those that serve more in the
    /// first phase), until a pass finds nothing or the effort runs out.
    fn passes(&mut self, more_only: bool) {
        for _ in 0..8 {
            let mut better = false;
            for oi in 0..self.chosen.len() {
                // No move is under way: what the log holds can no longer be undone.
                self.log.clear();
                if self.chosen[oi].is_none() {
                    // 1. One more order served.
                    if self.place(oi, CHAIN_DEPTH, i64::MAX, None, &mut vec![oi], None).is_some() {
                        better = true;
                        continue;
                    }
                    // 2. An earlier order served instead of a later one (the end of a chain).
                    let mark = self.log.len();
                    if !more_only && self.place(oi, CHAIN_DEPTH, i64::MAX, None, &mut vec![oi], Some(oi)).is_some() {
                        if self.better_since(mark) {
                            better = true;
                            continue;
                        }
                        self.rollback(mark);
                    }
                    // 4. Room made: an order in the way leaves, open orders take its time.
                    if self.make_room(oi) {
                        better = true;
                    }
                } else if let Some(pi) = self.chosen[oi]
                    && !more_only
                {
                    // 3. The same order, cheaper (nothing to try if it has its cheapest pair).
                    if (self.starts[oi]..self.starts[oi + 1]).all(|i| self.costs[i] >= self.costs[pi]) {
                        continue;
                    }
                    self.unassign(oi);
                    match self.place(oi, CHAIN_DEPTH - 1, self.costs[pi] - 1, Some(pi), &mut vec![oi], None) {
                        Some(_) => better = true,
                        None => self.assign(oi, pi),
                    }
                }
            }
            if !better || self.effort == 0 {
                break;
            }
        }
    }
}

/// Checks a decision against every time rule, from scratch: each chosen worker's hours, time
/// off, daily maximum and every pair of their orders (held and new). The guard before any plan
/// is recorded.
pub fn verify(batch: &Batch, decision: &Decision) -> Result<()> {
    let mut new: HashMap<usize, Vec<Slot>> = HashMap::new();
    for (oi, c) in decision.chosen.iter().enumerate() {
        if let Some(pi) = c {
            let p = batch.pairs.get(*pi).filter(|p| p.order == oi).ok_or_else(|| {
                Error::internal(format!("the plan gives order #{} a pair of another order", batch.orders[oi].order))
            })?;
            new.entry(p.worker).or_default().push(batch.orders[oi].slot());
        }
    }
    for (wi, slots) in new {
        let mut held = batch.held[wi].clone();
        held.extend(slots.iter().cloned());
        let calendar = Calendar { held: &held, ..batch.calendar(wi) };
        for slot in &slots {
            if let Some(c) = time::clashes(&batch.time, &calendar, slot).first() {
                return Err(Error::internal(format!(
                    "the plan would give order #{} to worker #{} who is {}; nothing was assigned",
                    slot.order,
                    batch.workers[wi].worker,
                    c.describe(&batch.time)
                )));
            }
        }
    }
    Ok(())
}

/// A decision's total cost (as the solver counts it) and how many orders it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanTotal {
    /// The sum of the chosen pairs' costs and the open costs of orders left open.
    pub cost: i64,
    /// Orders assigned.
    pub served: usize,
}

/// The total of a decision: what the benchmark compares with an independent solver.
pub fn plan_total(batch: &Batch, decision: &Decision) -> PlanTotal {
    let open = open_costs(batch).unwrap_or_default();
    let mut total = 0i64;
    let mut served = 0;
    for (oi, chosen) in decision.chosen.iter().enumerate() {
        match chosen {
            Some(pi) => {
                total += batch.cost(*pi);
                served += 1;
            }
            None => total += open.get(oi).copied().unwrap_or(0),
        }
    }
    PlanTotal { cost: total, served }
}

/// One order the cycle assigned.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub order: OrderId,
    pub worker: AccountId,
    pub price: Money,
    pub score: f64,
    pub relaxation: Option<String>,
}

/// One order the cycle left open, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOpen {
    pub order: OrderId,
    pub reason: String,
}

/// What a cycle did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub dry_run: bool,
    pub assigned: Vec<Assignment>,
    pub left_open: Vec<LeftOpen>,
}

/// The report of a decision, without recording anything.
pub fn report(
    tx: &mut (impl MatchingTx + ?Sized),
    batch: &Batch,
    decision: &Decision,
    pricing: &Pricing,
    dry_run: bool,
) -> Result<RunReport> {
    let mut assigned = Vec::new();
    let mut left_open = Vec::new();
    // Per worker (index), the orders this plan gives them (order indexes, earliest first).
    let mut planned: Vec<Vec<usize>> = vec![Vec::new(); batch.workers.len()];
    for (oi, chosen) in decision.chosen.iter().enumerate() {
        if let Some(pi) = chosen {
            planned[batch.pairs[*pi].worker].push(oi);
        }
    }
    for (oi, o) in batch.orders.iter().enumerate() {
        match decision.chosen[oi] {
            Some(pi) => {
                let st = tx
                    .service_type(&o.service_type)?
                    .ok_or_else(|| Error::internal(format!("service type `{}` vanished", o.service_type)))?;
                let w = &batch.workers[batch.pairs[pi].worker];
                assigned.push(Assignment {
                    order: o.order,
                    worker: w.worker,
                    price: pricing.price(&st, tx.total_paid(o.client)?),
                    score: (batch.total(pi) * 1000.0).round() / 1000.0,
                    // The relaxation the chosen worker needed: the zone they work in.
                    relaxation: batch.pairs[pi].relaxed.then(|| format!("neighbouring zone {}", w.zone)),
                });
            }
            None => {
                let reason = match batch.nobody.get(&oi) {
                    Some(reason) => reason.clone(),
                    None => booked_reason(tx, batch, &planned, oi)?,
                };
                left_open.push(LeftOpen { order: o.order, reason });
            }
        }
    }
    left_open.extend(batch.past.iter().cloned());
    Ok(RunReport { dry_run, assigned, left_open })
}

/// Why an order with candidates was left open, naming what the plan gave each candidate that day
/// in the company's time zone (at most three candidates, the orders each holds that day):
/// "its 2 candidates are booked by this plan: ann@… with #12 at 10:00; bob@… with #15 at 10:30".
/// A candidate the plan gave nothing that day was kept out by what they held before the run (their
/// day's maximum, or an order of theirs at that time).
fn booked_reason(
    tx: &mut (impl MatchingTx + ?Sized),
    batch: &Batch,
    planned: &[Vec<usize>],
    oi: usize,
) -> Result<String> {
    const SHOWN: usize = 3;
    let tz = batch.time.zone;
    let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let order = &batch.orders[oi];
    let first = batch.pairs.partition_point(|p| p.order < oi);
    let candidates: Vec<usize> = batch.pairs[first..].iter().take_while(|p| p.order == oi).map(|p| p.worker).collect();
    let mut parts = Vec::new();
    for &wi in candidates.iter().take(SHOWN) {
        let who = match tx.account(batch.workers[wi].worker)? {
            Some(a) => a.login.to_string(),
            None => format!("worker #{}", batch.workers[wi].worker),
        };
        let that_day: Vec<String> = planned[wi]
            .iter()
            .map(|&oj| &batch.orders[oj])
            .filter(|other| day(other.scheduled_at) == day(order.scheduled_at))
            .map(|other| format!("#{} at {}", other.order, other.scheduled_at.with_timezone(&tz).format("%H:%M")))
            .collect();
        parts.push(if that_day.is_empty() {
            format!("{who} by what they held before this run")
        } else {
            format!("{who} with {}", that_day.join(", "))
        });
    }
    let more = candidates.len().saturating_sub(SHOWN);
    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
    let n = candidates.len();
    Ok(format!(
        "its {n} candidate{} {} booked by this plan that day: {}{more}",
        if n == 1 { "" } else { "s" },
        if n == 1 { "is" } else { "are" },
        parts.join("; ")
    ))
}

/// What, recorded since the batch was read, the decision depends on: a change of the company's
/// rules, or of an order or worker the plan uses (its assigned orders and their workers). Orders
/// and workers the plan does not use wait for the next cycle. `None`: nothing it uses changed.
pub fn plan_touched(tx: &mut (impl MatchingTx + ?Sized), batch: &Batch, decision: &Decision) -> Result<Option<String>> {
    let mut orders = HashSet::new();
    let mut workers = HashSet::new();
    for (oi, c) in decision.chosen.iter().enumerate() {
        if let Some(pi) = c {
            orders.insert(batch.orders[oi].order);
            workers.insert(batch.workers[batch.pairs[*pi].worker].worker);
        }
    }
    let mut after = batch.snapshot;
    loop {
        let events = tx.events_after(after, 500)?;
        let Some(last) = events.last() else { return Ok(None) };
        after = last.seq;
        for e in &events {
            if !RELEVANT_EVENTS.contains(&e.type_name.as_str()) {
                continue;
            }
            if let Some(why) = touches(e, &orders, &workers)? {
                return Ok(Some(why));
            }
        }
    }
}

/// Whether one event changes an order or worker of the plan, or the rules: what changed.
fn touches(e: &RecordedEvent, orders: &HashSet<OrderId>, workers: &HashSet<AccountId>) -> Result<Option<String>> {
    let worker = |w: AccountId| workers.contains(&w).then(|| format!("worker #{w}"));
    let order = |o: OrderId| orders.contains(&o).then(|| format!("order #{o}"));
    if let Some(ev) = e.decode::<OrderingEvent>()? {
        return Ok(match ev {
            // New orders wait for the next cycle.
            OrderingEvent::OrderCreated { .. } => None,
            // A worker of the plan given an order meanwhile (by hand, or by another cycle).
            OrderingEvent::OrderAssigned { order: o, worker: w, .. } => order(o).or_else(|| worker(w)),
            OrderingEvent::OrderCheckedIn { order: o, .. }
            | OrderingEvent::OrderCompleted { order: o, .. }
            | OrderingEvent::OrderFailed { order: o, .. }
            | OrderingEvent::OrderCancelled { order: o, .. }
            | OrderingEvent::OrderReopened { order: o, .. } => order(o),
            // Service types: orders keep the skills and timing they were placed with.
            _ => None,
        });
    }
    if let Some(ev) = e.decode::<MatchingEvent>()? {
        return Ok(match ev {
            MatchingEvent::WorkerProfileEdited { worker: w, .. }
            | MatchingEvent::WorkerSuspended { worker: w, .. }
            | MatchingEvent::WorkerReinstated { worker: w }
            | MatchingEvent::WorkerHoursSet { worker: w, .. }
            | MatchingEvent::TimeOffAdded { worker: w, .. }
            | MatchingEvent::TimeOffRemoved { worker: w, .. }
            | MatchingEvent::WorkerRated { worker: w, .. } => worker(w),
            MatchingEvent::MatchingRan { .. } => None,
        });
    }
    if let Some(ev) = e.decode::<crate::iam::IamEvent>()? {
        return Ok(match ev {
            crate::iam::IamEvent::AccountDeactivated { account, .. } => worker(account),
            _ => None,
        });
    }
    if let Some(ev) = e.decode::<crate::quality::QualityEvent>()? {
        return Ok(match ev {
            crate::quality::QualityEvent::ReviewRecorded { worker: Some(w), .. } => worker(w),
            _ => None,
        });
    }
    // New workers wait for the next cycle.
    if e.type_name == "worker_hired" {
        return Ok(None);
    }
    // The company's rules (steps, weights, relaxations, times, prices): the whole plan.
    Ok(Some("the company's rules".to_string()))
}

/// `crew matching run`: records the decision, unless an order or worker it uses, or the company's
/// rules, changed since the batch was read (a conflict: run it again). Orders placed meanwhile
/// wait for the next cycle.
pub fn commit(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    batch: &Batch,
    decision: &Decision,
    pricing: &Pricing,
) -> Result<RunReport> {
    require(&ctx.actor, Action::RunMatching)?;
    if let Some(what) = plan_touched(tx, batch, decision)? {
        return Err(Error::conflict(format!("{what} changed while matching ran; run it again")));
    }
    let report = report(tx, batch, decision, pricing, false)?;
    for a in &report.assigned {
        record(tx, ctx, OrderingEvent::matched(a.order, a.worker, a.price, a.relaxation.clone()))?;
    }
    let relaxed = report.assigned.iter().filter(|a| a.relaxation.is_some()).count();
    record(
        tx,
        ctx,
        MatchingEvent::MatchingRan {
            assigned: report.assigned.len() as u32,
            left_open: report.left_open.len() as u32,
            relaxed: relaxed as u32,
        },
    )?;
    Ok(report)
}

/// Checks the caller may run the cycle (before any work).
pub fn may_run(ctx: &Ctx) -> Result<()> {
    require(&ctx.actor, Action::RunMatching)
}

/// One candidate of `crew matching explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub worker: AccountId,
    pub zone: Zone,
    pub skills: SkillSet,
    pub rating: u8,
    pub load: u32,
    pub capacity: u32,
    /// Per step, in the configured order.
    pub scores: Vec<(String, f64)>,
    pub total: f64,
}

/// Why the order has (or would have, or cannot have) its worker.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// No worker can take it, even with the configured relaxations.
    Nobody { reason: String },
    /// Open; the next cycle would prefer `best` unless an earlier order needs them.
    Open { best: AccountId, candidates: usize },
    /// Its worker has the highest total score among the candidates.
    Best { worker: AccountId, candidates: usize },
    /// Its worker ranks `rank` (1 = best): the optimal plan gave better ones to other orders.
    Ranked { worker: AccountId, rank: usize, candidates: usize },
    /// Its worker is not a candidate now (assigned by hand, or the profile changed since).
    NotACandidate { worker: AccountId },
    /// Finished, cancelled or failed without a worker.
    Closed,
}

impl Verdict {
    /// The verdict in words, naming workers with `name`.
    pub fn describe(&self, status: OrderStatus, name: impl Fn(AccountId) -> String) -> String {
        match self {
            Verdict::Nobody { reason } => format!("nobody can take it: {reason}"),
            Verdict::Open { best, candidates } => format!(
                "open; {candidates} candidate(s); {} has the highest total score (the cycle gives them to another order if that serves more orders)",
                name(*best)
            ),
            Verdict::Best { worker, candidates } => {
                format!("{status} to {}: the highest total score of {candidates} candidate(s)", name(*worker))
            }
            Verdict::Ranked { worker, rank, candidates } => format!(
                "{status} to {}, ranked {rank} of {candidates} by score: the optimal plan for all orders gave the better-scored candidates to other orders (or they were taken since)",
                name(*worker)
            ),
            Verdict::NotACandidate { worker } => format!(
                "{status} to {}, who is not a candidate now (assigned by hand, or the profile changed since)",
                name(*worker)
            ),
            Verdict::Closed => format!("{status}; no worker"),
        }
    }
}

/// `crew matching explain`: every candidate, each step's score, and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub order: OrderId,
    pub status: OrderStatus,
    pub worker: Option<AccountId>,
    pub relaxation: Option<String>,
    pub candidates: Vec<Candidate>,
    /// Workers with the skills in the zone (or a neighbour) whom the time rules keep out.
    pub unavailable: Vec<Unavailable>,
    pub verdict: Verdict,
}

/// Checks the caller may explain (before any work) and that the order exists.
pub fn may_explain(tx: &mut (impl MatchingTx + ?Sized), ctx: &Ctx, order: OrderId) -> Result<()> {
    require(&ctx.actor, Action::ExplainMatching)?;
    tx.match_order(order)?.ok_or_else(|| Error::not_found(format!("no order #{order}")))?;
    Ok(())
}

/// Builds the explanation of a one-order batch whose steps have all been scored.
pub fn explain(batch: &Batch) -> Result<Explanation> {
    let o = batch.orders.first().ok_or_else(|| Error::internal("explain needs one order"))?;
    let mut candidates: Vec<Candidate> = (0..batch.pairs.len())
        .map(|i| {
            let w = &batch.workers[batch.pairs[i].worker];
            Candidate {
                worker: w.worker,
                zone: w.zone.clone(),
                skills: w.skills.clone(),
                rating: w.rating,
                load: w.load,
                capacity: w.capacity,
                scores: batch.steps.iter().zip(&batch.scores).map(|(s, sc)| (s.name.clone(), sc[i])).collect(),
                total: (batch.total(i) * 1000.0).round() / 1000.0,
            }
        })
        .collect();
    candidates.sort_by(|a, b| b.total.total_cmp(&a.total).then(a.worker.cmp(&b.worker)));
    let n = candidates.len();
    let verdict = match (o.status, o.worker) {
        (OrderStatus::Open, _) => match candidates.first() {
            None => Verdict::Nobody { reason: batch.nobody.get(&0).cloned().unwrap_or_default() },
            Some(best) => Verdict::Open { best: best.worker, candidates: n },
        },
        (_, Some(w)) => match candidates.iter().position(|c| c.worker == w) {
            Some(0) => Verdict::Best { worker: w, candidates: n },
            Some(rank) => Verdict::Ranked { worker: w, rank: rank + 1, candidates: n },
            None => Verdict::NotACandidate { worker: w },
        },
        (_, None) => Verdict::Closed,
    };
    Ok(Explanation {
        order: o.order,
        status: o.status,
        worker: o.worker,
        relaxation: batch.relaxation.first().cloned().flatten(),
        candidates,
        unavailable: batch.unavailable.clone(),
        verdict,
    })
}
