#!/usr/bin/env bash
# Runs the benchmark scenarios of BENCHMARKS.md on this machine: a private redis-server,
# one or two release server instances, and loadgen. Results: one JSON line per run in
# bench-results/results.jsonl (and the human tables on the terminal).
#
#   scripts/bench.sh              every scenario, on 1 and 2 instances
#   scripts/bench.sh fanout-200   one scenario (see the case below)
#   scripts/bench.sh inbound      the accept-path set: dm and rooms at 1,000 to 20,000 msg/s in
# Environment: SERVER=path/to/redis-chat (default: this tree's release build) compares
# builds in one sitting; LOADGEN=path/to/loadgen likewise (default: the release build of
# the workspace crate loadgen/, `make bench` builds both); INSTANCES="1" runs only the
# one-instance rows.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}/release
SERVER=${SERVER:-$TARGET/redis-chat}
LOADGEN=${LOADGEN:-$TARGET/loadgen}
INSTANCES=${INSTANCES:-1 2}
OUT=bench-results
mkdir -p "$OUT"
WORK=$(mktemp -d)
ulimit -n 250000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start_redis() {
  redis-server --port 0 --unixsocket "$WORK/redis.sock" --save "" --appendonly no --dir "$WORK" \
    --maxclients 100000 >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do redis-cli -s "$WORK/redis.sock" ping >/dev/null 2>&1 && return; sleep 0.05; done
  echo "redis did not start" >&2; exit 1
}

start_server() { # port
  # The load users post, open rooms and hold sockets far beyond one person's limits.
  MESSAGES_PER_SEC=0 TYPING_PER_SEC=0 ROOMS_PER_MINUTE=0 DIRECT_ROOMS_PER_MINUTE=0 MAX_SOCKETS_PER_USER=0 \
  JOINS_PER_MINUTE=0 REGISTRATIONS_PER_HOUR=0 \
  REDIS_URL="redis+unix://$WORK/redis.sock" PORT=$1 HOST=127.0.0.1 DEMO_DATA=false RUST_LOG=warn \
    CLIENT_DIR=/nonexistent WS_QUEUE=4096 "$SERVER" >"$WORK/server-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return; sleep 0.05; done
  echo "server on $1 did not start" >&2; cat "$WORK/server-$1.log" >&2; exit 1
}

run() { # name instances loadgen-args...
  local name=$1 instances=$2; shift 2
  local urls=(--url http://127.0.0.1:4100)
  [ "$instances" = 2 ] && urls+=(--url http://127.0.0.1:4101)
  echo "== $name ($instances instance(s))"
  "$LOADGEN" "${urls[@]}" --pid auto --redis "redis+unix://$WORK/redis.sock" --sessions "$WORK/sessions.json" "$@" | tee "$WORK/last.txt"
  tail -n 1 "$WORK/last.txt" | python3 -c "import json,sys; r=json.load(sys.stdin); r['name']='$name'; r['label']='${LABEL:-}'; print(json.dumps(r))" >>"$OUT/results.jsonl"
}

start_redis
start_server 4100
# The second instance subscribes to MESSAGES too: start it only for two-instance rows, so
# it does not add its share to one-instance costs.
case " $INSTANCES " in *" 2 "*) start_server 4101;; esac
which=${1:-all}
for inst in $INSTANCES; do
  case $which in all|fanout-200)  run "fanout-200@500"   $inst --scenario fanout --users 200 --senders 10 --rate 500  --duration 10;;& esac
  case $which in all|fanout-200)  run "fanout-200@2500"  $inst --scenario fanout --users 200 --senders 20 --rate 2500 --duration 10;;& esac
  case $which in all|fanout-1000) run "fanout-1000@500"  $inst --scenario fanout --users 1000 --senders 10 --rate 500 --duration 10;;& esac
  case $which in all|low-rate)    run "fanout-200@100"   $inst --scenario fanout --users 200 --senders 10 --rate 100  --duration 10;;& esac
  case $which in all|rooms)       run "rooms-1000x10"    $inst --scenario rooms  --users 1000 --room-size 10 --rate 5000 --duration 10;;& esac
  case $which in all|dm)          run "dm-1000"          $inst --scenario dm     --users 1000 --rate 5000 --duration 10;;& esac
  case $which in all|login)       run "login-storm"      $inst --scenario login  --users 200 --senders 10 --rate 500 --login-rate 20 --duration 10;;& esac
  case $which in all|inbound)     run "dm-1000@1000"     $inst --scenario dm     --users 1000 --rate 1000 --duration 10;;& esac
  case $which in all|inbound)     run "dm-1000@10000"    $inst --scenario dm     --users 1000 --rate 10000 --duration 10;;& esac
  case $which in all|inbound)     run "dm-1000@20000"    $inst --scenario dm     --users 1000 --rate 20000 --duration 10;;& esac
  case $which in all|inbound)     run "rooms-1000x10@10000" $inst --scenario rooms --users 1000 --room-size 10 --rate 10000 --duration 10;;& esac
  case $which in all|inbound)     run "rooms-1000x10@20000" $inst --scenario rooms --users 1000 --room-size 10 --rate 20000 --duration 10;;& esac
  case $which in all|history)     run "history-5000"     $inst --scenario history --users 4 --history-messages 5000 --duration 10;;& esac
done
# 50,000 sockets need 50,000 descriptors in the server and in loadgen: capped by the file
# limit this shell can reach (some sandboxes cap the hard limit).
conns=$(( $(ulimit -n) - 2000 )); [ "$conns" -gt 50000 ] && conns=50000
case $which in all|idle) run "idle-$conns" 1 --scenario idle --users 100 --connections "$conns" --source-ips 4 --concurrency 256 --duration 10;; esac
echo "results: $OUT/results.jsonl"
