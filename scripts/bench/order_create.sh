#!/usr/bin/env bash
# Benchmark: one `crew order create`, from process start to exit, side by side with the `sqlite3`
# command-line tool inserting one row into the same database file. Target: crew within 2× of
# sqlite3 (median against median).
#
# Usage: bash scripts/bench/order_create.sh [--runs N] [--rounds N] [--no-breakdown] [--write]
#
#   --runs N        timed runs of each command per round (default 40, at least 30)
#   --rounds N      hyperfine invocations, each timing both commands; the command order is
#                   swapped every round so that drift on a noisy machine hits both (default 3)
#   --no-breakdown  skip the second, informational hyperfine invocation (crew --version, whoami,
#                   order quote; sqlite3 SELECT 1, a point read, the INSERT with crew's pragmas)
#                   that shows where the time goes
#   --write         replace the section between the markers in BENCHMARKS.md with the result
#
# Environment: KEEP=1 keeps the temporary folder (database, config, JSON) for a look afterwards.
# Results (hyperfine JSON and the markdown section) go to target/bench/order_create/.
set -euo pipefail

RUNS=40
ROUNDS=3
BREAKDOWN=1
WRITE=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --no-breakdown) BREAKDOWN=0; shift ;;
        --write) WRITE=1; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if (( RUNS < 30 )); then
    echo "--runs must be at least 30" >&2
    exit 2
fi
if (( ROUNDS < 1 )); then
    echo "--rounds must be at least 1" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { printf '\n== %s\n' "$*" >&2; }

# 1. Tools ----------------------------------------------------------------------------------------
missing=()
for tool in hyperfine sqlite3 jq; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if (( ${#missing[@]} > 0 )); then
    say "installing ${missing[*]} (Debian packages)"
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# 2. Build ----------------------------------------------------------------------------------------
say "cargo build --release -p crew-cli"
cargo build --release -p crew-cli

# 3. A fresh company in a temporary folder --------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench.XXXXXX")"
cleanup() {
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# A copy of the binary, so that a rebuild in the work tree during the run cannot change it.
CREW="$WORK/crew"
cp target/release/crew "$CREW"
SQLITE3="$(command -v sqlite3)"

# Only what this script sets may steer crew.
unset CREW_TOKEN CREW_CONFIG CREW_FORMAT
export XDG_CONFIG_HOME="$WORK/config"
export CREW_DB="$WORK/crew.db"
export CREW_NOW="2026-11-25T08:00:00Z"
DB="$CREW_DB"
cd "$WORK" # no stray ./crew.toml

say "setting up a company in $WORK"
printf '%s\n' 'bench-admin-pw' | "$CREW" init --password-stdin
printf '%s\n' 'bench-admin-pw' | "$CREW" login admin --password-stdin
"$CREW" service-type add cleaning --name Cleaning --skills cleaning:2
printf 'name,email,zone\nAnn Example,ann@example.com,north\nBob Example,bob@example.com,south\n' \
    >"$WORK/clients.csv"
"$CREW" import clients "$WORK/clients.csv"
printf '%s\n' 'bench-client-pw' | "$CREW" account reset-password ann@example.com --password-stdin
printf '%s\n' 'bench-client-pw' | "$CREW" login ann@example.com --password-stdin
"$CREW" whoami

CREW_CMD="$CREW order create --service cleaning --at 2027-01-05T10:00:00Z --description bench"

# The sqlite3 side inserts the very row crew writes: take it from crew's first order.
say "one run of each, untimed"
$CREW_CMD
IFS='|' read -r CLIENT_ID ZONE AT QUOTE TS < <("$SQLITE3" "$DB" \
    "SELECT client_id, zone, scheduled_at, quote_cents, created_at FROM orders ORDER BY id DESC LIMIT 1")
if [[ "$CLIENT_ID" != "$("$SQLITE3" "$DB" "SELECT id FROM accounts WHERE login = 'ann@example.com'")" ]]; then
    echo "crew's order is not Ann's: client_id $CLIENT_ID" >&2
    exit 1
fi
SQL="INSERT INTO orders (client_id, service_type, zone, scheduled_at, description, status, quote_cents, created_at, updated_at) VALUES ($CLIENT_ID,'cleaning','$ZONE','$AT','bench','open',$QUOTE,'$TS','$TS')"
SQLITE_CMD="$SQLITE3 $DB \"$SQL\""

"$SQLITE3" "$DB" "$SQL"
before="$("$SQLITE3" "$DB" "SELECT count(*) FROM orders")"

# 4. Time them ------------------------------------------------------------------------------------
OUT="$ROOT/target/bench/order_create"
mkdir -p "$OUT"
rm -f "$OUT"/round-*.json "$OUT"/breakdown.json
for ((r = 1; r <= ROUNDS; r++)); do
    say "round $r of $ROUNDS: hyperfine, warmup 3, $RUNS runs each"
    pair=(-n crew "$CREW_CMD" -n sqlite3 "$SQLITE_CMD")
    if (( r % 2 == 0 )); then pair=(-n sqlite3 "$SQLITE_CMD" -n crew "$CREW_CMD"); fi
    hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-json "$OUT/round-$r.json" "${pair[@]}"
done

after="$("$SQLITE3" "$DB" "SELECT count(*) FROM orders")"
expected=$((before + ROUNDS * 2 * (RUNS + 3)))
if [[ "$after" != "$expected" ]]; then
    echo "expected $expected orders after the runs, found $after" >&2
    exit 1
fi

if (( BREAKDOWN )); then
    say "breakdown (informational): where the time goes"
    hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-json "$OUT/breakdown.json" \
        -n 'crew --version' "$CREW --version" \
        -n 'crew whoami' "$CREW whoami" \
        -n 'crew order quote' "$CREW order quote --service cleaning --at 2027-01-05T10:00:00Z" \
        -n 'crew order create' "$CREW_CMD" \
        -n 'sqlite3 SELECT 1' "$SQLITE3 $DB 'SELECT 1'" \
        -n 'sqlite3 point read' "$SQLITE3 $DB \"SELECT id FROM accounts WHERE login = 'ann@example.com'\"" \
        -n 'sqlite3 INSERT' "$SQLITE_CMD" \
        -n "sqlite3 INSERT, crew's pragmas" \
        "$SQLITE3 -cmd '.timeout 30000' $DB \"PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; $SQL\""
fi

# 5. Report ---------------------------------------------------------------------------------------
# Median (ms) of every timed run of NAME across the round files.
median_ms() {
    jq -r --arg n "$1" '.results[] | select(.command == $n) | .times[]' "$OUT"/round-*.json |
        sort -g |
        awk '{ a[NR] = $1 } END {
            if (NR == 0) exit 1
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
            printf "%.2f", m * 1000 }'
}
# Each round's median (ms) of NAME, comma separated.
round_medians() {
    local f out=()
    for f in "$OUT"/round-*.json; do
        out+=("$(jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000 | . * 100 | round / 100' "$f")")
    done
    local IFS=,
    echo "${out[*]}" | sed 's/,/, /g'
}
count=$(jq -r '.results[] | select(.command == "crew") | .times[]' "$OUT"/round-*.json | wc -l)
crew_ms="$(median_ms crew)"
sqlite_ms="$(median_ms sqlite3)"
ratio="$(awk -v c="$crew_ms" -v s="$sqlite_ms" 'BEGIN { printf "%.2f", c / s }')"
met="$(awk -v r="$ratio" 'BEGIN { print (r <= 2.0) ? "yes" : "no" }')"

cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//')"
host_line="$(nproc) CPUs, $cpu, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
fs="$(df -T "$WORK" | awk 'NR == 2 { print $2 }')"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
    commit="$commit + uncommitted changes in crates/"
fi
sqlite_version="$("$SQLITE3" --version | awk '{ print $1 }')"
sys_version="$(awk '/^name = "libsqlite3-sys"/ { getline; gsub(/"/, "", $3); print $3 }' "$ROOT/Cargo.lock")"
bundled_version="$(grep -h -m1 '^#define SQLITE_VERSION ' \
    "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"libsqlite3-sys-$sys_version"/sqlite3/sqlite3.c 2>/dev/null |
    awk '{ gsub(/"/, "", $3); print $3 }' | head -n1 || true)"
bundled_version="SQLite ${bundled_version:-?} bundled by libsqlite3-sys $sys_version"

breakdown_table=""
if (( BREAKDOWN )); then
    breakdown_table="$(jq -r '.results[] | "| `\(.command)` | \(.median * 1000 * 100 | round / 100) | \(.user * 1000 * 100 | round / 100) | \(.system * 1000 * 100 | round / 100) |"' "$OUT/breakdown.json")"
fi

SECTION="$OUT/section.md"
{
    echo "<!-- bench:order_create:begin (written by scripts/bench/order_create.sh --write) -->"
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $host_line; $fs file system;"
    echo "crew at $commit (release build, $bundled_version); \`sqlite3\` CLI $sqlite_version."
    echo "hyperfine $(hyperfine --version | awk '{ print $2 }'),"
    echo "\`--shell=none\`, warmup 3, $ROUNDS rounds × $RUNS runs of each command ($count runs each in all)."
    echo
    echo "| command | median (ms) | medians of the rounds (ms) |"
    echo "| --- | ---: | --- |"
    echo "| \`crew order create\` | **$crew_ms** | $(round_medians crew) |"
    echo "| \`sqlite3\` INSERT of one row | **$sqlite_ms** | $(round_medians sqlite3) |"
    echo
    echo "**Ratio crew / sqlite3: ${ratio}×. Target (≤ 2×) met: $met.**"
    if [[ -n "$breakdown_table" ]]; then
        echo
        echo "Breakdown (one more hyperfine invocation, $RUNS runs each; user and system are means):"
        echo
        echo "| command | median (ms) | user (ms) | system (ms) |"
        echo "| --- | ---: | ---: | ---: |"
        echo "$breakdown_table"
    fi
    echo "<!-- bench:order_create:end -->"
} >"$SECTION"

say "result"
cat "$SECTION"
echo
echo "crew median ${crew_ms} ms, sqlite3 median ${sqlite_ms} ms, ratio ${ratio}x, target met: $met"
echo "hyperfine JSON: $OUT/round-*.json$( ((BREAKDOWN)) && echo " and $OUT/breakdown.json")"

if (( WRITE )); then
    doc="$ROOT/BENCHMARKS.md"
    if ! grep -q '<!-- bench:order_create:begin' "$doc" 2>/dev/null ||
        ! grep -q '<!-- bench:order_create:end -->' "$doc"; then
        echo "$doc has no bench:order_create markers; paste $SECTION by hand" >&2
        exit 1
    fi
    awk -v section="$SECTION" '
        /<!-- bench:order_create:begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
        /<!-- bench:order_create:end -->/ { skip = 0; next }
        !skip { print }' "$doc" >"$doc.tmp"
    mv "$doc.tmp" "$doc"
    echo "updated $doc" >&2
fi
