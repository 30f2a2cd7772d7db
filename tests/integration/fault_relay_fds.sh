#!/usr/bin/env bash
# Faults: the relay runs out of file descriptors (`ulimit -n 64`, soft and hard, so it
# cannot raise it) while a real session (host with the synthetic source, headless viewer)
# is sharing. Waiting hosts (relay_testclient) take descriptors until the relay refuses:
# - new sessions are refused with a clear error (ERROR 6 "the relay is out of file
#   descriptors"): a real sasae-host tells its customer the support center cannot start a
#   session now and to try again in a few minutes, the viewer ends "relay-refused" (exit
#   10); the refusals are counted (sasae_relay_fd_refusals_total) and audited;
# - the relay never reaches EMFILE (it keeps descriptors in reserve) and does not spin;
# - the running session is unharmed: frames keep arriving, the customer's End still ends
#   it normally (viewer exit 3) with its audit end record;
# - once descriptors are free again, new sessions work.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"
TC=$B/tests/relay_testclient

metric() { # metric NAME_WITH_LABELS
  curl -s --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
frames() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null) || true; echo "${n:-0}"; }

# the relay again on the same port, with 64 descriptors at most
kill -TERM "$RPID"
wait "$RPID" || { echo "FAIL: the first relay exited badly"; exit 1; }
(
  ulimit -n 64
  exec "$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
    --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" --conn-rate 100000 \
    --max-conns-per-addr 100000
) >"$T/relay2.log" 2>&1 &
RPID=$!
PIDS+=($RPID)
wait_line "sasae-relay ready" "$T/relay2.log" 10
grep -q "nofile 64" "$T/relay2.log" || { echo "FAIL: the relay does not run with nofile 64"; cat "$T/relay2.log"; exit 1; }

echo "== a session is sharing"
start_host h1
SCODE=${CODE// /}
SCODE=${SCODE:0:7} # the relay sees and audits only the first 7 digits
viewer v1 --code "$CODE" --frame-log "$T/v1.frames"
wait_line "Allow? \[y/N\]" "$T/h1.out"
echo y >"$T/h1.in"
wait_line "^state=viewing" "$T/v1.out"
SPID=$VPID

echo "== waiting hosts take descriptors until the relay refuses"
refused=0
FPIDS=()
for i in $(seq 1 80); do
  "$TC" host --url "$URL" --ca "$C/ca.pem" --code-file "$T/f$i.code" --expect-error 6 \
    --timeout 60 >"$T/f$i.out" 2>"$T/f$i.log" &
  PIDS+=($!)
  FPIDS+=($!)
  for _ in $(seq 100); do
    [ -s "$T/f$i.code" ] && break
    grep -q "^RESULT" "$T/f$i.out" && break
    sleep 0.05
  done
  if grep -q "^RESULT ok" "$T/f$i.out"; then refused=$i; break; fi
  [ -s "$T/f$i.code" ] || { echo "FAIL: filler $i neither registered nor got ERROR 6"; cat "$T/f$i.out" "$T/f$i.log"; tail "$T/relay2.log"; exit 1; }
done
[ $refused -gt 0 ] || { echo "FAIL: 80 waiting hosts and no refusal"; exit 1; }
echo "the relay refused the ${refused}th waiting host (headroom $(metric sasae_relay_fd_headroom))"
grep -q "out of file descriptors" "$T/relay2.log" || { echo "FAIL: the relay log does not say why"; exit 1; }
! grep -q "Too many open files\|EMFILE" "$T/relay2.log" || { echo "FAIL: the relay hit EMFILE"; tail "$T/relay2.log"; exit 1; }
[ "$(metric 'sasae_relay_fd_refusals_total{stage="session"}')" -ge 1 ] || { echo "FAIL: no refusal metric"; exit 1; }

echo "== a customer's sasae-host is refused with words, an operator's join too"
d=${DISPLAY:-}
unset DISPLAY
tty_host_start h2 --source synthetic --size 320x240
[ -n "$d" ] && export DISPLAY=$d
wait_line "The support center cannot start a session right now. Please try again in a few minutes." "$T/h2.out" 20
grep -q "the relay is out of file descriptors" "$T/h2.out" || { echo "FAIL: the host does not give the relay's reason"; cat "$T/h2.out"; exit 1; }
grep -q "Nothing was shared with the operator" "$T/h2.out" || { echo "FAIL: the host does not say nothing was shared"; exit 1; }
grep -q "support code:" "$T/h2.out" && { echo "FAIL: a code was given"; exit 1; }
viewer v2 --code 123456789018
rc=0
wait "$VPID" || rc=$?
[ $rc -eq 10 ] && grep -q "^end=relay-refused exit=10" "$T/v2.out" || { echo "FAIL: viewer exit $rc, want 10 (relay-refused)"; cat "$T/v2.out" "$T/v2.err"; exit 1; }
grep -q "the relay is out of file descriptors" "$T/v2.err" || { echo "FAIL: the viewer does not log the relay's reason"; exit 1; }
grep -h '"result":"refused"' "$T"/audit/* | grep -q "out of file descriptors" || { echo "FAIL: refusals not audited"; exit 1; }

echo "== the running session is unharmed"
n0=$(frames "$T/v1.frames")
sleep 2
n1=$(frames "$T/v1.frames")
[ "$n1" -gt "$n0" ] || { echo "FAIL: frames stopped ($n0 -> $n1)"; exit 1; }
echo "frames during exhaustion: $n0 -> $n1 in 2 s"
# the relay does not spin: under 1 s of CPU over those 2 s of exhaustion (sharing included)
cpu0=$(awk '{print $14 + $15}' /proc/$RPID/stat)
sleep 2
cpu1=$(awk '{print $14 + $15}' /proc/$RPID/stat)
[ $((cpu1 - cpu0)) -lt $(($(getconf CLK_TCK))) ] || { echo "FAIL: the relay used $((cpu1 - cpu0)) ticks in 2 s"; exit 1; }
echo end >"$T/h1.in"
rc=0
wait "$SPID" || rc=$?
[ $rc -eq 3 ] || { echo "FAIL: the running session ended with viewer exit $rc, want 3"; cat "$T/v1.out"; exit 1; }
for _ in $(seq 50); do grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep -q '"event":"end"' && break; sleep 0.1; done
grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep '"event":"end"' | grep -q '"reason":"customer"' || {
  echo "FAIL: no audit end record for the running session"; exit 1; }

echo "== descriptors free again: new sessions work"
for ((i = 0; i < refused - 1; i++)); do kill -TERM "${FPIDS[i]}" 2>/dev/null || true; done
sleep 1
"$TC" host --url "$URL" --ca "$C/ca.pem" --code-file "$T/again.code" --timeout 20 >"$T/again.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/again.code" ] && break; sleep 0.1; done
[ -s "$T/again.code" ] || { echo "FAIL: no code after descriptors were freed"; cat "$T/again.out"; exit 1; }
echo PASS
