#!/usr/bin/env bash
# Faults: the relay is killed (SIGKILL) in the middle of a sharing session and started again
# on the same port, with the real host (synthetic source, consent on its terminal) and the
# headless viewer. What must hold (docs/operations.md "What happens on each fault"):
# - both sides notice within 5 s and say so in plain words: the customer reads that the
#   connection to the support center was lost and that sharing and control have stopped;
#   the operator's viewer ends with "connection-lost" (exit 6), not "the customer ended";
# - the host stops capturing (nothing more is encoded) and ends its session;
# - a host that was only showing its code when the relay died reconnects with backoff and
#   shows a new code once the relay is back, without any prompt;
# - the re-consent rule (docs/security.md): after the relay loss the operator can only come
#   back with a new code, and the customer is asked again: the new session shows the
#   consent prompt and shares nothing before Allow;
# - the restarted relay completes the audit log: the cut session gets its end record
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

echo "== the relay dies in the middle of a session"
start_host h1
viewer v1 --code "$CODE" --frame-log "$T/v1.frames"
wait_line "Allow? \[y/N\]" "$T/h1.out"
echo y >"$T/h1.in"
wait_line "^state=viewing" "$T/v1.out"
for _ in $(seq 100); do [ "$(frames "$T/v1.frames")" -ge 20 ] && break; sleep 0.1; done
SCODE=${CODE// /}
SCODE=${SCODE:0:7} # the relay sees and audits only the first 7 digits
t0=$(date +%s%N)
kill -KILL "$RPID"
wait "$RPID" 2>/dev/null || true
rc=0
wait "$VPID" || rc=$?
vms=$((($(date +%s%N) - t0) / 1000000))
[ $rc -eq 6 ] || { echo "FAIL: viewer exit $rc, want 6"; cat "$T/v1.out" "$T/v1.err"; exit 1; }
grep -q "^end=connection-lost exit=6" "$T/v1.out"
wait_line "The connection to the support center was lost" "$T/h1.out" 5
hms=$((($(date +%s%N) - t0) / 1000000))
echo "viewer ended after ${vms} ms, host told the customer after ${hms} ms"
[ $vms -le 5000 ] || { echo "FAIL: the viewer took ${vms} ms"; exit 1; }
grep -q "Screen sharing and remote control have stopped" "$T/h1.out" || {
  echo "FAIL: the customer was not told sharing stopped"; cat "$T/h1.out"; exit 1; }
grep -q "sharing -> ended (relay_error)" "$T/h1.out" || { echo "FAIL: host end reason"; cat "$T/h1.out"; exit 1; }
for _ in $(seq 100); do kill -0 "$HPID" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$HPID" 2>/dev/null || { echo "FAIL: the host still runs 10 s after the end"; exit 1; }
nf=$(frames "$T/v1.frames")

echo "== the relay comes back (3 s later)"
sleep 3
relay_again
# the waiting host reconnected (backoff) and shows a new code, with why, and no prompt
codes() { grep -o "registered, support code: [0-9 ]*" "$T/w.out" | tr -dc '0-9\n' | sort -u; }
for _ in $(seq 300); do [ "$(codes | wc -l)" -ge 2 ] && break; sleep 0.1; done
[ "$(codes | wc -l)" -ge 2 ] || { echo "FAIL: the waiting host has no new code"; cat "$T/w.out"; exit 1; }
grep -q "Allow?" "$T/w.out" && { echo "FAIL: the waiting host asked something"; exit 1; }
NCODE=$(codes | grep -v "^${WCODE// /}$" | head -1)
grep -q "The connection to the support center was lost, so your previous code no longer works; new code: ${NCODE:0:3} ${NCODE:3:3} ${NCODE:6:3}" "$T/w.out" || {
  echo "FAIL: the customer was not told why the code changed"; cat "$T/w.out"; exit 1; }
grep -q "relay lost before anyone joined: new code in 1 s (attempt 1)" "$T/w.out" || {
  echo "FAIL: no backoff logged"; cat "$T/w.out"; exit 1; }
echo "waiting host: new code ${NCODE} after the restart"

echo "== the operator comes back with the new code: the customer is asked again"
viewer v2 --code "$NCODE" --frame-log "$T/v2.frames"
wait_line "^state=waiting-for-consent" "$T/v2.out"
sleep 1
[ "$(frames "$T/v2.frames")" = 0 ] || { echo "FAIL: frames before the new Allow"; exit 1; }
[ "$(metric 'sasae_relay_bytes_total{dir="host_to_viewer"}')" -lt 4096 ] || {
  echo "FAIL: the host sent screen-sized data before the new Allow"; exit 1; }
grep -q "Allow? \[y/N\]" "$T/w.out" || { echo "FAIL: no consent prompt"; cat "$T/w.out"; exit 1; }
echo y >"$T/w.in"
wait_line "^state=viewing" "$T/v2.out"
for _ in $(seq 100); do [ "$(frames "$T/v2.frames")" -ge 5 ] && break; sleep 0.1; done
[ "$(frames "$T/v2.frames")" -ge 5 ] || { echo "FAIL: no frames after the new Allow"; exit 1; }
echo end >"$T/w.in"
rc=0
wait "$VPID" || rc=$?
[ $rc -eq 3 ] || { echo "FAIL: viewer exit $rc after the customer's End, want 3"; exit 1; }

echo "== the audit log is complete"
grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep '"event":"end"' | grep -q '"reason":"relay restarted' || {
  echo "FAIL: the cut session has no end record"; cat "$T"/audit/*; exit 1; }
[ "$(grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep -c '"event":"end"')" = 1 ] || {
  echo "FAIL: not exactly one end record for the cut session"; cat "$T"/audit/*; exit 1; }
python3 -c 'import json,sys
for f in sys.argv[1:]:
    for l in open(f): json.loads(l)' "$T"/audit/* || { echo "FAIL: audit log is not JSON lines"; exit 1; }
echo "frames before the cut: $nf"
echo PASS
