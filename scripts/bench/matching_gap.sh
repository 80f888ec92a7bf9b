#!/usr/bin/env bash
# The gap table of issue 9: crew's matching cycle against an exact optimum (CBC through PuLP) on
# seeded random instances of 50 to 500 orders, general (overlapping orders of 60-180 minutes,
# buffers, travel) and slot (every order inside one two-hour slot). First checks the independent
# model against a brute force on tiny instances. Prints markdown (BENCHMARKS.md, "Matching in
# time"). PuLP (with CBC) goes into a virtualenv under target/ for this benchmark only.
#
#   bash scripts/bench/matching_gap.sh [--sizes 50,100,200,500] [--seeds 3] ...   # about 10 minutes
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/bench-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r scripts/bench/matching-requirements.txt
cargo build --release -q -p crew-cli --bin crew --example bench_matching
echo "## Matching gap ($(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD))"
echo
"$venv/bin/python" scripts/bench/matching_gap.py --crew "$target/release/crew" \
    --helper "$target/release/examples/bench_matching" --check --check-cases 200 "$@"
