#!/usr/bin/env bash
# Issue 20's load: PAGES live ticket pages on one hallq-citizen (default
# 5,000), event to page latency, the gateway's memory, and the engine's
# command latency with and without the pages.
#
#   bench/citizen_pages.sh [BUILD_DIR [PAGES [ROUNDS]]]     (default build 5000 20)
#
# Starts a real hallqd (the sample town hall on a simulated clock from a
# Wednesday 10:00, so the hall is open whatever the time of day; loopback,
# no CURVE: the gateway's fan-out is what is measured) and a real
# hallq-citizen, issues TICKETS 社保医保 tickets with `hallq issue`, opens
# PAGES server-sent-event streams over them (bench/citizen_pages.py: 10 pages
# a ticket, 20 per client address through the trusted proxy's
# X-Forwarded-For), then calls at window w1 ROUNDS times, 2 s apart, while
# hallq_load measures one closed-loop kiosk's commands (the issue mix); the
# same hallq_load run before the pages are opened is the baseline. Prints
# the client's JSON, hallq_load's lines and the gateway's resident memory
# (VmRSS, VmHWM) before and with the pages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
pages=${2:-5000}
rounds=${3:-20}
tickets=$(( (pages + 9) / 10 ))
[ "$tickets" -le 900 ] || { echo "citizen_pages: at most 9,000 pages (900 tickets of one service a day)" >&2; exit 2; }
hallq=$build/tools/hallq/hallq
hallqd=$build/engine/server/hallqd
citizen=$build/adapters/citizen/hallq-citizen
load=$build/bench/hallq_load
for f in "$hallq" "$hallqd" "$citizen" "$load"; do
  [ -x "$f" ] || { echo "citizen_pages: $f missing (build it)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/hallq-pages.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
wait_line() {  # file, prefix: up to 20 s
  for _ in $(seq 200); do
    grep -q "^$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "citizen_pages: no '$2' in $1" >&2
  cat "$1" >&2 || true
  return 1
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss() { grep -E '^(VmRSS|VmHWM)' "/proc/$1/status" | tr -s ' \t' ' ' | tr '\n' ' '; }

day=2026-12-02  # a Wednesday, no holiday in conf/town.toml
cmd=tcp://127.0.0.1:$(free_port)
pub=tcp://127.0.0.1:$(free_port)
port=$(free_port)
"$hallq" keys ticket-secret "$work/ticket.secret" >/dev/null
"$hallqd" --conf "$root/conf/town.toml" --data "$work/store" --cmd "$cmd" --pub "$pub" --http off \
  --time-scale 1 --time-start "$day 10:00" --advise-every 0 >"$work/hallqd.out" 2>"$work/hallqd.err" &
pids+=($!)
wait_line "$work/hallqd.out" "hallqd ready"
cat >"$work/citizen.toml" <<EOF
[citizen]
listen = "127.0.0.1:$port"
engine = "$cmd"
events = "$pub"
halls = ["town"]
ticket_secret = "ticket.secret"
public_url = "http://127.0.0.1:$port"
trusted_proxies = ["127.0.0.1"]

[limits]
max_streams = 10000
max_streams_per_address = 20
EOF
"$citizen" --config "$work/citizen.toml" >"$work/citizen.out" 2>"$work/citizen.err" &
citizen_pid=$!
pids+=("$citizen_pid")
wait_line "$work/citizen.out" "hallq-citizen ready"
for _ in $(seq 200); do
  curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"town":true' && break
  sleep 0.1
done

echo "# $(date -u '+%F %T') UTC, nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$hallq" --engine "$cmd" open town w1 >/dev/null
for _ in $(seq "$tickets"); do
  "$hallq" --engine "$cmd" --json issue town social | python3 -c 'import json,sys; print(json.load(sys.stdin)["number"])'
done >"$work/numbers"
echo "# $tickets tickets issued ($(head -1 "$work/numbers") .. $(tail -1 "$work/numbers")); gateway before the pages: $(rss "$citizen_pid")"

kiosk() {  # one closed-loop kiosk's commands (issue mix, round robin over the services)
  "$load" --engine "$cmd" --hall town --clients 1 --inflight 1 --mix issue --requests 1500 --warmup 0.5 --no-floor \
    2>&1 | grep -E 'commands/s|p50|p99' | sed "s/^/# kiosk $1: /"
}
kiosk "alone"
python3 "$root/bench/citizen_pages.py" --port "$port" --hall town --date "$day" --secret "$work/ticket.secret" \
  --numbers "$work/numbers" --pages "$pages" --hallq "$hallq" --engine "$cmd" --window w1 --rounds "$rounds" \
  >"$work/pages.json" &
client=$!
pids+=("$client")
for _ in $(seq 600); do  # until the pages are open (a descriptor each), at most 60 s
  [ "$(ls /proc/"$citizen_pid"/fd | wc -l)" -ge "$pages" ] && break
  sleep 0.1
done
sleep 3
echo "# gateway with the pages open: $(rss "$citizen_pid") ($(ls /proc/"$citizen_pid"/fd | wc -l) descriptors)"
kiosk "with $pages pages and the calls"
wait "$client"
cat "$work/pages.json"
echo "# gateway at the end: $(rss "$citizen_pid")"
