#!/usr/bin/env bash
# Relay cluster benchmark on loopback: Redis and two cluster nodes (child processes), the lean
# load generator (bench_relay_lean) with hosts on node 1. Per round:
#   mixed: N sessions at M Mbit/s, every other viewer joining through node 2 (cross-node) and
#          the rest through node 1: added latency (viewer receive - host send) p50/p99 of the
#          two kinds in the same run, CPU of both nodes;
#   local: the same N sessions all on node 1 (single-node forwarding): CPU per session.
# Then the Redis commands per session (INFO's total_commands_processed over a run, less the
# heartbeats' rate measured idle) for all-cross and all-local sessions, and what this Redis
# answers (redis-benchmark SET/GET).
# usage: SASAE_BIN=build bench/cluster_bench.sh [rounds] [sessions] [mbps] [seconds]
set -euo pipefail
SASAE_BIN=${SASAE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build}
export SASAE_BIN SASAE_SRC=${SASAE_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
ROUNDS=${1:-3} N=${2:-100} MBPS=${3:-1} SECS=${4:-10}
source "$SASAE_SRC/tests/integration/relay_lib.sh"
set +e
source "$SASAE_SRC/tests/integration/cluster_lib.sh"
GEN=$SASAE_BIN/bench/bench_relay_lean

REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
printf 'bind 127.0.0.1\nport %s\nsave ""\nappendonly no\ndir %s\ndaemonize no\nlogfile ""\n' \
  "$REDIS_PORT" "$WORK/redis" > "$WORK/redis/redis.conf"
redis-server "$WORK/redis/redis.conf" > "$WORK/redis.log" 2>&1 &
PIDS+=("$!")
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
for i in $(seq 1 50); do [ "$(rcli ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
CLUSTER_DIR="cluster-redis = 127.0.0.1:$REDIS_PORT"
start_node 1 --log-level warn --max-sessions 100000
start_node 2 --log-level warn --max-sessions 100000
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
G=(--ca "$WORK/certs/ca.pem" --cert "$WORK/certs/alice.pem" --key "$WORK/certs/alice.key" --relay-pid "${NPID[1]}")
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r mixed"
  "$GEN" "${G[@]}" --url "$(url 1)" --viewer-url "$(url 2)" --relay-pid2 "${NPID[2]}" \
    --sessions "$N" --mbps "$MBPS" --seconds "$SECS" | grep -E '^(RESULT|CLUSTER)'
  echo "== round $r local"
  "$GEN" "${G[@]}" --url "$(url 1)" --sessions "$N" --mbps "$MBPS" --seconds "$SECS" | grep -E '^RESULT'
done
cmds() { rcli info stats | sed -n 's/^total_commands_processed:\([0-9]*\).*/\1/p'; }
c0=$(cmds); t0=$(date +%s%N); sleep 5; c1=$(cmds); t1=$(date +%s%N)
idle=$(awk -v c="$((c1 - c0 - 1))" -v t="$((t1 - t0))" 'BEGIN {printf "%.2f", c / (t / 1e9)}')
echo "REDIS idle_cmds_per_s=$idle (2 nodes' heartbeats)"
for kind in cross local; do
  extra=()
  [ $kind = cross ] && extra=(--viewer-url "$(url 2)" --cross-all)
  c0=$(cmds); t0=$(date +%s%N)
  "$GEN" "${G[@]}" --url "$(url 1)" "${extra[@]}" --sessions 50 --mbps 0.1 --seconds 1 > "$WORK/ops.$kind"
  sleep 1 # the sessions' ends (releases) reach Redis
  c1=$(cmds); t1=$(date +%s%N)
  grep -q 'paired=50' "$WORK/ops.$kind" || { cat "$WORK/ops.$kind"; echo "ops run $kind: not all paired"; }
  awk -v c="$((c1 - c0 - 1))" -v t="$((t1 - t0))" -v idle="$idle" -v k=$kind \
    'BEGIN {printf "REDIS %s cmds_per_session=%.1f (run %.1f s, heartbeats %.0f subtracted)\n", k, (c - idle * t / 1e9) / 50, t / 1e9, idle * t / 1e9}'
done
# what one Redis on this machine answers (simple SET/GET, 50 clients), for the arithmetic
if command -v redis-benchmark >/dev/null; then
  echo "REDIS capacity (requests/s): $(redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -n 100000 -c 50 -t set,get --csv 2>/dev/null |
    awk -F'"' '$2 == "SET" || $2 == "GET" {printf "%s=%s ", $2, $4}')"
fi
