#!/usr/bin/env bash
# Integration: the host fails closed. A relay whose certificate does not chain to the
# configured relay CA is never talked to; an unreachable relay ends cleanly; an operator
# whose certificate was revoked after the relay started (the relay still lets them join) is
# refused by the host itself: no consent prompt, no screen data, the reason is shown.
set -euo pipefail
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
hl_relay
C="$HL_BIN/relay/certs/sasae-certs"

echo "== relay certificate from another CA"
"$C" --dir "$HL_DIR/other" init-ca --org "Someone Else" >/dev/null
# (script gives the host the terminal --consent=tty insists on)
out=$(timeout 60 script -qefc "'$HL_BIN/host/sasae-host' --relay $HL_URL \
    --relay-ca '$HL_DIR/other/ca.pem' --org-ca '$HL_DIR/pki/ca.pem' \
    --state-dir '$HL_DIR/state' --consent tty --no-proxy --source synthetic" /dev/null \
    </dev/null 2>&1) || hl_fail "host failed: $out"
grep -q "support code" <<<"$out" && hl_fail "registered through an unverified relay"
grep -q "connection to the support center was lost" <<<"$out" || hl_fail "no clear end: $out"
grep -q '"event":"register"' "$HL_DIR"/audit/* 2>/dev/null && hl_fail "relay saw a registration"

echo "== no relay listening"
out=$(timeout 60 script -qefc "'$HL_BIN/host/sasae-host' --relay wss://127.0.0.1:1/ \
    --relay-ca '$HL_DIR/pki/ca.pem' --org-ca '$HL_DIR/pki/ca.pem' \
    --state-dir '$HL_DIR/state' --consent tty --no-proxy --source synthetic" /dev/null \
    </dev/null 2>&1) || hl_fail "host failed: $out"
grep -q "connection to the support center was lost" <<<"$out" || hl_fail "no clear end: $out"

echo "== operator revoked after the relay started"
serial=$(openssl x509 -in "$HL_DIR/pki/operators/hanako-sato.pem" -noout -serial | cut -d= -f2)
"$C" --dir "$HL_DIR/pki" revoke "$serial" >/dev/null
hl_host --source synthetic --size 320x240
hl_viewer --timeout 30
hl_wait 20 hl_vsaw "handshake_failed" || hl_fail "viewer was not refused"
hl_vsaw "handshake_failed .*revoked" || hl_fail "refusal does not say revoked"
hl_wait 10 hl_hsaw "identity could not be verified" || hl_fail "host did not explain"
hl_hsaw "Remote support request" && hl_fail "consent prompt shown for a revoked operator"
hl_vsaw "consent" && hl_fail "consent state sent"
[ "$(hl_frames)" -eq 0 ] || hl_fail "frames sent"
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit"
cat "$HL_DIR"/audit/* | grep -q handshake-failed || hl_fail "audit lacks handshake-failed"

echo "== bad configuration is refused up front"
"$HL_BIN/host/sasae-host" --relay "$HL_URL" --org-ca "$HL_DIR/pki/ca.pem" </dev/null \
    >/dev/null 2>&1 && hl_fail "started without relay verification"
"$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" </dev/null \
    >/dev/null 2>&1 && hl_fail "started without an organisation CA"
chmod 644 "$HL_DIR/state/device.key"
out=$("$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" --consent tty </dev/null 2>&1) &&
    hl_fail "used a world-readable device key"
grep -q "readable by others" <<<"$out" || hl_fail "unclear key error: $out"
"$HL_BIN/host/sasae-host" --help | grep -q "no option to skip the consent" || hl_fail "--help"
out=$(echo y | "$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --consent tty 2>&1) && hl_fail "answers accepted from a pipe"
grep -q "needs a terminal" <<<"$out" || hl_fail "unclear pipe error: $out"
echo "== config file"
printf '# host settings\nsource = synthetic\nsize = 320x240\nfps = 10\n' >"$HL_DIR/host.conf"
chmod 600 "$HL_DIR/state/device.key"
"$C" --dir "$HL_DIR/pki" issue-operator --name "Taro Suzuki" >/dev/null
HL_OPERATOR=taro-suzuki
hl_host --config "$HL_DIR/host.conf"
hl_viewer --timeout 30 --frames 3 --then end
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer y
hl_wait 20 hl_vsaw "decoded 320x240" || hl_fail "config file not applied"
printf 'sauce = synthetic\n' >"$HL_DIR/bad.conf"
out=$("$HL_BIN/host/sasae-host" --config "$HL_DIR/bad.conf" 2>&1) && hl_fail "bad config accepted"
grep -q "bad.conf:1: bad setting 'sauce'" <<<"$out" || hl_fail "unclear config error: $out"
echo PASS
