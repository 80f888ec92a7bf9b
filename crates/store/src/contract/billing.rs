//! [`BillingRead`](crew_core::billing::BillingRead) and
//! [`BillingStore`](crew_core::billing::BillingStore): the ledger's entries and kept balances.

use crew_core::authz::Role;
use crew_core::billing::{Balance, CompanyAccount, Entry, EntryFilter, EntryId, EntryKind, LedgerAccount, Posting};
use crew_core::error::ErrorKind;
use crew_core::ids::AccountId;
use crew_core::types::Money;
use crew_core::wiring::Store;

use super::{account, at, expect_err, order, read, service_type, write};

const REVENUE: LedgerAccount = LedgerAccount::Company(CompanyAccount::Revenue);
const AWARDS: LedgerAccount = LedgerAccount::Company(CompanyAccount::Awards);

fn id(raw: &str) -> EntryId {
    EntryId::parse(raw).unwrap()
}

fn cents(c: i64) -> Money {
    Money::from_cents(c)
}

fn charge(raw: &str, client: AccountId, amount: i64, minutes: i64) -> Entry {
    Entry::transfer(
        id(raw),
        EntryKind::Charge,
        at(minutes),
        LedgerAccount::Client(client),
        REVENUE,
        cents(amount),
        String::new(),
    )
}

fn balance(account: LedgerAccount, debits: i64, credits: i64) -> Balance {
    Balance { account, debits: cents(debits), credits: cents(credits) }
}

pub(crate) fn a_missing_entry_is_none_and_an_unposted_account_has_zero_balance<S: Store>(store: &mut S) {
    let got = read(store, |tx| Ok((tx.entry(&id("nothing"))?, tx.ledger_balance(REVENUE)?, tx.balances()?)));
    assert_eq!(got, (None, balance(REVENUE, 0, 0), vec![]));
}

pub(crate) fn an_inserted_entry_reads_back_with_every_field_and_its_postings_in_order<S: Store>(store: &mut S) {
    let (ann, o) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Client)?;
        service_type(tx, "cleaning")?;
        Ok((ann, order(tx, ann, "cleaning", 60)?))
    });
    let entry = Entry {
        id: id("order:1:charge"),
        kind: EntryKind::Charge,
        at: at(5),
        order: Some(o),
        cause: None,
        actor: Some(ann),
        memo: "a memo".into(),
        postings: vec![
            Posting { account: LedgerAccount::Client(ann), amount: cents(10_001) },
            Posting { account: REVENUE, amount: cents(-10_001) },
        ],
    };
    write(store, |tx| tx.insert_entry(&entry));
    assert_eq!(read(store, |tx| tx.entry(&entry.id)), Some(entry));
}

pub(crate) fn inserting_an_id_again_is_a_conflict_and_changes_nothing<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Client));
    write(store, |tx| tx.insert_entry(&charge("c:1", ann, 500, 1)));
    let err = store.write(|tx| tx.insert_entry(&charge("c:1", ann, 700, 2)));
    expect_err(err, ErrorKind::Conflict);
    let got = read(store, |tx| Ok((tx.entry(&id("c:1"))?, tx.balances()?)));
    assert_eq!(got.0, Some(charge("c:1", ann, 500, 1)));
    assert_eq!(got.1, vec![balance(LedgerAccount::Client(ann), 500, 0), balance(REVENUE, 0, 500)]);
}

pub(crate) fn kept_balances_add_each_posting_in_the_same_transaction_and_equal_the_recomputed_ones<S: Store>(
    store: &mut S,
) {
    let (ann, tom) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "tom", Role::Worker)?)));
    write(store, |tx| {
        tx.insert_entry(&charge("c:1", ann, 10_000, 1))?;
        tx.insert_entry(&charge("c:2", ann, 2_550, 2))?;
        tx.insert_entry(&Entry::transfer(
            id("award:1"),
            EntryKind::Award,
            at(3),
            AWARDS,
            LedgerAccount::Worker(tom),
            cents(999),
            "late".into(),
        ))?;
        // Seen before commit, in the same transaction.
        assert_eq!(tx.ledger_balance(LedgerAccount::Client(ann))?, balance(LedgerAccount::Client(ann), 12_550, 0));
        Ok(())
    });
    let (kept, recomputed) = read(store, |tx| Ok((tx.balances()?, tx.recomputed_balances()?)));
    let expected = vec![
        balance(LedgerAccount::Client(ann), 12_550, 0),
        balance(AWARDS, 999, 0),
        balance(REVENUE, 0, 12_550),
        balance(LedgerAccount::Worker(tom), 0, 999),
    ];
    assert_eq!(kept, expected);
    assert_eq!(recomputed, expected);
}

pub(crate) fn a_rolled_back_entry_leaves_no_posting_and_no_balance<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Client));
    let err = store.write(|tx| {
        tx.insert_entry(&charge("c:1", ann, 500, 1))?;
        Err::<(), _>(crew_core::Error::conflict("changed my mind"))
    });
    expect_err(err, ErrorKind::Conflict);
    let got = read(store, |tx| Ok((tx.entry(&id("c:1"))?, tx.balances()?, tx.recomputed_balances()?)));
    assert_eq!(got, (None, vec![], vec![]));
}

pub(crate) fn entries_are_filtered_by_account_kind_and_time_and_come_by_time_then_insertion<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "bob", Role::Client)?)));
    let (a3, b1, a1, a2) = (
        charge("c:a3", ann, 300, 30),
        charge("c:b1", bob, 100, 10),
        charge("c:a1", ann, 100, 10),
        charge("c:a2", ann, 200, 20),
    );
    write(store, |tx| [&a3, &b1, &a1, &a2].into_iter().try_for_each(|e| tx.insert_entry(e)));
    let ids = |entries: Vec<Entry>| entries.into_iter().map(|e| e.id.to_string()).collect::<Vec<_>>();
    let all = read(store, |tx| tx.entries(&EntryFilter::default()));
    assert_eq!(ids(all), ["c:b1", "c:a1", "c:a2", "c:a3"]);
    let anns =
        read(store, |tx| tx.entries(&EntryFilter { account: Some(LedgerAccount::Client(ann)), ..Default::default() }));
    assert_eq!(anns.len(), 3);
    assert_eq!(anns[0].postings.len(), 2, "an entry comes with all its postings, not only the filtered account's");
    let window = read(store, |tx| {
        tx.entries(&EntryFilter {
            account: Some(LedgerAccount::Client(ann)),
            since: Some(at(10)),
            until: Some(at(30)),
            ..Default::default()
        })
    });
    assert_eq!(ids(window), ["c:a1", "c:a2"]);
    let awards = read(store, |tx| tx.entries(&EntryFilter { kind: Some(EntryKind::Award), ..Default::default() }));
    assert!(awards.is_empty());
}

pub(crate) fn unbalanced_entries_are_listed_with_their_sums<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Client));
    let mut off = charge("c:off", ann, 500, 1);
    off.postings[1].amount = cents(-499);
    let mut single = charge("c:single", ann, 500, 2);
    single.postings.pop();
    write(store, |tx| {
        tx.insert_entry(&charge("c:ok", ann, 500, 0))?;
        tx.insert_entry(&off)?;
        tx.insert_entry(&single)
    });
    let got = read(store, |tx| tx.unbalanced_entries());
    assert_eq!(got, vec![(id("c:off"), 1), (id("c:single"), 500)]);
}
