#!/usr/bin/env bash
# Faults: the relay is killed (SIGKILL) in the middle of a sharing session and started again
# on the same port, with the real host (synthetic source, consent on its terminal) and the
# headless viewer. What must hold (docs/operations.md "What happens on each fault",
# docs/security.md "Relay loss and re-consent"):
# - both sides notice within 5 s and say so in plain words: the customer reads that the
#   host is reconnecting to the support center and that nothing is shared meanwhile; the
#   viewer shows "reconnecting";
# - back within 60 s, the same host and viewer (the same operator certificate and host key)
#   resume without a prompt through a new handshake: frames flow again, the customer reads
#   "Reconnected; sharing continues with <operator>", the audit log says "resumed";
# - the other side of the rule: an operator certificate that changed meanwhile is asked
#   again (nothing before the new Allow); a relay back only after the window (the test-only
#   --resume-window 3 on both, shorter than the rule's 60 s, never longer) ends the session
#   on both sides as any relay loss did before: the customer reads that the connection was
#   lost and sharing stopped, the viewer ends with "connection-lost" (exit 6);
# - a host that was only showing its code when the relay died reconnects with backoff and
#   shows a new code once the relay is back, without any prompt; an operator coming back
#   with it is asked again and receives nothing before Allow;
# - the restarted relay completes the audit log: a cut session gets its end record
#   ("relay restarted"), every line is whole JSON.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"

metric() { # metric NAME_WITH_LABELS
  curl -s --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
relay_again() { # the relay on the same port, same audit directory
  "$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
    --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" >"$T/relay2.log" 2>&1 &
  RPID=$!
  PIDS+=($RPID)
  wait_line "sasae-relay ready" "$T/relay2.log" 10
}
frames() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null) || true; echo "${n:-0}"; }

echo "== a host only showing its code survives the relay's restart"
start_host w
WCODE=$CODE

count() { local n; n=$(grep -c -- "$1" "$2" 2>/dev/null) || true; echo "${n:-0}"; }
wait_count() { # PATTERN FILE N [SECONDS]: until PATTERN is in FILE at least N times
  for _ in $(seq $((${4:-30} * 10))); do
    [ "$(count "$1" "$2")" -ge "$3" ] && return 0
    sleep 0.1
  done
  echo "timeout waiting for $3 x '$1' in $2:"; cat "$2"; return 1
}
sharing() { # NAME VIEWER [VIEWER ARGS...]: a host, its viewer, allowed and streaming
  local h=$1 v=$2
  shift 2
  start_host "$h"
  eval "${h}_PID=$HPID ${h}_CODE='$CODE'"
  viewer "$v" --code "$CODE" --frame-log "$T/$v.frames" "$@"
  eval "${v}_PID=$VPID"
  wait_line "Allow? \[y/N\]" "$T/$h.out"
  echo y >"$T/$h.in"
  wait_line "^state=viewing" "$T/$v.out"
  for _ in $(seq 100); do [ "$(frames "$T/$v.frames")" -ge 20 ] && break; sleep 0.1; done
}
relay_code() { local c=${1// /}; echo "${c:0:7}"; } # the relay sees only the first 7 digits

# A second operator: a certificate that replaces Vera's on the viewer's disk while the relay
# is away (the viewer reads it again for each connection) is another certificate.
"$B/relay/certs/sasae-certs" --dir "$C" issue-operator --name "Otto Other" >/dev/null
cp "$OPC" "$T/op2.pem"
cp "$OPK" "$T/op2.key"

echo "== three sessions share; the relay dies"
sharing h1 v1
sharing h2 v2 --cert "$T/op2.pem" --key "$T/op2.key"
nf1=$(frames "$T/v1.frames")
t0=$(date +%s%N)
kill -KILL "$RPID"
wait "$RPID" 2>/dev/null || true
wait_line "Reconnecting to the support center" "$T/h1.out" 5
wait_line "^state=reconnecting" "$T/v1.out" 5
ms=$((($(date +%s%N) - t0) / 1000000))
echo "host and viewer said they are reconnecting after ${ms} ms"
grep -q "Nothing is shared while the connection is away" "$T/h1.out" || {
  echo "FAIL: the customer was not told nothing is shared"; cat "$T/h1.out"; exit 1; }
grep -q "sharing -> resuming (relay_error)" "$T/h1.out" || { echo "FAIL: host state"; cat "$T/h1.out"; exit 1; }
kill -0 "$v1_PID" || { echo "FAIL: the viewer gave up at once"; cat "$T/v1.err"; exit 1; }
cp "$C/operators/otto-other.pem" "$T/op2.pem"
cp "$C/operators/otto-other.key" "$T/op2.key"

echo "== the relay comes back (3 s later): the same operator resumes without a prompt"
sleep 3
relay_again
wait_count "^state=viewing" "$T/v1.out" 2 30
wait_line "Reconnected; sharing continues with Vera Viewer" "$T/h1.out" 10
for _ in $(seq 100); do [ "$(frames "$T/v1.frames")" -ge $((nf1 + 20)) ] && break; sleep 0.1; done
nf1b=$(frames "$T/v1.frames")
[ "$nf1b" -ge $((nf1 + 20)) ] || { echo "FAIL: frames did not flow again ($nf1 -> $nf1b)"; cat "$T/v1.err"; exit 1; }
[ "$(count "Allow?" "$T/h1.out")" = 1 ] || { echo "FAIL: the customer was asked again"; cat "$T/h1.out"; exit 1; }
grep -q "resumed: the same host key" "$T/v1.err" || { echo "FAIL: the viewer did not check the host key"; cat "$T/v1.err"; exit 1; }
rms=$((($(date +%s%N) - t0) / 1000000))
echo "resumed: frames $nf1 before the cut, $nf1b after; ${rms} ms from the kill"

echo "== another operator certificate after the loss: the customer is asked again"
wait_count "Allow? \[y/N\]" "$T/h2.out" 2 30
grep -q "Otto Other" "$T/h2.out" || { echo "FAIL: the prompt does not name the new operator"; cat "$T/h2.out"; exit 1; }
wait_count "^state=waiting-for-consent" "$T/v2.out" 2 10
nf2=$(frames "$T/v2.frames")
sleep 1
[ "$(frames "$T/v2.frames")" = "$nf2" ] || { echo "FAIL: frames before the new Allow"; exit 1; }
echo y >"$T/h2.in"
wait_count "^state=viewing" "$T/v2.out" 2 10
for _ in $(seq 100); do [ "$(frames "$T/v2.frames")" -ge $((nf2 + 5)) ] && break; sleep 0.1; done
[ "$(frames "$T/v2.frames")" -ge $((nf2 + 5)) ] || { echo "FAIL: no frames after the new Allow"; exit 1; }

echo "== both end normally"
for p in "h1 v1" "h2 v2"; do
  set -- $p
  echo end >"$T/$1.in"
  rc=0
  eval "wait \$${2}_PID" || rc=$?
  [ $rc -eq 3 ] || { echo "FAIL: $2 exit $rc after the customer's End, want 3"; cat "$T/$2.err"; exit 1; }
done

echo "== the audit log says resumed"
[ "$(grep -h '"event":"paired"' "$T"/audit/* | grep -c '"result":"resumed"')" = 2 ] || {
  echo "FAIL: not two resumed pairings"; cat "$T"/audit/*; exit 1; }
grep -h '"event":"host-event"' "$T"/audit/* | grep -q 'session resumed: same operator certificate' || {
  echo "FAIL: no host record of the resume"; cat "$T"/audit/*; exit 1; }
for c in "$h1_CODE" "$h2_CODE"; do
  SC=$(relay_code "$c")
  [ "$(grep -h "\"code\":\"$SC\"" "$T"/audit/* | grep '"event":"end"' | grep -c '"reason":"relay restarted')" = 1 ] || {
    echo "FAIL: the cut session $SC has not exactly one end record"; cat "$T"/audit/*; exit 1; }
done

echo "== back only after the window (test-only --resume-window 3): the session ends"
d=${DISPLAY:-}
unset DISPLAY
tty_host h3 --source synthetic --size 640x480 --resume-window 3
[ -n "$d" ] && export DISPLAY=$d
viewer v3 --code "$CODE" --frame-log "$T/v3.frames" --resume-window 3
wait_line "Allow? \[y/N\]" "$T/h3.out"
echo y >"$T/h3.in"
wait_line "^state=viewing" "$T/v3.out"
SCODE=$(relay_code "$CODE")
t0=$(date +%s%N)
kill -KILL "$RPID"
wait "$RPID" 2>/dev/null || true
wait_line "Reconnecting to the support center" "$T/h3.out" 5
rc=0
wait "$VPID" || rc=$?
vms=$((($(date +%s%N) - t0) / 1000000))
[ $rc -eq 6 ] || { echo "FAIL: viewer exit $rc, want 6"; cat "$T/v3.out" "$T/v3.err"; exit 1; }
grep -q "^end=connection-lost exit=6" "$T/v3.out"
wait_line "The connection to the support center was lost" "$T/h3.out" 5
hms=$((($(date +%s%N) - t0) / 1000000))
echo "viewer ended after ${vms} ms, host told the customer after ${hms} ms (window 3 s)"
[ $vms -ge 3000 ] && [ $vms -le 8000 ] || { echo "FAIL: the viewer ended after ${vms} ms"; exit 1; }
grep -q "Screen sharing and remote control have stopped" "$T/h3.out" || {
  echo "FAIL: the customer was not told sharing stopped"; cat "$T/h3.out"; exit 1; }
grep -q "resuming -> ended" "$T/h3.out" || { echo "FAIL: host end"; cat "$T/h3.out"; exit 1; }
for _ in $(seq 100); do kill -0 "$HPID" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$HPID" 2>/dev/null || { echo "FAIL: the host still runs 10 s after the end"; exit 1; }
sleep 2
relay_again2() {
  "$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
    --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" >"$T/relay3.log" 2>&1 &
  RPID=$!
  PIDS+=($RPID)
  wait_line "sasae-relay ready" "$T/relay3.log" 10
}
relay_again2

echo "== a host only showing its code got new ones after the restarts, without any prompt"
codes() { grep -o "registered, support code: [0-9 ]*" "$T/w.out" | tr -dc '0-9\n' | sort -u; }
for _ in $(seq 300); do [ "$(codes | wc -l)" -ge 3 ] && break; sleep 0.1; done
[ "$(codes | wc -l)" -ge 3 ] || { echo "FAIL: the waiting host has no new code"; cat "$T/w.out"; exit 1; }
grep -q "Allow?" "$T/w.out" && { echo "FAIL: the waiting host asked something"; exit 1; }
grep -q "The connection to the support center was lost, so your previous code no longer works; new code: " "$T/w.out" || {
  echo "FAIL: the customer was not told why the code changed"; cat "$T/w.out"; exit 1; }
grep -q "relay lost before anyone joined: new code in 1 s (attempt 1)" "$T/w.out" || {
  echo "FAIL: no backoff logged"; cat "$T/w.out"; exit 1; }
NCODE=$(grep -o "registered, support code: [0-9 ]*" "$T/w.out" | tail -1 | tr -dc '0-9')
echo "waiting host: new code ${NCODE} after the restarts"

echo "== the operator comes back with the new code: the customer is asked again"
viewer v4 --code "$NCODE" --frame-log "$T/v4.frames"
wait_line "^state=waiting-for-consent" "$T/v4.out"
sleep 1
[ "$(frames "$T/v4.frames")" = 0 ] || { echo "FAIL: frames before the new Allow"; exit 1; }
[ "$(metric 'sasae_relay_bytes_total{dir="host_to_viewer"}')" -lt 4096 ] || {
  echo "FAIL: the host sent screen-sized data before the new Allow"; exit 1; }
grep -q "Allow? \[y/N\]" "$T/w.out" || { echo "FAIL: no consent prompt"; cat "$T/w.out"; exit 1; }
echo y >"$T/w.in"
wait_line "^state=viewing" "$T/v4.out"
for _ in $(seq 100); do [ "$(frames "$T/v4.frames")" -ge 5 ] && break; sleep 0.1; done
[ "$(frames "$T/v4.frames")" -ge 5 ] || { echo "FAIL: no frames after the new Allow"; exit 1; }
echo end >"$T/w.in"
rc=0
wait "$VPID" || rc=$?
[ $rc -eq 3 ] || { echo "FAIL: viewer exit $rc after the customer's End, want 3"; exit 1; }

echo "== the audit log is complete"
[ "$(grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep '"event":"end"' | grep -c '"reason":"relay restarted')" = 1 ] || {
  echo "FAIL: the session cut past the window has not exactly one end record"; cat "$T"/audit/*; exit 1; }
python3 -c 'import json,sys
for f in sys.argv[1:]:
    for l in open(f): json.loads(l)' "$T"/audit/* || { echo "FAIL: audit log is not JSON lines"; exit 1; }
echo PASS
