#!/usr/bin/env bash
# The relay client with its CA given in memory (ca_pem, what a branded Windows host uses):
# the relay verifies and sessions flow; a bundle whose right CA is not the first works (lws
# 4.1 itself loads only the first); a wrong CA is refused with OpenSSL's reason, and neither
# a --ca file nor SSL_CERT_FILE / SSL_CERT_DIR can add trust beside the memory CA.
source "$(dirname "$0")/relay_lib.sh"
start_relay
CAF=$WORK/certs/ca.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/other.key" \
  -out "$WORK/other.pem" -days 2 -subj "/CN=Other CA" -addext "basicConstraints=critical,CA:TRUE" \
  2>/dev/null || fail "other CA"
cat "$WORK/other.pem" "$CAF" > "$WORK/bundle.pem"
mkdir -p "$WORK/certdir" && cp "$CAF" "$WORK/certdir/" && openssl rehash "$WORK/certdir" 2>/dev/null

$TC pairs --url "$URL" --ca-mem "$CAF" $OP --sessions 2 --msgs 5 --timeout 30 >"$WORK/p1" 2>&1 ||
  { cat "$WORK/p1"; fail "sessions with the CA from memory"; }
grep -q "RESULT ok" "$WORK/p1" || fail "no RESULT ok: $(cat "$WORK/p1")"
pass "CA from memory: relay verified, 2 sessions x 5 messages each way"

$TC pairs --url "$URL" --ca-mem "$WORK/bundle.pem" $OP --sessions 1 --msgs 3 --timeout 30 \
  >"$WORK/p2" 2>&1 ||
  { cat "$WORK/p2"; fail "the relay's CA second in a memory bundle"; }
pass "memory bundle whose second certificate is the relay's CA"

# refused: host_refused NAME ENV... -- ARGS: the host role ends with END_CONNECT (4) and names
# the certificate refusal
host_refused() {
  local name=$1
  shift
  env "$@" > "$WORK/r" 2>&1 || true
  grep -q "RESULT ok end=4" "$WORK/r" && grep -q "certificate was refused" "$WORK/r" ||
    { cat "$WORK/r"; fail "$name"; }
}
host_refused "a wrong memory CA was accepted" \
  "$TC" host --url "$URL" --ca-mem "$WORK/other.pem" --expect-end 4 --timeout 20
grep -q "self-signed certificate in certificate chain\|unable to get local issuer" "$WORK/r" ||
  fail "the refusal does not give OpenSSL's reason: $(cat "$WORK/r")"
pass "wrong memory CA refused ($(grep -o 'certificate was refused: [^(]*' "$WORK/r" | head -1))"
host_refused "--ca beside a wrong memory CA added trust" \
  "$TC" host --url "$URL" --ca-mem "$WORK/other.pem" --ca "$CAF" --expect-end 4 --timeout 20
host_refused "SSL_CERT_FILE / SSL_CERT_DIR added trust to a memory CA" \
  SSL_CERT_FILE="$CAF" SSL_CERT_DIR="$WORK/certdir" \
  "$TC" host --url "$URL" --ca-mem "$WORK/other.pem" --expect-end 4 --timeout 20
pass "only the memory CA is trusted (not --ca, SSL_CERT_FILE or SSL_CERT_DIR)"
stop_relay
