#!/usr/bin/env bash
# What replication costs a hall's devices (issue 19: "Measure both modes' throughput and
# lone-client latency against plain hallqd"). Starts a 3-node nats-server cluster on loopback
# ports in a temporary directory (file storage, the R3 stream hallqd creates; a fresh cluster for
# each replicated run), then runs
# hallq_load --spawn three ways in the same session: plain hallqd, hallqd --replicate --ack local
# and --ack replicated, each with one closed-loop client and with CLIENTS closed-loop clients
# (issue mix, town hall). Prints one line per run and the ratios to plain hallqd.
#   bench/replication_modes.sh [BUILD_DIR [SECONDS [CLIENTS]]]   defaults: build 5 32
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
secs=${2:-5}
clients=${3:-32}
for p in bench/hallq_load engine/server/hallqd; do
  [ -x "$build/$p" ] || { echo "no $build/$p: build first (bench/README.md, Build)" >&2; exit 2; }
done
command -v nats-server >/dev/null || { echo "needs nats-server (tools/install-deps.sh)" >&2; exit 2; }
out=$(mktemp -d /tmp/hallq-replication-modes-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT

# A fresh 3-node cluster per replicated run (the halls' subjects would otherwise be ahead of the
# spawned engine's fresh store, which hallqd refuses): bench/nats_cluster.sh.
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'engine:%s\n' "$password" >"$out/engine.creds"
# shellcheck source=bench/nats_cluster.sh
. "$root/bench/nats_cluster.sh"

echo "# $(date -u '+%F %T') UTC, nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), nats-server $(nats-server --version | awk '{print $NF}')"
echo "# bench/replication_modes.sh $build $secs $clients (hallq_load --spawn --conf conf/town.toml --mix issue)"
run() {  # run NAME CLIENTS [hallqd args...]
  local name=$1 n=$2
  shift 2
  local extra=()
  for a in "$@"; do extra+=(--hallqd-arg "$a"); done
  "$build/bench/hallq_load" --spawn --conf "$root/conf/town.toml" --mix issue --clients "$n" --inflight 1 \
    --seconds "$secs" --no-floor --json --hallqd-arg=--advise-every --hallqd-arg 0 "${extra[@]}" |
    python3 -c 'import json,sys
r=json.load(sys.stdin)
m=r["median"]; l=m["latency_us"]
if r["errors"]: sys.exit(sys.argv[1] + ": errors: " + str(r["errors"]))
print(sys.argv[1], sys.argv[2], round(m["throughput_per_s"]), l["p50"] / 1000, l["p99"] / 1000)' "$name" "$n"
}
engine_id=0
replicated() {  # replicated MODE CLIENTS, on a fresh cluster
  engine_id=$((engine_id + 1))
  start_cluster
  run "ack-$1" "$2" --replicate "$urls" --nats-credentials "$out/engine.creds" --engine-id "bench-$engine_id" \
    --ack "$1"
  stop_cluster
}
{
  for n in 1 "$clients"; do
    run plain "$n"
    replicated local "$n"
    replicated replicated "$n"
  done
} >"$out/results"
python3 - "$out/results" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
plain = {r[1]: r for r in rows if r[0] == "plain"}
print(f"{'mode':<16}{'clients':>8}{'commands/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'x plain/s':>11}{'x plain p50':>13}")
for name, n, tput, p50, p99 in rows:
    base = plain[n]
    print(f"{name:<16}{n:>8}{int(tput):>12,}{float(p50):>9.2f}{float(p99):>9.2f}"
          f"{int(tput) / int(base[2]):>11.2f}{float(p50) / float(base[3]):>13.2f}")
EOF
