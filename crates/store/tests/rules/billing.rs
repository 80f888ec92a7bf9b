//! Billing's views at a glance (`billing/overview.rs`): a worker's month, the company's money by
//! week, what waits for each cycle. Entries are posted directly, so each figure's sign and each
//! period's edges are pinned without orders in between.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use chrono_tz::UTC;
use crew_core::authz::{Actor, Role};
use crew_core::billing::overview::{MAX_REPORT_WEEKS, cycles, earnings, money_by_week};
use crew_core::billing::{self, CompanyAccount, Entry, EntryId, EntryKind, LedgerAccount, Month, Week};
use crew_core::error::ErrorKind;
use crew_core::iam::{self, AccountRequest, Credential};
use crew_core::types::{Email, Login, Money, Name};
use crew_core::wiring::{Store, Tx};

use super::company::Company;
use super::{at, ctx, kind};

fn staff(c: &mut Company, l: &str, role: Role) -> Actor {
    let hash = iam::Password::parse("correct horse").unwrap().hash(&[7; 16]).unwrap();
    let req = AccountRequest {
        login: Login::parse(l).unwrap(),
        name: Name::parse(l).unwrap(),
        email: Some(Email::parse(&format!("{l}@crew.example")).unwrap()),
        role,
        credential: Credential::PasswordHash(hash),
    };
    let a = c.admin.clone();
    c.run(|tx| iam::create_account(tx, &ctx(&a, at(0)), req)).actor()
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const REVENUE: LedgerAccount = LedgerAccount::Company(CompanyAccount::Revenue);
const PAYOUTS: LedgerAccount = LedgerAccount::Company(CompanyAccount::WorkerPayouts);
const FINES: LedgerAccount = LedgerAccount::Company(CompanyAccount::Fines);
const AWARDS: LedgerAccount = LedgerAccount::Company(CompanyAccount::Awards);
const HOUSE: LedgerAccount = LedgerAccount::Company(CompanyAccount::House);
const CLEARING: LedgerAccount = LedgerAccount::Company(CompanyAccount::BankClearing);

/// Posts `cents` from `debit` to `credit` as an entry of `kind` at `when`.
fn post(
    c: &mut Company,
    id: &str,
    kind: EntryKind,
    when: DateTime<Utc>,
    debit: LedgerAccount,
    credit: LedgerAccount,
    cents: i64,
) {
    let entry = Entry::transfer(
        EntryId::parse(id).unwrap(),
        kind,
        when,
        debit,
        credit,
        Money::from_cents(cents),
        String::new(),
    );
    c.run(|tx| billing::post(tx, entry));
}

fn cents(m: Money) -> i64 {
    m.cents()
}

#[test]
fn a_workers_month_counts_each_kind_with_its_sign_and_only_inside_the_month() {
    let mut c = Company::new();
    let w = c.hire("wes", "north", "cleaning:3", 1, 50);
    let worker = LedgerAccount::Worker(w);
    post(&mut c, "earning:in-first", EntryKind::Earning, utc(2026, 12, 1, 0, 0, 0), PAYOUTS, worker, 6000);
    post(&mut c, "earning:before", EntryKind::Earning, utc(2026, 11, 30, 23, 59, 59), PAYOUTS, worker, 3000);
    post(&mut c, "fine:in", EntryKind::Fine, utc(2026, 12, 15, 9, 0, 0), worker, FINES, 4000);
    post(&mut c, "award:in", EntryKind::Award, utc(2026, 12, 16, 9, 0, 0), AWARDS, worker, 500);
    post(&mut c, "reversal:in", EntryKind::Reversal, utc(2026, 12, 17, 9, 0, 0), FINES, worker, 1000);
    post(&mut c, "payout:in", EntryKind::Payout, utc(2026, 12, 20, 9, 0, 0), worker, CLEARING, 2000);
    post(&mut c, "earning:after", EntryKind::Earning, utc(2027, 1, 1, 0, 0, 0), PAYOUTS, worker, 7000);

    let me = c.store.read(|tx: &mut dyn Tx| tx.account(w)).unwrap().unwrap().actor();
    let december = Month::parse("2026-12").unwrap();
    let e = c.run(|tx| earnings(tx, &ctx(&me, at(0)), None, december, UTC));
    assert_eq!(e.worker, worker);
    assert_eq!(e.month, "2026-12");
    assert_eq!(
        (cents(e.earned), cents(e.fines), cents(e.awards), cents(e.adjustments)),
        (6000, 4000, 500, 1000),
        "the first instant of the month is in it; the last of the month before and the first of the next are not"
    );
    assert_eq!(cents(e.net), 6000 - 4000 + 500 + 1000);
    assert_eq!(e.entries, 4, "the payout is not part of what the month earned");

    let november = c.run(|tx| earnings(tx, &ctx(&me, at(0)), None, Month::parse("2026-11").unwrap(), UTC));
    assert_eq!((cents(november.earned), november.entries), (3000, 1));

    // What comes before the month and is on no invoice: carried into it. The next payout is what
    // close-month would pay now: earnings, fines and awards on no invoice (not the reversal,
    // which no cycle invoices; not the payout).
    assert_eq!(cents(e.carried_over), 3000, "seen at 30 November, December's carry is November's earning");
    let late = c.run(|tx| earnings(tx, &ctx(&me, utc(2026, 12, 31, 0, 0, 0)), None, december, UTC));
    assert_eq!(
        (cents(late.carried_over), cents(late.next_payout)),
        (3000, 6000 - 4000 + 500),
        "November's 30.00 is paid by November's close, not December's"
    );
    // Another worker who owes more than they earned: nothing to pay, the debt carried over; their
    // entries never count for wes.
    let v = c.hire("val", "north", "cleaning:3", 1, 50);
    let val = LedgerAccount::Worker(v);
    post(&mut c, "fine:val", EntryKind::Fine, utc(2026, 11, 10, 9, 0, 0), val, FINES, 4000);
    post(&mut c, "earning:val", EntryKind::Earning, utc(2026, 12, 10, 9, 0, 0), PAYOUTS, val, 1000);
    let val_me = c.store.read(|tx: &mut dyn Tx| tx.account(v)).unwrap().unwrap().actor();
    let owes = c.run(|tx| earnings(tx, &ctx(&val_me, utc(2026, 12, 31, 0, 0, 0)), None, december, UTC));
    assert_eq!((cents(owes.earned), cents(owes.carried_over), cents(owes.next_payout)), (1000, -4000, 0));
    assert_eq!(c.run(|tx| earnings(tx, &ctx(&me, utc(2026, 12, 31, 0, 0, 0)), None, december, UTC)), late);

    // Staff name the worker; a client's account is not a worker's; a client may not look.
    let abe = staff(&mut c, "abe", Role::Accountant);
    let named = c.run(|tx| earnings(tx, &ctx(&abe, at(0)), Some("wes@x.example"), december, UTC));
    assert_eq!(named, e);
    let not_a_worker = c.try_run(|tx| earnings(tx, &ctx(&abe, at(0)), Some("duchess@x.example"), december, UTC));
    assert_eq!(kind(not_a_worker), ErrorKind::BadInput);
    let client = c.client();
    assert_eq!(kind(c.try_run(|tx| earnings(tx, &ctx(&client, at(0)), None, december, UTC))), ErrorKind::BadInput);
    let other = c.try_run(|tx| earnings(tx, &ctx(&client, at(0)), Some("wes@x.example"), december, UTC));
    assert_eq!(kind(other), ErrorKind::NotAllowed);
}

#[test]
fn the_companys_money_is_cut_into_weeks_at_monday_midnight_in_the_company_zone() {
    let mut c = Company::new();
    let w = LedgerAccount::Worker(c.hire("wes", "north", "cleaning:3", 1, 50));
    let client = LedgerAccount::Client(c.client().id);
    let mia = staff(&mut c, "mia", Role::Manager);
    let manager = LedgerAccount::Manager(mia.id);
    // Sunday 6 December 23:59:59 in Berlin is 22:59:59 UTC (week 49); a second later it is
    // Monday 7 December (week 50).
    let sunday = utc(2026, 12, 6, 22, 59, 59);
    let monday = utc(2026, 12, 6, 23, 0, 0);
    post(&mut c, "charge:1", EntryKind::Charge, sunday, client, REVENUE, 10000);
    post(&mut c, "charge:2", EntryKind::Charge, monday, client, REVENUE, 5000);
    post(&mut c, "reversal:1", EntryKind::Reversal, monday, REVENUE, client, 1000);
    post(&mut c, "earning:1", EntryKind::Earning, sunday, PAYOUTS, w, 6000);
    post(&mut c, "fine:1", EntryKind::Fine, sunday, w, FINES, 4000);
    post(&mut c, "award:1", EntryKind::Award, sunday, AWARDS, w, 500);
    post(&mut c, "pot:1", EntryKind::Reversal, sunday, manager, HOUSE, 700);
    post(&mut c, "collection:1", EntryKind::Collection, monday, CLEARING, client, 10000);
    post(&mut c, "payout:1", EntryKind::Payout, monday, w, CLEARING, 2500);
    post(&mut c, "charge:old", EntryKind::Charge, utc(2026, 11, 29, 22, 59, 59), client, REVENUE, 99);

    let f = c.run(|tx| money_by_week(tx, &ctx(&mia, at(0)), day(2026, 12, 1), day(2026, 12, 7), Berlin));
    let weeks: Vec<String> = f.weeks.iter().map(|w| w.week.to_string()).collect();
    assert_eq!(weeks, ["2026-W49", "2026-W50"], "every week the days touch");
    assert_eq!(f.weeks[0].from, day(2026, 11, 30));
    let w49 = &f.weeks[0];
    assert_eq!(
        [w49.revenue, w49.earnings, w49.fines, w49.awards, w49.house, w49.collected, w49.paid_out].map(cents),
        [10000, 6000, 4000, 500, 700, 0, 0],
        "the charge of 29 November 23:59:59 belongs to week 48, outside the period"
    );
    let w50 = &f.weeks[1];
    assert_eq!(
        [w50.revenue, w50.earnings, w50.fines, w50.awards, w50.house, w50.collected, w50.paid_out].map(cents),
        [5000 - 1000, 0, 0, 0, 0, 10000, 2500]
    );

    // One day is one week; the edges of the period's size.
    let one = c.run(|tx| money_by_week(tx, &ctx(&mia, at(0)), day(2026, 12, 6), day(2026, 12, 6), Berlin));
    assert_eq!(one.weeks.len(), 1);
    assert_eq!(one.weeks[0].week, Week::parse("2026-W49").unwrap());
    let first = day(2025, 1, 6); // a Monday
    let last_allowed = first + chrono::Days::new(MAX_REPORT_WEEKS as u64 * 7 - 1);
    let most = c.run(|tx| money_by_week(tx, &ctx(&mia, at(0)), first, last_allowed, Berlin));
    assert_eq!(most.weeks.len(), MAX_REPORT_WEEKS);
    let too_many =
        c.try_run(|tx| money_by_week(tx, &ctx(&mia, at(0)), first, last_allowed.succ_opt().unwrap(), Berlin));
    assert_eq!(kind(too_many), ErrorKind::BadInput);
    let reversed = c.try_run(|tx| money_by_week(tx, &ctx(&mia, at(0)), day(2026, 12, 7), day(2026, 12, 6), Berlin));
    assert_eq!(kind(reversed), ErrorKind::BadInput);
    let client = c.client();
    let refused = c.try_run(|tx| money_by_week(tx, &ctx(&client, at(0)), day(2026, 12, 1), day(2026, 12, 7), Berlin));
    assert_eq!(kind(refused), ErrorKind::NotAllowed);
}

#[test]
fn the_accountant_sees_what_waits_for_each_cycle_and_the_last_verification() {
    let mut c = Company::new();
    let w = LedgerAccount::Worker(c.hire("wes", "north", "cleaning:3", 1, 50));
    let client = LedgerAccount::Client(c.client().id);
    let abe = staff(&mut c, "abe", Role::Accountant);
    let wednesday = utc(2026, 12, 9, 12, 0, 0);

    let fresh = c.run(|tx| cycles(tx, &ctx(&abe, wednesday), UTC));
    assert_eq!((fresh.weekly.to_close.clone(), fresh.monthly.to_close.clone()), (None, None), "nothing to close");
    assert_eq!((fresh.weekly.current.as_str(), fresh.monthly.current.as_str()), ("2026-W50", "2026-12"));
    assert_eq!(fresh.weekly.current_ends, utc(2026, 12, 14, 0, 0, 0));
    assert_eq!(fresh.monthly.current_ends, utc(2027, 1, 1, 0, 0, 0));
    assert_eq!(fresh.last_verification, None);

    post(&mut c, "charge:w49", EntryKind::Charge, utc(2026, 12, 6, 23, 59, 59), client, REVENUE, 10000);
    // A second client, whose invoice is never the first's.
    let a = c.admin.clone();
    let row = super::company::record(&[("name", "Earl"), ("email", "earl@x.example"), ("zone", "north")]);
    c.run(|tx| iam::import_clients(tx, &ctx(&a, at(0)), &[row], &mut ()));
    let earl = c.store.read(|tx: &mut dyn Tx| tx.account_by_email(&Email::parse("earl@x.example")?)).unwrap().unwrap();
    post(
        &mut c,
        "charge:earl",
        EntryKind::Charge,
        utc(2026, 12, 5, 9, 0, 0),
        LedgerAccount::Client(earl.id),
        REVENUE,
        700,
    );
    post(&mut c, "charge:w50", EntryKind::Charge, utc(2026, 12, 7, 0, 0, 0), client, REVENUE, 5000);
    post(&mut c, "earning:nov", EntryKind::Earning, utc(2026, 11, 30, 23, 59, 59), PAYOUTS, w, 6000);
    post(&mut c, "fine:nov", EntryKind::Fine, utc(2026, 11, 20, 9, 0, 0), w, FINES, 4000);
    post(&mut c, "earning:dec", EntryKind::Earning, utc(2026, 12, 1, 0, 0, 0), PAYOUTS, w, 3000);

    let v = LedgerAccount::Worker(c.hire("val", "north", "cleaning:3", 1, 50));
    post(&mut c, "fine:val", EntryKind::Fine, utc(2026, 11, 10, 9, 0, 0), v, FINES, 1500);

    let due = c.run(|tx| cycles(tx, &ctx(&abe, wednesday), UTC));
    assert_eq!(due.weekly.to_close.as_deref(), Some("2026-W49"));
    assert_eq!((due.weekly.waiting_holders, due.weekly.waiting_entries), (2, 2), "only entries before this week");
    assert_eq!((cents(due.weekly.waiting_invoiced), cents(due.weekly.waiting_carried)), (10700, 0));
    assert_eq!(due.monthly.to_close.as_deref(), Some("2026-11"));
    assert_eq!((due.monthly.waiting_holders, due.monthly.waiting_entries), (2, 3));
    assert_eq!(
        (cents(due.monthly.waiting_invoiced), cents(due.monthly.waiting_carried)),
        (6000 - 4000, 1500),
        "wes will be paid his earning net of his fine; val's fine carries over"
    );
    assert!(due.unknown.is_empty() && due.open == 0 && due.failed.is_empty());

    let week = Week::parse("2026-W49").unwrap();
    let closed = c.run(|tx| billing::close_week(tx, &ctx(&abe, wednesday), week, UTC));
    assert_eq!(closed.invoices.len(), 2);
    let after = c.run(|tx| cycles(tx, &ctx(&abe, wednesday), UTC));
    assert_eq!((after.weekly.to_close, after.weekly.waiting_entries), (None, 0));
    assert_eq!(after.open, 2, "the week's collections are reserved, not yet sent");
    assert!(after.unknown.is_empty() && after.failed.is_empty(), "reserved is neither unknown nor failed");

    // Earl's collection is sent and its outcome lost: unknown.
    let earls = c
        .run(|tx| billing::open_payments(tx, &ctx(&abe, wednesday), None))
        .into_iter()
        .find(|p| p.holder == earl.id)
        .unwrap();
    c.run(|tx| billing::submit(tx, &ctx(&abe, wednesday), earls.id));
    let lost = billing::Outcome::Unknown { reason: "timed out".into() };
    c.run(|tx| billing::settle(tx, &ctx(&abe, wednesday), earls.id, lost));
    let unknown = c.run(|tx| cycles(tx, &ctx(&abe, wednesday), UTC));
    assert_eq!(unknown.unknown.iter().map(|p| p.id).collect::<Vec<_>>(), [earls.id]);

    // The collection is refused: the accountant sees the failed invoice, the client their unpaid one.
    let payment = c
        .run(|tx| billing::open_payments(tx, &ctx(&abe, wednesday), None))
        .into_iter()
        .find(|p| p.holder != earl.id)
        .unwrap()
        .id;
    c.run(|tx| billing::submit(tx, &ctx(&abe, wednesday), payment));
    let refused = billing::Outcome::Failed { reason: "card declined".into() };
    c.run(|tx| billing::settle(tx, &ctx(&abe, wednesday), payment, refused));
    let failed = c.run(|tx| cycles(tx, &ctx(&abe, wednesday), UTC));
    assert_eq!((failed.open, failed.failed.len()), (1, 1), "earl's unknown one is still open");
    assert_eq!(failed.failed[0].holder, c.client().id);
    let duchess = c.client();
    let unpaid = c.run(|tx| billing::overview::unpaid(tx, &ctx(&duchess, wednesday), None));
    assert_eq!((unpaid.invoices.len(), cents(unpaid.total)), (1, 10000));
    assert_eq!(unpaid.invoices[0].status, billing::InvoiceStatus::Failed);
    let not_client = c.try_run(|tx| billing::overview::unpaid(tx, &ctx(&abe, wednesday), Some("wes@x.example")));
    assert_eq!(kind(not_client), ErrorKind::BadInput);

    // The last verification: these charges have no order event, so it finds problems.
    let v = c.run(|tx| billing::verify(tx, &ctx(&abe, utc(2026, 12, 9, 13, 0, 0))));
    let seen = c.run(|tx| cycles(tx, &ctx(&abe, wednesday), UTC)).last_verification.expect("recorded");
    assert_eq!(seen.at, utc(2026, 12, 9, 13, 0, 0));
    assert_eq!(seen.passed, v.passed());
    assert!(!seen.passed);
    let problems: usize = v.checks.iter().map(|c| c.problems.len()).sum();
    assert_eq!((seen.checks as usize, seen.problems as usize), (v.checks.len(), problems));

    let worker = c.store.read(|tx: &mut dyn Tx| tx.account(w.holder().unwrap())).unwrap().unwrap().actor();
    assert_eq!(kind(c.try_run(|tx| cycles(tx, &ctx(&worker, wednesday), UTC))), ErrorKind::NotAllowed);
}

/// The shell's batches (`crew billing close-week` and the others): a batch of payments is recorded
/// submitted in one transaction and settled in one, each payment as if alone; a batch naming a
/// payment that does not exist records nothing of the batch; an answer about a payment no longer
/// open changes nothing.
#[test]
fn a_batch_of_payments_is_submitted_and_settled_as_if_each_were_alone_or_not_at_all() {
    let mut c = Company::new();
    let client = c.client().id;
    let abe = staff(&mut c, "abe", Role::Accountant);
    let a = c.admin.clone();
    let row = super::company::record(&[("name", "Earl"), ("email", "earl@x.example"), ("zone", "north")]);
    c.run(|tx| iam::import_clients(tx, &ctx(&a, at(0)), &[row], &mut ()));
    let earl = c.store.read(|tx: &mut dyn Tx| tx.account_by_email(&Email::parse("earl@x.example")?)).unwrap().unwrap();
    post(
        &mut c,
        "charge:1",
        EntryKind::Charge,
        utc(2026, 12, 5, 9, 0, 0),
        LedgerAccount::Client(client),
        REVENUE,
        10000,
    );
    post(
        &mut c,
        "charge:2",
        EntryKind::Charge,
        utc(2026, 12, 5, 9, 0, 0),
        LedgerAccount::Client(earl.id),
        REVENUE,
        700,
    );
    let monday = utc(2026, 12, 7, 6, 0, 0);
    c.run(|tx| billing::close_week(tx, &ctx(&abe, monday), Week::parse("2026-W49").unwrap(), UTC));
    let open = c.run(|tx| billing::open_payments(tx, &ctx(&abe, monday), None));
    let ids: Vec<_> = open.iter().map(|p| p.id).collect();
    assert_eq!(ids.len(), 2);
    let events = |c: &mut Company, kind: &str| {
        c.store
            .read(|tx: &mut dyn Tx| tx.events_after(crew_core::ids::EventSeq::START, 10_000))
            .unwrap()
            .into_iter()
            .filter(|e| e.type_name == kind)
            .count()
    };

    // A batch naming a payment that does not exist: not found, and nothing of it recorded.
    let missing = crew_core::ids::PaymentId::new(999);
    let err = c.try_run(|tx| billing::submit_batch(tx, &ctx(&abe, monday), &[ids[0], missing]));
    assert_eq!(kind(err), ErrorKind::NotFound);
    let still = c.run(|tx| billing::open_payments(tx, &ctx(&abe, monday), None));
    assert!(still.iter().all(|p| p.status == billing::PaymentStatus::Reserved && p.attempts == 0), "{still:?}");
    assert_eq!(events(&mut c, "payment_submitted"), 0);

    // The batch: both submitted, an attempt and an event each, in the order given.
    let submitted = c.run(|tx| billing::submit_batch(tx, &ctx(&abe, monday), &[ids[1], ids[0]]));
    assert_eq!(submitted.iter().map(|s| s.payment.id).collect::<Vec<_>>(), [ids[1], ids[0]]);
    assert!(submitted.iter().all(|s| s.payment.status == billing::PaymentStatus::Submitted && s.payment.attempts == 1));
    assert_eq!(submitted[0].party, "earl@x.example", "who pays: the holder's login");
    assert_eq!(events(&mut c, "payment_submitted"), 2);

    // Settling with an answer about a payment that does not exist records none of the answers.
    let confirmed = |id: &str| billing::Outcome::Confirmed { service_id: id.into() };
    let err = c.try_run(|tx| {
        billing::settle_batch(tx, &ctx(&abe, monday), vec![(ids[0], confirmed("s-1")), (missing, confirmed("s-x"))])
    });
    assert_eq!(kind(err), ErrorKind::NotFound);
    let still = c.run(|tx| billing::open_payments(tx, &ctx(&abe, monday), None));
    assert!(still.iter().all(|p| p.status == billing::PaymentStatus::Submitted), "{still:?}");
    assert_eq!(c.store.read(|tx: &mut dyn Tx| tx.ledger_balance(CLEARING)).unwrap().debits, Money::ZERO);

    // The answers: one confirmed (posted, invoice paid), one refused (invoice failed).
    let refused = billing::Outcome::Failed { reason: "card declined".into() };
    let settled = c.run(|tx| {
        billing::settle_batch(tx, &ctx(&abe, monday), vec![(ids[0], confirmed("s-1")), (ids[1], refused.clone())])
    });
    assert_eq!(
        settled.iter().map(|p| p.status).collect::<Vec<_>>(),
        [billing::PaymentStatus::Confirmed, billing::PaymentStatus::Failed]
    );
    assert_eq!(cents(c.store.read(|tx: &mut dyn Tx| tx.ledger_balance(CLEARING)).unwrap().debits), 10000);
    let invoices = c.run(|tx| billing::invoices(tx, &ctx(&abe, monday), billing::InvoiceFilter::default()));
    let status_of = |holder| invoices.iter().find(|(i, _)| i.holder == holder).unwrap().0.status;
    assert_eq!(status_of(client), billing::InvoiceStatus::Paid);
    assert_eq!(status_of(earl.id), billing::InvoiceStatus::Failed);
    assert_eq!((events(&mut c, "payment_confirmed"), events(&mut c, "payment_failed")), (1, 1));

    // Answers repeated about payments no longer open change nothing, and neither does submitting
    // them again (nothing is to be sent).
    let again =
        c.run(|tx| billing::settle_batch(tx, &ctx(&abe, monday), vec![(ids[0], refused), (ids[1], confirmed("s-2"))]));
    assert_eq!(again, settled);
    let resubmitted = c.run(|tx| billing::submit_batch(tx, &ctx(&abe, monday), &ids));
    assert!(resubmitted.iter().all(|s| s.payment.attempts == 1 && !s.payment.status.is_open()));
    assert_eq!(events(&mut c, "payment_submitted"), 2);
    assert_eq!(cents(c.store.read(|tx: &mut dyn Tx| tx.ledger_balance(CLEARING)).unwrap().debits), 10000);

    // Only those who close periods may.
    let duchess = c.client();
    assert_eq!(kind(c.try_run(|tx| billing::submit_batch(tx, &ctx(&duchess, monday), &ids))), ErrorKind::NotAllowed);
    assert_eq!(kind(c.try_run(|tx| billing::settle_batch(tx, &ctx(&duchess, monday), vec![]))), ErrorKind::NotAllowed);
}

/// A month closed again issues nothing and shows the month's invoices once each: the workers' and
/// the managers' cycles share the period's name (`2026-11`), each lists its own.
#[test]
fn a_month_closed_again_shows_each_cycles_invoices_once() {
    let mut c = Company::new();
    let w = LedgerAccount::Worker(c.hire("wes", "north", "cleaning:3", 1, 50));
    let abe = staff(&mut c, "abe", Role::Accountant);
    let max = LedgerAccount::Manager(staff(&mut c, "max", Role::Manager).id);
    let stakes = LedgerAccount::Company(CompanyAccount::Stakes);
    post(&mut c, "earning:nov", EntryKind::Earning, utc(2026, 11, 20, 9, 0, 0), PAYOUTS, w, 6000);
    post(&mut c, "bet:1:stake", EntryKind::Stake, utc(2026, 11, 20, 9, 0, 0), max, stakes, 300);
    post(&mut c, "order:1:bets", EntryKind::BetSettlement, utc(2026, 11, 21, 9, 0, 0), stakes, max, 500);
    let december = utc(2026, 12, 1, 6, 0, 0);
    let month = Month::parse("2026-11").unwrap();
    let first = c.run(|tx| billing::close_month(tx, &ctx(&abe, december), month, UTC));
    assert!(!first.already_closed);
    let issued: Vec<_> = first.invoices.iter().map(|i| (i.cycle, cents(i.amount))).collect();
    assert_eq!(issued, [(billing::Cycle::Worker, 6000), (billing::Cycle::Manager, 200)]);
    let again = c.run(|tx| billing::close_month(tx, &ctx(&abe, december), month, UTC));
    assert!(again.already_closed);
    assert_eq!(again.invoices, first.invoices, "each cycle's invoice once, nothing new");
}

/// A week is closed once it has ended — at its end exactly, not a microsecond before — and closing
/// it again shows that week's invoices only, not another week's.
#[test]
fn a_week_closes_at_its_end_exactly_and_again_shows_only_its_own_invoices() {
    let mut c = Company::new();
    let client = LedgerAccount::Client(c.client().id);
    let abe = staff(&mut c, "abe", Role::Accountant);
    post(&mut c, "charge:w49", EntryKind::Charge, utc(2026, 12, 5, 9, 0, 0), client, REVENUE, 10000);
    post(&mut c, "charge:w50", EntryKind::Charge, utc(2026, 12, 8, 9, 0, 0), client, REVENUE, 2500);
    let (w49, w50) = (Week::parse("2026-W49").unwrap(), Week::parse("2026-W50").unwrap());
    let end = utc(2026, 12, 7, 0, 0, 0);
    let early = c.try_run(|tx| billing::close_week(tx, &ctx(&abe, end - chrono::Duration::microseconds(1)), w49, UTC));
    assert_eq!(kind(early), ErrorKind::Conflict, "a microsecond before its end");
    let first = c.run(|tx| billing::close_week(tx, &ctx(&abe, end), w49, UTC));
    assert_eq!(first.invoices.iter().map(|i| cents(i.amount)).collect::<Vec<_>>(), [10000], "at its end exactly");
    let later = utc(2026, 12, 14, 6, 0, 0);
    let next = c.run(|tx| billing::close_week(tx, &ctx(&abe, later), w50, UTC));
    assert_eq!(next.invoices.iter().map(|i| cents(i.amount)).collect::<Vec<_>>(), [2500]);
    let again = c.run(|tx| billing::close_week(tx, &ctx(&abe, later), w49, UTC));
    assert!(again.already_closed);
    assert_eq!(again.invoices, first.invoices, "W49's invoice only");
}

/// The month: a worker who owes carries it over (no invoice), one whose month comes to exactly
/// nothing neither carries nor is invoiced, one owed is invoiced.
#[test]
fn a_worker_who_owes_carries_over_and_one_at_zero_neither_carries_nor_is_invoiced() {
    let mut c = Company::new();
    let abe = staff(&mut c, "abe", Role::Accountant);
    let owed = LedgerAccount::Worker(c.hire("wes", "north", "cleaning:3", 1, 50));
    let owes = LedgerAccount::Worker(c.hire("val", "north", "cleaning:3", 1, 50));
    let even = LedgerAccount::Worker(c.hire("eve", "north", "cleaning:3", 1, 50));
    post(&mut c, "earning:wes", EntryKind::Earning, utc(2026, 11, 20, 9, 0, 0), PAYOUTS, owed, 6000);
    post(&mut c, "fine:val", EntryKind::Fine, utc(2026, 11, 20, 9, 0, 0), owes, FINES, 1500);
    post(&mut c, "earning:eve", EntryKind::Earning, utc(2026, 11, 20, 9, 0, 0), PAYOUTS, even, 4000);
    post(&mut c, "fine:eve", EntryKind::Fine, utc(2026, 11, 21, 9, 0, 0), even, FINES, 4000);
    let month = Month::parse("2026-11").unwrap();
    let closed = c.run(|tx| billing::close_month(tx, &ctx(&abe, utc(2026, 12, 1, 6, 0, 0)), month, UTC));
    let invoiced: Vec<_> = closed.invoices.iter().map(|i| (i.holder, cents(i.amount))).collect();
    assert_eq!(invoiced, [(owed.holder().unwrap(), 6000)]);
    let carried: Vec<_> = closed.carried_over.iter().map(|c| (c.worker, cents(c.owed))).collect();
    assert_eq!(carried, [(owes.holder().unwrap(), 1500)], "eve's month came to nothing: not carried");
}

/// `crew billing collect` retries failed collections from clients only: a failed payout to a
/// worker is not a collection to retry, and a paid invoice has nothing to retry.
#[test]
fn collect_retries_only_failed_client_collections() {
    let mut c = Company::new();
    let client = LedgerAccount::Client(c.client().id);
    let abe = staff(&mut c, "abe", Role::Accountant);
    let w = LedgerAccount::Worker(c.hire("wes", "north", "cleaning:3", 1, 50));
    post(&mut c, "charge:1", EntryKind::Charge, utc(2026, 11, 25, 9, 0, 0), client, REVENUE, 10000);
    post(&mut c, "earning:1", EntryKind::Earning, utc(2026, 11, 25, 9, 0, 0), PAYOUTS, w, 6000);
    let monday = utc(2026, 12, 7, 6, 0, 0);
    c.run(|tx| billing::close_week(tx, &ctx(&abe, monday), Week::parse("2026-W49").unwrap(), UTC));
    c.run(|tx| billing::close_month(tx, &ctx(&abe, monday), Month::parse("2026-11").unwrap(), UTC));
    let open = c.run(|tx| billing::open_payments(tx, &ctx(&abe, monday), None));
    let answers: Vec<_> = open
        .iter()
        .map(|p| match p.kind {
            billing::PaymentKind::Collection => (p.id, billing::Outcome::Confirmed { service_id: "s-1".into() }),
            billing::PaymentKind::Payout => (p.id, billing::Outcome::Failed { reason: "no such account".into() }),
        })
        .collect();
    let ids: Vec<_> = open.iter().map(|p| p.id).collect();
    c.run(|tx| billing::submit_batch(tx, &ctx(&abe, monday), &ids));
    c.run(|tx| billing::settle_batch(tx, &ctx(&abe, monday), answers));
    let retried = c.run(|tx| billing::retry_collections(tx, &ctx(&abe, monday), None));
    assert!(retried.is_empty(), "{retried:?}");
}

fn photo() -> crew_core::ordering::Photo {
    crew_core::ordering::Photo { path: "orders/1/in.jpg".into(), sha256: crew_core::types::Sha256Hex::of(b"photo") }
}

/// `verify` checks the ledger against the log both ways: an order that became active without its
/// charge (another entry took the charge's id before the check-in, so the charge was skipped as
/// already posted) is a problem, while an order charged as usual is not.
#[test]
fn verify_finds_an_order_that_became_active_without_its_charge() {
    let mut c = Company::new();
    let wes_id = c.hire("wes", "north", "cleaning:3", 20, 50);
    let abe = staff(&mut c, "abe", Role::Accountant);
    let (taken, charged) = (c.order("north", 5), c.order("north", 6));
    let a = c.admin.clone();
    let wes = Login::parse("wes@x.example").unwrap();
    let worker = c.store.read(|tx: &mut dyn Tx| tx.account_by_login(&wes)).unwrap().unwrap().actor();
    for order in [taken, charged] {
        let force = Some(crew_core::ordering::Force { reason: crew_core::types::Text::parse("test").unwrap() });
        c.run(|tx| {
            crew_core::ordering::assign(
                tx,
                &ctx(&a, at(3)),
                &super::company::pricing(),
                &Default::default(),
                &Default::default(),
                order,
                &wes,
                force,
            )
        });
    }
    let id = format!("order:{taken}:charge");
    post(&mut c, &id, EntryKind::Award, at(3), AWARDS, LedgerAccount::Worker(wes_id), 100);
    for order in [taken, charged] {
        c.run(|tx| {
            crew_core::ordering::check_in(tx, &ctx(&worker, at(4)), order, photo(), chrono::Duration::days(365))
        });
    }
    let v = c.run(|tx| billing::verify(tx, &ctx(&abe, at(10))));
    let check = v.checks.iter().find(|c| c.name == "every order that owes a charge is charged").unwrap();
    assert_eq!(check.checked, 2);
    assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
    assert!(check.problems[0].starts_with(&format!("order #{taken} became active")), "{:?}", check.problems);
    assert!(!v.passed());
}

/// A close without a named period catches up on every period missed since the last one closed,
/// oldest first; only the last ended period when none was ever closed; nothing when the last
/// ended before the company's books began — and a period named that ended before them is refused.
#[test]
fn a_close_catches_up_on_missed_periods_and_none_ends_before_the_books_began() {
    let mut c = Company::new();
    let client = LedgerAccount::Client(c.client().id);
    let abe = staff(&mut c, "abe", Role::Accountant);
    let week = |w: &str| Week::parse(w).unwrap();
    let to_close = |c: &mut Company, last: &str| {
        c.run(|tx| billing::periods_to_close(tx, billing::Cycle::Client, week(last), UTC))
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
    };
    // The books began 2026-11-30 08:00 (Monday of W49): W48 ended before them.
    assert_eq!(to_close(&mut c, "2026-W48"), Vec::<String>::new());
    assert_eq!(to_close(&mut c, "2026-W49"), ["2026-W49"], "none closed: the last ended only");
    assert_eq!(to_close(&mut c, "2026-W51"), ["2026-W51"]);
    let early = c.try_run(|tx| billing::close_week(tx, &ctx(&abe, utc(2026, 12, 7, 6, 0, 0)), week("2026-W48"), UTC));
    assert_eq!(kind(early), ErrorKind::BadInput, "W48 ended before the books began");
    post(&mut c, "charge:w50", EntryKind::Charge, utc(2026, 12, 8, 9, 0, 0), client, REVENUE, 2500);
    post(&mut c, "charge:w51", EntryKind::Charge, utc(2026, 12, 15, 9, 0, 0), client, REVENUE, 4000);
    c.run(|tx| billing::close_week(tx, &ctx(&abe, utc(2026, 12, 7, 6, 0, 0)), week("2026-W49"), UTC));
    assert_eq!(to_close(&mut c, "2026-W49"), ["2026-W49"], "the last, closed already: the close says so");
    assert_eq!(to_close(&mut c, "2026-W50"), ["2026-W50"]);
    assert_eq!(to_close(&mut c, "2026-W52"), ["2026-W50", "2026-W51", "2026-W52"]);
    let now = utc(2026, 12, 28, 6, 0, 0);
    let closed: Vec<_> = c.run(|tx| {
        billing::periods_to_close(tx, billing::Cycle::Client, week("2026-W52"), UTC)?
            .into_iter()
            .map(|w| billing::close_week(tx, &ctx(&abe, now), w, UTC))
            .collect::<crew_core::Result<Vec<_>>>()
    });
    let amounts: Vec<Vec<i64>> = closed.iter().map(|r| r.invoices.iter().map(|i| cents(i.amount)).collect()).collect();
    assert_eq!(amounts, [vec![2500], vec![4000], vec![]], "each week its own invoice");
    assert_eq!(to_close(&mut c, "2026-W52"), ["2026-W52"]);
    // Months the same way, with the workers' cycle.
    let month = |m: &str| Month::parse(m).unwrap();
    let months = c.run(|tx| billing::periods_to_close(tx, billing::Cycle::Worker, month("2026-10"), UTC));
    assert!(months.is_empty(), "October ended before the books began");
    let months = c.run(|tx| billing::periods_to_close(tx, billing::Cycle::Worker, month("2027-01"), UTC));
    assert_eq!(months, [month("2027-01")]);
}
