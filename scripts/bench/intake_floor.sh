#!/usr/bin/env bash
# The intake's storage floor, decomposed (issue 8): SQLite alone storing exactly the rows a flood
# import stores — its applications, events and outbox rows — copied by `INSERT … SELECT` from a
# finished import into a fresh copy of the database it started from, in one transaction, with
# crew's pragmas (WAL, synchronous=NORMAL, foreign_keys=ON). No parsing, no validation, no JSON,
# no rendering. Each variant leaves one thing out (a table, an index, a UNIQUE constraint) or
# stores a slimmer row, or uses other pages (the base database VACUUMed to 4, 16 or 64 KiB pages),
# so the difference to `all` is what that thing costs. hyperfine, every
# variant in one invocation (same load), 5 runs each after a warm-up; wall and CPU (user + sys).
#
#   bash scripts/bench/intake_floor.sh BASE_DB IMPORTED_DB [VARIANT…]
#
# BASE_DB is the database the import started from (scripts/bench/intake.sh's base.db);
# IMPORTED_DB the same after `crew hiring import flood.csv`. Without VARIANTs, all of them run.
# Prints a markdown table (median wall, mean CPU, each minus `all`) and the bytes each table and
# index holds in IMPORTED_DB (dbstat).
set -euo pipefail
base="$(realpath "$1")"; imported="$(realpath "$2")"; shift 2
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-intake-floor.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
first_seq="$(sqlite3 "$base" 'SELECT coalesce(max(seq), 0) FROM events')"
pragmas="PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
apps="INSERT INTO applications SELECT * FROM s.applications ORDER BY id;"
events="INSERT INTO events SELECT * FROM s.events WHERE seq > $first_seq ORDER BY seq;"
outbox="INSERT INTO outbox SELECT * FROM s.outbox ORDER BY id;"
without_unique() { # table: the table recreated without its UNIQUE constraint (it is empty in BASE_DB)
    local sql; sql="$(sqlite3 "$base" "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = '$1'")"
    local indexes; indexes="$(sqlite3 "$base" "SELECT sql || ';' FROM sqlite_schema WHERE type = 'index' AND tbl_name = '$1' AND sql IS NOT NULL")"
    printf 'DROP TABLE %s; %s; %s\n' "$1" "${sql/NOT NULL UNIQUE/NOT NULL}" "$indexes"
}
declare -A setup insert
names=()
variant() { names+=("$1"); setup[$1]="$2"; insert[$1]="$3"; }
variant all "" "$apps $events $outbox"
variant applications-only "" "$apps"
variant events-only "" "$events"
variant outbox-only "" "$outbox"
variant no-applications_status "DROP INDEX applications_status;" "$apps $events $outbox"
variant no-applications_set "DROP INDEX applications_set;" "$apps $events $outbox"
variant no-applications-unique "$(without_unique applications)" "$apps $events $outbox"
variant no-events_at "DROP INDEX events_at;" "$apps $events $outbox"
variant no-events_application "DROP INDEX events_application;" "$apps $events $outbox"
variant no-events_order "DROP INDEX events_order;" "$apps $events $outbox"
variant no-outbox_queue "DROP INDEX outbox_queue;" "$apps $events $outbox"
variant no-outbox-unique "$(without_unique outbox)" "$apps $events $outbox"
variant migration-0023 "$(cat "$(dirname "${BASH_SOURCE[0]}")/../../crates/store/src/migrations/0023_intake_indexes.sql")" "$apps $events $outbox"
variant pages-4k "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL;" "$apps $events $outbox"
variant pages-16k "PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL;" "$apps $events $outbox"
variant pages-64k "PRAGMA journal_mode = DELETE; PRAGMA page_size = 65536; VACUUM; PRAGMA journal_mode = WAL;" "$apps $events $outbox"
variant this-round "$(cat "$(dirname "${BASH_SOURCE[0]}")/../../crates/store/src/migrations/0023_intake_indexes.sql") PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL;" "$apps $events $outbox"
variant no-foreign-keys "" "PRAGMA foreign_keys = OFF; $apps $events $outbox"
# Slimmer rows: the same rows with a shorter cause, without the rendered mail, without recorded_at.
variant outbox-short-cause "" "$apps $events INSERT INTO outbox SELECT id, substr(cause, 7, instr(substr(cause, 7), ':') - 1), recipient, subject, body, status, attempts, next_attempt_at, last_error, created_at, sent_at, activation_for, priority FROM s.outbox ORDER BY id;"
variant outbox-no-text "" "$apps $events INSERT INTO outbox SELECT id, cause, recipient, '', '', status, attempts, next_attempt_at, last_error, created_at, sent_at, activation_for, priority FROM s.outbox ORDER BY id;"
variant events-payload-id-only "" "$apps INSERT INTO events SELECT seq, at, actor_id, type, version, order_id, json_object('type', type, 'application', application_id), application_id, recorded_at FROM s.events WHERE seq > $first_seq ORDER BY seq; $outbox"
# The page cache: SQLite's default (2 MiB) spills dirty pages to the WAL during a large transaction.
variant cache-64m "" "PRAGMA cache_size = -65536; $apps $events $outbox"
variant cache-256m "" "PRAGMA cache_size = -262144; $apps $events $outbox"
variant no-cache-spill "" "PRAGMA cache_spill = OFF; $apps $events $outbox"
variant none "" ""
if (($#)); then names=("$@"); fi
args=()
for n in "${names[@]}"; do
    cp "$base" "$work/base-$n.db"
    sqlite3 "$work/base-$n.db" "$pragmas ${setup[$n]}" >/dev/null
    printf '%s\nATTACH %s AS s;\nBEGIN;\n%s\nCOMMIT;\n' "$pragmas" "'$imported'" "${insert[$n]}" > "$work/$n.sql"
    args+=(--prepare "cp $work/base-$n.db $work/run-$n.db; rm -f $work/run-$n.db-wal $work/run-$n.db-shm"
        -n "$n" "sqlite3 $work/run-$n.db < $work/$n.sql")
done
hyperfine --style none --warmup 1 --runs "${RUNS:-5}" --export-json "$work/hf.json" "${args[@]}" >/dev/null 2>&1
python3 - "$work/hf.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
cpu = lambda r: r["user"] + r["system"]
a = next((r for r in rs if r["command"] == "all"), rs[0])
print("| variant | wall, median | CPU (user + sys), mean | CPU − `all` |")
print("| --- | ---: | ---: | ---: |")
for r in rs:
    print(f"| {r['command']} | {r['median']:.3f} s | {cpu(r):.3f} s ({r['user']:.3f} + {r['system']:.3f}) | {cpu(r) - cpu(a):+.3f} s |")
PY
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| table or index | bytes (pages × 4096) | bytes of data (payload) | rows |"
echo "| --- | ---: | ---: | ---: |"
sqlite3 -separator ' | ' "$imported" "SELECT '| ' || name, sum(pgsize), sum(payload), (SELECT sum(ncell) FROM dbstat d2 WHERE d2.name = d.name AND d2.pagetype = 'leaf') || ' |' FROM dbstat d WHERE name IN ('applications', 'events', 'outbox') OR name IN (SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('applications', 'events', 'outbox')) GROUP BY name ORDER BY sum(pgsize) DESC"
