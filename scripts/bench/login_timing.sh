#!/usr/bin/env bash
# How long a refused `crew login` takes, by why it was refused (issue "Trust and hostile input",
# §6): a wrong password for an existing login, a login that does not exist, and an existing
# account without a password (an imported client). If the three differ, the time tells which
# logins exist. Each case runs RUNS times, interleaved, and the median wall time is printed.
#
#   bash scripts/bench/login_timing.sh                       # builds and times target/release/crew
#   bash scripts/bench/login_timing.sh path/to/crew 50       # times that binary, 50 runs per case
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ $# -ge 1 ]]; then
    crew="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    (cd "$root" && cargo build --release -q -p crew-cli --bin crew)
    crew="$root/target/release/crew"
fi
runs="${2:-30}"
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-login.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
cd "$work"
unset CREW_TOKEN CREW_CONFIG CREW_FORMAT
export XDG_CONFIG_HOME="$work/config" HOME="$work/home" CREW_NOW=2026-11-30T07:00:00Z CREW_DB="$work/crew.db"
printf 'bench-password\n' | "$crew" init --password-stdin >/dev/null
printf 'bench-password\n' | "$crew" login admin --password-stdin >/dev/null
printf 'name,email,zone\nAnn,ann@example.com,north\n' >clients.csv
"$crew" -q import clients clients.csv >/dev/null

# One refused login: prints its wall time in microseconds (the exit code must be 3).
attempt() {
    local start end rc=0
    start="$(date +%s%N)"
    printf 'not-the-password\n' | "$crew" login "$1" --password-stdin >/dev/null 2>&1 || rc=$?
    end="$(date +%s%N)"
    if [[ $rc -ne 3 ]]; then
        echo "login_timing: \`crew login $1\` exited $rc, expected 3 (refused)" >&2
        exit 1
    fi
    echo $(((end - start) / 1000))
}

for ((i = 0; i < runs; i++)); do
    echo "wrong password for an existing login	$(attempt admin)"
    echo "a login that does not exist	$(attempt nobody)"
    echo "an account without a password	$(attempt ann@example.com)"
done >times.tsv

python3 - "$crew" "$runs" <<'PY'
import statistics, sys
cases = {}
for line in open("times.tsv"):
    case, us = line.rstrip("\n").split("\t")
    cases.setdefault(case, []).append(int(us) / 1000)
print(f"`{sys.argv[1]}`, {sys.argv[2]} runs per case, median (min–max) wall time of one process:")
print()
print("| refused because | median ms | min ms | max ms |")
print("| --- | --- | --- | --- |")
for case, ms in cases.items():
    print(f"| {case} | {statistics.median(ms):.1f} | {min(ms):.1f} | {max(ms):.1f} |")
PY
