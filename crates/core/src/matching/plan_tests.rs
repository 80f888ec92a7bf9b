//! The cycle in time, over random instances: every plan keeps every time rule (checked here from
//! scratch, independently of `time::clashes`), a second cycle with nothing changed assigns
//! nothing, and where no two orders sharing a candidate overlap the plan is the exact optimum
//! (against brute force).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::time::{Slot, TimeOff, TimeRules};
use super::*;
use crate::settings::hours::{TravelTimes, WeeklyHours};

fn at(minutes: i64) -> DateTime<Utc> {
    // Monday 2026-11-30 06:00 UTC.
    Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap() + Duration::minutes(minutes)
}

#[derive(Debug, Clone)]
struct Instance {
    /// (zone 0/1, capacity, rating, hours pattern index)
    workers: Vec<(usize, u32, u8, usize)>,
    /// (zone, start minute, duration, buffer)
    orders: Vec<(usize, i64, u32, u32)>,
    /// (worker, start minute, duration, buffer): orders the worker holds already.
    held: Vec<(usize, i64, u32, u32)>,
    /// (worker, start minute, minutes)
    off: Vec<(usize, i64, i64)>,
    travel: u32,
    neighbours: bool,
}

const PATTERNS: [&str; 4] =
    ["mon-sun 00:00-24:00", "mon-fri 07:00-12:00, 13:00-19:00", "tue 00:00-24:00", "mon 06:00-09:00"];
const ZONES: [&str; 2] = ["a", "b"];

fn instance(max_orders: usize, max_workers: usize) -> impl Strategy<Value = Instance> {
    let workers = proptest::collection::vec((0usize..2, 1u32..4, 0u8..=100, 0usize..4), 1..=max_workers);
    let orders = proptest::collection::vec((0usize..2, 0i64..48, 1u32..7, 0u32..3), 1..=max_orders);
    let held = proptest::collection::vec((0usize..8, 0i64..48, 1u32..5, 0u32..2), 0..4);
    let off = proptest::collection::vec((0usize..8, 0i64..48, 1i64..16), 0..3);
    (workers, orders, held, off, 0u32..3, any::<bool>()).prop_map(|(workers, orders, held, off, travel, neighbours)| {
        let n = workers.len();
        Instance {
            // Orders on a 30-minute grid over two days; durations and buffers in half hours.
            orders: orders.into_iter().map(|(z, s, d, b)| (z, s * 60, d * 30, b * 15)).collect(),
            held: held.into_iter().map(|(w, s, d, b)| (w % n, s * 60 + 30, d * 30, b * 15)).collect(),
            off: off.into_iter().map(|(w, s, m)| (w % n, s * 60, m * 30)).collect(),
            workers,
            travel: travel * 20,
            neighbours,
        }
    })
}

fn batch(inst: &Instance) -> (Batch, Settings) {
    let zone = |z: usize| Zone::parse(ZONES[z]).unwrap();
    let skills = SkillSet::parse("cleaning:1").unwrap();
    let time = TimeRules {
        zone: chrono_tz::UTC,
        default_hours: WeeklyHours::always(),
        travel: TravelTimes::parse(&format!("a, b: {}", inst.travel)).unwrap(),
    };
    let settings = Settings {
        steps: vec![Step::built_in("rating", 1.0)],
        neighbours: if inst.neighbours {
            BTreeMap::from([(zone(0), vec![zone(1)]), (zone(1), vec![zone(0)])])
        } else {
            BTreeMap::new()
        },
        time: time.clone(),
    };
    let workers: Vec<WorkerProfile> = inst
        .workers
        .iter()
        .enumerate()
        .map(|(i, &(z, capacity, rating, _))| WorkerProfile {
            worker: AccountId::new(100 + i as i64),
            zone: zone(z),
            skills: skills.clone(),
            capacity,
            rating,
            status: WorkerStatus::Active,
            load: 0,
            completed: 0,
            failed: 0,
            hired_at: at(-10_000),
        })
        .collect();
    let orders: Vec<MatchOrder> = inst
        .orders
        .iter()
        .enumerate()
        .map(|(i, &(z, start, duration, buffer))| MatchOrder {
            order: OrderId::new(1 + i as i64),
            client: AccountId::new(1),
            service_type: ServiceCode::parse("clean").unwrap(),
            skills: skills.clone(),
            zone: zone(z),
            scheduled_at: at(start),
            timing: Timing { duration_minutes: duration, buffer_minutes: buffer },
            status: OrderStatus::Open,
            worker: None,
        })
        .collect();
    let mut held = vec![Vec::new(); workers.len()];
    for (i, &(w, start, duration, buffer)) in inst.held.iter().enumerate() {
        held[w].push(Slot::new(OrderId::new(1000 + i as i64), workers[w].zone.clone(), at(start), duration, buffer));
    }
    let mut time_off = vec![Vec::new(); workers.len()];
    for (i, &(w, start, minutes)) in inst.off.iter().enumerate() {
        time_off[w].push(TimeOff {
            id: crate::ids::TimeOffId::new(1 + i as i64),
            worker: workers[w].worker,
            starts_at: at(start),
            ends_at: at(start + minutes),
            reason: Text::default(),
        });
    }
    let hours = inst.workers.iter().map(|w| WeeklyHours::parse(PATTERNS[w.3]).unwrap()).collect();
    let mut b = Batch {
        snapshot: EventSeq::START,
        past: Vec::new(),
        orders,
        workers,
        pairs: Vec::new(),
        relaxation: Vec::new(),
        nobody: BTreeMap::new(),
        steps: settings.steps.clone(),
        scores: Vec::new(),
        time,
        hours,
        time_off,
        held,
        unavailable: Vec::new(),
        history: HashMap::new(),
    };
    b.find_candidates(&settings, false);
    b.score_built_in();
    (b, settings)
}

/// Every rule, checked from scratch: each worker's orders (held and new) pairwise apart with
/// buffer and travel, each new one inside hours, outside time off, and at most `capacity` a day.
fn breaks_a_rule(b: &Batch, chosen: &[Option<usize>]) -> Option<String> {
    for (wi, w) in b.workers.iter().enumerate() {
        let mut all: Vec<(Slot, bool)> = b.held[wi].iter().cloned().map(|s| (s, false)).collect();
        for (oi, c) in chosen.iter().enumerate() {
            if let Some(pi) = c
                && b.pairs[*pi].worker == wi
            {
                all.push((b.orders[oi].slot(), true));
            }
        }
        for (i, (x, x_new)) in all.iter().enumerate() {
            for (y, y_new) in &all[i + 1..] {
                // Held orders are as they are (a random instance may hold overlapping ones).
                if !x_new && !y_new {
                    continue;
                }
                let t = Duration::minutes(i64::from(b.time.travel.between(&x.zone, &y.zone)));
                if !(x.end + t <= y.start || y.end + t <= x.start) {
                    return Some(format!("worker {wi} holds #{} and #{} overlapping", x.order, y.order));
                }
            }
        }
        for (s, new) in &all {
            if !new {
                continue;
            }
            if b.hours[wi].covers(chrono_tz::UTC, s.start, s.duration_minutes()).is_err() {
                return Some(format!("worker {wi} works #{} outside hours", s.order));
            }
            if b.time_off[wi].iter().any(|o| o.starts_at < s.work_end && s.start < o.ends_at) {
                return Some(format!("worker {wi} works #{} during time off", s.order));
            }
            let day = s.start.date_naive();
            let that_day = all.iter().filter(|(o, _)| o.start.date_naive() == day).count();
            if that_day > w.capacity as usize {
                return Some(format!("worker {wi} holds {that_day} orders on {day}, more than {}", w.capacity));
            }
        }
    }
    None
}

/// The best total over every assignment that keeps the rules (orders ≤ 7).
fn brute_force(b: &Batch) -> i64 {
    let open = open_costs(b).unwrap();
    let mut by_order: Vec<Vec<usize>> = vec![Vec::new(); b.orders.len()];
    for (i, p) in b.pairs.iter().enumerate() {
        by_order[p.order].push(i);
    }
    fn go(b: &Batch, by_order: &[Vec<usize>], open: &[i64], oi: usize, chosen: &mut Vec<Option<usize>>) -> i64 {
        if oi == by_order.len() {
            return if breaks_a_rule(b, chosen).is_some() { i64::MAX } else { 0 };
        }
        let mut best = i64::MAX;
        chosen.push(None);
        let rest = go(b, by_order, open, oi + 1, chosen);
        if rest != i64::MAX {
            best = best.min(rest + open[oi]);
        }
        chosen.pop();
        for &pi in &by_order[oi] {
            chosen.push(Some(pi));
            // Prune early: a partial plan that breaks a rule stays broken.
            if breaks_a_rule(b, chosen).is_none() {
                let rest = go(b, by_order, open, oi + 1, chosen);
                if rest != i64::MAX {
                    best = best.min(rest + b.cost(pi));
                }
            }
            chosen.pop();
        }
        best
    }
    go(b, &by_order, &open, 0, &mut Vec::new())
}

/// Whether no two orders sharing a candidate overlap in time (with buffer and travel).
fn no_shared_overlap(b: &Batch) -> bool {
    let mut by_worker: HashMap<usize, Vec<usize>> = HashMap::new();
    for p in &b.pairs {
        by_worker.entry(p.worker).or_default().push(p.order);
    }
    by_worker.values().all(|orders| {
        orders
            .iter()
            .enumerate()
            .all(|(i, &x)| orders[i + 1..].iter().all(|&y| b.time.apart(&b.orders[x].slot(), &b.orders[y].slot())))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// No plan ever gives a worker overlapping orders, work outside hours or during time off, or
    /// more orders a day than their maximum, whatever the instance.
    #[test]
    fn every_plan_keeps_every_time_rule(inst in instance(25, 6)) {
        let (b, _) = batch(&inst);
        let d = plan(&b).unwrap();
        prop_assert_eq!(breaks_a_rule(&b, &d.chosen), None);
    }

    /// The local search after the repair only ever makes the plan better by the cycle's objective
    /// (its total cost: open orders ranked, then pair costs), and keeps every rule.
    #[test]
    fn the_local_search_never_makes_a_plan_worse(inst in instance(25, 6)) {
        let (b, _) = batch(&inst);
        let repaired = plan_with(&b, false).unwrap();
        let improved = plan(&b).unwrap();
        prop_assert_eq!(breaks_a_rule(&b, &improved.chosen), None);
        prop_assert!(plan_total(&b, &improved).cost <= plan_total(&b, &repaired).cost);
    }

    /// The local search stops once it has examined its effort's worth of candidate pairs, and
    /// whatever that effort, its plan keeps every rule and is never worse than the repair's; with
    /// none, the plan is the repair's.
    #[test]
    fn the_local_search_stops_within_its_effort(inst in instance(25, 6), effort in 0usize..60) {
        let (b, _) = batch(&inst);
        let repaired = plan_with(&b, false).unwrap();
        let (limited, examined) = plan_with_effort(&b, effort).unwrap();
        // The same examinations as without a bound, up to the bound: then it stops.
        let (_, unbounded) = plan_with_effort(&b, IMPROVE_EFFORT).unwrap();
        prop_assert_eq!(examined, unbounded.min(effort));
        prop_assert_eq!(breaks_a_rule(&b, &limited.chosen), None);
        prop_assert!(plan_total(&b, &limited).cost <= plan_total(&b, &repaired).cost);
        if effort == 0 {
            prop_assert_eq!(&limited.chosen, &repaired.chosen);
        }
        // With any effort, a repaired plan with an open order that has candidates is looked at.
        let open_with_candidates =
            repaired.chosen.iter().enumerate().any(|(oi, c)| c.is_none() && b.pairs.iter().any(|p| p.order == oi));
        if effort > 0 && repaired.rounds > 1 && open_with_candidates {
            prop_assert!(examined >= 1);
        }
    }

    /// After a plan is recorded, a second cycle with nothing changed assigns nothing.
    #[test]
    fn a_second_cycle_with_nothing_changed_assigns_nothing(inst in instance(20, 5)) {
        let (b, settings) = batch(&inst);
        let d = plan(&b).unwrap();
        let mut again = b.clone();
        let mut kept = Vec::new();
        for (oi, c) in d.chosen.iter().enumerate() {
            match c {
                Some(pi) => again.held[b.pairs[*pi].worker].push(b.orders[oi].slot()),
                None => kept.push(b.orders[oi].clone()),
            }
        }
        again.orders = kept;
        again.find_candidates(&settings, false);
        again.score_built_in();
        let d2 = plan(&again).unwrap();
        prop_assert_eq!(d2.chosen.iter().flatten().count(), 0, "second plan: {:?}", d2.chosen);
    }

    /// Where no two orders sharing a candidate overlap, the plan is the exact optimum: most
    /// orders, earliest first, then the best score (brute force over every rule-keeping plan).
    #[test]
    fn without_shared_overlaps_the_plan_is_the_exact_optimum(inst in instance(7, 3)) {
        let (b, _) = batch(&inst);
        prop_assume!(no_shared_overlap(&b));
        let d = plan(&b).unwrap();
        prop_assert_eq!(d.rounds, 1);
        prop_assert_eq!(plan_total(&b, &d).cost, brute_force(&b));
    }
}

#[test]
fn three_jobs_at_ten_in_different_homes_go_to_three_workers_or_stay_open() {
    // The case: one worker with a daily maximum of 3, three orders at 10:00.
    let inst = Instance {
        workers: vec![(0, 3, 90, 0)],
        orders: vec![(0, 240, 60, 0), (0, 240, 60, 0), (0, 240, 60, 0)],
        held: Vec::new(),
        off: Vec::new(),
        travel: 0,
        neighbours: false,
    };
    let (b, _) = batch(&inst);
    let d = plan(&b).unwrap();
    assert_eq!(d.chosen.iter().flatten().count(), 1, "one of them, not three");
    assert_eq!(breaks_a_rule(&b, &d.chosen), None);
}

#[test]
fn a_worker_holding_a_job_next_friday_can_be_matched_today() {
    let inst = Instance {
        workers: vec![(0, 1, 90, 0)],
        orders: vec![(0, 60, 60, 0)],
        held: vec![(0, 4 * 24 * 60, 60, 0)],
        off: Vec::new(),
        travel: 0,
        neighbours: false,
    };
    let (b, _) = batch(&inst);
    assert_eq!(plan(&b).unwrap().chosen, [Some(0)]);
}

#[test]
fn an_in_zone_worker_wins_over_a_better_rated_neighbour_at_equal_service() {
    let inst = Instance {
        workers: vec![(0, 1, 10, 0), (1, 1, 100, 0)],
        orders: vec![(0, 60, 60, 0)],
        held: Vec::new(),
        off: Vec::new(),
        travel: 0,
        neighbours: true,
    };
    let (b, _) = batch(&inst);
    let d = plan(&b).unwrap();
    let pi = d.chosen[0].unwrap();
    assert_eq!((b.pairs[pi].worker, b.pairs[pi].relaxed), (0, false));
    // An in-zone worker needed for an earlier order: the neighbour serves the later one in the
    // same cycle (relaxations inside the optimisation).
    let inst = Instance { orders: vec![(0, 60, 60, 0), (0, 60, 60, 0)], ..inst };
    let (b, _) = batch(&inst);
    let d = plan(&b).unwrap();
    assert_eq!(d.chosen.iter().flatten().count(), 2);
}

#[test]
fn the_guard_before_recording_refuses_a_plan_that_breaks_a_time_rule() {
    // One worker (daily maximum 3, always working) holding an order at 09:00–10:00; three new
    // orders: two at 07:00–08:00 and one at 09:30–10:30.
    let inst = Instance {
        workers: vec![(0, 3, 90, 0)],
        orders: vec![(0, 60, 60, 0), (0, 60, 60, 0), (0, 210, 60, 0)],
        held: vec![(0, 180, 60, 0)],
        off: Vec::new(),
        travel: 0,
        neighbours: false,
    };
    let (b, _) = batch(&inst);
    let pair = |oi: usize| b.pairs.iter().position(|p| p.order == oi && p.worker == 0).unwrap();
    let decide = |chosen: Vec<Option<usize>>| Decision { chosen, rounds: 1 };
    assert!(verify(&b, &decide(vec![Some(pair(0)), None, None])).is_ok(), "one order at 07:00 is fine");
    // Two new orders at once for the same worker.
    let both = verify(&b, &decide(vec![Some(pair(0)), Some(pair(1)), None])).unwrap_err();
    assert!(both.to_string().contains("nothing was assigned"), "{both}");
    // A new order overlapping one the worker holds is no candidate pair at all.
    assert!(!b.pairs.iter().any(|p| p.order == 2));
    // A pair of another order.
    assert!(verify(&b, &decide(vec![Some(pair(1)), None, None])).is_err());
}

/// The local search does improve plans: over 300 instances drawn from a fixed seed, some repaired
/// plans come out strictly better, and none worse.
#[test]
fn the_local_search_improves_some_repaired_plans() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut better = 0;
    for _ in 0..300 {
        let inst = instance(25, 6).new_tree(&mut runner).unwrap().current();
        let (b, _) = batch(&inst);
        let repaired = plan_total(&b, &plan_with(&b, false).unwrap()).cost;
        let improved = plan_total(&b, &plan(&b).unwrap()).cost;
        assert!(improved <= repaired);
        if improved < repaired {
            better += 1;
        }
    }
    assert!(better > 0, "no repaired plan was improved");
}

/// A move the local search makes, if one is left in `chosen` (checked from scratch with
/// [`breaks_a_rule`]): an open order served by moving one assigned order to another of its
/// candidates, or served instead of a later order that alone stands in its way.
fn a_move_left(b: &Batch, chosen: &[Option<usize>]) -> Option<String> {
    let pairs_of = |oi: usize| (0..b.pairs.len()).filter(move |&pi| b.pairs[pi].order == oi);
    for oi in (0..chosen.len()).filter(|&oi| chosen[oi].is_none()) {
        for pi in pairs_of(oi) {
            for c in (0..chosen.len()).filter(|&c| chosen[c].is_some()) {
                let mut next = chosen.to_vec();
                next[oi] = Some(pi);
                next[c] = None;
                if c > oi && breaks_a_rule(b, &next).is_none() {
                    return Some(format!("#{oi} could be served instead of the later #{c}"));
                }
                for pj in pairs_of(c).filter(|&pj| Some(pj) != chosen[c]) {
                    next[c] = Some(pj);
                    if breaks_a_rule(b, &next).is_none() {
                        return Some(format!("#{oi} could be served by moving #{c} to pair {pj}"));
                    }
                }
            }
        }
    }
    None
}

/// Each kind of move the local search makes is made wherever it applies: over 300 instances from a
/// fixed seed, no plan is left with an open order that one move of an assigned order, or the
/// unassigning of a later order in its way, would serve (pins each move's own effort check and the
/// passes going on while they find something).
#[test]
fn the_local_search_leaves_no_move_it_makes() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut repaired_with_moves = 0;
    for _ in 0..300 {
        let inst = instance(25, 6).new_tree(&mut runner).unwrap().current();
        let (b, _) = batch(&inst);
        if a_move_left(&b, &plan_with(&b, false).unwrap().chosen).is_some() {
            repaired_with_moves += 1;
        }
        let (d, examined) = plan_with_effort(&b, IMPROVE_EFFORT).unwrap();
        assert!(examined < IMPROVE_EFFORT);
        assert_eq!(a_move_left(&b, &d.chosen), None, "{inst:?}");
    }
    assert!(repaired_with_moves > 0, "some repaired plans leave moves, or this test shows nothing");
}

/// The lexicographic best plan (orders ≤ 7): the most orders served, then the earliest served
/// (the first order, by rank, where two sets differ is served), then the least cost. Returns the
/// served set (by order index) and the cost of the plan.
fn lexicographic_best(b: &Batch) -> (Vec<bool>, i64) {
    let mut by_order: Vec<Vec<usize>> = vec![Vec::new(); b.orders.len()];
    for (i, p) in b.pairs.iter().enumerate() {
        by_order[p.order].push(i);
    }
    type Key = (usize, Vec<bool>, std::cmp::Reverse<i64>);
    fn go(b: &Batch, by_order: &[Vec<usize>], oi: usize, chosen: &mut Vec<Option<usize>>, best: &mut Option<Key>) {
        if oi == by_order.len() {
            let served: Vec<bool> = chosen.iter().map(Option::is_some).collect();
            let cost: i64 = chosen.iter().flatten().map(|&pi| b.cost(pi)).sum();
            let key = (served.iter().filter(|&&s| s).count(), served, std::cmp::Reverse(cost));
            if best.as_ref().is_none_or(|k| key > *k) {
                *best = Some(key);
            }
            return;
        }
        chosen.push(None);
        go(b, by_order, oi + 1, chosen, best);
        chosen.pop();
        for &pi in &by_order[oi] {
            chosen.push(Some(pi));
            if breaks_a_rule(b, chosen).is_none() {
                go(b, by_order, oi + 1, chosen, best);
            }
            chosen.pop();
        }
    }
    let mut best = None;
    go(b, &by_order, 0, &mut Vec::new(), &mut best);
    let (_, served, std::cmp::Reverse(cost)) = best.unwrap();
    (served, cost)
}

#[test]
#[ignore = "a measurement: how often the plan is the lexicographic optimum in the general case"]
fn measure_the_gap_to_the_lexicographic_optimum() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut fewer, mut other_set, mut dearer, mut general) = (0, 0, 0, 0);
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    for _ in 0..env("CASES", 2000) {
        let inst = instance(env("ORDERS", 11), env("WORKERS", 4)).new_tree(&mut runner).unwrap().current();
        let (b, _) = batch(&inst);
        if no_shared_overlap(&b) {
            continue;
        }
        general += 1;
        let d = plan(&b).unwrap();
        let served: Vec<bool> = d.chosen.iter().map(Option::is_some).collect();
        let cost: i64 = d.chosen.iter().flatten().map(|&pi| b.cost(pi)).sum();
        let (best, best_cost) = lexicographic_best(&b);
        let count = |s: &[bool]| s.iter().filter(|&&x| x).count();
        if served != best && std::env::var("SHOW").is_ok() {
            let show = |s: &[bool]| (0..s.len()).filter(|&i| s[i]).collect::<Vec<_>>();
            println!("crew {:?} best {:?} rounds {}", show(&served), show(&best), d.rounds);
            for (oi, o) in b.orders.iter().enumerate() {
                let s = o.slot();
                let cands: Vec<usize> = b.pairs.iter().filter(|p| p.order == oi).map(|p| p.worker).collect();
                println!(
                    "  #{oi} {}..{} work_end {} zone {} cands {:?} crew {:?}",
                    s.start.format("%d %H:%M"),
                    s.end.format("%H:%M"),
                    s.work_end.format("%H:%M"),
                    s.zone,
                    cands,
                    d.chosen[oi].map(|pi| b.pairs[pi].worker)
                );
            }
            for (wi, w) in b.workers.iter().enumerate() {
                println!(
                    "  w{wi} cap {} held {:?}",
                    w.capacity,
                    b.held[wi]
                        .iter()
                        .map(|h| format!("{}..{}", h.start.format("%d %H:%M"), h.end.format("%H:%M")))
                        .collect::<Vec<_>>()
                );
            }
        }
        if count(&served) < count(&best) {
            fewer += 1;
        } else if served != best {
            other_set += 1;
        } else if cost > best_cost {
            dearer += 1;
        }
    }
    println!("general {general}: fewer {fewer}, other set {other_set}, dearer {dearer}");
}

/// The instances of [`the_plan_is_the_lexicographic_optimum_on_small_general_instances`]: 300 drawn
/// from a fixed seed, of up to 9 orders and 4 workers, kept where two orders sharing a candidate
/// overlap (the general case; the flow alone is exact otherwise).
fn small_general_instances() -> Vec<Batch> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    while out.len() < 300 {
        let (b, _) = batch(&instance(9, 4).new_tree(&mut runner).unwrap().current());
        if !no_shared_overlap(&b) {
            out.push(b);
        }
    }
    out
}

/// In the general case the plan is not proven optimal, but on small instances the local search
/// reaches the exact lexicographic optimum (most orders, then the earliest, then the least cost;
/// brute force over every rule-keeping plan) on every one of 300 fixed-seed instances — which the
/// repair alone does not, nor the local search without its fourth move or with a chain that cannot
/// end by leaving a later order open (measured on 2,000 instances of up to 11 orders in BENCHMARKS.md,
/// "The general case: earliest first").
#[test]
fn the_plan_is_the_lexicographic_optimum_on_small_general_instances() {
    let mut repaired_short = 0;
    for b in small_general_instances() {
        let (best, best_cost) = lexicographic_best(&b);
        let cost = |d: &Decision| d.chosen.iter().flatten().map(|&pi| b.cost(pi)).sum::<i64>();
        let served = |d: &Decision| d.chosen.iter().map(Option::is_some).collect::<Vec<bool>>();
        let repaired = plan_with(&b, false).unwrap();
        if served(&repaired) != best || cost(&repaired) != best_cost {
            repaired_short += 1;
        }
        let d = plan(&b).unwrap();
        assert_eq!((served(&d), cost(&d)), (best.clone(), best_cost), "{:?}", b.orders);
    }
    assert!(repaired_short > 0, "the repair alone reaches the optimum everywhere: this test shows nothing");
}

/// Move 4 (room made): one worker, three orders at once; the flow gives all three to the worker,
/// the repair keeps the first and drops the two that overlap it, and only taking the first out lets
/// the other two (which do not overlap each other) in: two served instead of one.
#[test]
fn one_order_out_and_two_in_serves_more() {
    let inst = Instance {
        workers: vec![(0, 3, 50, 0)],
        // 07:00–10:00; 06:00–07:30; 08:00–10:30.
        orders: vec![(0, 60, 180, 0), (0, 0, 90, 0), (0, 120, 150, 0)],
        held: vec![],
        off: vec![],
        travel: 0,
        neighbours: false,
    };
    let (b, _) = batch(&inst);
    let served = |d: &Decision| d.chosen.iter().map(Option::is_some).collect::<Vec<bool>>();
    assert_eq!(served(&plan_with(&b, false).unwrap()), [true, false, false]);
    assert_eq!(served(&plan(&b).unwrap()), [false, true, true]);
}

/// The local search's rule for keeping a move ([`Improve::better_since`]), change by change on a
/// plan of five orders and two workers (a well-rated one, cheap, and a poorly rated one, dear):
/// more served wins; as many, the earliest changed order must be the one now served, and the
/// flow's weighing of ranks (Σ rank of the orders given up less Σ rank of those taken) no worse,
/// and at equal ranks the cost no higher; the same orders, only cheaper.
#[test]
fn a_move_is_kept_only_if_it_is_better_order_by_order_and_by_the_flows_weighing() {
    let inst = Instance {
        workers: vec![(0, 5, 90, 0), (0, 5, 10, 0)],
        // Five orders an hour apart, an hour each.
        orders: (0..5).map(|i| (0, 120 * i, 60, 0)).collect(),
        held: vec![],
        off: vec![],
        travel: 0,
        neighbours: false,
    };
    let (b, _) = batch(&inst);
    let DayNodes { pair_node, room } = day_nodes(&b);
    let starts: Vec<usize> = (0..=b.orders.len()).map(|oi| b.pairs.partition_point(|p| p.order < oi)).collect();
    let costs: Vec<i64> = (0..b.pairs.len()).map(|i| b.cost(i)).collect();
    let pair = |oi: usize, wi: usize| b.pairs.iter().position(|p| p.order == oi && p.worker == wi).unwrap();
    assert!(costs[pair(0, 0)] < costs[pair(0, 1)], "worker 0 is the cheaper");
    // The plan: orders 1 and 2 served (by the cheap worker), 0, 3 and 4 open.
    let mut chosen = vec![None; 5];
    chosen[1] = Some(pair(1, 0));
    chosen[2] = Some(pair(2, 0));
    let mut imp = Improve::new(&b, &chosen, &starts, &costs, &pair_node, &room, 1000);
    /// Orders taken out, (order, worker) put in, whether the plan is better, what the case is.
    type Case = (Vec<usize>, Vec<(usize, usize)>, bool, &'static str);
    let cases: Vec<Case> = vec![
        (vec![], vec![(0, 1)], true, "one more served, however dear"),
        (vec![1, 2], vec![(0, 0)], false, "one fewer served, however early"),
        (vec![1], vec![(0, 1)], true, "as many, 0 for 1: earlier and ranks gain 1, dearer"),
        (vec![2], vec![(3, 0)], false, "as many, 3 for 2: a later one"),
        (vec![1, 2], vec![(0, 0), (4, 0)], false, "as many, 0 and 4 for 1 and 2: earliest served, ranks lose 1"),
        (vec![1, 2], vec![(0, 1), (3, 0)], false, "as many, 0 and 3 for 1 and 2: ranks equal, dearer"),
        (vec![1, 2], vec![(0, 0), (3, 0)], true, "as many, 0 and 3 for 1 and 2: ranks equal, as cheap"),
        (vec![1], vec![(1, 1)], false, "the same orders, dearer"),
        (vec![], vec![], false, "nothing changed"),
    ];
    for (out, into, better, what) in cases {
        let mark = imp.log.len();
        for oi in out {
            imp.unassign(oi);
        }
        for (oi, wi) in into {
            imp.assign(oi, pair(oi, wi));
        }
        assert_eq!(imp.better_since(mark), better, "{what}");
        imp.rollback(mark);
        assert_eq!(imp.chosen, chosen, "rolled back after: {what}");
    }
    // The same orders, cheaper: 1 moved to the dear worker first, then back.
    imp.unassign(1);
    imp.assign(1, pair(1, 1));
    let mark = imp.log.len();
    imp.unassign(1);
    imp.assign(1, pair(1, 0));
    assert!(imp.better_since(mark), "the same orders, cheaper");
}
