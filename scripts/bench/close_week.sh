#!/usr/bin/env bash
# close-week at scale (issue 10): ORDERS orders (default 1,000,000) over CLIENTS clients (default
# 100,000), all charged in one week (2026-W49), then `crew billing close-week 2026-W49` end to end
# (one invoice per client, a collection reserved for each, then every collection sent to the
# built-in sandbox and settled, each in its own transaction, with its events and mail queued)
# beside raw SQL in the same run doing the same aggregation and the same rows on a copy of the
# same database in one transaction (invoices, invoice lines, payments, the collections' ledger
# entries, postings and balances, invoice and payment statuses; no events, no mail).
#
# The database is generated directly with SQL (accounts, orders, their charges, postings and
# balances as billing's subscriber would have left them), not through crew, for speed.
#
#   bash scripts/bench/close_week.sh                      # prints a markdown section
#   ORDERS=100000 CLIENTS=10000 bash scripts/bench/close_week.sh
#   CREW_BIN=/path/to/crew bash scripts/bench/close_week.sh
#   PROFILE="perf record -F 250 --call-graph dwarf -o /tmp/close.perf" ORDERS=100000 CLIENTS=10000 \
#     bash scripts/bench/close_week.sh        # crew's run under a profiler (its time then includes it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
ORDERS="${ORDERS:-1000000}"
CLIENTS="${CLIENTS:-100000}"
if ! command -v sqlite3 >/dev/null; then
    apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null
fi
if [[ -z "${CREW_BIN:-}" ]]; then
    cargo build --release -q -p crew-cli --bin crew
    CREW_BIN="${CARGO_TARGET_DIR:-$root/target}/release/crew"
fi
crew="$(realpath "$CREW_BIN")"
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-close-week.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
unset CREW_TOKEN CREW_CONFIG CREW_FORMAT
export CREW_DB="$work/crew.db" XDG_CONFIG_HOME="$work/config" HOME="$work/home"
export CREW_NOW="2026-11-29T07:00:00Z"
mkdir -p "$HOME"
say() { echo "$*" >&2; }

# 1. A company: an admin, an accountant, a worker, a service type (through crew) -----------------
printf 'admin-bench\n' | "$crew" -q init --password-stdin >/dev/null
printf 'admin-bench\n' | "$crew" -q login admin --password-stdin >/dev/null
printf 'bench-pass\n' | "$crew" -q account create abe --role accountant --name Abe --password-stdin >/dev/null
"$crew" -q service-type add cleaning --name Cleaning >/dev/null

# 2. Clients, orders and their charges, written directly ------------------------------------------
say "generating $ORDERS orders over $CLIENTS clients (SQL)…"
gen_start=$(date +%s.%N)
sqlite3 -bail "$CREW_DB" <<SQL >/dev/null
PRAGMA journal_mode = WAL;
BEGIN;
INSERT INTO accounts (id, login, name, email, role, active, created_at)
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $CLIENTS)
SELECT 1000 + n, 'client' || n || '@bench.example', 'Client ' || n, 'client' || n || '@bench.example', 'client', 1,
       '2026-11-01T00:00:00.000000Z'
FROM g;
INSERT INTO accounts (id, login, name, email, role, active, created_at)
VALUES (999, 'worker@bench.example', 'Worker', 'worker@bench.example', 'worker', 1, '2026-11-01T00:00:00.000000Z');
-- Order n belongs to client (n mod CLIENTS) + 1, at a time spread over Monday to Sunday.
INSERT INTO orders (id, client_id, service_type, zone, scheduled_at, description, status, worker_id, quote_cents,
                    price_cents, created_at, updated_at)
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $ORDERS)
SELECT n, 1000 + (n % $CLIENTS) + 1, 'cleaning', 'north',
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2026-11-30', '+' || (n % 604000) || ' seconds'), '', 'completed', 999,
       10000 + (n % 97), 10000 + (n % 97), '2026-11-29T00:00:00.000000Z', '2026-11-29T00:00:00.000000Z'
FROM g;
INSERT INTO billing_entries (seq, id, kind, at, order_id, cause, actor, memo)
SELECT id, 'order:' || id || ':charge', 'charge', scheduled_at, id, NULL, NULL, '' FROM orders;
INSERT INTO billing_postings (entry_seq, line, account, amount)
SELECT id, 1, 'client:' || client_id, price_cents FROM orders;
INSERT INTO billing_postings (entry_seq, line, account, amount)
SELECT id, 2, 'company:revenue', -price_cents FROM orders;
INSERT INTO billing_balances (account, debits, credits)
SELECT account, sum(max(amount, 0)), sum(max(-amount, 0)) FROM billing_postings GROUP BY account;
COMMIT;
SQL
gen_end=$(date +%s.%N)
say "generated in $(echo "$gen_end - $gen_start" | bc) s"
cp "$CREW_DB" "$work/raw.db"

# 3. crew billing close-week, end to end ------------------------------------------------------------
export CREW_NOW="2026-12-07T06:00:00Z"
printf 'bench-pass\n' | "$crew" -q login abe --password-stdin >/dev/null
load="$(cut -d' ' -f1-3 /proc/loadavg)"
say "crew billing close-week 2026-W49… (load average $load)"
crew_start=$(date +%s.%N)
# shellcheck disable=SC2086 # PROFILE is a command line, split on purpose
${PROFILE:-} /usr/bin/time -f '%U %S' -o "$work/crew.cpu" "$crew" -q --format json billing close-week 2026-W49 > "$work/close.json"
crew_end=$(date +%s.%N)
crew_s=$(echo "$crew_end - $crew_start" | bc)
crew_cpu=$(awk '{ print $1 + $2 }' "$work/crew.cpu")
crew_invoices=$(sqlite3 "$CREW_DB" "SELECT count(*) FROM billing_invoices")
crew_paid=$(sqlite3 "$CREW_DB" "SELECT count(*) FROM billing_payments WHERE status = 'confirmed'")
# verify: the generated charges have no causing order events (generated, not recorded), so that
# check fails by construction; the cycle's own checks must pass.
"$crew" -q billing verify > "$work/verify.txt" || true
for check in "every entry balances" "kept balances equal" "every invoice equals" "closed periods" "each collection"; do
    line="$(grep "^$check" "$work/verify.txt" | cut -c1-90)"
    [[ "$line" == *" ok" ]] || { echo "verify failed: $line" >&2; exit 1; }
done

# 4. The same in raw SQL, on the copy, in one transaction --------------------------------------------
say "raw SQL on the copy…"
raw_start=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$work/raw.cpu" sqlite3 -bail "$work/raw.db" <<'SQL' >/dev/null
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
CREATE TEMP TABLE open AS
SELECT p.account, CAST(substr(p.account, 8) AS INTEGER) AS holder, sum(p.amount) AS total, count(*) AS n
FROM billing_entries e JOIN billing_postings p ON p.entry_seq = e.seq
WHERE e.kind = 'charge' AND e.at < '2026-12-07T00:00:00.000000Z' AND p.account LIKE 'client:%'
  AND NOT EXISTS (SELECT 1 FROM billing_invoice_entries l WHERE l.entry_seq = e.seq)
GROUP BY p.account;
INSERT INTO billing_invoices (number, cycle, holder, period, amount, entries, issued_at, status)
SELECT row_number() OVER (ORDER BY holder), 'client', holder, '2026-W49', total, n, '2026-12-07T06:00:00.000000Z', 'issued'
FROM open WHERE total > 0;
INSERT INTO billing_invoice_entries (invoice, entry_seq)
SELECT i.number, e.seq FROM billing_invoices i
JOIN billing_postings p ON p.account = 'client:' || i.holder
JOIN billing_entries e ON e.seq = p.entry_seq AND e.kind = 'charge' AND e.at < '2026-12-07T00:00:00.000000Z';
INSERT INTO billing_payments (kind, invoice, retry, holder, amount, method, key, status, attempts, updated_at)
SELECT 'collection', number, 0, holder, amount, 'card',
       'crew-collection-inv' || number || '-2026-W49-acct' || holder, 'reserved', 0, issued_at
FROM billing_invoices;
-- The collections: each confirmed, posted (bank clearing <- client) with its balances.
UPDATE billing_payments SET status = 'confirmed', attempts = 1, service_id = 'sandbox-' || key;
UPDATE billing_invoices SET status = 'paid';
INSERT INTO billing_entries (id, kind, at, order_id, cause, actor, memo)
SELECT 'collection:' || invoice, 'collection', updated_at, NULL, NULL, NULL, 'invoice ' || invoice FROM billing_payments;
INSERT INTO billing_postings (entry_seq, line, account, amount)
SELECT e.seq, 1, 'company:bank_clearing', p.amount FROM billing_payments p JOIN billing_entries e ON e.id = 'collection:' || p.invoice;
INSERT INTO billing_postings (entry_seq, line, account, amount)
SELECT e.seq, 2, 'client:' || p.holder, -p.amount FROM billing_payments p JOIN billing_entries e ON e.id = 'collection:' || p.invoice;
CREATE TEMP TABLE paid (account TEXT PRIMARY KEY, amount INTEGER NOT NULL);
INSERT INTO paid SELECT 'client:' || holder, amount FROM billing_payments;
UPDATE billing_balances SET credits = credits + (SELECT amount FROM paid WHERE paid.account = billing_balances.account)
WHERE account IN (SELECT account FROM paid);
INSERT INTO billing_balances (account, debits, credits)
SELECT 'company:bank_clearing', sum(amount), 0 FROM billing_payments;
COMMIT;
SQL
raw_end=$(date +%s.%N)
raw_s=$(echo "$raw_end - $raw_start" | bc)
raw_cpu=$(awk '{ print $1 + $2 }' "$work/raw.cpu")
raw_invoices=$(sqlite3 "$work/raw.db" "SELECT count(*) FROM billing_invoices")
ratio=$(echo "scale=1; $crew_s / $raw_s" | bc)

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "### close-week: $ORDERS orders over $CLIENTS clients in one week ($(date -u +%Y-%m-%d), commit $commit)"
echo
cpu_ratio=$(echo "scale=1; $crew_cpu / $raw_cpu" | bc)
echo "| run | wall s | CPU s (user+sys) | invoices | collections confirmed |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| \`crew billing close-week 2026-W49\` (end to end, sandbox) | **$crew_s** | $crew_cpu | $crew_invoices | $crew_paid |"
echo "| raw SQL, one transaction (same rows; no events, no mail) | **$raw_s** | $raw_cpu | $raw_invoices | $raw_invoices |"
echo
echo "crew / raw SQL: **${ratio}×** wall, **${cpu_ratio}×** CPU (target ≤ 3×); load average before: $load."
echo "After crew's run \`crew billing verify\` passes every check but \"every charge … matches its order event\""
echo "(the generated charges have no order events)."
echo "Generating the database took $(echo "$gen_end - $gen_start" | bc) s."
