//! [`SuppliesRead`](crew_core::supplies::SuppliesRead) and
//! [`SuppliesStore`](crew_core::supplies::SuppliesStore): bills of materials, stock, kits.

use crew_core::authz::Role;
use crew_core::error::ErrorKind;
use crew_core::ids::{AccountId, KitId, OrderId};
use crew_core::supplies::{BomLine, CookieStatus, ItemCode, KitFilter, KitLine, KitStatus, NewKit, StockItem};
use crew_core::wiring::{Store, Tx};

use super::{account, at, code, expect_err, order, read, service_type, write, zone};

fn item(raw: &str) -> ItemCode {
    ItemCode::parse(raw).unwrap()
}

fn bom(lines: &[(&str, u32)]) -> Vec<BomLine> {
    lines.iter().map(|(i, q)| BomLine { item: item(i), quantity: *q }).collect()
}

/// A client, a worker, a service type and `n` orders scheduled 60, 120, … minutes in.
fn orders(tx: &mut dyn Tx, n: i64) -> crew_core::Result<(AccountId, AccountId, Vec<OrderId>)> {
    let client = account(tx, "ann", Role::Client)?;
    let worker = account(tx, "tom", Role::Worker)?;
    service_type(tx, "cleaning")?;
    let ids = (1..=n).map(|i| order(tx, client, "cleaning", 60 * i)).collect::<crew_core::Result<_>>()?;
    Ok((client, worker, ids))
}

fn new_kit(order: OrderId, client: AccountId, worker: AccountId, minutes: i64) -> NewKit {
    NewKit {
        order,
        client,
        worker,
        service_type: code("cleaning"),
        zone: zone("north"),
        scheduled_at: at(minutes),
        lines: vec![
            KitLine { item: item("gloves"), quantity: 2, reserved: Some(1) },
            KitLine { item: item("sponge"), quantity: 1, reserved: None },
        ],
        opened_at: at(5),
    }
}

pub(crate) fn a_service_type_without_a_bill_of_materials_has_an_empty_one<S: Store>(store: &mut S) {
    let lines = read(store, |tx| tx.bill_of_materials(&code("cleaning")));
    assert!(lines.is_empty());
}

pub(crate) fn a_set_bill_of_materials_reads_back_in_its_order_and_is_replaced_whole<S: Store>(store: &mut S) {
    write(store, |tx| {
        tx.set_bill_of_materials(&code("cleaning"), &bom(&[("sponge", 1), ("gloves", 2)]))?;
        tx.set_bill_of_materials(&code("gardening"), &bom(&[("rake", 1)]))
    });
    assert_eq!(read(store, |tx| tx.bill_of_materials(&code("cleaning"))), bom(&[("sponge", 1), ("gloves", 2)]));
    write(store, |tx| tx.set_bill_of_materials(&code("cleaning"), &bom(&[("bucket", 3)])));
    assert_eq!(read(store, |tx| tx.bill_of_materials(&code("cleaning"))), bom(&[("bucket", 3)]));
    write(store, |tx| tx.set_bill_of_materials(&code("cleaning"), &[]));
    assert!(read(store, |tx| tx.bill_of_materials(&code("cleaning"))).is_empty());
    assert_eq!(read(store, |tx| tx.bill_of_materials(&code("gardening"))), bom(&[("rake", 1)]));
}

pub(crate) fn a_bill_of_materials_listing_an_item_twice_is_a_conflict_and_keeps_the_old_one<S: Store>(store: &mut S) {
    write(store, |tx| tx.set_bill_of_materials(&code("cleaning"), &bom(&[("sponge", 1)])));
    let outcome = store.write(|tx| {
        let r = tx.set_bill_of_materials(&code("cleaning"), &bom(&[("gloves", 1), ("gloves", 2)]));
        let seen = tx.bill_of_materials(&code("cleaning"))?;
        Ok((r.map_err(|e| e.kind), seen))
    });
    let (r, seen) = outcome.unwrap();
    assert_eq!(r, Err(ErrorKind::Conflict));
    assert_eq!(seen, bom(&[("sponge", 1)]));
}

pub(crate) fn an_untracked_item_has_no_stock_and_put_stock_tracks_then_replaces_it<S: Store>(store: &mut S) {
    assert_eq!(read(store, |tx| tx.stock_item(&item("gloves"))), None);
    write(store, |tx| {
        tx.put_stock(&StockItem { item: item("sponge"), on_hand: 5, reserved: 0 })?;
        tx.put_stock(&StockItem { item: item("gloves"), on_hand: 3, reserved: 1 })
    });
    write(store, |tx| tx.put_stock(&StockItem { item: item("gloves"), on_hand: 4, reserved: 4 }));
    let all = read(store, |tx| tx.stock());
    assert_eq!(
        all,
        [
            StockItem { item: item("gloves"), on_hand: 4, reserved: 4 },
            StockItem { item: item("sponge"), on_hand: 5, reserved: 0 }
        ]
    );
}

pub(crate) fn stock_with_more_reserved_than_on_hand_is_a_conflict_and_changes_nothing<S: Store>(store: &mut S) {
    write(store, |tx| tx.put_stock(&StockItem { item: item("gloves"), on_hand: 1, reserved: 1 }));
    let e = store.write(|tx| tx.put_stock(&StockItem { item: item("gloves"), on_hand: 1, reserved: 2 }));
    expect_err(e, ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.stock_item(&item("gloves"))).unwrap().reserved, 1);
}

pub(crate) fn a_missing_kit_is_none<S: Store>(store: &mut S) {
    assert_eq!(read(store, |tx| tx.kit(KitId::new(1))), None);
}

pub(crate) fn an_inserted_kit_reads_back_open_with_its_cookie_not_ordered_under_its_key<S: Store>(store: &mut S) {
    let (client, worker, ids) = write(store, |tx| orders(tx, 2));
    let (a, b) = write(store, |tx| {
        let a = tx.insert_kit(&new_kit(ids[0], client, worker, 60), &|k| format!("key-{k}"))?;
        let b = tx.insert_kit(&new_kit(ids[1], client, worker, 120), &|k| format!("key-{k}"))?;
        Ok((a, b))
    });
    assert!(b > a);
    let kit = read(store, |tx| tx.kit(a)).unwrap();
    let expected = new_kit(ids[0], client, worker, 60);
    assert_eq!((kit.order, kit.client, kit.worker), (ids[0], client, Some(worker)));
    assert_eq!((kit.service_type, kit.zone, kit.scheduled_at), (expected.service_type, expected.zone, at(60)));
    assert_eq!(kit.lines, expected.lines);
    assert_eq!((kit.status, kit.opened_at, kit.updated_at, kit.issued_at), (KitStatus::Open, at(5), at(5), None));
    assert_eq!(kit.cookie.key, format!("key-{a}"));
    assert_eq!((kit.cookie.status, kit.cookie.attempts, kit.cookie.contractor_id), (CookieStatus::NotOrdered, 0, None));
}

pub(crate) fn a_second_kit_with_a_used_cookie_key_is_a_conflict<S: Store>(store: &mut S) {
    let (client, worker, ids) = write(store, |tx| orders(tx, 2));
    write(store, |tx| tx.insert_kit(&new_kit(ids[0], client, worker, 60), &|_| "same".into()));
    let e = store.write(|tx| tx.insert_kit(&new_kit(ids[1], client, worker, 120), &|_| "same".into()));
    expect_err(e, ErrorKind::Conflict);
}

pub(crate) fn an_order_has_at_most_one_open_kit_beside_issued_ones<S: Store>(store: &mut S) {
    let (client, worker, ids) = write(store, |tx| orders(tx, 1));
    let first = write(store, |tx| tx.insert_kit(&new_kit(ids[0], client, worker, 60), &|k| format!("key-{k}")));
    let e = store.write(|tx| tx.insert_kit(&new_kit(ids[0], client, worker, 60), &|k| format!("key-{k}")));
    expect_err(e, ErrorKind::Conflict);
    let mut kit = read(store, |tx| tx.kit(first)).unwrap();
    kit.status = KitStatus::Issued;
    write(store, |tx| tx.update_kit(&kit));
    let second = write(store, |tx| tx.insert_kit(&new_kit(ids[0], client, worker, 60), &|k| format!("key-{k}")));
    assert!(second > first);
}

pub(crate) fn updating_a_kit_saves_worker_lines_status_cookie_and_times<S: Store>(store: &mut S) {
    let (client, worker, ids) = write(store, |tx| orders(tx, 1));
    let id = write(store, |tx| tx.insert_kit(&new_kit(ids[0], client, worker, 60), &|k| format!("key-{k}")));
    let mut kit = read(store, |tx| tx.kit(id)).unwrap();
    kit.lines[0].reserved = Some(2);
    kit.status = KitStatus::Issued;
    kit.cookie.status = CookieStatus::Ready;
    kit.cookie.contractor_id = Some("c-1".into());
    kit.cookie.attempts = 3;
    kit.issued_at = Some(at(30));
    kit.updated_at = at(30);
    write(store, |tx| tx.update_kit(&kit));
    assert_eq!(read(store, |tx| tx.kit(id)).unwrap(), kit);
    kit.status = KitStatus::Cancelled;
    kit.worker = None;
    write(store, |tx| tx.update_kit(&kit));
    assert_eq!(read(store, |tx| tx.kit(id)).unwrap(), kit);
}

pub(crate) fn updating_a_missing_kit_is_not_found<S: Store>(store: &mut S) {
    let (client, worker, ids) = write(store, |tx| orders(tx, 1));
    let id = write(store, |tx| tx.insert_kit(&new_kit(ids[0], client, worker, 60), &|k| format!("key-{k}")));
    let mut kit = read(store, |tx| tx.kit(id)).unwrap();
    kit.id = KitId::new(id.get() + 1);
    expect_err(store.write(|tx| tx.update_kit(&kit)), ErrorKind::NotFound);
}

pub(crate) fn kits_are_listed_by_time_then_id_and_filtered_by_status_order_and_worker<S: Store>(store: &mut S) {
    let (client, worker, ids) = write(store, |tx| orders(tx, 3));
    let (a, b, c) = write(store, |tx| {
        let other = account(tx, "tia", Role::Worker)?;
        let a = tx.insert_kit(&new_kit(ids[0], client, worker, 120), &|k| format!("key-{k}"))?;
        let b = tx.insert_kit(&new_kit(ids[1], client, other, 60), &|k| format!("key-{k}"))?;
        let c = tx.insert_kit(&new_kit(ids[2], client, worker, 120), &|k| format!("key-{k}"))?;
        let mut kit = tx.kit(c)?.unwrap();
        kit.status = KitStatus::Cancelled;
        tx.update_kit(&kit)?;
        Ok((a, b, c))
    });
    let list = |store: &mut S, f: KitFilter| read(store, |tx| tx.kits(&f)).iter().map(|k| k.id).collect::<Vec<_>>();
    assert_eq!(list(store, KitFilter::default()), [b, a, c]);
    assert_eq!(list(store, KitFilter { status: Some(KitStatus::Open), ..KitFilter::default() }), [b, a]);
    assert_eq!(list(store, KitFilter { order: Some(ids[2]), ..KitFilter::default() }), [c]);
    assert_eq!(list(store, KitFilter { worker: Some(worker), ..KitFilter::default() }), [a, c]);
    assert!(list(store, KitFilter { order: Some(OrderId::new(99)), ..KitFilter::default() }).is_empty());
}
