//! Mail's rules: claiming due mail (limits, leases, transactional before bulk), recording
//! outcomes (backoff, the last attempt, permanent refusals, mails not tried), renewing a lease,
//! retrying a dead letter, and the subscriber that queues each notice once (digests rewritten
//! until taken).

use chrono::{DateTime, Duration, TimeZone, Utc};
use crew_core::authz::Actor;
use crew_core::error::ErrorKind;
use crew_core::iam;
use crew_core::ids::{EventSeq, MailId};
use crew_core::kernel::command::Subscriber;
use crew_core::kernel::events::RecordedEvent;
use crew_core::mail::{
    self, Attempt, MAX_CLAIM, MAX_LEASE, Mail, MailClass, MailStatus, NewMail, Notice, Notifications, Notifier,
    RetryPolicy, Template,
};
use crew_core::types::{Email, Login, Name};
use crew_core::wiring::{Store, Tx};
use crew_store::SqliteStore;

use super::{at, ctx, kind, store};

fn company() -> (SqliteStore, Actor) {
    let mut store = store();
    let hash = iam::Password::parse("correct horse").unwrap().hash(&[7; 16]).unwrap();
    let admin = store
        .write(|tx: &mut dyn Tx| {
            iam::init(tx, at(0), Login::parse("root").unwrap(), Name::parse("Root").unwrap(), None, hash)
        })
        .unwrap();
    (store, admin.actor())
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

/// Queues a mail with `cause`, created (and due) at `created`.
fn queue(store: &mut SqliteStore, cause: &str, class: MailClass, created: DateTime<Utc>) -> MailId {
    let m = NewMail {
        cause: cause.into(),
        to: email("ann@example.com"),
        subject: format!("about {cause}"),
        body: "hello".into(),
        created_at: created,
        activation_for: None,
        class,
    };
    store.write(|tx: &mut dyn Tx| tx.insert_mail(&m)).unwrap();
    let all = store.read(|tx: &mut dyn Tx| tx.mails(None, None)).unwrap();
    all.into_iter().filter_map(Result::ok).find(|x| x.cause == cause).unwrap().id
}

fn get(store: &mut SqliteStore, id: MailId) -> Mail {
    store.read(|tx: &mut dyn Tx| tx.mail(id)).unwrap().unwrap().unwrap()
}

fn claim(store: &mut SqliteStore, admin: &Actor, now: DateTime<Utc>, limit: usize, lease: Duration) -> Vec<MailId> {
    store
        .write(|tx: &mut dyn Tx| mail::claim(tx, &ctx(admin, now), limit, lease))
        .unwrap()
        .mails
        .iter()
        .map(|m| m.id)
        .collect()
}

fn record(store: &mut SqliteStore, admin: &Actor, now: DateTime<Utc>, id: MailId, attempt: Attempt) -> Mail {
    let policy = RetryPolicy { max_attempts: 3, base_delay_seconds: 60 };
    store.write(|tx: &mut dyn Tx| mail::record(tx, &ctx(admin, now), &[(id, attempt)], policy)).unwrap().remove(0)
}

#[test]
fn a_claim_takes_transactional_mail_before_bulk_then_the_oldest_first_at_most_the_limit() {
    let (mut store, admin) = company();
    let bulk1 = queue(&mut store, "b1", MailClass::Bulk, at(1));
    let bulk2 = queue(&mut store, "b2", MailClass::Bulk, at(2));
    let order1 = queue(&mut store, "o1", MailClass::Transactional, at(3));
    let order2 = queue(&mut store, "o2", MailClass::Transactional, at(4));
    let not_due = queue(&mut store, "o3", MailClass::Transactional, at(60));
    let lease = Duration::minutes(10);
    assert_eq!(claim(&mut store, &admin, at(5), 3, lease), vec![order1, order2, bulk1]);
    // Claimed mail is held for the lease: another run meanwhile takes only what is left.
    assert_eq!(claim(&mut store, &admin, at(6), 10, lease), vec![bulk2]);
    assert_eq!(get(&mut store, order1).next_attempt_at, at(15));
    assert_eq!(get(&mut store, bulk2).next_attempt_at, at(16));
    assert_eq!(get(&mut store, order1).status, MailStatus::Queued, "claiming is not sending");
    assert_eq!(get(&mut store, order1).attempts, 0, "claiming counts no attempt");
    // Once the lease is over (a run that died), they are due again; the mail due at 60 too.
    assert_eq!(claim(&mut store, &admin, at(60), 10, lease), vec![order1, order2, not_due, bulk1, bulk2]);
}

#[test]
fn a_claim_refuses_limits_and_leases_out_of_range_and_a_lease_past_the_last_storable_time() {
    let (mut store, admin) = company();
    let id = queue(&mut store, "o1", MailClass::Transactional, at(1));
    let try_claim = |store: &mut SqliteStore, now, limit, lease| {
        store.write(|tx: &mut dyn Tx| mail::claim(tx, &ctx(&admin, now), limit, lease))
    };
    let minute = Duration::minutes(1);
    assert_eq!(kind(try_claim(&mut store, at(5), 0, minute)), ErrorKind::BadInput);
    assert_eq!(kind(try_claim(&mut store, at(5), MAX_CLAIM + 1, minute)), ErrorKind::BadInput);
    assert_eq!(kind(try_claim(&mut store, at(5), 1, Duration::zero())), ErrorKind::BadInput);
    assert_eq!(kind(try_claim(&mut store, at(5), 1, MAX_LEASE + Duration::seconds(1))), ErrorKind::BadInput);
    let near_the_end = mail::latest_time() - Duration::seconds(30);
    assert_eq!(kind(try_claim(&mut store, near_the_end, 1, minute)), ErrorKind::BadInput);
    assert_eq!(get(&mut store, id).next_attempt_at, at(1), "a refused claim changes nothing");
    // The boundaries themselves are allowed: the largest limit and lease, a lease ending exactly
    // at the last storable time.
    assert_eq!(try_claim(&mut store, at(5), MAX_CLAIM, MAX_LEASE).unwrap().mails.len(), 1);
    let end = mail::latest_time();
    assert_eq!(try_claim(&mut store, end - Duration::seconds(60), 1, minute).unwrap().mails.len(), 1);
    assert_eq!(get(&mut store, id).next_attempt_at, end);
    let none = try_claim(&mut store, at(5), 1, Duration::seconds(1)).unwrap();
    assert!(none.mails.is_empty(), "held until the end of time");
}

#[test]
fn a_failed_attempt_is_retried_after_a_doubling_backoff_and_the_last_one_is_a_dead_letter() {
    let (mut store, admin) = company();
    let id = queue(&mut store, "o1", MailClass::Transactional, at(0));
    let m = record(&mut store, &admin, at(1), id, Attempt::Failed("451 busy".into()));
    assert_eq!((m.status, m.attempts, m.next_attempt_at), (MailStatus::Queued, 1, at(2)));
    assert_eq!(m.last_error.as_deref(), Some("451 busy"));
    let m = record(&mut store, &admin, at(2), id, Attempt::Failed("451 busy".into()));
    assert_eq!((m.status, m.attempts, m.next_attempt_at), (MailStatus::Queued, 2, at(4)));
    // max_attempts = 3: the third failure is the last.
    let m = record(&mut store, &admin, at(4), id, Attempt::Failed("x".repeat(900)));
    assert_eq!((m.status, m.attempts), (MailStatus::Dead, 3));
    assert_eq!(m.last_error.unwrap().len(), 500, "a long error is cut at 500 characters");
    assert_eq!(get(&mut store, id).status, MailStatus::Dead, "and stored so");
}

#[test]
fn a_server_not_reached_costs_no_attempt_however_long_the_outage_and_waits_out_the_backoff() {
    let (mut store, admin) = company();
    let id = queue(&mut store, "o1", MailClass::Transactional, at(0));
    // max_attempts = 3, yet ten runs that cannot reach the server bury nothing.
    for run in 1..=10 {
        let m = record(&mut store, &admin, at(run * 10), id, Attempt::Unreached("cannot reach the server".into()));
        assert_eq!((m.status, m.attempts), (MailStatus::Queued, 0), "run {run}");
        assert_eq!(m.next_attempt_at, at(run * 10 + 1), "the first attempt's backoff (60 s)");
        assert_eq!(m.last_error.as_deref(), Some("cannot reach the server"));
    }
    // After two attempts of its own (4xx), the backoff is the second's: 120 s; still not dead.
    record(&mut store, &admin, at(200), id, Attempt::Failed("451 busy".into()));
    record(&mut store, &admin, at(201), id, Attempt::Failed("451 busy".into()));
    let m = record(&mut store, &admin, at(210), id, Attempt::Unreached("x".repeat(900)));
    assert_eq!((m.status, m.attempts, m.next_attempt_at), (MailStatus::Queued, 2, at(212)));
    assert_eq!(m.last_error.unwrap().len(), 500, "a long error is cut at 500 characters");
    // Its own third failure is the last, as before.
    let m = record(&mut store, &admin, at(212), id, Attempt::Failed("451 busy".into()));
    assert_eq!((m.status, m.attempts), (MailStatus::Dead, 3));
    // Near the last storable time it stays queued and due, never a dead letter.
    let id = queue(&mut store, "o2", MailClass::Transactional, at(0));
    let m = record(&mut store, &admin, mail::latest_time() - Duration::seconds(30), id, Attempt::Unreached("x".into()));
    assert_eq!((m.status, m.attempts, m.next_attempt_at), (MailStatus::Queued, 0, at(0)));
}

#[test]
fn a_failure_whose_retry_would_pass_the_last_storable_time_is_a_dead_letter() {
    let (mut store, admin) = company();
    let id = queue(&mut store, "o1", MailClass::Transactional, at(0));
    let m = record(&mut store, &admin, mail::latest_time() - Duration::seconds(30), id, Attempt::Failed("451".into()));
    assert_eq!((m.status, m.attempts), (MailStatus::Dead, 1));
    // Exactly at the last storable time is still a retry.
    let id = queue(&mut store, "o2", MailClass::Transactional, at(0));
    let m = record(&mut store, &admin, mail::latest_time() - Duration::seconds(60), id, Attempt::Failed("451".into()));
    assert_eq!((m.status, m.next_attempt_at), (MailStatus::Queued, mail::latest_time()));
}

#[test]
fn a_sent_mail_a_refused_one_and_one_not_tried_are_recorded_as_such() {
    let (mut store, admin) = company();
    let sent = queue(&mut store, "s", MailClass::Transactional, at(0));
    let refused = queue(&mut store, "r", MailClass::Transactional, at(0));
    let untried = queue(&mut store, "u", MailClass::Transactional, at(0));
    claim(&mut store, &admin, at(1), 10, Duration::minutes(10));
    record(&mut store, &admin, at(2), sent, Attempt::Failed("451".into()));
    let m = record(&mut store, &admin, at(5), sent, Attempt::Sent);
    assert_eq!((m.status, m.attempts, m.sent_at, m.last_error), (MailStatus::Sent, 2, Some(at(5)), None));
    let m = record(&mut store, &admin, at(2), refused, Attempt::Refused("550 no such user".into()));
    assert_eq!((m.status, m.attempts), (MailStatus::Dead, 1), "a permanent refusal is dead at once");
    assert_eq!(m.last_error.as_deref(), Some("550 no such user"));
    let m = record(&mut store, &admin, at(2), untried, Attempt::NotTried);
    assert_eq!((m.status, m.attempts, m.next_attempt_at), (MailStatus::Queued, 0, at(2)), "due again at once");
    // Recording for a mail that is no longer queued, or does not exist, changes nothing.
    let policy = RetryPolicy::default();
    let r = store.write(|tx: &mut dyn Tx| mail::record(tx, &ctx(&admin, at(6)), &[(sent, Attempt::Sent)], policy));
    assert_eq!(kind(r), ErrorKind::Conflict);
    let r = store
        .write(|tx: &mut dyn Tx| mail::record(tx, &ctx(&admin, at(6)), &[(MailId::new(99), Attempt::Sent)], policy));
    assert_eq!(kind(r), ErrorKind::NotFound);
    assert_eq!(get(&mut store, sent).attempts, 2);
}

#[test]
fn renewing_a_lease_only_moves_queued_mail_later() {
    let (mut store, admin) = company();
    let held = queue(&mut store, "h", MailClass::Transactional, at(0));
    let sent = queue(&mut store, "s", MailClass::Transactional, at(0));
    claim(&mut store, &admin, at(1), 10, Duration::minutes(10));
    record(&mut store, &admin, at(2), sent, Attempt::Sent);
    let renew = |store: &mut SqliteStore, now, lease| {
        store.write(|tx: &mut dyn Tx| mail::renew(tx, &ctx(&admin, now), &[held, sent], lease)).unwrap()
    };
    renew(&mut store, at(5), Duration::minutes(10));
    assert_eq!(get(&mut store, held).next_attempt_at, at(15));
    assert_eq!(get(&mut store, sent).status, MailStatus::Sent);
    // A shorter renewal never brings a lease forward.
    renew(&mut store, at(6), Duration::minutes(1));
    assert_eq!(get(&mut store, held).next_attempt_at, at(15));
    // A renewal is capped at the longest lease, and one past the last storable time is skipped.
    renew(&mut store, at(6), MAX_LEASE * 3);
    assert_eq!(get(&mut store, held).next_attempt_at, at(6) + MAX_LEASE);
    renew(&mut store, mail::latest_time(), Duration::minutes(1));
    assert_eq!(get(&mut store, held).next_attempt_at, at(6) + MAX_LEASE);
}

#[test]
fn a_dead_letter_is_retried_with_fresh_attempts_and_a_sent_or_possibly_leased_mail_never() {
    let (mut store, admin) = company();
    let id = queue(&mut store, "o1", MailClass::Transactional, at(0));
    let retry = |store: &mut SqliteStore, id| store.write(|tx: &mut dyn Tx| mail::retry(tx, &ctx(&admin, at(30)), id));
    assert_eq!(kind(retry(&mut store, id)), ErrorKind::Conflict, "a queued mail may be in a delivery's hands");
    record(&mut store, &admin, at(1), id, Attempt::Refused("550".into()));
    let m = retry(&mut store, id).unwrap();
    assert_eq!((m.status, m.attempts, m.next_attempt_at), (MailStatus::Queued, 0, at(30)));
    record(&mut store, &admin, at(31), id, Attempt::Sent);
    assert_eq!(kind(retry(&mut store, id)), ErrorKind::Conflict, "a sent mail is never sent again");
    assert_eq!(kind(retry(&mut store, MailId::new(99))), ErrorKind::NotFound);
}

#[test]
fn a_mail_waiting_beyond_any_lease_is_retried_at_once_with_its_attempts() {
    let (mut store, admin) = company();
    let within = queue(&mut store, "w", MailClass::Transactional, at(0));
    let beyond = queue(&mut store, "b", MailClass::Transactional, at(0));
    claim(&mut store, &admin, at(0), 10, Duration::minutes(10));
    record(&mut store, &admin, at(1), within, Attempt::Failed("451".into()));
    record(&mut store, &admin, at(1), beyond, Attempt::Failed("451".into()));
    // A run at 00:30 holds `within` as long as a lease can; a run a minute later (a clock set
    // ahead) holds `beyond` a minute longer than any run at 00:30 could.
    assert_eq!(claim(&mut store, &admin, at(30), 1, MAX_LEASE), [within]);
    assert_eq!(claim(&mut store, &admin, at(31), 1, MAX_LEASE), [beyond]);
    let retry = |store: &mut SqliteStore, id| store.write(|tx: &mut dyn Tx| mail::retry(tx, &ctx(&admin, at(30)), id));
    assert_eq!(kind(retry(&mut store, within)), ErrorKind::Conflict, "a lease from 00:30 may still hold it");
    assert_eq!(get(&mut store, within).next_attempt_at, at(30) + MAX_LEASE, "the refused retry changed nothing");
    let m = retry(&mut store, beyond).unwrap();
    assert_eq!(
        (m.status, m.attempts, m.next_attempt_at),
        (MailStatus::Queued, 1, at(30)),
        "due at once, attempts kept"
    );
}

static NOTE: Template = Template { name: "note", text: "Subject: About {what}\n\nDear {who},\n{what}\n-- crew\n" };

/// Mails `note` to ann for an event `a` (transactional) or `b` (bulk); a digest for `d`, due an
/// hour after the event, or for `late`, due past the last storable time.
struct TestNotifier;

impl<'a> Notifier<dyn Tx + 'a> for TestNotifier {
    fn notices(&self, _tx: &mut (dyn Tx + 'a), event: &RecordedEvent) -> crew_core::error::Result<Vec<Notice>> {
        let vars = vec![("who", "Ann".to_string()), ("what", format!("event {}", event.seq))];
        let notice = Notice::new(&NOTE, email("ann@example.com"), vars);
        Ok(match event.type_name.as_str() {
            "a" => vec![notice],
            "b" => vec![notice.bulk()],
            "d" => vec![notice.keyed("hourly".into()).bulk().digest(event.at + Duration::hours(1))],
            "late" => vec![notice.keyed("late".into()).digest(DateTime::<Utc>::MAX_UTC)],
            _ => vec![],
        })
    }
}

fn notifications() -> Notifications<dyn for<'a> Notifier<dyn Tx + 'a>> {
    Notifications { notifiers: vec![Box::new(TestNotifier)] }
}

fn event(seq: i64, type_name: &str, at: DateTime<Utc>) -> RecordedEvent {
    RecordedEvent {
        seq: EventSeq::new(seq),
        at,
        recorded_at: None,
        actor: None,
        type_name: type_name.into(),
        version: 1,
        payload: "{}".into(),
    }
}

#[test]
fn each_notice_is_queued_once_with_its_cause_class_and_rendered_text() {
    let (mut store, _) = company();
    let mail = notifications();
    assert_eq!(Subscriber::<dyn Tx>::name(&mail), "mail.notifications");
    store
        .write(|tx: &mut dyn Tx| {
            for e in [event(7, "a", at(1)), event(8, "b", at(2)), event(9, "other", at(3)), event(7, "a", at(4))] {
                mail.handle(tx, &e)?;
            }
            Ok(())
        })
        .unwrap();
    let all: Vec<Mail> =
        store.read(|tx: &mut dyn Tx| tx.mails(None, None)).unwrap().into_iter().map(Result::unwrap).collect();
    assert_eq!(all.len(), 2, "one mail per cause: the same event handled twice mails once");
    assert_eq!(all[0].cause, "event:000000000007:note");
    assert_eq!((all[0].class, all[0].created_at), (MailClass::Transactional, at(1)));
    assert_eq!(all[0].subject, "About event 7");
    assert_eq!(all[0].body, "Dear Ann,\nevent 7\n-- crew\n");
    assert_eq!((all[1].cause.as_str(), all[1].class), ("event:000000000008:note", MailClass::Bulk));
}

#[test]
fn a_digest_is_rewritten_until_it_is_taken_then_news_goes_on_its_own() {
    let (mut store, admin) = company();
    let mail = notifications();
    let handle =
        |store: &mut SqliteStore, e: RecordedEvent| store.write(|tx: &mut dyn Tx| mail.handle(tx, &e)).unwrap();
    handle(&mut store, event(1, "d", at(0)));
    handle(&mut store, event(2, "d", at(5)));
    let all: Vec<Mail> =
        store.read(|tx: &mut dyn Tx| tx.mails(None, None)).unwrap().into_iter().map(Result::unwrap).collect();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!((all[0].cause.as_str(), all[0].subject.as_str()), ("digest:hourly", "About event 2"));
    assert_eq!(all[0].next_attempt_at, at(60), "due when the first notice said");
    // Taken for delivery: the next notice is its own mail, due at once.
    assert_eq!(claim(&mut store, &admin, at(60), 10, Duration::minutes(10)).len(), 1);
    handle(&mut store, event(3, "d", at(61)));
    let all: Vec<Mail> =
        store.read(|tx: &mut dyn Tx| tx.mails(None, None)).unwrap().into_iter().map(Result::unwrap).collect();
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].subject.as_str(), all[1].cause.as_str()), ("About event 2", "event:000000000003:hourly"));
    assert_eq!(all[1].next_attempt_at, at(61));
    // A digest due after the last storable time is due at that time, and readable.
    handle(&mut store, event(4, "late", at(62)));
    let late = store.read(|tx: &mut dyn Tx| tx.mails(None, None)).unwrap().pop().unwrap().unwrap();
    assert_eq!((late.cause.as_str(), late.next_attempt_at), ("digest:late", mail::latest_time()));
    assert_eq!(mail::latest_time(), Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap());
}

#[test]
fn statuses_and_classes_are_named_as_scripts_read_them() {
    // `--format json` and the outbox's rows use these words: they are part of the interface.
    for (class, name) in [(MailClass::Transactional, "transactional"), (MailClass::Bulk, "bulk")] {
        assert_eq!(class.as_str(), name);
        assert_eq!(serde_json::to_value(class).unwrap(), name);
    }
    for (status, name) in [(MailStatus::Queued, "queued"), (MailStatus::Sent, "sent"), (MailStatus::Dead, "dead")] {
        assert_eq!(status.as_str(), name);
        assert_eq!(MailStatus::parse(name).unwrap(), status);
    }
}

#[test]
fn the_outbox_lists_its_rows_by_status_oldest_first() {
    let (mut store, admin) = company();
    let first = queue(&mut store, "o1", MailClass::Bulk, at(0));
    let second = queue(&mut store, "o2", MailClass::Transactional, at(1));
    record(&mut store, &admin, at(2), second, Attempt::Refused("550".into()));
    let list = |store: &mut SqliteStore, status| {
        store
            .read(|tx: &mut dyn Tx| mail::list(tx, &ctx(&admin, at(3)), status, None))
            .unwrap()
            .into_iter()
            .map(|m| m.unwrap().id)
            .collect::<Vec<_>>()
    };
    assert_eq!(list(&mut store, None), vec![first, second]);
    assert_eq!(list(&mut store, Some(MailStatus::Dead)), vec![second]);
    assert_eq!(list(&mut store, Some(MailStatus::Sent)), vec![]);
}
