#!/usr/bin/env bash
# The matching benchmark (issue "Matching"): a company of 50,000 workers and 10,000 open orders
# (capacity 1–3, 20–50 eligible workers per order) and a tight variant (10,000 orders, 5,000
# workers), generated from fixed seeds. Measures, in one run on this machine:
#   1. `crew matching run` end to end (load, score, solve, write), with peak memory;
#   2. crew's solver alone on the cycle's candidate graph, beside SciPy's sparse
#      min_weight_full_bipartite_matching on the identical costs (both totals printed: they must
#      be equal). Three graphs: the main and tight companies' worker-day flows, and the tight
#      company's batch without time (`tight-timeless`: one node per worker holding their whole
#      capacity, the graph the issue's "10x SciPy" target was set on).
# SciPy is installed into a virtualenv under target/ for this benchmark only.
#
#   bash scripts/bench/matching.sh            # results as markdown on stdout
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine || [[ ! -x /usr/bin/time ]]; then
    apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null
fi
venv="${CARGO_TARGET_DIR:-$root/target}/bench-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r scripts/bench/matching-requirements.txt
fi

cargo build --release -q -p crew-cli --bin crew --example bench_matching
crew="$root/target/release/crew"
helper="$root/target/release/examples/bench_matching"
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-matching.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT

echo "## Matching ($(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
echo
echo "| instance | orders | workers | pairs | crew matching run (median) | peak RSS | crew solver (median) | SciPy (median) | SciPy / crew | totals equal |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
# tight-timeless: the tight company's batch as the solver saw it before matching knew time (one
# node per worker holding their whole capacity: ~10,084 places for 10,000 orders), the instance of
# the issue's "10x SciPy" target; its `matching run` is the tight row's.
for spec in "main 50000 10000 42" "tight 5000 10000 43" "tight-timeless 5000 10000 43 --timeless"; do
    read -r name workers orders seed timeless <<<"$spec"
    company="${name%-timeless}"
    db="$work/$company.db"
    [[ -f "$db" ]] || "$helper" generate "$db" "$workers" "$orders" "$seed" "$work/$company.token" >/dev/null
    ours="$("$helper" graph "$db" "$work/$name.graph" $timeless)"
    theirs="$("$venv/bin/python" scripts/bench/scipy_matching.py "$work/$name.graph" 3)"
    if [[ -z "$timeless" ]]; then
        export CREW_TOKEN="$(cat "$work/$company.token")" CREW_NOW=2026-11-30T06:00:00Z CREW_DB="$work/$name.run.db"
        hyperfine --style none --warmup 1 --runs 5 --prepare "cp $db $work/$name.run.db" \
            --export-json "$work/$name.json" "$crew -q matching run > /dev/null" >/dev/null
        cp "$db" "$work/$name.run.db"
        /usr/bin/time -v "$crew" -q matching run >/dev/null 2>"$work/$name.time"
    fi
    rss_kb="$(grep 'Maximum resident' "$work/$company.time" | awk '{print $NF}')"
    "$venv/bin/python" - "$name" "$ours" "$theirs" "$work/$company.json" "$rss_kb" <<'PY'
import json, sys
name, ours, theirs, hf, rss = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.load(open(sys.argv[4])), int(sys.argv[5])
run = hf["results"][0]["median"]
print(f"| {name} | {ours['orders']} | {ours['workers']} | {ours['pairs']} | {run:.3f} s | {rss / 1024:.0f} MiB "
      f"| {ours['solve_median_seconds'] * 1000:.1f} ms | {theirs['solve_median_seconds'] * 1000:.0f} ms "
      f"| {theirs['solve_median_seconds'] / ours['solve_median_seconds']:.1f}× "
      f"| {'yes' if ours['flow_total'] == theirs['total'] and ours['flow_served'] == theirs['served'] else 'NO'} "
      f"({ours['flow_total']}, {ours['flow_served']} served) |")
PY
done
