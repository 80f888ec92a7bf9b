//! [`EventLog`](crew_core::kernel::events::EventLog): positions, reading the log in pages and by filter, subscriber positions.

use chrono::{DateTime, Utc};
use crew_core::authz::Role;
use crew_core::error::Result;
use crew_core::hiring::HiringEvent;
use crew_core::hiring::pipeline::Applicant;
use crew_core::iam::IamEvent;
use crew_core::ids::{AccountId, ApplicationId, EventSeq, OrderId};
use crew_core::kernel::command::append;
use crew_core::kernel::events::{EventFilter, NewEvent, RecordedEvent};
use crew_core::ordering::OrderingEvent;
use crew_core::wiring::{Store, Tx};

use super::{account, at, email, login, name, order, read, service_type, skills, text, write, zone};

/// An event about nothing in particular, by `actor` at `minutes`.
fn session(tx: &mut dyn Tx, minutes: i64, actor: Option<AccountId>) -> Result<EventSeq> {
    let account = actor.unwrap_or(AccountId::new(1));
    append(tx, at(minutes), actor, &IamEvent::SessionStarted { account, login: login("ann") })
}

/// An event about `order`.
fn about_order(tx: &mut dyn Tx, minutes: i64, order: OrderId, client: AccountId) -> Result<EventSeq> {
    append(tx, at(minutes), None, &OrderingEvent::CopyOffered { order, client })
}

/// An event about `application`.
fn about_application(tx: &mut dyn Tx, minutes: i64, application: ApplicationId) -> Result<EventSeq> {
    append(tx, at(minutes), None, &HiringEvent::ApplicationUpdated { application })
}

fn applicant(mail: &str) -> Applicant {
    Applicant {
        name: name("Rex"),
        email: email(mail),
        zone: zone("north"),
        strengths: skills("cleaning:3"),
        weaknesses: text(""),
        age: None,
        breed: None,
        coat: None,
        photo: None,
        source: None,
    }
}

fn seqs(events: &[RecordedEvent]) -> Vec<EventSeq> {
    events.iter().map(|e| e.seq).collect()
}

/// `n` events at minutes 0, 1, 2 …; their positions.
fn log_of<S: Store>(store: &mut S, n: i64) -> Vec<EventSeq> {
    write(store, |tx| (0..n).map(|m| session(tx, m, None)).collect())
}

/// A log mixing two orders, two applications and unrelated events, at known times.
struct Mixed {
    /// Every event, oldest first: (position, minutes, order, application).
    all: Vec<(EventSeq, i64, Option<OrderId>, Option<ApplicationId>)>,
    orders: [OrderId; 2],
    applications: [ApplicationId; 2],
}

impl Mixed {
    fn build<S: Store>(store: &mut S) -> Mixed {
        write(store, |tx| {
            let client = account(tx, "ann", Role::Client)?;
            service_type(tx, "cleaning")?;
            let orders = [order(tx, client, "cleaning", 60)?, order(tx, client, "cleaning", 120)?];
            let applications = [
                tx.insert_application(&applicant("rex@example.com"), at(0))?,
                tx.insert_application(&applicant("fido@example.com"), at(0))?,
            ];
            let mut all = Vec::new();
            let plan: [(i64, Option<usize>, Option<usize>); 9] = [
                (0, Some(0), None),
                (1, None, Some(0)),
                (2, None, None),
                (3, Some(1), None),
                (4, Some(0), None),
                (5, None, Some(1)),
                (6, None, Some(0)),
                (7, Some(0), None),
                (8, None, None),
            ];
            for (minutes, o, a) in plan {
                let seq = match (o, a) {
                    (Some(o), _) => about_order(tx, minutes, orders[o], client)?,
                    (_, Some(a)) => about_application(tx, minutes, applications[a])?,
                    _ => session(tx, minutes, Some(client))?,
                };
                all.push((seq, minutes, o.map(|o| orders[o]), a.map(|a| applications[a])));
            }
            Ok(Mixed { all, orders, applications })
        })
    }

    fn find<S: Store>(&self, store: &mut S, filter: EventFilter) -> Vec<EventSeq> {
        seqs(&read(store, |tx| tx.find_events(&filter)))
    }

    fn expected(
        &self,
        keep: impl Fn(&(EventSeq, i64, Option<OrderId>, Option<ApplicationId>)) -> bool,
    ) -> Vec<EventSeq> {
        self.all.iter().filter(|e| keep(e)).map(|e| e.0).collect()
    }
}

pub(crate) fn appended_positions_start_after_start_and_strictly_increase<S: Store>(store: &mut S) {
    let first = log_of(store, 3);
    let second = log_of(store, 2);
    let all: Vec<EventSeq> = first.into_iter().chain(second).collect();
    assert!(all[0] > EventSeq::START, "{all:?}");
    assert!(all.windows(2).all(|w| w[0] < w[1]), "positions must strictly increase: {all:?}");
}

pub(crate) fn an_appended_event_reads_back_as_it_was_appended<S: Store>(store: &mut S) {
    let event = IamEvent::SessionStarted { account: AccountId::new(1), login: login("ann") };
    let (actor, by_crew, by_ann, versioned) = write(store, |tx| {
        let actor = account(tx, "ann", Role::Manager)?;
        let by_crew = append(tx, at(5), None, &event)?;
        let by_ann = append(tx, at(6), Some(actor), &event)?;
        let mut later = NewEvent::encode(at(7), Some(actor), &event)?;
        later.version = 2;
        let versioned = tx.append_event(&later)?;
        Ok((actor, by_crew, by_ann, versioned))
    });
    let events = read(store, |tx| tx.events_after(EventSeq::START, 10));
    assert_eq!(seqs(&events), [by_crew, by_ann, versioned]);
    let expect = [(at(5), None, 1), (at(6), Some(actor), 1), (at(7), Some(actor), 2)];
    for (recorded, (when, who, version)) in events.iter().zip(expect) {
        assert_eq!(recorded.at, when);
        assert_eq!(recorded.actor, who);
        assert_eq!(recorded.type_name, "session_started");
        assert_eq!(recorded.version, version);
        let payload: serde_json::Value = serde_json::from_str(&recorded.payload).unwrap();
        assert_eq!(payload, serde_json::to_value(&event).unwrap(), "the payload as encoded");
    }
    assert_eq!(events[1].decode::<IamEvent>().unwrap(), Some(event));
}

pub(crate) fn events_after_the_end_of_the_log_is_empty<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.events_after(EventSeq::START, 10)).is_empty(), "an empty log");
    let seqs = log_of(store, 3);
    let last = *seqs.last().unwrap();
    assert!(read(store, |tx| tx.events_after(last, 10)).is_empty());
    assert!(read(store, |tx| tx.events_after(EventSeq::new(last.get() + 100), 10)).is_empty());
}

pub(crate) fn events_after_pages_through_the_log_oldest_first_at_most_limit_each<S: Store>(store: &mut S) {
    let all = log_of(store, 7);
    assert!(read(store, |tx| tx.events_after(EventSeq::START, 0)).is_empty(), "a limit of 0");
    let mut seen = Vec::new();
    let mut position = EventSeq::START;
    loop {
        let page = read(store, |tx| tx.events_after(position, 3));
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3, "{} events in a page of 3", page.len());
        assert!(page.iter().all(|e| e.seq > position));
        position = page.last().unwrap().seq;
        seen.extend(seqs(&page));
    }
    assert_eq!(seen, all, "every event once, oldest first");
    let from_middle = read(store, |tx| tx.events_after(all[2], 100));
    assert_eq!(seqs(&from_middle), all[3..]);
}

pub(crate) fn find_events_without_filters_returns_every_event_oldest_first<S: Store>(store: &mut S) {
    let log = Mixed::build(store);
    assert_eq!(log.find(store, EventFilter::default()), log.expected(|_| true));
}

pub(crate) fn find_events_by_order_returns_only_that_orders_events<S: Store>(store: &mut S) {
    let log = Mixed::build(store);
    for order in log.orders {
        let found = log.find(store, EventFilter { order: Some(order), ..Default::default() });
        assert_eq!(found, log.expected(|e| e.2 == Some(order)), "order {order}");
    }
}

pub(crate) fn find_events_by_application_returns_only_that_applications_events<S: Store>(store: &mut S) {
    let log = Mixed::build(store);
    for application in log.applications {
        let found = log.find(store, EventFilter { application: Some(application), ..Default::default() });
        assert_eq!(found, log.expected(|e| e.3 == Some(application)), "application {application}");
    }
}

pub(crate) fn find_events_since_a_time_leaves_out_earlier_events<S: Store>(store: &mut S) {
    let log = Mixed::build(store);
    // Half a minute past minute 3: strictly between two events' times.
    let since: DateTime<Utc> = at(3) + chrono::Duration::seconds(30);
    let found = log.find(store, EventFilter { since: Some(since), ..Default::default() });
    assert_eq!(found, log.expected(|e| e.1 > 3));
}

pub(crate) fn find_events_after_a_position_returns_only_later_events<S: Store>(store: &mut S) {
    let log = Mixed::build(store);
    let after = log.all[4].0;
    let found = log.find(store, EventFilter { after: Some(after), ..Default::default() });
    assert_eq!(found, log.expected(|e| e.0 > after));
}

pub(crate) fn find_events_with_a_limit_returns_the_oldest_matches<S: Store>(store: &mut S) {
    let log = Mixed::build(store);
    let found = log.find(store, EventFilter { limit: Some(4), ..Default::default() });
    assert_eq!(found, log.expected(|_| true)[..4]);
    let order = log.orders[0];
    let found = log.find(store, EventFilter { order: Some(order), limit: Some(2), ..Default::default() });
    assert_eq!(found, log.expected(|e| e.2 == Some(order))[..2]);
}

pub(crate) fn find_events_applies_every_filter_together<S: Store>(store: &mut S) {
    let log = Mixed::build(store);
    let order = log.orders[0];
    // Order 0's events are at minutes 0, 4 and 7.
    let filter = EventFilter {
        order: Some(order),
        since: Some(at(1)),
        after: Some(log.all[0].0),
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(log.find(store, filter), [log.all[4].0]);
    let application = log.applications[0];
    let filter = EventFilter { application: Some(application), after: Some(log.all[1].0), ..Default::default() };
    assert_eq!(log.find(store, filter), [log.all[6].0]);
}

pub(crate) fn find_events_matching_nothing_is_empty<S: Store>(store: &mut S) {
    assert!(read(store, |tx| tx.find_events(&EventFilter::default())).is_empty(), "an empty log");
    let log = Mixed::build(store);
    let last = log.all.last().unwrap().0;
    let nothing = [
        EventFilter { order: Some(OrderId::new(log.orders[1].get() + 100)), ..Default::default() },
        EventFilter { application: Some(ApplicationId::new(log.applications[1].get() + 100)), ..Default::default() },
        EventFilter { since: Some(at(60)), ..Default::default() },
        EventFilter { after: Some(last), ..Default::default() },
        // Each matches events, but none together.
        EventFilter { order: Some(log.orders[1]), application: Some(log.applications[0]), ..Default::default() },
        EventFilter { order: Some(log.orders[1]), since: Some(at(4)), ..Default::default() },
    ];
    for filter in nothing {
        assert!(log.find(store, filter.clone()).is_empty(), "{filter:?}");
    }
}

pub(crate) fn a_subscriber_never_seen_is_at_start<S: Store>(store: &mut S) {
    log_of(store, 2);
    assert_eq!(read(store, |tx| tx.subscriber_position("contract.never_seen")), EventSeq::START);
}

pub(crate) fn setting_a_subscriber_position_creates_then_replaces_it<S: Store>(store: &mut S) {
    let seqs = log_of(store, 3);
    write(store, |tx| tx.set_subscriber_position("contract.reader", seqs[1]));
    assert_eq!(read(store, |tx| tx.subscriber_position("contract.reader")), seqs[1]);
    write(store, |tx| tx.set_subscriber_position("contract.reader", seqs[2]));
    assert_eq!(read(store, |tx| tx.subscriber_position("contract.reader")), seqs[2]);
    // Replacing means replacing, even with an earlier position.
    write(store, |tx| tx.set_subscriber_position("contract.reader", seqs[0]));
    assert_eq!(read(store, |tx| tx.subscriber_position("contract.reader")), seqs[0]);
}

pub(crate) fn subscriber_positions_are_kept_apart_by_name<S: Store>(store: &mut S) {
    let seqs = log_of(store, 3);
    write(store, |tx| {
        tx.set_subscriber_position("contract.first", seqs[0])?;
        tx.set_subscriber_position("contract.second", seqs[2])
    });
    let (first, second, third) = read(store, |tx| {
        Ok((
            tx.subscriber_position("contract.first")?,
            tx.subscriber_position("contract.second")?,
            tx.subscriber_position("contract.third")?,
        ))
    });
    assert_eq!((first, second, third), (seqs[0], seqs[2], EventSeq::START));
}

pub(crate) fn the_last_event_seq_is_start_for_an_empty_log_then_the_newest<S: Store>(store: &mut S) {
    assert_eq!(read(store, |tx| tx.last_event_seq()), EventSeq::START);
    let seqs = log_of(store, 4);
    assert_eq!(read(store, |tx| tx.last_event_seq()), *seqs.last().unwrap());
}

pub(crate) fn the_last_event_of_some_types_is_the_newest_of_them_or_start<S: Store>(store: &mut S) {
    assert_eq!(read(store, |tx| tx.last_event_of(&["session_started"])), EventSeq::START, "an empty log");
    let (ended, started) = write(store, |tx| {
        let who = |login_: &str| (AccountId::new(1), login(login_));
        let (account, l) = who("ann");
        append(tx, at(0), None, &IamEvent::SessionStarted { account, login: l.clone() })?;
        let ended = append(tx, at(1), None, &IamEvent::SessionEnded { account, login: l.clone() })?;
        let started = append(tx, at(2), None, &IamEvent::SessionStarted { account, login: l.clone() })?;
        append(tx, at(3), None, &IamEvent::AccountActivated { account, login: l })?;
        Ok((ended, started))
    });
    let (one, both, neither, none) = read(store, |tx| {
        Ok((
            tx.last_event_of(&["session_ended"])?,
            tx.last_event_of(&["session_ended", "session_started"])?,
            tx.last_event_of(&["order_created"])?,
            tx.last_event_of(&[])?,
        ))
    });
    assert_eq!(one, ended);
    assert_eq!(both, started);
    assert_eq!(neither, EventSeq::START);
    assert_eq!(none, EventSeq::START, "no types at all");
}

pub(crate) fn every_event_gets_a_real_time_that_never_runs_backwards<S: Store>(store: &mut S) {
    // Business times going backwards (a replay, an admin's --now) do not move the real times.
    write(store, |tx| {
        session(tx, 50, None)?;
        session(tx, 10, None)?;
        session(tx, 30, None)
    });
    let before = Utc::now() - chrono::Duration::minutes(5);
    let log = read(store, |tx| tx.events_after(EventSeq::START, 10));
    let real: Vec<DateTime<Utc>> =
        log.iter().map(|e| e.recorded_at.expect("every new event has a real time")).collect();
    assert!(real.windows(2).all(|w| w[0] <= w[1]), "{real:?}");
    assert!(real.iter().all(|t| *t > before), "{real:?}");
    assert_eq!(log.iter().map(|e| e.at).collect::<Vec<_>>(), vec![at(50), at(10), at(30)]);
}

pub(crate) fn the_clock_policy_is_system_until_set_and_is_set_once<S: Store>(store: &mut S) {
    use crew_core::error::ErrorKind;
    use crew_core::kernel::clock::ClockPolicy;
    assert_eq!(read(store, |tx| tx.clock_policy()), ClockPolicy::System);
    write(store, |tx| tx.set_clock_policy(ClockPolicy::Chosen));
    assert_eq!(read(store, |tx| tx.clock_policy()), ClockPolicy::Chosen);
    let again = store.write(|tx| tx.set_clock_policy(ClockPolicy::System)).unwrap_err();
    assert_eq!(again.kind, ErrorKind::Conflict);
    assert_eq!(read(store, |tx| tx.clock_policy()), ClockPolicy::Chosen);
}

pub(crate) fn a_batch_of_events_is_appended_in_order_after_the_log_as_one_by_one<S: Store>(store: &mut S) {
    let before = log_of(store, 2);
    assert!(write(store, |tx| tx.append_events(&[])).is_empty(), "an empty batch appends nothing");
    // More than a statement's worth of rows: every kind of subject and actor, in order.
    let (ann, batch) = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let events = (0..250)
            .map(|i| match i % 3 {
                0 => NewEvent::encode(
                    at(i),
                    Some(ann),
                    &HiringEvent::ApplicationUpdated { application: ApplicationId::new(i + 1) },
                ),
                1 => NewEvent::encode(
                    at(i),
                    None,
                    &OrderingEvent::CopyOffered { order: OrderId::new(i + 1), client: ann },
                ),
                _ => {
                    NewEvent::encode(at(i), Some(ann), &IamEvent::SessionStarted { account: ann, login: login("ann") })
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let positions = tx.append_events(&events)?;
        Ok((ann, (events, positions)))
    });
    let (events, positions) = batch;
    assert_eq!(positions.len(), 250);
    assert!(positions[0] > before[1] && positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let after = write(store, |tx| session(tx, 300, None));
    assert!(after > positions[249]);
    let log = read(store, |tx| tx.events_after(before[1], 1000));
    assert_eq!(seqs(&log[..250]), positions);
    for (recorded, appended) in log.iter().zip(&events) {
        assert_eq!(
            (recorded.at, recorded.actor, recorded.type_name.as_str(), recorded.version, recorded.payload.as_str()),
            (appended.at, appended.actor, appended.type_name, appended.version, appended.payload.as_str())
        );
    }
    assert_eq!(log[0].actor, Some(ann));
    let real: Vec<DateTime<Utc>> = read(store, |tx| tx.events_after(EventSeq::START, 1000))
        .iter()
        .map(|e| e.recorded_at.expect("a real time"))
        .collect();
    assert!(real.windows(2).all(|w| w[0] <= w[1]), "real times never run backwards");
    // The subjects are indexed as append_event indexes them.
    let by_application = read(store, |tx| {
        tx.find_events(&EventFilter { application: Some(ApplicationId::new(4)), ..Default::default() })
    });
    assert_eq!(seqs(&by_application), [positions[3]]);
    let by_order =
        read(store, |tx| tx.find_events(&EventFilter { order: Some(OrderId::new(2)), ..Default::default() }));
    assert_eq!(seqs(&by_order), [positions[1]]);
}

pub(crate) fn a_batch_with_a_missing_actor_is_a_conflict_and_appends_nothing<S: Store>(store: &mut S) {
    let before = log_of(store, 1);
    let err = store.write(|tx| {
        let event = IamEvent::SessionStarted { account: AccountId::new(1), login: login("ann") };
        let events =
            [NewEvent::encode(at(1), None, &event)?, NewEvent::encode(at(2), Some(AccountId::new(999)), &event)?];
        tx.append_events(&events)
    });
    assert_eq!(err.unwrap_err().kind, crew_core::error::ErrorKind::Conflict);
    assert_eq!(seqs(&read(store, |tx| tx.events_after(EventSeq::START, 10))), before);
}

/// `events_after` inside the transaction that appended the events hands out what a later
/// transaction reads with the same arguments (a dispatch reads a command's events back before it
/// commits): after batches and single appends, a page reaching back before the transaction, pages
/// of every size, a reader going back to the start after later events were handed out, a limit of
/// 0, the end of the log; times as stored (a time given to the nanosecond reads back to the
/// microsecond).
pub(crate) fn events_read_in_the_transaction_that_appended_them_are_as_read_later<S: Store>(store: &mut S) {
    let before = log_of(store, 3);
    let asked = write(store, |tx| {
        let ann = account(tx, "ann", Role::Manager)?;
        let batch = |from: i64, n: i64| {
            (from..from + n)
                .map(|i| {
                    let when = if i % 7 == 0 { at(i) + chrono::Duration::nanoseconds(1_234) } else { at(i) };
                    match i % 3 {
                        0 => NewEvent::encode(
                            when,
                            Some(ann),
                            &HiringEvent::ApplicationUpdated { application: ApplicationId::new(i + 1) },
                        ),
                        1 => NewEvent::encode(
                            when,
                            None,
                            &OrderingEvent::CopyOffered { order: OrderId::new(i + 1), client: ann },
                        ),
                        _ => NewEvent::encode(
                            when,
                            Some(ann),
                            &IamEvent::SessionStarted { account: ann, login: login("ann") },
                        ),
                    }
                })
                .collect::<Result<Vec<_>>>()
        };
        // (after, limit, the newest event then, the page handed out)
        let mut asked: Vec<(EventSeq, usize, EventSeq, Vec<RecordedEvent>)> = Vec::new();
        let mut ask = |tx: &mut dyn Tx, after: EventSeq, limit: usize| -> Result<EventSeq> {
            let page = tx.events_after(after, limit)?;
            let last = page.last().map_or(after, |e| e.seq);
            asked.push((after, limit, tx.last_event_seq()?, page));
            Ok(last)
        };
        tx.append_events(&batch(0, 130)?)?;
        let mut position = ask(tx, before[1], 7)?;
        position = ask(tx, position, 50)?;
        session(tx, 200, Some(ann))?;
        tx.append_events(&batch(300, 20)?)?;
        append(
            tx,
            at(400) + chrono::Duration::nanoseconds(999),
            None,
            &HiringEvent::ApplicationsArrived { received: 1, updated: 2 },
        )?;
        loop {
            let next = ask(tx, position, 40)?;
            if next == position {
                break;
            }
            position = next;
        }
        ask(tx, EventSeq::START, 5)?;
        ask(tx, before[0], 200)?;
        ask(tx, position, 0)?;
        ask(tx, EventSeq::new(position.get() + 10), 10)?;
        tx.append_events(&batch(500, 3)?)?;
        ask(tx, position, 10)?;
        Ok(asked)
    });
    assert!(asked.iter().map(|(_, _, _, page)| page.len()).sum::<usize>() > 2 * 155, "every event was asked for");
    let log = read(store, |tx| tx.events_after(EventSeq::START, 10_000));
    for (after, limit, newest, inside) in asked {
        let then: Vec<RecordedEvent> =
            log.iter().filter(|e| e.seq > after && e.seq <= newest).take(limit).cloned().collect();
        assert_eq!(inside, then, "events_after({after:?}, {limit}) with the log up to {newest:?}");
    }
}

/// `take_kept_after` hands over, if anything, exactly what a later transaction reads after the
/// same position (every event to the end of the log as it was then), once: a second call hands
/// over nothing more; events appended afterwards are handed over next; a position before the
/// transaction's events is not served from memory (`None`: read the log).
pub(crate) fn events_handed_over_whole_are_as_read_later<S: Store>(store: &mut S) {
    let before = log_of(store, 3);
    let event = |i: i64| {
        NewEvent::encode(at(i), None, &HiringEvent::ApplicationUpdated { application: ApplicationId::new(i + 1) })
    };
    let handed = write(store, |tx| {
        let mut handed: Vec<(EventSeq, EventSeq, Vec<RecordedEvent>)> = Vec::new();
        let last = before[2];
        tx.append_events(&(0..130).map(event).collect::<Result<Vec<_>>>()?)?;
        assert!(tx.take_kept_after(EventSeq::START)?.is_none_or(|k| k.is_empty()), "not from before the transaction");
        if let Some(kept) = tx.take_kept_after(last)? {
            handed.push((last, tx.last_event_seq()?, kept));
            assert!(tx.take_kept_after(last)?.is_none_or(|k| k.is_empty()), "handed over once");
        }
        let newest = tx.last_event_seq()?;
        tx.append_events(&(200..205).map(event).collect::<Result<Vec<_>>>()?)?;
        if let Some(kept) = tx.take_kept_after(newest)? {
            handed.push((newest, tx.last_event_seq()?, kept));
        }
        Ok(handed)
    });
    let log = read(store, |tx| tx.events_after(EventSeq::START, 10_000));
    for (after, newest, kept) in handed {
        let then: Vec<RecordedEvent> = log.iter().filter(|e| e.seq > after && e.seq <= newest).cloned().collect();
        assert_eq!(kept, then, "take_kept_after({after:?}) with the log up to {newest:?}");
    }
}
