//! Times the matching solver on a generated instance and writes the instance for SciPy.
//!
//! `cargo run --release -p crew-core --example solver_bench -- ORDERS WORKERS SEED [OUT.txt]`
//!
//! The instance: each order has 20–50 distinct candidate workers, costs 0–10,000, capacity 1–3,
//! and a "stay open" cost of 1,000,000 (so the optimum serves the most orders first).
//! OUT.txt, if given: a line `orders workers`, a line of capacities, then one line per order:
//! `open_cost w:c w:c …`.

use std::io::Write;
use std::time::Instant;

use crew_core::matching::solver::{Graph, solve};

/// SplitMix64: a tiny deterministic generator, so the instance is the same on every machine.
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let orders: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let workers: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let seed: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let out = args.get(4);
    let mut rng = Rng(seed);
    let capacity: Vec<u32> = (0..workers).map(|_| 1 + rng.below(3) as u32).collect();
    let mut g = Graph::new(capacity.clone());
    let mut lines = Vec::new();
    for _ in 0..orders {
        let k = 20 + rng.below(31) as usize;
        let mut cands: Vec<(usize, i64)> = Vec::with_capacity(k);
        while cands.len() < k.min(workers) {
            let w = rng.below(workers as u64) as usize;
            if !cands.iter().any(|c| c.0 == w) {
                cands.push((w, rng.below(10_001) as i64));
            }
        }
        if out.is_some() {
            let parts: Vec<String> = cands.iter().map(|(w, c)| format!("{w}:{c}")).collect();
            lines.push(format!("1000000 {}", parts.join(" ")));
        }
        g.add_order(1_000_000, cands);
    }
    if let Some(path) = out {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("output file"));
        writeln!(f, "{orders} {workers}").unwrap();
        let caps: Vec<String> = capacity.iter().map(|c| c.to_string()).collect();
        writeln!(f, "{}", caps.join(" ")).unwrap();
        for l in lines {
            writeln!(f, "{l}").unwrap();
        }
    }
    let mut times = Vec::new();
    let mut plan = None;
    for _ in 0..5 {
        let t = Instant::now();
        plan = Some(solve(&g));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let plan = plan.unwrap();
    let served = plan.worker.iter().filter(|w| w.is_some()).count();
    println!(
        "{{\"orders\": {orders}, \"workers\": {workers}, \"edges\": {}, \"served\": {served}, \"total\": {}, \"median_seconds\": {:.6}}}",
        g.edges(),
        plan.total,
        times[times.len() / 2]
    );
}
