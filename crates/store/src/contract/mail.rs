//! [`MailStore`](crew_core::mail::MailStore): the outbox.

use crew_core::authz::Role;
use crew_core::ids::MailId;
use crew_core::mail::{Mail, MailClass, MailStatus, NewMail, Stored};
use crew_core::wiring::{Store, Tx};

use super::{account, at, email, read, write};

fn new_mail(cause: &str, minutes: i64) -> NewMail {
    NewMail {
        cause: cause.to_string(),
        to: email("ann@example.com"),
        subject: format!("About {cause}"),
        body: format!("Hello,\n\nthis is about {cause}.\n\n-- crew\n"),
        created_at: at(minutes),
        activation_for: None,
        class: MailClass::Transactional,
    }
}

/// The rows as mails (every row of these tests is readable).
fn readable(rows: Vec<Stored>) -> Vec<Mail> {
    rows.into_iter().map(|r| r.expect("a readable row")).collect()
}

/// Queues a mail per (cause, minutes), in that order; their ids.
fn queue(tx: &mut dyn Tx, plan: &[(&str, i64)]) -> crew_core::Result<Vec<MailId>> {
    for (cause, minutes) in plan {
        assert!(tx.insert_mail(&new_mail(cause, *minutes))?, "{cause} is new");
    }
    Ok(readable(tx.mails(None, None)?).into_iter().map(|m| m.id).collect())
}

fn ids(mails: &[Mail]) -> Vec<MailId> {
    mails.iter().map(|m| m.id).collect()
}

fn causes(rows: &[Stored]) -> Vec<&str> {
    rows.iter().map(|r| r.as_ref().map_or("(unreadable)", |m| m.cause.as_str())).collect()
}

pub(crate) fn a_missing_mail_is_none<S: Store>(store: &mut S) {
    let id = write(store, |tx| queue(tx, &[("event:1:welcome", 0)]))[0];
    assert!(read(store, |tx| tx.mail(MailId::new(id.get() + 1000))).is_none());
}

pub(crate) fn an_inserted_mail_reads_back_queued_due_at_its_creation_with_every_field<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Worker));
    let plain = new_mail("event:1:welcome", 4);
    let activating =
        NewMail { activation_for: Some(ann), to: email("wes@example.com"), ..new_mail("event:2:activate", 5) };
    let inserted = write(store, |tx| Ok((tx.insert_mail(&plain)?, tx.insert_mail(&activating)?)));
    assert_eq!(inserted, (true, true));
    let listed = readable(read(store, |tx| tx.mails(None, None)));
    let expected = |id, m: &NewMail| Mail {
        id,
        cause: m.cause.clone(),
        to: m.to.clone(),
        subject: m.subject.clone(),
        body: m.body.clone(),
        status: MailStatus::Queued,
        attempts: 0,
        next_attempt_at: m.created_at,
        last_error: None,
        created_at: m.created_at,
        sent_at: None,
        activation_for: m.activation_for,
        class: m.class,
    };
    assert_eq!(listed, [expected(listed[0].id, &plain), expected(listed[1].id, &activating)]);
    assert_eq!(read(store, |tx| tx.mail(listed[1].id)), Some(Ok(listed[1].clone())));
}

pub(crate) fn inserting_a_mail_with_a_cause_already_queued_returns_false_and_adds_nothing<S: Store>(store: &mut S) {
    write(store, |tx| queue(tx, &[("event:1:welcome", 0)]));
    let again = NewMail {
        subject: "Another subject".to_string(),
        to: email("bob@example.com"),
        ..new_mail("event:1:welcome", 9)
    };
    let inserted = write(store, |tx| {
        let inserted = tx.insert_mail(&again)?;
        assert_eq!(tx.mails(None, None)?.len(), 1, "nothing added in the transaction either");
        Ok(inserted)
    });
    assert!(!inserted);
    let all = readable(read(store, |tx| tx.mails(None, None)));
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].to.clone(), all[0].subject.as_str(), all[0].created_at),
        (email("ann@example.com"), "About event:1:welcome", at(0))
    );
    // Even once the first is sent, its cause is taken.
    let mut sent = all[0].clone();
    sent.status = MailStatus::Sent;
    sent.sent_at = Some(at(1));
    write(store, |tx| tx.update_mail(&sent));
    assert!(!write(store, |tx| tx.insert_mail(&again)));
    assert_eq!(read(store, |tx| tx.mails(None, None)), [Ok(sent)]);
}

pub(crate) fn updating_a_mail_saves_its_delivery_state_and_keeps_its_content<S: Store>(store: &mut S) {
    let ids_ = write(store, |tx| queue(tx, &[("event:1:welcome", 0), ("event:2:welcome", 1)]));
    let before = read(store, |tx| tx.mail(ids_[0])).unwrap().unwrap();
    let untouched = read(store, |tx| tx.mail(ids_[1])).unwrap().unwrap();
    let failed = Mail {
        status: MailStatus::Queued,
        attempts: 3,
        next_attempt_at: at(90),
        last_error: Some("550 mailbox unavailable".to_string()),
        ..before.clone()
    };
    write(store, |tx| tx.update_mail(&failed));
    assert_eq!(read(store, |tx| tx.mail(ids_[0])), Some(Ok(failed.clone())));
    let sent = Mail { status: MailStatus::Sent, attempts: 4, last_error: None, sent_at: Some(at(91)), ..failed };
    // What the mail says, and why and when it was made, are not the update's to change.
    let rewritten = Mail {
        cause: "event:3:other".to_string(),
        to: email("zed@example.com"),
        subject: "Rewritten".to_string(),
        body: "Rewritten".to_string(),
        created_at: at(500),
        ..sent.clone()
    };
    write(store, |tx| tx.update_mail(&rewritten));
    let got = read(store, |tx| Ok((tx.mail(ids_[0])?, tx.mail(ids_[1])?)));
    assert_eq!(got, (Some(Ok(sent)), Some(Ok(untouched))));
    let dead = Mail { status: MailStatus::Dead, ..read(store, |tx| tx.mail(ids_[1])).unwrap().unwrap() };
    write(store, |tx| tx.update_mail(&dead));
    assert_eq!(read(store, |tx| tx.mail(ids_[1])), Some(Ok(dead)));
}

pub(crate) fn mails_are_listed_oldest_first_filtered_by_status_at_most_the_limit<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.mails(None, None)).is_empty());
    let all = write(store, |tx| queue(tx, &[("m1", 0), ("m2", 1), ("m3", 2), ("m4", 3), ("m5", 4)]));
    write(store, |tx| {
        for (i, status) in [(1, MailStatus::Sent), (3, MailStatus::Dead), (4, MailStatus::Sent)] {
            let mut m = tx.mail(all[i])?.unwrap().unwrap();
            m.status = status;
            tx.update_mail(&m)?;
        }
        Ok(())
    });
    let every = readable(read(store, |tx| tx.mails(None, None)));
    assert_eq!(ids(&every), all);
    let every: Vec<Stored> = every.into_iter().map(Ok).collect();
    assert_eq!(causes(&every), ["m1", "m2", "m3", "m4", "m5"]);
    let cases = [
        ((Some(MailStatus::Queued), None), vec!["m1", "m3"]),
        ((Some(MailStatus::Sent), None), vec!["m2", "m5"]),
        ((Some(MailStatus::Dead), None), vec!["m4"]),
        ((None, Some(0)), vec![]),
        ((None, Some(3)), vec!["m1", "m2", "m3"]),
        ((None, Some(50)), vec!["m1", "m2", "m3", "m4", "m5"]),
        ((Some(MailStatus::Sent), Some(1)), vec!["m2"]),
    ];
    for ((status, limit), expected) in cases {
        assert_eq!(causes(&read(store, |tx| tx.mails(status, limit))), expected, "{status:?} {limit:?}");
    }
}

pub(crate) fn due_mails_are_queued_ones_due_at_or_before_now_oldest_first<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.due_mails(at(100), 10)).is_empty());
    let all = write(store, |tx| queue(tx, &[("m1", 0), ("m2", 1), ("m3", 2), ("m4", 3), ("m5", 4), ("m6", 5)]));
    write(store, |tx| {
        // m2 sent, m3 dead: not due whatever the time. m6 retried later, at minute 20.
        for (i, status) in [(1, MailStatus::Sent), (2, MailStatus::Dead)] {
            let mut m = tx.mail(all[i])?.unwrap().unwrap();
            m.status = status;
            tx.update_mail(&m)?;
        }
        let mut m6 = tx.mail(all[5])?.unwrap().unwrap();
        m6.attempts = 1;
        m6.next_attempt_at = at(20);
        tx.update_mail(&m6)
    });
    let due = |store: &mut S, minutes: i64| causes(&read(store, |tx| tx.due_mails(at(minutes), 10))).join(",");
    assert_eq!(due(store, -1), "", "nothing is due before it was made");
    assert_eq!(due(store, 0), "m1", "due at its time");
    assert_eq!(due(store, 3), "m1,m4");
    assert_eq!(due(store, 19), "m1,m4,m5");
    assert_eq!(due(store, 20), "m1,m4,m5,m6");
    let ahead = read(store, |tx| tx.due_mails(at(3) - chrono::Duration::microseconds(1), 10));
    assert_eq!(causes(&ahead), ["m1"], "a microsecond early is not due");
}

pub(crate) fn due_mails_are_at_most_the_limit<S: Store>(store: &mut S) {
    write(store, |tx| queue(tx, &[("m1", 0), ("m2", 1), ("m3", 2), ("m4", 3)]));
    for (limit, expected) in
        [(0, vec![]), (1, vec!["m1"]), (3, vec!["m1", "m2", "m3"]), (9, vec!["m1", "m2", "m3", "m4"])]
    {
        assert_eq!(causes(&read(store, |tx| tx.due_mails(at(10), limit))), expected, "limit {limit}");
    }
}

pub(crate) fn due_mails_are_transactional_before_bulk_then_oldest_first<S: Store>(store: &mut S) {
    write(store, |tx| {
        for (cause, minutes, class) in [
            ("b1", 0, MailClass::Bulk),
            ("t1", 5, MailClass::Transactional),
            ("b2", 1, MailClass::Bulk),
            ("t2", 2, MailClass::Transactional),
        ] {
            assert!(tx.insert_mail(&NewMail { class, ..new_mail(cause, minutes) })?);
        }
        Ok(())
    });
    let due = |store: &mut S, limit| causes(&read(store, |tx| tx.due_mails(at(10), limit))).join(",");
    assert_eq!(due(store, 10), "t1,t2,b1,b2", "by class, then in the order they were queued");
    assert_eq!(due(store, 1), "t1", "a transactional mail queued after a flood is still first");
    let classes: Vec<MailClass> = readable(read(store, |tx| tx.mails(None, None))).iter().map(|m| m.class).collect();
    assert_eq!(classes, [MailClass::Bulk, MailClass::Transactional, MailClass::Bulk, MailClass::Transactional]);
}

pub(crate) fn queued_mails_are_listed_in_delivery_order_transactional_before_bulk_then_oldest<S: Store>(store: &mut S) {
    write(store, |tx| {
        for (cause, minutes, class) in [
            ("b1", 0, MailClass::Bulk),
            ("t1", 5, MailClass::Transactional),
            ("b2", 1, MailClass::Bulk),
            ("t2", 2, MailClass::Transactional),
            ("t3", 3, MailClass::Transactional),
        ] {
            assert!(tx.insert_mail(&NewMail { class, ..new_mail(cause, minutes) })?);
        }
        Ok(())
    });
    // t3 is sent: it leaves the queued list, and the others keep delivery's order.
    write(store, |tx| {
        let mut t3 = readable(tx.mails(None, None)?).into_iter().find(|m| m.cause == "t3").unwrap();
        t3.status = MailStatus::Sent;
        tx.update_mail(&t3)
    });
    let listed = |store: &mut S, status, limit| causes(&read(store, |tx| tx.mails(status, limit))).join(",");
    assert_eq!(listed(store, Some(MailStatus::Queued), None), "t1,t2,b1,b2");
    assert_eq!(listed(store, Some(MailStatus::Queued), Some(3)), "t1,t2,b1", "the limit takes delivery's first");
    assert_eq!(listed(store, None, None), "b1,t1,b2,t2,t3", "every status: the order they were queued in");
    assert_eq!(listed(store, Some(MailStatus::Sent), None), "t3");
}

/// A row whose time is past the year 9999 either reads back at the last instant of 9999 (a store
/// that saturates such times) or is returned as unreadable, never taking the other rows down; an
/// unreadable one can be buried.
pub(crate) fn a_row_that_cannot_be_read_is_returned_as_unreadable_and_can_be_buried<S: Store>(store: &mut S) {
    let all = write(store, |tx| queue(tx, &[("m1", 0), ("m2", 1), ("m3", 2)]));
    // What an unchecked lease once stored: a time past the year 9999, which reads back as nothing.
    let far = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc)
        + chrono::Duration::days(365 * 8873);
    write(store, |tx| {
        let mut m = tx.mail(all[1])?.unwrap().unwrap();
        m.next_attempt_at = far;
        tx.update_mail(&m)
    });
    let listed = read(store, |tx| tx.mails(None, None));
    if let Ok(saturated) = &listed[1] {
        // SQLite keeps times as text whose years end at 9999: it stores a later one as the last
        // instant of 9999 (`row::ts`), so the row reads back. Rows an older crew stored unreadable
        // are planted with SQL by the end-to-end test
        // `a_row_that_cannot_be_read_is_reported_and_skipped_never_jamming_the_outbox`.
        assert_eq!(saturated.next_attempt_at.format("%Y-%m-%dT%H:%M:%S").to_string(), "9999-12-31T23:59:59");
        assert_eq!(causes(&listed), ["m1", "m2", "m3"]);
        return;
    }
    assert_eq!(causes(&listed), ["m1", "(unreadable)", "m3"], "the others still read");
    let bad = listed[1].clone().unwrap_err();
    assert_eq!(bad.id, all[1]);
    assert!(bad.reason.starts_with("next_attempt_at `+10"), "{}", bad.reason);
    assert!(matches!(read(store, |tx| tx.mail(all[1])), Some(Err(_))));
    assert_eq!(
        causes(&read(store, |tx| tx.due_mails(at(10), 10))),
        ["m1", "(unreadable)", "m3"],
        "due, to be dealt with"
    );
    write(store, |tx| tx.bury_unreadable(all[1], "unreadable row: x", at(7)));
    let buried = read(store, |tx| tx.mail(all[1])).unwrap().unwrap();
    assert_eq!(
        (buried.status, buried.next_attempt_at, buried.last_error.as_deref()),
        (MailStatus::Dead, at(7), Some("unreadable row: x"))
    );
    assert_eq!(causes(&read(store, |tx| tx.due_mails(at(10), 10))), ["m1", "m3"]);
}

pub(crate) fn a_digest_is_queued_then_rewritten_until_it_is_taken<S: Store>(store: &mut S) {
    let first = NewMail { subject: "1 new".to_string(), ..new_mail("digest:hour", 60) };
    assert!(write(store, |tx| tx.put_digest(&first)));
    let second = NewMail { subject: "2 new".to_string(), body: "two".to_string(), ..new_mail("digest:hour", 60) };
    assert!(write(store, |tx| tx.put_digest(&second)), "rewritten while it waits");
    let rows = readable(read(store, |tx| tx.mails(None, None)));
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].subject.as_str(), rows[0].body.as_str(), rows[0].next_attempt_at), ("2 new", "two", at(60)));
    // Taken for delivery (its next attempt moved): no longer rewritten.
    let mut taken = rows[0].clone();
    taken.next_attempt_at = at(70);
    write(store, |tx| tx.update_mail(&taken));
    let third = NewMail { subject: "3 new".to_string(), ..new_mail("digest:hour", 60) };
    assert!(!write(store, |tx| tx.put_digest(&third)));
    assert_eq!(read(store, |tx| tx.mails(None, None)), [Ok(taken.clone())]);
    let sent = Mail { status: MailStatus::Sent, next_attempt_at: at(60), attempts: 1, ..taken };
    write(store, |tx| tx.update_mail(&sent));
    assert!(!write(store, |tx| tx.put_digest(&third)), "nor once sent");
    assert_eq!(read(store, |tx| tx.mails(None, None)), [Ok(sent)]);
}

pub(crate) fn mails_queued_in_a_batch_keep_their_order_and_leave_out_causes_already_taken<S: Store>(store: &mut S) {
    let ann = write(store, |tx| account(tx, "ann", Role::Worker));
    write(store, |tx| queue(tx, &[("event:1:welcome", 0)]));
    assert_eq!(write(store, |tx| tx.insert_mails(&[])), 0, "an empty batch queues nothing");
    // More than a statement's worth: bulk and transactional, one activation, a cause already in
    // the outbox and one given twice in the batch (the first of the two is kept).
    let mut batch: Vec<NewMail> = (0..250)
        .map(|i| NewMail {
            class: if i % 2 == 0 { MailClass::Bulk } else { MailClass::Transactional },
            ..new_mail(&format!("event:{}:ack", i + 10), i)
        })
        .collect();
    batch[5].activation_for = Some(ann);
    batch.insert(100, new_mail("event:1:welcome", 999));
    batch.insert(200, NewMail { subject: "Twice".to_string(), ..new_mail("event:20:ack", 999) });
    let queued = write(store, |tx| tx.insert_mails(&batch));
    assert_eq!(queued, 250);
    let listed = readable(read(store, |tx| tx.mails(None, None)));
    assert_eq!(listed.len(), 251);
    assert!(listed.windows(2).all(|w| w[0].id < w[1].id));
    let kept: Vec<&NewMail> =
        batch.iter().enumerate().filter(|(i, _)| *i != 100 && *i != 200).map(|(_, m)| m).collect();
    assert_eq!(kept.len(), 250);
    for (m, stored) in kept.iter().zip(&listed[1..]) {
        assert_eq!(
            (&stored.cause, &stored.to, &stored.subject, &stored.body, stored.status, stored.attempts),
            (&m.cause, &m.to, &m.subject, &m.body, MailStatus::Queued, 0)
        );
        assert_eq!(
            (stored.created_at, stored.next_attempt_at, stored.activation_for, stored.class),
            (m.created_at, m.created_at, m.activation_for, m.class)
        );
    }
    assert_eq!(listed[0].subject, "About event:1:welcome", "the mail already queued is untouched");
}
