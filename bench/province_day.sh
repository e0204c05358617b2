#!/usr/bin/env bash
# A province-sized day (issue 19): HALLS generated halls (town and district sizes, each with its
# own trace from tools/traces/tracegen.py) spread over ENGINES hallqd engines on this machine, all
# replicating to a 3-node nats-server cluster on loopback (bench/nats_cluster.sh), and the day of
# every hall played through the real engines by hallq_day (bench/day_play.cc): each hall a closed
# loop (one command waiting for its answer at a time), every answer after the batch's durable
# commit and, with ACK=replicated, after the stream's acknowledgement.
#
#   bench/province_day.sh [BUILD_DIR [HALLS [ENGINES [ACK [DISTRICT_PCT [UTIL]]]]]]
#   defaults:              build      1000   4         replicated 70   1.0
#
# Reports: the play (tickets, commands, wall time, commands/s, latency), each engine's memory
# (resident at the start of the day and its peak) and its replication figures (/metrics: leases
# lapsed, renewal age, resends, pending), the stream's size per hall-day, the NATS nodes' memory,
# and the city view's lag: hallq-city follows the whole stream meanwhile (a durable consumer), and
# its /metrics' event-to-figures delay is read at the end. KEEP=1 keeps the working directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
halls=${2:-1000}
engines=${3:-4}
ack=${4:-replicated}
district_pct=${5:-70}
util=${6:-1.0}
for p in bench/hallq_day engine/server/hallqd displays/city/hallq-city; do
  [ -x "$build/$p" ] || { echo "no $build/$p: build first (bench/README.md, Build)" >&2; exit 2; }
done
command -v nats-server >/dev/null || { echo "needs nats-server (tools/install-deps.sh)" >&2; exit 2; }
out=$(mktemp -d /tmp/hallq-province-XXXXXX)
engine_pids=()
cleanup() {
  # The engines first (a graceful stop ends their leases in the cluster), then the cluster.
  for p in "${engine_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${engine_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  stop_cluster
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "# kept $out" >&2; else rm -rf "$out"; fi
}
trap cleanup EXIT
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'engine:%s\n' "$password" >"$out/engine.creds"
# shellcheck source=bench/nats_cluster.sh
. "$root/bench/nats_cluster.sh"

echo "# $(date -u '+%F %T') UTC, nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), nats-server $(nats-server --version | awk '{print $NF}')"
echo "# bench/province_day.sh $build $halls $engines $ack $district_pct $util"

# Halls: copies of conf/town.toml and conf/district.toml under their own ids, each with a trace
# of one day drawn with its own seed.
t0=$(date +%s.%N)
python3 - "$root" "$out" "$halls" "$district_pct" "$util" <<'EOF'
import contextlib, io, os, re, sys
root, out, halls, district_pct, util = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, os.path.join(root, "tools/traces"))
import tracegen
os.makedirs(os.path.join(out, "halls"))
base = {k: open(os.path.join(root, "conf", k + ".toml")).read() for k in ("town", "district")}
for i in range(halls):
    kind = "district" if (i * 100) // halls < district_pct else "town"
    hall = f"{kind[0]}{i + 1:04d}"
    conf = os.path.join(out, "halls", hall + ".toml")
    with open(conf, "w") as f:
        f.write(re.sub(r'(\[hall\]\s*\nid = )"[^"]*"', rf'\1"{hall}"', base[kind], count=1))
    trace = io.StringIO()
    sys.argv = ["tracegen.py", conf, "--days", "1", "--seed", str(1000 + i), "--util", util]
    with contextlib.redirect_stdout(trace):
        tracegen.main()
    open(os.path.join(out, "halls", hall + ".csv"), "w").write(trace.getvalue())
EOF
printf '# halls and traces generated in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"

start_cluster
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
: >"$out/plan"
confs=("$out"/halls/*.toml)
for e in $(seq 0 $((engines - 1))); do
  cmd=$(free_port) pub=$(free_port) http=$(free_port)
  args=()
  for i in "${!confs[@]}"; do
    [ $((i % engines)) = "$e" ] || continue
    args+=(--conf "${confs[$i]}")
    printf 'tcp://127.0.0.1:%s %s %s\n' "$cmd" "${confs[$i]}" "${confs[$i]%.toml}.csv" >>"$out/plan"
  done
  "$build/engine/server/hallqd" "${args[@]}" --data "$out/e$e" --cmd "tcp://127.0.0.1:$cmd" \
    --pub "tcp://127.0.0.1:$pub" --http "127.0.0.1:$http" --replicate "$urls" \
    --nats-credentials "$out/engine.creds" --engine-id "e$e" --ack "$ack" >"$out/e$e.out" 2>"$out/e$e.log" &
  engine_pids+=($!)
  echo "$http" >"$out/e$e.http"
done
for e in $(seq 0 $((engines - 1))); do
  for _ in $(seq 1200); do grep -q ready "$out/e$e.out" 2>/dev/null && break; sleep 0.1; done
  grep -q ready "$out/e$e.out" || { echo "engine e$e did not become ready:" >&2; tail "$out/e$e.log" >&2; exit 1; }
done
printf '# %s engines ready %.1f s after the start\n' "$engines" "$(echo "$(date +%s.%N) - $t0" | bc)"
rss() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%.0f MB resident, peak %.0f MB", r/1024, h/1024}' "/proc/$1/status"; }
for e in $(seq 0 $((engines - 1))); do echo "# e$e at the start of the day: $(rss "${engine_pids[$e]}")"; done

# The city view follows the whole stream meanwhile; bench/city_delay.py reads its page's events.
city_http=$(free_port)
"$build/displays/city/hallq-city" --nats "$urls" --nats-credentials "$out/engine.creds" --durable province \
  --http "127.0.0.1:$city_http" --data "$out/city" >"$out/city.out" 2>"$out/city.log" &
engine_pids+=($!)
python3 "$root/bench/city_delay.py" "http://127.0.0.1:$city_http/events" >"$out/city_delay.txt" &
probe=$!

# The first CITY_SECONDS of the day at CITY_RATE commands/s (a real province's pace: 1.5 M tickets,
# some 7 M commands over an 8-hour day, ~250/s on average), while the probe measures the page's
# delay; then as fast as the engines answer (the compressed day buries the city view in backlog).
rate_args=()
[ "${CITY_RATE:-2000}" = 0 ] || rate_args=(--rate "${CITY_RATE:-2000}" --paced-seconds "${CITY_SECONDS:-60}")
"$build/bench/hallq_day" --plan "$out/plan" --json "${rate_args[@]}" >"$out/play.json" 2>"$out/play.err" &
day=$!
if [ ${#rate_args[@]} -gt 0 ]; then
  for _ in $(seq 600); do grep -q playing "$out/play.err" && break; sleep 0.5; done
  sleep "${CITY_SECONDS:-60}"
  kill "$probe" && wait "$probe" || true
  echo "# paced at ${CITY_RATE:-2000} commands/s for ${CITY_SECONDS:-60} s: $(cat "$out/city_delay.txt")"
fi
wait "$day" || true
cat "$out/play.err" >&2
python3 - "$out/play.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
l = r["latency_us"]
print(f"{r['halls']} halls on {r['engines']} engines, {r['tickets']:,} tickets: {r['answered']:,} of {r['commands']:,} "
      f"commands answered ({r['accepted']:,} accepted) in {r['wall_s']:.1f} s = {r['commands_per_s']:,.0f}/s; "
      f"latency p50 {l['p50'] / 1000:.2f} ms, p90 {l['p90'] / 1000:.2f}, p99 {l['p99'] / 1000:.2f}, "
      f"max {l['max'] / 1000:.1f} ms (day prepared in {r['prepare_s']:.1f} s)")
for code, n in sorted(r["refused"].items()):
    print(f"  refused {code}: {n:,} (e.g. {r['refusal_examples'][code]})")
for e in r["per_engine"]:
    print(f"  {e['endpoint']}: {e['answered']:,} in {e['seconds']:.1f} s = {e['commands_per_s']:,.0f}/s")
if "error" in r:
    print("  error:", r["error"])
EOF
for e in $(seq 0 $((engines - 1))); do
  m=$(curl -sf "http://127.0.0.1:$(cat "$out/e$e.http")/metrics" || true)
  pick() { echo "$m" | awk -v k="$1" '$1 == k {print $2}'; }
  echo "# e$e at the end: $(rss "${engine_pids[$e]}"); halls owned $(pick hallq_replication_halls_owned)," \
    "leases lapsed $(pick hallq_replication_leases_lapsed), lease age $(pick hallq_replication_lease_age_seconds) s," \
    "renewals failed $(pick hallq_replication_lease_renewals_failed_total), resends $(pick hallq_replication_resends_total), events per round $(python3 -c "import sys; p, r = sys.argv[1:]; print(round(float(p) / max(1.0, float(r)), 1))" "$(pick hallq_replication_published_total)" "$(pick hallq_replication_rounds_total)")," \
    "pending $(pick hallq_replication_pending_events)"
done
curl -sf "http://$monitor/jsz?accounts=true&streams=true" >"$out/jsz.json" || true
python3 - "$out/jsz.json" "$halls" <<'EOF2' || echo "# (the stream's size: monitoring did not answer)"
import json, sys
j = json.load(open(sys.argv[1]))
halls = int(sys.argv[2])
for a in j.get("account_details", []):
    for s in a.get("stream_detail", []):
        st, name = s["state"], s["name"]
        per = f" = {st['bytes'] / halls / 1e3:,.0f} kB per hall-day" if name == "HALLQ_EVENTS" else ""
        print(f"# stream {name}: {st['messages']:,} messages, {st['bytes'] / 1e6:,.1f} MB{per}")
EOF2
for i in "${!pids[@]}"; do echo "# nats node n$i: $(rss "${pids[$i]}")"; done
city_stream() { curl -sf "http://127.0.0.1:$city_http/api/city" | python3 -c 'import json,sys; s=json.load(sys.stdin)["stream"]; print(s["applied"], s["pending"], s["without_snapshot"])' || echo "? ? ?"; }
read -r applied pending skipped < <(city_stream)
echo "# city view at the day's end: $applied events applied, $pending pending, $skipped skipped without a snapshot; $(rss "${engine_pids[-1]}")"
if [ ${#rate_args[@]} = 0 ]; then
  # Unpaced: the probe's delays are the backlog's, reported as they are.
  kill "$probe" && wait "$probe" || true
  echo "# unpaced: $(cat "$out/city_delay.txt")"
fi
sleep 10
read -r applied2 pending2 _ < <(city_stream)
[[ $applied =~ ^[0-9]+$ && $applied2 =~ ^[0-9]+$ ]] &&
  echo "# city view: $(((applied2 - applied) / 10)) events/s applied while catching up (10 s), $pending2 pending"

# CITY_BINS="A B …": each of these hallq-city programs in turn, a new durable consumer each, reads
# the finished day's stream from its start for at most CATCHUP_SECONDS (120) while nothing else
# runs but the idle engines and the cluster: the view's own pace, side by side on the same stream
# (bench/city_catchup.sh; a program that dies is reported, not fatal).
if [ -n "${CITY_BINS:-}" ]; then
  kill "${engine_pids[-1]}" 2>/dev/null && wait "${engine_pids[-1]}" 2>/dev/null || true
  # shellcheck disable=SC2086
  "$root/bench/city_catchup.sh" "$urls" "$out/engine.creds" "$out" $CITY_BINS
fi
