#!/usr/bin/env bash
# Mail delivery under load (issue 8), three checks in one run:
#  1. 10,000 queued mails to a real SMTP server on loopback (aiosmtpd, Debian's python3-aiosmtpd):
#     `crew outbox deliver` (mail.parallel senders over reused connections) beside Python's smtplib
#     sending the same 10,000 messages (read from the outbox) over one reused connection. Median
#     of 3 runs each, crew on a fresh copy of the queued database every run.
#  2. A stalled server (accepts, never answers; and greets, then never answers): how long a run
#     with 100 due mails takes before it stops, in timeouts (mail.smtp.timeout_seconds = 2).
#  3. A flood then a priority mail: import 100,000 applications, assign an order, run
#     `outbox deliver --limit 10`: is the assignment mail among the ten?
#
#   bash scripts/bench/delivery.sh                  # measure, print, write the section into BENCHMARKS.md
#   bash scripts/bench/delivery.sh --print-only     # measure and print, leave BENCHMARKS.md as it is
#   CREW_PARALLEL=1 bash scripts/bench/delivery.sh  # crew over one connection
#   CREW_BIN=/path/to/crew bash scripts/bench/delivery.sh
#
# The section replaces what is between `<!-- bench:delivery:begin` and `<!-- bench:delivery:end -->`
# in BENCHMARKS.md, so the figures there are always the latest run, with its command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command_line="${CREW_PARALLEL:+CREW_PARALLEL=$CREW_PARALLEL }bash scripts/bench/delivery.sh${*:+ $*}${CREW_BIN:+ (CREW_BIN=$CREW_BIN)}"
write=1
for arg in "$@"; do
    case "$arg" in
        --print-only) write=0 ;;
        *) echo "usage: bash scripts/bench/delivery.sh [--print-only]" >&2; exit 2 ;;
    esac
done
CREW_BIN_GIVEN="${CREW_BIN:-}"
cd "$root"
py=/usr/bin/python3
if ! $py -c 'import aiosmtpd' 2>/dev/null || ! command -v sqlite3 >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-aiosmtpd sqlite3 >/dev/null
fi
if [[ -z "${CREW_BIN:-}" ]]; then
    cargo build --release -q -p crew-cli --bin crew
    CREW_BIN="${CARGO_TARGET_DIR:-$root/target}/release/crew"
fi
crew="$CREW_BIN"
work="$(mktemp -d "${TMPDIR:-/tmp}/crew-bench-delivery.XXXXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf -- "$work"; }
trap cleanup EXIT
cd "$work"
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A counting SMTP sink: aiosmtpd, keeps nothing but a count (written to a file on each message).
cat > sink.py <<'PY'
import asyncio, sys
from aiosmtpd.controller import Controller
class Count:
    def __init__(self): self.n = 0
    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        if self.n % 500 == 0:
            open(sys.argv[2], "w").write(str(self.n))
        return "250 OK"
    async def handle_QUIT(self, server, session, envelope):
        open(sys.argv[2], "w").write(str(self.n))
        return "221 Bye"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
import time
while True: time.sleep(3600)
PY
# The peer: Python's smtplib, one connection, the same messages as crew's outbox holds.
cat > peer.py <<'PY'
import smtplib, sqlite3, sys, time
from email.message import EmailMessage
from email.utils import formatdate
rows = sqlite3.connect(sys.argv[2]).execute(
    "SELECT cause, recipient, subject, body FROM outbox WHERE status = 'queued' ORDER BY priority, id").fetchall()
start = time.perf_counter()
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    for cause, to, subject, body in rows:
        m = EmailMessage()
        m["From"] = "crew <crew@example.com>"; m["To"] = to; m["Subject"] = subject
        m["Date"] = formatdate(); m["Message-ID"] = f"<{abs(hash(cause)):x}@crew>"
        m.set_content(body)
        s.send_message(m)
print(f"{len(rows)} {time.perf_counter() - start:.3f}")
PY
# Servers that stall: accept and never answer; greet and never answer again.
cat > stall.py <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(128)
held = []
while True:
    c, _ = s.accept()
    if sys.argv[2] == "greet": c.sendall(b"220 stall ESMTP\r\n")
    held.append(c)
PY

export XDG_CONFIG_HOME="$work/config" HOME="$work" CREW_NOW=2026-11-30T07:00:00Z CREW_DB="$work/base.db"
printf 'bench-password\n' | "$crew" init --password-stdin >/dev/null
printf 'bench-password\n' | "$crew" login admin --password-stdin >/dev/null
CREW_TOKEN="$("$crew" account create bench --role service --name Bench 2>/dev/null)"
export CREW_TOKEN
python3 "$root/scripts/bench/intake_flood.py" ten.csv 11800 # ~10,000 distinct valid emails
"$crew" -q hiring import ten.csv >/dev/null 2>&1
queued="$(sqlite3 base.db "SELECT count(*) FROM outbox WHERE status = 'queued'")"
port="$(free_port)"
$py sink.py "$port" count.txt & pids+=($!)
sleep 1
smtp_toml() { # port parallel timeout
    printf '[mail]\nfrom = "crew <crew@example.com>"\ntransport = "smtp"\nparallel = %s\n[mail.smtp]\nhost = "127.0.0.1"\nport = %s\ntls = "none"\ntimeout_seconds = %s\n' "$2" "$1" "$3" > crew.toml
}
crew_times=() peer_times=()
for round in 1 2 3; do
    cp base.db run.db
    smtp_toml "$port" "${CREW_PARALLEL:-4}" 30
    start=$(date +%s.%N)
    CREW_DB="$work/run.db" "$crew" -q --format json outbox deliver --limit 10000 >out.json 2>err.txt || true
    end=$(date +%s.%N)
    crew_times+=("$(echo "$end - $start" | bc)")
    sent="$(sqlite3 run.db "SELECT count(*) FROM outbox WHERE status = 'sent'")"
    peer_times+=("$($py peer.py "$port" base.db | cut -d' ' -f2)")
done
rm -f crew.toml
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
crew_median="$(median "${crew_times[@]}")"; peer_median="$(median "${peer_times[@]}")"

# 2. Stalled servers: 100 due mails, timeout 2 s, defaults otherwise (parallel 4, stop after 3).
stall_report=""
for kind in silent greet; do
    sport="$(free_port)"
    $py stall.py "$sport" "$kind" & pids+=($!)
    sleep 0.5
    sqlite3 base.db "SELECT 1" >/dev/null
    cp base.db stall.db
    sqlite3 stall.db "UPDATE outbox SET status = 'sent' WHERE id > (SELECT min(id) + 99 FROM outbox)"
    smtp_toml "$sport" 4 2
    start=$(date +%s.%N)
    code=0; CREW_DB="$work/stall.db" "$crew" -q outbox deliver --limit 100 >/dev/null 2>stall_err.txt || code=$?
    end=$(date +%s.%N)
    tried="$(sqlite3 stall.db "SELECT count(*) FROM outbox WHERE status = 'queued' AND attempts > 0")"
    waiting="$(sqlite3 stall.db "SELECT count(*) FROM outbox WHERE status = 'queued' AND attempts = 0")"
    stall_report+="| ${kind/greet/greets, then silent} | $(printf '%.2f' "$(echo "$end - $start" | bc)") s | exit $code | $tried | $waiting |"$'\n'
    rm -f crew.toml
done

# 3. A flood, then an order's mails: are they among the next ten?
unset CREW_TOKEN
export CREW_DB="$work/flood.db"
printf 'bench-password\n' | "$crew" init --password-stdin >/dev/null
printf 'bench-password\n' | "$crew" login admin --password-stdin >/dev/null
"$crew" -q import "$root/fixtures/tests/company" >/dev/null
for who in mia ann@example.com; do
    printf 'secret-password\n' | "$crew" -q account reset-password "$who" --password-stdin >/dev/null
done
"$crew" -q outbox deliver >/dev/null
python3 "$root/scripts/bench/intake_flood.py" flood.csv
printf 'secret-password\n' | "$crew" login mia --password-stdin >/dev/null
"$crew" -q hiring import flood.csv >/dev/null 2>&1
printf 'secret-password\n' | "$crew" login ann@example.com --password-stdin >/dev/null
"$crew" -q order create --service cleaning --at "2026-12-01 10:00" --description Kitchen >/dev/null
printf 'secret-password\n' | "$crew" login mia --password-stdin >/dev/null
"$crew" -q matching run >/dev/null
flood_queued="$(sqlite3 flood.db "SELECT count(*) FROM outbox WHERE status = 'queued'")"
"$crew" --format json outbox deliver --limit 10 > ten.json
commit="$(git -C "$root" rev-parse --short HEAD)"
if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]]; then commit="$commit + uncommitted changes"; fi
[[ -n "$CREW_BIN_GIVEN" ]] && commit="binary $crew (work tree at $commit)"
python3 - "$queued" "$sent" "$crew_median" "$peer_median" "${crew_times[*]}" "${peer_times[*]}" "$stall_report" "$flood_queued" "$commit" "${CREW_PARALLEL:-4}" "$command_line" <<'PY' > section.md
import datetime, json, sys
queued, sent, c, p, cs, ps, stall, flood, commit, parallel, command = sys.argv[1:]
c, p, queued, sent = float(c), float(p), int(queued), int(sent)
ten = json.load(open("ten.json"))
subjects = [o["subject"] for o in ten]
with open("/proc/loadavg") as f:
    load = f.read().split()[0]
print("<!-- bench:delivery:begin (written by scripts/bench/delivery.sh; do not edit by hand) -->")
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at {commit}, "
      f"{open('/proc/cpuinfo').read().count('processor')} cores, release build, aiosmtpd on loopback, "
      f"by `{command}`; load average when it finished: {load}.\n")
print("| sender | median of 3 | mails/s | runs |")
print("| --- | --- | --- | --- |")
print(f"| `crew outbox deliver --limit 10000` (mail.parallel = {parallel}) | {c:.2f} s | {queued / c:.0f} | {cs} |")
print(f"| Python smtplib, one reused connection | {p:.2f} s | {queued / p:.0f} | {ps} |")
print(f"\n{queued} mails queued; crew sent {sent} in its last run. crew ÷ smtplib (time): **{c / p:.2f}×**.\n")
print("A stalled server, 100 mails due, `timeout_seconds = 2`, `parallel = 4`, `stop_after_failures = 3`:\n")
print("| server | run took | exit | mails tried (one attempt each) | left queued, no attempt |")
print("| --- | --- | --- | --- | --- |")
print(stall, end="")
print(f"\nA flood, then an order: {flood} mails queued (the flood's acknowledgements, then the order's three);")
print("`crew outbox deliver --limit 10` sent, in order:\n")
for s in subjects:
    print(f"- {s}")
print("<!-- bench:delivery:end -->")
PY
cat section.md
if (( write )); then
    doc="$root/BENCHMARKS.md"
    if ! grep -q '^<!-- bench:delivery:begin' "$doc" || ! grep -q '^<!-- bench:delivery:end -->' "$doc"; then
        echo "$doc has no bench:delivery markers: paste the section above by hand" >&2
        exit 1
    fi
    awk -v section="$work/section.md" '
        /^<!-- bench:delivery:begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
        /^<!-- bench:delivery:end -->/ { skip = 0; next }
        !skip { print }' "$doc" > "$work/BENCHMARKS.md.new"
    cat "$work/BENCHMARKS.md.new" > "$doc"
    echo "updated $doc (the bench:delivery section)" >&2
fi
