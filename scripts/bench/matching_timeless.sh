#!/usr/bin/env bash
# The issue's "10x SciPy" target on the timeless tight graph (issue 9): crew's solver alone beside
# SciPy's sparse min_weight_full_bipartite_matching, several rounds in one run, the ratio taken
# within each round (this machine is shared and noisy). The graph is the tight company's batch
# (10,000 orders, 5,000 workers, seed 43) without time: one node per worker holding their whole
# capacity (`bench_matching graph --timeless`, BENCHMARKS.md "The timeless tight graph beside
# SciPy"). Each round runs SciPy (median of 3 solves), crew's solver (`solve_graph`, median of 7)
# and, if BASELINE names another build of `solve_graph`, that one too (median of 7), and checks
# that the totals and the numbers served are equal. CPU time per solve: the user + sys time of a
# process solving 8 times less one solving once, over 7.
#
#   bash scripts/bench/matching_timeless.sh [ROUNDS]            # markdown on stdout
#   BASELINE=/path/to/solve_graph bash scripts/bench/matching_timeless.sh 3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rounds="${1:-3}"
target="${CARGO_TARGET_DIR:-$root/target}"

if [[ ! -x /usr/bin/time ]]; then
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
venv="$target/bench-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r scripts/bench/matching-requirements.txt
fi
cargo build --release -q -p crew-cli --example bench_matching
cargo build --release -q -p crew-core --example solve_graph
helper="$target/release/examples/bench_matching"
solve="$target/release/examples/solve_graph"
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-timeless.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
"$helper" generate "$work/tight.db" 5000 10000 43 "$work/tight.token" >/dev/null
"$helper" graph "$work/tight.db" "$work/tt.graph" --timeless >/dev/null

# CPU seconds (user + sys) of one command.
cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'; }
# CPU milliseconds per solve of a solve_graph binary: 8 solves less 1, over 7.
cpu_per_solve() {
    local eight one
    eight="$(cpu "$1" "$work/tt.graph" 8)"
    one="$(cpu "$1" "$work/tt.graph" 1)"
    awk -v a="$eight" -v b="$one" 'BEGIN { printf "%.1f", (a - b) / 7 * 1000 }'
}

echo "## The timeless tight graph beside SciPy ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
if [[ -n "${BASELINE:-}" ]]; then
    echo "| round | SciPy (median of 3) | crew (median of 7) | crew CPU per solve | baseline (median of 7) | baseline CPU per solve | SciPy / crew | SciPy / baseline | totals equal |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
else
    echo "| round | SciPy (median of 3) | crew (median of 7) | crew CPU per solve | SciPy / crew | totals equal |"
    echo "| --- | --- | --- | --- | --- | --- |"
fi
for round in $(seq 1 "$rounds"); do
    theirs="$("$venv/bin/python" scripts/bench/scipy_matching.py "$work/tt.graph" 3)"
    ours="$("$solve" "$work/tt.graph" 7)"
    ours_cpu="$(cpu_per_solve "$solve")"
    base='{}'
    base_cpu=''
    if [[ -n "${BASELINE:-}" ]]; then
        base="$("$BASELINE" "$work/tt.graph" 7)"
        base_cpu="$(cpu_per_solve "$BASELINE")"
    fi
    "$venv/bin/python" - "$round" "$theirs" "$ours" "$ours_cpu" "$base" "$base_cpu" <<'PY'
import json, sys
round_, theirs, ours, ours_cpu, base, base_cpu = sys.argv[1], *map(json.loads, sys.argv[2:4]), sys.argv[4], json.loads(sys.argv[5]), sys.argv[6]
same = lambda r: r["total"] == theirs["total"] and r["served"] == theirs["served"]
t, o = theirs["solve_median_seconds"] * 1000, ours["solve_median_seconds"] * 1000
equal = same(ours) and (not base or same(base))
check = f"{'yes' if equal else 'NO'} ({ours['total']}, {ours['served']} served)"
if base:
    b = base["solve_median_seconds"] * 1000
    print(f"| {round_} | {t:.0f} ms | {o:.1f} ms | {ours_cpu} ms | {b:.1f} ms | {base_cpu} ms | {t / o:.1f}× | {t / b:.1f}× | {check} |")
else:
    print(f"| {round_} | {t:.0f} ms | {o:.1f} ms | {ours_cpu} ms | {t / o:.1f}× | {check} |")
PY
done
echo
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
