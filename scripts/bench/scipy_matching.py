#!/usr/bin/env python3
"""SciPy's sparse assignment on the candidate graph crew's solver solved (scripts/bench/matching.sh).

Reads the graph written by `bench_matching graph`: a line `orders workers`, a line of worker
capacities, then per order `open_cost worker:cost worker:cost ...`. SciPy's
min_weight_full_bipartite_matching assigns each row one column, so each worker becomes one column per
unit of capacity and each order gets a private "stay open" column at its open cost: a full matching
always exists, and its least total is the same optimum crew's solver finds. Costs are shifted by +1
so that no cost is an explicit zero (sparse matrices drop zeros); the shift is removed from the total.
Prints JSON: the total and the median time of the solve alone over several runs.
"""
import json
import statistics
import sys
import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching


def main() -> int:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path) as f:
        n_orders, n_workers = map(int, f.readline().split())
        caps = list(map(int, f.readline().split())) if n_workers else []
        first_col = np.zeros(n_workers + 1, dtype=np.int64)
        np.cumsum(caps, out=first_col[1:])
        slots = int(first_col[-1])
        rows, cols, vals = [], [], []
        for o in range(n_orders):
            parts = f.readline().split()
            open_cost = int(parts[0])
            for item in parts[1:]:
                w, c = item.split(":")
                w, c = int(w), int(c)
                for k in range(caps[w]):
                    rows.append(o)
                    cols.append(int(first_col[w]) + k)
                    vals.append(c + 1)
            rows.append(o)
            cols.append(slots + o)
            vals.append(open_cost + 1)
    matrix = csr_matrix((np.array(vals, dtype=np.float64), (rows, cols)), shape=(n_orders, slots + n_orders))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
        times.append(time.perf_counter() - start)
    total = int(round(matrix[row_ind, col_ind].sum())) - n_orders
    served = int((col_ind < slots).sum())
    print(json.dumps({"orders": n_orders, "columns": slots + n_orders, "edges": int(matrix.nnz),
                      "served": served, "total": total, "solve_median_seconds": statistics.median(times)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
