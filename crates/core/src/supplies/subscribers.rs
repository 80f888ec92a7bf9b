//! Supplies' reactions to ordering's events: a kit per assignment, moved, held and cancelled
//! with its order, in the same transaction as the order's change.

use super::{Cookie, CookieStatus, KitFilter, KitLine, KitStatus, NewKit, SuppliesEvent, SuppliesTx};
use crate::error::{Error, Result};
use crate::ids::{AccountId, EventSeq, KitId, OrderId};
use crate::kernel::command::{Subscriber, append};
use crate::kernel::events::RecordedEvent;
use crate::ordering::OrderingEvent;

/// Opens a kit when an order is assigned (reserving tracked items as far as stock allows, so two
/// kits never reserve the same unit: every write transaction runs alone), moves it when the order
/// goes to another worker (unless it was issued: that kit stays with the worker who has it and the
/// new worker gets a new kit, `KitOpened` naming the issued one; when the order goes back to the
/// worker holding the issued kit, the open kit is closed, `KitCancelled` naming the issued one),
/// holds it without a worker when the order is reopened, and cancels it
/// (returning its reserved units, `KitCancelled`) when the order ends (is cancelled, fails or is
/// completed) before the kit is issued.
/// A kit's cookie is never ordered twice: a moved or held kit keeps its cookie and its key.
pub struct Kits;

impl<T: SuppliesTx + ?Sized> Subscriber<T> for Kits {
    fn name(&self) -> &'static str {
        // Started at the end of the log by migration 0012: orders assigned before supplies
        // existed get no kit.
        "supplies.kits"
    }

    fn handle(&self, tx: &mut T, stored: &RecordedEvent) -> Result<()> {
        let Some(event) = stored.decode::<OrderingEvent>()? else { return Ok(()) };
        match event {
            OrderingEvent::OrderAssigned { order, worker, .. } => match current_kit(tx, order)? {
                Some(kit) if kit.worker == Some(worker) => Ok(()),
                // The worker who has it keeps it; the new worker gets a kit of their own.
                Some(kit) if kit.status == KitStatus::Issued => open_kit(tx, stored, order, worker, Some(kit.id)),
                // An open kit follows the order, unless the order went back to the worker who still
                // holds its issued kit: they have their kit, so the open one made for someone else
                // in between is closed and its stock returned.
                Some(kit) => match issued_kit_of(tx, order, worker)? {
                    Some(held) => close_kit(tx, stored, order, kit, Some(held)),
                    None => move_kit(tx, stored, order, kit, worker),
                },
                None => open_kit(tx, stored, order, worker, None),
            },
            OrderingEvent::OrderReopened { order, .. } => {
                let Some(mut kit) = current_kit(tx, order)? else { return Ok(()) };
                if kit.status != KitStatus::Open || kit.worker.is_none() {
                    return Ok(());
                }
                let from = kit.worker.take();
                kit.updated_at = stored.at;
                tx.update_kit(&kit)?;
                let e = SuppliesEvent::KitReassigned { kit: kit.id, order, from, to: None };
                append(tx, stored.at, stored.actor, &e).map(|_| ())
            }
            OrderingEvent::OrderCancelled { order, .. }
            | OrderingEvent::OrderFailed { order, .. }
            | OrderingEvent::OrderCompleted { order, .. } => {
                let Some(kit) = current_kit(tx, order)? else { return Ok(()) };
                if kit.status != KitStatus::Open {
                    return Ok(());
                }
                close_kit(tx, stored, order, kit, None)
            }
            _ => Ok(()),
        }
    }
}

/// Moves an open kit to another worker.
fn move_kit(
    tx: &mut (impl SuppliesTx + ?Sized),
    stored: &RecordedEvent,
    order: OrderId,
    mut kit: super::Kit,
    worker: AccountId,
) -> Result<()> {
    let from = kit.worker;
    kit.worker = Some(worker);
    kit.updated_at = stored.at;
    tx.update_kit(&kit)?;
    let e = SuppliesEvent::KitReassigned { kit: kit.id, order, from, to: Some(worker) };
    append(tx, stored.at, stored.actor, &e).map(|_| ())
}

/// The order's kit issued to `worker` (who still has it), if any.
fn issued_kit_of(tx: &mut (impl SuppliesTx + ?Sized), order: OrderId, worker: AccountId) -> Result<Option<KitId>> {
    let kits = tx.kits(&KitFilter { order: Some(order), ..KitFilter::default() })?;
    Ok(kits.into_iter().find(|k| k.status == KitStatus::Issued && k.worker == Some(worker)).map(|k| k.id))
}

/// Closes an open kit unissued, returning its reserved units: its order ended, or
/// (`back_to_issued`) the order went back to the worker who holds its issued kit.
fn close_kit(
    tx: &mut (impl SuppliesTx + ?Sized),
    stored: &RecordedEvent,
    order: OrderId,
    mut kit: super::Kit,
    back_to_issued: Option<KitId>,
) -> Result<()> {
    let mut returned = Vec::new();
    for line in &mut kit.lines {
        let Some(reserved) = line.reserved.filter(|r| *r > 0) else { continue };
        let mut stock = tx
            .stock_item(&line.item)?
            .ok_or_else(|| Error::internal(format!("kit #{} reserved {} with no stock", kit.id, line.item)))?;
        stock.reserved = stock.reserved.checked_sub(reserved).ok_or_else(|| {
            Error::internal(format!("the stock of {} holds fewer reservations than kit #{}", line.item, kit.id))
        })?;
        tx.put_stock(&stock)?;
        returned.push(super::BomLine { item: line.item.clone(), quantity: reserved });
        line.reserved = Some(0);
    }
    kit.status = KitStatus::Cancelled;
    kit.updated_at = stored.at;
    let cookie_ordered = kit.cookie.status != CookieStatus::NotOrdered;
    tx.update_kit(&kit)?;
    let e = SuppliesEvent::KitCancelled { kit: kit.id, order, returned, cookie_ordered, back_to_issued };
    append(tx, stored.at, stored.actor, &e).map(|_| ())
}

/// The order's kit that is not cancelled, if any (an order has at most one).
fn current_kit(tx: &mut (impl SuppliesTx + ?Sized), order: OrderId) -> Result<Option<super::Kit>> {
    let kits = tx.kits(&KitFilter { order: Some(order), ..KitFilter::default() })?;
    Ok(kits.into_iter().rev().find(|k| k.status != KitStatus::Cancelled))
}

fn open_kit(
    tx: &mut (impl SuppliesTx + ?Sized),
    stored: &RecordedEvent,
    order: OrderId,
    worker: crate::ids::AccountId,
    issued_kit: Option<crate::ids::KitId>,
) -> Result<()> {
    let o = tx.order(order)?.ok_or_else(|| Error::internal(format!("order #{order} was assigned but is missing")))?;
    let mut lines = Vec::new();
    for line in tx.bill_of_materials(&o.service_type)? {
        let reserved = match tx.stock_item(&line.item)? {
            Some(mut stock) => {
                let take = line.quantity.min(stock.available());
                stock.reserved += take;
                tx.put_stock(&stock)?;
                Some(take)
            }
            None => None,
        };
        lines.push(KitLine { item: line.item, quantity: line.quantity, reserved });
    }
    let new = NewKit {
        order,
        client: o.client,
        worker,
        service_type: o.service_type.clone(),
        zone: o.zone.clone(),
        scheduled_at: o.scheduled_at,
        lines: lines.clone(),
        opened_at: stored.at,
    };
    let seq = stored.seq;
    let installation = tx.installation_key()?;
    let key = |kit| cookie_key(&installation, kit, seq);
    // The kit is stored under exactly this key (`SuppliesStore::insert_kit`): no need to read it back.
    let id = tx.insert_kit(&new, &key)?;
    let e = SuppliesEvent::KitOpened { kit: id, order, worker, lines, cookie_key: key(id), issued_kit };
    append(tx, stored.at, stored.actor, &e).map(|_| ())
}

/// A new kit's cookie: not ordered, under `key`.
pub fn new_cookie(key: String) -> Cookie {
    Cookie {
        key,
        status: CookieStatus::NotOrdered,
        contractor_id: None,
        ready_at: None,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
        sandbox: false,
    }
}

/// A kit's cookie key: `crew-{installation}-kit-{kit}-{seq}`, `seq` being the log position of the
/// assignment that opened the kit. The installation key keeps two databases' kits apart at the
/// contractor (see [`crate::kernel::installation`]).
pub fn cookie_key(installation: &str, kit: KitId, seq: EventSeq) -> String {
    format!("crew-{installation}-kit-{kit}-{seq}")
}
