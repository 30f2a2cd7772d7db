#!/usr/bin/env bash
# Runs bench_relay against a fresh sasae-relay with test certificates (from tests/integration/relay_lib.sh).
# usage: SASAE_BIN=build bench/run_relay_bench.sh [bench_relay args]; RELAY_EXTRA="--flag v" adds relay flags;
# EVLIB=poll makes the generator use poll() instead of libev.

set -euo pipefail
SASAE_BIN=${SASAE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build}
KEEP_WORK=${KEEP_WORK:-0}
source "$(dirname "$0")/../tests/integration/relay_lib.sh"
set +e

start_relay --conn-rate 1000000 --join-rate 1000000 --max-conns-per-addr 1000000 --max-sessions 100000 --log-level warn ${RELAY_EXTRA:-}
SASAE_RELAYCLIENT_EVLIB=${EVLIB:-libev} $SASAE_BIN/bench/bench_relay --url "$URL" --ca "$WORK/certs/ca.pem" --cert "$WORK/certs/alice.pem" --key "$WORK/certs/alice.key" --relay-pid "$RELAY_PID" "$@"
stop_relay
