//! The optimal assignment of orders to workers: a min-cost flow over the sparse candidate graph,
//! solved by successive shortest paths (Dijkstra with potentials).
//!
//! Every order either takes one of its candidate workers (at that pair's cost) or stays open (at
//! the order's `open_cost`); a worker takes at most its capacity. The solver returns the plan of
//! least total cost. Callers make `open_cost` large enough that serving an order always beats
//! leaving it open, so the plan serves the most orders first (see `matching::run`).
//!
//! How: orders enter one at a time; each entry is one Dijkstra from the new order over the
//! residual graph (forward edges order → worker, backward edges worker → the orders it holds, an
//! order's "stay open" edge and a worker's spare capacity to the sink), stopping as soon as the sink
//! is settled. Potentials keep reduced costs non-negative; only the nodes a search settled are
//! updated and reset, so a search costs what it touches, not the size of the graph. Capacities are
//! load counts, not copies of workers. Ties are broken by node number, so the result is
//! deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A candidate graph: for each order, its candidate workers and the cost of each pair.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Capacity of each worker (index = worker).
    pub capacity: Vec<u32>,
    /// Cost of leaving each order open (index = order).
    pub open_cost: Vec<i64>,
    /// `edges[start[o]..start[o + 1]]` are order `o`'s candidates.
    start: Vec<usize>,
    edge_worker: Vec<u32>,
    edge_cost: Vec<i64>,
}

impl Graph {
    pub fn new(capacity: Vec<u32>) -> Self {
        Graph { capacity, open_cost: Vec::new(), start: vec![0], edge_worker: Vec::new(), edge_cost: Vec::new() }
    }

    /// Adds the next order with its candidates `(worker, cost)`. Costs must be non-negative.
    pub fn add_order(&mut self, open_cost: i64, candidates: impl IntoIterator<Item = (usize, i64)>) -> usize {
        for (worker, cost) in candidates {
            assert!(worker < self.capacity.len(), "candidate worker {worker} out of range");
            assert!(cost >= 0, "costs must be non-negative");
            self.edge_worker.push(worker as u32);
            self.edge_cost.push(cost);
        }
        assert!(open_cost >= 0, "costs must be non-negative");
        self.open_cost.push(open_cost);
        self.start.push(self.edge_worker.len());
        self.open_cost.len() - 1
    }

    pub fn orders(&self) -> usize {
        self.open_cost.len()
    }

    pub fn workers(&self) -> usize {
        self.capacity.len()
    }

    pub fn edges(&self) -> usize {
        self.edge_worker.len()
    }

    /// Order `o`'s candidates as `(worker, cost)`.
    pub fn candidates(&self, o: usize) -> impl Iterator<Item = (usize, i64)> + '_ {
        (self.start[o]..self.start[o + 1]).map(|e| (self.edge_worker[e] as usize, self.edge_cost[e]))
    }
}

/// The solver's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// For each order, its worker, or `None` if it stays open.
    pub worker: Vec<Option<usize>>,
    /// The total cost: the chosen pairs plus the open costs of orders left open.
    pub total: i64,
}

const UNSEEN: i64 = i64::MAX;
/// `chosen[o]` for an order that stays open.
const OPEN: usize = usize::MAX;
/// `chosen[o]` for an order that has not entered yet.
const UNROUTED: usize = usize::MAX - 1;

fn holds_a_worker(chosen: usize) -> bool {
    chosen < UNROUTED
}

/// Node numbering: orders `0..n`, workers `n..n + m`, the sink `n + m`.
struct Search {
    dist: Vec<i64>,
    /// How a node was reached: for a worker, the edge index from its order; for an order, the
    /// worker it was taken from; for the sink, the node it was reached from.
    prev: Vec<usize>,
    settled: Vec<bool>,
    touched: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
}

/// Whether the open costs rank the orders so strongly that no shortest path ever leaves an earlier
/// order open for a later one: each order's open cost exceeds the next one's by more than any path's
/// cost can differ (`n · max pair cost`), and the last one's exceeds that bound too. Then a path
/// to any free place beats leaving the new order open, and a search that finds no free place has
/// explored a closed region that can never lead to one again ("dead"), which later searches skip.
/// `matching::open_costs` builds exactly such costs.
fn ranked(graph: &Graph) -> bool {
    let n = graph.orders() as i128;
    let max_cost = graph.edge_cost.iter().copied().max().unwrap_or(0) as i128;
    let bound = n * max_cost;
    let open = &graph.open_cost;
    open.windows(2).all(|w| (w[0] as i128) - (w[1] as i128) > bound) && open.last().is_none_or(|&l| l as i128 > bound)
}

/// Finds the plan of least total cost. Orders enter in index order (callers put the earliest
/// first); any entry order gives an optimal plan, a fixed one makes ties deterministic.
pub fn solve(graph: &Graph) -> Plan {
    solve_with(graph, ranked(graph))
}

fn solve_with(graph: &Graph, ranked: bool) -> Plan {
    let n = graph.orders();
    let m = graph.workers();
    let sink = n + m;
    let nodes = n + m + 1;
    // Which edge each order uses (or OPEN / UNROUTED), and which orders each worker holds.
    let mut chosen: Vec<usize> = vec![UNROUTED; n];
    let mut holds: Vec<Vec<u32>> = vec![Vec::new(); m];
    let mut potential: Vec<i64> = vec![0; nodes];
    // With ranked open costs: nodes proven unable to reach any free place (see `ranked`).
    let mut dead: Vec<bool> = vec![false; nodes];
    let mut s = Search {
        dist: vec![UNSEEN; nodes],
        prev: vec![usize::MAX; nodes],
        settled: vec![false; nodes],
        touched: Vec::new(),
        heap: BinaryHeap::new(),
    };

    for source in 0..n {
        s.relax(source, 0, usize::MAX);
        let mut end = None;
        while let Some(Reverse((d, u))) = s.heap.pop() {
            if s.settled[u] || d > s.dist[u] {
                continue;
            }
            s.settled[u] = true;
            if u == sink {
                end = Some(d);
                break;
            }
            if u < n {
                // An order: its forward edges to workers, and its "stay open" edge to the sink.
                let o = u;
                let pu = potential[o];
                for e in graph.start[o]..graph.start[o + 1] {
                    if e == chosen[o] {
                        continue;
                    }
                    let w = n + graph.edge_worker[e] as usize;
                    if dead[w] {
                        continue;
                    }
                    let reduced = graph.edge_cost[e] + pu - potential[w];
                    s.relax(w, d + reduced, e);
                }
                // Ranked: leaving another (earlier) order open never pays, and leaving this one
                // open is the fallback when no free place is reachable.
                if chosen[o] != OPEN && !ranked {
                    let reduced = graph.open_cost[o] + pu - potential[sink];
                    s.relax(sink, d + reduced, o);
                }
            } else {
                // A worker: spare capacity leads to the sink; each order it holds can be taken back.
                let w = u - n;
                let pu = potential[u];
                if (holds[w].len() as u32) < graph.capacity[w] {
                    // A free worker's potential is the sink's (free workers are only ever settled
                    // at the search's end), so the sink is at this same distance: done.
                    let to_sink = d + pu - potential[sink];
                    if to_sink == d {
                        s.prev[sink] = u;
                        end = Some(d);
                        break;
                    }
                    s.relax(sink, to_sink, u);
                }
                for &o in &holds[w] {
                    let o = o as usize;
                    if dead[o] {
                        continue;
                    }
                    let reduced = -graph.edge_cost[chosen[o]] + pu - potential[o];
                    s.relax(o, d + reduced, u);
                }
            }
        }
        let Some(end) = end else {
            // Ranked, and no free place is reachable: the order stays open, and everything this
            // search reached is a closed region without free places; later searches skip it.
            debug_assert!(ranked);
            for &v in &s.touched {
                dead[v] = true;
            }
            chosen[source] = OPEN;
            s.reset();
            continue;
        };
        // Settled nodes move by (their distance − the sink's); the rest keep theirs (a shift by
        // a constant of every potential changes no reduced cost).
        for &v in &s.touched {
            if s.settled[v] {
                potential[v] += s.dist[v] - end;
            }
        }
        augment(graph, &s, source, &mut chosen, &mut holds);
        s.reset();
    }

    let mut total = 0;
    let worker = (0..n)
        .map(|o| {
            if !holds_a_worker(chosen[o]) {
                total += graph.open_cost[o];
                None
            } else {
                total += graph.edge_cost[chosen[o]];
                Some(graph.edge_worker[chosen[o]] as usize)
            }
        })
        .collect();
    Plan { worker, total }
}

impl Search {
    fn relax(&mut self, v: usize, d: i64, via: usize) {
        if self.settled[v] {
            return;
        }
        if self.dist[v] == UNSEEN {
            self.touched.push(v);
        }
        if d < self.dist[v] {
            self.dist[v] = d;
            self.prev[v] = via;
            self.heap.push(Reverse((d, v)));
        }
    }

    fn reset(&mut self) {
        for &v in &self.touched {
            self.dist[v] = UNSEEN;
            self.prev[v] = usize::MAX;
            self.settled[v] = false;
        }
        self.touched.clear();
        self.heap.clear();
    }
}

/// Flips the shortest path found from `source` to the sink.
fn augment(graph: &Graph, s: &Search, source: usize, chosen: &mut [usize], holds: &mut [Vec<u32>]) {
    let n = graph.orders();
    let sink = n + graph.workers();
    let from = s.prev[sink];
    // Walk back: `order` is the next order that takes a new place (a worker, or open).
    let (mut order, mut place) = if from < n {
        // The path ends with `from` giving up its worker and staying open.
        (from, OPEN)
    } else {
        // The path ends at a worker with spare capacity; the order that reached it takes it.
        let e = s.prev[from];
        (order_of_edge(graph, e), e)
    };
    loop {
        let old = chosen[order];
        if holds_a_worker(old) {
            let w = graph.edge_worker[old] as usize;
            holds[w].retain(|&o| o as usize != order);
        }
        chosen[order] = place;
        if holds_a_worker(place) {
            holds[graph.edge_worker[place] as usize].push(order as u32);
        }
        if order == source {
            return;
        }
        // `order` was reached from the worker that held it; that worker went to the order before.
        let w = s.prev[order];
        let e = s.prev[w];
        order = order_of_edge(graph, e);
        place = e;
    }
}

/// The order an edge index belongs to (binary search in the CSR offsets).
fn order_of_edge(graph: &Graph, e: usize) -> usize {
    graph.start.partition_point(|&st| st <= e) - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The least total over every possible plan, by trying them all.
    fn brute_force(graph: &Graph) -> i64 {
        fn go(graph: &Graph, o: usize, load: &mut Vec<u32>, acc: i64, best: &mut i64) {
            if o == graph.orders() {
                *best = (*best).min(acc);
                return;
            }
            go(graph, o + 1, load, acc + graph.open_cost[o], best);
            for (w, c) in graph.candidates(o).collect::<Vec<_>>() {
                if load[w] < graph.capacity[w] {
                    load[w] += 1;
                    go(graph, o + 1, load, acc + c, best);
                    load[w] -= 1;
                }
            }
        }
        let mut best = i64::MAX;
        go(graph, 0, &mut vec![0; graph.workers()], 0, &mut best);
        best
    }

    /// Checks a plan is feasible and that its total is what it says.
    fn check_plan(graph: &Graph, plan: &Plan) {
        let mut load = vec![0u32; graph.workers()];
        let mut total = 0;
        for (o, w) in plan.worker.iter().enumerate() {
            match w {
                None => total += graph.open_cost[o],
                Some(w) => {
                    let cost = graph.candidates(o).find(|&(cw, _)| cw == *w).expect("a worker the order may take").1;
                    total += cost;
                    load[*w] += 1;
                }
            }
        }
        for (w, &l) in load.iter().enumerate() {
            assert!(l <= graph.capacity[w], "worker {w} over capacity");
        }
        assert_eq!(total, plan.total);
    }

    fn graph(capacity: &[u32], orders: &[(i64, &[(usize, i64)])]) -> Graph {
        let mut g = Graph::new(capacity.to_vec());
        for (open, cands) in orders {
            g.add_order(*open, cands.iter().copied());
        }
        g
    }

    #[test]
    fn a_greedy_choice_is_undone_when_another_order_needs_the_worker() {
        // Order 0 prefers worker 0, but order 1 can only take worker 0: the optimum gives order 0
        // its second choice.
        let g = graph(&[1, 1], &[(100, &[(0, 1), (1, 5)]), (100, &[(0, 2)])]);
        let plan = solve(&g);
        assert_eq!(plan.worker, vec![Some(1), Some(0)]);
        assert_eq!(plan.total, 7);
    }

    #[test]
    fn capacity_lets_one_worker_take_several_orders() {
        let g = graph(&[2], &[(100, &[(0, 3)]), (100, &[(0, 4)]), (100, &[(0, 1)])]);
        let plan = solve(&g);
        check_plan(&g, &plan);
        assert_eq!(plan.total, 100 + 3 + 1);
        assert_eq!(plan.worker[1], None, "the dearest order stays open");
    }

    #[test]
    fn an_order_without_candidates_stays_open() {
        let g = graph(&[1], &[(50, &[]), (50, &[(0, 0)])]);
        assert_eq!(solve(&g), Plan { worker: vec![None, Some(0)], total: 50 });
    }

    #[test]
    fn an_empty_graph_has_an_empty_plan() {
        assert_eq!(solve(&Graph::new(vec![])), Plan { worker: vec![], total: 0 });
    }

    #[test]
    fn long_chains_of_displacement_are_found() {
        // Orders 0..k each prefer worker i, and can take worker i+1; a last order needs worker 0.
        let k = 30;
        let mut g = Graph::new(vec![1; k + 1]);
        for i in 0..k {
            g.add_order(10_000, [(i, 1), (i + 1, 2)]);
        }
        g.add_order(10_000, [(0, 1)]);
        let plan = solve(&g);
        check_plan(&g, &plan);
        assert_eq!(plan.total, 2 * k as i64 + 1);
    }

    fn instance() -> impl Strategy<Value = Graph> {
        (1usize..5, 1usize..7).prop_flat_map(|(workers, orders)| {
            let caps = proptest::collection::vec(1u32..3, workers);
            let order = (0i64..60, proptest::collection::vec((0..workers, 0i64..40), 0..=workers));
            (caps, proptest::collection::vec(order, orders)).prop_map(|(caps, orders)| {
                let mut g = Graph::new(caps);
                for (open, mut cands) in orders {
                    cands.sort_by_key(|c| c.0);
                    cands.dedup_by_key(|c| c.0);
                    g.add_order(open, cands);
                }
                g
            })
        })
    }

    /// An instance whose open costs are ranked (as `matching::open_costs` makes them).
    fn ranked_instance() -> impl Strategy<Value = Graph> {
        instance().prop_map(|g| {
            let n = g.orders() as i64;
            let bound = n * 40 + 1;
            let mut r = Graph::new(g.capacity.clone());
            for o in 0..g.orders() {
                r.add_order(bound * (n - o as i64 + 1), g.candidates(o).collect::<Vec<_>>());
            }
            r
        })
    }

    #[test]
    fn ranked_costs_are_recognised() {
        let g = graph(&[1], &[(1000, &[(0, 5)]), (500, &[(0, 5)])]);
        assert!(ranked(&g));
        let g = graph(&[1], &[(1000, &[(0, 5)]), (995, &[(0, 5)])]);
        assert!(!ranked(&g));
    }

    #[test]
    fn add_order_returns_the_new_orders_index_and_edges_counts_the_candidate_pairs() {
        let mut g = Graph::new(vec![1, 1]);
        assert_eq!(g.add_order(10, [(0, 1), (1, 2)]), 0);
        assert_eq!(g.add_order(10, std::iter::empty()), 1);
        assert_eq!(g.add_order(10, [(1, 3)]), 2);
        assert_eq!((g.orders(), g.workers(), g.edges()), (3, 2, 3));
    }

    #[test]
    fn an_order_whose_only_path_costs_more_than_its_open_cost_stays_open() {
        // Order 2 can be served only by moving order 1 to worker 1 and order 0 to worker 2: three
        // pairs of cost 10, 30 in all, more than order 2's open cost of 22. The gaps between the open
        // costs (14) are below n · max pair cost (3 · 10), so the costs are not ranked and the
        // search must weigh leaving an order open.
        let g = graph(&[1, 1, 1], &[(50, &[(1, 0), (2, 10)]), (36, &[(0, 0), (1, 10)]), (22, &[(0, 10)])]);
        assert!(!ranked(&g));
        assert_eq!(solve(&g), Plan { worker: vec![Some(1), Some(0), None], total: 22 });
    }

    #[test]
    fn on_a_tie_an_order_is_served_rather_than_left_open() {
        // Serving costs 5, leaving open costs 5: the free worker (a lower node than the sink) wins.
        let g = graph(&[1], &[(5, &[(0, 5)])]);
        assert_eq!(solve(&g), Plan { worker: vec![Some(0)], total: 5 });
    }

    #[test]
    fn on_a_tie_the_earlier_order_keeps_its_worker() {
        // Two orders, one place, equal costs: the later order stays open, the earlier one is not
        // displaced for nothing.
        let g = graph(&[1], &[(10, &[(0, 0)]), (10, &[(0, 0)])]);
        assert_eq!(solve(&g), Plan { worker: vec![Some(0), None], total: 10 });
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// With ranked open costs the pruned search (dead regions, no displacement to open) is
        /// still optimal, and agrees with the general search.
        #[test]
        fn the_ranked_plan_is_optimal(g in ranked_instance()) {
            prop_assert!(ranked(&g));
            let plan = solve(&g);
            check_plan(&g, &plan);
            prop_assert_eq!(plan.total, brute_force(&g));
            prop_assert_eq!(plan.total, solve_with(&g, false).total);
        }

        /// On random small instances the solver's total equals the brute-force optimum, and its
        /// plan never exceeds a capacity.
        #[test]
        fn the_plan_is_optimal_and_feasible(g in instance()) {
            let plan = solve(&g);
            check_plan(&g, &plan);
            prop_assert_eq!(plan.total, brute_force(&g));
        }

        /// Solving twice gives the same plan: ties are broken deterministically.
        #[test]
        fn the_plan_is_deterministic(g in instance()) {
            prop_assert_eq!(solve(&g), solve(&g));
        }
    }
}
