#!/usr/bin/env bash
# Faults: the relay's audit log disk fills up (a 4 MiB tmpfs this test mounts; needs root)
# while a real session (host with the synthetic source, headless viewer) is sharing.
# - the relay notices within 2 s (sasae_relay_audit_ok 0) and refuses new sessions rather
#   than running unaudited: a customer's sasae-host says the support center cannot start a
#   session now, the operator's viewer ends relay-refused (exit 10), both with the relay's
#   reason; sasae_relay_audit_refusals_total counts them;
# - the running session continues (frames keep coming) and ends normally; its records are
#   held in memory (sasae_relay_audit_pending) while the disk refuses them;
# - when space returns: the held records are written in order within 2 s, every line of
#   the log is whole JSON (a write cut short by the full disk was cut back), the session's
#   end record is there, the refusals are recorded, and new sessions work again.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (mounts a tmpfs)"; exit 1; }

FS=$T/auditfs
mkdir -p "$FS"
mount -t tmpfs -o size=4m,mode=0750 sasae-audit-test "$FS"
# however the test ends: stop the processes, unmount, then viewer_lib's cleanup (checks,
# scratch removal) with the test's status
trap 'rc=$?; set +e; reap_all; umount "$FS" 2>/dev/null || umount -l "$FS"; (exit $rc); cleanup' EXIT
AUD=$FS/audit

metric() { # metric NAME_WITH_LABELS
  curl -s --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
frames() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null) || true; echo "${n:-0}"; }
wait_metric() { # NAME VALUE SECONDS
  for _ in $(seq $(($3 * 10))); do [ "$(metric "$1")" = "$2" ] && return 0; sleep 0.1; done
  echo "FAIL: $1 is $(metric "$1"), want $2 within $3 s"; return 1
}
json_ok() {
  python3 -c 'import json,sys
n=0
for f in sys.argv[1:]:
    data=open(f,"rb").read()
    assert data.endswith(b"\n"), f+": ends inside a line"
    for l in data.split(b"\n")[:-1]:
        json.loads(l); n+=1
print(n)' "$AUD"/*.jsonl
}

# the relay again on the same port, its audit log on the small tmpfs
kill -TERM "$RPID"
wait "$RPID" || { echo "FAIL: the first relay exited badly"; exit 1; }
"$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
  --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$AUD" --conn-rate 100000 \
  --max-conns-per-addr 100000 >"$T/relay2.log" 2>&1 &
RPID=$!
PIDS+=($RPID)
wait_line "sasae-relay ready" "$T/relay2.log" 10
[ "$(metric sasae_relay_audit_ok)" = 1 ] || { echo "FAIL: audit not ok at start"; exit 1; }

echo "== a session is sharing"
start_host h1
SCODE=${CODE// /}
SCODE=${SCODE:0:7} # the relay sees and audits only the first 7 digits
viewer v1 --code "$CODE" --frame-log "$T/v1.frames"
wait_line "Allow? \[y/N\]" "$T/h1.out"
echo y >"$T/h1.in"
wait_line "^state=viewing" "$T/v1.out"
SPID=$VPID

echo "== the audit disk fills up"
dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null || true
df -k "$FS" | tail -1
wait_metric sasae_relay_audit_ok 0 3
grep -q "audit log unwritable or under 1024 KiB free: refusing new sessions" "$T/relay2.log" || {
  echo "FAIL: the relay log does not say it refuses"; tail "$T/relay2.log"; exit 1; }

echo "== new sessions are refused, with words"
d=${DISPLAY:-}
unset DISPLAY
tty_host_start h2 --source synthetic --size 320x240
[ -n "$d" ] && export DISPLAY=$d
wait_line "The support center cannot start a session right now. Please try again in a few minutes." "$T/h2.out" 20
grep -q "the relay cannot write its audit log" "$T/h2.out" || { echo "FAIL: the host does not give the reason"; cat "$T/h2.out"; exit 1; }
grep -q "support code:" "$T/h2.out" && { echo "FAIL: a code was given"; exit 1; }
viewer v2 --code 123456789018
rc=0
wait "$VPID" || rc=$?
[ $rc -eq 10 ] && grep -q "^end=relay-refused exit=10" "$T/v2.out" || { echo "FAIL: viewer exit $rc, want 10"; cat "$T/v2.out" "$T/v2.err"; exit 1; }
grep -q "the relay cannot write its audit log" "$T/v2.err" || { echo "FAIL: the viewer does not log the reason"; exit 1; }
[ "$(metric sasae_relay_audit_refusals_total)" -ge 2 ] || { echo "FAIL: refusals not counted"; exit 1; }

# the refusals are audited too: on a full disk their lines first fill the day file's last
# page, then the disk refuses one and from then on every record is held, in order
tries=0
while [ "$(metric sasae_relay_audit_pending)" = 0 ] && [ $tries -lt 80 ]; do
  tries=$((tries + 1))
  "$B/tests/relay_testclient" viewer --url "$URL" --ca "$C/ca.pem" --cert "$OPC" --key "$OPK" \
    --code 1234567 --expect-error 12 --timeout 10 >"$T/tc.out" 2>&1 || {
    echo "FAIL: refused join $tries: not ERROR 12"; cat "$T/tc.out"; exit 1; }
done
p=$(metric sasae_relay_audit_pending)
[ "$p" -ge 1 ] || { echo "FAIL: the disk never refused a record"; exit 1; }
[ "$(metric sasae_relay_audit_write_errors_total)" -ge 1 ] || { echo "FAIL: no write error counted"; exit 1; }
json_ok >/dev/null || { echo "FAIL: a broken line while the disk is full"; exit 1; }
echo "the disk refused a record after $tries more refusals; $p held in memory"

echo "== the running session continues and ends normally"
n0=$(frames "$T/v1.frames")
sleep 2
n1=$(frames "$T/v1.frames")
[ "$n1" -gt "$n0" ] || { echo "FAIL: frames stopped ($n0 -> $n1)"; exit 1; }
echo "frames while the disk is full: $n0 -> $n1 in 2 s"
echo end >"$T/h1.in"
rc=0
wait "$SPID" || rc=$?
[ $rc -eq 3 ] || { echo "FAIL: viewer exit $rc after the customer's End, want 3"; exit 1; }
for _ in $(seq 30); do [ "$(metric sasae_relay_audit_pending)" -gt "$p" ] && break; sleep 0.1; done
[ "$(metric sasae_relay_audit_pending)" -gt "$p" ] || { echo "FAIL: the session's end was not held"; exit 1; }
p=$(metric sasae_relay_audit_pending)
grep -h "\"code\":\"$SCODE\"" "$AUD"/*.jsonl | grep -q '"event":"end"' && { echo "FAIL: the end record got onto a full disk?"; exit 1; }
json_ok >/dev/null || { echo "FAIL: a broken line while the disk is full"; exit 1; }
echo "held in memory while full: $p record(s)"

echo "== space returns"
rm -f "$FS/filler"
wait_metric sasae_relay_audit_ok 1 3
wait_metric sasae_relay_audit_pending 0 3
lines=$(json_ok) || { echo "FAIL: the audit log has a broken line"; exit 1; }
grep -h "\"code\":\"$SCODE\"" "$AUD"/*.jsonl | grep '"event":"end"' | grep -q '"reason":"customer"' || {
  echo "FAIL: the session's end record was lost"; cat "$AUD"/*.jsonl; exit 1; }
[ "$(grep -h '"result":"refused"' "$AUD"/*.jsonl | grep -c "audit log unwritable")" -ge 2 ] || {
  echo "FAIL: the refusals are not in the log"; exit 1; }
[ "$(metric sasae_relay_audit_dropped_total)" = 0 ] || { echo "FAIL: records dropped"; exit 1; }
echo "audit log: $lines whole JSON lines"
start_host h3
echo "new code after space returned: $CODE"
echo PASS
