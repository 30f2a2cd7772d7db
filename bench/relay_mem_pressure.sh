#!/usr/bin/env bash
# Memory pressure on the relay: sasae-relay under `ulimit -v KB`, SESSIONS generator
# sessions of MBPS Mbit/s running through it, then IDLE idle hosts from a second generator
# asking for more than the address space allows. Prints what the idle hosts got, whether
# the running sessions lost anything, and the relay's log lines and audit reasons.
# usage: SASAE_BIN=build bench/relay_mem_pressure.sh [KB=100000] [SESSIONS=50] [MBPS=2] [IDLE=3000]
set -euo pipefail
SASAE_BIN=${SASAE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build}
SASAE_SRC=$(cd "$(dirname "$0")/.." && pwd)
export SASAE_BIN SASAE_SRC
LIM=${1:-100000} SESS=${2:-50} MBPS=${3:-2} IDLE=${4:-3000}
source "$SASAE_SRC/tests/integration/relay_lib.sh"
set +e
make_certs "$WORK/certs"
mkdir -p "$WORK/audit"
RELAY_PORT=$(free_port)
(
  ulimit -v "$LIM"
  exec "$RELAY" --port "$RELAY_PORT" --cert "$WORK/certs/relay.pem" --key "$WORK/certs/relay.key" \
    --operator-ca "$WORK/certs/ca.pem" --crl "$WORK/certs/crl.pem" --audit-dir "$WORK/audit" \
    --conn-rate 1000000 --join-rate 1000000 --max-conns-per-addr 1000000 --max-sessions 100000
) >"$WORK/relay.out" 2>"$WORK/relay.log" &
RELAY_PID=$!
PIDS+=("$RELAY_PID")
for _ in $(seq 100); do grep -q "sasae-relay ready" "$WORK/relay.out" && break; sleep 0.1; done
URL=wss://127.0.0.1:$RELAY_PORT/
G=("$SASAE_BIN/bench/bench_relay_lean" --url "$URL" --ca "$WORK/certs/ca.pem" --cert "$WORK/certs/alice.pem"
  --key "$WORK/certs/alice.key" --relay-pid "$RELAY_PID")
echo "relay under ulimit -v $LIM kB: $(grep -o 'memory limits:.*' "$WORK/relay.log")"
"${G[@]}" --sessions "$SESS" --mbps "$MBPS" --seconds 40 >"$WORK/run.out" 2>&1 &
A=$!
sleep 8
"${G[@]}" --idle --sessions "$IDLE" --seconds 10 >"$WORK/fill.out" 2>&1
echo "idle hosts: $(grep -m1 registered "$WORK/fill.out")"
echo "  what the others were told (first ones): $(grep -m3 'connection lost' "$WORK/fill.out" | sed 's/.*lost: //' | sort | uniq -c | tr '\n' ' ')"
wait $A
echo "running sessions: $(grep RESULT "$WORK/run.out" | grep -oE 'sessions=[0-9]+ paired=[0-9]+|sent=[0-9]+ received=[0-9]+|p99=[0-9.]+' | tr '\n' ' ')"
kill -0 "$RELAY_PID" && echo "relay alive" || echo "relay DEAD"
echo "relay log: $(grep -c 'out of memory' "$WORK/relay.log") 'out of memory', $(grep -c 'low on memory' "$WORK/relay.log") 'low on memory' lines"
stop_relay
echo "audit refusals: $(grep -ho '"result":"refused","reason":"[^"]*"' "$WORK"/audit/* | sort | uniq -c | tr '\n' ' ')"
echo "audit ends: $(grep -h '"event":"end"' "$WORK"/audit/* | grep -o '"reason":"[^"]*"' | sort | uniq -c | tr '\n' ' ')"
