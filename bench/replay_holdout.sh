#!/usr/bin/env bash
# Policies and predictions on traces the engine was not tuned on: generates
# town and district traces with tools/traces/tracegen.py (seeded, so the same
# every run) into a temporary directory and scores them with hallq_replay_eval.
#   bench/replay_holdout.sh [BUILD_DIR [hallq_replay_eval options]]   default BUILD_DIR: build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
eval_bin="$build/bench/hallq_replay_eval"
[ -x "$eval_bin" ] || { echo "no $eval_bin: build the benchmarks first" >&2; exit 2; }
gen="$root/tools/traces/tracegen.py"
out=$(mktemp -d /tmp/hallq-holdout-XXXXXX)
trap 'rm -rf "$out"' EXIT

cases=()
trace() {  # name conf tracegen-arguments...
  local name=$1 conf=$2
  shift 2
  python3 "$gen" "$root/conf/$conf" "$@" >"$out/$name.csv"
  cases+=(--case "$root/conf/$conf:$out/$name.csv")
}
trace town-s11 town.toml --days 5 --seed 11
trace town-s12-u85 town.toml --days 5 --seed 12 --util 0.85
trace town-s13-surge town.toml --days 5 --seed 13 --surge social=2
trace town-s14-consult town.toml --days 5 --seed 14 --surge consult=2.5
trace town-s15-prio town.toml --days 5 --seed 15 --priority 0.15 --appointment 0.15
trace district-s16 district.toml --days 5 --seed 16
trace district-s17-u85 district.toml --days 5 --seed 17 --util 0.85
trace district-s18-surge district.toml --days 5 --seed 18 --surge estate=2

"$eval_bin" "${cases[@]}" "$@"
