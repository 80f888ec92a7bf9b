//! The time rules' value types (DESIGN.md "Matching", "Time"): a weekly pattern of working hours
//! and the travel minutes between zones. They are company rules (`matching.default_hours`,
//! `matching.travel_minutes`) and, for hours, a worker's own pattern (`crew matching hours`).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::types::Zone;

/// Minutes in a day and in a week.
const DAY: u32 = 1440;
const WEEK: u32 = 7 * DAY;

/// The days of the week as written in patterns, Monday first.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Plural day names for messages ("off on Tuesdays").
pub const DAY_PLURALS: [&str; 7] =
    ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"];

/// A weekly pattern of working hours, in the company's time zone: for each day (Monday first) its
/// working ranges as minutes after local midnight, `[start, end)`, sorted, not overlapping, `end`
/// at most 24:00. A day without ranges is a day off.
///
/// Written `mon-fri 08:00-12:00, 13:00-17:00; sat 09:00-13:00` (days as `mon`…`sun`, single, a
/// range `mon-fri` or a list `mon,wed`; then one or more `HH:MM-HH:MM` ranges). The empty text
/// is "never works". A range ending at 24:00 runs on into a range starting at 00:00 the next day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeeklyHours {
    days: [Vec<(u32, u32)>; 7],
}

/// Why a piece of work does not fit a pattern of working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffHours {
    /// The work starts on a day the pattern has no hours (0 = Monday).
    DayOff(usize),
    /// It starts on a working day but not inside one range long enough to hold it.
    Outside,
}

impl WeeklyHours {
    /// Always at work: `mon-sun 00:00-24:00`.
    pub fn always() -> WeeklyHours {
        WeeklyHours { days: std::array::from_fn(|_| vec![(0, DAY)]) }
    }

    pub fn parse(raw: &str) -> Result<WeeklyHours> {
        let mut hours = WeeklyHours::default();
        let mut seen = [false; 7];
        for item in raw.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let (days, ranges) = item.split_once(char::is_whitespace).ok_or_else(|| {
                Error::bad_input(format!("`{item}`: write days then hours, like `mon-fri 08:00-17:00`"))
            })?;
            let days = parse_days(days)?;
            let mut list = Vec::new();
            for r in ranges.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                let (a, b) = r
                    .split_once('-')
                    .ok_or_else(|| Error::bad_input(format!("`{r}` is not a range of hours like `08:00-17:00`")))?;
                let (a, b) = (parse_clock(a)?, parse_clock(b)?);
                if a >= b {
                    return Err(Error::bad_input(format!("`{r}`: a range of hours must end after it starts")));
                }
                list.push((a, b));
            }
            if list.is_empty() {
                return Err(Error::bad_input(format!("`{item}`: give the hours, like `08:00-17:00`")));
            }
            list.sort_unstable();
            if let Some(w) = list.windows(2).find(|w| w[0].1 > w[1].0) {
                return Err(Error::bad_input(format!(
                    "`{item}`: the ranges {}-{} and {}-{} overlap",
                    clock(w[0].0),
                    clock(w[0].1),
                    clock(w[1].0),
                    clock(w[1].1)
                )));
            }
            for d in days {
                if std::mem::replace(&mut seen[d], true) {
                    return Err(Error::bad_input(format!("{} is listed twice", DAY_NAMES[d])));
                }
                hours.days[d] = list.clone();
            }
        }
        Ok(hours)
    }

    /// A pattern a person typed (`crew matching hours --set`): what [`WeeklyHours::parse`] reads,
    /// but nothing may be left empty by accident — the empty text, an empty item (`;;`, a `;`
    /// at the end) or an empty part (`,,`, a `,` at the end) is refused (bad input) — and the
    /// word `none` says "never works" on purpose (the worker is then never matched).
    pub fn parse_typed(raw: &str) -> Result<WeeklyHours> {
        let text = raw.trim();
        if text.eq_ignore_ascii_case("none") {
            return Ok(WeeklyHours::default());
        }
        if text.is_empty() {
            return Err(Error::bad_input(
                "no hours given: write days and hours like `mon-fri 08:00-17:00`, or `none` for a worker who never \
                 works (never matched)",
            ));
        }
        for item in text.split(';').map(str::trim) {
            if item.is_empty() {
                return Err(Error::bad_input(format!("`{text}` has an empty item: remove the extra `;`")));
            }
            if item.split(',').any(|part| part.trim().is_empty()) {
                return Err(Error::bad_input(format!("`{item}` has an empty part: remove the extra `,`")));
            }
        }
        WeeklyHours::parse(text)
    }

    /// The working ranges of a day (0 = Monday), minutes after local midnight.
    pub fn day(&self, weekday: usize) -> &[(u32, u32)] {
        &self.days[weekday % 7]
    }

    /// Whether `[start, start + minutes)` lies inside working hours, reading `start` in `tz`.
    pub fn covers(&self, tz: Tz, start: DateTime<Utc>, minutes: u32) -> std::result::Result<(), OffHours> {
        let local = start.with_timezone(&tz);
        let weekday = local.weekday().num_days_from_monday() as usize;
        let t = weekday as u32 * DAY + local.hour() * 60 + local.minute();
        // A start with seconds occupies its whole first minute.
        let end = t + minutes.min(WEEK) + u32::from(local.second() > 0);
        if self.days[weekday].is_empty() {
            return Err(OffHours::DayOff(weekday));
        }
        // The week's ranges as minutes after Monday 00:00, twice over (so work running past Sunday
        // midnight into Monday is seen), touching ranges merged.
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for copy in 0..2 {
            for (d, ranges) in self.days.iter().enumerate() {
                for &(a, b) in ranges {
                    let (a, b) = (copy * WEEK + d as u32 * DAY + a, copy * WEEK + d as u32 * DAY + b);
                    match merged.last_mut() {
                        Some(last) if last.1 >= a => last.1 = last.1.max(b),
                        _ => merged.push((a, b)),
                    }
                }
            }
        }
        if merged.iter().any(|&(a, b)| a <= t && end <= b) { Ok(()) } else { Err(OffHours::Outside) }
    }
}

fn parse_days(raw: &str) -> Result<Vec<usize>> {
    let day = |s: &str| -> Result<usize> {
        let s = s.trim().to_ascii_lowercase();
        DAY_NAMES
            .iter()
            .position(|d| *d == s)
            .ok_or_else(|| Error::bad_input(format!("`{s}` is not a day: use mon, tue, wed, thu, fri, sat or sun")))
    };
    let mut days = Vec::new();
    for part in raw.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                if a > b {
                    return Err(Error::bad_input(format!("`{part}`: a range of days runs from Monday to Sunday")));
                }
                days.extend(a..=b);
            }
            None => days.push(day(part)?),
        }
    }
    Ok(days)
}

fn parse_clock(raw: &str) -> Result<u32> {
    let raw = raw.trim();
    let bad = || Error::bad_input(format!("`{raw}` is not a time of day like `08:00` (00:00 to 24:00)"));
    let (h, m) = raw.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Minutes after midnight as `HH:MM`.
pub fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl fmt::Display for WeeklyHours {
    /// The canonical text: consecutive days with the same hours grouped (`mon-fri`), days off
    /// left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        let mut d = 0;
        while d < 7 {
            if self.days[d].is_empty() {
                d += 1;
                continue;
            }
            let mut e = d;
            while e + 1 < 7 && self.days[e + 1] == self.days[d] {
                e += 1;
            }
            let days = if e > d { format!("{}-{}", DAY_NAMES[d], DAY_NAMES[e]) } else { DAY_NAMES[d].to_string() };
            let ranges: Vec<String> = self.days[d].iter().map(|&(a, b)| format!("{}-{}", clock(a), clock(b))).collect();
            items.push(format!("{days} {}", ranges.join(", ")));
            d = e + 1;
        }
        f.write_str(&items.join("; "))
    }
}

impl Serialize for WeeklyHours {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for WeeklyHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        WeeklyHours::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Travel minutes between pairs of different zones, the same both ways; a pair not listed (and
/// the same zone) takes none. Written `north, south: 30; centre, south: 15`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TravelTimes {
    /// Keyed by the pair in name order: the first zone, then the second (two maps, so that a
    /// lookup borrows the zones instead of building a key: the local search asks millions of times).
    minutes: BTreeMap<Zone, BTreeMap<Zone, u32>>,
}

/// The most travel minutes a pair may take (one day).
pub const MAX_TRAVEL_MINUTES: u32 = 1440;

impl TravelTimes {
    pub fn parse(raw: &str) -> Result<TravelTimes> {
        let mut minutes: BTreeMap<Zone, BTreeMap<Zone, u32>> = BTreeMap::new();
        for item in raw.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let bad = || Error::bad_input(format!("`{item}`: write two zones and minutes, like `north, south: 30`"));
            let (pair, m) = item.split_once(':').ok_or_else(bad)?;
            let (a, b) = pair.split_once(',').ok_or_else(bad)?;
            let (a, b) = (Zone::parse(a)?, Zone::parse(b)?);
            if a == b {
                return Err(Error::bad_input(format!("`{item}`: the same zone takes no travel time")));
            }
            let m: u32 = m.trim().parse().map_err(|_| bad())?;
            if m > MAX_TRAVEL_MINUTES {
                return Err(Error::bad_input(format!("`{item}`: at most {MAX_TRAVEL_MINUTES} minutes")));
            }
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            if minutes.entry(lo.clone()).or_default().insert(hi.clone(), m).is_some() {
                return Err(Error::bad_input(format!("zones {lo} and {hi} are listed twice")));
            }
        }
        Ok(TravelTimes { minutes })
    }

    /// The minutes from `a` to `b` (zero within a zone and for pairs not listed).
    pub fn between(&self, a: &Zone, b: &Zone) -> u32 {
        if a == b {
            return 0;
        }
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        self.minutes.get(lo).and_then(|to| to.get(hi)).copied().unwrap_or(0)
    }
}

impl fmt::Display for TravelTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> =
            self.minutes.iter().flat_map(|(a, to)| to.iter().map(move |(b, m)| format!("{a}, {b}: {m}"))).collect();
        f.write_str(&items.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        // Day 1 is Monday 2026-11-30.
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap() + chrono::Duration::days(i64::from(d) - 1)
    }

    #[test]
    fn hours_are_written_canonically_grouping_equal_days() {
        let h =
            WeeklyHours::parse("mon-wed 08:00-12:00,13:00-17:00; thu,fri 08:00-12:00 , 13:00-17:00; sat 09:00-13:00")
                .unwrap();
        assert_eq!(h.to_string(), "mon-fri 08:00-12:00, 13:00-17:00; sat 09:00-13:00");
        assert_eq!(WeeklyHours::parse(&h.to_string()).unwrap(), h);
        assert_eq!(WeeklyHours::always().to_string(), "mon-sun 00:00-24:00");
        assert_eq!(WeeklyHours::parse("").unwrap().to_string(), "");
    }

    #[test]
    fn bad_hours_are_refused_naming_what_is_wrong() {
        for (raw, says) in [
            ("mon08:00-09:00", "days then hours"),
            ("mon 08:00", "range of hours"),
            ("mon 17:00-08:00", "end after it starts"),
            ("mon 08:00-12:00, 11:00-13:00", "overlap"),
            ("mon 08:00-12:00; mon 13:00-14:00", "mon is listed twice"),
            ("fri-mon 08:00-12:00", "Monday to Sunday"),
            ("xyz 08:00-12:00", "not a day"),
            ("mon 8:00-12:00", "time of day"),
            ("mon 08:00-24:01", "time of day"),
            ("mon 08:60-09:00", "time of day"),
        ] {
            let e = WeeklyHours::parse(raw).unwrap_err().to_string();
            assert!(e.contains(says), "{raw}: {e}");
        }
    }

    #[test]
    fn work_fits_only_inside_one_range_and_a_day_without_hours_is_a_day_off() {
        let h = WeeklyHours::parse("mon-fri 08:00-12:00, 13:00-17:00").unwrap();
        let utc = chrono_tz::UTC;
        assert_eq!(h.covers(utc, at(1, 8, 0), 240), Ok(()));
        assert_eq!(h.covers(utc, at(1, 8, 1), 240), Err(OffHours::Outside), "ends one minute after noon");
        assert_eq!(h.covers(utc, at(1, 7, 59), 1), Err(OffHours::Outside));
        assert_eq!(h.covers(utc, at(1, 11, 0), 120), Err(OffHours::Outside), "over the lunch break");
        assert_eq!(h.covers(utc, at(1, 16, 0), 60), Ok(()));
        assert_eq!(h.covers(utc, at(6, 10, 0), 60), Err(OffHours::DayOff(5)));
        assert_eq!(WeeklyHours::default().covers(utc, at(2, 10, 0), 60), Err(OffHours::DayOff(1)));
    }

    #[test]
    fn hours_are_read_in_the_company_time_zone_and_run_past_midnight_when_both_days_allow() {
        let h = WeeklyHours::parse("mon 08:00-17:00").unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 07:30 UTC is 08:30 in Berlin in winter.
        assert_eq!(h.covers(berlin, at(1, 7, 30), 60), Ok(()));
        assert_eq!(h.covers(berlin, at(1, 16, 30), 60), Err(OffHours::Outside));
        let always = WeeklyHours::always();
        assert_eq!(always.covers(chrono_tz::UTC, at(7, 23, 30), 60), Ok(()), "Sunday night into Monday");
        let nights = WeeklyHours::parse("mon 20:00-24:00; tue 00:00-02:00").unwrap();
        assert_eq!(nights.covers(chrono_tz::UTC, at(1, 23, 0), 180), Ok(()));
        assert_eq!(nights.covers(chrono_tz::UTC, at(1, 23, 0), 181), Err(OffHours::Outside));
    }

    #[test]
    fn travel_is_the_same_both_ways_and_none_within_a_zone_or_for_pairs_not_listed() {
        let t = TravelTimes::parse("south, north: 30; centre, south: 15").unwrap();
        let z = |s: &str| Zone::parse(s).unwrap();
        assert_eq!((t.between(&z("north"), &z("south")), t.between(&z("south"), &z("north"))), (30, 30));
        assert_eq!(t.between(&z("north"), &z("north")), 0);
        assert_eq!(t.between(&z("north"), &z("centre")), 0);
        assert_eq!(t.to_string(), "centre, south: 15; north, south: 30");
        assert!(TravelTimes::parse("north, north: 5").is_err());
        assert!(TravelTimes::parse("north, south: 5; south, north: 6").is_err());
        assert!(TravelTimes::parse("north south: 5").is_err());
        assert!(TravelTimes::parse("north, south: 1441").is_err());
    }

    #[test]
    fn a_typed_pattern_leaves_nothing_empty_by_accident_and_none_says_never() {
        for raw in [
            "",
            "  ",
            "mon 08:00-09:00,,",
            "mon 08:00-09:00,",
            "mon 08:00-09:00;;tue 08:00-09:00",
            "mon 08:00-09:00;",
            "mon,,tue 08:00-09:00",
        ] {
            let e = WeeklyHours::parse_typed(raw).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::BadInput, "{raw:?}");
        }
        assert!(WeeklyHours::parse_typed("").unwrap_err().message.contains("`none`"));
        assert_eq!(WeeklyHours::parse_typed(" None ").unwrap(), WeeklyHours::default());
        let full = "mon-fri 08:00-12:00, 13:00-17:00; sat 09:00-13:00";
        assert_eq!(WeeklyHours::parse_typed(full).unwrap(), WeeklyHours::parse(full).unwrap());
        assert_eq!(WeeklyHours::parse_typed("mon,wed 08:00-09:00").unwrap().day(2), &[(480, 540)]);
    }
}
