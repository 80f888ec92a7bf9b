//! Quality's rules as pure functions: the seeded draw, rating steps and amendments.

use super::*;

#[test]
fn the_same_seed_draws_the_same_orders_and_different_seeds_usually_do_not() {
    let pool: Vec<u32> = (1..=50).collect();
    let a = draw(&pool, 5, 42);
    assert_eq!(a, draw(&pool, 5, 42));
    assert_ne!(a, draw(&pool, 5, 43));
    let mut distinct = a.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "without replacement: {a:?}");
    assert_eq!(draw(&pool, 80, 1).len(), 50, "never more than the pool");
    assert!(draw::<u32>(&[], 3, 1).is_empty());
}

#[test]
fn splitmix_matches_its_published_first_value() {
    // SplitMix64 seeded with 0 starts 0xE220A8397B1DCDAF (Vigna's reference implementation).
    assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
}

#[test]
fn verdicts_move_ratings_by_the_rules_steps() {
    let steps = RatingSteps { praise: 2, fault: 5, serious: 15 };
    let moves: Vec<i32> = Verdict::ALL.iter().map(|v| steps.step(*v)).collect();
    assert_eq!(moves, [2, 0, -5, -15]);
    assert_eq!(Verdict::parse(" Fault ").unwrap(), Verdict::Fault);
    assert!(Verdict::parse("bad").unwrap_err().message.contains("praise, fine, fault or serious"));
}

proptest::proptest! {
    /// Whatever the pool, size and seed: the draw is reproducible, takes min(n, pool) distinct
    /// members of the pool, and never invents one.
    #[test]
    fn a_draw_is_a_reproducible_subset_without_repeats(pool in proptest::collection::btree_set(0u32..10_000, 0..60), n in 0usize..80, seed: u64) {
        let pool: Vec<u32> = pool.into_iter().collect();
        let drawn = draw(&pool, n, seed);
        proptest::prop_assert_eq!(&drawn, &draw(&pool, n, seed));
        proptest::prop_assert_eq!(drawn.len(), n.min(pool.len()));
        let distinct: std::collections::BTreeSet<u32> = drawn.iter().copied().collect();
        proptest::prop_assert_eq!(distinct.len(), drawn.len());
        proptest::prop_assert!(drawn.iter().all(|d| pool.contains(d)));
    }

    /// An amendment chain moves the rating by the last verdict's step in total, whatever came
    /// before: the sum of recorded changes telescopes.
    #[test]
    fn amendments_never_count_twice(verdicts in proptest::collection::vec(0usize..4, 1..10)) {
        let steps = RatingSteps { praise: 2, fault: 5, serious: 15 };
        let mut previous = 0;
        let mut total = 0;
        for v in &verdicts {
            let step = steps.step(Verdict::ALL[*v]);
            total += step - previous;
            previous = step;
        }
        proptest::prop_assert_eq!(total, steps.step(Verdict::ALL[*verdicts.last().unwrap()]));
    }
}
