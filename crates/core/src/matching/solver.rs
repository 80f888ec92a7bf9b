//! The optimal assignment of orders to workers: a min-cost flow over the sparse candidate graph,
//! solved by successive shortest paths (Dijkstra with potentials).
//!
//! Every order either takes one of its candidate workers (at that pair's cost) or stays open (at
//! the order's `open_cost`); a worker takes at most its capacity. The solver returns the plan of
//! least total cost. Callers make `open_cost` large enough that serving an order always beats
//! leaving it open, so the plan serves the most orders first (see `matching::run`).
//!
//! How (successive shortest paths with node potentials: Ahuja, Magnanti & Orlin, *Network Flows*,
//! 1993, §9.7; the sparse assignment form is Jonker & Volgenant's shortest augmenting path,
//! *Computing* 38, 1987): orders enter one at a time; each entry is one Dijkstra from the new order
//! over the residual graph (forward edges order → worker, backward edges worker → the orders it
//! holds, an order's "stay open" edge and a worker's spare capacity to the sink), stopping as soon
//! as the sink is settled. Potentials keep reduced costs non-negative; only the nodes a search
//! settled are updated and reset, so a search costs what it touches, not the size of the graph.
//! Capacities are load counts, not copies of workers.
//!
//! Ties (which of several equally cheap plans is returned): deterministic, fixed by the graph as
//! given (its orders' entry order and each order's candidates in their given order), not by
//! chance. Each search ends at the first free worker it reaches at the least distance: as soon as
//! nothing still queued is nearer than a free worker already reached, the search stops there (it
//! does not go on settling the other nodes at that same distance, which cost a third of the work
//! on the tight benchmark graph and could only pick another path of equal cost). An order is
//! served rather than left open when both cost the same; nodes at an equal distance are settled in
//! an order fixed by the order they were queued in (the radix heap's), not by their numbers. So
//! with ranked open costs (see [`ranked`]) the orders served are always the same (the earliest
//! ones that can be, a unique set) and the total is always the least; which worker each served
//! order gets may differ from another optimal solver's choice only between plans of equal total.
//!
//! What keeps each search cheap: where places are scarce (fewer than two per order, so searches
//! are long) the nodes are numbered internally by connected component (each component's orders
//! together and its workers together, in their given order within it, which changes no search),
//! so a search — which never leaves its component — reads a few hundred contiguous entries
//! instead of entries spread over the whole graph; a node needs no "settled" flag (reduced costs
//! are non-negative, so a settled node's distance can never be improved again, and the `<` test
//! alone keeps it settled); nodes proven unable to reach a free place carry the distance `DEAD`,
//! which no relaxation improves; once a free worker has been reached, nothing at its distance or
//! farther is queued, and the search ends when nothing queued is nearer (above); and the queue is
//! a radix heap (pushes cost O(1); Dijkstra's keys only grow). Measured in BENCHMARKS.md ("The
//! timeless tight graph beside SciPy"), with the alternatives tried and why they were not kept.

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
/// The distance of a node proven unable to reach a free place (ranked open costs only): no
/// relaxation improves it, so searches pass it by.
const DEAD: i64 = i64::MIN;
/// `chosen[o]` for an order that stays open.
const OPEN: usize = usize::MAX;
/// `chosen[o]` for an order that has not entered yet.
const UNROUTED: usize = usize::MAX - 1;

fn holds_a_worker(chosen: usize) -> bool {
    chosen < UNROUTED
}

/// Node numbering: orders `0..n`, workers `n..n + m`, the sink `n + m` (of the graph as
/// [`by_component`] numbers it).
struct Search {
    /// The distance from the search's source (reduced costs): `UNSEEN` if not reached, `DEAD` if
    /// proven unable to reach a free place. A node is settled once popped at its distance.
    dist: Vec<i64>,
    /// How a node was reached: for a worker, the edge index from its order; for an order, the
    /// worker it was taken from; for the sink, the node it was reached from.
    prev: Vec<usize>,
    /// The nodes this search reached (or, for a dead search, marked): what `reset` puts back.
    touched: Vec<usize>,
    /// The distance of the nearest free worker reached so far (`UNSEEN` if none), at which the
    /// sink is reachable too: the search ends as soon as nothing queued is nearer, so nothing at
    /// this distance or farther is queued (reached again nearer, a node is queued then). Free
    /// workers themselves are never queued.
    bound: i64,
    /// The free worker (node) that gave `bound`: the first one reached at that distance.
    bound_from: usize,
    heap: RadixHeap,
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

fn solve_with(given: &Graph, ranked: bool) -> Plan {
    solve_numbered(given, ranked, scarce(given))
}

/// Whether places are scarce (fewer than two per order): then the late searches cover most of
/// their component, and numbering by component pays for itself (about 3 ms on the 333,000 pairs of
/// the timeless tight graph, 10% of its solve); with room to spare the searches are short, and the
/// numbering would cost more than it saves (15 ms on the main week graph's 207,000 worker-days,
/// more than its whole solve).
fn scarce(graph: &Graph) -> bool {
    let places: u64 = graph.capacity.iter().map(|&c| u64::from(c)).sum();
    places < 2 * graph.orders() as u64
}

/// [`solve_with`], numbering the nodes by component (see [`by_component`]) or as given: the same
/// plan either way.
fn solve_numbered(given: &Graph, ranked: bool, group: bool) -> Plan {
    let grouped;
    let (graph, new_order, given_worker) = if group {
        let Components { graph, new_order, given_worker } = by_component(given);
        grouped = graph;
        (&grouped, new_order, given_worker)
    } else {
        (given, (0..given.orders() as u32).collect(), (0..given.workers() as u32).collect())
    };
    let n = graph.orders();
    let m = graph.workers();
    let sink = n + m;
    let nodes = n + m + 1;
    // Which edge each order uses (or OPEN / UNROUTED), and which orders each worker holds.
    let mut chosen: Vec<usize> = vec![UNROUTED; n];
    let mut holds: Vec<Vec<u32>> = vec![Vec::new(); m];
    let mut potential: Vec<i64> = vec![0; nodes];
    let mut s = Search {
        dist: vec![UNSEEN; nodes],
        prev: vec![usize::MAX; nodes],
        touched: Vec::new(),
        bound: UNSEEN,
        bound_from: usize::MAX,
        heap: RadixHeap::new(),
    };

    // The given entry order (components do not meet, so each one sees its orders in that order).
    for &source in &new_order {
        let source = source as usize;
        s.relax(source, 0, usize::MAX);
        let end = loop {
            let Some((d, u)) = s.heap.pop().filter(|&(d, _)| d < s.bound) else {
                // Nothing queued is nearer than the free worker reached (if any): the path ends
                // there, at the first free worker reached at the least distance (the module's
                // doc, on ties).
                if s.bound == UNSEEN {
                    break None;
                }
                s.prev[sink] = s.bound_from;
                break Some(s.bound);
            };
            // A stale entry: the node was reached again, nearer, and settled from there.
            if d > s.dist[u] {
                continue;
            }
            if u == sink {
                break Some(d);
            }
            if u < n {
                // An order: its forward edges to workers, and its "stay open" edge to the sink.
                // The edge to the worker it holds is not in the residual graph, but relaxing it
                // changes nothing: the order was reached from that worker, at the worker's own
                // (settled) distance plus the backward edge's reduced cost, so the way back is
                // never shorter. Dead workers' `DEAD` distance is never improved.
                let o = u;
                let base = d + potential[o];
                let (first, last) = (graph.start[o], graph.start[o + 1]);
                let Search { dist, prev, touched, bound, bound_from, heap } = &mut s;
                let (dist, prev, worker_potential) = (&mut dist[n..sink], &mut prev[n..sink], &potential[n..sink]);
                for (i, (&w, &cost)) in
                    graph.edge_worker[first..last].iter().zip(&graph.edge_cost[first..last]).enumerate()
                {
                    let w = w as usize;
                    let to = base + cost - worker_potential[w];
                    let old = dist[w];
                    if to < old {
                        if old == UNSEEN {
                            touched.push(n + w);
                        }
                        dist[w] = to;
                        prev[w] = first + i;
                        if to < *bound {
                            if (holds[w].len() as u32) < graph.capacity[w] {
                                // A free worker: the sink is at the same distance (a free
                                // worker's potential is the sink's, as neither ever moves), so
                                // nothing at this distance or farther needs queueing.
                                *bound = to;
                                *bound_from = n + w;
                            } else {
                                heap.push(to, n + w);
                            }
                        }
                    }
                }
                let pu = potential[o];
                // Ranked: leaving another (earlier) order open never pays, and leaving this one
                // open is the fallback when no free place is reachable.
                if chosen[o] != OPEN && !ranked {
                    let reduced = graph.open_cost[o] + pu - potential[sink];
                    s.relax(sink, d + reduced, o);
                }
            } else {
                // A full worker (free ones are never queued): each order it holds can be taken
                // back.
                let w = u - n;
                debug_assert!(holds[w].len() as u32 >= graph.capacity[w]);
                let pu = potential[u];
                for &o in &holds[w] {
                    let o = o as usize;
                    let reduced = -graph.edge_cost[chosen[o]] + pu - potential[o];
                    s.relax(o, d + reduced, u);
                }
            }
        };
        let Some(end) = end else {
            // Ranked, and no free place is reachable: the order stays open, and everything this
            // search reached is a closed region without free places; later searches skip it.
            debug_assert!(ranked);
            s.reset_to(DEAD);
            chosen[source] = OPEN;
            continue;
        };
        // Settled nodes move by (their distance − the sink's); the rest keep theirs (a shift by
        // a constant of every potential changes no reduced cost). The settled nodes are exactly
        // those nearer than the end (each was queued, and the search ended only when nothing
        // queued was nearer), and the sink and free workers never move.
        for &v in &s.touched {
            let dv = s.dist[v];
            if dv < end {
                potential[v] += dv - end;
            }
        }
        augment(graph, &s, source, &mut chosen, &mut holds);
        s.reset();
    }

    let mut total = 0;
    let worker = new_order
        .iter()
        .map(|&o| {
            let o = o as usize;
            if !holds_a_worker(chosen[o]) {
                total += graph.open_cost[o];
                None
            } else {
                total += graph.edge_cost[chosen[o]];
                Some(given_worker[graph.edge_worker[chosen[o]] as usize] as usize)
            }
        })
        .collect();
    Plan { worker, total }
}

impl Search {
    /// Reaches `v` at distance `d` if that is nearer than before. A settled node is never nearer
    /// again (reduced costs are non-negative and nodes settle in order of distance), and a dead
    /// one never (`DEAD` is the least distance).
    fn relax(&mut self, v: usize, d: i64, via: usize) {
        let old = self.dist[v];
        if d < old {
            if old == UNSEEN {
                self.touched.push(v);
            }
            self.dist[v] = d;
            self.prev[v] = via;
            if d < self.bound {
                self.heap.push(d, v);
            }
        }
    }

    fn reset(&mut self) {
        self.reset_to(UNSEEN);
    }

    /// Forgets the search, leaving every node it reached at distance `dist` (`UNSEEN`, or `DEAD`).
    fn reset_to(&mut self, dist: i64) {
        for &v in &self.touched {
            self.dist[v] = dist;
            self.prev[v] = usize::MAX;
        }
        self.touched.clear();
        self.heap.clear();
        self.bound = UNSEEN;
        self.bound_from = usize::MAX;
    }
}

/// A radix heap (Ahuja, Mehlhorn, Orlin & Tarjan, "Faster algorithms for the shortest path
/// problem", *J. ACM* 37, 1990) for Dijkstra's monotone keys: a key pushed is never less than the
/// last key popped, and keys are non-negative `i64` distances. An entry lives in bucket `b`, the
/// position of the highest bit in which its key differs from the last key popped (bucket 0: equal
/// to it); a pop takes from bucket 0, or first moves the least non-empty bucket's entries down by
/// the new least key. Each entry moves at most 63 times, usually a few; push is O(1).
///
/// Among equal keys the pop order is fixed by the order of the pushes (the last pushed first
/// within a bucket), so a search is deterministic and does not depend on node numbers.
struct RadixHeap {
    /// The last key popped (0 after `clear`).
    last: u64,
    /// Bit `b` is set when bucket `b` may hold entries (exactly when, for `b > 0`).
    nonempty: u64,
    buckets: [Vec<(u64, u32)>; 64],
}

impl RadixHeap {
    fn new() -> Self {
        RadixHeap { last: 0, nonempty: 0, buckets: std::array::from_fn(|_| Vec::new()) }
    }

    /// The bucket of `key`: 0 if it is the last key popped, else 1 + the position of the highest
    /// bit in which they differ (at most 63: neither has bit 63 set).
    fn bucket(&self, key: u64) -> usize {
        (u64::BITS - (key ^ self.last).leading_zeros()) as usize
    }

    /// Queues `node` at `key` (non-negative, and not less than the last key popped).
    fn push(&mut self, key: i64, node: usize) {
        debug_assert!(key >= 0 && key as u64 >= self.last, "radix heap keys must be monotone");
        let key = key as u64;
        let b = self.bucket(key);
        self.buckets[b].push((key, node as u32));
        self.nonempty |= 1 << b;
    }

    /// Takes an entry of the least key, or `None` if the heap is empty.
    fn pop(&mut self) -> Option<(i64, usize)> {
        if self.buckets[0].is_empty() {
            let rest = self.nonempty & !1;
            if rest == 0 {
                return None;
            }
            let b = rest.trailing_zeros() as usize;
            let mut moving = std::mem::take(&mut self.buckets[b]);
            self.nonempty &= !(1 << b);
            self.last = moving.iter().map(|&(key, _)| key).min().expect("a flagged bucket holds entries");
            for &(key, node) in &moving {
                let to = self.bucket(key);
                self.buckets[to].push((key, node));
                self.nonempty |= 1 << to;
            }
            moving.clear();
            self.buckets[b] = moving;
        }
        let (key, node) = self.buckets[0].pop()?;
        Some((key as i64, node as usize))
    }

    /// Empties the heap (keeping its buckets' memory).
    fn clear(&mut self) {
        let mut flagged = self.nonempty;
        while flagged != 0 {
            self.buckets[flagged.trailing_zeros() as usize].clear();
            flagged &= flagged - 1;
        }
        self.nonempty = 0;
        self.last = 0;
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

/// The graph numbered by connected component, and the way back to the given numbering.
struct Components {
    /// The same orders, workers and edges: each component's orders together (in their given
    /// order), its workers together (likewise), components in the order of their first node.
    graph: Graph,
    /// For each given order (in the given order), its number in `graph`.
    new_order: Vec<u32>,
    /// For each worker of `graph`, its given number.
    given_worker: Vec<u32>,
}

/// Numbers the graph by connected component (union–find over the candidate pairs), so that a
/// search, which never leaves its component, works on contiguous entries. Within a component the
/// orders keep their relative order and so do the workers, and orders still come before workers:
/// every comparison of node numbers a search makes (its ties) comes out as in the given numbering,
/// and so does the plan.
fn by_component(given: &Graph) -> Components {
    let n = given.orders();
    let m = given.workers();
    // Union–find over nodes (orders 0..n, workers n..n + m); each root is its set's least node.
    let mut parent: Vec<u32> = (0..(n + m) as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for o in 0..n {
        for &w in &given.edge_worker[given.start[o]..given.start[o + 1]] {
            let a = root(&mut parent, o as u32);
            let b = root(&mut parent, (n + w as usize) as u32);
            if a != b {
                let (low, high) = if a < b { (a, b) } else { (b, a) };
                parent[high as usize] = low;
            }
        }
    }
    let component: Vec<u32> = (0..(n + m) as u32).map(|x| root(&mut parent, x)).collect();
    let mut orders: Vec<u32> = (0..n as u32).collect();
    orders.sort_by_key(|&o| (component[o as usize], o));
    let mut given_worker: Vec<u32> = (0..m as u32).collect();
    given_worker.sort_by_key(|&w| (component[n + w as usize], w));
    let mut new_worker = vec![0u32; m];
    for (new, &w) in given_worker.iter().enumerate() {
        new_worker[w as usize] = new as u32;
    }
    let mut graph = Graph::new(given_worker.iter().map(|&w| given.capacity[w as usize]).collect());
    graph.edge_worker.reserve(given.edges());
    graph.edge_cost.reserve(given.edges());
    let mut new_order = vec![0u32; n];
    for (new, &o) in orders.iter().enumerate() {
        new_order[o as usize] = new as u32;
        let o = o as usize;
        graph.open_cost.push(given.open_cost[o]);
        for e in given.start[o]..given.start[o + 1] {
            graph.edge_worker.push(new_worker[given.edge_worker[e] as usize]);
            graph.edge_cost.push(given.edge_cost[e]);
        }
        graph.start.push(graph.edge_worker.len());
    }
    Components { graph, new_order, given_worker }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The solver as it was before the search was tuned (2026-11-30: no component numbering, a
    /// "settled" flag and a "dead" flag per node, a binary heap, every node at the end's distance
    /// settled), kept as the oracle: the tuned solver must reach its total and, ranked, serve the
    /// same orders.
    mod reference {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;

        use super::super::{Graph, Plan};

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

        pub(super) fn solve_with(graph: &Graph, ranked: bool) -> Plan {
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
    }

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
    fn on_a_tie_an_order_takes_the_first_free_candidate_its_search_reaches() {
        // Two free workers at the same cost: the first listed is reached first and ends the
        // search (the module's doc, on ties); listed the other way round, the other one.
        let g = graph(&[1, 1], &[(100, &[(1, 5), (0, 5)])]);
        assert_eq!(solve(&g).worker, vec![Some(1)]);
        let g = graph(&[1, 1], &[(100, &[(0, 5), (1, 5)])]);
        assert_eq!(solve(&g).worker, vec![Some(0)]);
        // Ranked too, and behind a displacement: order 1's cheapest way is to take worker 0 from
        // order 0, which then has two free workers at an equal cost, 1 listed first.
        let g = with_ranked_costs(graph(&[1, 1, 1], &[(0, &[(0, 1), (2, 3), (1, 3)]), (0, &[(0, 1)])]));
        assert_eq!(solve(&g).worker, vec![Some(2), Some(0)]);
    }

    #[test]
    fn on_a_tie_an_order_is_served_even_when_leaving_it_open_was_reached_first() {
        // Order 1's "stay open" edge (5) is queued before the search finds, behind order 0, the
        // free worker 1 at the same distance (order 0 moves there for 5): serving still wins.
        let g = graph(&[1, 1], &[(100, &[(0, 0), (1, 5)]), (5, &[(0, 0)])]);
        assert!(!ranked(&g));
        assert_eq!(solve(&g), Plan { worker: vec![Some(1), Some(0)], total: 5 });
    }

    #[test]
    fn on_a_tie_the_earlier_order_keeps_its_worker() {
        // Two orders, one place, equal costs: the later order stays open, the earlier one is not
        // displaced for nothing.
        let g = graph(&[1], &[(10, &[(0, 0)]), (10, &[(0, 0)])]);
        assert_eq!(solve(&g), Plan { worker: vec![Some(0), None], total: 10 });
    }

    /// Orders and workers in a few zones (each order's candidates in its own zone), numbered with
    /// the zones interleaved: several components, as `by_component` meets them in a real batch.
    fn zoned_instance() -> impl Strategy<Value = Graph> {
        (1usize..4, 1usize..12, 1usize..20).prop_flat_map(|(zones, workers, orders)| {
            let caps = proptest::collection::vec((0..zones, 1u32..4), workers);
            let order = (0..zones, 0i64..60, proptest::collection::vec((0..workers, 0i64..40), 0..=workers));
            (caps, proptest::collection::vec(order, orders)).prop_map(|(caps, orders)| {
                let mut g = Graph::new(caps.iter().map(|c| c.1).collect());
                for (zone, open, mut cands) in orders {
                    cands.retain(|c| caps[c.0].0 == zone);
                    cands.sort_by_key(|c| c.0);
                    cands.dedup_by_key(|c| c.0);
                    g.add_order(open, cands);
                }
                g
            })
        })
    }

    /// The same instance with ranked open costs.
    fn with_ranked_costs(g: Graph) -> Graph {
        let n = g.orders() as i64;
        let bound = n * 40 + 1;
        let mut r = Graph::new(g.capacity.clone());
        for o in 0..g.orders() {
            r.add_order(bound * (n - o as i64 + 1), g.candidates(o).collect::<Vec<_>>());
        }
        r
    }

    #[test]
    fn a_cleared_radix_heap_is_empty_and_starts_again_from_zero() {
        let mut heap = RadixHeap::new();
        heap.push(5, 0);
        heap.push(700, 1);
        assert_eq!(heap.pop(), Some((5, 0)));
        heap.clear();
        assert_eq!(heap.pop(), None);
        heap.push(1, 2);
        heap.push(0, 3);
        assert_eq!(heap.pop(), Some((0, 3)));
        assert_eq!(heap.pop(), Some((1, 2)));
        assert_eq!(heap.pop(), None);
    }

    #[test]
    fn places_are_scarce_below_two_per_order() {
        assert!(scarce(&graph(&[1, 2], &[(9, &[]), (9, &[])])));
        assert!(!scarce(&graph(&[1, 3], &[(9, &[]), (9, &[])])));
        assert!(!scarce(&Graph::new(vec![])));
    }

    #[test]
    fn by_component_groups_each_component_and_keeps_the_given_order_within_it() {
        // Workers 0 and 2 form one component with orders 0 and 2; worker 1 another with order 1;
        // order 3 has no candidate (a component of its own).
        let g = graph(&[1, 2, 3], &[(9, &[(2, 5)]), (9, &[(1, 6)]), (9, &[(0, 7), (2, 8)]), (9, &[])]);
        let Components { graph: c, new_order, given_worker } = by_component(&g);
        assert_eq!(new_order, vec![0, 2, 1, 3]);
        assert_eq!(given_worker, vec![0, 2, 1]);
        assert_eq!(c.capacity, vec![1, 3, 2]);
        // New order 1 is given order 2: its candidates, renumbered, in their given order.
        assert_eq!(c.candidates(1).collect::<Vec<_>>(), vec![(0, 7), (1, 8)]);
        assert_eq!(c.candidates(0).collect::<Vec<_>>(), vec![(1, 5)]);
        assert_eq!(c.candidates(2).collect::<Vec<_>>(), vec![(2, 6)]);
        assert_eq!(c.candidates(3).count(), 0);
        assert_eq!(c.edges(), g.edges());
    }

    #[test]
    fn a_dead_region_is_skipped_and_later_orders_elsewhere_are_still_served() {
        // Orders 0 and 1 fill worker 0; order 2 finds no free place (its region dies); order 3,
        // in the same dead region, stays open too; order 4 takes worker 1 in another component.
        let g = with_ranked_costs(graph(
            &[2, 1],
            &[(0, &[(0, 1)]), (0, &[(0, 2)]), (0, &[(0, 0)]), (0, &[(0, 3)]), (0, &[(1, 4)])],
        ));
        let plan = solve(&g);
        assert_eq!(plan.worker, vec![Some(0), Some(0), None, None, Some(1)]);
        check_plan(&g, &plan);
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

        /// The tuned search reaches the reference solver's optimum on instances of several
        /// components, ranked or not, numbered by component or not: the same total and, with
        /// ranked open costs, the same orders served (a unique set); which worker a served order
        /// gets may differ only between plans of equal total (the module's doc, on ties).
        #[test]
        fn the_plan_is_as_good_as_the_reference_plan(g in zoned_instance()) {
            let served = |p: &Plan| p.worker.iter().map(Option::is_some).collect::<Vec<_>>();
            for group in [false, true] {
                let plan = solve_numbered(&g, false, group);
                check_plan(&g, &plan);
                prop_assert_eq!(plan.total, reference::solve_with(&g, false).total);
            }
            let r = with_ranked_costs(g);
            prop_assert!(ranked(&r));
            let reference = reference::solve_with(&r, true);
            for group in [false, true] {
                let plan = solve_numbered(&r, true, group);
                check_plan(&r, &plan);
                prop_assert_eq!(plan.total, reference.total);
                prop_assert_eq!(served(&plan), served(&reference));
            }
        }

        /// Numbering the nodes by component changes no search: the same plan, ties included.
        #[test]
        fn numbering_by_component_gives_the_same_plan(g in zoned_instance()) {
            prop_assert_eq!(solve_numbered(&g, false, true), solve_numbered(&g, false, false));
            let r = with_ranked_costs(g);
            prop_assert_eq!(solve_numbered(&r, true, true), solve_numbered(&r, true, false));
        }

        /// The radix heap pops every entry pushed, in order of key, whatever the interleaving of
        /// pushes and pops (each push no less than the last key popped).
        #[test]
        fn the_radix_heap_pops_in_order_of_key(
            steps in proptest::collection::vec((any::<bool>(), 0i64..1_000, 0u64..4), 0..200),
        ) {
            let mut heap = RadixHeap::new();
            let mut model: Vec<(i64, usize)> = Vec::new();
            let mut last = 0;
            for (i, (pop, gap, scale)) in steps.into_iter().enumerate() {
                if pop {
                    let got = heap.pop();
                    let least = model.iter().map(|e| e.0).min();
                    prop_assert_eq!(got.map(|e| e.0), least);
                    if let Some(entry) = got {
                        let at = model.iter().position(|&e| e == entry).expect("an entry pushed");
                        model.swap_remove(at);
                        last = entry.0;
                    }
                } else {
                    // Keys from close to far: differences in the low bits and in high ones.
                    let key = last + gap * 1_000i64.pow(scale as u32);
                    heap.push(key, i);
                    model.push((key, i));
                }
            }
            model.sort_unstable();
            let mut rest = Vec::new();
            while let Some(entry) = heap.pop() {
                rest.push(entry);
            }
            let keys: Vec<i64> = rest.iter().map(|e| e.0).collect();
            prop_assert!(keys.windows(2).all(|w| w[0] <= w[1]));
            rest.sort_unstable();
            prop_assert_eq!(rest, model);
            heap.clear();
            prop_assert_eq!(heap.pop(), None);
        }

        /// Solving twice gives the same plan: ties are broken deterministically.
        #[test]
        fn the_plan_is_deterministic(g in instance()) {
            prop_assert_eq!(solve(&g), solve(&g));
        }
    }
}
