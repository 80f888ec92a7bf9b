#!/usr/bin/env bash
# PostgreSQL beside SQLite (issue 12), on the same machine, in one run:
#   intake      `crew hiring import` of the intake flood (scripts/bench/intake_flood.py), as a
#               service account, on a database with an admin and a manager;
#   matching    `crew matching run` on the matching benchmark's company (the bench_matching
#               example's generator, seed 42), the same rows in both stores (`crew db copy`);
#   close-week  `crew billing close-week 2026-W49` on close_week.sh's generated week (SQL into
#               SQLite, then `crew db copy` to PostgreSQL);
#   writers     8 concurrent writers for WRITERS_SECONDS (default 60) against one database per
#               store: 4 clients placing orders, 2 `matching run` loops, 2 `outbox deliver` loops
#               (file transport); completed commands and failures per kind, then checks.
# Runs alternate SQLite and PostgreSQL (RUNS each, default 1). Each timed run starts from a
# fresh copy of the same data (a file copy; `CREATE DATABASE … TEMPLATE` on PostgreSQL). Wall
# time, crew's CPU (user + system) and, for PostgreSQL, the server's CPU and the statements it
# ran (pg_stat_statements) are recorded with the load average.
#
# The PostgreSQL server is this script's own: initdb into a temporary folder (as the `postgres`
# user when run as root), loopback only, a free port, `-A trust`, stopped and removed at the end.
# Durability comparable to crew's SQLite (WAL, synchronous = NORMAL: a crash of the process loses
# nothing committed, a power loss may lose the last commits but never corrupts): fsync = on,
# full_page_writes = on, synchronous_commit = off (the WAL is flushed by the WAL writer within
# 3 × wal_writer_delay, not at each commit). shared_buffers = 256MB, max_wal_size = 4GB.
#
# Sizes: the issue's (10× the other benchmarks') by default; scale them all with SCALE (0.1 =
# the other benchmarks' sizes), or set one:
#   INTAKE_ROWS (1,000,000)  MATCH_WORKERS (500,000)  MATCH_ORDERS (100,000)
#   CW_ORDERS (10,000,000)  CW_CLIENTS (1,000,000)  WRITERS_WORKERS (2,000)  WRITERS_SECONDS (60)
# The copies on PostgreSQL are ANALYZEd before the runs (ANALYZE=0: not; see BENCHMARKS.md).
#
#   bash scripts/bench/postgres.sh                          # all four, write the section into BENCHMARKS.md
#   bash scripts/bench/postgres.sh --print-only intake      # some of them; print, BENCHMARKS.md unchanged
#   SCALE=0.1 RUNS=3 bash scripts/bench/postgres.sh --print-only
#   CREW_BIN=/path/to/crew BENCH_MATCHING_BIN=/path/to/bench_matching bash scripts/bench/postgres.sh
#
# The section replaces what is between `<!-- bench:postgres:begin` and `<!-- bench:postgres:end -->`
# in BENCHMARKS.md, so the figures there are always the latest run, with its command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
env_line=""
for v in SCALE RUNS ANALYZE INTAKE_ROWS MATCH_WORKERS MATCH_ORDERS CW_ORDERS CW_CLIENTS WRITERS_WORKERS WRITERS_SECONDS; do
    [[ -n "${!v:-}" ]] && env_line+="$v=${!v} "
done
command_line="${env_line}bash scripts/bench/postgres.sh${*:+ $*}${CREW_BIN:+ (CREW_BIN=$CREW_BIN)}"
write=1
parts=()
for arg in "$@"; do
    case "$arg" in
        --print-only) write=0 ;;
        intake|matching|close-week|writers) parts+=("$arg") ;;
        *) echo "usage: bash scripts/bench/postgres.sh [--print-only] [intake] [matching] [close-week] [writers]" >&2; exit 2 ;;
    esac
done
(( ${#parts[@]} )) || parts=(intake matching close-week writers)
want() { local p; for p in "${parts[@]}"; do [[ "$p" == "$1" ]] && return 0; done; return 1; }

SCALE="${SCALE:-1}"
scaled() { python3 -c "import sys; print(max(int(round($1 * float(sys.argv[1]))), $2))" "$SCALE"; }
INTAKE_ROWS="${INTAKE_ROWS:-$(scaled 1000000 100)}"
MATCH_WORKERS="${MATCH_WORKERS:-$(scaled 500000 100)}"
MATCH_ORDERS="${MATCH_ORDERS:-$(scaled 100000 20)}"
CW_ORDERS="${CW_ORDERS:-$(scaled 10000000 100)}"
CW_CLIENTS="${CW_CLIENTS:-$(scaled 1000000 10)}"
WRITERS_WORKERS="${WRITERS_WORKERS:-2000}"
WRITERS_SECONDS="${WRITERS_SECONDS:-60}"
RUNS="${RUNS:-1}"

cd "$root"
if ! command -v sqlite3 >/dev/null || [[ ! -x /usr/bin/time ]] || ! command -v psql >/dev/null \
    || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq sqlite3 time postgresql >/dev/null
fi
target="${CARGO_TARGET_DIR:-$root/target}"
CREW_BIN_GIVEN="${CREW_BIN:-}"
if [[ -z "${CREW_BIN:-}" || -z "${BENCH_MATCHING_BIN:-}" ]]; then
    cargo build --release -q -p crew-cli --bin crew --example bench_matching
fi
crew="$(realpath "${CREW_BIN:-$target/release/crew}")"
helper="$(realpath "${BENCH_MATCHING_BIN:-$target/release/examples/bench_matching}")"
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-postgres.XXXXXX")"
chmod 755 "$work"
pgdir="$work/pg"
mkdir -p "$pgdir"
as_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ "$(id -u)" == 0 ]] && chown postgres: "$pgdir"
pg_started=0
bg_pids=()
cleanup() {
    for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if (( pg_started )); then as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf -- "$work"
}
trap cleanup EXIT
say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# --- the server ----------------------------------------------------------------------------------
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U crew -E UTF8 --locale=C >/dev/null
pg_settings="-c fsync=on -c full_page_writes=on -c synchronous_commit=off -c shared_buffers=256MB -c max_wal_size=4GB -c max_connections=100 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
# pg_ctl's output goes to a file, never a pipe (a pipe keeps the caller waiting on the server).
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $pgdir $pg_settings" start >"$work/pg_ctl.out" 2>&1
pg_started=1
export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=crew PGOPTIONS="-c client_min_messages=warning"
unset PGPASSWORD
for d in template1 postgres; do psql -q -d "$d" -c 'CREATE EXTENSION pg_stat_statements' >/dev/null; done
pg_version="$(psql -At -d postgres -c 'SHOW server_version')"
pgurl() { echo "postgres://crew@127.0.0.1:$port/$1?schema=crew&sslmode=disable"; }
pgq() { psql -At -d "$1" -c "SET search_path = crew; $2" | tail -n +1 | grep -v '^SET$'; }
newdb() { psql -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1${2:+ TEMPLATE $2}"; }
dropdb_() { psql -q -d postgres -c "DROP DATABASE IF EXISTS $1"; }
# A database `crew db copy` just wrote has no planner statistics until autovacuum gets to it, and
# a run planned without them can go quadratic (see BENCHMARKS.md). ANALYZE=0 leaves that to chance.
analyze() { if [[ "${ANALYZE:-1}" == 1 ]]; then psql -q -d "$1" -c 'ANALYZE' >/dev/null; fi; }
# The server's CPU (s): its processes' user + system, and the children it has reaped (backends).
pg_cpu() {
    python3 - "$(head -1 "$pgdir/data/postmaster.pid")" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK")
pm = sys.argv[1]
def stat(p):
    s = open(f"/proc/{p}/stat").read()
    return s[s.rindex(")") + 2:].split()
t = 0
f = stat(pm)
t += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
for p in os.listdir("/proc"):
    if p.isdigit() and p != pm:
        try:
            f = stat(p)
        except OSError:
            continue
        if f[1] == pm:
            t += int(f[11]) + int(f[12])
print(t / hz)
PY
}
stmts_reset() { psql -q -d postgres -c 'SELECT pg_stat_statements_reset()' >/dev/null; }
# statements executed and their server time (ms), since the last reset, excluding this script's own
stmts_read() { psql -At -F' ' -d postgres -c "SELECT coalesce(sum(calls),0), round(coalesce(sum(total_exec_time),0)) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"; }

results="$work/results.tsv"   # part size store run wall user sys server_cpu statements server_ms load note
: > "$results"
load1() { cut -d' ' -f1 /proc/loadavg; }
unset CREW_TOKEN CREW_CONFIG CREW_FORMAT
export HOME="$work/home" XDG_CONFIG_HOME="$work/config"
mkdir -p "$HOME"

# timed STORE PART SIZE RUN NOTE -- command...: one timed run of crew, appended to results
timed() {
    local store="$1" part="$2" size="$3" run="$4" note="$5"; shift 6
    local cpu0=0 cpu1=0 st="- -"
    if [[ "$store" == postgres ]]; then stmts_reset; cpu0="$(pg_cpu)"; fi
    /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
        echo "FAILED ($store $part): $*" >&2; cat "$work/err.txt" >&2; tail -3 "$work/time.txt" >&2; return 1; }
    if [[ "$store" == postgres ]]; then
        cpu1="$(pg_cpu)"; st="$(stmts_read)"
        # where the server's statements went (on stderr, for the prose): the most frequent
        psql -At -F' | ' -d postgres -c "SELECT calls, round(total_exec_time), left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT 8" | sed "s/^/  [$part calls] /" >&2
        psql -At -F' | ' -d postgres -c "SELECT calls, round(total_exec_time), left(regexp_replace(query, '\s+', ' ', 'g'), 160) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 6" | sed "s/^/  [$part time] /" >&2
    fi
    read -r wall user sys < <(tail -1 "$work/time.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$part" "$size" "$store" "$run" "$wall" "$user" "$sys" \
        "$(python3 -c "print(round($cpu1 - $cpu0, 2))")" "${st% *}" "${st#* }" "$(load1)" >> "$results"
    printf '%s\n' "$note" >> "$work/notes.$part"
    say "$part $store run $run: ${wall}s wall, ${user}+${sys}s CPU"
}

# --- 1. the intake -------------------------------------------------------------------------------
if want intake; then
    say "intake: generating $INTAKE_ROWS rows"
    python3 "$root/scripts/bench/intake_flood.py" "$work/flood.csv" "$INTAKE_ROWS"
    setup_intake() { # DB: an admin, a manager, a service account; prints the service token
        export CREW_DB="$1"
        printf 'bench-password\n' | "$crew" init --password-stdin >/dev/null
        printf 'bench-password\n' | "$crew" login admin --password-stdin >/dev/null
        printf 'bench-password\n' | "$crew" account create mia --role manager --name Mia --email mia@example.com --password-stdin >/dev/null 2>&1
        "$crew" account create bench --role service --name Bench 2>/dev/null
    }
    export CREW_NOW=2026-11-30T07:00:00Z
    sqlite_token="$(setup_intake "$work/intake.db")"
    newdb intake_base
    pg_token="$(setup_intake "$(pgurl intake_base)")"
    for ((r = 1; r <= RUNS; r++)); do
        cp "$work/intake.db" "$work/intake.run.db"
        CREW_DB="$work/intake.run.db" CREW_TOKEN="$sqlite_token" timed sqlite intake "$INTAKE_ROWS" "$r" "" -- \
            "$crew" -q hiring import "$work/flood.csv"
        s_counts="$(sqlite3 "$work/intake.run.db" "SELECT (SELECT count(*) FROM applications)||' applications, '||(SELECT count(*) FROM events WHERE type='application_received')||' events, '||(SELECT count(*) FROM outbox)||' mails'")"
        rm -f "$work/intake.run.db"*
        newdb intake_run intake_base
        CREW_DB="$(pgurl intake_run)" CREW_TOKEN="$pg_token" timed postgres intake "$INTAKE_ROWS" "$r" "" -- \
            "$crew" -q hiring import "$work/flood.csv"
        p_counts="$(pgq intake_run "SELECT (SELECT count(*) FROM applications)||' applications, '||(SELECT count(*) FROM events WHERE type='application_received')||' events, '||(SELECT count(*) FROM outbox)||' mails'")"
        dropdb_ intake_run
    done
    echo "SQLite: $s_counts; PostgreSQL: $p_counts" > "$work/kept.intake"
    dropdb_ intake_base
    rm -f "$work/flood.csv" "$work/intake.db"*
fi

# --- 2. the matching cycle -----------------------------------------------------------------------
if want matching; then
    say "matching: generating $MATCH_WORKERS workers, $MATCH_ORDERS orders (bench_matching, seed 42)"
    t0=$(date +%s.%N)
    "$helper" generate "$work/match.db" "$MATCH_WORKERS" "$MATCH_ORDERS" 42 "$work/match.token" >/dev/null
    t1=$(date +%s.%N)
    export CREW_NOW=2026-11-30T06:00:00Z
    printf 'bench-password\n' | "$crew" --db "$work/match.db" login admin --password-stdin >/dev/null
    newdb match_base
    say "matching: crew db copy to PostgreSQL"
    /usr/bin/time -f '%e %U %S' -o "$work/copy.txt" "$crew" -q --db "$work/match.db" db copy --from "$work/match.db" --to "$(pgurl match_base)" >/dev/null 2>"$work/copy.err" \
        || { cat "$work/copy.err" >&2; exit 1; }
    analyze match_base
    echo "generated in $(python3 -c "print(round($t1 - $t0, 1))") s; \`crew db copy\` to PostgreSQL: $(tail -1 "$work/copy.txt" | cut -d' ' -f1) s wall" > "$work/prep.matching"
    token="$(cat "$work/match.token")"
    for ((r = 1; r <= RUNS; r++)); do
        cp "$work/match.db" "$work/match.run.db"
        CREW_DB="$work/match.run.db" CREW_TOKEN="$token" timed sqlite matching "$MATCH_ORDERS × $MATCH_WORKERS" "$r" "" -- \
            "$crew" -q matching run
        s_counts="$(sqlite3 "$work/match.run.db" "SELECT count(*) FROM orders WHERE status='assigned'")"
        rm -f "$work/match.run.db"*
        newdb match_run match_base
        CREW_DB="$(pgurl match_run)" CREW_TOKEN="$token" timed postgres matching "$MATCH_ORDERS × $MATCH_WORKERS" "$r" "" -- \
            "$crew" -q matching run
        p_counts="$(pgq match_run "SELECT count(*) FROM orders WHERE status='assigned'")"
        dropdb_ match_run
    done
    echo "orders assigned: SQLite $s_counts, PostgreSQL $p_counts (of $MATCH_ORDERS)" > "$work/kept.matching"
    dropdb_ match_base
    rm -f "$work/match.db"*
fi

# --- 3. close-week -------------------------------------------------------------------------------
if want close-week; then
    say "close-week: generating $CW_ORDERS orders over $CW_CLIENTS clients (SQL, as close_week.sh)"
    export CREW_DB="$work/cw.db" CREW_NOW="2026-11-29T07:00:00Z"
    printf 'admin-bench\n' | "$crew" -q init --password-stdin >/dev/null
    printf 'admin-bench\n' | "$crew" -q login admin --password-stdin >/dev/null
    printf 'bench-pass\n' | "$crew" -q account create abe --role accountant --name Abe --password-stdin >/dev/null
    "$crew" -q service-type add cleaning --name Cleaning >/dev/null
    t0=$(date +%s.%N)
    # The generator of close_week.sh, the same SQL.
    sed -n '/^sqlite3 -bail "\$CREW_DB" <<SQL/,/^SQL$/p' "$root/scripts/bench/close_week.sh" | sed '1d;$d' \
        | sed "s/\$CLIENTS/$CW_CLIENTS/g; s/\$ORDERS/$CW_ORDERS/g" | sqlite3 -bail "$CREW_DB" >/dev/null
    t1=$(date +%s.%N)
    newdb cw_base
    say "close-week: crew db copy to PostgreSQL"
    # The copy commits, then runs `billing verify` on it, which fails as it does on the source (the
    # generated charges have no order events): that one refusal is expected, any other is not.
    /usr/bin/time -f '%e %U %S' -o "$work/copy.txt" "$crew" -q db copy --from "$CREW_DB" --to "$(pgurl cw_base)" >/dev/null 2>"$work/copy.err" \
        || grep -q 'holds every row, but its ledger fails verification' "$work/copy.err" || { cat "$work/copy.err" >&2; exit 1; }
    analyze cw_base
    echo "generated in $(python3 -c "print(round($t1 - $t0, 1))") s; \`crew db copy\` to PostgreSQL: $(tail -1 "$work/copy.txt" | cut -d' ' -f1) s wall" > "$work/prep.close-week"
    export CREW_NOW="2026-12-07T06:00:00Z"
    verify_ok() { # the cycle's own checks of `billing verify` (the generated charges have no order events)
        local check line
        "$crew" -q billing verify > "$work/verify.txt" || true
        for check in "every entry balances" "kept balances equal" "every invoice equals" "closed periods" "each collection"; do
            line="$(grep "^$check" "$work/verify.txt" | cut -c1-90)"
            [[ "$line" == *" ok" ]] || { echo "verify: $line"; return 0; }
        done
        echo "ok"
    }
    for ((r = 1; r <= RUNS; r++)); do
        cp "$work/cw.db" "$work/cw.run.db"
        export CREW_DB="$work/cw.run.db"
        printf 'bench-pass\n' | "$crew" -q login abe --password-stdin >/dev/null
        timed sqlite close-week "$CW_ORDERS / $CW_CLIENTS" "$r" "" -- "$crew" -q --format json billing close-week 2026-W49
        s_counts="$(sqlite3 "$CREW_DB" "SELECT count(*) FROM billing_invoices")/$(sqlite3 "$CREW_DB" "SELECT count(*) FROM billing_payments WHERE status='confirmed'"), verify $(verify_ok)"
        rm -f "$work/cw.run.db"*
        newdb cw_run cw_base
        export CREW_DB="$(pgurl cw_run)"
        printf 'bench-pass\n' | "$crew" -q login abe --password-stdin >/dev/null
        timed postgres close-week "$CW_ORDERS / $CW_CLIENTS" "$r" "" -- "$crew" -q --format json billing close-week 2026-W49
        p_counts="$(pgq cw_run "SELECT count(*) FROM billing_invoices")/$(pgq cw_run "SELECT count(*) FROM billing_payments WHERE status='confirmed'"), verify $(verify_ok)"
        dropdb_ cw_run
    done
    echo "invoices/collections confirmed: SQLite $s_counts; PostgreSQL $p_counts" > "$work/kept.close-week"
    dropdb_ cw_base
    rm -f "$work/cw.db"*
fi

# --- 4. 8 concurrent writers ---------------------------------------------------------------------
if want writers; then
    say "writers: a company of $WRITERS_WORKERS workers (bench_matching), 4 clients with passwords"
    export CREW_NOW=2026-11-30T06:00:00Z
    w="$work/writers"
    mkdir -p "$w"
    "$helper" generate "$w/base.db" "$WRITERS_WORKERS" 0 7 "$w/token" >/dev/null
    token="$(cat "$w/token")"
    export CREW_DB="$w/base.db"
    printf 'bench-password\n' | "$crew" -q login admin --password-stdin >/dev/null
    for c in 0 1 2 3; do printf 'client-pass\n' | "$crew" -q account reset-password "c$c@bench.example" --password-stdin >/dev/null; done
    newdb writers
    "$crew" -q db copy --from "$w/base.db" --to "$(pgurl writers)" >/dev/null
    cp "$w/base.db" "$w/sqlite.db"
    # loop KIND ID END_EPOCH -- command...: runs the command until END, counts exit codes
    loop() {
        local kind="$1" id="$2" end="$3" n=0 code; shift 4
        : > "$w/$kind.$id.codes"
        while (( $(date +%s%N) < end )); do
            n=$((n + 1))
            if [[ "$kind" == order ]]; then
                local day=$((1 + n % 5)) hour=$((7 + (n * 7 + id) % 11)) minute=$(((n % 4) * 15))
                set -- "$crew" -q order create --service "$( ((n % 2)) && echo cleaning || echo gardening)" \
                    --at "$(printf '2026-12-%02d %02d:%02d' "$day" "$hour" "$minute")"
            fi
            code=0
            "$@" >/dev/null 2>>"$w/$kind.$id.err" || code=$?
            echo "$code" >> "$w/$kind.$id.codes"
        done
    }
    for store in sqlite postgres; do
        if [[ "$store" == sqlite ]]; then db="$w/sqlite.db"; else db="$(pgurl writers)"; fi
        rm -rf "$w/mail" "$w"/*.codes "$w"/*.err
        printf '[mail]\ntransport = "file"\ndir = "%s"\n' "$w/mail" > "$w/crew.toml"
        export CREW_DB="$db" CREW_CONFIG="$w/crew.toml"
        for c in 0 1 2 3; do
            XDG_CONFIG_HOME="$w/conf.c$c" bash -c 'printf "client-pass\n" | "$0" -q login "$1" --password-stdin >/dev/null' "$crew" "c$c@bench.example"
        done
        [[ "$store" == postgres ]] && { stmts_reset; cpu0="$(pg_cpu)"; }
        load_before="$(load1)"
        start=$(date +%s%N)
        end=$((start + WRITERS_SECONDS * 1000000000))
        bg_pids=()
        for c in 0 1 2 3; do XDG_CONFIG_HOME="$w/conf.c$c" loop order "$c" "$end" -- & bg_pids+=($!); done
        for i in 0 1; do CREW_TOKEN="$token" loop matching "$i" "$end" -- "$crew" -q matching run & bg_pids+=($!); done
        for i in 0 1; do CREW_TOKEN="$token" loop deliver "$i" "$end" -- "$crew" -q outbox deliver & bg_pids+=($!); done
        wait "${bg_pids[@]}" || true
        bg_pids=()
        finish=$(date +%s%N)
        server="-"; st="- -"
        [[ "$store" == postgres ]] && { server="$(python3 -c "print(round($(pg_cpu) - $cpu0, 2))")"; st="$(stmts_read)"; }
        # After the 60 s: what the store holds, the checks.
        if [[ "$store" == sqlite ]]; then
            q() { sqlite3 "$w/sqlite.db" "$1"; }
        else
            q() { pgq writers "$1"; }
        fi
        orders="$(q "SELECT count(*) FROM orders")"
        assigned="$(q "SELECT count(*) FROM orders WHERE worker_id IS NOT NULL")"
        same_slot="$(q "SELECT count(*) FROM orders a JOIN orders b ON a.worker_id = b.worker_id AND a.id < b.id AND a.scheduled_at = b.scheduled_at WHERE a.status NOT IN ('cancelled') AND b.status NOT IN ('cancelled')")"
        sent="$(q "SELECT count(*) FROM outbox WHERE status = 'sent'")"
        sent_twice="$(q "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts > 1")"
        queued="$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")"
        files="$(find "$w/mail" -name '*.eml' 2>/dev/null | wc -l)"
        printf 'bench-password\n' | "$crew" -q login admin --password-stdin >/dev/null
        verify="$("$crew" -q billing verify 2>&1 | grep -v '^CHECK ' | grep -vc ' ok$' || true)"
        python3 - "$w" "$store" "$(( (finish - start) / 1000000 ))" "$server" "$st" "$load_before" "$(load1)" \
            "$orders" "$assigned" "$same_slot" "$sent" "$sent_twice" "$queued" "$files" "$verify" >> "$work/writers.json" <<'PY'
import glob, json, os, re, sys, collections
w, store, ms, server, st, l0, l1, orders, assigned, same, sent, twice, queued, files, verify = sys.argv[1:]
kinds = {}
for kind in ("order", "matching", "deliver"):
    codes = collections.Counter()
    for f in glob.glob(f"{w}/{kind}.*.codes"):
        codes.update(int(x) for x in open(f).read().split())
    errors = collections.Counter()
    for f in glob.glob(f"{w}/{kind}.*.err"):
        for line in open(f):
            line = line.strip()
            if line and not line.startswith(("hint", "  ")):
                errors[re.sub(r"\d+", "N", line)[:140]] += 1
    kinds[kind] = {"ok": codes[0], "failed": sum(v for k, v in codes.items() if k), "codes": {str(k): v for k, v in codes.items() if k},
                   "errors": errors.most_common(4)}
print(json.dumps({"store": store, "seconds": int(ms) / 1000, "server_cpu": server, "statements": st.split()[0],
                  "load": f"{l0} → {l1}", "kinds": kinds, "orders": orders, "assigned": assigned, "same_slot": same,
                  "sent": sent, "sent_twice": twice, "queued": queued, "files": files, "verify_not_ok": verify}))
PY
        unset CREW_CONFIG
        say "writers $store: done"
    done
    dropdb_ writers
    rm -rf "$w"
fi

# --- the section ---------------------------------------------------------------------------------
commit="$(git -C "$root" rev-parse --short HEAD)"
if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]]; then commit="$commit + uncommitted changes"; fi
[[ -n "$CREW_BIN_GIVEN" ]] && commit="binary $crew (work tree at $commit)"
python3 - "$work" "$commit" "$command_line" "$pg_version" "$pg_settings" "$(nproc)" <<'PY' > "$work/section.md"
import collections, datetime, json, os, sys
work, commit, command, pg_version, settings, cores = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(f"{work}/results.tsv")]
print("<!-- bench:postgres:begin (written by scripts/bench/postgres.sh; do not edit by hand) -->")
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at {commit}, {cores} cores, release build, "
      f"PostgreSQL {pg_version} on loopback (`{settings.replace('-c ', '')}`), by `{command}`.\n")
names = {"intake": "`crew hiring import flood.csv` (rows)", "matching": "`crew matching run` (orders × workers)",
         "close-week": "`crew billing close-week 2026-W49` (orders / clients)"}
if rows:
    print("| command | size | store | run | wall | crew CPU (user + sys) | server CPU | statements | server time in statements | load (1 min) |")
    print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for part, size, store, run, wall, user, sys_, server, stmts, server_ms, load in rows:
        cpu = float(user) + float(sys_)
        srv = f"{float(server):.2f} s" if store == "postgres" else "—"
        st = f"{int(stmts):,}" if store == "postgres" else "—"
        sm = f"{int(server_ms) / 1000:.2f} s" if store == "postgres" else "—"
        print(f"| {names[part]} | {size} | {'PostgreSQL' if store == 'postgres' else 'SQLite'} | {run} | {float(wall):.2f} s | {cpu:.2f} s | {srv} | {st} | {sm} | {load} |")
    print()
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for part, size, store, run, wall, user, sys_, *_ in rows:
        by[(part, size)][store].append((float(wall), float(user) + float(sys_)))
    for (part, size), s in by.items():
        if "sqlite" in s and "postgres" in s:
            med = lambda xs: sorted(xs)[len(xs) // 2]
            ws, wp = med([x[0] for x in s["sqlite"]]), med([x[0] for x in s["postgres"]])
            cs, cp = med([x[1] for x in s["sqlite"]]), med([x[1] for x in s["postgres"]])
            extra = []
            for name in ("kept", "prep"):
                p = f"{work}/{name}.{part}"
                if os.path.exists(p):
                    extra.append(open(p).read().strip())
            print(f"- **{part}**, {size}: PostgreSQL ÷ SQLite, wall (median) **{wp / ws:.1f}×**, crew's CPU {cp / cs:.1f}×. "
                  + " ".join(e + "." for e in extra))
    print()
if os.path.exists(f"{work}/writers.json"):
    ws = [json.loads(l) for l in open(f"{work}/writers.json")]
    print("8 concurrent writers (4 × `order create` as 4 clients, 2 × `matching run`, 2 × `outbox deliver`, file transport), "
          "each in a loop for the same time, one store after the other:\n")
    print("| store | seconds | orders placed (failed) | matching runs (failed) | deliver runs (failed) | server CPU | statements | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for x in ws:
        k = x["kinds"]
        f = lambda n: f"{k[n]['ok']} ({k[n]['failed']})"
        srv = f"{float(x['server_cpu']):.1f} s" if x["server_cpu"] != "-" else "—"
        st = f"{int(x['statements']):,}" if x["statements"] != "-" else "—"
        print(f"| {'PostgreSQL' if x['store'] == 'postgres' else 'SQLite'} | {x['seconds']:.1f} | {f('order')} | {f('matching')} | {f('deliver')} | {srv} | {st} | {x['load']} |")
    print()
    for x in ws:
        name = "PostgreSQL" if x["store"] == "postgres" else "SQLite"
        errs = []
        for kind, v in x["kinds"].items():
            for msg, n in v["errors"]:
                errs.append(f"{kind}: {n} × “{msg}”")
            if v["codes"]:
                errs.append(f"{kind} exit codes {v['codes']}")
        print(f"- {name} afterwards: {x['orders']} orders, {x['assigned']} assigned; worker pairs booked at the same start: "
              f"**{x['same_slot']}**; mails sent {x['sent']} = files written {x['files']} "
              f"({'equal' if x['sent'] == x['files'] else 'NOT EQUAL'}), sent after more than one attempt: **{x['sent_twice']}**, "
              f"still queued {x['queued']}; `billing verify` lines not ok: **{x['verify_not_ok']}**. "
              f"Errors: {'; '.join(errs) if errs else 'none'}.")
print("<!-- bench:postgres:end -->")
PY
cat "$work/section.md"
if (( write )); then
    doc="$root/BENCHMARKS.md"
    if ! grep -q '^<!-- bench:postgres:begin' "$doc" || ! grep -q '^<!-- bench:postgres:end -->' "$doc"; then
        echo "$doc has no bench:postgres markers: paste the section above by hand" >&2
        exit 1
    fi
    awk -v section="$work/section.md" '
        /^<!-- bench:postgres:begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
        /^<!-- bench:postgres:end -->/ { skip = 0; next }
        !skip { print }' "$doc" > "$work/BENCHMARKS.md.new"
    cat "$work/BENCHMARKS.md.new" > "$doc"
    echo "updated $doc (the bench:postgres section)" >&2
fi
