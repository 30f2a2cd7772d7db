#!/usr/bin/env bash
# TLS policy of the relay and its clients. The default relay is scanned with sslscan and
# must offer TLS 1.3 with TLS_AES_256_GCM_SHA384 and nothing else (no other version, no
# other suite, X25519 and P-256 only, no renegotiation), checked again after a SIGHUP
# reload; openssl s_client checks each refusal, the certificate, ALPN and that no session
# can be resumed. TLS 1.2 (ECDHE AES-256-GCM only) appears only with tls12 = 1, which is
# logged at start. The host/viewer client (relay/client) speaks TLS 1.3 only: it refuses
# a server that offers only TLS 1.2.
source "$(dirname "$0")/relay_lib.sh"
command -v sslscan > /dev/null || fail "sslscan missing (scripts/setup.sh installs it)"
CAF=$WORK/certs/ca.pem
sc() { timeout 10 openssl s_client -connect "127.0.0.1:$1" -CAfile "$CAF" -verify_return_error "${@:2}" < /dev/null 2>&1; }
# ok PORT ARGS: the handshake completed (any cipher); refused handshakes print "Cipher is (NONE)".
ok() { sc "$@" | grep -q "Cipher is [A-Z]" ; }

# scan PORT OUT: sslscan's findings as lines "proto P", "suite PROTO NAME", "group PROTO NAME",
# "reneg TEXT" (sorted); fails if the scan found no suite at all (a broken scan passes nothing).
scan() {
  sslscan --no-colour --no-heartbleed "127.0.0.1:$1" > "$2.raw" 2>&1 || true
  awk '
    /^  [A-Z]/ { sec = $0; next }
    sec ~ /Protocols/ && $2 == "enabled" { print "proto " $1 }
    sec ~ /Cipher/ && ($1 == "Preferred" || $1 == "Accepted") { print "suite " $2 " " $5 }
    sec ~ /Key Exchange Group/ && $1 ~ /^TLS/ { print "group " $1 " " $4 }
    sec ~ /renegotiation/ && NF { print "reneg " $0 }
  ' "$2.raw" | sort > "$2"
  grep -q "^suite " "$2" || { cat "$2.raw"; fail "sslscan found no cipher suite at all"; }
}

# Sanity: the scan and the checks can tell a weak server from ours. A stock s_server with
# TLS 1.2 and default suites must show up as such.
make_certs "$WORK/certs"
CTRL=$(free_port)
openssl s_server -accept "$CTRL" -cert "$WORK/certs/relay.pem" -key "$WORK/certs/relay.key" -www \
  -quiet > "$WORK/ctrl.log" 2>&1 &
CP=$!; PIDS+=("$CP")
for i in $(seq 1 50); do ss -Hltn "sport = :$CTRL" | grep -q . && break; sleep 0.1; done
scan "$CTRL" "$WORK/ctrl.scan"
grep -q "^proto TLSv1.2" "$WORK/ctrl.scan" && grep -q "^suite TLSv1.3 TLS_AES_128_GCM_SHA256" "$WORK/ctrl.scan" \
  || { cat "$WORK/ctrl.scan"; fail "scan does not see TLS 1.2 / AES-128 on a stock server"; }
out=$( (sleep 1; echo) | timeout 10 openssl s_client -connect "127.0.0.1:$CTRL" -CAfile "$CAF" \
  -sess_out "$WORK/ctrl.sess" 2>&1)
(sleep 1; echo) | timeout 10 openssl s_client -connect "127.0.0.1:$CTRL" -CAfile "$CAF" \
  -sess_in "$WORK/ctrl.sess" 2>&1 | grep -q "^Reused, TLSv1.3" || fail "resumption check cannot see a resumed session"
kill "$CP" 2>/dev/null || true; wait "$CP" 2>/dev/null || true
pass "the checks see TLS 1.2, AES-128 and session resumption on a stock server"

# The policy a default relay must show, exactly.
want_default="group TLSv1.3 secp256r1
group TLSv1.3 x25519
proto TLSv1.3
reneg Session renegotiation not supported
suite TLSv1.3 TLS_AES_256_GCM_SHA384"

start_relay
grep -q "TLS 1.3 only, TLS_AES_256_GCM_SHA384 only" "$WORK/relay.log" || fail "TLS policy not logged at start"
scan "$RELAY_PORT" "$WORK/default.scan"
[ "$(cat "$WORK/default.scan")" = "$want_default" ] \
  || { diff <(echo "$want_default") "$WORK/default.scan"; fail "default relay offers more than TLS 1.3 AES-256-GCM"; }
pass "sslscan: default relay offers TLS 1.3 TLS_AES_256_GCM_SHA384 only (X25519, P-256; no renegotiation)"

out=$(sc "$RELAY_PORT" -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384)
grep -q "TLS_AES_256_GCM_SHA384" <<<"$out" || { echo "$out"; fail "good TLS 1.3 suite refused"; }
grep -q "Verify return code: 0" <<<"$out" || fail "relay certificate does not verify"
for s in TLS_AES_128_GCM_SHA256 TLS_CHACHA20_POLY1305_SHA256 TLS_AES_128_CCM_SHA256; do
  ok "$RELAY_PORT" -tls1_3 -ciphersuites "$s" && fail "TLS 1.3 $s accepted"
done
for c in ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES128-GCM-SHA256 AES256-GCM-SHA384; do
  ok "$RELAY_PORT" -tls1_2 -cipher "$c" && fail "TLS 1.2 $c accepted by default"
done
ok "$RELAY_PORT" -tls1_1 && fail "TLS 1.1 accepted"
sc "$RELAY_PORT" -groups X25519 | grep -q "Server Temp Key: X25519" || fail "X25519 not offered"
sc "$RELAY_PORT" -groups P-256 | grep -q "Server Temp Key: ECDH, prime256v1" || fail "P-256 refused"
ok "$RELAY_PORT" -groups P-384 && fail "P-384-only client accepted"
sc "$RELAY_PORT" -alpn h2 | grep -q "ALPN protocol: h2" && fail "h2 negotiated"
pass "s_client: other TLS 1.3 suites, TLS 1.2 and 1.1, P-384 and h2 refused"

(sleep 1; echo) | timeout 10 openssl s_client -connect "127.0.0.1:$RELAY_PORT" -CAfile "$CAF" \
  -sess_out "$WORK/relay.sess" > "$WORK/sess1" 2>&1 || true
grep -q "Post-Handshake New Session Ticket" "$WORK/sess1" && fail "relay sent a session ticket"
if [ -s "$WORK/relay.sess" ]; then
  (sleep 1; echo) | timeout 10 openssl s_client -connect "127.0.0.1:$RELAY_PORT" -CAfile "$CAF" \
    -sess_in "$WORK/relay.sess" 2>&1 | grep -q "^Reused" && fail "relay resumed a TLS session"
fi
pass "no session tickets, no resumption"

# SIGHUP reloads certificate, CA and CRL and applies the same policy again.
kill -HUP "$RELAY_PID"
for i in $(seq 1 50); do grep -q "SIGHUP" "$WORK/relay.log" && break; sleep 0.1; done
grep -q "SIGHUP" "$WORK/relay.log" || fail "SIGHUP not handled"
scan "$RELAY_PORT" "$WORK/hup.scan"
[ "$(cat "$WORK/hup.scan")" = "$want_default" ] \
  || { diff <(echo "$want_default") "$WORK/hup.scan"; fail "policy changed after SIGHUP"; }
pass "same policy after a SIGHUP reload"
stop_relay

# TLS 1.2 only when the relay's operator turns it on: ECDHE AES-256-GCM, logged at start.
start_relay --tls12 1
grep -q "TLS 1.2 enabled by configuration" "$WORK/relay.log" || fail "tls12 = 1 not logged at start"
scan "$RELAY_PORT" "$WORK/tls12.scan"
# (sslscan 2.0 probes only NIST curves for TLS 1.2 groups; its suite line shows X25519.)
want12="group TLSv1.2 secp256r1
group TLSv1.3 secp256r1
group TLSv1.3 x25519
proto TLSv1.2
proto TLSv1.3
reneg Session renegotiation not supported
suite TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384
suite TLSv1.3 TLS_AES_256_GCM_SHA384"
[ "$(cat "$WORK/tls12.scan")" = "$want12" ] \
  || { diff <(echo "$want12") "$WORK/tls12.scan"; fail "tls12 = 1 offers more than ECDHE AES-256-GCM"; }
for c in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES256-SHA384 \
         ECDHE-ECDSA-AES256-SHA AES256-GCM-SHA384 AES128-SHA; do
  ok "$RELAY_PORT" -tls1_2 -cipher "$c" && fail "TLS 1.2 $c accepted"
done
sc "$RELAY_PORT" -tls1_2 | grep -q "Compression: NONE" || fail "TLS 1.2 compression not NONE"
pass "tls12 = 1: TLS 1.2 with ECDHE-ECDSA-AES256-GCM-SHA384 only, no compression, logged"

# Our clients refuse a TLS 1.2 relay, even one our relay's operator could have allowed.
$TC host --url "$URL" $CA --expect-error 8 --timeout 3 > "$WORK/c13" 2>&1 || true
grep -q "^CODE " "$WORK/c13" || { cat "$WORK/c13"; fail "client cannot register on a TLS 1.2 + 1.3 relay"; }
stop_relay
for v in tls1_2 tls1_3; do
  P=$(free_port)
  # (stdin held open: s_server stops at end of input)
  sleep 15 2> /dev/null | openssl s_server -accept "$P" -"$v" -cert "$WORK/certs/relay.pem" \
    -key "$WORK/certs/relay.key" -naccept 1 > "$WORK/s_$v.log" 2>&1 &
  SP=$!; PIDS+=("$SP")
  for i in $(seq 1 50); do ss -Hltn "sport = :$P" | grep -q . && break; sleep 0.1; done
  $TC host --url "wss://127.0.0.1:$P/" $CA --expect-end 4 --timeout 5 > "$WORK/c_$v" 2>&1 || true
  kill "$SP" 2>/dev/null || true; wait "$SP" 2>/dev/null || true
done
grep -q "CIPHER is TLS_AES_256_GCM_SHA384" "$WORK/s_tls1_3.log" \
  || { cat "$WORK/s_tls1_3.log"; fail "client did not complete TLS 1.3 with a plain server (check broken)"; }
grep -q "CIPHER is" "$WORK/s_tls1_2.log" && { cat "$WORK/s_tls1_2.log"; fail "client completed a TLS 1.2 handshake"; }
pass "client: TLS 1.3 TLS_AES_256_GCM_SHA384 only (a TLS 1.2 server is refused)"
