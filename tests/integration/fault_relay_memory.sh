#!/usr/bin/env bash
# Faults: the relay's memory is tight (--memory-limit-mb 16 MB above its idle size plus
# the 32 MB it keeps for running sessions) while a real session (host with the synthetic
# source, headless viewer) is sharing. A second session whose receiver never reads
# (relay_rawclient noread, the relay's queue raised to 96 MB) fills the relay's memory:
# - new sessions are refused with a clear error (ERROR 6 "the relay is low on memory"): a
#   real sasae-host tells its customer the support center cannot start a session now, the
#   viewer ends "relay-refused" (exit 10); refusals are counted
#   (sasae_relay_memory_refusals_total), the headroom is a gauge, both are audited;
# - the running session is unharmed: frames keep arriving, the customer's End still ends
#   it normally (viewer exit 3) with its audit end record;
# - once the relay cuts the stuck session (stuck-timeout) and hands the memory back, new
#   sessions work again.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"
TC=$B/tests/relay_testclient
RAW=$B/tests/relay_rawclient

metric() { # metric NAME_WITH_LABELS
  curl -s --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
frames() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null) || true; echo "${n:-0}"; }

# the relay again on the same port, its limit 16 MB above its idle size plus the reserve
idle_mb=$(($(awk '/VmRSS/ {print $2}' /proc/$RPID/status) / 1024))
kill -TERM "$RPID"
wait "$RPID" || { echo "FAIL: the first relay exited badly"; exit 1; }
LIMIT=$((idle_mb + 32 + 16))
"$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
  --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" --conn-rate 1000000 \
  --max-conns-per-addr 1000000 --join-rate 1000000 --memory-limit-mb "$LIMIT" --queue-kb 98304 \
  --stuck-timeout 20 >"$T/relay2.log" 2>&1 &
RPID=$!
PIDS+=($RPID)
wait_line "sasae-relay ready" "$T/relay2.log" 10
grep -q "memory limits: .* resident $LIMIT MB" "$T/relay2.log" || { echo "FAIL: the relay does not say its limit"; cat "$T/relay2.log"; exit 1; }
echo "relay idle ${idle_mb} MB, limit $LIMIT MB, headroom $(metric sasae_relay_memory_headroom_bytes) bytes"

echo "== a session is sharing"
start_host h1
SCODE=${CODE// /}
SCODE=${SCODE:0:7} # the relay sees and audits only the first 7 digits
viewer v1 --code "$CODE" --frame-log "$T/v1.frames"
wait_line "Allow? \[y/N\]" "$T/h1.out"
echo y >"$T/h1.in"
wait_line "^state=viewing" "$T/v1.out"
SPID=$VPID

echo "== a session whose viewer never reads fills the relay's memory until it refuses"
"$RAW" noread:60 "$PORT" "$C/ca.pem" "$OPC" "$OPK" >"$T/noread.out" 2>"$T/noread.err" &
NPID=$!
PIDS+=($NPID)
for _ in $(seq 300); do
  [ "$(metric sasae_relay_memory_headroom_bytes)" -lt $((32 << 20)) ] 2>/dev/null && break
  sleep 0.1
done
echo "headroom $(metric sasae_relay_memory_headroom_bytes) bytes with the stuck queue"
# a new session now: refused
"$TC" pairs --url "$URL" --ca "$C/ca.pem" --cert "$OPC" --key "$OPK" --sessions 1 --msgs 1 \
  --timeout 10 >"$T/tc1.out" 2>"$T/tc1.err" && { echo "FAIL: a new session was accepted"; exit 1; }
grep -q "low on memory" "$T/tc1.out" "$T/tc1.err" || { echo "FAIL: the refused client was not told why"; cat "$T/tc1.out" "$T/tc1.err"; exit 1; }
n=$(metric sasae_relay_memory_refusals_total)
[ "${n:-0}" -ge 1 ] || { echo "FAIL: no memory refusal counted"; exit 1; }
grep -q "low on memory" "$T/relay2.log" || { echo "FAIL: the relay log does not say why"; exit 1; }

echo "== a customer's sasae-host is refused with words, an operator's join too"
d=${DISPLAY:-}
unset DISPLAY
tty_host_start h2 --source synthetic --size 320x240
[ -n "$d" ] && export DISPLAY=$d
wait_line "The support center cannot start a session right now. Please try again in a few minutes." "$T/h2.out" 20
grep -q "the relay is low on memory" "$T/h2.out" || { echo "FAIL: the host does not give the relay's reason"; cat "$T/h2.out"; exit 1; }
grep -q "support code:" "$T/h2.out" && { echo "FAIL: a code was given"; exit 1; }
viewer v2 --code 123456789018
rc=0
wait "$VPID" || rc=$?
[ $rc -eq 10 ] && grep -q "^end=relay-refused exit=10" "$T/v2.out" || { echo "FAIL: viewer exit $rc, want 10 (relay-refused)"; cat "$T/v2.out" "$T/v2.err"; exit 1; }
grep -q "the relay is low on memory" "$T/v2.err" || { echo "FAIL: the viewer does not log the relay's reason"; exit 1; }
# (one grep: a grep -q reading a pipe ends early and its writer's SIGPIPE fails pipefail)
grep -hq '"result":"refused","reason":"relay low on memory"' "$T"/audit/* || { echo "FAIL: refusals not audited"; exit 1; }

echo "== the running session is unharmed"
n0=$(frames "$T/v1.frames")
sleep 2
n1=$(frames "$T/v1.frames")
[ "$n1" -gt "$n0" ] || { echo "FAIL: frames stopped ($n0 -> $n1)"; exit 1; }
echo "frames while memory is tight: $n0 -> $n1 in 2 s"
! grep -q "out of memory" "$T/relay2.log" "$T/v1.err" || { echo "FAIL: an allocation failed"; exit 1; }
echo end >"$T/h1.in"
rc=0
wait "$SPID" || rc=$?
[ $rc -eq 3 ] || { echo "FAIL: the running session ended with viewer exit $rc, want 3"; cat "$T/v1.out"; exit 1; }
for _ in $(seq 50); do grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep -q '"event":"end"' && break; sleep 0.1; done
grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep '"event":"end"' | grep -q '"reason":"customer"' || {
  echo "FAIL: no audit end record for the running session"; exit 1; }

echo "== the relay cuts the stuck session and gives the memory back: new sessions work"
rc=0
wait "$NPID" || rc=$?
[ $rc -eq 0 ] || { echo "FAIL: the stuck session was not cut as stuck (rawclient exit $rc)"; cat "$T/noread.out" "$T/noread.err"; exit 1; }
# the relay hands freed heap back every 10 s (malloc_trim), then its headroom is back
ok=0
for _ in $(seq 30); do
  "$TC" pairs --url "$URL" --ca "$C/ca.pem" --cert "$OPC" --key "$OPK" --sessions 1 --msgs 2 \
    --timeout 10 >"$T/again.out" 2>"$T/again.err" && { ok=1; break; }
  sleep 1
done
[ $ok -eq 1 ] || { echo "FAIL: no session after the memory came back (headroom $(metric sasae_relay_memory_headroom_bytes))"; cat "$T/again.out"; exit 1; }
echo "a new session works again (headroom $(metric sasae_relay_memory_headroom_bytes) bytes)"
echo PASS
