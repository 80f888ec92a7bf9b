//! A small company for the rules that need orders and workers: the first admin, the service
//! type `clean` (cleaning:3), a client in `north`, workers hired by import, orders, the cycle.
//! Commands run through `wiring::execute`, so every subscriber reacts as in the real thing.

use std::collections::BTreeMap;

use crew_core::authz::Actor;
use crew_core::hiring;
use crew_core::iam;
use crew_core::ids::{AccountId, OrderId};
use crew_core::imports::RawRecord;
use crew_core::matching::{self, Settings, Step, Verdict};
use crew_core::ordering::{self, OrderRequest, Pricing};
use crew_core::types::{Email, Login, Money, Name, ServiceCode, SkillSet, Text, Zone};
use crew_core::wiring::{self, BoxedSubscriber, Store, Tx};
use crew_store::SqliteStore;

use super::{at, ctx, store};

pub struct Company {
    pub store: SqliteStore,
    pub admin: Actor,
    subscribers: Vec<BoxedSubscriber>,
}

pub fn record(fields: &[(&str, &str)]) -> RawRecord {
    RawRecord {
        location: "line 2".into(),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

pub fn zone(z: &str) -> Zone {
    Zone::parse(z).unwrap()
}

/// Only the rating counts (a candidate's score is its rating / 100), and no neighbours.
pub fn by_rating() -> Settings {
    Settings { steps: vec![Step::built_in("rating", 1.0)], neighbours: BTreeMap::new(), time: Default::default() }
}

pub fn pricing() -> Pricing {
    Pricing { base_price: Money::parse("100.00").unwrap(), loyalty: ordering::Loyalty::NONE }
}

impl Company {
    /// A company with the service type `clean` (cleaning:3) and a client in `north`.
    pub fn new() -> Company {
        let mut store = store();
        let hash = iam::Password::parse("correct horse").unwrap().hash(&[7; 16]).unwrap();
        let admin = store
            .write(|tx: &mut dyn Tx| {
                iam::init(tx, at(0), Login::parse("root").unwrap(), Name::parse("Root").unwrap(), None, hash)
            })
            .unwrap()
            .actor();
        let mut c = Company { store, admin, subscribers: wiring::subscribers(chrono_tz::UTC) };
        let a = c.admin.clone();
        c.run(|tx| {
            ordering::add_service_type(
                tx,
                &ctx(&a, at(0)),
                ServiceCode::parse("clean").unwrap(),
                Name::parse("Cleaning").unwrap(),
                Text::default(),
                SkillSet::parse("cleaning:3").unwrap(),
                ordering::Timing::DEFAULT,
            )?;
            let row = record(&[("name", "Duchess"), ("email", "duchess@x.example"), ("zone", "north")]);
            iam::import_clients(tx, &ctx(&a, at(0)), &[row], &mut ())
        });
        c
    }

    pub fn run<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> crew_core::Result<R>) -> R {
        self.try_run(f).unwrap()
    }

    pub fn try_run<R>(&mut self, f: impl FnOnce(&mut dyn Tx) -> crew_core::Result<R>) -> crew_core::Result<R> {
        wiring::execute(&mut self.store, &self.subscribers, f)
    }

    pub fn hire(&mut self, name: &str, zone: &str, skills: &str, capacity: u32, rating: u8) -> AccountId {
        let email = format!("{name}@x.example");
        let (capacity, rating) = (capacity.to_string(), rating.to_string());
        let row = record(&[
            ("name", name),
            ("email", &email),
            ("zone", zone),
            ("skills", skills),
            ("capacity", &capacity),
            ("rating", &rating),
        ]);
        let a = self.admin.clone();
        self.run(|tx| hiring::import_workforce(tx, &ctx(&a, at(0)), &[row], &mut ()));
        let email = Email::parse(&email).unwrap();
        self.store.read(|tx: &mut dyn Tx| tx.account_by_email(&email)).unwrap().unwrap().id
    }

    pub fn client(&mut self) -> Actor {
        let email = Email::parse("duchess@x.example").unwrap();
        self.store.read(|tx: &mut dyn Tx| tx.account_by_email(&email)).unwrap().unwrap().actor()
    }

    /// An order for `clean` in `zone`, `hours` after 08:00.
    pub fn order(&mut self, zone_: &str, hours: i64) -> OrderId {
        let client = self.client();
        let req = OrderRequest {
            service_type: ServiceCode::parse("clean").unwrap(),
            zone: Some(zone(zone_)),
            scheduled_at: at(hours * 60),
            description: Text::default(),
        };
        self.run(|tx| ordering::create_order(tx, &ctx(&client, at(1)), &pricing(), req)).id
    }

    /// Runs the cycle at `now` with `settings`: what it assigned (order → worker) and left open
    /// (order → reason).
    pub fn cycle(
        &mut self,
        settings: &Settings,
        now: i64,
    ) -> (BTreeMap<OrderId, AccountId>, BTreeMap<OrderId, String>) {
        let a = self.admin.clone();
        let report = self.run(|tx| {
            let batch = matching::prepare(tx, settings, None, at(now))?;
            let decision = matching::plan(&batch)?;
            // The plan's choice for each order is one of that order's own candidate pairs, and
            // its total counts what it serves and what it leaves open.
            let open = matching::open_costs(&batch)?;
            let (mut cost, mut served) = (0, 0);
            for (oi, chosen) in decision.chosen.iter().enumerate() {
                match chosen {
                    Some(pi) => {
                        assert_eq!(batch.pairs[*pi].order, oi, "order {oi} got pair {pi}");
                        cost += batch.cost(*pi);
                        served += 1;
                    }
                    None => cost += open[oi],
                }
            }
            assert_eq!(matching::plan_total(&batch, &decision), matching::PlanTotal { cost, served });
            matching::commit(tx, &ctx(&a, at(now)), &batch, &decision, &pricing())
        });
        (
            report.assigned.iter().map(|x| (x.order, x.worker)).collect(),
            report.left_open.iter().map(|x| (x.order, x.reason.clone())).collect(),
        )
    }

    pub fn explain(&mut self, order: OrderId, settings: &Settings) -> Verdict {
        self.store
            .read(|tx: &mut dyn Tx| {
                let batch = matching::prepare(tx, settings, Some(order), at(1))?;
                matching::explain(&batch)
            })
            .unwrap()
            .verdict
    }
}
