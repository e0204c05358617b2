#!/usr/bin/env bash
# hallq and the peer design (bench/peer: PostgreSQL 15, durable commits, pgbench) in one session
# on one machine, with the same closed-loop client counts, and hallq's pipelined peak; prints a
# table: throughput, p50 and p99 of each and hallq's ratios to the peer.
#   bench/side_by_side.sh [BUILD_DIR [SECONDS [REPEAT]]]   defaults: build-bench 10 3
# hallq: hallq_load --spawn (a fresh hallqd per run, median of REPEAT runs), district hall
# (cycle mix for 1, 8 and 32 clients; 128 clients > 32 windows: issue mix), one request in
# flight per client; the peak: town, 12 clients x 32 in flight. The peer: one pgbench run of
# SECONDS per client count (p50/p99 from its per-transaction log).
# Needs root: bench/peer/run.sh runs PostgreSQL as user postgres and installs Debian's
# postgresql-15 if it is missing (only here, never in tools/install-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-bench}
secs=${2:-10}
repeat=${3:-3}
load="$build/bench/hallq_load"
[ -x "$load" ] || { echo "no $load: build the benchmarks first (bench/README.md, Build)" >&2; exit 2; }
out=$(mktemp -d /tmp/hallq-side-XXXXXX)
trap 'rm -rf "$out"' EXIT

echo "# $(date -u '+%F %T') UTC, nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
hallq() {  # name, then hallq_load arguments
  local name=$1
  shift
  "$load" --spawn --seconds "$secs" --repeat "$repeat" --json "$@" >"$out/$name.json"
}
peer() {  # clients
  "$root/bench/peer/run.sh" "$1" "$secs" >"$out/peer-$1.txt"
}
for c in 1 8 32 128; do
  peer "$c"
  if [ "$c" -le 32 ]; then
    hallq "hallq-$c" --conf "$root/conf/district.toml" --clients "$c" --inflight 1
  else
    hallq "hallq-$c" --conf "$root/conf/district.toml" --clients "$c" --inflight 1 --mix issue
  fi
done
hallq peak --conf "$root/conf/town.toml" --clients 12 --inflight 32

python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
def peer(c):
    t = open(f"{out}/peer-{c}.txt").read()
    num = lambda pat: float(re.search(pat, t).group(1))
    return num(r"tps = ([\d.]+)"), num(r"latency p50 = ([\d.]+)"), num(r"latency p99 = ([\d.]+)")
def hallq(name):
    m = json.load(open(f"{out}/{name}.json"))["median"]
    return m["throughput_per_s"], m["latency_us"]["p50"] / 1000, m["latency_us"]["p99"] / 1000, m["floor_us"] / 1000
print(f"{'clients x in flight':<22}{'hallq /s':>10}{'p50 ms':>8}{'p99 ms':>8}{'floor ms':>9}"
      f"{'peer /s':>10}{'p50 ms':>8}{'p99 ms':>8}{'x thru':>8}{'x p50':>7}")
for c in (1, 8, 32, 128):
    h, p = hallq(f"hallq-{c}"), peer(c)
    label = f"{c} x 1" + (" (issue mix)" if c > 32 else "")
    print(f"{label:<22}{h[0]:>10,.0f}{h[1]:>8.2f}{h[2]:>8.2f}{h[3]:>9.2f}{p[0]:>10,.0f}{p[1]:>8.2f}{p[2]:>8.2f}"
          f"{h[0] / p[0]:>8.1f}{h[1] / p[1]:>7.2f}")
h = hallq("peak")
print(f"{'12 x 32 (town, peak)':<22}{h[0]:>10,.0f}{h[1]:>8.2f}{h[2]:>8.2f}{h[3]:>9.2f}")
PY
