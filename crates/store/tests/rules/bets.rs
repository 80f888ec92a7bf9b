//! Bets' rules: who may stake, the stake's bounds and the company's limit, closed, ended and
//! settled pools, the pot shared by the winners or taken by the house, and the ledger kept sound
//! by any sequence of bets and endings (a property test over the real store).

use crew_core::authz::{Actor, Role};
use crew_core::bets::{self, Outcome};
use crew_core::billing::{self, CompanyAccount, EntryKind, LedgerAccount};
use crew_core::error::ErrorKind;
use crew_core::iam::{self, AccountRequest, Credential};
use crew_core::ids::OrderId;
use crew_core::ordering::{self, Photo};
use crew_core::types::{Email, Login, Money, Name, Sha256Hex, Text};
use crew_core::wiring::{Store, Tx};
use proptest::prelude::*;

use super::company::{Company, pricing};
use super::{at, ctx, kind};

fn money(cents: i64) -> Money {
    Money::from_cents(cents)
}

fn photo() -> Photo {
    Photo { path: "orders/1/in.jpg".into(), sha256: Sha256Hex::of(b"photo") }
}

fn manager(c: &mut Company, login: &str) -> Actor {
    let a = c.admin.clone();
    let req = AccountRequest {
        login: Login::parse(login).unwrap(),
        name: Name::parse(login).unwrap(),
        email: Some(Email::parse(&format!("{login}@crew.example")).unwrap()),
        role: Role::Manager,
        credential: Credential::PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into()),
    };
    c.run(|tx| iam::create_account(tx, &ctx(&a, at(1)), req)).actor()
}

fn place(
    c: &mut Company,
    who: &Actor,
    order: OrderId,
    on: Outcome,
    cents: i64,
    max: i64,
) -> crew_core::Result<bets::Bet> {
    c.try_run(|tx| bets::place(tx, &ctx(who, at(2)), order, on, money(cents), money(max)))
}

/// Ends `order` as `outcome`: the admin cancels it, or assigns it to `wes` who fails or completes
/// it (so the admin, not the bettors, acted on it).
fn end(c: &mut Company, order: OrderId, outcome: Outcome) {
    let a = c.admin.clone();
    if outcome == Outcome::Cancelled {
        c.run(|tx| ordering::cancel(tx, &ctx(&a, at(3)), order, Text::parse("test").unwrap()));
        return;
    }
    let wes = Login::parse("wes@x.example").unwrap();
    let force = Some(ordering::Force { reason: Text::parse("test").unwrap() });
    c.run(|tx| {
        ordering::assign(tx, &ctx(&a, at(3)), &pricing(), &Default::default(), &Default::default(), order, &wes, force)
    });
    if outcome == Outcome::Failed {
        c.run(|tx| ordering::fail(tx, &ctx(&a, at(4)), order, Text::parse("test").unwrap()));
        return;
    }
    let worker = c.store.read(|tx: &mut dyn Tx| tx.account_by_login(&wes)).unwrap().unwrap().actor();
    c.run(|tx| ordering::check_in(tx, &ctx(&worker, at(4)), order, photo(), chrono::Duration::days(365)));
    c.run(|tx| ordering::complete(tx, &ctx(&worker, at(5)), order, photo()));
}

fn balance(c: &mut Company, account: LedgerAccount) -> i64 {
    c.store.read(|tx: &mut dyn Tx| tx.ledger_balance(account)).unwrap().net().cents()
}

fn setup() -> (Company, Actor, Actor, Vec<OrderId>) {
    let mut c = Company::new();
    c.hire("wes", "north", "cleaning:3", 20, 50);
    let max = manager(&mut c, "max");
    let liv = manager(&mut c, "liv");
    let orders = (1..=3).map(|h| c.order("north", h)).collect();
    (c, max, liv, orders)
}

#[test]
fn a_stake_is_more_than_zero_and_within_the_limit_for_all_of_a_managers_bets_on_an_order() {
    let (mut c, max, liv, o) = setup();
    assert_eq!(kind(place(&mut c, &max, o[0], Outcome::Completed, 0, 1000)), ErrorKind::BadInput);
    assert_eq!(kind(place(&mut c, &max, o[0], Outcome::Completed, -1, 1000)), ErrorKind::BadInput);
    assert_eq!(kind(place(&mut c, &max, o[0], Outcome::Completed, 1001, 1000)), ErrorKind::BadInput);
    place(&mut c, &max, o[0], Outcome::Completed, 600, 1000).unwrap();
    // The limit counts all of one manager's stakes on the order, whatever the outcome…
    place(&mut c, &max, o[0], Outcome::Failed, 400, 1000).unwrap();
    assert_eq!(kind(place(&mut c, &max, o[0], Outcome::Failed, 1, 1000)), ErrorKind::BadInput);
    // …and only theirs, and only on that order.
    place(&mut c, &liv, o[0], Outcome::Failed, 1000, 1000).unwrap();
    place(&mut c, &max, o[1], Outcome::Failed, 1000, 1000).unwrap();
    // A limit of zero stops betting.
    assert_eq!(kind(place(&mut c, &liv, o[2], Outcome::Failed, 1, 0)), ErrorKind::BadInput);
    assert_eq!(c.store.read(|tx: &mut dyn Tx| tx.bets(None)).unwrap().len(), 4);
    assert_eq!(balance(&mut c, LedgerAccount::Company(CompanyAccount::Stakes)), -3000, "every stake is held");
}

#[test]
fn only_managers_who_did_not_act_on_the_order_bet() {
    let (mut c, max, _, o) = setup();
    let admin = c.admin.clone();
    assert_eq!(kind(place(&mut c, &admin, o[0], Outcome::Completed, 100, 1000)), ErrorKind::NotAllowed);
    let client = c.client();
    assert_eq!(kind(place(&mut c, &client, o[0], Outcome::Completed, 100, 1000)), ErrorKind::NotAllowed);
    // max assigns o[0] by hand: they may no longer bet on it, but still on the others.
    let wes = Login::parse("wes@x.example").unwrap();
    let force = Some(ordering::Force { reason: Text::parse("test").unwrap() });
    c.run(|tx| {
        ordering::assign(tx, &ctx(&max, at(2)), &pricing(), &Default::default(), &Default::default(), o[0], &wes, force)
    });
    assert_eq!(kind(place(&mut c, &max, o[0], Outcome::Completed, 100, 1000)), ErrorKind::NotAllowed);
    place(&mut c, &max, o[1], Outcome::Completed, 100, 1000).unwrap();
    assert_eq!(kind(place(&mut c, &max, OrderId::new(99), Outcome::Completed, 100, 1000)), ErrorKind::NotFound);
}

#[test]
fn running_the_matching_cycle_is_not_acting_on_the_orders_it_assigns() {
    let (mut c, max, _, o) = setup();
    let settings = super::company::by_rating();
    let m = max.clone();
    let report = c.run(|tx| {
        let batch = crew_core::matching::prepare(tx, &settings, None, at(2))?;
        let decision = crew_core::matching::plan(&batch)?;
        crew_core::matching::commit(tx, &ctx(&m, at(2)), &batch, &decision, &pricing())
    });
    assert!(report.assigned.iter().any(|a| a.order == o[0]), "the cycle assigned {:?}", report.assigned);
    place(&mut c, &max, o[0], Outcome::Completed, 100, 1000).unwrap();
}

#[test]
fn a_manager_holding_a_stake_on_an_order_may_not_change_it_by_hand_until_it_is_settled() {
    let (mut c, max, liv, o) = setup();
    let settings = super::company::by_rating();
    place(&mut c, &max, o[0], Outcome::Completed, 100, 1000).unwrap();
    place(&mut c, &liv, o[0], Outcome::Failed, 100, 1000).unwrap();
    let wes = Login::parse("wes@x.example").unwrap();
    let force = || Some(ordering::Force { reason: Text::parse("test").unwrap() });
    let reason = || Text::parse("I say so").unwrap();
    // liv runs the cycle (a cycle over all orders is not steering one): o[0] goes to wes.
    let l = liv.clone();
    let report = c.run(|tx| {
        let batch = crew_core::matching::prepare(tx, &settings, None, at(2))?;
        let decision = crew_core::matching::plan(&batch)?;
        crew_core::matching::commit(tx, &ctx(&l, at(2)), &batch, &decision, &pricing())
    });
    assert!(report.assigned.iter().any(|a| a.order == o[0]), "the cycle assigned {:?}", report.assigned);
    let before = c.store.read(|tx: &mut dyn Tx| tx.find_events(&Default::default())).unwrap().len();
    // Each manual change by a bettor is refused (not allowed), naming the stake, and changes nothing.
    for who in [&max, &liv] {
        let fail = c.try_run(|tx| ordering::fail(tx, &ctx(who, at(3)), o[0], reason()));
        let e = fail.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotAllowed);
        assert!(e.to_string().contains("you hold a stake on order #1 (bet #"), "{e}");
        let cancel = c.try_run(|tx| ordering::cancel(tx, &ctx(who, at(3)), o[0], reason()));
        assert_eq!(kind(cancel), ErrorKind::NotAllowed);
        let reopen = c.try_run(|tx| ordering::reopen(tx, &ctx(who, at(3)), o[0]));
        assert_eq!(kind(reopen), ErrorKind::NotAllowed);
        let assign = c.try_run(|tx| {
            ordering::assign(
                tx,
                &ctx(who, at(3)),
                &pricing(),
                &Default::default(),
                &Default::default(),
                o[0],
                &wes,
                force(),
            )
        });
        assert_eq!(kind(assign), ErrorKind::NotAllowed);
    }
    assert_eq!(c.store.read(|tx: &mut dyn Tx| tx.find_events(&Default::default())).unwrap().len(), before);
    // A stake on another order does not bind: max may still act on o[1]; an order that does not
    // exist is not found before anything else.
    c.run(|tx| ordering::cancel(tx, &ctx(&max, at(3)), o[1], reason()));
    assert_eq!(kind(c.try_run(|tx| ordering::reopen(tx, &ctx(&max, at(3)), OrderId::new(99)))), ErrorKind::NotFound);
    // The admin, who holds no stake, may; once the order ended and its bets settled, nothing is
    // held and the bettors may act on it again (the settlement stays).
    let a = c.admin.clone();
    c.run(|tx| ordering::fail(tx, &ctx(&a, at(4)), o[0], reason()));
    c.run(|tx| ordering::reopen(tx, &ctx(&liv, at(5)), o[0]));
}

/// Suspending the worker of an order one holds a stake on would steer it (the no-show sweep
/// reopens a suspended worker's order): refused, naming the order and the bet, changing nothing;
/// a worker holding no order one has a stake on may be suspended, and so may this one by a
/// manager without a stake.
#[test]
fn a_manager_holding_a_stake_on_an_order_may_not_suspend_its_worker() {
    let mut c = Company::new();
    let wes = c.hire("wes", "north", "cleaning:3", 20, 50);
    let max = manager(&mut c, "max");
    let liv = manager(&mut c, "liv");
    let o = c.order("north", 1);
    let settings = super::company::by_rating();
    let a = c.admin.clone();
    c.run(|tx| {
        let batch = crew_core::matching::prepare(tx, &settings, None, at(1))?;
        let decision = crew_core::matching::plan(&batch)?;
        crew_core::matching::commit(tx, &ctx(&a, at(1)), &batch, &decision, &pricing())
    });
    place(&mut c, &max, o, Outcome::Failed, 100, 1000).unwrap();
    let before = c.store.read(|tx: &mut dyn Tx| tx.find_events(&Default::default())).unwrap().len();
    let why = || Text::parse("late twice").unwrap();
    let e = c.try_run(|tx| crew_core::matching::suspend(tx, &ctx(&max, at(2)), wes, why())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotAllowed);
    assert!(
        e.to_string().contains("you hold a stake on order #1 (bet #1: 1.00 on failed), which wes@x.example holds"),
        "{e}"
    );
    assert_eq!(c.store.read(|tx: &mut dyn Tx| tx.find_events(&Default::default())).unwrap().len(), before);
    // liv holds no stake: she may.
    c.run(|tx| crew_core::matching::suspend(tx, &ctx(&liv, at(2)), wes, why()));
}

#[test]
fn closed_ended_and_settled_pools_take_no_stakes() {
    let (mut c, max, liv, o) = setup();
    place(&mut c, &max, o[0], Outcome::Completed, 100, 1000).unwrap();
    let closed = c.run(|tx| bets::close(tx, &ctx(&liv, at(2)), o[0]));
    assert!(!closed.already && closed.book.closed_at.is_some());
    assert!(c.run(|tx| bets::close(tx, &ctx(&liv, at(2)), o[0])).already, "closing again changes nothing");
    assert_eq!(kind(place(&mut c, &liv, o[0], Outcome::Completed, 100, 1000)), ErrorKind::Conflict);
    // Closing an order nobody bet on yet is allowed: nobody can start.
    c.run(|tx| bets::close(tx, &ctx(&liv, at(2)), o[2]));
    assert_eq!(kind(place(&mut c, &max, o[2], Outcome::Completed, 100, 1000)), ErrorKind::Conflict);
    // An ended order takes none; a failed one reopened keeps its settlement and takes none either.
    place(&mut c, &max, o[1], Outcome::Completed, 100, 1000).unwrap();
    end(&mut c, o[1], Outcome::Failed);
    assert_eq!(kind(place(&mut c, &liv, o[1], Outcome::Failed, 100, 1000)), ErrorKind::Conflict);
    let a = c.admin.clone();
    c.run(|tx| ordering::reopen(tx, &ctx(&a, at(6)), o[1]));
    assert_eq!(kind(place(&mut c, &liv, o[1], Outcome::Failed, 100, 1000)), ErrorKind::Conflict);
    let pool = c.store.read(|tx: &mut dyn Tx| bets::show(tx, &ctx(&a, at(7)), o[1])).unwrap();
    assert_eq!((pool.state, pool.settlement.unwrap().house), ("settled", money(100)));
    // A closed pool still settles when its order ends.
    end(&mut c, o[0], Outcome::Completed);
    let pool = c.store.read(|tx: &mut dyn Tx| bets::show(tx, &ctx(&a, at(7)), o[0])).unwrap();
    assert_eq!(pool.settlement.unwrap().winnings[0].won, money(100));
}

#[test]
fn the_pot_goes_to_the_winners_by_largest_remainder_or_to_the_house() {
    let (mut c, max, liv, o) = setup();
    let tia = manager(&mut c, "tia");
    // Pot 10.00; the winners staked 1.00 each (three ways: 3.34, 3.33, 3.33 — the first remainder
    // tie goes to the lowest manager id).
    place(&mut c, &max, o[0], Outcome::Cancelled, 100, 1000).unwrap();
    place(&mut c, &liv, o[0], Outcome::Cancelled, 100, 1000).unwrap();
    place(&mut c, &tia, o[0], Outcome::Cancelled, 100, 1000).unwrap();
    place(&mut c, &tia, o[0], Outcome::Completed, 700, 1000).unwrap();
    place(&mut c, &max, o[1], Outcome::Completed, 250, 1000).unwrap();
    end(&mut c, o[0], Outcome::Cancelled);
    end(&mut c, o[1], Outcome::Failed);
    let (mx, lv, ti) = (LedgerAccount::Manager(max.id), LedgerAccount::Manager(liv.id), LedgerAccount::Manager(tia.id));
    assert_eq!(balance(&mut c, mx), 100 - 334 + 250, "max staked 1.00 and 2.50, won 3.34");
    assert_eq!(balance(&mut c, lv), 100 - 333);
    assert_eq!(balance(&mut c, ti), 800 - 333);
    assert_eq!(balance(&mut c, LedgerAccount::Company(CompanyAccount::House)), -250, "nobody bet on failed");
    assert_eq!(balance(&mut c, LedgerAccount::Company(CompanyAccount::Stakes)), 0, "every pot paid out");
    let a = c.admin.clone();
    let settled = c
        .store
        .read(|tx: &mut dyn Tx| {
            billing::statement(
                tx,
                &ctx(&a, at(9)),
                LedgerAccount::Company(CompanyAccount::House),
                Some(EntryKind::BetSettlement),
            )
        })
        .unwrap();
    assert_eq!(settled.lines.len(), 1);
    assert!(c.store.read(|tx: &mut dyn Tx| billing::verify(tx, &ctx(&a, at(9)))).unwrap().passed());
}

#[derive(Debug, Clone)]
enum Op {
    Place { manager: usize, order: usize, on: usize, cents: i64 },
    Close { order: usize },
    End { order: usize, outcome: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..3, 0usize..3, 0usize..3, 1i64..700).prop_map(|(manager, order, on, cents)| Op::Place { manager, order, on, cents }),
        1 => (0usize..3).prop_map(|order| Op::Close { order }),
        2 => (0usize..3, 0usize..3).prop_map(|(order, outcome)| Op::End { order, outcome }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any sequence of stakes, closes and endings (refusals included): the ledger verifies, the
    /// stakes held are exactly those of unsettled pools, each settled pot is paid out exactly (to
    /// the winners, or to the house), and the managers' and the house's balances together with the
    /// stakes held sum to zero: no money is made or lost.
    #[test]
    fn any_sequence_of_bets_and_endings_keeps_the_ledger_balanced_and_pays_each_pot_exactly(
        ops in prop::collection::vec(op(), 1..14),
    ) {
        let mut c = Company::new();
        c.hire("wes", "north", "cleaning:3", 20, 50);
        let managers = [manager(&mut c, "max"), manager(&mut c, "liv"), manager(&mut c, "tia")];
        let orders: Vec<OrderId> = (1..=3).map(|h| c.order("north", h)).collect();
        let mut ended = [false; 3];
        for op in ops {
            match op {
                Op::Place { manager, order, on, cents } => {
                    let _ = place(&mut c, &managers[manager], orders[order], Outcome::ALL[on], cents, 1000);
                }
                Op::Close { order } => {
                    let m = managers[0].clone();
                    c.run(|tx| bets::close(tx, &ctx(&m, at(2)), orders[order]));
                }
                Op::End { order, outcome } if !ended[order] => {
                    end(&mut c, orders[order], Outcome::ALL[outcome]);
                    ended[order] = true;
                }
                Op::End { .. } => {}
            }
        }
        let a = c.admin.clone();
        prop_assert!(c.store.read(|tx: &mut dyn Tx| billing::verify(tx, &ctx(&a, at(9)))).unwrap().passed());
        let all = c.store.read(|tx: &mut dyn Tx| tx.bets(None)).unwrap();
        let mut held = 0;
        for (i, order) in orders.iter().enumerate() {
            let pool = c.store.read(|tx: &mut dyn Tx| bets::show(tx, &ctx(&a, at(9)), *order)).unwrap();
            let pot: i64 = all.iter().filter(|b| b.order == *order).map(|b| b.stake.cents()).sum();
            prop_assert_eq!(pool.pot.cents(), pot);
            match pool.settlement {
                Some(s) => {
                    prop_assert!(ended[i]);
                    let paid: i64 = s.winnings.iter().map(|w| w.won.cents()).sum::<i64>() + s.house.cents();
                    prop_assert_eq!(paid, pot);
                }
                None => {
                    prop_assert!(!ended[i] || pot == 0, "an ended order with stakes is settled");
                    held += pot;
                }
            }
        }
        prop_assert_eq!(balance(&mut c, LedgerAccount::Company(CompanyAccount::Stakes)), -held);
        let people: i64 = managers.iter().map(|m| balance(&mut c, LedgerAccount::Manager(m.id))).sum();
        let house = balance(&mut c, LedgerAccount::Company(CompanyAccount::House));
        prop_assert_eq!(people + house - held, 0);
    }
}

#[test]
fn a_pool_reads_open_closed_ended_or_settled_and_the_list_keeps_settled_ones_for_all() {
    let (mut c, max, liv, o) = setup();
    let a = c.admin.clone();
    let show = |c: &mut Company, order| c.store.read(|tx: &mut dyn Tx| bets::show(tx, &ctx(&a, at(7)), order)).unwrap();
    let list = |c: &mut Company, all| -> Vec<(OrderId, &'static str)> {
        let pools = c.store.read(|tx: &mut dyn Tx| bets::list(tx, &ctx(&a, at(7)), all)).unwrap();
        pools.iter().map(|p| (p.order, p.state)).collect()
    };
    place(&mut c, &max, o[0], Outcome::Completed, 600, 1000).unwrap();
    let open = show(&mut c, o[0]);
    assert_eq!(
        (open.state, open.pot, open.stakes.clone()),
        ("open", money(600), vec![(Outcome::Completed, money(600))])
    );
    // What a manager may still stake is named at the edge of the limit.
    let over = place(&mut c, &max, o[0], Outcome::Failed, 401, 1000).unwrap_err();
    assert!(over.message.contains("you may stake 4.00 more"), "{}", over.message);
    c.run(|tx| bets::close(tx, &ctx(&liv, at(2)), o[0]));
    assert_eq!(show(&mut c, o[0]).state, "closed");
    c.run(|tx| bets::close(tx, &ctx(&liv, at(2)), o[1]));
    end(&mut c, o[2], Outcome::Cancelled);
    assert_eq!(show(&mut c, o[2]).state, "ended", "an ended order nobody bet on");
    assert_eq!(list(&mut c, false), [(o[0], "closed"), (o[1], "closed")]);
    end(&mut c, o[0], Outcome::Completed);
    assert_eq!(show(&mut c, o[0]).state, "settled");
    assert_eq!(list(&mut c, false), [(o[1], "closed")], "settled pools only with --all");
    assert_eq!(list(&mut c, true), [(o[0], "settled"), (o[1], "closed")]);
    end(&mut c, o[1], Outcome::Cancelled);
    assert_eq!(list(&mut c, false), [(o[1], "ended")], "a closed pool whose order ended, nothing to settle");
}
