//! Ordering's rules: service types and their import, who sees and changes which order, manual
//! assignment and its objections, the worker's own steps, the no-show sweep and its grace.

use std::collections::BTreeMap;

use chrono::Duration;
use crew_core::authz::{Actor, Role};
use crew_core::error::ErrorKind;
use crew_core::ids::OrderId;
use crew_core::imports::ImportSummary;
use crew_core::matching;
use crew_core::ordering::{self, Force, OrderFilter, OrderRequest, OrderStatus, OrderingEvent, Photo, ServiceTypeEdit};
use crew_core::types::{Login, Name, ServiceCode, Sha256Hex, SkillSet, Text};
use crew_core::wiring::{Event, Store, Tx};

use super::company::{Company, pricing, record, zone};
use super::{at, ctx, events, kind};

fn code(c: &str) -> ServiceCode {
    ServiceCode::parse(c).unwrap()
}

fn photo() -> Photo {
    Photo { path: "orders/1/in.jpg".into(), sha256: Sha256Hex::of(b"photo") }
}

/// A hired worker's login is their email; `wes` is `wes@x.example`; other logins as they are.
fn login(name: &str) -> Login {
    if name.contains('@') || name == "root" || name == "ghost" {
        Login::parse(name).unwrap()
    } else {
        Login::parse(&format!("{name}@x.example")).unwrap()
    }
}

fn worker_actor(c: &mut Company, name: &str) -> Actor {
    let login = login(name);
    c.store.read(|tx: &mut dyn Tx| tx.account_by_login(&login)).unwrap().unwrap().actor()
}

fn status(c: &mut Company, id: OrderId) -> OrderStatus {
    c.store.read(|tx: &mut dyn Tx| tx.order(id)).unwrap().unwrap().status
}

fn no_neighbours() -> BTreeMap<crew_core::types::Zone, Vec<crew_core::types::Zone>> {
    BTreeMap::new()
}

fn assign(c: &mut Company, id: OrderId, worker: &str, force: Option<&str>) -> crew_core::Result<ordering::Order> {
    let a = c.admin.clone();
    let login = login(worker);
    let force = force.map(|r| Force { reason: Text::parse(r).unwrap() });
    c.try_run(|tx| {
        ordering::assign(tx, &ctx(&a, at(2)), &pricing(), &no_neighbours(), &Default::default(), id, &login, force)
    })
}

/// A check-in window wide enough that only the order's state decides.
fn any_time() -> chrono::Duration {
    chrono::Duration::days(3650)
}

#[test]
fn service_types_are_added_edited_retired_and_listed() {
    let mut c = Company::new();
    let a = c.admin.clone();
    let add = |c: &mut Company, code_: &str| {
        c.try_run(|tx| {
            ordering::add_service_type(
                tx,
                &ctx(&a, at(1)),
                code(code_),
                Name::parse("X").unwrap(),
                Text::default(),
                SkillSet::default(),
                ordering::Timing::DEFAULT,
            )
        })
    };
    assert_eq!(kind(add(&mut c, "clean")), ErrorKind::Conflict);
    add(&mut c, "cook").unwrap();
    let edit = |c: &mut Company, e: ServiceTypeEdit| {
        c.try_run(|tx| ordering::edit_service_type(tx, &ctx(&a, at(1)), &code("cook"), e))
    };
    assert_eq!(kind(edit(&mut c, ServiceTypeEdit::default())), ErrorKind::BadInput, "nothing to change");
    let named =
        edit(&mut c, ServiceTypeEdit { name: Some(Name::parse("Cooking").unwrap()), ..ServiceTypeEdit::default() })
            .unwrap();
    assert_eq!(named.name.as_str(), "Cooking");
    let described = edit(
        &mut c,
        ServiceTypeEdit { description: Some(Text::parse("meals").unwrap()), ..ServiceTypeEdit::default() },
    )
    .unwrap();
    assert_eq!((described.name.as_str(), described.description.as_str()), ("Cooking", "meals"));
    c.run(|tx| ordering::retire_service_type(tx, &ctx(&a, at(1)), &code("cook")));
    let again = c.try_run(|tx| ordering::retire_service_type(tx, &ctx(&a, at(1)), &code("cook")));
    assert_eq!(kind(again), ErrorKind::Conflict);
    let skills = Some(SkillSet::parse("cooking:2").unwrap());
    assert_eq!(
        kind(edit(&mut c, ServiceTypeEdit { skills, ..ServiceTypeEdit::default() })),
        ErrorKind::Conflict,
        "retired"
    );
    let list = |c: &mut Company, all| {
        c.run(|tx| ordering::list_service_types(tx, &ctx(&a, at(1)), all))
            .into_iter()
            .map(|s| s.code.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(list(&mut c, false), ["clean"]);
    assert_eq!(list(&mut c, true), ["clean", "cook"]);
    let ghost = c.try_run(|tx| ordering::retire_service_type(tx, &ctx(&a, at(1)), &code("ghost")));
    assert_eq!(kind(ghost), ErrorKind::NotFound);
}

#[test]
fn a_service_type_import_counts_each_row_as_created_updated_or_unchanged() {
    let mut c = Company::new();
    let a = c.admin.clone();
    let rows = [
        record(&[("code", "clean"), ("name", "Cleaning"), ("skills", "cleaning:3")]),
        record(&[("code", "cook"), ("name", "Cooking")]),
        record(&[("code", "walk"), ("name", "Walking"), ("skills", "walking:1")]),
    ];
    let s = c.run(|tx| ordering::import_service_types(tx, &ctx(&a, at(1)), &rows));
    assert_eq!(s, ImportSummary { created: 2, unchanged: 1, ..ImportSummary::default() });
    let rows = [
        record(&[("code", "clean"), ("name", "Cleaning"), ("skills", "cleaning:4")]),
        record(&[("code", "cook"), ("name", "Cooking"), ("description", "meals")]),
        record(&[("code", "walk"), ("name", "Dog walking"), ("skills", "walking:1")]),
    ];
    let s = c.run(|tx| ordering::import_service_types(tx, &ctx(&a, at(2)), &rows));
    assert_eq!(s, ImportSummary { updated: 3, ..ImportSummary::default() }, "skills, description, name each count");
    c.run(|tx| ordering::retire_service_type(tx, &ctx(&a, at(3)), &code("walk")));
    let rows = [record(&[("code", "walk"), ("name", "Walks")])];
    let s = c.run(|tx| ordering::import_service_types(tx, &ctx(&a, at(4)), &rows));
    assert_eq!(s, ImportSummary { unchanged: 1, ..ImportSummary::default() }, "a retired type is left alone");
    let bad = [record(&[("code", "x y"), ("name", "Bad")])];
    let e = c.try_run(|tx| ordering::import_service_types(tx, &ctx(&a, at(4)), &bad)).unwrap_err();
    assert!(e.to_string().contains("line 2"), "{e}");
}

#[test]
fn clients_see_and_change_only_their_own_orders_and_workers_only_their_jobs() {
    let mut c = Company::new();
    let mine = c.order("north", 24);
    let a = c.admin.clone();
    let row = record(&[("name", "Tom"), ("email", "tom@x.example"), ("zone", "north")]);
    c.run(|tx| crew_core::iam::import_clients(tx, &ctx(&a, at(0)), &[row], &mut ()));
    let tom = worker_actor(&mut c, "tom@x.example");
    let duchess = c.client();
    let toms = c.run(|tx| {
        let req = OrderRequest {
            service_type: code("clean"),
            zone: None,
            scheduled_at: at(24 * 60),
            description: Text::default(),
        };
        ordering::create_order(tx, &ctx(&tom, at(1)), &pricing(), req)
    });
    assert_eq!(toms.zone.as_str(), "north", "the client's own zone by default");
    let show = |c: &mut Company, who: &Actor, id| c.try_run(|tx| ordering::show_order(tx, &ctx(who, at(2)), id));
    assert!(show(&mut c, &duchess, mine).is_ok());
    assert_eq!(kind(show(&mut c, &duchess, toms.id)), ErrorKind::NotAllowed);
    assert!(show(&mut c, &a, toms.id).is_ok());
    let listed = |c: &mut Company, who: &Actor| {
        c.run(|tx| ordering::list_orders(tx, &ctx(who, at(2)), OrderFilter::default()))
            .iter()
            .map(|o| o.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&mut c, &duchess), [mine]);
    assert_eq!(listed(&mut c, &a), [mine, toms.id]);
    let cancel =
        |c: &mut Company, who: &Actor, id| c.try_run(|tx| ordering::cancel(tx, &ctx(who, at(3)), id, Text::default()));
    assert_eq!(kind(cancel(&mut c, &duchess, toms.id)), ErrorKind::NotAllowed);
    let copy = c.try_run(|tx| ordering::copy_order(tx, &ctx(&duchess, at(3)), &pricing(), toms.id, at(48 * 60)));
    assert_eq!(kind(copy), ErrorKind::NotAllowed);
    // Workers: their own jobs only.
    c.hire("wes", "north", "cleaning:3", 2, 50);
    c.hire("ann", "north", "cleaning:3", 2, 50);
    assign(&mut c, mine, "wes", None).unwrap();
    let (wes, ann) = (worker_actor(&mut c, "wes"), worker_actor(&mut c, "ann"));
    assert!(show(&mut c, &wes, mine).is_ok());
    assert_eq!(kind(show(&mut c, &ann, mine)), ErrorKind::NotAllowed);
    assert_eq!(listed(&mut c, &wes), [mine]);
    assert!(listed(&mut c, &ann).is_empty());
    let check_in = |c: &mut Company, who: &Actor| {
        c.try_run(|tx| ordering::check_in(tx, &ctx(who, at(4)), mine, photo(), any_time()))
    };
    assert_eq!(kind(check_in(&mut c, &ann)), ErrorKind::NotAllowed);
    let fail = |c: &mut Company, who: &Actor| {
        c.try_run(|tx| ordering::fail(tx, &ctx(who, at(5)), mine, Text::parse("flood").unwrap()))
    };
    assert_eq!(kind(fail(&mut c, &ann)), ErrorKind::NotAllowed, "another worker cannot fail it");
    check_in(&mut c, &wes).unwrap();
    let complete =
        |c: &mut Company, who: &Actor| c.try_run(|tx| ordering::complete(tx, &ctx(who, at(5)), mine, photo()));
    assert_eq!(kind(complete(&mut c, &ann)), ErrorKind::NotAllowed);
    assert_eq!(fail(&mut c, &wes).unwrap().status, OrderStatus::Failed, "its worker can");
}

#[test]
fn a_manager_fails_any_order_and_a_worker_only_with_a_reason() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 2, 50);
    let (one, two) = (c.order("north", 24), c.order("north", 25));
    assign(&mut c, one, "wes", None).unwrap();
    assign(&mut c, two, "wes", None).unwrap();
    let a = c.admin.clone();
    let wes = worker_actor(&mut c, "wes");
    let no_reason = c.try_run(|tx| ordering::fail(tx, &ctx(&wes, at(3)), one, Text::default()));
    assert_eq!(kind(no_reason), ErrorKind::BadInput);
    c.run(|tx| ordering::fail(tx, &ctx(&a, at(3)), two, Text::parse("client away").unwrap()));
    assert_eq!(status(&mut c, two), OrderStatus::Failed);
    let e = c.try_run(|tx| ordering::cancel(tx, &ctx(&a, at(4)), two, Text::default())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(
        e.message,
        format!("order #{two} is failed; it cannot be cancelled (only an order that is open or assigned can)")
    );
    let reopened = c.run(|tx| ordering::reopen(tx, &ctx(&a, at(4)), two));
    assert_eq!((reopened.status, reopened.worker, reopened.price), (OrderStatus::Open, None, None));
    let e = c.try_run(|tx| ordering::reopen(tx, &ctx(&a, at(4)), two)).unwrap_err();
    assert_eq!(
        e.message,
        format!("order #{two} is open; it cannot be reopened (only an order that is assigned or failed can)")
    );
}

#[test]
fn an_assigned_order_is_reassigned_to_another_worker_but_not_to_the_same_one() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 2, 50);
    c.hire("ann", "north", "cleaning:3", 2, 50);
    let o = c.order("north", 24);
    assign(&mut c, o, "wes", None).unwrap();
    let e = assign(&mut c, o, "wes", None).unwrap_err();
    assert_eq!(
        (e.kind, e.message.clone()),
        (ErrorKind::Conflict, format!("order #{o} is already assigned to `wes@x.example`"))
    );
    let moved = assign(&mut c, o, "ann", None).unwrap();
    assert_eq!(moved.worker, Some(worker_actor(&mut c, "ann").id));
    // Once its worker has checked in, the order is theirs: not assigned again, to anyone.
    let ann = worker_actor(&mut c, "ann");
    c.run(|tx| ordering::check_in(tx, &ctx(&ann, at(3)), o, photo(), any_time()));
    for who in ["ann", "wes"] {
        let e = assign(&mut c, o, who, None).unwrap_err();
        assert_eq!(
            e.message,
            format!("order #{o} is active; it cannot be assigned (only an order that is open or assigned can)"),
            "{who}"
        );
    }
}

#[test]
fn a_copy_is_the_same_order_at_a_new_time() {
    let mut c = Company::new();
    let first = c.order("south", 24);
    let duchess = c.client();
    let copy = c.run(|tx| ordering::copy_order(tx, &ctx(&duchess, at(3)), &pricing(), first, at(72 * 60)));
    assert_eq!((copy.copied_from, copy.zone.as_str(), copy.scheduled_at), (Some(first), "south", at(72 * 60)));
    assert_eq!(copy.quote, pricing().base_price);
    assert_eq!(copy.status, OrderStatus::Open);
}

#[test]
fn a_client_cancelling_after_assignment_is_recorded_as_such() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 2, 50);
    let (open, assigned) = (c.order("north", 24), c.order("north", 25));
    assign(&mut c, assigned, "wes", None).unwrap();
    let duchess = c.client();
    for id in [open, assigned] {
        c.run(|tx| ordering::cancel(tx, &ctx(&duchess, at(3)), id, Text::default()));
    }
    let flags: Vec<(OrderId, bool)> = events(&mut c.store)
        .iter()
        .filter_map(|e| match e {
            Event::Ordering(OrderingEvent::OrderCancelled { order, after_assignment, .. }) => {
                Some((*order, *after_assignment))
            }
            _ => None,
        })
        .collect();
    assert_eq!(flags, [(open, false), (assigned, true)]);
}

#[test]
fn a_manual_assignment_is_refused_for_every_rule_matching_keeps_unless_forced_with_a_reason() {
    let mut c = Company::new();
    c.hire("weak", "south", "cleaning:2", 1, 50);
    let o = c.order("north", 24);
    let e = assign(&mut c, o, "weak", None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("lacks cleaning:3 (has cleaning:2)"), "{e}");
    assert!(e.message.contains("works in south, not in north"), "{e}");
    assert_eq!(status(&mut c, o), OrderStatus::Open);
    let no_reason = assign(&mut c, o, "weak", Some(""));
    assert_eq!(kind(no_reason), ErrorKind::BadInput);
    assign(&mut c, o, "weak", Some("only one free")).unwrap();
    let forced = events(&mut c.store).into_iter().rev().find_map(|e| match e {
        Event::Ordering(OrderingEvent::OrderAssigned { forced, .. }) => Some(forced),
        _ => None,
    });
    let forced = forced.flatten().expect("the override is recorded");
    assert_eq!(forced.reason.as_str(), "only one free");
    assert_eq!(forced.overridden.len(), 2);
    // The override shows to those who read the log, not to the client.
    let a = c.admin.clone();
    let duchess = c.client();
    let order = c.store.read(|tx: &mut dyn Tx| tx.order(o)).unwrap().unwrap();
    let seen = |c: &mut Company, who: &Actor| c.run(|tx| ordering::forced_assignment(tx, &ctx(who, at(3)), &order));
    assert!(seen(&mut c, &a).is_some());
    assert!(seen(&mut c, &duchess).is_none());
    // At the daily maximum, and busy at the same time (an hour from 08:00 UTC).
    let o2 = c.order("south", 24);
    let e = assign(&mut c, o2, "weak", None).unwrap_err();
    assert!(e.message.contains("day limit of 1 reached on 2026-12-01"), "{e}");
    assert!(e.message.contains(&format!("busy with #{o} 08:00–09:00")), "{e}");
    // Not a worker, unknown, the same worker again.
    assert_eq!(kind(assign(&mut c, o2, "root", None)), ErrorKind::BadInput);
    assert_eq!(kind(assign(&mut c, o2, "ghost", None)), ErrorKind::NotFound);
    assert_eq!(kind(assign(&mut c, o, "weak", Some("again"))), ErrorKind::Conflict, "already theirs");
    // Another order of the same worker, assigned later with another reason: each order shows
    // its own override, not the worker's newest.
    let plain = c.order("north", 30);
    assign(&mut c, plain, "weak", Some("second")).unwrap();
    assert_eq!(seen(&mut c, &a).map(|f| f.reason.to_string()), Some("only one free".to_string()));
}

#[test]
fn an_order_whose_time_has_passed_is_refused_by_hand_as_by_matching_unless_forced() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 5, 50);
    let o = c.order("north", 1); // at 09:00
    let a = c.admin.clone();
    let wes = login("wes");
    let at_time = |c: &mut Company, now, force: Option<&str>| {
        let force = force.map(|r| Force { reason: Text::parse(r).unwrap() });
        c.try_run(|tx| {
            ordering::assign(tx, &ctx(&a, now), &pricing(), &no_neighbours(), &Default::default(), o, &wes, force)
        })
    };
    // Due exactly now is passed (matching takes only orders after now), and so is later.
    for now in [at(60), at(61), at(60 * 24 * 6)] {
        let e = at_time(&mut c, now, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert!(e.message.contains("the order's time (2026-11-30 09:00 UTC) has passed"), "{e}");
        assert_eq!(status(&mut c, o), OrderStatus::Open);
    }
    // Forced, the override names the passed time (and only it: wes is otherwise eligible).
    at_time(&mut c, at(61), Some("the client is still waiting")).unwrap();
    let forced = events(&mut c.store).into_iter().rev().find_map(|e| match e {
        Event::Ordering(OrderingEvent::OrderAssigned { forced, .. }) => Some(forced),
        _ => None,
    });
    let forced = forced.flatten().expect("the override is recorded");
    assert_eq!(forced.overridden, ["the order's time (2026-11-30 09:00 UTC) has passed"]);
    // A minute before its time, the same assignment needs no force.
    let o2 = c.order("north", 3);
    let e2 = c.try_run(|tx| {
        ordering::assign(tx, &ctx(&a, at(179)), &pricing(), &no_neighbours(), &Default::default(), o2, &wes, None)
    });
    assert!(e2.is_ok(), "{e2:?}");
}

#[test]
fn a_neighbour_may_be_assigned_by_hand_as_matching_would_relax() {
    let mut c = Company::new();
    c.hire("southie", "south", "cleaning:3", 2, 50);
    let o = c.order("north", 24);
    let a = c.admin.clone();
    let login = login("southie");
    let neighbours = BTreeMap::from([(zone("north"), vec![zone("south")])]);
    c.run(|tx| ordering::assign(tx, &ctx(&a, at(2)), &pricing(), &neighbours, &Default::default(), o, &login, None));
    let relaxation = events(&mut c.store).into_iter().rev().find_map(|e| match e {
        Event::Ordering(OrderingEvent::OrderAssigned { relaxation, forced, .. }) => Some((relaxation, forced)),
        _ => None,
    });
    assert_eq!(relaxation, Some((Some("neighbouring zone south".to_string()), None)));
}

#[test]
fn a_suspended_or_deactivated_worker_is_refused_even_when_forced() {
    let mut c = Company::new();
    let w = c.hire("wes", "north", "cleaning:3", 2, 50);
    let o = c.order("north", 24);
    let a = c.admin.clone();
    c.run(|tx| matching::suspend(tx, &ctx(&a, at(1)), w, Text::parse("x").unwrap()));
    assert_eq!(kind(assign(&mut c, o, "wes", Some("urgent"))), ErrorKind::Conflict);
    c.run(|tx| matching::reinstate(tx, &ctx(&a, at(1)), w));
    c.run(|tx| crew_core::iam::deactivate(tx, &ctx(&a, at(1)), &login("wes")));
    assert_eq!(kind(assign(&mut c, o, "wes", Some("urgent"))), ErrorKind::Conflict);
}

#[test]
fn a_worker_is_a_no_show_only_after_the_time_plus_the_grace() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 3, 50);
    let o = c.order("north", 2); // 10:00
    assign(&mut c, o, "wes", None).unwrap();
    let a = c.admin.clone();
    let grace = Duration::minutes(15);
    let sweep = |c: &mut Company, minutes| c.run(|tx| ordering::sweep_no_shows(tx, &ctx(&a, at(minutes)), grace));
    let unassigned = c.order("north", 2); // open at the same time: not the sweep's business
    assert!(sweep(&mut c, 135).no_shows.is_empty(), "10:15 is still in time");
    assert_eq!(sweep(&mut c, 136).no_shows, [o], "10:16 is not");
    assert_eq!(status(&mut c, o), OrderStatus::Failed);
    assert_eq!(status(&mut c, unassigned), OrderStatus::Open);
    assert!(sweep(&mut c, 200).no_shows.is_empty(), "a failed order is not failed again");
    let offered = events(&mut c.store)
        .iter()
        .any(|e| matches!(e, Event::Ordering(OrderingEvent::CopyOffered { order, .. }) if *order == o));
    assert!(offered, "the client is offered a copy");
}

#[test]
fn the_sweep_takes_orders_back_from_workers_who_can_no_longer_work_them() {
    let mut c = Company::new();
    let w = c.hire("wes", "north", "cleaning:3", 3, 50);
    c.hire("ann", "north", "cleaning:3", 3, 50);
    let (one, two, three) = (c.order("north", 24), c.order("north", 25), c.order("north", 26));
    assign(&mut c, one, "wes", None).unwrap();
    assign(&mut c, two, "ann", None).unwrap();
    let a = c.admin.clone();
    let sweep = |c: &mut Company| c.run(|tx| ordering::sweep_no_shows(tx, &ctx(&a, at(10)), Duration::minutes(15)));
    assert!(sweep(&mut c).reopened.is_empty(), "everyone can work");
    c.run(|tx| matching::suspend(tx, &ctx(&a, at(5)), w, Text::parse("x").unwrap()));
    assert_eq!(sweep(&mut c).reopened, [one]);
    c.run(|tx| crew_core::iam::deactivate(tx, &ctx(&a, at(5)), &login("ann")));
    assert_eq!(sweep(&mut c).reopened, [two]);
    assert_eq!([status(&mut c, one), status(&mut c, two), status(&mut c, three)], [OrderStatus::Open; 3]);
}

#[test]
fn the_sweep_is_for_those_who_run_the_cycles() {
    let mut c = Company::new();
    let duchess = c.client();
    let r = c.try_run(|tx| ordering::sweep_no_shows(tx, &ctx(&duchess, at(10)), Duration::minutes(15)));
    assert_eq!(kind(r), ErrorKind::NotAllowed);
    let wes = c.hire("wes", "north", "cleaning:3", 3, 50);
    let as_worker = Actor { id: wes, login: login("wes"), role: Role::Worker };
    let r = c.try_run(|tx| ordering::sweep_no_shows(tx, &ctx(&as_worker, at(10)), Duration::minutes(15)));
    assert_eq!(kind(r), ErrorKind::NotAllowed, "a worker cannot sweep away their own no-show");
}

/// The check-in window: the company's default is 60 minutes; 61 minutes before the start is a
/// conflict that names when check-in opens and changes nothing, exactly 60 is accepted, and a
/// late check-in (after the start) is accepted too.
#[test]
fn a_check_in_opens_sixty_minutes_before_the_start_by_default_and_not_a_minute_earlier() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 2, 50);
    let (early, late) = (c.order("north", 24), c.order("north", 26));
    assign(&mut c, early, "wes", None).unwrap();
    assign(&mut c, late, "wes", None).unwrap();
    let wes = worker_actor(&mut c, "wes");
    let minutes = c.store.read(|tx: &mut dyn Tx| crew_core::settings::rules(tx)).unwrap().check_in_window_minutes;
    assert_eq!(minutes, 60, "the company's default window");
    let window = Duration::minutes(i64::from(minutes));
    let check_in =
        |c: &mut Company, id, now| c.try_run(|tx| ordering::check_in(tx, &ctx(&wes, now), id, photo(), window));
    let refused = check_in(&mut c, early, at(24 * 60 - 61)).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Conflict);
    assert_eq!(
        refused.message,
        format!(
            "too early to check in to order #{early}: check-in opens at 2026-12-01 07:00 UTC, 60 minutes before its start"
        )
    );
    assert_eq!(status(&mut c, early), OrderStatus::Assigned, "a refused check-in changes nothing");
    assert_eq!(check_in(&mut c, early, at(24 * 60 - 60)).unwrap().status, OrderStatus::Active);
    assert_eq!(check_in(&mut c, late, at(26 * 60 + 5)).unwrap().status, OrderStatus::Active, "late is accepted");
}
