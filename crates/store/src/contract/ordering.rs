//! [`OrderingRead`](crew_core::ordering::OrderingRead) and
//! [`OrderingStore`](crew_core::ordering::OrderingStore): service types and orders.

use crew_core::authz::Role;
use crew_core::error::ErrorKind;
use crew_core::ids::{AccountId, OrderId};
use crew_core::ordering::{Order, OrderFilter, OrderStatus, Photo, ServiceType, Timing};
use crew_core::types::{Money, Sha256Hex};
use crew_core::wiring::Store;

use super::{
    account, at, code, expect_err, name, new_order, new_service_type, order, read, service_type, skills, text, write,
    zone,
};

fn ids(orders: &[Order]) -> Vec<OrderId> {
    orders.iter().map(|o| o.id).collect()
}

fn photo(path: &str) -> Photo {
    Photo { path: path.to_string(), sha256: Sha256Hex::of(path.as_bytes()) }
}

pub(crate) fn a_missing_service_type_is_none<S: Store>(store: &mut S) {
    write(store, |tx| service_type(tx, "cleaning"));
    assert_eq!(read(store, |tx| tx.service_type(&code("gardening"))), None);
}

pub(crate) fn an_inserted_service_type_reads_back_not_retired_with_every_field<S: Store>(store: &mut S) {
    let mut new = new_service_type("cleaning");
    new.skills = skills("cleaning:3;ironing:1");
    new.timing = Timing { duration_minutes: 90, buffer_minutes: 15 };
    new.created_at = at(17);
    let id = write(store, |tx| tx.insert_service_type(&new));
    let expected = ServiceType {
        id,
        code: new.code.clone(),
        name: new.name.clone(),
        description: new.description.clone(),
        skills: new.skills.clone(),
        timing: new.timing,
        retired: false,
        created_at: at(17),
    };
    assert_eq!(read(store, |tx| tx.service_type(&code("cleaning"))), Some(expected));
}

pub(crate) fn service_types_are_listed_by_code_ascending_retired_ones_too<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.service_types()).is_empty());
    write(store, |tx| {
        for c in ["windows", "cleaning", "moving", "gardening"] {
            service_type(tx, c)?;
        }
        Ok(())
    });
    write(store, |tx| {
        let mut moving = tx.service_type(&code("moving"))?.unwrap();
        moving.retired = true;
        tx.update_service_type(&moving)
    });
    let codes: Vec<String> = read(store, |tx| tx.service_types()).iter().map(|s| s.code.to_string()).collect();
    assert_eq!(codes, ["cleaning", "gardening", "moving", "windows"]);
}

pub(crate) fn inserting_a_taken_service_type_code_is_a_conflict<S: Store>(store: &mut S) {
    write(store, |tx| service_type(tx, "cleaning"));
    let mut again = new_service_type("cleaning");
    again.name = name("Another cleaning");
    expect_err(store.write(|tx| tx.insert_service_type(&again)), ErrorKind::Conflict);
    let all = read(store, |tx| tx.service_types());
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name, name("cleaning service"));
}

pub(crate) fn updating_a_service_type_saves_name_description_skills_and_retired_only<S: Store>(store: &mut S) {
    write(store, |tx| {
        service_type(tx, "cleaning")?;
        service_type(tx, "gardening")
    });
    let before = read(store, |tx| tx.service_type(&code("cleaning"))).unwrap();
    let gardening = read(store, |tx| tx.service_type(&code("gardening"))).unwrap();
    let changed = ServiceType {
        name: name("Deep cleaning"),
        description: text("Everything, twice."),
        skills: skills("cleaning:5"),
        retired: true,
        created_at: at(500),
        ..before.clone()
    };
    write(store, |tx| tx.update_service_type(&changed));
    let (got, other) =
        read(store, |tx| Ok((tx.service_type(&code("cleaning"))?, tx.service_type(&code("gardening"))?)));
    assert_eq!(got, Some(ServiceType { created_at: before.created_at, ..changed }), "its creation time stays");
    assert_eq!(other, Some(gardening));
}

pub(crate) fn a_missing_order_is_none<S: Store>(store: &mut S) {
    let id = write(store, |tx| {
        let ann = account(tx, "ann", Role::Client)?;
        service_type(tx, "cleaning")?;
        order(tx, ann, "cleaning", 60)
    });
    assert_eq!(read(store, |tx| tx.order(OrderId::new(id.get() + 1000))), None);
}

pub(crate) fn an_inserted_order_reads_back_open_without_worker_with_every_field<S: Store>(store: &mut S) {
    let (ann, first) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Client)?;
        service_type(tx, "cleaning")?;
        Ok((ann, order(tx, ann, "cleaning", 30)?))
    });
    let mut new = new_order(ann, "cleaning", 90);
    new.zone = zone("south");
    new.description = text("");
    new.quote = Money::from_cents(12_345);
    new.copied_from = Some(first);
    new.created_at = at(7);
    let id = write(store, |tx| tx.insert_order(&new));
    let expected = Order {
        id,
        client: ann,
        service_type: code("cleaning"),
        zone: zone("south"),
        scheduled_at: at(90),
        description: text(""),
        status: OrderStatus::Open,
        worker: None,
        quote: Money::from_cents(12_345),
        price: None,
        copied_from: Some(first),
        check_in_photo: None,
        completion_photo: None,
        reason: None,
        created_at: at(7),
        // Not updated since it was placed.
        updated_at: at(7),
    };
    assert_eq!(read(store, |tx| tx.order(id)), Some(expected));
}

pub(crate) fn each_inserted_order_gets_an_id_greater_than_every_earlier_one<S: Store>(store: &mut S) {
    let mut ids = write(store, |tx| {
        let ann = account(tx, "ann", Role::Client)?;
        service_type(tx, "cleaning")?;
        (0..3).map(|i| order(tx, ann, "cleaning", 100 - i)).collect::<crew_core::Result<Vec<_>>>()
    });
    ids.extend(write(store, |tx| {
        let ann = tx.accounts(Some(Role::Client))?[0].id;
        (0..2).map(|i| order(tx, ann, "cleaning", 10 - i)).collect::<crew_core::Result<Vec<_>>>()
    }));
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

pub(crate) fn inserting_an_order_for_a_missing_client_is_a_conflict<S: Store>(store: &mut S) {
    let ann = write(store, |tx| {
        service_type(tx, "cleaning")?;
        account(tx, "ann", Role::Client)
    });
    let nobody = AccountId::new(ann.get() + 1000);
    expect_err(store.write(|tx| order(tx, nobody, "cleaning", 60)), ErrorKind::Conflict);
    assert!(read(store, |tx| tx.orders(&OrderFilter::default())).is_empty());
}

pub(crate) fn inserting_an_order_of_a_missing_service_type_is_a_conflict<S: Store>(store: &mut S) {
    let ann = write(store, |tx| {
        service_type(tx, "cleaning")?;
        account(tx, "ann", Role::Client)
    });
    expect_err(store.write(|tx| order(tx, ann, "gardening", 60)), ErrorKind::Conflict);
    assert!(read(store, |tx| tx.orders(&OrderFilter::default())).is_empty());
}

pub(crate) fn updating_an_order_saves_its_life_and_keeps_what_was_ordered<S: Store>(store: &mut S) {
    let (id, other, worker) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Client)?;
        let worker = account(tx, "wes", Role::Worker)?;
        service_type(tx, "cleaning")?;
        service_type(tx, "gardening")?;
        Ok((order(tx, ann, "cleaning", 60)?, order(tx, ann, "cleaning", 70)?, worker))
    });
    let placed = read(store, |tx| tx.order(id)).unwrap();
    let untouched = read(store, |tx| tx.order(other)).unwrap();
    let lived = Order {
        status: OrderStatus::Failed,
        worker: Some(worker),
        price: Some(Money::from_cents(9_900)),
        check_in_photo: Some(photo("orders/1/check-in.jpg")),
        completion_photo: Some(photo("orders/1/done.jpg")),
        reason: Some(text("The dog ate the mop.")),
        updated_at: at(300),
        ..placed.clone()
    };
    write(store, |tx| tx.update_order(&lived));
    assert_eq!(read(store, |tx| tx.order(id)), Some(lived.clone()));
    // What was ordered is not the update's to change.
    let rewritten = Order {
        client: worker,
        service_type: code("gardening"),
        zone: zone("south"),
        scheduled_at: at(999),
        description: text("Something else."),
        quote: Money::from_cents(1),
        copied_from: Some(other),
        created_at: at(999),
        ..lived.clone()
    };
    write(store, |tx| tx.update_order(&rewritten));
    assert_eq!(read(store, |tx| tx.order(id)), Some(lived));
    assert_eq!(read(store, |tx| tx.order(other)), Some(untouched));
    // And back to open: worker, price, photos and reason cleared.
    let reopened = Order { updated_at: at(400), ..placed };
    write(store, |tx| tx.update_order(&reopened));
    assert_eq!(read(store, |tx| tx.order(id)), Some(reopened));
}

pub(crate) fn an_assigned_or_active_order_without_a_worker_is_a_conflict<S: Store>(store: &mut S) {
    let id = write(store, |tx| {
        let ann = account(tx, "ann", Role::Client)?;
        service_type(tx, "cleaning")?;
        order(tx, ann, "cleaning", 60)
    });
    let placed = read(store, |tx| tx.order(id)).unwrap();
    for status in [OrderStatus::Assigned, OrderStatus::Active] {
        let bad = Order { status, worker: None, updated_at: at(200), ..placed.clone() };
        expect_err(store.write(|tx| tx.update_order(&bad)), ErrorKind::Conflict);
    }
    assert_eq!(read(store, |tx| tx.order(id)), Some(placed));
}

/// Orders of two clients, three of them assigned to two workers, scheduled in id order.
struct Book {
    ann: AccountId,
    bob: AccountId,
    wes: AccountId,
    wyn: AccountId,
    /// (id, client, status, worker), by id.
    orders: Vec<(OrderId, AccountId, OrderStatus, Option<AccountId>)>,
}

impl Book {
    fn build<S: Store>(store: &mut S) -> Book {
        write(store, |tx| {
            let ann = account(tx, "ann", Role::Client)?;
            let bob = account(tx, "bob", Role::Client)?;
            let wes = account(tx, "wes", Role::Worker)?;
            let wyn = account(tx, "wyn", Role::Worker)?;
            service_type(tx, "cleaning")?;
            let plan = [
                (ann, OrderStatus::Open, None),
                (bob, OrderStatus::Assigned, Some(wes)),
                (ann, OrderStatus::Assigned, Some(wyn)),
                (ann, OrderStatus::Completed, Some(wes)),
                (bob, OrderStatus::Open, None),
                (bob, OrderStatus::Cancelled, None),
            ];
            let mut orders = Vec::new();
            for (i, (client, status, worker)) in plan.into_iter().enumerate() {
                let id = order(tx, client, "cleaning", 60 + i as i64)?;
                if status != OrderStatus::Open {
                    let mut o = tx.order(id)?.unwrap();
                    o.status = status;
                    o.worker = worker;
                    tx.update_order(&o)?;
                }
                orders.push((id, client, status, worker));
            }
            Ok(Book { ann, bob, wes, wyn, orders })
        })
    }

    fn expected(&self, keep: impl Fn(&(OrderId, AccountId, OrderStatus, Option<AccountId>)) -> bool) -> Vec<OrderId> {
        let mut ids: Vec<OrderId> = self.orders.iter().filter(|o| keep(o)).map(|o| o.0).collect();
        ids.sort();
        ids
    }
}

pub(crate) fn orders_are_filtered_by_status_client_and_worker<S: Store>(store: &mut S) {
    let book = Book::build(store);
    let filters = [
        (OrderFilter::default(), book.expected(|_| true)),
        (
            OrderFilter { status: Some(OrderStatus::Open), ..Default::default() },
            book.expected(|o| o.2 == OrderStatus::Open),
        ),
        (OrderFilter { client: Some(book.ann), ..Default::default() }, book.expected(|o| o.1 == book.ann)),
        (OrderFilter { worker: Some(book.wes), ..Default::default() }, book.expected(|o| o.3 == Some(book.wes))),
        (
            OrderFilter { status: Some(OrderStatus::Assigned), client: Some(book.bob), ..Default::default() },
            book.expected(|o| o.2 == OrderStatus::Assigned && o.1 == book.bob),
        ),
        (
            OrderFilter {
                status: Some(OrderStatus::Assigned),
                worker: Some(book.wyn),
                client: Some(book.ann),
                limit: None,
            },
            book.expected(|o| o.2 == OrderStatus::Assigned && o.3 == Some(book.wyn) && o.1 == book.ann),
        ),
        (OrderFilter { status: Some(OrderStatus::Failed), ..Default::default() }, vec![]),
        (OrderFilter { client: Some(book.wes), ..Default::default() }, vec![]),
    ];
    for (filter, expected) in filters {
        assert_eq!(ids(&read(store, |tx| tx.orders(&filter))), expected, "{filter:?}");
    }
}

pub(crate) fn orders_are_at_most_the_limit<S: Store>(store: &mut S) {
    let book = Book::build(store);
    let all = book.expected(|_| true);
    for limit in [0, 1, 3, all.len(), all.len() + 5] {
        let got = ids(&read(store, |tx| tx.orders(&OrderFilter { limit: Some(limit), ..Default::default() })));
        assert_eq!(got, all[..limit.min(all.len())], "limit {limit}");
    }
    let bobs = book.expected(|o| o.1 == book.bob);
    let got = ids(&read(store, |tx| {
        tx.orders(&OrderFilter { client: Some(book.bob), limit: Some(2), ..Default::default() })
    }));
    assert_eq!(got, bobs[..2]);
}
