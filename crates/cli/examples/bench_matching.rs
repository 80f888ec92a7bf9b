//! The matching benchmark's helper (see scripts/bench/matching.sh).
//!
//! ```text
//! bench_matching generate DB WORKERS ORDERS SEED TOKEN_FILE   a company with open orders, from a seed
//! bench_matching graph DB OUT [--timeless]                    the cycle's candidate graph, for SciPy,
//!                                                             and the time of crew's solver on it
//! bench_matching load INSTANCE.json DB TOKEN_FILE              a company from an instance the gap
//!                                                             harness wrote (scripts/bench/matching_gap.py)
//! ```
//!
//! The company: workers spread evenly over zones of 50, each with two of three skills at levels
//! 1–5, capacity 1–3; orders spread evenly over the same zones, each needing one skill at level 1,
//! so each order has about 33 (20–50) eligible workers. Orders fall Monday to Saturday between
//! 07:00 and 18:45 and take 60, 90 or 120 minutes plus a 15-minute buffer; everyone works
//! Monday to Saturday 07:00–21:00; capacity is each worker's daily maximum. Everything goes through crew's own domain
//! functions in one transaction, as `crew import` and `crew order create` would.
//!
//! `graph` writes the flow the cycle solves: one node per worker and day, holding their room that
//! day. `graph --timeless` writes the graph the solver was given before matching knew time (issue
//! 9): one node per worker holding their whole capacity, every order of the batch competing for
//! it, the same pairs and costs. On the tight company (5,000 workers with 1–3 places each for
//! 10,000 orders) that is the instance where places run out, the solver's hardest case.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use crew_core::authz::{Actor, Role};
use crew_core::iam::{self, AccountRequest, Credential};
use crew_core::imports::RawRecord;
use crew_core::kernel::command::{Ctx, dispatch};
use crew_core::matching;
use crew_core::ordering::{self, OrderRequest, Pricing};
use crew_core::types::{Login, Money, Name, ServiceCode, SkillSet, Text, Zone};
use crew_core::wiring::{self, Store};
use crew_store::SqliteStore;

/// SplitMix64: deterministic on every machine.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SKILLS: [&str; 3] = ["cleaning", "gardening", "repairs"];

fn record(location: String, fields: &[(&str, String)]) -> RawRecord {
    RawRecord {
        location,
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>().into(),
    }
}

fn generate(db: &Path, workers: usize, orders: usize, seed: u64, token_file: &Path) -> crew_core::Result<()> {
    let mut rng = Rng(seed);
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap();
    let zones = workers.div_ceil(50).max(1);
    let zone = |i: usize| format!("z{:05}", i % zones);
    let mut store = SqliteStore::create(db)?;
    let subscribers = wiring::subscribers(chrono_tz::UTC);
    let token = "crew_bench_token_for_the_matching_benchmark_only";
    wiring::execute(&mut store, &subscribers, |tx| {
        let hash = iam::Password::parse("bench-password")?.hash(&[7; 16])?;
        // A benchmark replays a fixed moment: its database keeps a chosen clock.
        crew_core::kernel::clock::set_at_creation(tx, true)?;
        let admin = iam::init(tx, now, Login::parse("admin")?, Name::parse("Admin")?, None, hash)?;
        let ctx = Ctx { actor: admin.actor(), now };
        let cron = AccountRequest {
            login: Login::parse("cron")?,
            name: Name::parse("Cron")?,
            email: None,
            role: Role::Service,
            credential: Credential::ServiceToken(iam::token_hash(token)),
        };
        iam::create_account(tx, &ctx, cron)?;
        // A week of work in time (issue 9): the service types take one, one and a half and two
        // hours with a 15-minute buffer; everyone works Monday to Saturday, 07:00-21:00.
        crew_core::settings::set(tx, &ctx, "matching.default_hours", "mon-sat 07:00-21:00")?;
        for (k, skill) in SKILLS.iter().enumerate() {
            let skills = SkillSet::parse(&format!("{skill}:1"))?;
            ordering::add_service_type(
                tx,
                &ctx,
                ServiceCode::parse(skill)?,
                Name::parse(skill)?,
                Text::default(),
                skills,
                ordering::Timing::new(60 + 30 * k as u32, 15)?,
            )?;
        }
        let clients: Vec<RawRecord> = (0..zones)
            .map(|z| {
                record(
                    format!("client {z}"),
                    &[("name", format!("Client {z}")), ("email", format!("c{z}@bench.example")), ("zone", zone(z))],
                )
            })
            .collect();
        iam::import_clients(tx, &ctx, &clients, &mut ())?;
        let staff: Vec<RawRecord> = (0..workers)
            .map(|i| {
                let skip = rng.below(3) as usize;
                let skills: Vec<String> =
                    (0..3).filter(|&k| k != skip).map(|k| format!("{}:{}", SKILLS[k], 1 + rng.below(5))).collect();
                record(
                    format!("worker {i}"),
                    &[
                        ("name", format!("Worker {i}")),
                        ("email", format!("w{i}@bench.example")),
                        ("zone", zone(i)),
                        ("skills", skills.join(";")),
                        ("capacity", (1 + rng.below(3)).to_string()),
                        ("rating", rng.below(101).to_string()),
                    ],
                )
            })
            .collect();
        crew_core::hiring::import_workforce(tx, &ctx, &staff, &mut ())?;
        // Let IAM and matching catch up (accounts, profiles) before clients order.
        dispatch(tx, &subscribers)?;
        let pricing = Pricing { base_price: Money::from_cents(10_000), loyalty: crew_core::ordering::Loyalty::NONE };
        for i in 0..orders {
            let z = i % zones;
            let client = tx
                .account_by_email(&crew_core::types::Email::parse(&format!("c{z}@bench.example"))?)?
                .expect("client imported");
            let ctx = Ctx { actor: Actor { id: client.id, login: client.login, role: Role::Client }, now };
            let req = OrderRequest {
                service_type: ServiceCode::parse(SKILLS[rng.below(3) as usize])?,
                zone: Some(Zone::parse(&zone(z))?),
                // Monday to Saturday, starting 07:00 to 18:45 on a 15-minute grid.
                scheduled_at: now
                    + Duration::days(rng.below(6) as i64)
                    + Duration::minutes(60 + 15 * rng.below(48) as i64),
                description: Text::default(),
            };
            ordering::create_order(tx, &ctx, &pricing, req)?;
        }
        Ok(())
    })?;
    std::fs::write(token_file, token).map_err(|e| crew_core::Error::internal(e.to_string()))?;
    Ok(())
}

fn graph(db: &Path, out: &Path, timeless: bool) -> crew_core::Result<()> {
    let mut store = SqliteStore::open(db)?;
    let t = Instant::now();
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap();
    // The company's rules in force (steps, hours, travel, neighbours), as `crew matching run` reads them.
    let batch = store.read(|tx| {
        let settings = matching::settings(tx)?;
        matching::prepare(tx, &settings, None, now)
    })?;
    let prepare = t.elapsed().as_secs_f64();
    let mut times = Vec::new();
    let mut decision = None;
    for _ in 0..5 {
        let t = Instant::now();
        decision = Some(matching::plan(&batch)?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let decision = decision.expect("ran five times");
    let matching::PlanTotal { cost: total, served } = matching::plan_total(&batch, &decision);
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| crew_core::Error::internal(e.to_string()))?);
    let io = |e: std::io::Error| crew_core::Error::internal(e.to_string());
    // The flow crew solves: one node per worker and day, holding their room that day; or, timeless,
    // one node per worker holding their capacity.
    let nodes = if timeless {
        matching::DayNodes {
            pair_node: batch.pairs.iter().map(|p| p.worker).collect(),
            room: batch.workers.iter().map(|w| w.capacity).collect(),
        }
    } else {
        matching::day_nodes(&batch)
    };
    writeln!(f, "{} {}", batch.orders.len(), nodes.room.len()).map_err(io)?;
    let caps: Vec<String> = nodes.room.iter().map(|r| r.to_string()).collect();
    writeln!(f, "{}", caps.join(" ")).map_err(io)?;
    let mut lines: Vec<String> = matching::open_costs(&batch)?.iter().map(|c| c.to_string()).collect();
    for (i, p) in batch.pairs.iter().enumerate() {
        lines[p.order].push_str(&format!(" {}:{}", nodes.pair_node[i], batch.cost(i)));
    }
    for line in lines {
        writeln!(f, "{line}").map_err(io)?;
    }
    // crew's solver alone on exactly the graph written (what SciPy is given): the flow of the
    // first round, before any repair. Median of 5.
    let mut flow = matching::solver::Graph::new(nodes.room.clone());
    let open = matching::open_costs(&batch)?;
    let mut by_order: Vec<Vec<(usize, i64)>> = vec![Vec::new(); batch.orders.len()];
    for (i, p) in batch.pairs.iter().enumerate() {
        by_order[p.order].push((nodes.pair_node[i], batch.cost(i)));
    }
    for (o, cands) in by_order.into_iter().enumerate() {
        flow.add_order(open[o], cands);
    }
    let mut solver_times = Vec::new();
    let mut solved = None;
    for _ in 0..5 {
        let t = Instant::now();
        solved = Some(matching::solver::solve(&flow));
        solver_times.push(t.elapsed().as_secs_f64());
    }
    solver_times.sort_by(f64::total_cmp);
    let solved = solved.expect("ran five times");
    let flow_served = solved.worker.iter().flatten().count();
    println!(
        "{{\"orders\": {}, \"workers\": {}, \"pairs\": {}, \"served\": {served}, \"total\": {total}, \"rounds\": {}, \"prepare_seconds\": {prepare:.4}, \"plan_median_seconds\": {:.6}, \"flow_served\": {flow_served}, \"flow_total\": {}, \"solve_median_seconds\": {:.6}}}",
        batch.orders.len(),
        batch.workers.len(),
        batch.pairs.len(),
        decision.rounds,
        times[times.len() / 2],
        solved.total,
        solver_times[solver_times.len() / 2]
    );
    Ok(())
}

/// `load`: a company from an instance of scripts/bench/matching_gap.py, through the same domain
/// functions: the rules (steps, hours, travel, neighbours), one service type per kind of work,
/// one client per zone, the workers (hours and time off as managers set them), then the orders in
/// the instance's order, so order `i` of the instance is order `#i + 1`.
fn load(instance: &Path, db: &Path, token_file: &Path) -> crew_core::Result<()> {
    let io = |e: std::io::Error| crew_core::Error::internal(e.to_string());
    let raw = std::fs::read_to_string(instance).map_err(io)?;
    let v: serde_json::Value = serde_json::from_str(&raw).map_err(|e| crew_core::Error::bad_input(e.to_string()))?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let time = |v: &serde_json::Value| -> crew_core::Result<chrono::DateTime<Utc>> {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| crew_core::Error::bad_input(format!("{v}: {e}")))
    };
    let now = time(&v["now"])?;
    let mut store = SqliteStore::create(db)?;
    let subscribers = wiring::subscribers(chrono_tz::UTC);
    let token = "crew_bench_token_for_the_matching_gap_benchmark_only";
    wiring::execute(&mut store, &subscribers, |tx| {
        let hash = iam::Password::parse("bench-password")?.hash(&[7; 16])?;
        crew_core::kernel::clock::set_at_creation(tx, true)?;
        let admin = iam::init(tx, now, Login::parse("admin")?, Name::parse("Admin")?, None, hash)?;
        let ctx = Ctx { actor: admin.actor(), now };
        let cron = AccountRequest {
            login: Login::parse("cron")?,
            name: Name::parse("Cron")?,
            email: None,
            role: Role::Service,
            credential: Credential::ServiceToken(iam::token_hash(token)),
        };
        iam::create_account(tx, &ctx, cron)?;
        for (key, value) in v["settings"].as_object().into_iter().flatten() {
            crew_core::settings::set(tx, &ctx, key, &text(value))?;
        }
        for st in v["service_types"].as_array().into_iter().flatten() {
            let code = text(&st["code"]);
            ordering::add_service_type(
                tx,
                &ctx,
                ServiceCode::parse(&code)?,
                Name::parse(&code)?,
                Text::default(),
                SkillSet::parse(&text(&st["skills"]))?,
                ordering::Timing::new(
                    st["duration"].as_u64().unwrap_or(60) as u32,
                    st["buffer"].as_u64().unwrap_or(0) as u32,
                )?,
            )?;
        }
        let zones: Vec<String> = v["zones"].as_array().into_iter().flatten().map(text).collect();
        let clients: Vec<RawRecord> = zones
            .iter()
            .map(|z| {
                record(
                    format!("client {z}"),
                    &[("name", format!("Client {z}")), ("email", format!("{z}@gap.example")), ("zone", z.clone())],
                )
            })
            .collect();
        iam::import_clients(tx, &ctx, &clients, &mut ())?;
        let workers = v["workers"].as_array().cloned().unwrap_or_default();
        let staff: Vec<RawRecord> = workers
            .iter()
            .enumerate()
            .map(|(i, w)| {
                record(
                    format!("worker {i}"),
                    &[
                        ("name", format!("Worker {i}")),
                        ("email", format!("w{i}@gap.example")),
                        ("zone", text(&w["zone"])),
                        ("skills", text(&w["skills"])),
                        ("capacity", w["capacity"].to_string()),
                        ("rating", w["rating"].to_string()),
                    ],
                )
            })
            .collect();
        crew_core::hiring::import_workforce(tx, &ctx, &staff, &mut ())?;
        dispatch(tx, &subscribers)?;
        let worker_id = |tx: &mut dyn wiring::Tx, i: usize| -> crew_core::Result<crew_core::ids::AccountId> {
            Ok(iam::find_worker(tx, &Login::parse(&format!("w{i}@gap.example"))?)?.id)
        };
        for (i, w) in workers.iter().enumerate() {
            if let Some(h) = w["hours"].as_str() {
                let id = worker_id(tx, i)?;
                matching::set_hours(tx, &ctx, id, Some(crew_core::settings::hours::WeeklyHours::parse(h)?))?;
            }
            for off in w["time_off"].as_array().into_iter().flatten() {
                let id = worker_id(tx, i)?;
                matching::add_time_off(tx, &ctx, id, time(&off[0])?, time(&off[1])?, Text::default())?;
            }
        }
        let pricing = Pricing { base_price: Money::from_cents(10_000), loyalty: crew_core::ordering::Loyalty::NONE };
        for o in v["orders"].as_array().into_iter().flatten() {
            let email = format!("{}@gap.example", text(&o["zone"]));
            let client =
                tx.account_by_email(&crew_core::types::Email::parse(&email)?)?.expect("one client per zone imported");
            let ctx = Ctx { actor: Actor { id: client.id, login: client.login, role: Role::Client }, now };
            let req = OrderRequest {
                service_type: ServiceCode::parse(&text(&o["service"]))?,
                zone: Some(Zone::parse(&text(&o["zone"]))?),
                scheduled_at: time(&o["at"])?,
                description: Text::default(),
            };
            ordering::create_order(tx, &ctx, &pricing, req)?;
        }
        Ok(())
    })?;
    std::fs::write(token_file, token).map_err(io)?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("generate") if args.len() == 7 => generate(
            Path::new(&args[2]),
            args[3].parse().expect("WORKERS"),
            args[4].parse().expect("ORDERS"),
            args[5].parse().expect("SEED"),
            Path::new(&args[6]),
        ),
        Some("graph") if args.len() == 4 => graph(Path::new(&args[2]), Path::new(&args[3]), false),
        Some("graph") if args.len() == 5 && args[4] == "--timeless" => {
            graph(Path::new(&args[2]), Path::new(&args[3]), true)
        }
        Some("load") if args.len() == 5 => load(Path::new(&args[2]), Path::new(&args[3]), Path::new(&args[4])),
        _ => {
            eprintln!(
                "usage: bench_matching generate DB WORKERS ORDERS SEED TOKEN_FILE | graph DB OUT [--timeless] | load INSTANCE.json DB TOKEN_FILE"
            );
            return std::process::ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
