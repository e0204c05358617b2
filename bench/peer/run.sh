#!/usr/bin/env bash
# The peer design, side by side: the SQL-backed queue that open-source queue systems share
# (tickets in a table, a counter row per service, call-next as a locked "oldest eligible" pick),
# on PostgreSQL 15 with durable commits (fsync, synchronous_commit on), driven by pgbench with the
# mix issue:call:finish = 2:1:1 over 100 halls.
#   run.sh [CLIENTS] [SECONDS]   -> tps, latency average, p50, p99 (ms) and transactions
# Starts a private server in a temporary directory over a Unix socket and removes it at the end.
# Needs Debian's postgresql-15 (installed here if missing) and root (it runs the server as postgres).
# Copied from ../shared/peers/postgres/run.sh (README.md here); changed only to log every
# transaction (pgbench -l) and print its latency percentiles, and to allow 300 connections
# (PostgreSQL's default 100 refuses pgbench -c 128).
set -eu
C=${1:-8}; T=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/postgres" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null
fi
D=$(mktemp -d); chown postgres "$D"
sock=$(mktemp -d); chown postgres "$sock"
su postgres -c "$PGBIN/initdb -D $D/db -A trust" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $D/db -o '-k $sock -c listen_addresses= -c synchronous_commit=on -c fsync=on -c max_connections=300' -l $D/log start -w" >/dev/null
trap 'su postgres -c "$PGBIN/pg_ctl -D $D/db stop -m immediate" >/dev/null 2>&1; rm -rf "$D" "$sock"' EXIT
su postgres -c "psql -h $sock -q -f $here/schema.sql postgres" >/dev/null 2>&1
cp "$here"/*.sql "$D"/; chmod a+r "$D"/*.sql
su postgres -c "cd $D && pgbench -h $sock -n -c $C -j 2 -T $T -l --log-prefix=$D/tx -f $D/issue.sql@2 -f $D/call.sql@1 -f $D/finish.sql@1 postgres" 2>&1 \
  | grep -E "^(tps|latency average|number of transactions actually)"
# pgbench -l: "client transaction latency_us script epoch_s epoch_us" per transaction.
cat "$D"/tx* | awk '{print $3}' | sort -n | awk '{v[NR]=$1} END {
  if (NR == 0) exit; printf "latency p50 = %.3f ms\nlatency p99 = %.3f ms\n", v[int(NR*0.50)+1]/1000, v[int(NR*0.99)+1]/1000 }'
