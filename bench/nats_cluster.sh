# A 3-node nats-server cluster on loopback ports for the benchmark scripts
# (sourced: bench/replication_modes.sh, bench/province_day.sh). Needs $out (a
# temporary directory, the nodes' stores and logs go there) and $password (the
# `engine` user's, in the HALLQ account with JetStream). start_cluster starts a
# fresh cluster (nine free ports: client, cluster and monitoring for each node),
# waits until a node knows the JetStream meta leader, and sets $urls (the client
# URLs, comma separated), $monitor (node 0's monitoring HOST:PORT) and the
# nodes' pids in $pids; stop_cluster stops them. $cluster_max_store caps each
# node's file store (default 8GB).
urls=""
monitor=""
pids=()
start_cluster() {
  local ports routes="" i c r h
  read -r -a ports < <(python3 -c 'import socket
ps=[]
for _ in range(9):
    s=socket.socket(); s.bind(("127.0.0.1",0)); ps.append(s)
print(*[s.getsockname()[1] for s in ps])')
  for i in 0 1 2; do routes+="${routes:+, }nats-route://127.0.0.1:${ports[$((3 * i + 1))]}"; done
  urls=""
  monitor="127.0.0.1:${ports[2]}"
  pids=()
  rm -rf "$out/n0" "$out/n1" "$out/n2"
  for i in 0 1 2; do
    c=${ports[$((3 * i))]} r=${ports[$((3 * i + 1))]} h=${ports[$((3 * i + 2))]}
    urls+="${urls:+,}nats://127.0.0.1:$c"
    cat >"$out/n$i.conf" <<EOF
server_name: n$i
listen: 127.0.0.1:$c
http: 127.0.0.1:$h
jetstream { store_dir: "$out/n$i", max_memory_store: 64MB, max_file_store: ${cluster_max_store:-8GB} }
cluster { name: hallq-bench, listen: 127.0.0.1:$r, routes: [$routes] }
accounts { HALLQ { jetstream: enabled, users: [ { user: engine, password: "$password" } ] } }
EOF
    nats-server -c "$out/n$i.conf" >"$out/n$i.log" 2>&1 &
    pids+=($!)
  done
  for _ in $(seq 300); do
    curl -sf "http://$monitor/jsz" 2>/dev/null | grep -q '"leader"' && return 0
    sleep 0.1
  done
  echo "the NATS cluster did not elect a meta leader (logs in $out)" >&2
  exit 1
}
stop_cluster() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
