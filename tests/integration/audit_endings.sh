#!/usr/bin/env bash
# Every way a session ends, with the real relay, host and headless viewer: the relay's audit
# "end" record names the side that really ended it and why (the END record is end-to-end
# encrypted; the ending side says why in its websocket close frame). Before this, a host
# ended by Ctrl-C was logged as "ended_by viewer, peer closed the connection".
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"

# end_record CODE -> the audit "end" line of the session with that code (waits for it)
end_record() {
  local code=${1// /} line=
  code=${code:0:7} # the relay knows (and logs) only its 7 digits
  for _ in $(seq 100); do
    line=$(cat "$T"/audit/* 2>/dev/null | grep '"event":"end"' | grep "\"code\":\"$code\"" | tail -n 1 || true)
    [ -n "$line" ] && break
    sleep 0.1
  done
  echo "$line"
}
# expect NAME CODE ENDED_BY REASON
expect() {
  local rec
  rec=$(end_record "$2")
  [ -n "$rec" ] || { echo "FAIL $1: no audit end record for code $2"; cat "$T"/audit/*; exit 1; }
  grep -q "\"ended_by\":\"$3\"" <<<"$rec" && grep -q "\"reason\":\"$4\"" <<<"$rec" || {
    echo "FAIL $1: want ended_by=$3 reason=$4, audit has: $rec"; exit 1; }
  echo "ok $1: ended_by=$3 reason=$4"
}
# session NAME: a host asking consent and a viewer waiting for it
session() {
  start_host "$1"
  viewer "v$1" --code "$CODE" "${@:2}"
  wait_line "Allow? \[y/N\]" "$T/$1.out"
}
allow() { echo y >"$T/$1.in"; wait_line "^state=viewing" "$T/v$1.out"; sleep 0.5; }
viewer_exit() { local rc=0; wait "$VPID" || rc=$?; [ "$rc" -eq "$1" ] || { echo "viewer exit $rc, want $1"; cat "$T/v$2.out"; exit 1; }; }

# the customer clicks End remote support ("end" on the terminal)
session h1; allow h1
echo end >"$T/h1.in"
viewer_exit 3 h1
expect "customer End" "$CODE" host customer

# the customer's sasae-host is stopped (Ctrl-C / SIGTERM)
session h2; allow h2
kill -INT "$HPID"
viewer_exit 3 h2
expect "host stopped by a signal" "$CODE" host signal

# the customer denies
session h3
echo n >"$T/h3.in"
viewer_exit 4 h3
expect "customer denies" "$CODE" host denied

# the operator ends (after 20 frames)
session h4 --max-frames 20; allow h4
viewer_exit 0 h4
expect "operator End" "$CODE" viewer operator-ended

# the operator's viewer dies (SIGKILL): nobody said why
session h5; allow h5
kill -KILL "$VPID"
wait "$VPID" 2>/dev/null || true
expect "viewer killed" "$CODE" viewer "peer connection lost"

# the customer's host dies (SIGKILL)
session h6; allow h6
kill -KILL "$HPID"
viewer_exit 9 h6
expect "host killed" "$CODE" host "peer connection lost"
echo PASS
