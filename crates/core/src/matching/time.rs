//! Matching in time (DESIGN.md "Matching", "Time"): an order occupies `[start, start + duration)`
//! plus its service type's buffer; a worker never holds two orders whose occupied times, with the
//! travel minutes between their zones, overlap; never works outside their weekly hours or during
//! dated time off; and takes at most their daily maximum of orders (`capacity`) per day of the
//! company's time zone. These are pure functions: the cycle, the manual assignment and the
//! explanations all decide with them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::ids::{AccountId, OrderId, TimeOffId};
use crate::settings::hours::{DAY_PLURALS, OffHours, TravelTimes, WeeklyHours};
use crate::types::{Text, Zone};

/// The company's time rules a decision needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeRules {
    /// Hours are read and days counted in it (the company's `time_zone`).
    pub zone: Tz,
    /// The hours of a worker without their own (`matching.default_hours`).
    pub default_hours: WeeklyHours,
    /// `matching.travel_minutes`.
    pub travel: TravelTimes,
}

impl Default for TimeRules {
    fn default() -> Self {
        TimeRules { zone: chrono_tz::UTC, default_hours: WeeklyHours::always(), travel: TravelTimes::default() }
    }
}

impl TimeRules {
    pub fn from_rules(rules: &crate::settings::Rules) -> TimeRules {
        TimeRules { zone: rules.time_zone, default_hours: rules.default_hours.clone(), travel: rules.travel.clone() }
    }

    /// The company's day an instant falls on.
    pub fn day(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.zone).date_naive()
    }

    /// `HH:MM` in the company's time zone.
    pub fn clock(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.zone).format("%H:%M").to_string()
    }

    /// Whether two slots can both be one worker's: one ends (buffer included), the worker travels
    /// to the other's zone, and only then the other starts.
    pub fn apart(&self, a: &Slot, b: &Slot) -> bool {
        // Travel only adds (no minutes are negative): where one does not end before the other
        // starts, no travel time is looked up.
        let ab = a.end <= b.start && a.end + minutes(self.travel.between(&a.zone, &b.zone)) <= b.start;
        let ba = b.end <= a.start && b.end + minutes(self.travel.between(&b.zone, &a.zone)) <= a.start;
        ab || ba
    }
}

fn minutes(m: u32) -> Duration {
    Duration::minutes(i64::from(m))
}

/// The time an order occupies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub order: OrderId,
    pub zone: Zone,
    pub start: DateTime<Utc>,
    /// When the work is done: `start + duration`.
    pub work_end: DateTime<Utc>,
    /// When the worker is free again: `work_end + buffer`.
    pub end: DateTime<Utc>,
}

impl Slot {
    pub fn new(order: OrderId, zone: Zone, start: DateTime<Utc>, duration_minutes: u32, buffer_minutes: u32) -> Slot {
        let work_end = start + minutes(duration_minutes);
        Slot { order, zone, start, work_end, end: work_end + minutes(buffer_minutes) }
    }

    pub fn duration_minutes(&self) -> u32 {
        u32::try_from((self.work_end - self.start).num_minutes()).unwrap_or(0)
    }
}

/// A worker's dated time off, `[starts_at, ends_at)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeOff {
    pub id: TimeOffId,
    pub worker: AccountId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Text,
}

/// Why a worker cannot take an order at its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Clash {
    /// Holds another order whose time (with buffer and travel) overlaps.
    Busy { order: OrderId, start: DateTime<Utc>, end: DateTime<Utc> },
    /// Works no hours on that day of the week (0 = Monday).
    DayOff { weekday: usize },
    /// Works that day, but not for the whole of the order's time.
    OutsideHours,
    /// Is off then (holiday, sick leave).
    TimeOff { starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, reason: Text },
    /// Already holds their daily maximum of orders that day.
    DayLimit { day: NaiveDate, max: u32 },
}

impl Clash {
    /// The clash in words, times in the company's zone: "busy with #7 10:00–12:00".
    pub fn describe(&self, rules: &TimeRules) -> String {
        match self {
            Clash::Busy { order, start, end } => {
                format!("busy with #{order} {}–{}", rules.clock(*start), rules.clock(*end))
            }
            Clash::DayOff { weekday } => format!("off on {}", DAY_PLURALS[*weekday % 7]),
            Clash::OutsideHours => "outside hours".to_string(),
            Clash::TimeOff { starts_at, ends_at, reason } => {
                let local = |t: &DateTime<Utc>| t.with_timezone(&rules.zone).format("%Y-%m-%d %H:%M").to_string();
                if reason.is_empty() {
                    format!("time off {}–{}", local(starts_at), local(ends_at))
                } else {
                    format!("time off {}–{} ({reason})", local(starts_at), local(ends_at))
                }
            }
            Clash::DayLimit { day, max } => format!("day limit of {max} reached on {day}"),
        }
    }
}

/// What a worker is already committed to, for checking one more order.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    pub hours: &'a WeeklyHours,
    pub time_off: &'a [TimeOff],
    /// The orders they hold (assigned or active), any order.
    pub held: &'a [Slot],
    /// Their daily maximum of orders.
    pub capacity: u32,
}

/// Every reason the worker of `calendar` cannot take `slot`, in the order hours, time off, day
/// limit, busy (empty: they can). `slot.order` itself, if held, is not counted against it.
pub fn clashes(rules: &TimeRules, calendar: &Calendar<'_>, slot: &Slot) -> Vec<Clash> {
    clashes_within(rules, calendar, slot, within_hours(rules, calendar.hours, slot))
}

/// Whether `slot`'s work lies within `hours` (the first rule [`clashes`] applies): what
/// [`clashes_within`] takes, so a caller checking many workers with the same hours asks once.
pub fn within_hours(rules: &TimeRules, hours: &WeeklyHours, slot: &Slot) -> Result<(), OffHours> {
    hours.covers(rules.zone, slot.start, slot.duration_minutes())
}

/// [`clashes`], with the answer of [`within_hours`] for the calendar's hours given.
pub fn clashes_within(
    rules: &TimeRules,
    calendar: &Calendar<'_>,
    slot: &Slot,
    within: Result<(), OffHours>,
) -> Vec<Clash> {
    let mut found = Vec::new();
    match within {
        Ok(()) => {}
        Err(OffHours::DayOff(weekday)) => found.push(Clash::DayOff { weekday }),
        Err(OffHours::Outside) => found.push(Clash::OutsideHours),
    }
    for off in calendar.time_off {
        if off.starts_at < slot.work_end && slot.start < off.ends_at {
            found.push(Clash::TimeOff { starts_at: off.starts_at, ends_at: off.ends_at, reason: off.reason.clone() });
        }
    }
    let day = rules.day(slot.start);
    let others = || calendar.held.iter().filter(|h| h.order != slot.order);
    let that_day = others().filter(|h| rules.day(h.start) == day).count();
    if that_day >= calendar.capacity as usize {
        found.push(Clash::DayLimit { day, max: calendar.capacity });
    }
    for h in others() {
        if !rules.apart(h, slot) {
            found.push(Clash::Busy { order: h.order, start: h.start, end: h.end });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap()
    }

    fn slot(order: i64, zone: &str, h: u32, m: u32, duration: u32, buffer: u32) -> Slot {
        Slot::new(OrderId::new(order), Zone::parse(zone).unwrap(), at(h, m), duration, buffer)
    }

    fn rules(travel: &str) -> TimeRules {
        TimeRules { travel: TravelTimes::parse(travel).unwrap(), ..TimeRules::default() }
    }

    #[test]
    fn orders_touching_end_to_start_fit_and_one_minute_of_overlap_does_not() {
        let r = rules("");
        assert!(r.apart(&slot(1, "north", 10, 0, 120, 0), &slot(2, "north", 12, 0, 60, 0)));
        assert!(!r.apart(&slot(1, "north", 10, 0, 121, 0), &slot(2, "north", 12, 0, 60, 0)));
        assert!(!r.apart(&slot(2, "north", 12, 0, 60, 0), &slot(1, "north", 10, 0, 121, 0)), "both ways");
        assert!(!r.apart(&slot(1, "north", 10, 0, 60, 0), &slot(2, "north", 10, 0, 60, 0)));
    }

    #[test]
    fn the_buffer_and_the_travel_between_different_zones_keep_orders_apart() {
        let r = rules("north, south: 30");
        assert!(!r.apart(&slot(1, "north", 10, 0, 60, 15), &slot(2, "north", 11, 0, 60, 0)), "buffer");
        assert!(r.apart(&slot(1, "north", 10, 0, 60, 15), &slot(2, "north", 11, 15, 60, 0)));
        assert!(!r.apart(&slot(1, "north", 10, 0, 60, 0), &slot(2, "south", 11, 29, 60, 0)), "travel");
        assert!(r.apart(&slot(1, "north", 10, 0, 60, 0), &slot(2, "south", 11, 30, 60, 0)));
        assert!(!r.apart(&slot(2, "south", 11, 29, 60, 0), &slot(1, "north", 10, 0, 60, 0)), "either order");
        assert!(r.apart(&slot(1, "north", 10, 0, 60, 0), &slot(2, "centre", 11, 0, 60, 0)), "pair not listed");
    }

    #[test]
    fn clashes_name_hours_time_off_the_day_limit_and_each_busy_order() {
        let r = rules("");
        let hours = WeeklyHours::parse("mon-fri 08:00-17:00").unwrap();
        let off = [TimeOff {
            id: TimeOffId::new(1),
            worker: AccountId::new(3),
            starts_at: at(11, 0),
            ends_at: at(13, 0),
            reason: Text::parse("dentist").unwrap(),
        }];
        let held = [slot(1, "north", 9, 0, 60, 0), slot(2, "north", 15, 0, 60, 0)];
        let cal = Calendar { hours: &hours, time_off: &off, held: &held, capacity: 3 };
        assert!(clashes(&r, &cal, &slot(9, "north", 10, 0, 60, 0)).is_empty(), "10:00-11:00 fits");
        assert_eq!(
            clashes(&r, &cal, &slot(9, "north", 10, 0, 61, 0)),
            [Clash::TimeOff { starts_at: at(11, 0), ends_at: at(13, 0), reason: Text::parse("dentist").unwrap() }]
        );
        assert_eq!(
            clashes(&r, &cal, &slot(9, "north", 9, 30, 30, 0)),
            [Clash::Busy { order: OrderId::new(1), start: at(9, 0), end: at(10, 0) }]
        );
        assert_eq!(clashes(&r, &cal, &slot(9, "north", 16, 30, 31, 0))[0], Clash::OutsideHours);
        let full = Calendar { capacity: 2, ..cal };
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(clashes(&r, &full, &slot(9, "north", 13, 0, 60, 0)), [Clash::DayLimit { day, max: 2 }]);
        let one_below = Calendar { capacity: 3, ..cal };
        assert!(clashes(&r, &one_below, &slot(9, "north", 13, 0, 60, 0)).is_empty());
        // The order itself, when held, does not count against itself.
        assert!(clashes(&r, &full, &slot(1, "north", 9, 0, 60, 0)).is_empty());
        let described: Vec<String> = [
            Clash::Busy { order: OrderId::new(7), start: at(10, 0), end: at(12, 0) },
            Clash::DayOff { weekday: 1 },
            Clash::OutsideHours,
            Clash::DayLimit { day, max: 2 },
        ]
        .iter()
        .map(|c| c.describe(&r))
        .collect();
        assert_eq!(
            described,
            ["busy with #7 10:00–12:00", "off on Tuesdays", "outside hours", "day limit of 2 reached on 2026-11-30"]
        );
    }
}
