//! Bets from the managers' side (DESIGN.md "Bets"): stakes held on the ledger, pots shared by the
//! winners or taken by the house when the order ends, the refusals, and the ledger staying sound.

use crate::common::{Env, PASSWORD, fixture};

fn photo(name: &str) -> String {
    fixture(&format!("tests/company/photos/{name}")).display().to_string()
}

/// Two more managers (max, liv) who touch no order; ann's orders #1–#3, #1 and #2 assigned to tom
/// by mia.
fn company_with_bettors() -> Env {
    let env = Env::company();
    for (login, name) in [("max", "Max Punter"), ("liv", "Liv Odds")] {
        let email = format!("{login}@crew.example");
        let args =
            ["account", "create", login, "--role", "manager", "--name", name, "--email", &email, "--password-stdin"];
        env.ok_with(&args, Some(PASSWORD));
    }
    env.ok(&["settings", "set", "bets.max_stake", "10.00"]);
    env.login("ann@example.com", PASSWORD);
    // #1 today (Monday), so it is checked in and finished within November.
    for at in ["2026-11-30 10:00", "2026-12-02 10:00", "2026-12-03 10:00"] {
        env.ok(&["order", "create", "--service", "cleaning", "--at", at]);
    }
    env.login("mia", PASSWORD);
    for o in ["1", "2"] {
        env.ok(&["order", "assign", o, "tom@crew.example", "--force", "--reason", "bets test"]);
    }
    env
}

#[test]
fn the_pot_goes_to_the_winners_or_the_house_and_the_ledger_stays_balanced() {
    let mut env = company_with_bettors();

    env.note("max and liv stake on #1 (pot 10.00: 4.00 on completed, 6.00 on failed) and on #2");
    env.login("max", PASSWORD);
    env.step(&["bets", "place", "1", "--on", "completed", "--stake", "3.00"], None);
    env.step(&["bets", "place", "2", "--on", "completed", "--stake", "4.00"], None);
    env.login("liv", PASSWORD);
    env.step(&["bets", "place", "1", "--on", "completed", "--stake", "1.00"], None);
    env.step(&["bets", "place", "1", "--on", "failed", "--stake", "6.00"], None);
    env.step(&["bets", "place", "2", "--on", "failed", "--stake", "1.00"], None);
    env.step(&["bets", "list"], None);
    env.step(&["bets", "show", "1"], None);

    env.note("#1 is completed: max gets 3/4 of the pot, liv 1/4; #2 is cancelled: nobody bet on that");
    env.now = "2026-11-30T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "1", "--photo", &photo("door.jpg")]);
    env.ok(&["order", "complete", "1", "--photo", &photo("report.png")]);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "cancel", "2", "--reason", "plans changed"]);
    env.login("max", PASSWORD);
    env.step(&["bets", "show", "1"], None);
    env.step(&["bets", "show", "2"], None);
    env.step(&["bets", "list"], None);
    env.step(&["bets", "list", "--all"], None);
    env.step(&["--format", "json", "bets", "show", "1"], None);

    env.note("the ledger: stakes held on company:stakes, then paid out; the accountant verifies");
    env.login("abe", PASSWORD);
    env.step(&["billing", "statement", "max"], None);
    env.step(&["billing", "statement", "liv"], None);
    env.step(&["billing", "statement", "company:stakes"], None);
    env.step(&["billing", "statement", "company:house"], None);
    env.step(&["billing", "verify"], None);
    env.login("admin", crate::common::ADMIN_PASSWORD);
    env.step(&["events", "list", "--order", "1"], None);

    insta::assert_snapshot!(env.transcript);
}

#[test]
fn stakes_are_refused_outside_the_rules_and_change_nothing() {
    let mut env = company_with_bettors();
    env.login("max", PASSWORD);
    let events = env.event_count();

    env.note("bad stakes and outcomes (exit 2), over the company's limit of 10.00 (exit 2)");
    env.step(&["bets", "place", "1", "--on", "completed", "--stake", "0"], None);
    env.step(&["bets", "place", "1", "--on", "completed", "--stake", "-1.00"], None);
    env.step(&["bets", "place", "1", "--on", "won", "--stake", "1.00"], None);
    env.step(&["bets", "place", "one", "--on", "completed", "--stake", "1.00"], None);
    env.step(&["bets", "place", "1", "--on", "completed", "--stake", "10.01"], None);
    env.step(&["bets", "place", "1", "--on", "completed", "--stake", "10.00"], None);
    env.step(&["bets", "place", "1", "--on", "failed", "--stake", "0.01"], None);
    env.step(&["bets", "place", "99", "--on", "completed", "--stake", "1.00"], None);
    assert_eq!(env.event_count(), events + 2, "one bet and its ledger entry; every refusal changed nothing");

    env.note("who may not bet: mia assigned #1 by hand; a client, the accountant; an admin is no manager");
    env.login("mia", PASSWORD);
    env.step(&["bets", "place", "1", "--on", "failed", "--stake", "1.00"], None);
    env.step(&["bets", "place", "3", "--on", "failed", "--stake", "1.00"], None);
    env.login("ann@example.com", PASSWORD);
    env.step(&["bets", "place", "3", "--on", "completed", "--stake", "1.00"], None);
    env.step(&["bets", "list"], None);
    env.login("abe", PASSWORD);
    env.step(&["bets", "place", "3", "--on", "completed", "--stake", "1.00"], None);
    env.step(&["bets", "list"], None);
    env.login("admin", crate::common::ADMIN_PASSWORD);
    env.step(&["bets", "place", "3", "--on", "completed", "--stake", "1.00"], None);

    env.note("a closed pool takes no stakes; closing again changes nothing; an ended order takes none");
    env.login("liv", PASSWORD);
    env.step(&["bets", "close", "3"], None);
    env.step(&["bets", "close", "3"], None);
    env.step(&["bets", "place", "3", "--on", "completed", "--stake", "1.00"], None);
    env.login("ann@example.com", PASSWORD);
    env.ok(&["order", "cancel", "2"]);
    env.login("liv", PASSWORD);
    env.step(&["bets", "place", "2", "--on", "cancelled", "--stake", "1.00"], None);
    env.step(&["bets", "show", "3"], None);
    env.step(&["bets", "show", "2"], None);

    insta::assert_snapshot!(env.transcript);
}

#[test]
fn the_monthly_cycle_pays_a_managers_net_win_and_leaves_a_net_loss_on_their_account() {
    let mut env = company_with_bettors();
    env.login("max", PASSWORD);
    env.ok(&["bets", "place", "1", "--on", "completed", "--stake", "3.00"]);
    env.ok(&["bets", "place", "2", "--on", "failed", "--stake", "2.00"]);
    env.login("liv", PASSWORD);
    env.ok(&["bets", "place", "1", "--on", "failed", "--stake", "5.00"]);
    env.now = "2026-11-30T09:30:00Z".into();
    env.login("tom@crew.example", PASSWORD);
    env.ok(&["order", "check-in", "1", "--photo", &photo("door.jpg")]);
    env.ok(&["order", "complete", "1", "--photo", &photo("report.png")]);

    env.note("November: max staked 5.00 (2.00 still held on #2) and won 8.00 on #1, a net win of 3.00; liv lost 5.00");
    env.now = "2026-12-01T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.step(&["billing", "close-month", "2026-11", "--dry-run"], None);
    env.step(&["billing", "close-month", "2026-11"], None);
    env.step(&["billing", "close-month", "2026-11"], None);
    env.step(&["billing", "invoices", "--cycle", "manager"], None);
    env.step(&["billing", "statement", "max"], None);
    env.step(&["billing", "statement", "liv"], None);

    env.note("December: #2 fails, max's 2.00 comes back as the whole pot; liv's loss stays on her account");
    env.login("mia", PASSWORD);
    env.ok(&["order", "fail", "2", "--reason", "no access"]);
    env.now = "2027-01-01T06:00:00Z".into();
    env.login("abe", PASSWORD);
    env.step(&["billing", "close-month", "2026-12"], None);
    env.step(&["billing", "verify"], None);
    env.step(&["--format", "json", "billing", "invoices", "--cycle", "manager"], None);
    insta::assert_snapshot!(env.transcript);
}

#[test]
fn a_manager_holding_a_stake_may_not_change_the_order_by_hand() {
    let mut env = company_with_bettors();
    env.note("the reviewer's repro: max stakes on completed, liv on failed; liv runs the cycle (allowed)");
    env.login("max", PASSWORD);
    env.step(&["bets", "place", "3", "--on", "completed", "--stake", "5.00"], None);
    env.login("liv", PASSWORD);
    env.step(&["bets", "place", "3", "--on", "failed", "--stake", "5.00"], None);
    env.step(&["matching", "run"], None);
    let events = env.event_count();

    env.note("liv, holding a stake on #3, may not fail, reopen, reassign or cancel it by hand (exit 3)");
    env.step(&["order", "fail", "3", "--reason", "I say so"], None);
    env.step(&["order", "reopen", "3"], None);
    env.step(&["order", "assign", "3", "tom@crew.example", "--force", "--reason", "mine"], None);
    env.step(&["order", "cancel", "3", "--reason", "mine"], None);
    assert_eq!(env.event_count(), events, "every refusal changed nothing");
    env.note("nor may max, on the other side of the pot");
    env.login("max", PASSWORD);
    let events = env.event_count();
    env.step(&["order", "fail", "3", "--reason", "I say so"], None);
    assert_eq!(env.event_count(), events, "the refusal changed nothing");
    env.step(&["order", "show", "3"], None);
    env.note("nor suspend tom, who holds #3 (the no-show sweep would reopen it): exit 3, nothing changed");
    env.step(&["matching", "suspend", "tom@crew.example", "--reason", "late twice"], None);
    assert_eq!(env.event_count(), events, "the refusal changed nothing");

    env.note("mia holds no stake on #3: she may; the pot goes to liv, who did not steer it");
    env.login("mia", PASSWORD);
    env.step(&["order", "fail", "3", "--reason", "the client's door was locked"], None);
    env.step(&["bets", "show", "3"], None);
    insta::assert_snapshot!(env.transcript);
}
