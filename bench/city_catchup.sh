#!/usr/bin/env bash
# The city view's own pace (issue 19): each hallq-city given reads the events stream from its
# start with a durable consumer of its own (a new name each run) and an empty store, until
# nothing is pending or CATCHUP_SECONDS (120) have passed; then it is stopped. Side by side on
# the same stream, one after the other: bench/province_day.sh runs it on the day it played
# (CITY_BINS), and it runs on a day kept with KEEP=1 once that day's three NATS nodes are started
# again on their configs (`nats-server -c DIR/nN.conf`, N = 0, 1, 2).
#
#   bench/city_catchup.sh URLS CREDENTIALS WORKDIR HALLQ_CITY [HALLQ_CITY ...]
#
# Prints per run: events applied, wall time, events/s, pending at the end, the process's CPU
# time (user + system, from /proc) and CPU µs per event (steadier than events/s on a shared
# machine), resident memory; a run whose program died says so with its last log line and gives
# the figures of its last poll. WORKDIR/NAME.series keeps every poll (seconds, events applied,
# CPU seconds): runs compare at the same point of the stream, however far each got.
set -euo pipefail
[ $# -ge 4 ] || { sed -n 2,14p "$0" >&2; exit 2; }
urls=$1 creds=$2 work=$3
shift 3
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%.0f MB resident, peak %.0f MB", r/1024, h/1024}' "/proc/$1/status"; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
stream() {
  curl -sf "http://127.0.0.1:$1/api/city" |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["stream"]; print(s["applied"], s["pending"])' 2>/dev/null ||
    echo "? ?"
}
run=0
for bin in "$@"; do
  run=$((run + 1))
  name="catchup$(date +%s)x$run"
  port=$(free_port)
  "$bin" --nats "$urls" --nats-credentials "$creds" --durable "$name" --http "127.0.0.1:$port" \
    --data "$work/$name" >"$work/$name.out" 2>"$work/$name.log" &
  pid=$!
  for _ in $(seq 600); do grep -q ready "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  t0=$(date +%s.%N)
  applied=0 pending="?" died="" cpu=0 t=0
  while :; do
    sleep 0.5
    if ! kill -0 "$pid" 2>/dev/null; then
      died="; DIED: $(tail -1 "$work/$name.log")"
      break
    fi
    c=$(cpu_s "$pid" 2>/dev/null) || c=$cpu
    read -r a p < <(stream "$port")
    if [[ $a =~ ^[0-9]+$ ]]; then
      applied=$a pending=$p cpu=$c t=$(echo "$(date +%s.%N) - $t0" | bc)
      echo "$t $applied $cpu" >>"$work/$name.series"
    fi
    [ "$pending" = 0 ] && [ "$applied" -gt 0 ] && break
    [ "$(echo "$(date +%s.%N) - $t0 > ${CATCHUP_SECONDS:-120}" | bc)" = 1 ] && break
  done
  mem=""
  if [ -z "$died" ]; then
    mem=$(rss "$pid")
    kill "$pid"
  fi
  wait "$pid" 2>/dev/null || true
  printf '# catch-up %s: %s events applied in %.1f s = %.0f/s, %s pending; CPU %s s = %.0f µs per event; %s%s (load %s)\n' \
    "$bin" "$applied" "$t" "$(echo "$applied / $t" | bc -l)" "$pending" "$cpu" \
    "$(echo "$cpu * 1000000 / ($applied + 1)" | bc -l)" "$mem" "$died" "$(cut -d' ' -f1 /proc/loadavg)"
done
