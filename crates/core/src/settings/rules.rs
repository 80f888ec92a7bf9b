//! The company's rules as typed keys: each has a kind (how its value is written and checked), a
//! default, and a line of help. A new rule is a new entry in [`RULES`] (and, if commands read it
//! typed, a field of [`Rules`]); the table that stores values never changes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::types::{Money, Zone};

/// The names of matching's built-in steps (matching implements each; a test there checks the two
/// lists agree). Any other step name is an external program an admin registered.
pub const BUILT_IN_STEPS: [&str; 4] = ["skill_fit", "rating", "load", "history"];

/// How a rule's value is written and what it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An amount of money, zero or more: a decimal string (`100.00`).
    Money,
    /// A whole number from `min` to `max`.
    Whole { min: i64, max: i64, unit: &'static str },
    /// An ISO 4217 currency code (`EUR`).
    Currency,
    /// An IANA time zone (`Europe/Berlin`).
    TimeZone,
    /// Matching's scoring steps in the order they run, each with its weight:
    /// `skill_fit:1, rating:1, load:0.5`.
    Steps,
    /// Zones whose workers may also take a zone's orders: `north: centre, south; south: north`.
    Neighbours,
    /// A weekly pattern of working hours in the company's time zone (DESIGN.md "Matching"):
    /// `mon-fri 08:00-17:00; sat 09:00-13:00`.
    Hours,
    /// Travel minutes between pairs of zones, both ways: `north-south: 30; centre-south: 15`.
    Travel,
}

impl Kind {
    /// How a value of this kind is written, for help and error messages.
    pub fn syntax(self) -> String {
        match self {
            Kind::Money => "an amount like `100.00`".into(),
            Kind::Whole { min, max, unit } => format!("a whole number of {unit} from {min} to {max}"),
            Kind::Currency => "a three-letter currency code like `EUR`".into(),
            Kind::TimeZone => "an IANA time zone like `Europe/Berlin`".into(),
            Kind::Steps => "steps in order with weights, like `skill_fit:1, rating:1, load:0.5`".into(),
            Kind::Neighbours => "zones and their neighbours, like `north: centre, south; south: north`".into(),
            Kind::Hours => "days and hours, like `mon-fri 08:00-12:00, 13:00-17:00; sat 09:00-13:00`".into(),
            Kind::Travel => "pairs of zones and minutes, like `north-south: 30; centre-south: 15`".into(),
        }
    }
}

/// One rule of the company.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Its key, dotted like the sections of `crew settings import`'s TOML (`pricing.base_price`).
    pub key: &'static str,
    pub kind: Kind,
    /// The value in force until an admin sets one, written as `crew settings set` takes it.
    pub default: &'static str,
    /// What it decides, in one line.
    pub about: &'static str,
}

/// Every rule, in the order `crew settings show` lists them.
pub const RULES: &[Rule] = &[
    Rule {
        key: "currency",
        kind: Kind::Currency,
        default: "EUR",
        about: "the one currency every amount is in (changing it converts nothing)",
    },
    Rule {
        key: "time_zone",
        kind: Kind::TimeZone,
        default: "UTC",
        about: "times are shown in it, and read in it when written `YYYY-MM-DD HH:MM`",
    },
    Rule {
        key: "pricing.base_price",
        kind: Kind::Money,
        default: "100.00",
        about: "the price of any order, fixed when it is assigned",
    },
    Rule {
        key: "pricing.loyalty_step",
        kind: Kind::Money,
        default: "10000.00",
        about: "loyalty: a client who paid more than this in total gets the first discount, one more percent per further step",
    },
    Rule {
        key: "pricing.loyalty_first_percent",
        kind: Kind::Whole { min: 0, max: 100, unit: "percent" },
        default: "5",
        about: "loyalty: the discount of a client who paid more than one step",
    },
    Rule {
        key: "pricing.loyalty_max_percent",
        kind: Kind::Whole { min: 0, max: 100, unit: "percent" },
        default: "12",
        about: "loyalty: the largest discount",
    },
    Rule {
        key: "ordering.no_show_grace_minutes",
        kind: Kind::Whole { min: 0, max: 1440, unit: "minutes" },
        default: "30",
        about: "how long after an order's time a worker who has not checked in is a no-show",
    },
    Rule {
        key: "ordering.max_photo_mib",
        kind: Kind::Whole { min: 1, max: 1024, unit: "MiB" },
        default: "20",
        about: "the largest photo accepted at check-in and completion",
    },
    Rule {
        key: "imports.max_mib",
        kind: Kind::Whole { min: 1, max: 4096, unit: "MiB" },
        default: "256",
        about: "the largest client, worker or applicant file an import reads",
    },
    Rule {
        key: "sessions.lifetime_hours",
        kind: Kind::Whole { min: 1, max: 8784, unit: "hours" },
        default: "12",
        about: "how long a login session lasts (service tokens do not expire)",
    },
    Rule {
        key: "matching.default_capacity",
        kind: Kind::Whole { min: 1, max: 20, unit: "orders" },
        default: "1",
        about: "the daily maximum of orders (capacity) of a hired worker whose hiring did not say",
    },
    Rule {
        key: "matching.default_rating",
        kind: Kind::Whole { min: 0, max: 100, unit: "points" },
        default: "50",
        about: "the rating of a hired worker whose hiring did not say",
    },
    Rule {
        key: "matching.steps",
        kind: Kind::Steps,
        default: "skill_fit:1, rating:1, load:0.5, history:0.5",
        about: "the scoring steps in the order they run, with weights (built-in, or registered programs)",
    },
    Rule {
        key: "matching.neighbours",
        kind: Kind::Neighbours,
        default: "",
        about: "zones whose workers may also take a zone's orders (in-zone workers are preferred at equal service)",
    },
    Rule {
        key: "matching.default_hours",
        kind: Kind::Hours,
        default: "mon-sun 00:00-24:00",
        about: "the working hours of a worker without hours of their own (in the company's time zone)",
    },
    Rule {
        key: "matching.travel_minutes",
        kind: Kind::Travel,
        default: "",
        about: "minutes between the end of an order and the next one in another zone (pairs not listed: none)",
    },
    Rule {
        key: "ordering.check_in_window_minutes",
        kind: Kind::Whole { min: 0, max: 525_600, unit: "minutes" },
        default: "60",
        about: "how long before an order's start its worker may check in (an earlier check-in is refused)",
    },
    Rule {
        key: "billing.worker_share_percent",
        kind: Kind::Whole { min: 0, max: 100, unit: "percent" },
        default: "60",
        about: "the share of a completed order's price its worker earns (rounded by largest remainder)",
    },
    Rule {
        key: "billing.failure_fine",
        kind: Kind::Money,
        default: "40.00",
        about: "what the worker of a failed order is fined",
    },
    Rule {
        key: "supplies.low_stock_units",
        kind: Kind::Whole { min: 0, max: 1_000_000, unit: "units" },
        default: "2",
        about: "an item with this many available units or fewer is low on stock",
    },
    Rule {
        key: "supplies.kit_at_risk_minutes",
        kind: Kind::Whole { min: 0, max: 10_080, unit: "minutes" },
        default: "60",
        about: "a kit not ready this long before its order's start is flagged at risk",
    },
    Rule {
        key: "supplies.cookie_retry_minutes",
        kind: Kind::Whole { min: 1, max: 1440, unit: "minutes" },
        default: "2",
        about: "the first wait before asking the cookie contractor again (doubled per failure, at most 64×)",
    },
    Rule {
        key: "quality.rating_step_praise",
        kind: Kind::Whole { min: 0, max: 100, unit: "rating points" },
        default: "2",
        about: "how far a review's `praise` verdict raises the worker's rating",
    },
    Rule {
        key: "quality.rating_step_fault",
        kind: Kind::Whole { min: 0, max: 100, unit: "rating points" },
        default: "5",
        about: "how far a review's `fault` verdict lowers the worker's rating",
    },
    Rule {
        key: "quality.rating_step_serious",
        kind: Kind::Whole { min: 0, max: 100, unit: "rating points" },
        default: "15",
        about: "how far a review's `serious` verdict lowers the worker's rating",
    },
    Rule {
        key: "bets.max_stake",
        kind: Kind::Money,
        default: "50.00",
        about: "the most one manager may stake on one order, all their bets on it together",
    },
];

/// The rule of a key, or a bad-input error listing the keys there are.
pub fn rule(key: &str) -> Result<&'static Rule> {
    let key = key.trim();
    RULES.iter().find(|r| r.key == key).ok_or_else(|| {
        let keys: Vec<&str> = RULES.iter().map(|r| r.key).collect();
        Error::bad_input(format!("`{key}` is not a company rule; the rules are: {}", keys.join(", ")))
    })
}

/// A three-letter currency code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Currency(s))
        } else {
            Err(Error::bad_input(format!("`{raw}` is not a three-letter currency code like `EUR`")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a matching step: 1 to 40 lower-case letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepName(String);

impl StepName {
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(StepName(s.to_string()))
        } else {
            Err(Error::bad_input(format!(
                "`{raw}` is not a step name: use 1 to 40 lower-case letters, digits, `-` or `_`"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether matching has this step built in (no program to register).
    pub fn is_built_in(&self) -> bool {
        BUILT_IN_STEPS.contains(&self.0.as_str())
    }
}

impl fmt::Display for StepName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for StepName {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for StepName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        StepName::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// One step of matching's pipeline and its weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepWeight {
    pub name: StepName,
    /// From 0 to 1000.
    pub weight: f64,
}

/// The largest weight a step may have.
pub const MAX_WEIGHT: f64 = 1000.0;

/// Checks a step's weight: a number from 0 to [`MAX_WEIGHT`].
pub fn weight(name: &str, raw: f64) -> Result<f64> {
    if raw.is_finite() && (0.0..=MAX_WEIGHT).contains(&raw) {
        Ok(raw)
    } else {
        Err(Error::bad_input(format!("step `{name}`: a weight is a number from 0 to 1000, not {raw}")))
    }
}

/// A rule's value, checked against its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Money(Money),
    Whole(i64),
    Currency(Currency),
    TimeZone(Tz),
    Steps(Vec<StepWeight>),
    Neighbours(BTreeMap<Zone, Vec<Zone>>),
    Hours(WeeklyHours),
    Travel(TravelTimes),
}

impl Value {
    /// Reads a value of `kind` written as `crew settings set` takes it.
    pub fn parse(kind: Kind, raw: &str) -> Result<Value> {
        let s = raw.trim();
        match kind {
            Kind::Money => {
                let m = Money::parse(s)?;
                if m.cents() < 0 {
                    return Err(Error::bad_input(format!("`{raw}`: an amount here cannot be negative")));
                }
                Ok(Value::Money(m))
            }
            Kind::Whole { min, max, unit } => {
                let n: i64 = s.parse().map_err(|_| Error::bad_input(format!("`{raw}` is not {}", kind.syntax())))?;
                if !(min..=max).contains(&n) {
                    return Err(Error::bad_input(format!("{n} is out of range: from {min} to {max} {unit}")));
                }
                Ok(Value::Whole(n))
            }
            Kind::Currency => Currency::parse(s).map(Value::Currency),
            Kind::TimeZone => s
                .parse::<Tz>()
                .map(Value::TimeZone)
                .map_err(|_| Error::bad_input(format!("`{raw}` is not an IANA time zone like `Europe/Berlin`"))),
            Kind::Steps => parse_steps(s).map(Value::Steps),
            Kind::Neighbours => parse_neighbours(s).map(Value::Neighbours),
            Kind::Hours => WeeklyHours::parse(s).map(Value::Hours),
            Kind::Travel => TravelTimes::parse(s).map(Value::Travel),
        }
    }
}

/// The canonical text of a value: what is stored, shown and recorded in events.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Money(m) => write!(f, "{m}"),
            Value::Whole(n) => write!(f, "{n}"),
            Value::Currency(c) => write!(f, "{c}"),
            Value::TimeZone(tz) => write!(f, "{}", tz.name()),
            Value::Steps(steps) => {
                let items: Vec<String> = steps.iter().map(|s| format!("{}:{}", s.name, s.weight)).collect();
                f.write_str(&items.join(", "))
            }
            Value::Neighbours(map) => {
                let items: Vec<String> = map
                    .iter()
                    .map(|(zone, list)| {
                        let names: Vec<&str> = list.iter().map(Zone::as_str).collect();
                        format!("{zone}: {}", names.join(", "))
                    })
                    .collect();
                f.write_str(&items.join("; "))
            }
            Value::Hours(h) => write!(f, "{h}"),
            Value::Travel(t) => write!(f, "{t}"),
        }
    }
}

fn parse_steps(s: &str) -> Result<Vec<StepWeight>> {
    let mut steps = Vec::new();
    let mut seen = BTreeSet::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, w) = match item.split_once(':') {
            Some((name, w)) => {
                let raw = w.trim();
                let w: f64 = raw.parse().map_err(|_| {
                    Error::bad_input(format!(
                        "step `{}`: `{raw}` is not a weight (a number from 0 to 1000)",
                        name.trim()
                    ))
                })?;
                (name.trim(), w)
            }
            None => (item, 1.0),
        };
        let name = StepName::parse(name)?;
        let weight = weight(name.as_str(), w)?;
        if !seen.insert(name.clone()) {
            return Err(Error::bad_input(format!("step `{name}` is listed twice")));
        }
        steps.push(StepWeight { name, weight });
    }
    Ok(steps)
}

fn parse_neighbours(s: &str) -> Result<BTreeMap<Zone, Vec<Zone>>> {
    let mut map = BTreeMap::new();
    for item in s.split(';').map(str::trim).filter(|i| !i.is_empty()) {
        let (zone, list) = item.split_once(':').ok_or_else(|| {
            Error::bad_input(format!("`{item}`: write a zone, a colon and its neighbours, like `north: centre, south`"))
        })?;
        let zone = Zone::parse(zone)?;
        let mut neighbours = Vec::new();
        for n in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let n = Zone::parse(n)?;
            if n == zone {
                return Err(Error::bad_input(format!("zone {zone} cannot be its own neighbour")));
            }
            if neighbours.contains(&n) {
                return Err(Error::bad_input(format!("zone {zone} lists {n} twice")));
            }
            neighbours.push(n);
        }
        if map.insert(zone.clone(), neighbours).is_some() {
            return Err(Error::bad_input(format!("zone {zone} is listed twice")));
        }
    }
    Ok(map)
}

/// The rules in force, typed: what commands decide with.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub currency: Currency,
    pub time_zone: Tz,
    pub base_price: Money,
    /// Loyalty: the total paid per step of discount.
    pub loyalty_step: Money,
    /// Loyalty: the discount after the first step, in percent.
    pub loyalty_first_percent: u32,
    /// Loyalty: the largest discount, in percent.
    pub loyalty_max_percent: u32,
    pub no_show_grace_minutes: u32,
    pub max_photo_mib: u32,
    /// The largest import file, in MiB.
    pub max_import_mib: u32,
    /// How long a login session lasts, in hours.
    pub session_lifetime_hours: u32,
    pub default_capacity: u32,
    pub default_rating: u8,
    pub steps: Vec<StepWeight>,
    pub neighbours: BTreeMap<Zone, Vec<Zone>>,
    /// The hours of a worker without their own (`matching.default_hours`).
    pub default_hours: WeeklyHours,
    /// `matching.travel_minutes`.
    pub travel: TravelTimes,
    /// How long before an order's start its worker may check in, in minutes.
    pub check_in_window_minutes: u32,
    /// The share of a completed order's price its worker earns, in percent.
    pub worker_share_percent: u32,
    /// What the worker of a failed order is fined.
    pub failure_fine: Money,
    /// Supplies: an item with this many available units or fewer is low.
    pub low_stock_units: u32,
    /// Supplies: minutes before an order's start from which a kit not ready is at risk.
    pub kit_at_risk_minutes: u32,
    /// Supplies: the first wait, in minutes, before asking the cookie contractor again.
    pub cookie_retry_minutes: u32,
    /// Quality: rating points a `praise` verdict adds.
    pub rating_step_praise: u32,
    /// Quality: rating points a `fault` verdict takes.
    pub rating_step_fault: u32,
    /// Quality: rating points a `serious` verdict takes.
    pub rating_step_serious: u32,
    /// Bets: the most one manager may stake on one order, all their bets on it together.
    pub max_stake: Money,
}

impl Rules {
    /// The rules from the values in force (by key; a key missing takes its rule's default).
    pub fn from_values(values: &BTreeMap<&'static str, Value>) -> Result<Rules> {
        let get = |key: &str| -> Result<Value> {
            match values.get(key) {
                Some(v) => Ok(v.clone()),
                None => Value::parse(rule(key)?.kind, rule(key)?.default),
            }
        };
        let mismatch = |key: &str| Error::internal(format!("rule `{key}` has a value of another kind"));
        let whole = |key: &str| -> Result<i64> {
            match get(key)? {
                Value::Whole(n) => Ok(n),
                _ => Err(mismatch(key)),
            }
        };
        let small = |key: &str| -> Result<u32> { u32::try_from(whole(key)?).map_err(|_| mismatch(key)) };
        Ok(Rules {
            currency: match get("currency")? {
                Value::Currency(c) => c,
                _ => return Err(mismatch("currency")),
            },
            time_zone: match get("time_zone")? {
                Value::TimeZone(tz) => tz,
                _ => return Err(mismatch("time_zone")),
            },
            base_price: match get("pricing.base_price")? {
                Value::Money(m) => m,
                _ => return Err(mismatch("pricing.base_price")),
            },
            loyalty_step: match get("pricing.loyalty_step")? {
                Value::Money(m) => m,
                _ => return Err(mismatch("pricing.loyalty_step")),
            },
            loyalty_first_percent: small("pricing.loyalty_first_percent")?,
            loyalty_max_percent: small("pricing.loyalty_max_percent")?,
            no_show_grace_minutes: small("ordering.no_show_grace_minutes")?,
            max_photo_mib: small("ordering.max_photo_mib")?,
            max_import_mib: small("imports.max_mib")?,
            session_lifetime_hours: small("sessions.lifetime_hours")?,
            default_capacity: small("matching.default_capacity")?,
            default_rating: u8::try_from(whole("matching.default_rating")?)
                .map_err(|_| mismatch("matching.default_rating"))?,
            steps: match get("matching.steps")? {
                Value::Steps(s) => s,
                _ => return Err(mismatch("matching.steps")),
            },
            neighbours: match get("matching.neighbours")? {
                Value::Neighbours(n) => n,
                _ => return Err(mismatch("matching.neighbours")),
            },
            default_hours: match get("matching.default_hours")? {
                Value::Hours(h) => h,
                _ => return Err(mismatch("matching.default_hours")),
            },
            travel: match get("matching.travel_minutes")? {
                Value::Travel(t) => t,
                _ => return Err(mismatch("matching.travel_minutes")),
            },
            check_in_window_minutes: small("ordering.check_in_window_minutes")?,
            worker_share_percent: small("billing.worker_share_percent")?,
            failure_fine: match get("billing.failure_fine")? {
                Value::Money(m) => m,
                _ => return Err(mismatch("billing.failure_fine")),
            },
            low_stock_units: small("supplies.low_stock_units")?,
            kit_at_risk_minutes: small("supplies.kit_at_risk_minutes")?,
            cookie_retry_minutes: small("supplies.cookie_retry_minutes")?,
            rating_step_praise: small("quality.rating_step_praise")?,
            rating_step_fault: small("quality.rating_step_fault")?,
            rating_step_serious: small("quality.rating_step_serious")?,
            max_stake: match get("bets.max_stake")? {
                Value::Money(m) => m,
                _ => return Err(mismatch("bets.max_stake")),
            },
        })
    }
}

impl Default for Rules {
    /// Every rule at its default.
    fn default() -> Self {
        Rules::from_values(&BTreeMap::new()).expect("every default is a valid value of its rule")
    }
}

pub use super::hours::{TravelTimes, WeeklyHours};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_a_valid_value_of_its_rule_and_is_written_canonically() {
        for r in RULES {
            let v = Value::parse(r.kind, r.default).unwrap_or_else(|e| panic!("{}: {e}", r.key));
            assert_eq!(v.to_string(), r.default, "{}", r.key);
        }
        let keys: BTreeSet<&str> = RULES.iter().map(|r| r.key).collect();
        assert_eq!(keys.len(), RULES.len(), "a key is listed twice");
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let r = Rules::default();
        assert_eq!(r.base_price, Money::from_cents(10_000));
        assert_eq!(r.currency.as_str(), "EUR");
        assert_eq!(r.time_zone, chrono_tz::UTC);
        assert_eq!((r.no_show_grace_minutes, r.max_photo_mib), (30, 20));
        assert_eq!((r.default_capacity, r.default_rating), (1, 50));
        let steps: Vec<(&str, f64)> = r.steps.iter().map(|s| (s.name.as_str(), s.weight)).collect();
        assert_eq!(steps, [("skill_fit", 1.0), ("rating", 1.0), ("load", 0.5), ("history", 0.5)]);
        assert!(r.neighbours.is_empty());
        assert_eq!((r.worker_share_percent, r.failure_fine), (60, Money::from_cents(4_000)));
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        let check = |key: &str, raw: &str| Value::parse(rule(key).unwrap().kind, raw).map(|v| v.to_string());
        assert_eq!(check("pricing.base_price", " 80.5 ").unwrap(), "80.50");
        assert!(check("pricing.base_price", "-1.00").unwrap_err().message.contains("negative"));
        assert!(check("pricing.base_price", "1.005").is_err());
        assert_eq!(check("currency", "chf").unwrap(), "CHF");
        assert!(check("currency", "euro").is_err());
        assert_eq!(check("time_zone", "Europe/Berlin").unwrap(), "Europe/Berlin");
        assert!(check("time_zone", "Mars/Olympus").unwrap_err().message.contains("IANA"));
        assert!(check("ordering.no_show_grace_minutes", "1441").unwrap_err().message.contains("from 0 to 1440"));
        assert_eq!(check("ordering.no_show_grace_minutes", "1440").unwrap(), "1440");
        assert_eq!(check("ordering.no_show_grace_minutes", "0").unwrap(), "0");
        assert!(check("ordering.no_show_grace_minutes", "-1").is_err());
        assert!(check("ordering.max_photo_mib", "0").is_err());
        assert!(check("matching.default_capacity", "21").is_err());
        assert!(check("matching.default_rating", "101").is_err());
        assert!(check("matching.default_rating", "ten").unwrap_err().message.contains("whole number"));
    }

    #[test]
    fn steps_keep_their_order_and_refuse_repeats_and_bad_weights() {
        let v = Value::parse(Kind::Steps, "rating:2,  zone_affinity , load:0.25").unwrap();
        assert_eq!(v.to_string(), "rating:2, zone_affinity:1, load:0.25");
        assert_eq!(Value::parse(Kind::Steps, "").unwrap(), Value::Steps(vec![]));
        assert!(Value::parse(Kind::Steps, "rating:1, rating:2").unwrap_err().message.contains("twice"));
        assert!(Value::parse(Kind::Steps, "rating:-1").unwrap_err().message.contains("from 0 to 1000"));
        assert!(Value::parse(Kind::Steps, "rating:1001").is_err());
        assert!(Value::parse(Kind::Steps, "rating:1000").is_ok());
        assert!(Value::parse(Kind::Steps, "rating:NaN").is_err());
        assert!(Value::parse(Kind::Steps, "rating:lots").unwrap_err().message.contains("not a weight"));
        assert!(Value::parse(Kind::Steps, "Rating:1").unwrap_err().message.contains("step name"));
    }

    #[test]
    fn neighbours_are_zones_with_lists_of_other_zones() {
        let v = Value::parse(Kind::Neighbours, "south: north; north: centre, south").unwrap();
        assert_eq!(v.to_string(), "north: centre, south; south: north");
        assert!(Value::parse(Kind::Neighbours, "north: north").unwrap_err().message.contains("its own"));
        assert!(Value::parse(Kind::Neighbours, "north: a; north: b").unwrap_err().message.contains("twice"));
        assert!(Value::parse(Kind::Neighbours, "north: a, a").unwrap_err().message.contains("twice"));
        assert!(Value::parse(Kind::Neighbours, "north centre").unwrap_err().message.contains("colon"));
        assert_eq!(Value::parse(Kind::Neighbours, " ").unwrap().to_string(), "");
    }

    #[test]
    fn an_unknown_key_lists_the_keys_there_are() {
        let e = rule("pricing.base").unwrap_err();
        assert!(e.message.contains("pricing.base_price") && e.message.contains("matching.steps"), "{e}");
    }
}
