#!/usr/bin/env bash
# Real relay + real clients: pairing, forwarding both ways, ~1 MiB messages, 200
# concurrent sessions, clean ends (PEER_LEFT), code single use.
source "$(dirname "$0")/relay_lib.sh"
start_relay --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000

$TC pairs --url "$URL" $CA $OP --sessions 1 --msgs 20 --size 1000 --timeout 60 \
  | tee "$WORK/p1" | grep -q "RESULT ok" || fail "one session both ways"
pass "pairing + forwarding both ways"

$TC pairs --url "$URL" $CA $OP --sessions 2 --msgs 4 --size $((1048576 + 64)) --timeout 120 \
  | grep -q "RESULT ok" || fail "largest messages (1 MiB + 64)"
pass "1 MiB + 64 byte messages"

$TC pairs --url "$URL" $CA $OP --sessions 200 --msgs 10 --size 4000 --timeout 180 \
  | tee "$WORK/p200" | grep -q "RESULT ok" || fail "200 concurrent sessions"
pass "200 concurrent sessions ($(grep RESULT "$WORK/p200"))"

# Single use: host + viewer pair, then a second viewer with the same code is refused.
rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --msgs 1 --size 10 --hold --timeout 30 > "$WORK/h.out" &
HP=$!; PIDS+=("$HP")
$TC viewer --url "$URL" $CA $OP --code-file "$WORK/code" --msgs 1 --size 10 --hold --timeout 30 > "$WORK/v.out" &
VP=$!; PIDS+=("$VP")
for i in $(seq 1 100); do grep -q PAIRED "$WORK/v.out" 2>/dev/null && break; sleep 0.1; done
grep -q "PAIRED" "$WORK/v.out" || fail "viewer did not pair"
grep -q "PAIRED operator=alice org=Test Org" "$WORK/h.out" || fail "host did not see the verified operator name"
$TC viewer --url "$URL" $CA $OP --code "$(cat "$WORK/code")" --expect-error 3 --timeout 20 \
  | grep -q "RESULT ok" || fail "second join of a used code was not refused"
pass "code is single use"

# SIGTERM drains: the paired host and viewer are told PEER_LEFT 6 (relay shutting down).
relay_alive || fail "relay died"
stop_relay
wait "$HP" "$VP" 2>/dev/null || true
grep -q "PEER_LEFT 6" "$WORK/h.out" || { cat "$WORK/h.out"; fail "host not told the relay is shutting down"; }
grep -q "PEER_LEFT 6" "$WORK/v.out" || { cat "$WORK/v.out"; fail "viewer not told the relay is shutting down"; }
pass "relay drained on SIGTERM (peers told why)"

# Reconnect with backoff before pairing: the host starts while no relay listens, then the
# relay comes up on that port and the host registers on a later attempt.
FIXED_PORT=$(free_port)
$TC host --url "wss://127.0.0.1:$FIXED_PORT/" $CA --reconnect 6 --expect-error 8 --timeout 40 > "$WORK/rh" 2>&1 &
RP=$!; PIDS+=("$RP")
sleep 1.5
FIXED_PORT=$FIXED_PORT start_relay --code-ttl 2
wait "$RP" || { cat "$WORK/rh"; fail "host did not reconnect and register"; }
grep -q "^CODE " "$WORK/rh" || fail "no code after reconnect"
grep -q "retrying" "$WORK/rh" || fail "no retry happened"
stop_relay
pass "host reconnects with backoff until the relay is up"
