//! [`BillingRead`](crew_core::billing::BillingRead) and
//! [`BillingStore`](crew_core::billing::BillingStore): the ledger's entries and kept balances.

use crew_core::authz::Role;
use crew_core::billing::{
    Balance, ClosedPeriod, CompanyAccount, Cycle, Entry, EntryFilter, EntryId, EntryKind, Invoice, InvoiceFilter,
    InvoiceStatus, LedgerAccount, OpenAmount, Payment, PaymentKind, PaymentStatus, Posting,
};
use crew_core::error::ErrorKind;
use crew_core::ids::{AccountId, InvoiceNo, PaymentId};
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

// ---------------------------------------------------------------- the cycles

fn invoice(number: i64, holder: AccountId, period: &str, amount: i64, entries: u64) -> Invoice {
    Invoice {
        number: InvoiceNo::new(number),
        cycle: Cycle::Client,
        holder,
        period: period.into(),
        amount: cents(amount),
        entries,
        issued_at: at(100),
        status: InvoiceStatus::Issued,
    }
}

fn payment(invoice: &Invoice, key: &str) -> Payment {
    Payment {
        id: PaymentId::new(1),
        kind: PaymentKind::Collection,
        invoice: invoice.number,
        holder: invoice.holder,
        amount: invoice.amount,
        method: "card".into(),
        key: key.into(),
        status: PaymentStatus::Reserved,
        attempts: 0,
        service_id: None,
        note: None,
        updated_at: at(100),
        retry: 0,
    }
}

pub(crate) fn open_amounts_count_uninvoiced_entries_before_the_end_per_holder_and_linking_takes_them<S: Store>(
    store: &mut S,
) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "bob", Role::Client)?)));
    write(store, |tx| {
        tx.insert_entry(&charge("c:1", ann, 100, 1))?;
        tx.insert_entry(&charge("c:2", ann, 250, 2))?;
        tx.insert_entry(&charge("c:3", bob, 70, 3))?;
        tx.insert_entry(&charge("c:late", ann, 999, 50))
    });
    let open = read(store, |tx| tx.open_amounts(Cycle::Client, at(10)));
    assert_eq!(
        open,
        vec![
            OpenAmount { holder: ann, sum: cents(350), entries: 2 },
            OpenAmount { holder: bob, sum: cents(70), entries: 1 }
        ]
    );
    assert!(read(store, |tx| tx.open_amounts(Cycle::Worker, at(10))).is_empty());
    // Only ann is invoiced for the week: her open entries are linked, bob's stay open.
    let first = invoice(1, ann, "2026-W49", 350, 2);
    let linked = write(store, |tx| {
        tx.insert_invoice(&first)?;
        tx.link_period_entries(Cycle::Client, "2026-W49", at(10))
    });
    assert_eq!(linked, 2);
    // Linking again links nothing more; another period's or another cycle's invoices take none.
    assert_eq!(write(store, |tx| tx.link_period_entries(Cycle::Client, "2026-W49", at(10))), 0);
    assert_eq!(write(store, |tx| tx.link_period_entries(Cycle::Client, "2026-W50", at(60))), 0);
    assert_eq!(write(store, |tx| tx.link_period_entries(Cycle::Worker, "2026-W49", at(60))), 0);
    let open = read(store, |tx| tx.open_amounts(Cycle::Client, at(60)));
    assert_eq!(
        open,
        vec![
            OpenAmount { holder: ann, sum: cents(999), entries: 1 },
            OpenAmount { holder: bob, sum: cents(70), entries: 1 }
        ]
    );
    let sums = read(store, |tx| tx.invoice_line_sums());
    assert_eq!(sums, vec![(InvoiceNo::new(1), cents(350), 2)]);
    // The next week: both are invoiced, each takes their own open entries (ann's late one, bob's).
    let linked = write(store, |tx| {
        tx.insert_invoice(&invoice(2, ann, "2026-W50", 999, 1))?;
        tx.insert_invoice(&invoice(3, bob, "2026-W50", 70, 1))?;
        tx.link_period_entries(Cycle::Client, "2026-W50", at(60))
    });
    assert_eq!(linked, 2);
    let sums = read(store, |tx| tx.invoice_line_sums());
    assert_eq!(
        sums,
        vec![(InvoiceNo::new(1), cents(350), 2), (InvoiceNo::new(2), cents(999), 1), (InvoiceNo::new(3), cents(70), 1)]
    );
    assert!(read(store, |tx| tx.open_amounts(Cycle::Client, at(60))).is_empty());
}

pub(crate) fn invoices_read_back_by_number_and_a_taken_number_or_period_is_a_conflict<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "bob", Role::Client)?)));
    assert_eq!(read(store, |tx| tx.last_invoice_number()), None);
    let (one, two) = (invoice(1, ann, "2026-W49", 300, 3), invoice(2, bob, "2026-W49", 100, 1));
    write(store, |tx| {
        tx.insert_invoice(&two)?;
        tx.insert_invoice(&one)
    });
    assert_eq!(read(store, |tx| tx.last_invoice_number()), Some(InvoiceNo::new(2)));
    assert_eq!(read(store, |tx| tx.invoices(&InvoiceFilter::default())), vec![one.clone(), two.clone()]);
    let bobs = read(store, |tx| tx.invoices(&InvoiceFilter { holder: Some(bob), ..Default::default() }));
    assert_eq!(bobs, vec![two.clone()]);
    expect_err(store.write(|tx| tx.insert_invoice(&invoice(2, ann, "2026-W50", 1, 0))), ErrorKind::Conflict);
    expect_err(store.write(|tx| tx.insert_invoice(&invoice(3, ann, "2026-W49", 1, 0))), ErrorKind::Conflict);
    write(store, |tx| tx.update_invoice_status(InvoiceNo::new(1), InvoiceStatus::Paid));
    assert_eq!(read(store, |tx| tx.invoice(InvoiceNo::new(1))).unwrap().status, InvoiceStatus::Paid);
    expect_err(store.write(|tx| tx.update_invoice_status(InvoiceNo::new(9), InvoiceStatus::Paid)), ErrorKind::NotFound);
    assert_eq!(read(store, |tx| tx.invoice(InvoiceNo::new(9))), None);
}

pub(crate) fn a_period_is_closed_once_and_reads_back<S: Store>(store: &mut S) {
    let abe = write(store, |tx| account(tx, "abe", Role::Accountant));
    let closed = ClosedPeriod {
        cycle: Cycle::Worker,
        period: "2026-11".into(),
        until: at(10),
        closed_at: at(20),
        closed_by: Some(abe),
        invoices: 2,
        total: cents(4_000),
    };
    assert_eq!(read(store, |tx| tx.closed_period(Cycle::Worker, "2026-11")), None);
    write(store, |tx| tx.insert_closed_period(&closed));
    assert_eq!(read(store, |tx| tx.closed_period(Cycle::Worker, "2026-11")), Some(closed.clone()));
    assert_eq!(read(store, |tx| tx.closed_period(Cycle::Client, "2026-11")), None);
    expect_err(store.write(|tx| tx.insert_closed_period(&closed)), ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.closed_periods()), vec![closed]);
}

pub(crate) fn payments_are_one_per_invoice_with_a_unique_key_and_open_ones_are_listed<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "bob", Role::Client)?)));
    let (one, two) = (invoice(1, ann, "2026-W49", 300, 0), invoice(2, bob, "2026-W49", 100, 0));
    let (p1, p2) = write(store, |tx| {
        tx.insert_invoice(&one)?;
        tx.insert_invoice(&two)?;
        Ok((tx.insert_payment(&payment(&one, "k1"))?, tx.insert_payment(&payment(&two, "k2"))?))
    });
    assert!(p2 > p1);
    expect_err(store.write(|tx| tx.insert_payment(&payment(&one, "k3"))), ErrorKind::Conflict);
    let mut got = read(store, |tx| tx.payment(p1)).unwrap();
    assert_eq!(got, Payment { id: p1, ..payment(&one, "k1") });
    assert_eq!(read(store, |tx| tx.payment_of(InvoiceNo::new(2))).map(|p| p.id), Some(p2));
    got.status = PaymentStatus::Confirmed;
    got.attempts = 2;
    got.service_id = Some("svc-1".into());
    got.updated_at = at(200);
    write(store, |tx| tx.update_payment(&got));
    assert_eq!(read(store, |tx| tx.payment(p1)), Some(got));
    let open: Vec<PaymentId> = read(store, |tx| tx.open_payments(None)).iter().map(|p| p.id).collect();
    assert_eq!(open, vec![p2]);
    assert!(read(store, |tx| tx.open_payments(Some(PaymentKind::Payout))).is_empty());
    expect_err(
        store.write(|tx| tx.update_payment(&Payment { id: PaymentId::new(99), ..payment(&one, "k1") })),
        ErrorKind::NotFound,
    );
}

pub(crate) fn a_retry_is_another_payment_of_its_invoice_and_the_latest_is_the_invoices<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Client));
    let one = invoice(1, ann, "2026-W49", 300, 0);
    let first = write(store, |tx| {
        tx.insert_invoice(&one)?;
        tx.insert_payment(&payment(&one, "k1"))
    });
    let second = write(store, |tx| tx.insert_payment(&Payment { retry: 1, ..payment(&one, "k1-r1") }));
    assert!(second > first);
    // The same retry twice, or a key taken, is refused and changes nothing.
    expect_err(
        store.write(|tx| tx.insert_payment(&Payment { retry: 1, ..payment(&one, "k1-r9") })),
        ErrorKind::Conflict,
    );
    expect_err(store.write(|tx| tx.insert_payment(&Payment { retry: 2, ..payment(&one, "k1") })), ErrorKind::Conflict);
    let latest = read(store, |tx| tx.payment_of(InvoiceNo::new(1))).unwrap();
    assert_eq!((latest.id, latest.retry, latest.key.as_str()), (second, 1, "k1-r1"));
    assert_eq!(read(store, |tx| tx.payment(first)).unwrap().retry, 0);
}

pub(crate) fn total_paid_is_the_sum_of_a_clients_collections_only<S: Store>(store: &mut S) {
    let (ann, bob) = write(store, |tx| Ok((account(tx, "ann", Role::Client)?, account(tx, "bob", Role::Client)?)));
    assert_eq!(read(store, |tx| tx.total_paid(ann)), Money::ZERO);
    let collected = |raw: &str, client: AccountId, amount: i64| {
        Entry::transfer(
            id(raw),
            EntryKind::Collection,
            at(5),
            LedgerAccount::Company(CompanyAccount::BankClearing),
            LedgerAccount::Client(client),
            cents(amount),
            String::new(),
        )
    };
    write(store, |tx| {
        tx.insert_entry(&charge("c:1", ann, 50_000, 1))?;
        tx.insert_entry(&collected("collection:1", ann, 30_000))?;
        tx.insert_entry(&collected("collection:2", ann, 20_001))?;
        tx.insert_entry(&collected("collection:3", bob, 7))
    });
    assert_eq!(read(store, |tx| tx.total_paid(ann)), cents(50_001));
    assert_eq!(read(store, |tx| tx.total_paid(bob)), cents(7));
}
