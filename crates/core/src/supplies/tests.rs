//! Supplies' rules as pure functions: reading lines, a kit's readiness and risk, the backoff.

use chrono::{TimeZone, Utc};

use super::subscribers::new_cookie;
use super::*;

fn rules() -> SuppliesRules {
    SuppliesRules { low_stock_units: 2, at_risk_minutes: 60, cookie_retry_minutes: 2 }
}

fn kit(lines: Vec<KitLine>, cookie: CookieStatus, worker: Option<i64>) -> Kit {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    let mut c = new_cookie("crew-kit-1-9".into());
    c.status = cookie;
    Kit {
        id: KitId::new(1),
        order: OrderId::new(1),
        client: AccountId::new(5),
        worker: worker.map(AccountId::new),
        service_type: ServiceCode::parse("cleaning").unwrap(),
        zone: Zone::parse("north").unwrap(),
        scheduled_at: at,
        lines,
        status: KitStatus::Open,
        cookie: c,
        opened_at: at - Duration::days(1),
        issued_at: None,
        updated_at: at - Duration::days(1),
    }
}

fn line(item: &str, quantity: u32, reserved: Option<u32>) -> KitLine {
    KitLine { item: ItemCode::parse(item).unwrap(), quantity, reserved }
}

#[test]
fn a_bill_of_materials_line_is_an_item_and_a_positive_count() {
    assert_eq!(
        BomLine::parse(" Gloves : 2 ").unwrap(),
        BomLine { item: ItemCode::parse("gloves").unwrap(), quantity: 2 }
    );
    assert_eq!(BomLine::parse("sponge").unwrap().quantity, 1);
    assert!(BomLine::parse("gloves:0").unwrap_err().message.contains("at least one"));
    assert!(BomLine::parse("gloves:-1").unwrap_err().message.contains("gloves"));
    assert!(BomLine::parse("gloves:1000001").is_err());
    assert!(BomLine::parse("=cmd:1").unwrap_err().message.contains("item code"));
}

#[test]
fn a_kit_is_ready_only_with_every_item_the_cookie_and_a_worker() {
    let t = Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap();
    let full = vec![line("gloves", 2, Some(2)), line("bucket", 1, None)];
    assert!(kit(full.clone(), CookieStatus::Ready, Some(7)).readiness(t, &rules()).ready);
    let r = kit(vec![line("gloves", 2, Some(1))], CookieStatus::Baking, None).readiness(t, &rules());
    assert!(!r.ready);
    assert_eq!(r.missing, ["1 gloves", "the cookie (baking)", "a worker"]);
    let mut issued = kit(full, CookieStatus::Ready, Some(7));
    issued.status = KitStatus::Issued;
    assert!(!issued.readiness(t, &rules()).ready, "an issued kit is not issued again");
}

#[test]
fn a_kit_not_ready_an_hour_before_its_order_is_at_risk() {
    let k = kit(vec![], CookieStatus::Baking, Some(7));
    let before = |m: i64| k.scheduled_at - Duration::minutes(m);
    assert!(!k.readiness(before(61), &rules()).at_risk);
    assert!(k.readiness(before(60), &rules()).at_risk);
    assert!(k.readiness(before(-30), &rules()).at_risk, "late is at risk too");
    let ready = kit(vec![], CookieStatus::Ready, Some(7));
    assert!(!ready.readiness(before(5), &rules()).at_risk);
}

#[test]
fn the_backoff_doubles_from_the_rule_and_stops_at_64_times() {
    let r = rules();
    let minutes: Vec<i64> = [1, 2, 3, 7, 8, 30].iter().map(|a| backoff(&r, *a).num_minutes()).collect();
    assert_eq!(minutes, [2, 4, 8, 128, 128, 128]);
}

#[test]
fn a_kit_reference_names_its_kit() {
    assert_eq!(kit_of_reference("kit-7").unwrap(), KitId::new(7));
    assert!(kit_of_reference("order-7").is_err());
    assert!(kit_of_reference("kit-0").is_err());
}

proptest::proptest! {
    /// The wait before the next attempt never shrinks and stops at 64 times the rule.
    #[test]
    fn the_backoff_never_shrinks_and_is_capped(minutes in 1u32..1440, attempts in 1u32..100) {
        let r = SuppliesRules { low_stock_units: 2, at_risk_minutes: 60, cookie_retry_minutes: minutes };
        proptest::prop_assert!(backoff(&r, attempts + 1) >= backoff(&r, attempts));
        proptest::prop_assert!(backoff(&r, attempts) <= Duration::minutes(i64::from(minutes) * 64));
    }

    /// A kit is ready exactly when nothing is missing; only an open kit is ever ready or at risk.
    #[test]
    fn ready_means_nothing_missing(quantity in 1u32..5, reserved in proptest::option::of(0u32..5), cookie in 0usize..5, worker: bool, minutes_before in -120i64..240) {
        let statuses = [CookieStatus::NotOrdered, CookieStatus::Unknown, CookieStatus::Baking, CookieStatus::Ready, CookieStatus::Refused];
        let reserved = reserved.map(|r| r.min(quantity));
        let mut k = kit(vec![line("gloves", quantity, reserved)], statuses[cookie], worker.then_some(7));
        let now = k.scheduled_at - Duration::minutes(minutes_before);
        let r = k.readiness(now, &rules());
        proptest::prop_assert_eq!(r.ready, r.missing.is_empty());
        proptest::prop_assert!(!(r.ready && r.at_risk));
        for status in [KitStatus::Issued, KitStatus::Cancelled] {
            k.status = status;
            let r = k.readiness(now, &rules());
            proptest::prop_assert!(!r.ready && !r.at_risk);
        }
    }
}
