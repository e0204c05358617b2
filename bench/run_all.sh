#!/usr/bin/env bash
# Runs every benchmark behind the results in bench/README.md, with the same
# commands, and keeps the outputs (with the load average before each step,
# since other work on a 2-core machine moves the numbers) in OUT_DIR.
#
#   bench/run_all.sh [BUILD_DIR] [OUT_DIR] [all|core|codec|load]
#
# BUILD_DIR (default build-bench) must hold a Release build of the targets
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DHALLQ_BUILD_TESTS=OFF
#   cmake --build build-bench -j2 --target hallq_core_bench hallq_codec_bench hallq_load hallqd
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-bench}
out=${2:-bench-results-$(date +%Y%m%d-%H%M%S)}
what=${3:-all}
mkdir -p "$out"
bench="$build/bench"
conf="$here/conf"

step() {  # step NAME COMMAND...: runs COMMAND, output to OUT_DIR/NAME.txt
  local name=$1
  shift
  echo "== $name (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$out/summary.txt"
  {
    echo "# $*"
    echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$@"
  } >"$out/$name.txt" 2>&1
  grep -E 'median|throughput|latency' "$out/$name.txt" | tail -3 | tee -a "$out/summary.txt" || true
}

{
  echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
  echo "commit: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "($(git -C "$here" status --porcelain 2>/dev/null | grep -c '^ M' || true) modified files)"
} | tee "$out/summary.txt"

gb=(--benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_min_time=0.5)
if [[ $what == all || $what == core ]]; then step core "$bench/hallq_core_bench" "${gb[@]}"; fi
if [[ $what == all || $what == codec ]]; then step codec "$bench/hallq_codec_bench" "${gb[@]}"; fi
if [[ $what != all && $what != load ]]; then exit 0; fi

load=("$bench/hallq_load" --spawn --hallqd "$build/engine/server/hallqd" --repeat 5 --warmup 1)
step load-closed-loop "${load[@]}" --conf "$conf/town.toml" --clients 1 --inflight 1 --seconds 5
step load-cycle-4x8 "${load[@]}" --conf "$conf/town.toml" --clients 4 --inflight 8 --seconds 5
step load-cycle-8x16 "${load[@]}" --conf "$conf/town.toml" --clients 8 --inflight 16 --seconds 5
step load-cycle-12x32 "${load[@]}" --conf "$conf/town.toml" --clients 12 --inflight 32 --seconds 5
step load-cycle-district-32x8 "${load[@]}" --conf "$conf/district.toml" --clients 32 --inflight 8 --seconds 5
step load-issue-12x32 "${load[@]}" --conf "$conf/town.toml" --mix issue --clients 12 --inflight 32 --seconds 5
step load-cycle-12x32-nosnap "${load[@]}" --conf "$conf/town.toml" --clients 12 --inflight 32 --seconds 5 \
  --hallqd-arg=--snapshot-every=1000000000
# 200 copies of the town hall in one engine (ids town-1 ... town-200).
step load-cycle-200halls-16x16 "${load[@]}" --conf "$conf/town.toml" --halls 200 --clients 16 --inflight 16 --seconds 5
echo "outputs in $out"
