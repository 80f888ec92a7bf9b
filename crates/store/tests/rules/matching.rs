//! Matching's rules: who is a candidate (skills at their level, zone, spare capacity, active),
//! orders whose time has passed, neighbouring zones, the cycle's choice and its refusal of a
//! stale batch, profiles, explanations.

use std::collections::BTreeMap;

use crew_core::authz::Role;
use crew_core::error::ErrorKind;
use crew_core::iam;
use crew_core::ids::{AccountId, OrderId};
use crew_core::matching::{self, MatchingEvent, ProfileEdit, Settings, Step, Verdict, WorkerFilter, WorkerStatus};
use crew_core::ordering::{self, OrderStatus, OrderingEvent};
use crew_core::quality;
use crew_core::types::{Money, SkillSet, Text};
use crew_core::wiring::{Event, Store, Tx};

use super::company::{Company, by_rating, pricing, zone};
use super::{at, ctx, events, kind};

#[test]
fn a_candidate_has_every_skill_at_its_level_in_the_orders_zone_with_room_to_spare() {
    let mut c = Company::new();
    let exact = c.hire("exact", "north", "cleaning:3", 1, 50);
    c.hire("below", "north", "cleaning:2;cooking:5", 1, 99);
    c.hire("elsewhere", "south", "cleaning:5", 1, 99);
    let o = c.order("north", 24);
    let (assigned, _) = c.cycle(&by_rating(), 1);
    assert_eq!(
        assigned,
        BTreeMap::from([(o, exact)]),
        "level 3 meets a need of 3; level 2 does not; south is not north"
    );
    let o2 = c.order("north", 25);
    let (assigned, open) = c.cycle(&by_rating(), 2);
    assert!(assigned.is_empty());
    assert_eq!(
        open[&o2],
        "all 1 qualified worker(s) are unavailable then: exact@x.example day limit of 1 reached on 2026-12-01"
    );
}

#[test]
fn why_nobody_can_take_an_order_names_the_first_rule_that_rules_everyone_out() {
    let mut c = Company::new();
    let o = c.order("east", 24);
    let (_, open) = c.cycle(&by_rating(), 1);
    assert_eq!(open[&o], "no active worker in zone east");
    c.hire("weak", "east", "cleaning:1", 1, 50);
    let (_, open) = c.cycle(&by_rating(), 2);
    assert_eq!(open[&o], "none of the 1 active workers in east has cleaning:3");
}

#[test]
fn an_order_whose_time_has_come_is_not_matched() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 5, 50);
    let now = c.order("north", 2); // 10:00
    let later = c.order("north", 3);
    let (assigned, open) = c.cycle(&by_rating(), 120);
    assert_eq!(assigned.keys().copied().collect::<Vec<_>>(), [later], "an order at exactly now has passed");
    assert!(open[&now].contains("has passed"), "{}", open[&now]);
    let (assigned, _) = c.cycle(&by_rating(), 119);
    assert_eq!(assigned.keys().copied().collect::<Vec<_>>(), [now], "a minute before, it is matched");
}

#[test]
fn the_cycle_serves_the_most_orders_then_the_earliest_then_the_best_scores() {
    let mut c = Company::new();
    let good = c.hire("good", "north", "cleaning:3", 1, 90);
    let poor = c.hire("poor", "north", "cleaning:3", 1, 10);
    // One day, three orders apart in time; each worker takes one a day.
    let first = c.order("north", 24);
    let second = c.order("north", 26);
    let third = c.order("north", 28);
    let (assigned, open) = c.cycle(&by_rating(), 1);
    assert_eq!(assigned, BTreeMap::from([(first, good), (second, poor)]));
    assert_eq!(
        open[&third],
        "its 2 candidates are booked by this plan that day: good@x.example with #1 at 08:00; poor@x.example with #2 at 10:00"
    );
    let events = events(&mut c.store);
    let ran = events.iter().rev().find_map(|e| match e {
        Event::Matching(MatchingEvent::MatchingRan { assigned, left_open, relaxed }) => {
            Some((*assigned, *left_open, *relaxed))
        }
        _ => None,
    });
    assert_eq!(ran, Some((2, 1, 0)));
    let prices: Vec<Money> = events
        .iter()
        .filter_map(|e| match e {
            Event::Ordering(OrderingEvent::OrderAssigned { price, .. }) => Some(*price),
            _ => None,
        })
        .collect();
    assert_eq!(prices, [pricing().base_price; 2]);
}

#[test]
fn a_worker_needed_for_an_earlier_order_leaves_the_later_one_open_with_that_reason() {
    let mut c = Company::new();
    let only = c.hire("only", "north", "cleaning:3", 1, 50);
    // Two orders, one worker with room for one, who qualifies for both.
    let early = c.order("north", 24);
    let late = c.order("north", 30);
    let report = c
        .store
        .read(|tx: &mut dyn Tx| {
            let batch = matching::prepare(tx, &by_rating(), None, at(1))?;
            let decision = matching::plan(&batch)?;
            matching::report(tx, &batch, &decision, &pricing(), true)
        })
        .unwrap();
    assert!(report.dry_run);
    assert_eq!(report.assigned.iter().map(|x| (x.order, x.worker)).collect::<Vec<_>>(), [(early, only)]);
    assert_eq!(report.assigned[0].score, 0.5);
    let reasons: Vec<(OrderId, &str)> = report.left_open.iter().map(|l| (l.order, l.reason.as_str())).collect();
    assert_eq!(reasons, [(late, "its 1 candidate is booked by this plan that day: only@x.example with #1 at 08:00")]);
}

#[test]
fn an_open_orders_reason_names_three_candidates_and_counts_the_rest() {
    let mut c = Company::new();
    for name in ["w1", "w2", "w3", "w4"] {
        c.hire(name, "north", "cleaning:3", 1, 50);
    }
    // Five orders one day apart by hours; each worker takes one a day: the last stays open.
    let orders: Vec<OrderId> = [24, 26, 28, 30, 32].into_iter().map(|h| c.order("north", h)).collect();
    let (assigned, open) = c.cycle(&by_rating(), 1);
    assert_eq!(assigned.len(), 4);
    let reason = &open[&orders[4]];
    assert!(reason.starts_with("its 4 candidates are booked by this plan that day: "), "{reason}");
    assert!(reason.ends_with("; and 1 more"), "{reason}");
    assert_eq!(reason.matches("@x.example with #").count(), 3, "{reason}");
}

#[test]
fn neighbouring_zones_are_candidates_beside_the_zone_and_in_zone_workers_win_at_equal_service() {
    let mut c = Company::new();
    let south = c.hire("southie", "south", "cleaning:3", 2, 90);
    let settings = Settings {
        steps: vec![Step::built_in("rating", 1.0)],
        neighbours: BTreeMap::from([(zone("north"), vec![zone("west"), zone("south")])]),
        time: Default::default(),
    };
    let o = c.order("north", 24);
    let a = c.admin.clone();
    let report = c.run(|tx| {
        let batch = matching::prepare(tx, &settings, None, at(1))?;
        let decision = matching::plan(&batch)?;
        matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing())
    });
    assert_eq!(report.assigned.iter().map(|x| (x.order, x.worker)).collect::<Vec<_>>(), [(o, south)]);
    assert_eq!(report.assigned[0].relaxation.as_deref(), Some("neighbouring zone south"));
    // With a worker of its own zone free, the neighbour (who has room too) is not chosen, however
    // better rated: a neighbouring-zone pair costs more than any in-zone pair.
    let own = c.hire("northie", "north", "cleaning:3", 1, 10);
    let o2 = c.order("north", 25);
    let (assigned, _) = c.cycle(&settings, 2);
    assert_eq!(assigned, BTreeMap::from([(o2, own)]));
    // Nobody anywhere: the reason names the neighbours too.
    let o3 = c.order("north", 26);
    let (_, open) = c.cycle(
        &Settings {
            steps: by_rating().steps,
            neighbours: BTreeMap::from([(zone("north"), vec![zone("west")])]),
            time: Default::default(),
        },
        3,
    );
    assert_eq!(
        open[&o3],
        "all 1 qualified worker(s) are unavailable then: northie@x.example day limit of 1 reached on 2026-12-01"
    );
}

#[test]
fn an_assignment_names_the_neighbouring_zone_its_worker_came_from() {
    let mut c = Company::new();
    let southie = c.hire("southie", "south", "cleaning:3", 1, 40);
    let westie = c.hire("westie", "west", "cleaning:3", 1, 90);
    let settings = Settings {
        steps: vec![Step::built_in("rating", 1.0)],
        neighbours: BTreeMap::from([(zone("north"), vec![zone("south"), zone("west")])]),
        time: Default::default(),
    };
    let o = c.order("north", 24);
    // Explain names every neighbouring zone with a candidate, in the configured order, and
    // every candidate with its total (rounded to thousandths), best first.
    let explained =
        c.store.read(|tx: &mut dyn Tx| matching::explain(&matching::prepare(tx, &settings, Some(o), at(1))?)).unwrap();
    assert_eq!(explained.relaxation.as_deref(), Some("neighbouring zone south, west"));
    let totals: Vec<(AccountId, f64)> = explained.candidates.iter().map(|x| (x.worker, x.total)).collect();
    assert_eq!(totals, [(westie, 0.9), (southie, 0.4)]);
    let a = c.admin.clone();
    let report = c.run(|tx| {
        let batch = matching::prepare(tx, &settings, None, at(1))?;
        let decision = matching::plan(&batch)?;
        matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing())
    });
    let got: Vec<(OrderId, AccountId, Option<&str>)> =
        report.assigned.iter().map(|x| (x.order, x.worker, x.relaxation.as_deref())).collect();
    assert_eq!(got, [(o, westie, Some("neighbouring zone west"))], "the better-rated worker, from the second zone");
}

#[test]
fn weights_scale_the_scores_and_the_costs() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 2, 25);
    c.order("north", 24);
    let doubled =
        Settings { steps: vec![Step::built_in("rating", 2.0)], neighbours: BTreeMap::new(), time: Default::default() };
    let batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &doubled, None, at(1))).unwrap();
    assert_eq!(batch.total(0), 0.5, "a rating of 25 scores 0.25, weighed twice");
    assert_eq!(batch.cost(0), 1500, "2.0 possible, 0.5 scored: 1.5 missed, in thousandths");
    // Leaving order r of n open costs A + D·(n − r), D = (the largest pair cost)·(n + 1) and
    // A = D·(n + 2) (`open_costs`): here n = 1, and the largest pair cost, a neighbouring-zone pair
    // missing the whole score, is 2·(2000 + 1).
    let d = 2 * 2001 * 2;
    assert_eq!(matching::open_costs(&batch).unwrap(), [d * 3 + d]);
}

#[test]
fn the_cycle_reads_its_steps_and_neighbours_from_the_companys_rules() {
    let mut c = Company::new();
    let a = c.admin.clone();
    let defaults = c.store.read(|tx: &mut dyn Tx| matching::settings(tx)).unwrap();
    assert_eq!(defaults.steps, matching::steps::default_steps());
    assert!(defaults.neighbours.is_empty());
    c.run(|tx| crew_core::settings::set(tx, &ctx(&a, at(1)), "matching.neighbours", "north: south"));
    c.run(|tx| crew_core::settings::set(tx, &ctx(&a, at(1)), "matching.steps", "rating:2"));
    let set = c.store.read(|tx: &mut dyn Tx| matching::settings(tx)).unwrap();
    assert_eq!(set.neighbours, BTreeMap::from([(zone("north"), vec![zone("south")])]));
    assert_eq!(set.steps, vec![Step::built_in("rating", 2.0)]);
}

#[test]
fn a_cycle_is_refused_only_when_an_order_or_worker_its_plan_uses_changed_meanwhile() {
    let mut c = Company::new();
    let wes = c.hire("wes", "north", "cleaning:3", 1, 50);
    let idle = c.hire("idle", "south", "cleaning:3", 1, 50);
    c.order("north", 24);
    let a = c.admin.clone();
    // A new order and a change to a worker the plan does not use: the plan commits; the new
    // order waits for the next cycle.
    let batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &by_rating(), None, at(1))).unwrap();
    let decision = matching::plan(&batch).unwrap();
    let later = c.order("north", 30);
    c.run(|tx| matching::suspend(tx, &ctx(&a, at(1)), idle, Text::parse("x").unwrap()));
    let report = c.run(|tx| matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing()));
    assert_eq!(report.assigned.iter().map(|x| x.worker).collect::<Vec<_>>(), [wes]);
    assert!(report.assigned.iter().all(|x| x.order != later));
    // A change to the plan's worker refuses it (conflict), naming what changed.
    c.run(|tx| matching::reinstate(tx, &ctx(&a, at(1)), idle));
    let room = |n| ProfileEdit { capacity: Some(n), ..ProfileEdit::default() };
    c.run(|tx| matching::edit_profile(tx, &ctx(&a, at(1)), wes, room(2)));
    let batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &by_rating(), None, at(1))).unwrap();
    let decision = matching::plan(&batch).unwrap();
    assert_eq!(decision.chosen.iter().flatten().count(), 1, "the later order, to wes");
    c.run(|tx| matching::edit_profile(tx, &ctx(&a, at(1)), wes, room(3)));
    let r = c.try_run(|tx| matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing()));
    let e = r.unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::Conflict, format!("worker #{wes} changed while matching ran; run it again").as_str())
    );
    // So does a change of the company's rules, and of an order the plan assigns.
    let batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &by_rating(), None, at(1))).unwrap();
    let decision = matching::plan(&batch).unwrap();
    c.run(|tx| crew_core::settings::set(tx, &ctx(&a, at(1)), "matching.neighbours", "north: south"));
    let r = c.try_run(|tx| matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing()));
    assert_eq!(kind(r), ErrorKind::Conflict);
    let batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &by_rating(), None, at(1))).unwrap();
    let decision = matching::plan(&batch).unwrap();
    let client = c.client();
    c.run(|tx| ordering::cancel(tx, &ctx(&client, at(1)), later, Text::parse("changed my mind").unwrap()));
    let r = c.try_run(|tx| matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing()));
    assert_eq!(kind(r), ErrorKind::Conflict);
    // A change matching does not care about (a login) does not make it stale.
    let batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &by_rating(), None, at(1))).unwrap();
    let decision = matching::plan(&batch).unwrap();
    c.run(|tx| {
        crew_core::kernel::command::append(
            tx,
            at(1),
            Some(a.id),
            &iam::IamEvent::SessionStarted { account: a.id, login: a.login.clone() },
        )
    });
    c.run(|tx| matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing()));
    let mut client = c.client();
    client.role = Role::Client;
    let r = c.try_run(|tx| matching::commit(tx, &ctx(&client, at(1)), &batch, &decision, &pricing()));
    assert_eq!(kind(r), ErrorKind::NotAllowed);
    assert_eq!(kind(matching::may_run(&ctx(&client, at(1)))), ErrorKind::NotAllowed);
}

#[test]
fn a_review_that_moves_a_rating_makes_a_batch_read_before_it_stale() {
    let mut c = Company::new();
    let wes = c.hire("wes", "north", "cleaning:3", 2, 50);
    let failed = c.order("north", 24);
    let a = c.admin.clone();
    let login = crew_core::types::Login::parse("wes@x.example").unwrap();
    c.run(|tx| {
        ordering::assign(tx, &ctx(&a, at(1)), &pricing(), &BTreeMap::new(), &Default::default(), failed, &login, None)
    });
    c.run(|tx| ordering::fail(tx, &ctx(&a, at(1)), failed, Text::parse("did not come").unwrap()));
    c.order("north", 25);
    let batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &by_rating(), None, at(2))).unwrap();
    let decision = matching::plan(&batch).unwrap();
    let form = quality::ReviewForm {
        verdict: quality::Verdict::Fault,
        cause: Text::parse("no-show").unwrap(),
        hypothesis: Text::default(),
    };
    let steps = quality::RatingSteps { praise: 2, fault: 5, serious: 15 };
    c.run(|tx| quality::review(tx, &ctx(&a, at(2)), failed, form, &steps));
    let rating = c.store.read(|tx: &mut dyn Tx| matching::show_profile(tx, &ctx(&a, at(2)), wes)).unwrap().rating;
    assert_eq!(rating, 45, "the verdict moved the rating the cycle scores by");
    let r = c.try_run(|tx| matching::commit(tx, &ctx(&a, at(2)), &batch, &decision, &pricing()));
    assert_eq!(kind(r), ErrorKind::Conflict);
}

#[test]
fn a_profile_is_edited_within_its_limits() {
    let mut c = Company::new();
    let w = c.hire("wes", "north", "cleaning:3", 2, 50);
    let a = c.admin.clone();
    let edit = |c: &mut Company, e: ProfileEdit| c.try_run(|tx| matching::edit_profile(tx, &ctx(&a, at(2)), w, e));
    for bad in [0, 21] {
        assert_eq!(
            kind(edit(&mut c, ProfileEdit { capacity: Some(bad), ..ProfileEdit::default() })),
            ErrorKind::BadInput
        );
    }
    for good in [1, 20] {
        assert_eq!(
            edit(&mut c, ProfileEdit { capacity: Some(good), ..ProfileEdit::default() }).unwrap().capacity,
            good
        );
    }
    let same = edit(&mut c, ProfileEdit { capacity: Some(20), ..ProfileEdit::default() });
    assert_eq!(kind(same), ErrorKind::BadInput, "nothing to change");
    let none = edit(&mut c, ProfileEdit { skills: Some(SkillSet::default()), ..ProfileEdit::default() });
    assert_eq!(kind(none), ErrorKind::BadInput);
    let moved = edit(
        &mut c,
        ProfileEdit {
            zone: Some(zone("south")),
            skills: Some(SkillSet::parse("cooking:2").unwrap()),
            ..ProfileEdit::default()
        },
    )
    .unwrap();
    assert_eq!((moved.zone.as_str(), moved.skills.to_string().as_str()), ("south", "cooking:2"));
    let shown = c.store.read(|tx: &mut dyn Tx| matching::show_profile(tx, &ctx(&a, at(3)), w)).unwrap();
    assert_eq!(shown, moved);
    assert!(matches!(
        events(&mut c.store).last(),
        Some(Event::Matching(MatchingEvent::WorkerProfileEdited { capacity: 20, .. }))
    ));
    let ghost = c.store.read(|tx: &mut dyn Tx| matching::show_profile(tx, &ctx(&a, at(3)), AccountId::new(999)));
    assert_eq!(kind(ghost), ErrorKind::NotFound);
}

#[test]
fn a_suspended_worker_is_no_candidate_until_reinstated() {
    let mut c = Company::new();
    let w = c.hire("wes", "north", "cleaning:3", 2, 50);
    let a = c.admin.clone();
    let no_reason = c.try_run(|tx| matching::suspend(tx, &ctx(&a, at(2)), w, Text::default()));
    assert_eq!(kind(no_reason), ErrorKind::BadInput);
    let not_suspended = c.try_run(|tx| matching::reinstate(tx, &ctx(&a, at(2)), w));
    assert_eq!(kind(not_suspended), ErrorKind::Conflict);
    let p = c.run(|tx| matching::suspend(tx, &ctx(&a, at(2)), w, Text::parse("late twice").unwrap()));
    assert_eq!(p.status, WorkerStatus::Suspended);
    let twice = c.try_run(|tx| matching::suspend(tx, &ctx(&a, at(2)), w, Text::parse("again").unwrap())).unwrap_err();
    assert_eq!((twice.kind, twice.message.as_str()), (ErrorKind::Conflict, "worker wes@x.example is suspended"));
    let o = c.order("north", 24);
    let (assigned, _) = c.cycle(&by_rating(), 3);
    assert!(assigned.is_empty());
    let listed = |c: &mut Company, status| {
        c.store
            .read(|tx: &mut dyn Tx| {
                matching::list_workers(
                    tx,
                    &ctx(&a, at(3)),
                    &WorkerFilter { status: Some(status), ..WorkerFilter::default() },
                )
            })
            .unwrap()
            .len()
    };
    assert_eq!((listed(&mut c, WorkerStatus::Suspended), listed(&mut c, WorkerStatus::Active)), (1, 0));
    assert_eq!(c.run(|tx| matching::reinstate(tx, &ctx(&a, at(4)), w)).status, WorkerStatus::Active);
    let (assigned, _) = c.cycle(&by_rating(), 5);
    assert_eq!(assigned, BTreeMap::from([(o, w)]));
}

#[test]
fn external_scores_are_one_per_pair_from_0_to_1() {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 2, 50);
    c.hire("ann", "north", "cleaning:4", 2, 50);
    c.order("north", 24);
    let mut batch = c.store.read(|tx: &mut dyn Tx| matching::prepare(tx, &by_rating(), None, at(1))).unwrap();
    assert_eq!(batch.pairs.len(), 2);
    assert_eq!(kind(batch.set_scores(0, vec![0.5])), ErrorKind::BadInput);
    assert_eq!(kind(batch.set_scores(0, vec![0.5, 1.01])), ErrorKind::BadInput);
    assert_eq!(kind(batch.set_scores(0, vec![-0.01, 0.5])), ErrorKind::BadInput);
    batch.set_scores(0, vec![0.0, 1.0]).unwrap();
    assert_eq!((batch.total(0), batch.total(1)), (0.0, 1.0));
    assert_eq!((batch.cost(0), batch.cost(1)), (1000, 0), "the score a pair misses, in thousandths");
}

#[test]
fn a_verdict_reads_as_a_sentence() {
    let name = |id: AccountId| format!("w{id}");
    let (w, status) = (AccountId::new(7), OrderStatus::Assigned);
    let cases = [
        (
            Verdict::Nobody { reason: "no active worker in zone east".into() },
            "nobody can take it: no active worker in zone east",
        ),
        (Verdict::Best { worker: w, candidates: 3 }, "assigned to w7: the highest total score of 3 candidate(s)"),
        (
            Verdict::NotACandidate { worker: w },
            "assigned to w7, who is not a candidate now (assigned by hand, or the profile changed since)",
        ),
        (Verdict::Closed, "assigned; no worker"),
    ];
    for (verdict, sentence) in cases {
        assert_eq!(verdict.describe(status, name), sentence);
    }
    let ranked = Verdict::Ranked { worker: w, rank: 2, candidates: 3 }.describe(status, name);
    assert!(ranked.starts_with("assigned to w7, ranked 2 of 3 by score"), "{ranked}");
    let open = Verdict::Open { best: w, candidates: 2 }.describe(OrderStatus::Open, name);
    assert!(open.starts_with("open; 2 candidate(s); w7 has the highest total score"), "{open}");
}

#[test]
fn explain_says_where_an_orders_worker_ranks() {
    let mut c = Company::new();
    let best = c.hire("best", "north", "cleaning:3", 1, 90);
    let next = c.hire("next", "north", "cleaning:3", 1, 50);
    let first = c.order("north", 24);
    assert_eq!(c.explain(first, &by_rating()), Verdict::Open { best, candidates: 2 });
    let second = c.order("north", 26);
    c.cycle(&by_rating(), 1);
    // Each worker has room for one and holds one. The explanation does not count an order
    // against its own worker, so each is the one candidate for their own order.
    assert_eq!(c.explain(first, &by_rating()), Verdict::Best { worker: best, candidates: 1 });
    assert_eq!(c.explain(second, &by_rating()), Verdict::Best { worker: next, candidates: 1 });
    // The better worker gets room for another: now a better candidate for the second order.
    let a = c.admin.clone();
    c.run(|tx| {
        matching::edit_profile(tx, &ctx(&a, at(2)), best, ProfileEdit { capacity: Some(2), ..ProfileEdit::default() })
    });
    assert_eq!(c.explain(second, &by_rating()), Verdict::Ranked { worker: next, rank: 2, candidates: 2 });
    c.run(|tx| matching::suspend(tx, &ctx(&a, at(2)), next, Text::parse("x").unwrap()));
    assert_eq!(c.explain(second, &by_rating()), Verdict::NotACandidate { worker: next });
    let client = c.client();
    c.run(|tx| ordering::cancel(tx, &ctx(&client, at(3)), second, Text::default()));
    let third = c.order("north", 72);
    c.run(|tx| ordering::cancel(tx, &ctx(&client, at(3)), third, Text::default()));
    assert_eq!(c.explain(third, &by_rating()), Verdict::Closed);
    let status = c.store.read(|tx: &mut dyn Tx| tx.match_order(third)).unwrap().unwrap().status;
    assert_eq!(status, OrderStatus::Cancelled);
    let nobody = c.order("east", 24);
    assert!(
        matches!(c.explain(nobody, &by_rating()), Verdict::Nobody { reason } if reason == "no active worker in zone east")
    );
    let r = c.store.read(|tx: &mut dyn Tx| matching::may_explain(tx, &ctx(&a, at(3)), OrderId::new(999)));
    assert_eq!(kind(r), ErrorKind::NotFound);
}

#[test]
fn a_time_off_lasts_at_most_a_year_and_never_overlaps_another_of_the_worker() {
    use crew_core::matching::add_time_off;
    let mut c = Company::new();
    let wes = c.hire("wes", "north", "cleaning:3", 2, 50);
    let a = c.admin.clone();
    let day = |d: i64| super::at(d * 24 * 60);
    let add = |c: &mut Company, from, until| {
        let why = crew_core::types::Text::parse("holiday").unwrap();
        c.try_run(|tx| add_time_off(tx, &super::ctx(&a, super::at(0)), wes, from, until, why))
    };
    // A year of 366 days is the most; a minute more is refused (bad input).
    let minute = chrono::Duration::minutes(1);
    assert_eq!(super::kind(add(&mut c, day(400), day(766) + minute)), ErrorKind::BadInput);
    add(&mut c, day(400), day(766)).unwrap();
    // Overlapping an existing time off, by a minute at either end or inside it: a conflict.
    add(&mut c, day(10), day(20)).unwrap();
    for (from, until) in
        [(day(5), day(10) + minute), (day(20) - minute, day(25)), (day(12), day(13)), (day(1), day(30))]
    {
        let e = add(&mut c, from, until).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert!(e.message.contains("overlaps the worker's time off"), "{e}");
    }
    // Touching is no overlap; over already is bad input.
    add(&mut c, day(20), day(21)).unwrap();
    add(&mut c, day(9), day(10)).unwrap();
    assert_eq!(super::kind(add(&mut c, super::at(-120), super::at(-60))), ErrorKind::BadInput);
    let offs = c.store.read(|tx: &mut dyn Tx| tx.worker_time_off(wes)).unwrap();
    assert_eq!(offs.len(), 4);
}
