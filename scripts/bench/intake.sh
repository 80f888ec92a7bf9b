#!/usr/bin/env bash
# The intake under load (issue 8): `crew hiring import` of a 100,000-row spreadsheet export
# (~85% distinct emails, ~3% malformed rows, CRLF line endings) beside the sqlite3 tool's
# `.import` of the same file into a plain table (no validation, no dedup, no events, no mail).
# hyperfine, median of 5 of each, each crew run on a fresh copy of the database, as a service
# account; both commands in the same hyperfine invocation, so the ratio is from one run.
#
#   bash scripts/bench/intake.sh                  # measure, print the section, write it into BENCHMARKS.md
#   bash scripts/bench/intake.sh --print-only     # measure and print, leave BENCHMARKS.md as it is
#   CREW_BIN=/path/to/crew bash scripts/bench/intake.sh
#
# The section replaces what is between `<!-- bench:intake:begin` and `<!-- bench:intake:end -->`
# in BENCHMARKS.md, so the figures there are always the latest run, with its command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command_line="bash scripts/bench/intake.sh${*:+ $*}${CREW_BIN:+ (CREW_BIN=$CREW_BIN)}"
write=1
for arg in "$@"; do
    case "$arg" in
        --print-only) write=0 ;;
        *) echo "usage: bash scripts/bench/intake.sh [--print-only]" >&2; exit 2 ;;
    esac
done
cd "$root"
if ! command -v hyperfine >/dev/null || ! command -v sqlite3 >/dev/null; then
    apt-get update -qq && apt-get install -y -qq hyperfine sqlite3 >/dev/null
fi
CREW_BIN_GIVEN="${CREW_BIN:-}"
if [[ -z "${CREW_BIN:-}" ]]; then
    cargo build --release -q -p crew-cli --bin crew
    CREW_BIN="${CARGO_TARGET_DIR:-$root/target}/release/crew"
fi
crew="$CREW_BIN"
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-intake.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
cd "$work"
python3 "$root/scripts/bench/intake_flood.py" flood.csv
export XDG_CONFIG_HOME="$work/config" HOME="$work" CREW_NOW=2026-11-30T07:00:00Z CREW_DB="$work/base.db"
printf 'bench-password\n' | "$crew" init --password-stdin >/dev/null
printf 'bench-password\n' | "$crew" login admin --password-stdin >/dev/null
printf 'bench-password\n' | "$crew" account create mia --role manager --name Mia --email mia@example.com --password-stdin >/dev/null 2>&1 || true
CREW_TOKEN="$("$crew" account create bench --role service --name Bench 2>/dev/null)"
export CREW_TOKEN CREW_DB="$work/run.db"
cp base.db run.db
summary="$("$crew" hiring import flood.csv 2>/dev/null)"
/usr/bin/time -f '%M' -o peak.txt "$crew" -q hiring import flood.csv >/dev/null 2>&1 || true
cp base.db run.db
/usr/bin/time -f '%M' -o peak.txt "$crew" -q hiring import flood.csv >/dev/null 2>&1
hyperfine --style none --warmup 1 --runs 5 --export-json hf.json \
    --prepare "cp $work/base.db $work/run.db; rm -f $work/plain.db" \
    -n "crew hiring import" "$crew -q hiring import flood.csv" \
    -n "sqlite3 .import" "sqlite3 $work/plain.db '.import --csv flood.csv applications'" >/dev/null 2>&1
cp base.db run.db && "$crew" -q hiring import flood.csv >/dev/null 2>&1
rows="$(sqlite3 run.db 'SELECT count(*) FROM applications')"
events="$(sqlite3 run.db "SELECT count(*) FROM events WHERE type = 'application_received'")"
mails="$(sqlite3 run.db 'SELECT count(*) FROM outbox')"
plain="$(sqlite3 plain.db 'SELECT count(*) FROM applications')"
commit="$(git -C "$root" rev-parse --short HEAD)"
if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]]; then commit="$commit + uncommitted changes"; fi
[[ -n "${CREW_BIN_GIVEN:-}" ]] && commit="binary $crew (work tree at $commit)"
python3 - "$summary" "$rows" "$events" "$mails" "$plain" "$(cat peak.txt)" "$commit" "$command_line" <<'PY' > section.md
import json, sys, datetime
summary, rows, events, mails, plain, peak, commit, command = sys.argv[1:]
r = {x["command"]: x for x in json.load(open("hf.json"))["results"]}
c, s = r["crew hiring import"], r["sqlite3 .import"]
cpu = lambda x: x["user"] + x["system"]
ratio, cpu_ratio = c["median"] / s["median"], cpu(c) / cpu(s)
with open("/proc/loadavg") as f:
    load = f.read().split()[0]
print("<!-- bench:intake:begin (written by scripts/bench/intake.sh; do not edit by hand) -->")
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at {commit}, "
      f"{open('/proc/cpuinfo').read().count('processor')} cores, release build, by `{command}`.\n")
print("| command | median of 5 | min | max | CPU (user + system, mean) | kept |")
print("| --- | --- | --- | --- | --- | --- |")
print(f"| `crew hiring import flood.csv` | {c['median']:.2f} s | {c['min']:.2f} s | {c['max']:.2f} s | {cpu(c):.2f} s | {rows} applications, {events} `application_received` events, {mails} mails |")
print(f"| `sqlite3 plain.db '.import --csv flood.csv applications'` | {s['median']:.2f} s | {s['min']:.2f} s | {s['max']:.2f} s | {cpu(s):.2f} s | {plain} raw rows |")
print(f"\ncrew ÷ sqlite3, wall-clock medians: **{ratio:.1f}×**; CPU: **{cpu_ratio:.1f}×**. "
      f"Target ≤ 4× (wall): **{'met' if ratio <= 4 else 'not met'}**.")
print(f"crew's summary: `{summary}` Peak memory of crew: {int(peak) // 1024} MiB. "
      f"Load average when it finished: {load} (a shared machine: other builds may have run at the same time).")
print("<!-- bench:intake:end -->")
PY
cat section.md
if (( write )); then
    doc="$root/BENCHMARKS.md"
    if ! grep -q '^<!-- bench:intake:begin' "$doc" || ! grep -q '^<!-- bench:intake:end -->' "$doc"; then
        echo "$doc has no bench:intake markers: paste the section above by hand" >&2
        exit 1
    fi
    awk -v section="$work/section.md" '
        /^<!-- bench:intake:begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
        /^<!-- bench:intake:end -->/ { skip = 0; next }
        !skip { print }' "$doc" > "$work/BENCHMARKS.md.new"
    cat "$work/BENCHMARKS.md.new" > "$doc"
    echo "updated $doc (the bench:intake section)" >&2
fi
