//! [`MatchingRead`](crew_core::matching::MatchingRead) and
//! [`MatchingStore`](crew_core::matching::MatchingStore): worker profiles, matching's copies of orders, outcomes.

use crew_core::authz::Role;
use crew_core::error::ErrorKind;
use crew_core::ids::{AccountId, OrderId};
use crew_core::matching::time::{Slot, TimeOff};
use crew_core::matching::{MatchOrder, Outcome, WorkerFilter, WorkerProfile, WorkerStatus};
use crew_core::ordering::{OrderStatus, Timing};
use crew_core::settings::hours::WeeklyHours;
use crew_core::types::{Skill, Text};
use crew_core::wiring::{Store, Tx};

use super::{account, at, code, expect_err, read, skills, write, zone};

fn profile(worker: AccountId) -> WorkerProfile {
    WorkerProfile {
        worker,
        zone: zone("north"),
        skills: skills("cleaning:3;gardening:1"),
        capacity: 2,
        rating: 70,
        status: WorkerStatus::Active,
        load: 0,
        completed: 0,
        failed: 0,
        hired_at: at(2),
    }
}

fn worker(tx: &mut dyn Tx, login: &str) -> crew_core::Result<AccountId> {
    let id = account(tx, login, Role::Worker)?;
    tx.insert_worker_profile(&profile(id))?;
    Ok(id)
}

fn match_order(
    order: i64,
    client: AccountId,
    minutes: i64,
    status: OrderStatus,
    worker: Option<AccountId>,
) -> MatchOrder {
    MatchOrder {
        order: OrderId::new(order),
        client,
        service_type: code("cleaning"),
        skills: skills("cleaning:2"),
        zone: zone("north"),
        scheduled_at: at(minutes),
        timing: Timing { duration_minutes: 90, buffer_minutes: 15 },
        status,
        worker,
    }
}

fn workers(profiles: &[WorkerProfile]) -> Vec<AccountId> {
    profiles.iter().map(|p| p.worker).collect()
}

fn orders(copies: &[MatchOrder]) -> Vec<OrderId> {
    copies.iter().map(|o| o.order).collect()
}

pub(crate) fn an_account_without_a_profile_has_none<S: Store>(store: &mut S) {
    let (client, w) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, worker(tx, "wes")?)));
    let got = read(store, |tx| Ok((tx.worker_profile(client)?, tx.worker_profile(AccountId::new(w.get() + 1000))?)));
    assert_eq!(got, (None, None));
}

pub(crate) fn an_inserted_profile_reads_back_with_no_load_and_no_outcomes<S: Store>(store: &mut S) {
    let (wes, given) = write(store, |tx| {
        let wes = account(tx, "wes", Role::Worker)?;
        let given = WorkerProfile {
            zone: zone("south"),
            skills: skills("ironing:5"),
            capacity: 4,
            rating: 100,
            status: WorkerStatus::Suspended,
            hired_at: at(33),
            // Derived, never stored: what is passed in is not what is read back.
            load: 3,
            completed: 7,
            failed: 1,
            ..profile(wes)
        };
        tx.insert_worker_profile(&given)?;
        Ok((wes, given))
    });
    let expected = WorkerProfile { load: 0, completed: 0, failed: 0, ..given };
    assert_eq!(read(store, |tx| tx.worker_profile(wes)), Some(expected));
}

pub(crate) fn inserting_a_second_profile_for_a_worker_is_a_conflict<S: Store>(store: &mut S) {
    let wes = write(store, |tx| worker(tx, "wes"));
    let again = WorkerProfile { zone: zone("south"), ..profile(wes) };
    expect_err(store.write(|tx| tx.insert_worker_profile(&again)), ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.worker_profile(wes)), Some(profile(wes)));
}

pub(crate) fn profiles_are_listed_by_worker_id_and_filtered_by_zone_skill_and_status<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.worker_profiles(&WorkerFilter::default())).is_empty());
    // Accounts first, profiles in another order: the list follows the worker ids.
    let ids = write(store, |tx| {
        let ids = ["wes", "wyn", "wil", "wanda"]
            .into_iter()
            .map(|l| account(tx, l, Role::Worker))
            .collect::<crew_core::Result<Vec<_>>>()?;
        let plan = [
            (ids[3], "north", "cleaning:1", WorkerStatus::Active),
            (ids[1], "south", "cleaning:5;gardening:2", WorkerStatus::Active),
            (ids[0], "north", "gardening:4", WorkerStatus::Suspended),
            (ids[2], "north", "cleaning:3", WorkerStatus::Active),
        ];
        for (id, z, s, status) in plan {
            tx.insert_worker_profile(&WorkerProfile { zone: zone(z), skills: skills(s), status, ..profile(id) })?;
        }
        Ok(ids)
    });
    let mut all = ids.clone();
    all.sort();
    let sorted = |mut v: Vec<AccountId>| {
        v.sort();
        v
    };
    let cleaning = Some(Skill::parse("cleaning").unwrap());
    let cases = [
        (WorkerFilter::default(), all),
        (WorkerFilter { zone: Some(zone("north")), ..Default::default() }, sorted(vec![ids[0], ids[2], ids[3]])),
        // A skill at any level.
        (WorkerFilter { skill: cleaning.clone(), ..Default::default() }, sorted(vec![ids[1], ids[2], ids[3]])),
        (WorkerFilter { status: Some(WorkerStatus::Suspended), ..Default::default() }, vec![ids[0]]),
        (
            WorkerFilter { zone: Some(zone("north")), skill: cleaning.clone(), status: Some(WorkerStatus::Active) },
            sorted(vec![ids[2], ids[3]]),
        ),
        (WorkerFilter { zone: Some(zone("east")), ..Default::default() }, vec![]),
        (WorkerFilter { skill: Some(Skill::parse("ironing").unwrap()), ..Default::default() }, vec![]),
        (WorkerFilter { status: Some(WorkerStatus::Deactivated), ..Default::default() }, vec![]),
    ];
    for (filter, expected) in cases {
        assert_eq!(workers(&read(store, |tx| tx.worker_profiles(&filter))), expected, "{filter:?}");
    }
}

pub(crate) fn updating_a_profile_saves_zone_skills_capacity_rating_and_status<S: Store>(store: &mut S) {
    let (wes, wyn) = write(store, |tx| Ok((worker(tx, "wes")?, worker(tx, "wyn")?)));
    let changed = WorkerProfile {
        zone: zone("south"),
        skills: skills("ironing:4"),
        capacity: 5,
        rating: 0,
        status: WorkerStatus::Deactivated,
        hired_at: at(900),
        ..profile(wes)
    };
    write(store, |tx| tx.update_worker_profile(&changed));
    let got = read(store, |tx| Ok((tx.worker_profile(wes)?, tx.worker_profile(wyn)?)));
    assert_eq!(got, (Some(WorkerProfile { hired_at: at(2), ..changed }), Some(profile(wyn))), "hired_at stays");
}

pub(crate) fn updating_a_profile_that_does_not_exist_leaves_it_missing<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Worker));
    write(store, |tx| tx.update_worker_profile(&profile(ann)));
    assert_eq!(read(store, |tx| tx.worker_profile(ann)), None);
}

pub(crate) fn load_counts_the_workers_assigned_and_active_orders_and_is_never_stored<S: Store>(store: &mut S) {
    let (client, wes, wyn) =
        write(store, |tx| Ok((account(tx, "ann", Role::Client)?, worker(tx, "wes")?, worker(tx, "wyn")?)));
    write(store, |tx| {
        let plan = [
            (1, OrderStatus::Assigned, Some(wes)),
            (2, OrderStatus::Active, Some(wes)),
            (3, OrderStatus::Completed, Some(wes)),
            (4, OrderStatus::Failed, Some(wes)),
            (5, OrderStatus::Cancelled, Some(wes)),
            (6, OrderStatus::Assigned, Some(wyn)),
            (7, OrderStatus::Open, None),
        ];
        for (o, status, w) in plan {
            tx.upsert_match_order(&match_order(o, client, o, status, w))?;
        }
        Ok(())
    });
    let loads = |store: &mut S| {
        read(store, |tx| Ok((tx.worker_profile(wes)?.unwrap().load, tx.worker_profile(wyn)?.unwrap().load)))
    };
    assert_eq!(loads(store), (2, 1));
    // Saving a profile with some load changes nothing: the load follows the orders.
    write(store, |tx| tx.update_worker_profile(&WorkerProfile { load: 9, ..profile(wes) }));
    assert_eq!(loads(store), (2, 1));
    write(store, |tx| tx.upsert_match_order(&match_order(2, client, 2, OrderStatus::Completed, Some(wes))));
    assert_eq!(loads(store), (1, 1));
    let listed = read(store, |tx| tx.worker_profiles(&WorkerFilter::default()));
    assert_eq!(listed.iter().map(|p| (p.worker, p.load)).collect::<Vec<_>>(), [(wes, 1), (wyn, 1)]);
}

pub(crate) fn an_order_matching_never_saw_is_none<S: Store>(store: &mut S) {
    let client = write(store, |tx| account(tx, "ann", Role::Client));
    write(store, |tx| tx.upsert_match_order(&match_order(1, client, 0, OrderStatus::Open, None)));
    assert_eq!(read(store, |tx| tx.match_order(OrderId::new(2))), None);
}

pub(crate) fn an_upserted_match_order_reads_back_with_every_field<S: Store>(store: &mut S) {
    let (client, wes) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, worker(tx, "wes")?)));
    let open = MatchOrder {
        service_type: code("gardening"),
        skills: skills("gardening:4;cleaning:1"),
        zone: zone("south"),
        ..match_order(1, client, 45, OrderStatus::Open, None)
    };
    let assigned = match_order(2, client, 50, OrderStatus::Assigned, Some(wes));
    write(store, |tx| {
        tx.upsert_match_order(&open)?;
        tx.upsert_match_order(&assigned)
    });
    let got = read(store, |tx| Ok((tx.match_order(open.order)?, tx.match_order(assigned.order)?)));
    assert_eq!(got, (Some(open), Some(assigned)));
}

pub(crate) fn upserting_a_match_order_again_replaces_its_status_and_worker<S: Store>(store: &mut S) {
    let (client, wes) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, worker(tx, "wes")?)));
    let first = match_order(1, client, 45, OrderStatus::Open, None);
    let other = match_order(2, client, 46, OrderStatus::Open, None);
    write(store, |tx| {
        tx.upsert_match_order(&first)?;
        tx.upsert_match_order(&other)
    });
    let assigned = MatchOrder { status: OrderStatus::Assigned, worker: Some(wes), ..first.clone() };
    write(store, |tx| tx.upsert_match_order(&assigned));
    assert_eq!(read(store, |tx| tx.match_order(first.order)), Some(assigned));
    let reopened = MatchOrder { status: OrderStatus::Open, worker: None, ..first.clone() };
    write(store, |tx| tx.upsert_match_order(&reopened));
    let got = read(store, |tx| Ok((tx.match_order(first.order)?, tx.match_order(other.order)?)));
    assert_eq!(got, (Some(reopened), Some(other)));
}

pub(crate) fn open_match_orders_are_only_open_ones_by_time_then_order_id<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.open_match_orders()).is_empty());
    let (client, wes) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, worker(tx, "wes")?)));
    write(store, |tx| {
        // (order, minutes, status): saved in neither time nor id order.
        let plan = [
            (5, 30, OrderStatus::Open),
            (3, 10, OrderStatus::Open),
            (9, 20, OrderStatus::Open),
            (1, 30, OrderStatus::Open),
            (4, 20, OrderStatus::Open),
            (2, 5, OrderStatus::Assigned),
            (6, 5, OrderStatus::Completed),
            (8, 5, OrderStatus::Cancelled),
        ];
        for (o, minutes, status) in plan {
            let w = (status != OrderStatus::Open && status != OrderStatus::Cancelled).then_some(wes);
            tx.upsert_match_order(&match_order(o, client, minutes, status, w))?;
        }
        Ok(())
    });
    let open = read(store, |tx| tx.open_match_orders());
    assert_eq!(orders(&open), [3, 4, 9, 1, 5].map(OrderId::new));
    assert!(open.iter().all(|o| o.status == OrderStatus::Open));
    // An order that is taken leaves the list; one reopened comes back.
    write(store, |tx| {
        tx.upsert_match_order(&match_order(4, client, 20, OrderStatus::Assigned, Some(wes)))?;
        tx.upsert_match_order(&match_order(2, client, 5, OrderStatus::Open, None))
    });
    assert_eq!(orders(&read(store, |tx| tx.open_match_orders())), [2, 3, 9, 1, 5].map(OrderId::new));
}

pub(crate) fn there_are_no_outcomes_until_one_is_recorded<S: Store>(store: &mut S) {
    write(store, |tx| {
        worker(tx, "wes")?;
        account(tx, "ann", Role::Client)
    });
    assert!(read(store, |tx| tx.outcomes()).is_empty());
}

pub(crate) fn recorded_outcomes_add_up_per_worker_and_client<S: Store>(store: &mut S) {
    let (ann, bob, wes, wyn) = write(store, |tx| {
        Ok((
            account(tx, "ann", Role::Client)?,
            account(tx, "bob", Role::Client)?,
            worker(tx, "wes")?,
            worker(tx, "wyn")?,
        ))
    });
    write(store, |tx| {
        tx.record_outcome(wes, ann, true)?;
        tx.record_outcome(wes, ann, true)?;
        tx.record_outcome(wes, ann, false)?;
        tx.record_outcome(wes, bob, false)?;
        tx.record_outcome(wyn, bob, true)
    });
    let mut got = read(store, |tx| tx.outcomes());
    got.sort_by_key(|o| (o.worker, o.client));
    let mut expected = vec![
        Outcome { worker: wes, client: ann, completed: 2, failed: 1 },
        Outcome { worker: wes, client: bob, completed: 0, failed: 1 },
        Outcome { worker: wyn, client: bob, completed: 1, failed: 0 },
    ];
    expected.sort_by_key(|o| (o.worker, o.client));
    assert_eq!(got, expected);
    // A profile's totals are its outcomes with every client.
    let totals = read(store, |tx| {
        let t = |p: Option<WorkerProfile>| p.map(|p| (p.completed, p.failed));
        Ok((t(tx.worker_profile(wes)?), t(tx.worker_profile(wyn)?)))
    });
    assert_eq!(totals, (Some((2, 2)), Some((1, 0))));
}

pub(crate) fn held_slots_are_the_assigned_and_active_orders_with_their_timing_by_start<S: Store>(store: &mut S) {
    let (client, wes, wyn) =
        write(store, |tx| Ok((account(tx, "ann", Role::Client)?, worker(tx, "wes")?, worker(tx, "wyn")?)));
    write(store, |tx| {
        for (o, minutes, status, w) in [
            (1, 300, OrderStatus::Active, Some(wes)),
            (2, 100, OrderStatus::Assigned, Some(wes)),
            (3, 50, OrderStatus::Completed, Some(wes)),
            (4, 60, OrderStatus::Assigned, Some(wyn)),
            (5, 10, OrderStatus::Open, None),
        ] {
            tx.upsert_match_order(&match_order(o, client, minutes, status, w))?;
        }
        Ok(())
    });
    let held = read(store, |tx| tx.held_slots(wes));
    assert_eq!(held.iter().map(|s| s.order.get()).collect::<Vec<_>>(), [2, 1], "by start; held ones only");
    assert_eq!(held[0], Slot::new(OrderId::new(2), zone("north"), at(100), 90, 15), "with duration and buffer");
    assert!(read(store, |tx| tx.held_slots(client)).is_empty());
    let since = read(store, |tx| tx.held_slots_since(at(60)));
    let got: Vec<(AccountId, i64)> = since.iter().map(|(w, s)| (*w, s.order.get())).collect();
    assert_eq!(got, [(wes, 2), (wes, 1), (wyn, 4)], "by worker, then start; from `since` on");
}

pub(crate) fn a_workers_hours_are_set_replaced_and_cleared<S: Store>(store: &mut S) {
    let (wes, wyn) = write(store, |tx| Ok((worker(tx, "wes")?, worker(tx, "wyn")?)));
    assert_eq!(read(store, |tx| tx.worker_hours(wes)), None);
    let week = WeeklyHours::parse("mon-fri 08:00-17:00").unwrap();
    let sat = WeeklyHours::parse("sat 09:00-13:00").unwrap();
    write(store, |tx| tx.set_worker_hours(wyn, Some(&sat)));
    write(store, |tx| tx.set_worker_hours(wes, Some(&week)));
    assert_eq!(read(store, |tx| tx.worker_hours(wes)), Some(week.clone()));
    assert_eq!(read(store, |tx| tx.all_worker_hours()), [(wes, week), (wyn, sat.clone())]);
    write(store, |tx| tx.set_worker_hours(wes, Some(&sat)));
    assert_eq!(read(store, |tx| tx.worker_hours(wes)), Some(sat.clone()), "replaced");
    write(store, |tx| tx.set_worker_hours(wes, None));
    assert_eq!(read(store, |tx| tx.worker_hours(wes)), None, "cleared: the default applies");
    let client = write(store, |tx| account(tx, "ann", Role::Client));
    expect_err(store.write(|tx| tx.set_worker_hours(client, Some(&sat))), ErrorKind::Conflict);
}

pub(crate) fn time_off_is_added_listed_by_start_read_and_removed<S: Store>(store: &mut S) {
    let (wes, wyn) = write(store, |tx| Ok((worker(tx, "wes")?, worker(tx, "wyn")?)));
    let why = Text::parse("holiday").unwrap();
    let (a, b, c) = write(store, |tx| {
        Ok((
            tx.insert_time_off(wes, at(500), at(600), &why)?,
            tx.insert_time_off(wes, at(100), at(200), &why)?,
            tx.insert_time_off(wyn, at(0), at(50), &why)?,
        ))
    });
    assert!(a < b && b < c, "ids grow");
    let listed = read(store, |tx| tx.worker_time_off(wes));
    assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), [b, a], "by start");
    assert_eq!(
        read(store, |tx| tx.time_off(b)),
        Some(TimeOff { id: b, worker: wes, starts_at: at(100), ends_at: at(200), reason: why.clone() })
    );
    let since = read(store, |tx| tx.time_off_since(at(50)));
    assert_eq!(since.iter().map(|t| t.id).collect::<Vec<_>>(), [b, a], "ending after `since` only");
    write(store, |tx| tx.delete_time_off(b));
    write(store, |tx| tx.delete_time_off(b));
    assert_eq!(read(store, |tx| tx.time_off(b)), None);
    let client = write(store, |tx| account(tx, "ann", Role::Client));
    expect_err(store.write(|tx| tx.insert_time_off(client, at(0), at(1), &why)), ErrorKind::Conflict);
}
