#!/usr/bin/env bash
# RFC 6455 framing from a raw client against the real relay: an unmasked client frame
# (data, a REGISTER, a ping) is refused with close 1002, a text frame (whole, fragmented,
# inside a paired session) with close 1003; a paired peer is told PEER_LEFT and never gets
# the refused frame's bytes. Well-behaved clients keep working on the same relay.
source "$(dirname "$0")/relay_lib.sh"
start_relay --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000
CAF=$WORK/certs/ca.pem
raw() { $RAW "rfc6455:$1" "$RELAY_PORT" "$CAF" "$WORK/certs/alice.pem" "$WORK/certs/alice.key"; }

for c in unmasked unmasked-ping unmasked-paired; do
  out=$(raw $c) || { echo "$out"; fail "$c: not closed with 1002 (or the peer got its bytes)"; }
  grep -q "CLOSE 1002" <<<"$out" || fail "$c: no close 1002"
done
pass "unmasked client frames refused with 1002 (REGISTER, ping, DATA in a session)"

for c in text text-cont text-paired; do
  out=$(raw $c) || { echo "$out"; fail "$c: not closed with 1003 (or the peer got its bytes)"; }
  grep -q "CLOSE 1003" <<<"$out" || fail "$c: no close 1003"
done
pass "text frames refused with 1003 (whole, fragmented, DATA in a session)"

relay_alive || fail "relay died"
$TC pairs --url "$URL" $CA $OP --sessions 3 --msgs 20 --size 70000 --timeout 60 | grep -q "RESULT ok" \
  || fail "well-behaved clients no longer work"
pass "masked binary frames (our clients) still flow"
[ "$(metric 'sasae_relay_rejects_total{reason="protocol"}')" -ge 6 ] || fail "refusals not counted"
pass "refusals counted in sasae_relay_rejects_total{reason=\"protocol\"}"
stop_relay
