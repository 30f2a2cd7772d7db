#!/usr/bin/env bash
# Limits through the real relay: unpaired timeout / code expiry, code single use after
# expiry, burn after 5 failed joins, 1000 wrong codes hit the join rate limit, a
# connection that never says hello is dropped.
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

# Burn: 5 joins without an operator certificate against a live code; the 5th burns it.
stop_relay
start_relay --code-ttl 60 --join-rate 1000 --conn-rate 100000 --max-conns-per-addr 100000
rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --expect-error 3 --timeout 30 > "$WORK/h3" &
HP=$!; PIDS+=("$HP")
for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
for i in 1 2 3 4 5; do
  $TC viewer --url "$URL" $CA --code "$(cat "$WORK/code")" --expect-error 5 --timeout 20 \
    | grep -q "RESULT ok" || fail "join $i without operator cert was not refused"
done
wait "$HP" || true
grep -q "RESULT ok" "$WORK/h3" || { cat "$WORK/h3"; fail "host not told its code burned"; }
$TC viewer --url "$URL" $CA $OP --code "$(cat "$WORK/code")" --expect-error 3 --timeout 20 \
  | grep -q "RESULT ok" || fail "burned code still joinable by an operator"
pass "code burned after 5 failed joins"

# 1000 wrong codes from one address: a handful are answered "bad code", the rest "rate".
stop_relay
start_relay --join-rate 20 --conn-rate 100000 --max-conns-per-addr 100000
$RAW wrongcodes:1000 "$RELAY_PORT" "$WORK/certs/ca.pem" "$WORK/certs/alice.pem" \
  "$WORK/certs/alice.key" > "$WORK/wc" || fail "wrongcodes client"
cat "$WORK/wc"
read -r bad rate other < <(sed -n 's/WRONGCODES bad_code=\([0-9]*\) rate=\([0-9]*\) other=\([0-9]*\)/\1 \2 \3/p' "$WORK/wc")
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
