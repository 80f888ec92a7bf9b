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
pub mod solver;
pub mod steps;
pub mod store;
pub mod subscribers;

pub use events::MatchingEvent;
pub use store::{MatchingRead, MatchingStore, MatchingTx};

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, EventSeq, OrderId};
use crate::kernel::command::{Ctx, record};
use crate::ordering::{OrderStatus, OrderingEvent, Pricing};
use crate::types::{Money, ServiceCode, Skill, SkillSet, Text, Zone};

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
    pub status: OrderStatus,
    pub worker: Option<AccountId>,
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
    /// Zones whose workers may take an order no worker of its own zone can take.
    pub neighbours: BTreeMap<Zone, Vec<Zone>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { steps: steps::default_steps(), neighbours: BTreeMap::new() }
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
    Ok(Settings { steps, neighbours: rules.neighbours })
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
            return Err(Error::bad_input("capacity must be from 1 to 20 concurrent orders"));
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
    p.status = WorkerStatus::Suspended;
    tx.update_worker_profile(&p)?;
    record(tx, ctx, MatchingEvent::WorkerSuspended { worker, reason })?;
    Ok(p)
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

// ---------------------------------------------------------------- the cycle

/// One candidate pair of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// Index into [`Batch::orders`].
    pub order: usize,
    /// Index into [`Batch::workers`].
    pub worker: usize,
}

/// Everything a cycle decides from: open orders, candidate workers, candidate pairs, and each
/// step's score per pair. Built in one read transaction ([`prepare`]); scored by built-in steps
/// there and by external steps outside any transaction; solved by [`plan`]; recorded by [`commit`].
#[derive(Debug, Clone)]
pub struct Batch {
    /// The last relevant event when the batch was read: the commit refuses if any came since.
    pub snapshot: EventSeq,
    /// Open orders whose time has passed: not matched.
    pub past: Vec<LeftOpen>,
    /// Open orders, earliest first.
    pub orders: Vec<MatchOrder>,
    pub workers: Vec<WorkerProfile>,
    /// Grouped by order, in order index order.
    pub pairs: Vec<Pair>,
    /// Per order: the relaxation its candidates needed, if any: the first neighbouring zone (in
    /// the configured order) with a candidate, for `explain`. An assignment names its own
    /// worker's zone instead ([`report`]).
    pub relaxation: Vec<Option<String>>,
    /// Per order without candidates: why nobody can take it.
    pub nobody: BTreeMap<usize, String>,
    /// The steps, and per step a score in [0, 1] per pair (empty until the step has run).
    pub steps: Vec<Step>,
    pub scores: Vec<Vec<f64>>,
    /// Completed and failed orders per (worker, client), for the history step.
    history: HashMap<(AccountId, AccountId), (u32, u32)>,
}

/// The events that change what a cycle would decide: a batch read before the newest of them is
/// stale. Logins, imports of clients and the like do not count.
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
    "service_type_retired",
    // Quality's verdicts move a worker's rating, which the rating step scores.
    "review_recorded",
];

/// Finds every eligible (order, worker) pair of the open orders (or of one order, for `explain`).
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
    // An order being explained does not count against its own worker's capacity.
    if let Some(o) = orders.first().filter(|_| only.is_some())
        && let Some(w) = o.worker
        && matches!(o.status, OrderStatus::Assigned | OrderStatus::Active)
        && let Some(p) = workers.iter_mut().find(|p| p.worker == w)
    {
        p.load = p.load.saturating_sub(1);
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
        history,
    };
    batch.find_candidates(settings);
    batch.score_built_in();
    Ok(batch)
}

impl Batch {
    fn find_candidates(&mut self, settings: &Settings) {
        // Index: (zone, skill) → workers with spare capacity, and zone → all of them.
        let mut by_zone: HashMap<&Zone, Vec<usize>> = HashMap::new();
        let mut by_zone_skill: HashMap<(&Zone, &Skill), Vec<usize>> = HashMap::new();
        for (i, w) in self.workers.iter().enumerate() {
            if w.spare() == 0 {
                continue;
            }
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
        let mut pairs = Vec::new();
        let mut relaxation = Vec::with_capacity(self.orders.len());
        let mut nobody = BTreeMap::new();
        for (oi, o) in self.orders.iter().enumerate() {
            let mut found = eligible(o, &o.zone);
            let mut relaxed = None;
            if found.is_empty() {
                for zone in settings.neighbours.get(&o.zone).into_iter().flatten() {
                    let more = eligible(o, zone);
                    if !more.is_empty() && relaxed.is_none() {
                        relaxed = Some(format!("neighbouring zone {zone}"));
                    }
                    found.extend(more);
                }
            }
            if found.is_empty() {
                let mut why = self.why_nobody(o);
                if let Some(zones) = settings.neighbours.get(&o.zone).filter(|z| !z.is_empty()) {
                    let names: Vec<&str> = zones.iter().map(Zone::as_str).collect();
                    why.push_str(&format!("; nor can anyone in the neighbouring {}", names.join(", ")));
                }
                nobody.insert(oi, why);
            }
            found.sort_unstable_by_key(|&i| self.workers[i].worker);
            pairs.extend(found.into_iter().map(|w| Pair { order: oi, worker: w }));
            relaxation.push(relaxed);
        }
        self.pairs = pairs;
        self.relaxation = relaxation;
        self.nobody = nobody;
    }

    /// Why no worker can take an order, in the order the rules apply.
    fn why_nobody(&self, o: &MatchOrder) -> String {
        let in_zone: Vec<&WorkerProfile> = self.workers.iter().filter(|w| w.zone == o.zone).collect();
        if in_zone.is_empty() {
            return format!("no active worker in zone {}", o.zone);
        }
        let skilled: Vec<&&WorkerProfile> = in_zone.iter().filter(|w| qualified(&w.skills, &o.skills)).collect();
        if skilled.is_empty() {
            return format!("none of the {} active workers in {} has {}", in_zone.len(), o.zone, o.skills);
        }
        format!("all {} qualified workers in {} are at capacity", skilled.len(), o.zone)
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

    /// The solver's cost of pair `i`: the score it misses, in thousandths (whole numbers, so the
    /// optimum is exact).
    pub fn cost(&self, i: usize) -> i64 {
        ((self.max_total() - self.total(i)) * 1000.0).round().max(0.0) as i64
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
}

/// The cost of leaving each order of the batch open.
///
/// Leaving order `r` (0 = earliest) of `n` open costs `A + D·(n − r)`: `D` exceeds any possible
/// difference in pair costs, so serving earlier orders beats any saving in cost, and `A` exceeds any
/// possible difference in those date terms, so serving one more order beats everything else.
pub fn open_costs(batch: &Batch) -> Result<Vec<i64>> {
    let n = batch.orders.len() as i64;
    let max_cost = (batch.max_total() * 1000.0).ceil() as i64 + 1;
    let overflow = || Error::internal("the batch is too large to weigh without overflow");
    let d = max_cost.checked_mul(n + 1).ok_or_else(overflow)?;
    let a = d.checked_mul(n + 2).ok_or_else(overflow)?;
    // The largest total must fit too: every order open at its largest cost.
    a.checked_add(d.checked_mul(n + 1).ok_or_else(overflow)?)
        .and_then(|m| m.checked_mul(n.max(1)))
        .ok_or_else(overflow)?;
    Ok((0..n).map(|r| a + d * (n - r)).collect())
}

/// Solves the batch: the most orders served (earlier orders first), then the least total cost.
pub fn plan(batch: &Batch) -> Result<Decision> {
    let open = open_costs(batch)?;
    let mut graph = solver::Graph::new(batch.workers.iter().map(|w| w.spare()).collect());
    let mut first_pair = 0;
    let mut starts = Vec::with_capacity(batch.orders.len());
    for (oi, open_cost) in open.iter().enumerate() {
        let end = first_pair + batch.pairs[first_pair..].iter().take_while(|p| p.order == oi).count();
        starts.push(first_pair);
        graph.add_order(*open_cost, (first_pair..end).map(|i| (batch.pairs[i].worker, batch.cost(i))));
        first_pair = end;
    }
    let solved = solver::solve(&graph);
    let chosen = solved
        .worker
        .iter()
        .enumerate()
        .map(|(oi, w)| {
            w.map(|w| {
                let start = starts[oi];
                start + batch.pairs[start..].iter().position(|p| p.worker == w).expect("the solver picks a candidate")
            })
        })
        .collect();
    Ok(Decision { chosen })
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
                    // The relaxation the chosen worker needed: the zone they work in, when it is
                    // not the order's (of several neighbouring zones, the winner's, not the first).
                    relaxation: (w.zone != o.zone).then(|| format!("neighbouring zone {}", w.zone)),
                });
            }
            None => {
                let reason = batch
                    .nobody
                    .get(&oi)
                    .cloned()
                    .unwrap_or_else(|| "every candidate was needed for an earlier order".to_string());
                left_open.push(LeftOpen { order: o.order, reason });
            }
        }
    }
    left_open.extend(batch.past.iter().cloned());
    Ok(RunReport { dry_run, assigned, left_open })
}

/// `crew matching run`: records the decision, unless anything changed since the batch was read.
pub fn commit(
    tx: &mut (impl MatchingTx + ?Sized),
    ctx: &Ctx,
    batch: &Batch,
    decision: &Decision,
    pricing: &Pricing,
) -> Result<RunReport> {
    require(&ctx.actor, Action::RunMatching)?;
    if tx.last_event_of(RELEVANT_EVENTS)? != batch.snapshot {
        return Err(Error::conflict("orders or workers changed while matching ran; run it again"));
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
        verdict,
    })
}
