//! Quality's reviews moving a worker's rating in matching (`review_recorded` → `worker_rated`).

use crew_core::ordering::{self, Force};
use crew_core::quality::{self, RatingSteps, ReviewForm, Verdict};
use crew_core::settings;
use crew_core::types::{Login, Text};
use crew_core::wiring::{Store, Tx};

use super::company::{Company, pricing};
use super::{at, ctx};

/// A failed order of `worker` (so it is in the review queue).
fn failed_order(c: &mut Company, worker: &str) -> crew_core::ids::OrderId {
    let id = c.order("north", 5);
    let a = c.admin.clone();
    let login = Login::parse(&format!("{worker}@x.example")).unwrap();
    let force = Some(Force { reason: Text::parse("the test's plan").unwrap() });
    c.run(|tx| {
        ordering::assign(tx, &ctx(&a, at(2)), &pricing(), &Default::default(), &Default::default(), id, &login, force)
    });
    c.run(|tx| ordering::fail(tx, &ctx(&a, at(3)), id, Text::parse("did not come").unwrap()));
    id
}

fn review(c: &mut Company, order: crew_core::ids::OrderId, verdict: Verdict, minute: i64) {
    let a = c.admin.clone();
    let form = ReviewForm { verdict, cause: Text::parse("because").unwrap(), hypothesis: Text::default() };
    c.run(|tx| {
        let steps = RatingSteps::from(&settings::rules(tx)?);
        quality::review(tx, &ctx(&a, at(minute)), order, form, &steps)
    });
}

fn rating(c: &mut Company, worker: crew_core::ids::AccountId) -> u8 {
    c.store.read(|tx: &mut dyn Tx| tx.worker_profile(worker)).unwrap().unwrap().rating
}

#[test]
fn an_amendment_undoes_what_the_review_really_moved_even_when_a_bound_cut_it_short() {
    let mut c = Company::new();
    // Steps (the company's defaults): praise +2, fine 0, fault −5, serious −15.
    let pia = c.hire("pia", "north", "cleaning:3", 1, 99);
    let order = failed_order(&mut c, "pia");
    review(&mut c, order, Verdict::Praise, 10);
    assert_eq!(rating(&mut c, pia), 100, "99 + 2, kept at 100: it moved 1");
    review(&mut c, order, Verdict::Fine, 11);
    assert_eq!(rating(&mut c, pia), 99, "the praise undone by the 1 it moved, not its step of 2");
    review(&mut c, order, Verdict::Fault, 12);
    assert_eq!(rating(&mut c, pia), 94);
    review(&mut c, order, Verdict::Praise, 13);
    assert_eq!(rating(&mut c, pia), 100, "99 + 2 again, kept at 100");

    let low = c.hire("lou", "north", "cleaning:3", 1, 3);
    let order = failed_order(&mut c, "lou");
    review(&mut c, order, Verdict::Serious, 20);
    assert_eq!(rating(&mut c, low), 0, "3 − 15, kept at 0: it moved 3");
    review(&mut c, order, Verdict::Fine, 21);
    assert_eq!(rating(&mut c, low), 3);

    // Another order's review is its own: amending it never undoes the first order's.
    let second = failed_order(&mut c, "lou");
    review(&mut c, second, Verdict::Fault, 30);
    assert_eq!(rating(&mut c, low), 0, "3 − 5, kept at 0");
    review(&mut c, order, Verdict::Praise, 31);
    assert_eq!(rating(&mut c, low), 2, "0 + 2: the first order's fine had moved nothing");
    review(&mut c, second, Verdict::Fine, 32);
    assert_eq!(rating(&mut c, low), 5, "the fault had moved 3; undone");
}
