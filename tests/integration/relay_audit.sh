#!/usr/bin/env bash
# Audit log through the real relay: register, join (ok and failed, with address),
# pairing, host-reported events, end with byte counts; the query subcommand; retention
# deletes files older than 365 days at start-up; SIGHUP reopens the log.
source "$(dirname "$0")/relay_lib.sh"
mkdir -p "$WORK/audit"
OLD=$(date -u -d "-400 days" +%F); KEEP=$(date -u -d "-300 days" +%F)
echo '{"event":"old"}' > "$WORK/audit/audit-$OLD.jsonl"
echo '{"event":"kept"}' > "$WORK/audit/audit-$KEEP.jsonl"
touch -d "-500 days" "$WORK/audit/audit-$KEEP.jsonl" # the date in the name decides, not mtime
start_relay --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000
[ -e "$WORK/audit/audit-$OLD.jsonl" ] && fail "audit file from $OLD not deleted"
[ -e "$WORK/audit/audit-$KEEP.jsonl" ] || fail "audit file from $KEEP deleted too early"
pass "retention: >365-day-old file deleted, 300-day-old kept"

rm -f "$WORK/code"
$TC host --url "$URL" $CA --code-file "$WORK/code" --msgs 3 --size 1000 --audit 3 "customer allowed" \
  --hold --timeout 60 > "$WORK/h" &
HP=$!; PIDS+=("$HP")
for i in $(seq 1 100); do [ -s "$WORK/code" ] && break; sleep 0.1; done
CODE=$(cat "$WORK/code")
$TC viewer --url "$URL" $CA --code "$CODE" --expect-error 5 --timeout 20 > /dev/null || true
$TC viewer --url "$URL" $CA $OP --code "$CODE" --msgs 3 --size 1000 --timeout 60 > "$WORK/v" || { cat "$WORK/v"; fail "viewer"; }
wait "$HP" || true
TODAY=$(date -u +%F)
F="$WORK/audit/audit-$TODAY.jsonl"
for i in $(seq 1 50); do grep -q '"event":"end".*"bytes_host_to_viewer"' "$F" 2>/dev/null && break; sleep 0.1; done
cat "$F"
grep -q "\"event\":\"register\".*\"code\":\"$CODE\".*\"addr\":\"127.0.0.1\".*\"role\":\"host\"" "$F" || fail "register record"
grep -q "\"event\":\"join\".*\"code\":\"$CODE\".*\"addr\":\"127.0.0.1\".*\"result\":\"failed\"" "$F" || fail "failed join record"
grep -q "\"event\":\"join\".*\"operator\":\"alice\",\"org\":\"Test Org\",\"result\":\"ok\"" "$F" || fail "join ok record"
grep -q "\"event\":\"paired\".*\"code\":\"$CODE\"" "$F" || fail "paired record"
grep -q "\"event\":\"host-event\".*\"result\":\"consent-allowed\",\"reason\":\"customer allowed\"" "$F" || fail "host-reported consent record"
grep -q "\"event\":\"end\".*\"code\":\"$CODE\".*\"operator\":\"alice\".*\"bytes_host_to_viewer\":3003,\"bytes_viewer_to_host\":3003" "$F" \
  || fail "end record with byte counts"
pass "audit records: register, failed join, join, paired, host event, end + bytes"

$RELAY audit --audit-dir "$WORK/audit" --code "$CODE" | grep -c . | grep -qx 6 || fail "query by code"
$RELAY audit --audit-dir "$WORK/audit" --operator alice | grep -q '"event":"paired"' || fail "query by operator"
$RELAY audit --audit-dir "$WORK/audit" --date "$KEEP" | grep -q '"kept"' || fail "query by date"
$RELAY audit --audit-dir "$WORK/audit" --operator nobody > /dev/null && fail "query matched nothing but succeeded"
pass "sasae-relay audit --code/--operator/--date"

# SIGHUP: log reopened (rotation: the old file renamed away, new records go to a new file).
mv "$F" "$F.rotated"
kill -HUP "$RELAY_PID"
sleep 0.5
$TC host --url "$URL" $CA --expect-error 8 --timeout 3 > /dev/null 2>&1 || true
for i in $(seq 1 50); do [ -s "$F" ] && break; sleep 0.1; done
[ -s "$F" ] || fail "no new audit file after SIGHUP"
relay_alive || fail "relay died on SIGHUP"
pass "SIGHUP reopens the audit log"
stop_relay
