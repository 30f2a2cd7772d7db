#!/usr/bin/env bash
# TLS policy of the relay checked with openssl s_client: only TLS_AES_256_GCM_SHA384 on
# TLS 1.3, only ECDHE AES-256-GCM on TLS 1.2, X25519 and P-256 key exchange.
source "$(dirname "$0")/relay_lib.sh"
start_relay
CAF=$WORK/certs/ca.pem
sc() { timeout 10 openssl s_client -connect "127.0.0.1:$RELAY_PORT" -CAfile "$CAF" -verify_return_error "$@" < /dev/null 2>&1; }
# ok ARGS: the handshake completed (any cipher); refused handshakes print "Cipher is (NONE)".
ok() { sc "$@" | grep -q "Cipher is [A-Z]" ; }
# Sanity: the check itself can tell success from failure.
ok -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 || fail "ok() cannot see a good handshake"

out=$(sc -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384)
echo "$out" | grep -q "TLS_AES_256_GCM_SHA384" || { echo "$out"; fail "good TLS 1.3 suite refused"; }
echo "$out" | grep -q "Verify return code: 0" || fail "relay certificate does not verify"
pass "TLS 1.3 TLS_AES_256_GCM_SHA384 accepted"
for s in TLS_AES_128_GCM_SHA256 TLS_CHACHA20_POLY1305_SHA256 TLS_AES_128_CCM_SHA256; do
  ok -tls1_3 -ciphersuites "$s" && fail "TLS 1.3 $s accepted"
done
pass "TLS 1.3 AES-128 / ChaCha20 / CCM refused"
ok -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 || fail "TLS 1.2 ECDHE-ECDSA-AES256-GCM refused"
for c in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES256-SHA384 \
         ECDHE-ECDSA-AES256-SHA AES256-GCM-SHA384 AES128-SHA; do
  ok -tls1_2 -cipher "$c" && fail "TLS 1.2 $c accepted"
done
ok -tls1_1 && fail "TLS 1.1 accepted"
pass "TLS 1.2 weak suites and older versions refused"
sc -tls1_3 -groups X25519 | grep -q "Server Temp Key: X25519" || fail "X25519 not offered"
sc -tls1_3 -groups P-256 | grep -q "Server Temp Key: ECDH, prime256v1" || fail "P-256 refused"
ok -tls1_3 -groups P-384 && fail "P-384-only client accepted"
pass "key exchange X25519 and P-256 only"
sc -tls1_3 -alpn h2 | grep -q "ALPN protocol: h2" && fail "h2 negotiated"
pass "no h2 (ALPN http/1.1)"
stop_relay
# TLS 1.2 can be switched off entirely.
start_relay --tls12 0
ok -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 && fail "TLS 1.2 accepted with --tls12 0"
pass "--tls12 0 refuses TLS 1.2"
stop_relay
