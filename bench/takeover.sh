#!/usr/bin/env bash
# Takeover time of hallqd --standby (issue 19: "from kill -9 of the owner to the first command
# accepted by the standby: at most 3 s with default settings; measure p50/max over many kills").
# Runs tests/replicate's HallqdStandby.TakesOverFromAKilledOwnerUnderLoadLosingNothingAcknowledged
# with HALLQ_TAKEOVER_KILLS=KILLS: the real 3-node nats-server cluster on loopback
# (tests/support/nats_cluster), an owner and a standby (town hall, --ack replicated, default
# --lease 2000) under one client's closed-loop load; the owner is killed with SIGKILL KILLS times,
# the killed one restarted as the new standby each time (from an empty data dir), so they
# alternate. Afterwards the test checks that every acknowledged ticket is in the stream byte for
# byte and served by the last owner, no ticket number twice, no event twice (no hole, no repeat).
# Prints each takeover (kill to the first command the new owner accepted, as the client saw it:
# it includes the client's retry pace of 2 ms and a 400 ms timeout on the killed engine) and
# p50/p90/max.
#   bench/takeover.sh [BUILD_DIR [KILLS]]   defaults: build 100
set -euo pipefail
build=${1:-build}
kills=${2:-100}
bin="$build/tests/replicate/hallq_replicate_tests"
[ -x "$bin" ] || { echo "no $bin: build first (cmake --build $build --target hallq_replicate_tests hallqd hallq)" >&2; exit 2; }
command -v nats-server >/dev/null || { echo "needs nats-server (tools/install-deps.sh)" >&2; exit 2; }
log=$(mktemp /tmp/hallq-takeover-XXXXXX.log)
status=0
HALLQ_TAKEOVER_KILLS=$kills "$bin" \
  --gtest_filter='HallqdStandby.TakesOverFromAKilledOwnerUnderLoadLosingNothingAcknowledged' >"$log" 2>&1 || status=$?
grep -E '^takeover [0-9]+:' "$log" | awk '{print $3}' | sort -n | awk -v k="$kills" '
  { t[NR] = $1 }
  END {
    if (NR == 0) { print "no takeover measured"; exit }
    p50 = t[int((NR + 1) / 2)]; p90 = t[int(NR * 0.9) > 0 ? int(NR * 0.9) : 1]
    printf "takeovers: %d of %d kills; kill -9 to first accepted command: p50 %.0f ms, p90 %.0f ms, max %.0f ms\n", NR, k, p50, p90, t[NR]
  }'
if [ "$status" -eq 0 ]; then
  echo "correctness: every acknowledged ticket in the stream and served, no number twice, no event twice: PASSED"
else
  echo "correctness: FAILED (exit $status); the test's output: $log" >&2
  tail -40 "$log" >&2
  exit 1
fi
rm -f "$log"
