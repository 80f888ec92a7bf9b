#!/usr/bin/env bash
# Benchmark: one `crew order create`, from process start to exit, side by side with the `sqlite3`
# command-line tool inserting one row into the same database file. Target: crew within 2× of
# sqlite3 (median against median). See BENCHMARKS.md.
#
# Usage: bash scripts/bench/order_create.sh [--rev REV] [--runs N] [--rounds N] [--no-breakdown]
#                                           [--write]
#
#   --rev REV       build and time the committed REV (e.g. HEAD), from `git archive` into
#                   target/bench/, instead of the work tree as it is
#   --runs N        timed runs of each command per round (default 40, at least 30)
#   --rounds N      hyperfine invocations, each timing all compared commands, their order rotated
#                   every round (default 9). The disk here has phases of slow fsync (~20 ms)
#                   lasting seconds; a round lasts about one second, so within a round the
#                   commands mostly see the same disk, and the median of per-round ratios is the
#                   figure least moved by those phases.
#   --no-breakdown  skip the last, informational hyperfine invocation (crew --version, whoami,
#                   order quote; sqlite3 SELECT 1, a point read) that shows where the time goes
#   --write         replace the section between the markers in BENCHMARKS.md with the result
#
# Environment: KEEP=1 keeps the temporary folder (database, config) for a look afterwards;
# CREW_BIN=PATH times that crew binary instead of building one (to compare two builds).
# Results (hyperfine JSON and the markdown section) go to target/bench/order_create/.
set -euo pipefail

RUNS=40
ROUNDS=9
BREAKDOWN=1
WRITE=0
REV=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rev) REV="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --no-breakdown) BREAKDOWN=0; shift ;;
        --write) WRITE=1; shift ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ! [[ "$RUNS" =~ ^[0-9]+$ ]] || (( RUNS < 30 )); then
    echo "--runs must be a number, at least 30" >&2
    exit 2
fi
if ! [[ "$ROUNDS" =~ ^[0-9]+$ ]] || (( ROUNDS < 1 )); then
    echo "--rounds must be a number, at least 1" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { printf '\n== %s\n' "$*" >&2; }

# 1. Tools: hyperfine and sqlite3 (and jq to read hyperfine's JSON), from Debian if missing --------
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
if [[ -n "${CREW_BIN:-}" ]]; then
    BIN="$(realpath "$CREW_BIN")"
    say "timing $BIN (CREW_BIN), not building"
elif [[ -n "$REV" ]]; then
    REV_SHORT="$(git rev-parse --short "$REV^{commit}")"
    src="$ROOT/target/bench/src"
    say "cargo build --release -p crew-cli of $REV ($REV_SHORT), in $src"
    rm -rf "$src"
    mkdir -p "$src"
    git archive "$REV_SHORT" | tar -x -C "$src"
    (cd "$src" && CARGO_TARGET_DIR="$ROOT/target/bench/build" cargo build --release -p crew-cli)
    BIN="$ROOT/target/bench/build/release/crew"
else
    say "cargo build --release -p crew-cli"
    cargo build --release -p crew-cli
    BIN="$ROOT/target/release/crew"
fi

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
cp "$BIN" "$CREW"
SQLITE3="$(command -v sqlite3)"

# Only what this script sets may steer crew or sqlite3 (no ~/.sqliterc, no crew.toml, no token).
unset CREW_TOKEN CREW_CONFIG CREW_FORMAT
mkdir -p "$WORK/home"
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$WORK/config"
export CREW_DB="$WORK/crew.db"
export CREW_NOW="2026-11-25T08:00:00Z" # so that the order's time, 2027-01-05, is in the future
DB="$CREW_DB"
cd "$WORK"

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

# The sqlite3 side inserts the very row crew writes: take its values from crew's first order.
say "one run of each, untimed"
$CREW_CMD
IFS='|' read -r CLIENT_ID ZONE AT QUOTE TS < <("$SQLITE3" "$DB" \
    "SELECT client_id, zone, scheduled_at, quote_cents, created_at FROM orders ORDER BY id DESC LIMIT 1")
if [[ "$CLIENT_ID" != "$("$SQLITE3" "$DB" "SELECT id FROM accounts WHERE login = 'ann@example.com'")" ]]; then
    echo "crew's order is not Ann's: client_id $CLIENT_ID" >&2
    exit 1
fi
SQL="INSERT INTO orders (client_id, service_type, zone, scheduled_at, description, status, quote_cents, created_at, updated_at) VALUES ($CLIENT_ID,'cleaning','$ZONE','$AT','bench','open',$QUOTE,'$TS','$TS')"
# The plain sqlite3 CLI: no busy timeout, foreign keys off, synchronous=FULL (its default, so one
# more fsync per commit than crew's NORMAL).
SQLITE_CMD="$SQLITE3 $DB \"$SQL\""
# The same insert with the settings crew's store applies to every connection.
PRAGMAS_CMD="$SQLITE3 -cmd '.timeout 30000' $DB \"PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; $SQL\""
echo "$SQL"
"$SQLITE3" "$DB" "$SQL"
before="$("$SQLITE3" "$DB" "SELECT count(*) FROM orders")"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# 4. Time them ------------------------------------------------------------------------------------
OUT="$ROOT/target/bench/order_create"
mkdir -p "$OUT"
rm -f "$OUT"/round-*.json "$OUT"/breakdown.json "$OUT"/section.md
names=(crew sqlite3 sqlite3+pragmas)
cmds=("$CREW_CMD" "$SQLITE_CMD" "$PRAGMAS_CMD")
for ((r = 1; r <= ROUNDS; r++)); do
    say "round $r of $ROUNDS: hyperfine, warmup 3, $RUNS runs of each"
    args=()
    for ((i = 0; i < ${#names[@]}; i++)); do
        j=$(((i + r - 1) % ${#names[@]}))
        args+=(-n "${names[j]}" "${cmds[j]}")
    done
    hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-json "$OUT/round-$(printf %02d "$r").json" "${args[@]}"
done

# Every timed or warmup run must have inserted its row.
after="$("$SQLITE3" "$DB" "SELECT count(*) FROM orders")"
expected=$((before + ROUNDS * ${#names[@]} * (RUNS + 3)))
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
        -n 'sqlite3 INSERT' "$SQLITE_CMD"
fi

# 5. Report ---------------------------------------------------------------------------------------
# Median of the numbers on standard input, printed with two decimals.
median() {
    sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) exit 1
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.2f", m }'
}
# Median (ms) of every timed run of NAME, all rounds pooled.
pooled_ms() {
    jq -r --arg n "$1" '.results[] | select(.command == $n) | .times[] * 1000' "$OUT"/round-*.json |
        median
}
# Each round's median (ms) of NAME, one a line.
round_ms() {
    jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$OUT"/round-*.json
}
# Each round's ratio crew ÷ NAME, one a line.
round_ratios() {
    paste <(round_ms crew) <(round_ms "$1") | awk '{ printf "%.2f\n", $1 / $2 }'
}
list() { awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 }'; }

count=$(jq -r '.results[] | select(.command == "crew") | .times[]' "$OUT"/round-*.json | wc -l)
crew_ms="$(pooled_ms crew)"
sqlite_ms="$(pooled_ms sqlite3)"
pragmas_ms="$(pooled_ms sqlite3+pragmas)"
ratio_plain="$(round_ratios sqlite3 | median)"
ratio_pragmas="$(round_ratios sqlite3+pragmas | median)"
pooled_plain="$(awk -v a="$crew_ms" -v b="$sqlite_ms" 'BEGIN { printf "%.2f", a / b }')"
pooled_pragmas="$(awk -v a="$crew_ms" -v b="$pragmas_ms" 'BEGIN { printf "%.2f", a / b }')"
met="$(awk -v r="$ratio_plain" -v p="$pooled_plain" 'BEGIN { print (r <= 2.0 && p <= 2.0) ? "yes" : "no" }')"

cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//')"
machine="$(nproc) CPUs ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
fs="$(df -T "$WORK" | awk 'NR == 2 { print $2 }')"
kernel="$(uname -r)"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
    commit="$commit with uncommitted changes in crates/"
fi
if [[ -n "$REV" && -z "${CREW_BIN:-}" ]]; then
    commit="commit $REV_SHORT"
elif [[ -n "${CREW_BIN:-}" ]]; then
    commit="binary $CREW_BIN (work tree at $commit)"
fi
kind="$( (file -b "$CREW" 2>/dev/null || true) | grep -o '^ELF 64-bit LSB [a-z ]*executable' |
    sed 's/^ELF 64-bit LSB //' || true)"
sqlite_version="$("$SQLITE3" --version | awk '{ print $1 }')"
sys_version="$(awk '/^name = "libsqlite3-sys"/ { getline; gsub(/"/, "", $3); print $3 }' "$ROOT/Cargo.lock")"
bundled_version="$( (grep -h -m1 '^#define SQLITE_VERSION ' \
    "${CARGO_HOME:-$(getent passwd "$(id -un)" | cut -d: -f6)/.cargo}"/registry/src/*/"libsqlite3-sys-$sys_version"/sqlite3/sqlite3.c \
    2>/dev/null || true) | awk '{ gsub(/"/, "", $3); print $3 }' | head -n1)"

SECTION="$OUT/section.md"
{
    echo "<!-- bench:order_create:begin (written by scripts/bench/order_create.sh --write) -->"
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $machine, Linux $kernel, $fs;"
    echo "load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "crew: $commit, release build${kind:+ ($kind)}, SQLite ${bundled_version:-?} bundled"
    echo "(libsqlite3-sys $sys_version). sqlite3: the Debian CLI, SQLite $sqlite_version."
    echo "hyperfine $(hyperfine --version | awk '{ print $2 }') \`--shell=none\`, warmup 3,"
    echo "$ROUNDS rounds × $RUNS runs of each command, order rotated each round ($count runs of each in all)."
    echo
    echo "| command | median, all runs (ms) | medians of the rounds (ms) |"
    echo "| --- | ---: | --- |"
    echo "| \`crew order create\` | **$crew_ms** | $(round_ms crew | list) |"
    echo "| \`sqlite3\` INSERT of one row (plain CLI) | **$sqlite_ms** | $(round_ms sqlite3 | list) |"
    echo "| \`sqlite3\` INSERT with crew's pragmas | $pragmas_ms | $(round_ms sqlite3+pragmas | list) |"
    echo
    echo "| crew ÷ … | median of the rounds' ratios | ratio of the pooled medians | ratios of the rounds |"
    echo "| --- | ---: | ---: | --- |"
    echo "| plain \`sqlite3\` | **${ratio_plain}×** | ${pooled_plain}× | $(round_ratios sqlite3 | list) |"
    echo "| \`sqlite3\` with crew's pragmas | ${ratio_pragmas}× | ${pooled_pragmas}× | $(round_ratios sqlite3+pragmas | list) |"
    echo
    echo "**crew ÷ sqlite3 = ${ratio_plain}× (median of the rounds' ratios; ${pooled_plain}× pooled). Target ≤ 2×: $([[ $met == yes ]] && echo met || echo NOT met).**"
    if (( BREAKDOWN )); then
        echo
        echo "Breakdown (a separate hyperfine invocation, $RUNS runs each; user and system are means):"
        echo
        echo "| command | median (ms) | user (ms) | system (ms) |"
        echo "| --- | ---: | ---: | ---: |"
        jq -r '.results[] | "| `\(.command)` | \(.median * 1000 | . * 100 | round / 100) | \(.user * 1000 | . * 100 | round / 100) | \(.system * 1000 | . * 100 | round / 100) |"' \
            "$OUT/breakdown.json"
    fi
    echo "<!-- bench:order_create:end -->"
} >"$SECTION"

say "result"
cat "$SECTION"
echo
echo "crew median ${crew_ms} ms, sqlite3 median ${sqlite_ms} ms: ratio ${ratio_plain}x (pooled ${pooled_plain}x), target (<= 2x) met: $met"
echo "(sqlite3 with crew's pragmas: ${pragmas_ms} ms, ratio ${ratio_pragmas}x, pooled ${pooled_pragmas}x)"
echo "hyperfine JSON in $OUT/"

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
