#!/usr/bin/env bash
# How much a manager's history query stalls the engine's commands (issue 18, "History and
# reports off the engine thread"). Builds a store with DAYS days of the district hall
# (hallq_report_bench: a tracegen trace replayed through the real core), starts hallqd on it,
# and measures one closed-loop client's command latency (hallq_load, cycle mix) twice: alone,
# and while a loop of `curl` asks /api/halls/district/history for all DAYS days (each query
# reads and folds every stored event). Prints both lines and the queries answered.
#   bench/history_stall.sh [BUILD_DIR [DAYS [SECONDS]]]   defaults: build-bench 300 10
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-bench}
days=${2:-300}
secs=${3:-10}
for p in bench/hallq_load bench/hallq_report_bench engine/server/hallqd; do
  [ -x "$build/$p" ] || { echo "no $build/$p: build the benchmarks first (bench/README.md, Build)" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }
out=$(mktemp -d /tmp/hallq-history-stall-XXXXXX)
engine_pid=
querier=
cleanup() {
  [ -n "$querier" ] && kill "$querier" 2>/dev/null
  [ -n "$engine_pid" ] && kill "$engine_pid" 2>/dev/null && wait "$engine_pid" 2>/dev/null
  rm -rf "$out"
}
trap cleanup EXIT

echo "# $(date -u '+%F %T') UTC, nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), $days days of the district hall"
"$build/bench/hallq_report_bench" --conf "$root/conf/district.toml" --days "$days" --runs 1 --keep "$out/store" |
  grep '^stored'
read -r cmd pub http < <(python3 -c 'import socket
ps=[]
for _ in range(3):
    s=socket.socket(); s.bind(("127.0.0.1",0)); ps.append(s)
print(*[s.getsockname()[1] for s in ps])')
"$build/engine/server/hallqd" --conf "$root/conf/district.toml" --data "$out/store" \
  --cmd "tcp://127.0.0.1:$cmd" --pub "tcp://127.0.0.1:$pub" --http "127.0.0.1:$http" --advise-every 0 \
  >"$out/hallqd.log" 2>&1 &
engine_pid=$!
for _ in $(seq 100); do grep -q 'hallqd ready' "$out/hallqd.log" && break; sleep 0.1; done
grep -q 'hallqd ready' "$out/hallqd.log" || { cat "$out/hallqd.log" >&2; exit 1; }
first=$(date -d '2026-01-05' +%F)
last=$(date -d "2026-01-05 + $((days - 1)) days" +%F)
url="http://127.0.0.1:$http/api/halls/district/history?from=$first&to=$last"
curl -sf -o /dev/null "$url" || { echo "history query failed: $url" >&2; exit 1; }

summary='import json, sys
r = json.load(sys.stdin)["median"]
l = r["latency_us"]
print("%10.0f/s  p50 %7.2f ms  p99 %7.2f ms  max %8.1f ms"
      % (r["throughput_per_s"], l["p50"] / 1e3, l["p99"] / 1e3, l["max"] / 1e3))'
load() {
  "$build/bench/hallq_load" --engine "tcp://127.0.0.1:$cmd" --clients 1 --inflight 1 --seconds "$secs" \
    --no-floor --json | python3 -c "$summary"
}
echo "alone:                $(load)"
(
  n=0
  while [ -d "$out" ] && [ ! -e "$out/stop" ]; do
    curl -sf -o /dev/null "$url" && n=$((n + 1))
  done
  echo "$n" >"$out/queries"
) &
querier=$!
start=$(date +%s.%N)
line=$(load)
touch "$out/stop"
wait "$querier"
elapsed=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
echo "history queried:      $line"
echo "($(cat "$out/queries") history queries of $days days answered in ${elapsed} s)"
