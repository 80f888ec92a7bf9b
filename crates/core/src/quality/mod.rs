//! Quality (DESIGN.md §3 "Quality"): the review queue, reviews with their hypotheses for
//! improving the business, worker scorecards and trends.
//!
//! Cancelled and failed orders enter the queue from ordering's events (`subscribers.rs`, which
//! also keeps quality's view of every order's life: who, assigned, checked in, finished);
//! managers add completed orders by a seeded, reproducible sample. A review is recorded once per
//! order: a second submission amends the first (its `revision` grows) and changes the worker's
//! rating only by the difference between the two verdicts' steps, so a case never counts twice.
//! Matching applies the change to its profile (it listens to `review_recorded`).

pub mod events;
pub mod notifications;
pub mod report;
pub mod store;
pub mod subscribers;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::{Action, require};
use crate::error::{Error, Result};
use crate::ids::{AccountId, OrderId};
use crate::kernel::command::{Ctx, record};
use crate::settings::Rules;
use crate::types::Text;

pub use events::{QualityEvent, Verdict};
pub use store::{QualityRead, QualityStore, QualityTx};

/// Why an order is in the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseReason {
    Cancelled,
    Failed,
    /// Drawn from completed orders by `crew quality sample`.
    Sampled,
}

impl CaseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseReason::Cancelled => "cancelled",
            CaseReason::Failed => "failed",
            CaseReason::Sampled => "sampled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        match raw {
            "cancelled" => Ok(CaseReason::Cancelled),
            "failed" => Ok(CaseReason::Failed),
            "sampled" => Ok(CaseReason::Sampled),
            _ => Err(Error::internal(format!("`{raw}` is not a case reason"))),
        }
    }
}

/// An order in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub order: OrderId,
    pub client: AccountId,
    /// The worker the order had last (none for an order cancelled before assignment).
    pub worker: Option<AccountId>,
    pub reason: CaseReason,
    pub queued_at: DateTime<Utc>,
    /// Whether a review is recorded.
    pub reviewed: bool,
}

/// How an order ended, as quality keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// Not ended yet.
    Open,
    Completed,
    Failed,
    Cancelled,
}

impl Ending {
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Open => "open",
            Ending::Completed => "completed",
            Ending::Failed => "failed",
            Ending::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        match raw {
            "open" => Ok(Ending::Open),
            "completed" => Ok(Ending::Completed),
            "failed" => Ok(Ending::Failed),
            "cancelled" => Ok(Ending::Cancelled),
            _ => Err(Error::internal(format!("`{raw}` is not an ending"))),
        }
    }
}

/// Quality's view of one order's life, fed by ordering's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderLife {
    pub order: OrderId,
    pub client: AccountId,
    pub worker: Option<AccountId>,
    pub ending: Ending,
    pub assigned_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A recorded review (its latest revision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub order: OrderId,
    pub worker: Option<AccountId>,
    pub client: AccountId,
    pub verdict: Verdict,
    pub cause: Text,
    pub hypothesis: Text,
    /// 1 for the first submission; each amendment adds one.
    pub revision: u32,
    pub reviewer: AccountId,
    pub reviewed_at: DateTime<Utc>,
}

/// How far each verdict moves a worker's rating (0–100 points), the company's
/// `quality.rating_step_*` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingSteps {
    pub praise: u32,
    pub fault: u32,
    pub serious: u32,
}

impl RatingSteps {
    pub fn from(rules: &Rules) -> Self {
        RatingSteps {
            praise: rules.rating_step_praise,
            fault: rules.rating_step_fault,
            serious: rules.rating_step_serious,
        }
    }

    /// The change a verdict makes to a rating, in points.
    pub fn step(&self, verdict: Verdict) -> i32 {
        let points = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        match verdict {
            Verdict::Praise => points(self.praise),
            Verdict::Fine => 0,
            Verdict::Fault => -points(self.fault),
            Verdict::Serious => -points(self.serious),
        }
    }
}

/// `crew quality queue`: cases by the time they were queued (reviewed ones only if asked).
pub fn queue(tx: &mut (impl QualityTx + ?Sized), ctx: &Ctx, with_reviewed: bool) -> Result<Vec<Case>> {
    require(&ctx.actor, Action::ManageQuality)?;
    Ok(tx.cases()?.into_iter().filter(|c| with_reviewed || !c.reviewed).collect())
}

/// The cases still to review (no permission check: for dashboards the shell composes).
pub fn open_cases(tx: &mut (impl QualityTx + ?Sized)) -> Result<usize> {
    Ok(tx.cases()?.iter().filter(|c| !c.reviewed).count())
}

/// A pseudo-random stream from a seed (SplitMix64): the same seed, the same draw, on every
/// machine. Not for secrets.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (> 0), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }
}

/// `n` of `pool` drawn without replacement by `seed`, in the order drawn (a partial
/// Fisher–Yates shuffle of the pool as given).
pub fn draw<T: Clone>(pool: &[T], n: usize, seed: u64) -> Vec<T> {
    let mut items = pool.to_vec();
    let mut rng = SplitMix64::new(seed);
    let n = n.min(items.len());
    for i in 0..n {
        let j = i + rng.below((items.len() - i) as u64) as usize;
        items.swap(i, j);
    }
    items.truncate(n);
    items
}

/// `crew quality sample N --seed S`: draws up to `n` completed orders not yet in the queue,
/// reproducibly (the same database and seed draw the same orders), and queues them.
pub fn sample(tx: &mut (impl QualityTx + ?Sized), ctx: &Ctx, n: u32, seed: u64) -> Result<Vec<OrderId>> {
    require(&ctx.actor, Action::ManageQuality)?;
    if n == 0 {
        return Err(Error::bad_input("sample at least one order"));
    }
    let queued: std::collections::BTreeSet<OrderId> = tx.cases()?.into_iter().map(|c| c.order).collect();
    let pool: Vec<OrderLife> =
        tx.lives()?.into_iter().filter(|l| l.ending == Ending::Completed && !queued.contains(&l.order)).collect();
    let drawn = draw(&pool, n as usize, seed);
    for life in &drawn {
        tx.put_case(&Case {
            order: life.order,
            client: life.client,
            worker: life.worker,
            reason: CaseReason::Sampled,
            queued_at: ctx.now,
            reviewed: false,
        })?;
    }
    let orders: Vec<OrderId> = drawn.iter().map(|l| l.order).collect();
    record(tx, ctx, QualityEvent::CasesSampled { seed, asked: n, orders: orders.clone() })?;
    Ok(orders)
}

/// A worker's record: what they finished, how fast, and how their cases were judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub worker: AccountId,
    pub completed: u32,
    pub failed: u32,
    pub cancelled: u32,
    /// Completed of completed and failed, in whole percent (`None` before either).
    pub completion_rate: Option<u32>,
    /// The median minutes from check-in to completion (`None` before a completion with both).
    pub median_minutes_to_finish: Option<i64>,
    /// Their reviews, newest first.
    pub reviews: Vec<Review>,
}

/// The scorecard of `worker` from quality's view.
pub fn scorecard(tx: &mut (impl QualityTx + ?Sized), worker: AccountId) -> Result<Scorecard> {
    let lives: Vec<OrderLife> = tx.lives()?.into_iter().filter(|l| l.worker == Some(worker)).collect();
    let count = |e: Ending| lives.iter().filter(|l| l.ending == e).count() as u32;
    let (completed, failed, cancelled) = (count(Ending::Completed), count(Ending::Failed), count(Ending::Cancelled));
    let completion_rate =
        (completed + failed > 0).then(|| (completed * 100 + (completed + failed) / 2) / (completed + failed));
    let mut minutes: Vec<i64> = lives
        .iter()
        .filter(|l| l.ending == Ending::Completed)
        .filter_map(|l| Some((l.finished_at? - l.checked_in_at?).num_minutes()))
        .collect();
    minutes.sort_unstable();
    let median_minutes_to_finish = (!minutes.is_empty()).then(|| minutes[minutes.len() / 2]);
    let mut reviews: Vec<Review> = tx.reviews()?.into_iter().filter(|r| r.worker == Some(worker)).collect();
    reviews.sort_by(|a, b| b.reviewed_at.cmp(&a.reviewed_at).then(b.order.cmp(&a.order)));
    Ok(Scorecard { worker, completed, failed, cancelled, completion_rate, median_minutes_to_finish, reviews })
}

/// What `crew quality case ORDER` shows beside the order's history: its place in the queue, its
/// review, and its worker's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseFile {
    pub order: OrderId,
    pub case: Option<Case>,
    pub life: Option<OrderLife>,
    pub review: Option<Review>,
    pub scorecard: Option<Scorecard>,
}

/// `crew quality case ORDER`.
pub fn case_file(tx: &mut (impl QualityTx + ?Sized), ctx: &Ctx, order: OrderId) -> Result<CaseFile> {
    require(&ctx.actor, Action::ManageQuality)?;
    if tx.order(order)?.is_none() {
        return Err(Error::not_found(format!("no order #{order}")));
    }
    let life = tx.life(order)?;
    let worker = life.as_ref().and_then(|l| l.worker);
    let scorecard = worker.map(|w| scorecard(tx, w)).transpose()?;
    Ok(CaseFile { order, case: tx.case(order)?, review: tx.review(order)?, life, scorecard })
}

/// What a review says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewForm {
    pub verdict: Verdict,
    pub cause: Text,
    pub hypothesis: Text,
}

/// `crew quality review ORDER`: records the review of a queued case, or amends the one recorded
/// (the same form again changes nothing and returns `false`). The worker's rating moves by the
/// difference between this verdict's step and the amended one's (through `review_recorded`,
/// which matching applies); the client and worker are mailed.
pub fn review(
    tx: &mut (impl QualityTx + ?Sized),
    ctx: &Ctx,
    order: OrderId,
    form: ReviewForm,
    steps: &RatingSteps,
) -> Result<(Review, bool)> {
    require(&ctx.actor, Action::ManageQuality)?;
    if form.cause.is_empty() {
        return Err(Error::bad_input("--cause: say what caused the outcome"));
    }
    // An order that does not exist is not found (exit 4), as for `quality case`.
    if tx.order(order)?.is_none() {
        return Err(Error::not_found(format!("no order #{order}")));
    }
    let mut case = tx.case(order)?.ok_or_else(|| {
        Error::conflict(format!(
            "order #{order} is not in the review queue: cancelled and failed orders enter it by themselves, \
             completed ones by `crew quality sample`"
        ))
    })?;
    let before = tx.review(order)?;
    if let Some(b) = &before
        && (b.verdict, &b.cause, &b.hypothesis) == (form.verdict, &form.cause, &form.hypothesis)
    {
        return Ok((b.clone(), false));
    }
    let revision = before.as_ref().map_or(1, |b| b.revision + 1);
    let rating_change = steps.step(form.verdict) - before.as_ref().map_or(0, |b| steps.step(b.verdict));
    let review = Review {
        order,
        worker: case.worker,
        client: case.client,
        verdict: form.verdict,
        cause: form.cause,
        hypothesis: form.hypothesis,
        revision,
        reviewer: ctx.actor.id,
        reviewed_at: ctx.now,
    };
    tx.put_review(&review)?;
    case.reviewed = true;
    tx.put_case(&case)?;
    record(
        tx,
        ctx,
        QualityEvent::ReviewRecorded {
            order,
            worker: review.worker,
            client: review.client,
            verdict: review.verdict,
            cause: review.cause.clone(),
            hypothesis: review.hypothesis.clone(),
            revision,
            rating_change,
        },
    )?;
    Ok((review, true))
}

/// A hypothesis for improving the business, with the cases that raised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hypothesis {
    pub hypothesis: String,
    pub cases: Vec<OrderId>,
    pub last_raised_at: DateTime<Utc>,
    /// The manager's closing, if it came after the last review raising it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<HypothesisClosure>,
}

/// A manager's closing of a hypothesis, as stored: `key` is its [`hypothesis_key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HypothesisClosure {
    pub key: String,
    /// The words as the reviews wrote them when it was closed.
    pub hypothesis: String,
    pub reason: Text,
    pub closed_by: AccountId,
    pub closed_at: DateTime<Utc>,
    /// The reviews (order, revision) that had raised it when it was closed: it stays closed
    /// while no other review raises it. (Compared by review, not by time: a review recorded at
    /// the same instant as the closing still opens it again.)
    pub reviews: Vec<(OrderId, u32)>,
}

/// What makes two hypotheses one: their words in Unicode NFC (as every text crew keeps), lower
/// case, with runs of white space as one space and invisible characters (zero-width spaces,
/// direction marks, see [`crate::types::is_steering`]) left out, so that texts that look alike
/// are one hypothesis.
pub fn hypothesis_key(text: &Text) -> String {
    let visible: String =
        text.as_str().chars().filter(|c| !crate::types::is_steering(*c) || c.is_whitespace()).collect();
    visible.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `crew quality hypotheses`: every hypothesis reviews hold (texts with the same
/// [`hypothesis_key`] are one), most cases first, then newest. A hypothesis is closed when a
/// manager closed it and no review has raised it since (a new review or an amendment raising it
/// opens it again); closed ones are left out unless `with_closed`.
pub fn hypotheses(tx: &mut (impl QualityTx + ?Sized), ctx: &Ctx, with_closed: bool) -> Result<Vec<Hypothesis>> {
    require(&ctx.actor, Action::ManageQuality)?;
    let mut by_text: BTreeMap<String, (Hypothesis, Vec<(OrderId, u32)>)> = BTreeMap::new();
    for r in tx.reviews()? {
        let key = hypothesis_key(&r.hypothesis);
        if key.is_empty() {
            continue;
        }
        let (h, raised_by) = by_text.entry(key).or_insert_with(|| {
            let h = Hypothesis {
                hypothesis: r.hypothesis.to_string(),
                cases: vec![],
                last_raised_at: r.reviewed_at,
                closed: None,
            };
            (h, Vec::new())
        });
        h.cases.push(r.order);
        h.last_raised_at = h.last_raised_at.max(r.reviewed_at);
        raised_by.push((r.order, r.revision));
    }
    for c in tx.hypothesis_closures()? {
        if let Some((h, raised_by)) = by_text.get_mut(&c.key)
            && raised_by.iter().all(|r| c.reviews.contains(r))
        {
            h.closed = Some(c);
        }
    }
    let by_text: BTreeMap<String, Hypothesis> = by_text.into_iter().map(|(k, (h, _))| (k, h)).collect();
    let mut list: Vec<Hypothesis> = by_text.into_values().filter(|h| with_closed || h.closed.is_none()).collect();
    for h in &mut list {
        h.cases.sort();
    }
    list.sort_by(|a, b| b.cases.len().cmp(&a.cases.len()).then(b.last_raised_at.cmp(&a.last_raised_at)));
    Ok(list)
}

/// `crew quality hypotheses close TEXT --reason …`: a manager closes an open hypothesis (its words
/// in any case), saying why. Returns it and whether anything changed: closing one already closed
/// records nothing and returns `false`.
///
/// Errors: not allowed for roles that do not review quality; bad input without a reason; not
/// found if no review raised such a hypothesis.
pub fn close_hypothesis(
    tx: &mut (impl QualityTx + ?Sized),
    ctx: &Ctx,
    words: &str,
    reason: Text,
) -> Result<(Hypothesis, bool)> {
    require(&ctx.actor, Action::ManageQuality)?;
    if reason.is_empty() {
        return Err(Error::bad_input("--reason: say why the hypothesis is closed (tested, done, dropped)"));
    }
    let key = hypothesis_key(&Text::parse(words)?);
    let found = hypotheses(tx, ctx, true)?
        .into_iter()
        .find(|h| Text::parse(&h.hypothesis).map(|t| hypothesis_key(&t)).ok().as_ref() == Some(&key));
    let Some(mut h) = found else {
        return Err(Error::not_found(format!(
            "no review raised the hypothesis `{}`: see `crew quality hypotheses`",
            words.trim()
        )));
    };
    if h.closed.is_some() {
        return Ok((h, false));
    }
    let mut reviews: Vec<(OrderId, u32)> = Vec::new();
    for r in tx.reviews()? {
        if hypothesis_key(&r.hypothesis) == key {
            reviews.push((r.order, r.revision));
        }
    }
    let closure = HypothesisClosure {
        key,
        hypothesis: h.hypothesis.clone(),
        reason: reason.clone(),
        closed_by: ctx.actor.id,
        closed_at: ctx.now,
        reviews,
    };
    tx.put_hypothesis_closure(&closure)?;
    record(
        tx,
        ctx,
        QualityEvent::HypothesisClosed { hypothesis: Text::parse(&h.hypothesis)?, reason, cases: h.cases.clone() },
    )?;
    h.closed = Some(closure);
    Ok((h, true))
}

/// One worker's week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendRow {
    pub worker: AccountId,
    /// The ISO week the orders ended in (`2026-W49`), in UTC.
    pub week: String,
    pub completed: u32,
    pub failed: u32,
    pub cancelled: u32,
    /// Reviews recorded that week about the worker's orders.
    pub reviews: u32,
    /// The rating points those reviews moved (sum of steps of their current verdicts).
    pub rating_change: i32,
}

/// `crew quality trends`: per worker (or one) and ISO week, the last `weeks` weeks up to
/// `ctx.now`: what they finished and how their reviews went. Weeks with nothing are left out.
pub fn trends(
    tx: &mut (impl QualityTx + ?Sized),
    ctx: &Ctx,
    worker: Option<AccountId>,
    weeks: u32,
    steps: &RatingSteps,
) -> Result<Vec<TrendRow>> {
    require(&ctx.actor, Action::ManageQuality)?;
    let since = ctx.now - Duration::weeks(i64::from(weeks));
    let week = |t: DateTime<Utc>| {
        let w = t.iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    };
    let mut rows: BTreeMap<(AccountId, String), TrendRow> = BTreeMap::new();
    let counted = |w: AccountId, at: DateTime<Utc>| at >= since && at <= ctx.now && worker.is_none_or(|only| only == w);
    let row = |rows: &mut BTreeMap<(AccountId, String), TrendRow>, w: AccountId, at: DateTime<Utc>| {
        let key = (w, week(at));
        rows.entry(key.clone())
            .or_insert(TrendRow {
                worker: w,
                week: key.1,
                completed: 0,
                failed: 0,
                cancelled: 0,
                reviews: 0,
                rating_change: 0,
            })
            .clone()
    };
    for l in tx.lives()? {
        let (Some(w), Some(at)) = (l.worker, l.finished_at) else { continue };
        if !counted(w, at) {
            continue;
        }
        let mut r = row(&mut rows, w, at);
        match l.ending {
            Ending::Completed => r.completed += 1,
            Ending::Failed => r.failed += 1,
            Ending::Cancelled => r.cancelled += 1,
            Ending::Open => {}
        }
        rows.insert((w, r.week.clone()), r);
    }
    for rev in tx.reviews()? {
        let Some(w) = rev.worker else { continue };
        if !counted(w, rev.reviewed_at) {
            continue;
        }
        let mut r = row(&mut rows, w, rev.reviewed_at);
        r.reviews += 1;
        r.rating_change += steps.step(rev.verdict);
        rows.insert((w, r.week.clone()), r);
    }
    Ok(rows.into_values().collect())
}
