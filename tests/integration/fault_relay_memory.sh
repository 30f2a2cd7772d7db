#!/usr/bin/env bash
# Faults: the relay's memory is tight (--memory-limit-mb a few MB above its idle size plus
# the 32 MB it keeps for running sessions) while a real session (host with the synthetic
# source, headless viewer) is sharing. Idle hosts from a load generator take memory until
# the relay refuses:
# - new sessions are refused with a clear error (ERROR 6 "the relay is low on memory"): a
#   real sasae-host tells its customer the support center cannot start a session now, the
#   viewer ends "relay-refused" (exit 10); refusals are counted
#   (sasae_relay_memory_refusals_total), the headroom is a gauge, both are audited;
# - the running session is unharmed: frames keep arriving, the customer's End still ends
#   it normally (viewer exit 3) with its audit end record;
# - once the idle hosts leave, new sessions work again.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"
TC=$B/tests/relay_testclient
GEN=$B/bench/bench_relay_lean

metric() { # metric NAME_WITH_LABELS
  curl -s --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
frames() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null) || true; echo "${n:-0}"; }

# the relay again on the same port, its limit 6 MB above its idle size plus the reserve
idle_mb=$(($(awk '/VmRSS/ {print $2}' /proc/$RPID/status) / 1024))
kill -TERM "$RPID"
wait "$RPID" || { echo "FAIL: the first relay exited badly"; exit 1; }
LIMIT=$((idle_mb + 32 + 6))
"$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
  --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" --conn-rate 1000000 \
  --max-conns-per-addr 1000000 --join-rate 1000000 --memory-limit-mb "$LIMIT" >"$T/relay2.log" 2>&1 &
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

echo "== idle hosts take memory until the relay refuses"
"$GEN" --url "$URL" --ca "$C/ca.pem" --cert "$OPC" --key "$OPK" --idle --sessions 600 \
  --seconds 10 --relay-pid "$RPID" >"$T/gen.out" 2>"$T/gen.err" &
GPID=$!
PIDS+=($GPID)
wait_line "registered [0-9]*/600 hosts" "$T/gen.out" 60
grep "registered" "$T/gen.out"
n=$(metric sasae_relay_memory_refusals_total)
[ "${n:-0}" -ge 1 ] || { echo "FAIL: no memory refusal (headroom $(metric sasae_relay_memory_headroom_bytes))"; cat "$T/gen.out" "$T/gen.err"; exit 1; }
echo "the relay refused $n idle hosts, headroom $(metric sasae_relay_memory_headroom_bytes) bytes"
grep -q "low on memory" "$T/relay2.log" || { echo "FAIL: the relay log does not say why"; exit 1; }
grep -q "low on memory" "$T/gen.err" || { echo "FAIL: the refused clients were not told why"; cat "$T/gen.err"; exit 1; }

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

echo "== the idle hosts leave: new sessions work"
rc=0
wait "$GPID" || rc=$?
[ $rc -eq 0 ] || { echo "FAIL: the load generator exited $rc"; cat "$T/gen.out" "$T/gen.err"; exit 1; }
# the relay hands freed heap back every 10 s (malloc_trim), then its headroom is back
ok=0
for _ in $(seq 30); do
  "$TC" pairs --url "$URL" --ca "$C/ca.pem" --cert "$OPC" --key "$OPK" --sessions 1 --msgs 2 \
    --timeout 10 >"$T/again.out" 2>"$T/again.err" && { ok=1; break; }
  sleep 1
done
[ $ok -eq 1 ] || { echo "FAIL: no session after the idle hosts left (headroom $(metric sasae_relay_memory_headroom_bytes))"; cat "$T/again.out"; exit 1; }
echo "a new session works again (headroom $(metric sasae_relay_memory_headroom_bytes) bytes)"
echo PASS
