#!/usr/bin/env bash
# Runs hallq_nats_fetch_overflow (bench/nats_fetch_overflow.cc) against a scratch 1-node
# JetStream server on a free loopback port, started and removed here.
#
#   bench/nats_fetch_overflow.sh [BUILD_DIR [MESSAGES [BATCH [ROUNDS]]]]
set -u
build=${1:-build}
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -a 127.0.0.1 -p "$port" -js -sd "$dir/js" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1  # waiting for the server's port, bounded above
done
"$build/bench/hallq_nats_fetch_overflow" "nats://127.0.0.1:$port" "${2:-5000}" "${3:-256}" "${4:-200}"
rc=$?
echo "exit status $rc (0: no overflow; 1: overflow seen; 134: aborted by glibc's heap check)"
exit 0
