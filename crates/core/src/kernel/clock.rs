//! Whose clock a command runs by: the system's, or a chosen one (`--now`).
//!
//! A database created at a chosen time (`crew init` with `--now`: tests, replays, the demo) keeps
//! a chosen clock: every command may give `--now`. Any other database tells time by the system
//! clock, and there only an admin may run a command at a chosen time (a back-dated check-in, an
//! order placed in the past). Whichever clock a command runs by, the store stamps every event with
//! the real time as well (`RecordedEvent::recorded_at`), and a command on the system clock never
//! stamps an event earlier than the one before it.

use chrono::{DateTime, Utc};

use crate::authz::{Actor, Role};
use crate::error::{Error, Result};
use crate::kernel::events::{EventFilter, EventLog};

/// How a database tells time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockPolicy {
    /// The system clock; only admins may choose another time.
    System,
    /// Any command may choose its time (a database for tests, replays or the demo).
    Chosen,
}

impl ClockPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockPolicy::System => "system",
            ClockPolicy::Chosen => "chosen",
        }
    }
}

/// The latest time crew stores (`9999-12-31T23:59:59Z`): the SQLite store keeps times as
/// fixed-width RFC 3339 text, whose years end at 9999, and `--now` is refused past that year. A
/// time computed ahead of a command's (an expiry, a retry, a lease) is checked against it, or
/// saturates at it where "never" is the right reading (a session's end).
pub fn latest_time() -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(
        chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .unwrap_or(chrono::NaiveDateTime::MAX),
        Utc,
    )
}

/// Where the database keeps its clock policy.
pub trait ClockStore {
    /// The policy set when the database was created (`System` for a database that never set
    /// one, such as one created before policies existed).
    fn clock_policy(&mut self) -> Result<ClockPolicy>;
    /// Sets the policy; only `crew init` does, once. Setting it again is a conflict error.
    fn set_clock_policy(&mut self, policy: ClockPolicy) -> Result<()>;
}

/// Refuses a chosen time (`--now`) where the database does not allow one to `actor` (`None`: a
/// command run before anyone is logged in, such as `crew login`).
pub fn may_choose_time(policy: ClockPolicy, actor: Option<&Actor>) -> Result<()> {
    match (policy, actor) {
        (ClockPolicy::Chosen, _) => Ok(()),
        (ClockPolicy::System, Some(a)) if a.role == Role::Admin => Ok(()),
        (ClockPolicy::System, _) => Err(Error::not_allowed(
            "--now / CREW_NOW is refused: this database tells time by the system clock, and only an admin may \
             run a command at a chosen time (a database created with --now, for tests and replays, allows it \
             to everyone)",
        )),
    }
}

/// The time a command runs at: the chosen one (`--now`) if the database allows it to `actor`,
/// else the system time `system` (see [`system_now`]). Refuses a chosen time it does not allow.
pub fn command_time(
    tx: &mut (impl EventLog + ClockStore + ?Sized),
    actor: Option<&Actor>,
    chosen: Option<DateTime<Utc>>,
    system: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    match chosen {
        Some(t) => {
            let policy = tx.clock_policy()?;
            may_choose_time(policy, actor)?;
            ahead_of_the_system_clock(policy, t, system)?;
            Ok(t)
        }
        None => system_now(tx, system),
    }
}

/// Refuses a chosen time ahead of the system clock on a database that runs on the system clock.
/// There `--now` replays what should have run earlier; a time ahead would stamp events in the
/// future — and since a command on the system clock never runs earlier than the newest event
/// ([`system_now`]), every later command would run at that future time too — and would set
/// retries, leases and expiries that the real clock reaches only then (mail stranded in the
/// outbox until 2099, say).
fn ahead_of_the_system_clock(policy: ClockPolicy, chosen: DateTime<Utc>, system: DateTime<Utc>) -> Result<()> {
    if policy == ClockPolicy::System && chosen > system {
        return Err(Error::bad_input(format!(
            "--now / CREW_NOW {} is ahead of the system clock ({}): this database tells time by the system \
             clock, where a chosen time may only go back (to replay what should have run then)",
            chosen.format("%Y-%m-%d %H:%M:%S UTC"),
            system.format("%Y-%m-%d %H:%M:%S UTC")
        )));
    }
    Ok(())
}

/// The time a session's expiry is checked against: the chosen time where the database keeps a
/// chosen clock, else the system's (so `--now` cannot revive an expired session on a real
/// database, even an admin's).
pub fn session_time(
    tx: &mut (impl ClockStore + ?Sized),
    chosen: Option<DateTime<Utc>>,
    system: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    Ok(match (tx.clock_policy()?, chosen) {
        (ClockPolicy::Chosen, Some(t)) => t,
        _ => system,
    })
}

/// `crew init`: a database created at a chosen time keeps a chosen clock; any other the system
/// clock.
pub fn set_at_creation(tx: &mut (impl ClockStore + ?Sized), chosen: bool) -> Result<()> {
    tx.set_clock_policy(if chosen { ClockPolicy::Chosen } else { ClockPolicy::System })
}

/// The system time for a command, never earlier than the newest event's (a clock stepped back
/// must not make the log run backwards). Called inside the command's transaction, after the
/// write lock is taken, so concurrent commands are stamped in the order they commit.
pub fn system_now(tx: &mut (impl EventLog + ?Sized), now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let last = tx.last_event_seq()?;
    if last.get() == 0 {
        return Ok(now);
    }
    let filter =
        EventFilter { after: Some(crate::ids::EventSeq::new(last.get() - 1)), limit: Some(1), ..Default::default() };
    let newest = tx.find_events(&filter)?.first().map(|e| e.at);
    Ok(newest.map_or(now, |at| now.max(at)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AccountId;
    use crate::types::Login;

    fn actor(role: Role) -> Actor {
        Actor { id: AccountId::new(1), login: Login::parse("x").unwrap(), role }
    }

    #[test]
    fn a_chosen_time_ahead_of_the_system_clock_is_refused_only_on_a_system_clock() {
        let system = Utc::now();
        let second = chrono::Duration::seconds(1);
        assert!(ahead_of_the_system_clock(ClockPolicy::System, system, system).is_ok(), "now itself");
        assert!(ahead_of_the_system_clock(ClockPolicy::System, system - second, system).is_ok(), "a replay");
        let ahead = ahead_of_the_system_clock(ClockPolicy::System, system + second, system).unwrap_err();
        assert_eq!(ahead.kind, crate::error::ErrorKind::BadInput);
        assert!(ahead.to_string().contains("ahead of the system clock"), "{ahead}");
        assert!(ahead_of_the_system_clock(ClockPolicy::Chosen, system + second, system).is_ok());
    }

    #[test]
    fn only_admins_choose_the_time_on_a_system_clock() {
        for role in Role::ALL {
            let allowed = may_choose_time(ClockPolicy::System, Some(&actor(role))).is_ok();
            assert_eq!(allowed, role == Role::Admin, "{role}");
            assert!(may_choose_time(ClockPolicy::Chosen, Some(&actor(role))).is_ok());
        }
        assert!(may_choose_time(ClockPolicy::System, None).is_err());
        assert!(may_choose_time(ClockPolicy::Chosen, None).is_ok());
    }

    /// An event log holding only the times of its events (seq = index + 1), filtered as the
    /// `EventLog` contract says; and a clock policy.
    #[derive(Default)]
    struct Log {
        times: Vec<DateTime<Utc>>,
        policy: Option<ClockPolicy>,
    }

    impl EventLog for Log {
        fn append_event(&mut self, _: &crate::kernel::events::NewEvent) -> Result<crate::ids::EventSeq> {
            unreachable!()
        }
        fn events_after(
            &mut self,
            _: crate::ids::EventSeq,
            _: usize,
        ) -> Result<Vec<crate::kernel::events::RecordedEvent>> {
            unreachable!()
        }
        fn find_events(&mut self, filter: &EventFilter) -> Result<Vec<crate::kernel::events::RecordedEvent>> {
            let after = filter.after.map_or(0, |s| s.get());
            let events =
                self.times.iter().enumerate().map(|(i, at)| (i as i64 + 1, *at)).filter(|(seq, _)| *seq > after);
            Ok(events
                .take(filter.limit.unwrap_or(usize::MAX))
                .map(|(seq, at)| crate::kernel::events::RecordedEvent {
                    seq: crate::ids::EventSeq::new(seq),
                    at,
                    recorded_at: None,
                    actor: None,
                    type_name: String::new(),
                    version: 1,
                    payload: String::new(),
                })
                .collect())
        }
        fn subscriber_position(&mut self, _: &str) -> Result<crate::ids::EventSeq> {
            unreachable!()
        }
        fn set_subscriber_position(&mut self, _: &str, _: crate::ids::EventSeq) -> Result<()> {
            unreachable!()
        }
        fn last_event_seq(&mut self) -> Result<crate::ids::EventSeq> {
            Ok(crate::ids::EventSeq::new(self.times.len() as i64))
        }
        fn last_event_of(&mut self, _: &[&str]) -> Result<crate::ids::EventSeq> {
            unreachable!()
        }
    }

    impl ClockStore for Log {
        fn clock_policy(&mut self) -> Result<ClockPolicy> {
            Ok(self.policy.unwrap_or(ClockPolicy::System))
        }
        fn set_clock_policy(&mut self, policy: ClockPolicy) -> Result<()> {
            self.policy = Some(policy);
            Ok(())
        }
    }

    fn t(h: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 11, 25, h, 0, 0).unwrap()
    }

    #[test]
    fn the_system_time_never_runs_back_before_the_newest_event() {
        // The oldest event is earlier than now, the newest later: the newest one counts.
        let mut log = Log { times: vec![t(8), t(12)], ..Default::default() };
        assert_eq!(system_now(&mut log, t(10)).unwrap(), t(12));
        assert_eq!(system_now(&mut log, t(13)).unwrap(), t(13));
        assert_eq!(system_now(&mut Log::default(), t(10)).unwrap(), t(10));
    }

    #[test]
    fn a_database_created_at_a_chosen_time_keeps_a_chosen_clock() {
        let mut log = Log::default();
        set_at_creation(&mut log, true).unwrap();
        assert_eq!(log.policy, Some(ClockPolicy::Chosen));
        let mut log = Log::default();
        set_at_creation(&mut log, false).unwrap();
        assert_eq!(log.policy, Some(ClockPolicy::System));
    }

    #[test]
    fn clock_policies_are_stored_under_their_names() {
        // Existing databases hold these words: they must not change.
        assert_eq!((ClockPolicy::System.as_str(), ClockPolicy::Chosen.as_str()), ("system", "chosen"));
    }
}
