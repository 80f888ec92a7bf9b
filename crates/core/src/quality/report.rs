//! The figures of `crew report quality|operations`: orders per day by outcome, completion rate per
//! worker, review verdicts and causes, hypotheses, over a period of days in the company's zone.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{Ending, Hypothesis, QualityTx, Verdict, hypotheses};
use crate::authz::{Action, permits, require};
use crate::error::{Error, Result};
use crate::ids::AccountId;
use crate::kernel::command::Ctx;

/// The longest period a report covers, in days.
pub const MAX_DAYS: u64 = 366;

/// One day's ended orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayRow {
    pub day: NaiveDate,
    pub completed: u32,
    pub failed: u32,
    pub cancelled: u32,
}

/// One worker's orders that ended in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkerRow {
    pub worker: AccountId,
    pub completed: u32,
    pub failed: u32,
    /// Completed of completed and failed, in whole percent (`None` without either).
    pub completion_rate: Option<u32>,
}

/// How many reviews recorded in the period gave a verdict for a cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CauseRow {
    pub verdict: Verdict,
    pub cause: String,
    pub reviews: u32,
}

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// The first and last day, in the company's zone (both included).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every day of the period, empty ones too.
    pub days: Vec<DayRow>,
    /// Workers with an ended order in the period, by worker id.
    pub workers: Vec<WorkerRow>,
    /// Reviews recorded in the period per verdict (every verdict, zero ones too).
    pub verdicts: Vec<(Verdict, u32)>,
    /// Their causes, most reviews first.
    pub causes: Vec<CauseRow>,
    /// Hypotheses raised by reviews recorded in the period.
    pub hypotheses: Vec<Hypothesis>,
}

/// The report's figures for the days `from` to `to` (inclusive) in `tz`, for those who may see the
/// company's reports; the review parts (verdicts, causes, hypotheses) only for those who review
/// quality (empty for others).
pub fn figures(
    tx: &mut (impl QualityTx + ?Sized),
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
) -> Result<Figures> {
    require(&ctx.actor, Action::ViewReports)?;
    if to < from {
        return Err(Error::bad_input(format!("the period ends ({to}) before it starts ({from})")));
    }
    let span = (to - from).num_days() as u64 + 1;
    if span > MAX_DAYS {
        return Err(Error::bad_input(format!("a report covers at most {MAX_DAYS} days, not {span}")));
    }
    let day_of = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let inside = |t: DateTime<Utc>| (from..=to).contains(&day_of(t));
    let mut days: BTreeMap<NaiveDate, DayRow> = (0..span)
        .filter_map(|i| from.checked_add_days(Days::new(i)))
        .map(|day| (day, DayRow { day, completed: 0, failed: 0, cancelled: 0 }))
        .collect();
    let mut workers: BTreeMap<AccountId, WorkerRow> = BTreeMap::new();
    for life in tx.lives()? {
        let Some(at) = life.finished_at.filter(|t| inside(*t)) else { continue };
        let Some(row) = days.get_mut(&day_of(at)) else { continue };
        match life.ending {
            Ending::Completed => row.completed += 1,
            Ending::Failed => row.failed += 1,
            Ending::Cancelled => row.cancelled += 1,
            Ending::Open => {}
        }
        if let Some(w) = life.worker
            && matches!(life.ending, Ending::Completed | Ending::Failed)
        {
            let r = workers.entry(w).or_insert(WorkerRow { worker: w, completed: 0, failed: 0, completion_rate: None });
            if life.ending == Ending::Completed {
                r.completed += 1;
            } else {
                r.failed += 1;
            }
        }
    }
    for r in workers.values_mut() {
        let done = r.completed + r.failed;
        r.completion_rate = (done > 0).then(|| (r.completed * 100 + done / 2) / done);
    }
    // Reviews are quality's: those who may not review quality (an accountant reading the
    // operations report) get the order figures with no reviews, verdicts or hypotheses.
    let reviewer = permits(ctx.actor.role, Action::ManageQuality);
    let reviews: Vec<_> = if reviewer { tx.reviews()? } else { Vec::new() };
    let reviews: Vec<_> = reviews.into_iter().filter(|r| inside(r.reviewed_at)).collect();
    let verdicts =
        Verdict::ALL.iter().map(|v| (*v, reviews.iter().filter(|r| r.verdict == *v).count() as u32)).collect();
    let mut causes: BTreeMap<(Verdict, String), u32> = BTreeMap::new();
    for r in &reviews {
        *causes.entry((r.verdict, r.cause.to_string())).or_default() += 1;
    }
    let mut causes: Vec<CauseRow> =
        causes.into_iter().map(|((verdict, cause), reviews)| CauseRow { verdict, cause, reviews }).collect();
    causes.sort_by(|a, b| b.reviews.cmp(&a.reviews).then(a.verdict.cmp(&b.verdict)).then(a.cause.cmp(&b.cause)));
    let orders: std::collections::BTreeSet<_> = reviews.iter().map(|r| r.order).collect();
    let hypotheses = if reviewer { hypotheses(tx, ctx, true)? } else { Vec::new() };
    let hypotheses = hypotheses
        .into_iter()
        .filter_map(|mut h| {
            h.cases.retain(|o| orders.contains(o));
            (!h.cases.is_empty()).then_some(h)
        })
        .collect();
    Ok(Figures {
        from,
        to,
        days: days.into_values().collect(),
        workers: workers.into_values().collect(),
        verdicts,
        causes,
        hypotheses,
    })
}
