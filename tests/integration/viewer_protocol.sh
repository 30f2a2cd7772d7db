#!/usr/bin/env bash
# The viewer against a scripted host (viewer_fakehost: real relay client, channel, wire and
# encoder) through the real relay, for what a good host never sends: a corrupt frame (keyframe
# request, acks continue, 'E' in the frame log, stats flow), video before consent and a
# missing HELLO (END error, exit 1), a tampered record (exit 8, nothing sent back), control
# granted without the operator's request (END error, exit 1, the reason said).
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"
[ -x "$B/tests/viewer_fakehost" ] || { echo "missing viewer_fakehost"; exit 1; }

run_case() { # SCENARIO WANT_VIEWER_EXIT [viewer args...]
  local sc=$1 want=$2
  shift 2
  "$B/tests/viewer_fakehost" "$URL" "$C/ca.pem" "$sc" >"$T/fh-$sc.out" 2>&1 &
  local fpid=$!
  PIDS+=($fpid)
  wait_line "^code=" "$T/fh-$sc.out"
  local code
  code=$(sed -n 's/^code=//p' "$T/fh-$sc.out")
  viewer "v-$sc" --code "$code" "$@"
  local rc=0
  wait $VPID || rc=$?
  [ $rc -eq "$want" ] || { echo "$sc: viewer exit $rc, want $want"; cat "$T/v-$sc.out" "$T/v-$sc.err" "$T/fh-$sc.out"; exit 1; }
  rc=0
  wait $fpid || rc=$?
  [ $rc -eq 0 ] || { echo "$sc: fake host says the viewer misbehaved:"; cat "$T/fh-$sc.out" "$T/v-$sc.err"; exit 1; }
  echo "$sc: ok"
}

run_case corrupt 3 --frame-log "$T/corrupt.log"
grep -q "keyframe requested" "$T/v-corrupt.err"
awk -F'\t' '$10 ~ /E/ { e++ } $10 ~ /K/ { k++ } END { exit !(e == 1 && k == 2) }' "$T/corrupt.log" || {
  echo "frame log should show 2 keyframes and 1 decode error:"; cat "$T/corrupt.log"; exit 1; }
grep -q "^stats: decode_us=" "$T/fh-corrupt.out"
grep -q "^end=customer-ended exit=3" "$T/v-corrupt.out"
run_case early-video 1
grep -q "^end=error exit=1" "$T/v-early-video.out"
run_case no-hello 1
grep -q "before HELLO" "$T/v-no-hello.err"
run_case unrequested-grant 1
grep -q "^end=error exit=1" "$T/v-unrequested-grant.out"
grep -q "^protocol-violation=the host offered control .* never requested" "$T/v-unrequested-grant.out"
grep -q "never requested: protocol violation, session ended" "$T/v-unrequested-grant.err"
! grep -q "control=granted" "$T/v-unrequested-grant.out" || {
  echo "the viewer took control it never asked for"; cat "$T/v-unrequested-grant.out"; exit 1; }
run_case tamper 8
grep -q "^end=security-failure exit=8" "$T/v-tamper.out"
grep -q "record refused" "$T/v-tamper.err"
# Relay pinning: the right pin connects; a wrong one never does (connection lost, exit 6).
PIN=$(openssl x509 -in "$C/relay.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  sha256sum | cut -d' ' -f1)
"$B/tests/viewer_fakehost" "$URL" "$C/ca.pem" no-hello >"$T/fh-pin.out" 2>&1 &
FPID=$!
PIDS+=($FPID)
wait_line "^code=" "$T/fh-pin.out"
rc=0
"$B/viewer/sasae-viewer" --headless --relay "$URL" --relay-pin "$PIN" --cert "$OPC" --key "$OPK" \
  --code "$(sed -n 's/^code=//p' "$T/fh-pin.out")" >"$T/pin.out" 2>"$T/pin.err" || rc=$?
[ $rc -eq 1 ] && grep -q "^state=waiting-for-consent" "$T/pin.out" || {
  echo "pinned relay: exit $rc"; cat "$T/pin.out" "$T/pin.err"; exit 1; }
wait $FPID
BAD=$(printf '%064d' 0)
rc=0
"$B/viewer/sasae-viewer" --headless --relay "$URL" --relay-pin "$BAD" --cert "$OPC" --key "$OPK" \
  --code 123456789018 >"$T/badpin.out" 2>"$T/badpin.err" || rc=$?
[ $rc -eq 6 ] && ! grep -q "^state=handshake" "$T/badpin.out" || {
  echo "wrong pin: exit $rc"; cat "$T/badpin.out" "$T/badpin.err"; exit 1; }
echo "viewer protocol: all passed"
rm -rf "$T"
