#!/usr/bin/env bash
# Runs a relay load generator against a fresh sasae-relay with test certificates (from
# tests/integration/relay_lib.sh).
# usage: SASAE_BIN=build bench/run_relay_bench.sh [generator args]; RELAY_EXTRA="--flag v" adds
# relay flags; GEN=lws uses the old generator on sasae_relayclient/lws (bench_relay) instead of
# the lean one (bench_relay_lean, raw OpenSSL + epoll); with GEN=lws, EVLIB=poll makes it use
# poll() instead of libev. PERF_OUT=file records the relay with `perf record -g` during the run;
# SYSCALLS_OUT=file counts its syscalls instead (PERF_DELAY, PERF_SECS: when and how long).

set -euo pipefail
SASAE_BIN=${SASAE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build}
# relay_lib.sh sources its helpers from the checkout
export SASAE_SRC=${SASAE_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
KEEP_WORK=${KEEP_WORK:-0}
source "$(dirname "$0")/../tests/integration/relay_lib.sh"
set +e

start_relay --conn-rate 1000000 --join-rate 1000000 --max-conns-per-addr 1000000 --max-sessions 100000 --log-level warn ${RELAY_EXTRA:-}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
GEN_ARGS=(--url "$URL" --ca "$WORK/certs/ca.pem" --cert "$WORK/certs/alice.pem" --key "$WORK/certs/alice.key" --relay-pid "$RELAY_PID" "$@")
if [ -n "${PERF_OUT:-}" ]; then
  # Start recording once the sessions are up (the generator prints "paired"), for the window.
  ( sleep "${PERF_DELAY:-8}"; perf record -g -o "$PERF_OUT" -p "$RELAY_PID" -- sleep "${PERF_SECS:-5}" >/dev/null 2>&1 ) &
  PERF_PID=$!
elif [ -n "${SYSCALLS_OUT:-}" ]; then
  # Count the relay's syscalls per kind during the window (software tracepoints).
  ( sleep "${PERF_DELAY:-8}"; perf stat -o "$SYSCALLS_OUT" -e 'syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom' -p "$RELAY_PID" -- sleep "${PERF_SECS:-5}" >/dev/null 2>&1 ) &
  PERF_PID=$!
fi
if [ "${GEN:-lean}" = lws ]; then
  SASAE_RELAYCLIENT_EVLIB=${EVLIB:-libev} $SASAE_BIN/bench/bench_relay "${GEN_ARGS[@]}"
else
  $SASAE_BIN/bench/bench_relay_lean "${GEN_ARGS[@]}"
fi
[ -n "${PERF_PID:-}" ] && wait "$PERF_PID"
stop_relay
