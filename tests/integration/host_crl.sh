#!/usr/bin/env bash
# Integration: revocation is never optional. The relay serves the organisation's CRL (what
# `sasae-certs ... --publish` wrote); the host checks it itself (the CA's signature, the
# expiry) before it shows a code, and again with every operator who joins:
# - an operator revoked while a host is already waiting is refused by that host at her next
#   join, although the relay (not reloaded) still lets her in;
# - a relay that serves an expired CRL, or one signed by another CA, gets no code shown and
#   the customer reads why.
set -euo pipefail
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
C="$HL_BIN/relay/certs/sasae-certs"
SERVED=$HL_DIR/served-crl.pem
"$C" --dir "$HL_DIR/pki" crl --publish "$SERVED" >/dev/null
hl_relay --crl "$SERVED"

echo "== an operator revoked while the host waits is refused by that host"
hl_host --source synthetic --size 320x240
hl_hsaw "revocation list from the relay: signed by the organisation CA, 0 revoked" ||
    hl_fail "the host did not take the CRL from the relay"
serial=$(openssl x509 -in "$HL_DIR/pki/operators/hanako-sato.pem" -noout -serial | cut -d= -f2)
"$C" --dir "$HL_DIR/pki" revoke "$serial" --publish "$SERVED" | grep -q "published" ||
    hl_fail "revoke --publish"
hl_viewer --timeout 30
hl_wait 20 hl_vsaw "handshake_failed" || hl_fail "viewer was not refused"
hl_vsaw "handshake_failed .*revoked" || hl_fail "refusal does not say revoked"
hl_hsaw "revocation list from the relay: signed by the organisation CA, 1 revoked" ||
    hl_fail "the host did not get the new CRL with the join"
hl_wait 10 hl_hsaw "identity could not be verified" || hl_fail "host did not explain"
hl_hsaw "Remote support request" && hl_fail "consent prompt shown for a revoked operator"
[ "$(hl_frames)" -eq 0 ] || hl_fail "frames sent"
# the relay's own check (its TLS store, reloaded only on SIGHUP) let her in: the refusal was
# the host's
grep -q '"event":"join".*"result":"ok"' "$HL_DIR"/audit/* || hl_fail "the relay refused her itself"
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit"

relay_serving() { # relay_serving CRL_FILE: a new relay that serves that file
    proc_reap "$HL_RELAY_PID" sasae-relay 0
    HL_RELAY_PID=
    hl_relay --crl "$1"
}
host_once() { # the host against the current relay; its terminal output in $out
    out=$(timeout 60 script -qefc "'$HL_BIN/host/sasae-host' --relay $HL_URL \
        --relay-ca '$HL_DIR/pki/ca.pem' --org-ca '$HL_DIR/pki/ca.pem' \
        --state-dir '$HL_DIR/state' --consent tty --no-proxy --source synthetic" /dev/null \
        </dev/null 2>&1) || hl_fail "host failed: $out"
}

echo "== a relay serving an expired CRL: no code, and the customer reads why"
# (libfaketime is preloaded ahead of ASan's runtime in the sanitizer build: allowed here)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
    faketime -f '-2d' "$C" --dir "$HL_DIR/pki" crl --publish "$HL_DIR/expired.pem" >/dev/null
relay_serving "$HL_DIR/expired.pem"
grep -q "served CRL .* has expired" "$HL_DIR/relay.log" || hl_fail "the relay did not warn"
host_once
grep -q "support code" <<<"$out" && hl_fail "a code shown without a current CRL: $out"
grep -q "No current revocation list for your organisation (the organisation's revocation list expired on 20" <<<"$out" ||
    hl_fail "no reason given: $out"
# the headline says it too, not "connection lost"
grep -q "list of revoked operators is not current" <<<"$out" || hl_fail "untrue headline: $out"
grep -q "connection to the support center was lost" <<<"$out" && hl_fail "'connection lost' shown: $out"

echo "== a relay serving a CRL signed by another CA"
"$C" --dir "$HL_DIR/other" init-ca --org "Scam Support Ltd" >/dev/null
relay_serving "$HL_DIR/other/crl.pem"
host_once
grep -q "support code" <<<"$out" && hl_fail "a code shown with a foreign CRL: $out"
grep -q "not signed by the organisation's CA" <<<"$out" || hl_fail "no reason given: $out"

echo "== --crl is gone from the host"
out=$("$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --crl "$HL_DIR/pki/crl.pem" </dev/null 2>&1) &&
    hl_fail "--crl accepted"
grep -q "from the relay at every session" <<<"$out" || hl_fail "unclear --crl error: $out"
echo PASS
