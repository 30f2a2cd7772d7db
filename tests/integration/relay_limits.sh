#!/usr/bin/env bash
# Limits through the real relay: unpaired timeout / code expiry, code single use after
# expiry, non-operators refused without touching codes, failed joins limited per address
# and relay-wide, 1000 wrong codes hit the join rate limit, a connection that never says
# hello is dropped.
source "$(dirname "$0")/relay_lib.sh"
start_relay --code-ttl 2 --hello-timeout 2 --join-rate 30 --conn-rate 100000 --max-conns-per-addr 100000

# Unpaired: the host is told its code expired (ERROR 8) and closed.
$TC host --url "$URL" $CA --expect-error 8 --timeout 20 > "$WORK/h1" || true
grep -q "RESULT ok" "$WORK/h1" || { cat "$WORK/h1"; fail "unpaired host not closed with ERROR unpaired"; }
pass "unpaired timeout (code expiry) closes the host with a reason"

# Expired code cannot be joined: register, wait past the TTL, join -> BAD_CODE (3).
rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --expect-error 8 --timeout 20 > "$WORK/h2" &
HP=$!; PIDS+=("$HP")
for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
sleep 3
$TC viewer --url "$URL" $CA $OP --code "$(cat "$WORK/code")" --expect-error 3 --timeout 20 \
  | grep -q "RESULT ok" || fail "expired code was joinable"
wait "$HP" || true
pass "expired code refused"

# Non-operators are refused before the code is looked up: the same ERROR 5 for a live and
# an unknown code, however often, and the live code is not worn down by it.
stop_relay
start_relay --code-ttl 60 --join-rate 1000 --max-failed-joins 3 --conn-rate 100000 --max-conns-per-addr 100000
rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --msgs 1 --size 100 --timeout 60 > "$WORK/h3" &
HP=$!; PIDS+=("$HP")
for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
for i in 1 2 3 4 5 6 7; do
  for c in "$(cat "$WORK/code")" 0000001; do
    $TC viewer --url "$URL" $CA --code "$c" --expect-error 5 --timeout 20 \
      | grep -q "RESULT ok" || fail "join $i ($c) without operator cert: not ERROR 5"
  done
done
pass "non-operators: ERROR 5 for live and unknown codes alike"
# Failed operator joins count per address: 3 unknown codes, then even the live code is
# refused (ERROR 4) without being looked up.
for i in 1 2 3; do
  $TC viewer --url "$URL" $CA $OP --code 0000002 --expect-error 3 --timeout 20 \
    | grep -q "RESULT ok" || fail "operator join $i with an unknown code: not ERROR 3"
done
$TC viewer --url "$URL" $CA $OP --code "$(cat "$WORK/code")" --expect-error 4 --timeout 20 \
  | grep -q "RESULT ok" || fail "address over max-failed-joins was not refused"
pass "failed operator joins limited per address"
kill "$HP" 2>/dev/null || true; wait "$HP" 2>/dev/null || true
stop_relay
# A live code outlives any number of joins without a certificate; the operator gets in.
start_relay --code-ttl 60 --join-rate 1000 --conn-rate 100000 --max-conns-per-addr 100000
rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --msgs 1 --size 100 --timeout 60 > "$WORK/h4" &
HP=$!; PIDS+=("$HP")
for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
for i in 1 2 3 4 5 6 7 8 9 10; do
  $TC viewer --url "$URL" $CA --code "$(cat "$WORK/code")" --expect-error 5 --timeout 20 \
    | grep -q "RESULT ok" || fail "join $i without operator cert: not ERROR 5"
done
$TC viewer --url "$URL" $CA $OP --code "$(cat "$WORK/code")" --msgs 1 --size 100 --timeout 30 \
  | grep -q "RESULT ok" || fail "code did not survive 10 joins without a certificate"
wait "$HP" || { cat "$WORK/h4"; fail "host side of the session failed"; }
[ "$(metric 'sasae_relay_rejects_total{reason="not_operator"}')" = 10 ] || fail "not_operator metric"
pass "10 joins without a certificate do not burn the code; the operator still gets in"

# Relay-wide cap on failed joins: the 4th failure in a minute (any address) is refused
# with ERROR 4 and a clear reason, counted in /metrics and logged.
stop_relay
start_relay --max-failed-joins 100 --max-failed-joins-global 3 --join-rate 1000 --conn-rate 100000 --max-conns-per-addr 100000
for i in 1 2 3; do
  $TC viewer --url "$URL" $CA $OP --code 000000$i --expect-error 3 --timeout 20 \
    | grep -q "RESULT ok" || fail "failed join $i: not ERROR 3"
done
$TC viewer --url "$URL" $CA $OP --code 0000004 --expect-error 4 --timeout 20 > "$WORK/g4" 2>&1
grep -q "RESULT ok" "$WORK/g4" || { cat "$WORK/g4"; fail "global failed-join cap not enforced"; }
[ "$(metric 'sasae_relay_rejects_total{reason="join_fail_global"}')" = 1 ] || fail "join_fail_global metric"
grep -q "relay-wide failed-join cap (3/min) reached" "$WORK/relay.log" || fail "global cap not logged"
pass "relay-wide failed-join cap: ERROR 4, metric, log"

# 1000 wrong codes from one address: a handful are answered "bad code", the rest "rate".
stop_relay
start_relay --join-rate 20 --conn-rate 100000 --max-conns-per-addr 100000
$RAW wrongcodes:1000 "$RELAY_PORT" "$WORK/certs/ca.pem" "$WORK/certs/alice.pem" \
  "$WORK/certs/alice.key" > "$WORK/wc" || fail "wrongcodes client"
cat "$WORK/wc"
read -r bad rate other < <(sed -n 's/WRONGCODES bad_code=\([0-9]*\) rate=\([0-9]*\) other=\([0-9]*\).*/\1 \2 \3/p' "$WORK/wc")
[ "$bad" -le 100 ] && [ "$rate" -ge 900 ] && [ "$other" -le 5 ] || fail "rate limit: bad=$bad rate=$rate other=$other"
relay_alive || fail "relay died"
pass "1000 wrong codes: $bad answered, $rate rate limited"

# Idle paired session (no data either way) is ended: host ERROR 9, viewer PEER_LEFT 3.
stop_relay
start_relay --idle-timeout 2 --conn-rate 100000 --join-rate 100000
rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --expect-error 9 --timeout 30 > "$WORK/ih" &
HP=$!; PIDS+=("$HP")
for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
$TC viewer --url "$URL" $CA $OP --code "$(cat "$WORK/code")" --expect-end 2 --timeout 30 > "$WORK/iv" \
  || { cat "$WORK/iv"; fail "idle viewer not told PEER_LEFT"; }
grep -q "PEER_LEFT 3" "$WORK/iv" || { cat "$WORK/iv"; fail "idle viewer: wrong reason"; }
wait "$HP" || { cat "$WORK/ih"; fail "idle host not closed with ERROR idle"; }
pass "idle paired session ended with reasons"

# A connection that never sends REGISTER/JOIN is dropped after hello-timeout.
stop_relay
start_relay --hello-timeout 1
$RAW silent "$RELAY_PORT" "$WORK/certs/ca.pem" || fail "silent connection not dropped with a reason"
relay_alive || fail "relay died"
stop_relay
pass "silent connection dropped after hello-timeout"
