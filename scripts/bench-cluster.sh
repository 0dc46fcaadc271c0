#!/usr/bin/env bash
# The scaling rows of BENCHMARKS.md: three release server instances on one Redis, then on a
# local Redis Cluster (3 masters + 3 replicas from redis-server and redis-cli --cluster
# create), with loadgen placing each room's members on one instance (--placement by-room).
# Reports, per run, the envelopes each instance received and each process's CPU. Results:
# one JSON line per run in bench-results/results.jsonl.
#
#   scripts/bench-cluster.sh            both backends
#   BACKENDS=cluster scripts/bench-cluster.sh
# Environment: SERVER, LOADGEN as for scripts/bench.sh; RATE (messages/s, default 3000);
# USERS (default 1200); LABEL tags the rows.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}/release
SERVER=${SERVER:-$TARGET/redis-chat}
LOADGEN=${LOADGEN:-$TARGET/loadgen}
BACKENDS=${BACKENDS:-single cluster}
RATE=${RATE:-3000}
USERS=${USERS:-1200}
OUT=bench-results
mkdir -p "$OUT"
WORK=$(mktemp -d)
ulimit -n 250000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
PIDS=()
stop_all() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }
trap 'stop_all; rm -rf "$WORK"' EXIT

# Ports 7101-7106 for the cluster (and 17101-17106 for its bus), 7100 for one Redis.
start_single() {
  redis-server --port 7100 --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
    --maxclients 100000 >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do redis-cli -p 7100 ping >/dev/null 2>&1 && break; sleep 0.05; done
  BACKEND_ENV=(REDIS_URL=redis://127.0.0.1:7100)
  REDIS_FOR_LOADGEN=redis://127.0.0.1:7100
}

start_cluster() {
  local nodes=() seeds=()
  for p in 7101 7102 7103 7104 7105 7106; do
    mkdir -p "$WORK/n$p"
    redis-server --port $p --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 1000 --repl-diskless-sync-delay 0 --save "" --appendonly no \
      --dir "$WORK/n$p" --maxclients 100000 >/dev/null 2>&1 &
    PIDS+=($!)
    nodes+=("127.0.0.1:$p"); seeds+=("redis://127.0.0.1:$p")
  done
  for p in 7101 7102 7103 7104 7105 7106; do
    for _ in $(seq 100); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.05; done
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
  for _ in $(seq 100); do
    redis-cli -p 7101 cluster info | grep -q cluster_state:ok && break; sleep 0.1
  done
  BACKEND_ENV=(REDIS_CLUSTER_NODES="$(IFS=,; echo "${seeds[*]}")")
  REDIS_FOR_LOADGEN=
}

start_server() { # port
  env MESSAGES_PER_SEC=0 TYPING_PER_SEC=0 ROOMS_PER_MINUTE=0 DIRECT_ROOMS_PER_MINUTE=0 \
    MAX_SOCKETS_PER_USER=0 JOINS_PER_MINUTE=0 REGISTRATIONS_PER_HOUR=0 \
    "${BACKEND_ENV[@]}" PORT=$1 HOST=127.0.0.1 DEMO_DATA=false \
    RUST_LOG=warn CLIENT_DIR=/nonexistent WS_QUEUE=4096 "$SERVER" >"$WORK/server-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return; sleep 0.05; done
  echo "server on $1 did not start" >&2; cat "$WORK/server-$1.log" >&2; exit 1
}

run() { # name backend loadgen-args...
  local name=$1 backend=$2; shift 2
  echo "== $name on $backend (3 instances)"
  local redis_arg=()
  [ -n "$REDIS_FOR_LOADGEN" ] && redis_arg=(--redis "$REDIS_FOR_LOADGEN")
  "$LOADGEN" --url http://127.0.0.1:4200 --url http://127.0.0.1:4201 --url http://127.0.0.1:4202 \
    --placement by-room --pid auto "${redis_arg[@]}" "$@" | tee "$WORK/last.txt"
  tail -n 1 "$WORK/last.txt" | python3 -c "import json,sys; r=json.load(sys.stdin); r['name']='$name'; r['backend']='$backend'; r['label']='${LABEL:-}'; print(json.dumps(r))" >>"$OUT/results.jsonl"
}

for backend in $BACKENDS; do
  "start_$backend"
  start_server 4200; start_server 4201; start_server 4202
  run "rooms-${USERS}x10@$RATE" "$backend" --scenario rooms --users "$USERS" --room-size 10 --rate "$RATE" --duration 10
  run "dm-${USERS}@$RATE" "$backend" --scenario dm --users "$USERS" --rate "$RATE" --duration 10
  stop_all
  rm -rf "$WORK"/n* "$WORK"/*.log
done
echo "results: $OUT/results.jsonl"
