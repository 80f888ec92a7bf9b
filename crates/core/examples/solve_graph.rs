//! Times crew's solver alone on a graph file written by `bench_matching graph` (the format
//! scripts/bench/scipy_matching.py reads): a line `orders nodes`, a line of node capacities, then
//! per order `open_cost node:cost node:cost ...`. Built with crew-core alone, so the solver can be
//! profiled and changed without rebuilding the rest of crew:
//!
//! ```text
//! cargo run --release -p crew-core --example solve_graph -- GRAPH [RUNS] [PLAN_OUT]
//! ```
//!
//! Prints the median time of [`solver::solve`] over RUNS runs (default 5), the total and how many
//! orders were served, as JSON; with PLAN_OUT, writes each order's node (or `-`), one a line, so
//! two builds of the solver can be compared plan for plan.

use std::time::Instant;

use crew_core::matching::solver::{self, Graph};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: solve_graph GRAPH [RUNS]");
        return std::process::ExitCode::from(2);
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let graph = match parse(&text) {
        Ok(graph) => graph,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut times = Vec::new();
    let mut plan = None;
    for _ in 0..runs {
        let t = Instant::now();
        plan = Some(solver::solve(&graph));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let plan = plan.expect("ran at least once");
    let served = plan.worker.iter().flatten().count();
    if let Some(out) = args.get(3) {
        let lines: Vec<String> = plan.worker.iter().map(|w| w.map_or("-".to_string(), |w| w.to_string())).collect();
        if let Err(e) = std::fs::write(out, lines.join("\n") + "\n") {
            eprintln!("error: {out}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    }
    println!(
        "{{\"orders\": {}, \"nodes\": {}, \"edges\": {}, \"served\": {served}, \"total\": {}, \"solve_median_seconds\": {:.6}}}",
        graph.orders(),
        graph.workers(),
        graph.edges(),
        plan.total,
        times[times.len() / 2]
    );
    std::process::ExitCode::SUCCESS
}

fn parse(text: &str) -> Result<Graph, String> {
    let mut lines = text.lines().enumerate();
    let mut next = |what: &str| lines.next().ok_or_else(|| format!("missing {what}"));
    let (_, head) = next("the first line")?;
    let sizes: Vec<usize> =
        head.split_whitespace().map(|v| v.parse().map_err(|e| format!("line 1: {e}"))).collect::<Result<_, _>>()?;
    let [orders, nodes] = sizes[..] else { return Err("line 1: expected `orders nodes`".into()) };
    let (_, caps) = next("the capacities")?;
    let capacity: Vec<u32> =
        caps.split_whitespace().map(|v| v.parse().map_err(|e| format!("line 2: {e}"))).collect::<Result<_, _>>()?;
    if capacity.len() != nodes {
        return Err(format!("line 2: {} capacities for {nodes} nodes", capacity.len()));
    }
    let mut graph = Graph::new(capacity);
    for o in 0..orders {
        let (i, line) = next("an order")?;
        let line_no = i + 1;
        let mut parts = line.split_whitespace();
        let open: i64 = parts
            .next()
            .ok_or(format!("line {line_no}: empty"))?
            .parse()
            .map_err(|e| format!("line {line_no}: {e}"))?;
        let mut candidates = Vec::new();
        for item in parts {
            let (node, cost) = item.split_once(':').ok_or(format!("line {line_no}: `{item}` is not node:cost"))?;
            let node: usize = node.parse().map_err(|e| format!("line {line_no}: {e}"))?;
            let cost: i64 = cost.parse().map_err(|e| format!("line {line_no}: {e}"))?;
            if node >= nodes || cost < 0 {
                return Err(format!("line {line_no}: `{item}` is out of range"));
            }
            candidates.push((node, cost));
        }
        if open < 0 {
            return Err(format!("line {line_no}: a negative open cost"));
        }
        let _ = o;
        graph.add_order(open, candidates);
    }
    Ok(graph)
}
