//! Matching's view, fed by events: profiles from hires and deactivations, its copy of every order
//! from ordering's events, and outcomes per worker and client.

use super::{MatchOrder, MatchingEvent, MatchingTx, WorkerProfile, WorkerStatus};
use crate::error::{Error, Result};
use crate::hiring::HiringEvent;
use crate::iam::IamEvent;
use crate::ids::{AccountId, OrderId};
use crate::kernel::command::{Subscriber, append};
use crate::kernel::events::{EventFilter, RecordedEvent};
use crate::ordering::{OrderStatus, OrderingEvent};
use crate::quality::QualityEvent;
use crate::settings;

/// Matching's subscriber. A hired worker's capacity and rating, when their hiring did not say,
/// are the company's `matching.default_capacity` and `matching.default_rating` in force when the
/// hire is handled.
pub struct MatchingView;

impl<T: MatchingTx + ?Sized> Subscriber<T> for MatchingView {
    fn name(&self) -> &'static str {
        "matching.view"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        // A hire by its name first: an intake's `application_received` flood is not decoded.
        if stored.type_name == HiringEvent::WORKER_HIRED
            && let Some(HiringEvent::WorkerHired(w)) = stored.decode()?
        {
            // IAM (which runs before matching) has created the account.
            let account = tx
                .account_by_email(&w.email)?
                .ok_or_else(|| Error::internal(format!("hired worker {} has no account", w.email)))?;
            if tx.worker_profile(account.id)?.is_some() {
                return Ok(());
            }
            let rules = settings::rules(tx)?;
            return tx.insert_worker_profile(&WorkerProfile {
                worker: account.id,
                zone: w.zone.clone(),
                skills: w.skills.clone(),
                capacity: w.capacity.unwrap_or(rules.default_capacity).max(1),
                rating: w.rating.unwrap_or(rules.default_rating).min(100),
                status: WorkerStatus::Active,
                load: 0,
                completed: 0,
                failed: 0,
                hired_at: stored.at,
            });
        }
        if let Some(IamEvent::AccountDeactivated { account, .. }) = stored.decode()? {
            return set_status(tx, account, WorkerStatus::Deactivated);
        }
        // A review's verdict moves the worker's rating by its step, kept within 0–100. An
        // amendment undoes what the order's earlier reviews moved (`worker_rated`, so a step cut
        // short at 0 or 100 is undone by what it really moved, not by the step) and applies the
        // current verdict's whole step: the sum of the order's recorded changes.
        if let Some(QualityEvent::ReviewRecorded { worker: Some(worker), order, rating_change, .. }) =
            stored.decode()?
        {
            if let Some(mut p) = tx.worker_profile(worker)?
                && rating_change != 0
            {
                let (mut step, mut moved, mut rated) = (0i32, 0i32, false);
                for r in tx.find_events(&EventFilter { order: Some(order), ..EventFilter::default() })? {
                    if r.seq > stored.seq {
                        break;
                    }
                    match r.decode::<QualityEvent>() {
                        Ok(Some(QualityEvent::ReviewRecorded { worker: Some(w), rating_change, .. }))
                            if w == worker =>
                        {
                            step += rating_change
                        }
                        _ => {}
                    }
                    if let Ok(Some(MatchingEvent::WorkerRated { worker: w, from, to, .. })) =
                        r.decode::<MatchingEvent>()
                        && w == worker
                    {
                        moved += i32::from(to) - i32::from(from);
                        rated = true;
                    }
                }
                // Reviews applied before `worker_rated` existed moved the rating by their changes.
                if !rated {
                    moved = step - rating_change;
                }
                let from = p.rating;
                p.rating = (i32::from(p.rating) - moved + step).clamp(0, 100) as u8;
                tx.update_worker_profile(&p)?;
                let e = MatchingEvent::WorkerRated { worker, order, from, to: p.rating };
                append(tx, stored.at, stored.actor, &e)?;
            }
            return Ok(());
        }
        let Some(event) = stored.decode::<OrderingEvent>()? else { return Ok(()) };
        match event {
            OrderingEvent::OrderCreated { order, client, service_type, zone, scheduled_at, .. } => {
                let (skills, timing) =
                    tx.service_type(&service_type)?.map(|s| (s.skills, s.timing)).unwrap_or_default();
                tx.upsert_match_order(&MatchOrder {
                    order,
                    client,
                    service_type,
                    skills,
                    zone,
                    scheduled_at,
                    timing,
                    status: OrderStatus::Open,
                    worker: None,
                })
            }
            OrderingEvent::OrderAssigned { order, worker, .. } => {
                update_order(tx, order, |o| (o.status, o.worker) = (OrderStatus::Assigned, Some(worker))).map(|_| ())
            }
            OrderingEvent::OrderCheckedIn { order, .. } => {
                update_order(tx, order, |o| o.status = OrderStatus::Active).map(|_| ())
            }
            OrderingEvent::OrderCompleted { order, worker, .. } => {
                let client = update_order(tx, order, |o| o.status = OrderStatus::Completed)?;
                tx.record_outcome(worker, client, true)
            }
            OrderingEvent::OrderFailed { order, worker, .. } => {
                let client = update_order(tx, order, |o| o.status = OrderStatus::Failed)?;
                match worker {
                    Some(w) => tx.record_outcome(w, client, false),
                    None => Ok(()),
                }
            }
            OrderingEvent::OrderCancelled { order, .. } => {
                update_order(tx, order, |o| o.status = OrderStatus::Cancelled).map(|_| ())
            }
            OrderingEvent::OrderReopened { order, .. } => {
                update_order(tx, order, |o| (o.status, o.worker) = (OrderStatus::Open, None)).map(|_| ())
            }
            _ => Ok(()),
        }
    }
}

fn set_status(tx: &mut (impl MatchingTx + ?Sized), worker: AccountId, status: WorkerStatus) -> Result<()> {
    if let Some(mut p) = tx.worker_profile(worker)? {
        p.status = status;
        tx.update_worker_profile(&p)?;
    }
    Ok(())
}

/// Changes matching's copy of an order; returns its client.
fn update_order(
    tx: &mut (impl MatchingTx + ?Sized),
    order: OrderId,
    change: impl FnOnce(&mut MatchOrder),
) -> Result<AccountId> {
    let mut o = tx.match_order(order)?.ok_or_else(|| Error::internal(format!("matching never saw order #{order}")))?;
    change(&mut o);
    tx.upsert_match_order(&o)?;
    Ok(o.client)
}
