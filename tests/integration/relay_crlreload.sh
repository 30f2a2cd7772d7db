#!/usr/bin/env bash
# CRL reload on SIGHUP, with real processes and the help desk's own tool: a relay runs with
# the CA and CRL that sasae-certs made; operator Jane joins a host fine; sasae-certs
# revokes her and rewrites crl.pem; until the relay is told (SIGHUP) nothing changes; after
# SIGHUP her next join is refused at the TLS handshake with "certificate revoked", and
# John, a good operator, still joins. A broken CRL on a later SIGHUP is refused (logged) and
# the loaded one, with Jane's revocation, stays in force. The CRL the relay serves to hosts
# (CRL_REQUEST) follows the file without a reload (hosts get a published revocation at once),
# is reloaded on SIGHUP too, and a broken file leaves the last good one served. A relay that
# resets after the handshake (the alert lost) still tells the operator the likely cause.
source "$(dirname "$0")/relay_lib.sh"
CERTS=$SASAE_BIN/relay/certs/sasae-certs
D=$WORK/desk
"$CERTS" --dir "$D" init-ca --org "Help Desk" > /dev/null
JANE=$("$CERTS" --dir "$D" issue-operator --name "Jane Roe")
"$CERTS" --dir "$D" issue-operator --name "John Doe" > /dev/null
"$CERTS" --dir "$D" issue-relay --host 127.0.0.1 > /dev/null
start_relay --cert "$D/relay.pem" --key "$D/relay.key" --operator-ca "$D/ca.pem" --crl "$D/crl.pem" \
  --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000
DCA="--ca $D/ca.pem"
J="--cert $D/operators/jane-roe.pem --key $D/operators/jane-roe.key"
JO="--cert $D/operators/john-doe.pem --key $D/operators/john-doe.key"

# join WHO_OPTS OUT: a host registers and waits; the operator joins its code and they
# exchange a message. Prints the viewer's output to OUT; returns the viewer's status.
join() {
  local opts=$1 out=$2 hp rc=0
  rm -f "$WORK/code"
  $TC host --url "$URL" $DCA --code-file "$WORK/code" --crl-file "$out.crl" --msgs 1 --size 100 \
    --timeout 20 > "$out.host" 2>&1 &
  hp=$!; PIDS+=("$hp")
  for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
  [ -s "$WORK/code" ] || fail "host did not register"
  $TC viewer --url "$URL" $DCA $opts --code "$(cat "$WORK/code")" --msgs 1 --size 100 \
    --timeout 20 > "$out" 2>&1 || rc=$?
  if grep -q "RESULT ok" "$out"; then
    wait "$hp" || fail "host side of the session failed"
  else
    kill "$hp" 2>/dev/null || true; wait "$hp" 2>/dev/null || true
  fi
  grep -q "RESULT ok" "$out"
}

join "$J" "$WORK/j1" || { cat "$WORK/j1"; fail "Jane could not join before revocation"; }
pass "Jane joins with the CRL sasae-certs made"

"$CERTS" --dir "$D" revoke "$JANE" > /dev/null
openssl verify -crl_check -CRLfile "$D/crl.pem" -CAfile "$D/ca.pem" "$D/operators/jane-roe.pem" \
  > /dev/null 2>&1 && fail "sasae-certs did not put Jane in the CRL"
join "$J" "$WORK/j2" || { cat "$WORK/j2"; fail "Jane refused before the relay was told"; }
pass "revoked in crl.pem; the relay keeps its loaded CRL until SIGHUP"
# served_lists FILE SERIAL: the CRL a host got (DER) lists SERIAL
served_lists() { openssl crl -inform DER -in "$1" -noout -text | grep -qi "Serial Number: *$2"; }
served_lists "$WORK/j1.crl" "$JANE" && fail "the CRL served before the revocation lists Jane"
[ "$(grep -c '^CRL ' "$WORK/j2.host")" -eq 2 ] || { cat "$WORK/j2.host"; fail "host did not get 2 CRLs"; }
served_lists "$WORK/j2.crl" "$JANE" || fail "the CRL served with the next join does not list Jane"
served=$(curl -s --cacert "$D/ca.pem" "https://127.0.0.1:$RELAY_PORT/metrics" |
  sed -n 's/^sasae_relay_crl_served_total //p')
[ "${served:-0}" -ge 4 ] || fail "metrics: $served CRLs served, want at least 4"
pass "the CRL served to hosts lists Jane at the next join, without a reload"

kill -HUP "$RELAY_PID"
for i in $(seq 1 50); do grep -q "SIGHUP" "$WORK/relay.log" && break; sleep 0.1; done
grep -q "SIGHUP" "$WORK/relay.log" || fail "SIGHUP not handled"
join "$J" "$WORK/j3" && { cat "$WORK/j3"; fail "revoked Jane joined after SIGHUP"; }
grep -q "end=4" "$WORK/j3" || { cat "$WORK/j3"; fail "Jane not refused at connect"; }
# The reason: in the relay's log always; at the client when it reads the TLS alert before
# the close (TLS 1.3 reports a refused client certificate after the client's Finished, so
# under load the client may see only the close, and then says the relay closed it during the
# handshake and may have refused the operator certificate).
grep -q "operator certificate refused: certificate revoked (CN=Jane Roe" "$WORK/relay.log" ||
  fail "the relay's log does not say Jane's certificate is revoked"
grep -qi "certificate revoked" "$WORK/j3" ||
  grep -q "during the TLS handshake (.*): it may have refused this operator certificate" "$WORK/j3" ||
  { cat "$WORK/j3"; fail "refusal says neither the revocation nor a refused connection"; }
grep -q "operator certificate refused: certificate revoked (CN=Jane Roe" "$WORK/relay.log" \
  || fail "the relay did not log why it refused Jane"
pass "after SIGHUP Jane's join is refused: $(grep -o 'could not connect.*' "$WORK/j3" | head -1)"
join "$JO" "$WORK/john" || { cat "$WORK/john"; fail "good operator John refused after the reload"; }
pass "John (not revoked) still joins"

# A broken CRL is refused on reload; the CRL in force (Jane revoked) stays.
cp "$D/crl.pem" "$WORK/crl.good"
echo "not a crl" > "$D/crl.pem"
kill -HUP "$RELAY_PID"
for i in $(seq 1 50); do [ "$(grep -c "cannot load CRL" "$WORK/relay.log")" -ge 1 ] && break; sleep 0.1; done
grep -q "cannot load CRL" "$WORK/relay.log" || fail "broken CRL not reported"
join "$J" "$WORK/j4" && fail "Jane joined after a broken CRL was offered"
join "$JO" "$WORK/john2" || { cat "$WORK/john2"; fail "John refused after a broken CRL was offered"; }
grep -q "served CRL .*not a PEM CRL; keeping the loaded one" "$WORK/relay.log" ||
  fail "the relay did not say it keeps serving the last good CRL"
served_lists "$WORK/john2.crl" "$JANE" || fail "a broken file replaced the served CRL"
relay_alive || fail "relay died"
pass "a broken CRL on SIGHUP is refused and logged; the loaded one stays in force"
stop_relay

# A relay that completes the handshake and then resets without a TLS alert (what the client
# sees when the relay's "certificate revoked" alert is lost): with an operator certificate
# the viewer names the likely cause; without one it only reports the failure.
RP=$(free_port)
python3 "$SASAE_SRC/tests/tools/tls_reset_server.py" --port "$RP" --cert "$D/relay.pem" \
  --key "$D/relay.key" --ca "$D/ca.pem" --count 2 > "$WORK/reset.out" 2>&1 &
RSP=$!; PIDS+=("$RSP")
for i in $(seq 1 50); do grep -q "ready port=$RP" "$WORK/reset.out" && break; sleep 0.1; done
grep -q "ready port=$RP" "$WORK/reset.out" || { cat "$WORK/reset.out"; fail "reset server not up"; }
$TC viewer --url "wss://127.0.0.1:$RP/" $DCA $J --code 1234560 --timeout 10 > "$WORK/r1" 2>&1 &&
  fail "a viewer joined a relay that resets"
grep -q "end=4.*during the TLS handshake (.*): it may have refused this operator certificate" \
  "$WORK/r1" || { cat "$WORK/r1"; fail "reset after the handshake: the cause is not named"; }
$TC viewer --url "wss://127.0.0.1:$RP/" $DCA --code 1234560 --timeout 10 > "$WORK/r2" 2>&1 &&
  fail "a viewer joined a relay that resets"
grep -q "end=4" "$WORK/r2" || { cat "$WORK/r2"; fail "reset without a certificate: not a connect failure"; }
grep -q "operator certificate" "$WORK/r2" && { cat "$WORK/r2"; fail "blames a certificate it did not send"; }
wait "$RSP" || fail "reset server exited $?"
grep -q "client certificate: yes" "$WORK/reset.out" || fail "the viewer did not present its certificate"
pass "a relay that resets after the handshake: $(grep -o 'the relay closed.*' "$WORK/r1" | head -1)"
