#!/usr/bin/env bash
# Who may connect and join: hosts need no certificate; only operators with a valid
# certificate from the organisation CA (not revoked) can JOIN; the client verifies the
# relay by CA file or pinned key and fails closed otherwise.
source "$(dirname "$0")/relay_lib.sh"
start_relay --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000
C=$WORK/certs
rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --msgs 1 --size 100 --timeout 60 > "$WORK/h" &
HP=$!; PIDS+=("$HP")
for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
[ -s "$WORK/code" ] || fail "host did not register without a client certificate"
CODE=$(cat "$WORK/code")
pass "host registers without a client certificate"

$TC viewer --url "$URL" $CA --code "$CODE" --expect-error 5 --timeout 20 | grep -q "RESULT ok" \
  || fail "viewer without operator certificate was not refused"
pass "no client certificate: JOIN refused (operator certificate required)"

$TC viewer --url "$URL" $CA --cert "$C/mallory.pem" --key "$C/mallory.key" --code "$CODE" \
  --expect-end 4 --timeout 20 > "$WORK/m" 2>&1 || true; grep -q "RESULT ok" "$WORK/m" || { cat "$WORK/m"; fail "revoked operator was not refused"; }
pass "revoked operator certificate: refused at the TLS handshake"

$TC viewer --url "$URL" $CA --cert "$C/eve.pem" --key "$C/eve.key" --code "$CODE" \
  --expect-end 4 --timeout 20 | grep -q "RESULT ok" || fail "operator from a foreign CA was not refused"
pass "operator certificate from another CA: refused"

# Those 3 refused joins did not touch the code: alice still gets in.
$TC viewer --url "$URL" $CA $OP --code "$CODE" --msgs 1 --size 100 --timeout 30 | grep -q "RESULT ok" \
  || fail "valid operator could not join"
wait "$HP" || fail "host side of the session failed"
grep -q "PAIRED operator=alice org=Test Org" "$WORK/h" || fail "host not told the operator's name"
pass "valid operator joins; host sees CN/O from the certificate"

# Client-side verification of the relay (fail closed).
$TC host --url "$URL" --ca "$C/evil-ca.pem" --expect-end 4 --timeout 20 | grep -q "RESULT ok" \
  || fail "client accepted a relay its CA did not sign"
PIN=$(openssl x509 -in "$C/relay.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -r | cut -d' ' -f1)
BADPIN=$(openssl x509 -in "$C/ca.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -r | cut -d' ' -f1)
$TC pairs --url "$URL" --pin "$PIN" $OP --sessions 1 --msgs 2 --timeout 30 | grep -q "RESULT ok" \
  || fail "pinned relay key refused"
$TC host --url "$URL" --pin "$BADPIN" --expect-end 4 --timeout 20 | grep -q "RESULT ok" \
  || fail "wrong pin accepted"
$TC host --url "$URL" --expect-end 4 --timeout 5 > /dev/null 2>&1 && fail "client ran without any relay verification"
pass "client verifies the relay by CA or pinned key, fails closed"
relay_alive || fail "relay died"
stop_relay

# Hostname check: a relay reached as 127.0.0.2 (not in its SAN) is refused with the CA,
# accepted with the pin (the pin names the key, not the address).
start_relay --listen 127.0.0.2
$TC host --url "wss://127.0.0.2:$RELAY_PORT/" $CA --expect-end 4 --timeout 20 | grep -q "RESULT ok" \
  || fail "relay certificate accepted for a name it does not carry"
$TC host --url "wss://127.0.0.2:$RELAY_PORT/" --pin "$PIN" --expect-error 8 --timeout 3 > "$WORK/pin2" 2>&1 || true
grep -q "^CODE " "$WORK/pin2" || { cat "$WORK/pin2"; fail "pinned relay refused on another address"; }
stop_relay
pass "hostname verified against the certificate (CA mode)"
