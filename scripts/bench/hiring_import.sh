#!/usr/bin/env bash
# The hiring intake benchmark (issue "Hiring and mail"): import 100,000 website applications
# (about 29,000 distinct emails, so most rows are duplicates, and 100 malformed rows) with
# `crew hiring import`, side by side with the sqlite3 tool's `.import` of the same rows into a plain
# table (no validation, no deduplication, no events, no mail), on the same machine in the same run.
#
#   bash scripts/bench/hiring_import.sh        # prints a markdown section
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
if ! command -v hyperfine >/dev/null || ! command -v sqlite3 >/dev/null; then
    apt-get update -qq && apt-get install -y -qq hyperfine sqlite3 >/dev/null
fi
cargo build --release -q -p crew-cli --bin crew
crew="$root/target/release/crew"
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-hiring.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
cd "$work"
python3 - <<'PY'
import random
random.seed(7)
with open("applications.csv", "w") as f:
    f.write("name,email,zone,strengths,weaknesses,age,source\n")
    for i in range(100000):
        k = random.randrange(30000)
        if i % 1000 == 0:
            f.write("Broken,,north,cleaning,,3,web\n")
            continue
        f.write(f"Cat {k},cat{k}@example.com,z{k % 50},cleaning:{1 + k % 5};gardening,,{k % 15},web\n")
PY
export XDG_CONFIG_HOME="$work/config" CREW_NOW=2026-11-30T07:00:00Z CREW_DB="$work/base.db"
printf 'bench-password\n' | "$crew" init --password-stdin >/dev/null
printf 'bench-password\n' | "$crew" login admin --password-stdin >/dev/null
# A service token works on every copy of the database (a login session is tied to one path).
CREW_TOKEN="$("$crew" account create bench --role service --name Bench 2>/dev/null)"
export CREW_TOKEN CREW_DB="$work/run.db"
cp base.db run.db
summary="$("$crew" hiring import applications.csv 2>/dev/null)"
hyperfine --style none --warmup 1 --runs 5 --export-json hf.json \
    --prepare "cp $work/base.db $work/run.db; rm -f $work/plain.db" \
    -n "crew hiring import" "$crew -q hiring import applications.csv" \
    -n "sqlite3 .import" "sqlite3 $work/plain.db '.import --csv applications.csv applications'" >/dev/null 2>&1
cp base.db run.db && "$crew" -q hiring import applications.csv >/dev/null 2>&1
rows="$(sqlite3 "$work/run.db" 'SELECT count(*) FROM applications')"
plain="$(sqlite3 "$work/plain.db" 'SELECT count(*) FROM applications')"
python3 - "$summary" "$rows" "$plain" <<'PY'
import json, sys
summary, rows, plain = sys.argv[1], sys.argv[2], sys.argv[3]
r = {x["command"]: x for x in json.load(open("hf.json"))["results"]}
c, s = r["crew hiring import"]["median"], r["sqlite3 .import"]["median"]
print(f"Measured on {open('/proc/cpuinfo').read().count('processor')} cores.\n")
print("| command | median of 5 | rows kept |")
print("| --- | --- | --- |")
print(f"| `crew hiring import applications.csv` | {c:.2f} s | {rows} applications (one per email) |")
print(f"| `sqlite3 plain.db '.import --csv applications.csv applications'` | {s:.2f} s | {plain} raw rows |")
print(f"\ncrew / sqlite3: {c / s:.1f}×. crew's summary: {summary}")
PY
