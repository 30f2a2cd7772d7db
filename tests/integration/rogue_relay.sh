#!/usr/bin/env bash
# An insider relay (tests/tools/rogue_relay.py: the relay's TLS key, and a stolen operator
# certificate) plays the customer's host to a real sasae-viewer and the operator to a real
# sasae-host. It knows every digit the relay sees, not the host's secret digits: both real
# programs refuse it with "the code does not match", and the host counts the attempt and
# offers the same secret again. With the right secret digits the same rogue completes the
# handshake (the positive control: only the secret stops it). Before the code binding
# (channel version 1) it completed both handshakes without any secret.
set -euo pipefail
SASAE_SRC=${SASAE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SASAE_SRC/tests/integration/host_lib.sh"
ROGUE_PID=
cleanup() {
    local rc=$?
    if [ -n "$ROGUE_PID" ]; then
        kill "$ROGUE_PID" 2>/dev/null || true
        wait "$ROGUE_PID" 2>/dev/null || true
    fi
    (exit $rc)
    host_cleanup
}
trap cleanup EXIT
hl_pki
PKI=$HL_DIR/pki

rogue() { # rogue ROLE ARGS...: the rogue relay on a free port; sets HL_URL, ROGUE_OUT
    local base=$((21000 + ($$ * 11) % 30000)) p
    ROGUE_OUT=$HL_DIR/rogue-$1.out
    for p in $(seq "$base" $((base + 40))); do
        python3 "$SASAE_SRC/tests/tools/rogue_relay.py" --port "$p" --cert "$PKI/relay.pem" \
            --key "$PKI/relay.key" --role "$@" >"$ROGUE_OUT" 2>"$HL_DIR/rogue-$1.log" &
        ROGUE_PID=$!
        if hl_wait 10 grep -q "ready port=$p" "$ROGUE_OUT"; then
            HL_URL="wss://127.0.0.1:$p/"
            return 0
        fi
        kill "$ROGUE_PID" 2>/dev/null || true
        wait "$ROGUE_PID" 2>/dev/null || true
    done
    hl_fail "no free port for the rogue relay"
}
nth_result() { sed -n 's/^result //p' "$ROGUE_OUT" | sed -n "${1}p"; }
has_result() { [ -n "$(nth_result "$1")" ]; }

# ---- 1. the rogue plays the operator to the customer's real host ------------------------
rogue viewer --secret-file "$HL_DIR/secret" --code 1234567 --crl "$PKI/crl.pem" \
    --op-cert "$PKI/operators/hanako-sato.pem" --op-key "$PKI/operators/hanako-sato.key"
hl_host --source synthetic --size 320x240
[ "${HL_CODE:0:7}" = 1234567 ] || hl_fail "the host's code does not start with the relay's digits: $HL_CODE"
secret=${HL_CODE:7:4}
wrong=${secret:0:3}$(((${secret:3:1} + 1) % 10))
echo "$wrong" >"$HL_DIR/secret" # the insider's best guess: all but one digit right
hl_wait 20 has_result 1 || hl_fail "rogue viewer: no result"
[ "$(nth_result 1)" = "alert 21" ] || hl_fail "rogue viewer: want ALERT 21, got '$(nth_result 1)'"
hl_wait 10 grep -q "The code the operator entered does not match; new code: " "$HL_HOST_OUT" ||
    hl_fail "the host did not say the code did not match"
! grep -q '\[y/N\]' "$HL_HOST_OUT" || hl_fail "the rogue reached the consent prompt"
grep -q "did not match (1 of 5)" "$HL_HOST_LOG" || hl_fail "the host did not count the attempt"
again=$(grep -o 'new code: [0-9 ]*' "$HL_HOST_OUT" | tail -1 | tr -dc 0-9)
[ "${again:7:4}" = "$secret" ] || hl_fail "the secret digits changed after one mismatch ($again)"
echo "rogue relay as the operator: refused with ALERT 21, counted 1 of 5, same secret offered again"
# positive control: the same rogue with the secret digits is let through to the prompt
echo "$secret" >"$HL_DIR/secret"
hl_wait 20 has_result 2 || hl_fail "rogue viewer: no second result"
[ "$(nth_result 2)" = established ] || hl_fail "control: rogue with the secret got '$(nth_result 2)'"
hl_wait 10 grep -q '\[y/N\]' "$HL_HOST_OUT" || hl_fail "control: no consent prompt"
echo "control: with the secret digits the same rogue reaches the consent prompt"
kill "$ROGUE_PID"
wait "$ROGUE_PID" 2>/dev/null || true
ROGUE_PID=

# ---- 2. the rogue plays the customer's host to the operator's real viewer ---------------
rogue host --secret-file "$HL_DIR/secret"
code=123456789018 # what the customer read: the relay's 1234567, secret 8901, check digit 8
viewer() { # viewer NAME: sasae-viewer --headless with the customer's code
    local rc=0
    timeout 30 "$HL_BIN/viewer/sasae-viewer" --headless --relay "$HL_URL" --relay-ca "$PKI/ca.pem" \
        --cert "$PKI/operators/hanako-sato.pem" --key "$PKI/operators/hanako-sato.key" \
        --code "$code" --duration 8 >"$HL_DIR/$1.out" 2>"$HL_DIR/$1.err" || rc=$?
    echo "$rc"
}
echo 8902 >"$HL_DIR/secret" # one digit off
rc=$(viewer v1)
[ "$rc" -eq 7 ] || hl_fail "viewer against the rogue host: exit $rc, want 7 (code mismatch)"
grep -q "the code does not match" "$HL_DIR/v1.err" || hl_fail "the viewer did not say why"
grep -q "^end=code-mismatch" "$HL_DIR/v1.out" || hl_fail "the viewer's end is not code-mismatch"
! grep -q "^state=waiting-for-consent" "$HL_DIR/v1.out" || hl_fail "the viewer took the rogue host"
[ "$(nth_result 1)" = "alert 21" ] || hl_fail "rogue host: want the viewer's ALERT 21, got '$(nth_result 1)'"
echo "rogue relay as the host: the viewer refused it (exit 7, the code does not match)"
echo 8901 >"$HL_DIR/secret"
viewer v2 >/dev/null
grep -q "^state=waiting-for-consent" "$HL_DIR/v2.out" || hl_fail "control: the viewer did not take a host with the secret"
[ "$(nth_result 2)" = established ] || hl_fail "control: rogue host got '$(nth_result 2)'"
echo "control: with the secret digits the viewer takes the rogue host"
echo "rogue_relay: all passed"
