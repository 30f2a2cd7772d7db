#!/usr/bin/env bash
# Faults: one side of a sharing session is killed (SIGKILL: no END, no close frame), with
# the real relay, host (synthetic source, consent on its terminal) and headless viewer.
# - the operator's viewer dies: the host ends sharing within 5 s, tells the customer in plain
#   words that the operator disconnected and that sharing and control have stopped, and exits;
# - the customer's host dies: the viewer says the customer's PC disconnected (exit 9, not the
#   "relay lost" of exit 6).
# Each time: the relay's audit log holds the session's whole story (register, join, paired,
# handshake, consent, end with the side that went away), its session gauges return to zero, and no
# byte is forwarded to anyone after the end.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"

metric() { # metric NAME_WITH_LABELS
  curl -s --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
fwd() { echo $(($(metric 'sasae_relay_bytes_total{dir="host_to_viewer"}') + $(metric 'sasae_relay_bytes_total{dir="viewer_to_host"}'))); }
session() { # NAME: a sharing session with the real viewer, 20 frames decoded
  local n
  start_host "$1"
  viewer "v$1" --code "$CODE" --frame-log "$T/v$1.frames"
  wait_line "Allow? \[y/N\]" "$T/$1.out"
  echo y >"$T/$1.in"
  wait_line "^state=viewing" "$T/v$1.out"
  for _ in $(seq 100); do
    n=$(grep -vc '^#' "$T/v$1.frames" 2>/dev/null) || true
    [ "${n:-0}" -ge 20 ] && return 0
    sleep 0.1
  done
  echo "FAIL: fewer than 20 frames"; cat "$T/v$1.out"; exit 1
}
# audit_story CODE ENDED_BY: every step of the session is in the audit log, in order
audit_story() {
  local code=${1// /}
  code=${code:0:7} # the relay audits only the first 7 digits
  local ev want=(register join paired handshake-done consent-allowed end) got
  for _ in $(seq 50); do
    grep -q "\"event\":\"end\".*\"code\":\"$code\"\|\"code\":\"$code\".*\"event\":\"end\"" "$T"/audit/* && break
    sleep 0.1
  done
  got=$(cat "$T"/audit/* | grep "\"code\":\"$code\"" | sed -e 's/.*"event":"\([a-z_-]*\)".*"result":"\([a-z_-]*\)".*/\1 \2/' -e 's/.*"event":"\([a-z_-]*\)".*/\1/' | tr '\n' ' ')
  for ev in "${want[@]}"; do
    grep -qw "$ev" <<<"$got" || { echo "FAIL: audit lacks '$ev' for $code: $got"; cat "$T"/audit/*; exit 1; }
  done
  [ "$(grep "\"code\":\"$code\"" "$T"/audit/* | grep -c '"event":"end"')" = 1 ] || {
    echo "FAIL: not exactly one end record for $code"; cat "$T"/audit/*; exit 1; }
  grep "\"code\":\"$code\"" "$T"/audit/* | grep '"event":"end"' | grep -q "\"ended_by\":\"$2\"" || {
    echo "FAIL: end record does not name $2"; grep "\"code\":\"$code\"" "$T"/audit/*; exit 1; }
  # every line is a whole JSON object
  python3 -c 'import json,sys
for f in sys.argv[1:]:
    for l in open(f): json.loads(l)' "$T"/audit/* || { echo "FAIL: audit log is not JSON lines"; exit 1; }
}
# quiet_after_end: the relay holds no session and forwards nothing any more
quiet_after_end() {
  for _ in $(seq 50); do
    [ "$(metric sasae_relay_paired)" = 0 ] && [ "$(metric sasae_relay_sessions)" = 0 ] && break
    sleep 0.1
  done
  [ "$(metric sasae_relay_paired)" = 0 ] || { echo "FAIL: relay still pairs a session"; exit 1; }
  local a b
  a=$(fwd)
  sleep 2
  b=$(fwd)
  [ "$a" = "$b" ] || { echo "FAIL: $((b - a)) bytes forwarded after the end"; exit 1; }
}

echo "== the operator's viewer is killed"
session h1
t0=$(date +%s%N)
kill -KILL "$VPID"
wait "$VPID" 2>/dev/null || true
wait_line "The operator disconnected" "$T/h1.out" 5
ms=$((($(date +%s%N) - t0) / 1000000))
echo "host noticed and told the customer after ${ms} ms"
grep -q "sharing -> ended (peer_left)" "$T/h1.out" || { echo "FAIL: host end reason"; cat "$T/h1.out"; exit 1; }
grep -q "Screen sharing and remote control have stopped" "$T/h1.out" || {
  echo "FAIL: the customer was not told sharing stopped"; cat "$T/h1.out"; exit 1; }
for _ in $(seq 100); do kill -0 "$HPID" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$HPID" 2>/dev/null || { echo "FAIL: host still runs 10 s after the end"; exit 1; }
# the host stopped capturing: its summary is the last word, and no frame was encoded after
grep -q "session summary: [0-9]* frames" "$T/h1.out" || { echo "FAIL: no host summary"; exit 1; }
audit_story "$CODE" viewer
quiet_after_end

echo "== the customer's host is killed"
session h2
t0=$(date +%s%N)
kill -KILL "$HPID"
rc=0
wait "$VPID" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc -eq 9 ] || { echo "FAIL: viewer exit $rc, want 9"; cat "$T/vh2.out" "$T/vh2.err"; exit 1; }
grep -q "^end=host-disconnected exit=9" "$T/vh2.out" || { echo "FAIL: viewer end line"; cat "$T/vh2.out"; exit 1; }
[ $ms -le 5000 ] || { echo "FAIL: the viewer took ${ms} ms to notice"; exit 1; }
echo "viewer noticed and ended after ${ms} ms"
audit_story "$CODE" host
quiet_after_end
echo PASS
