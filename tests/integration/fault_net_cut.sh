#!/usr/bin/env bash
# Faults: the customer's network is cut in the middle of a session. The test makes two
# network namespaces of its own joined by a veth pair (addresses only inside them; needs
# root): the relay and the headless viewer in one, the host (synthetic source, consent on
# its terminal) in the other, and sets the host's end of the link down.
# - a 5 s cut: the session survives; frames flow again after the link returns, nobody was
#   told anything, and the customer's End still ends it normally (viewer exit 3);
# - a 30 s cut (longer than the 20 s silence timeouts on both sides, so a 2-minute cut
#   ends the same way at the same time): the host ends after 20 s with "The operator stopped
#   responding." and sharing stopped, the viewer after 20 s with "host-silent" (exit 11);
#   nothing is forwarded after the end; once the link returns the relay holds no session
#   and the audit log has the session's end record.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }

NR=sasae-r$$
NH=sasae-h$$
NET=10.231.$(($$ % 250)).
# in_ns NS CMD...: CMD in namespace NS's network only (nsenter; ip's netns exec, and its
# option -n, also remount /sys, which fails where / is not a mount point, as in a chroot);
# it execs CMD, so $! is CMD's pid
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
ip netns add "$NR"
ip netns add "$NH"
trap 'rc=$?; set +e; reap_all; ip netns del "$NR"; ip netns del "$NH"; (exit $rc); cleanup' EXIT
ip link add vr$$ netns "$NR" type veth peer name vh$$ netns "$NH"
in_ns "$NR" ip addr add "${NET}1/30" dev vr$$
in_ns "$NH" ip addr add "${NET}2/30" dev vh$$
for ns in "$NR" "$NH"; do in_ns "$ns" ip link set lo up; done
in_ns "$NR" ip link set vr$$ up
in_ns "$NH" ip link set vh$$ up

# the relay inside its namespace, with a certificate for its address there
kill -TERM "$RPID"
wait "$RPID" || { echo "FAIL: the first relay exited badly"; exit 1; }
cp -r "$C" "$T/c2"
"$B/relay/certs/sasae-certs" --dir "$T/c2" issue-relay --host "${NET}1" >/dev/null
URL=wss://${NET}1:$PORT/
in_ns "$NR" "$B/relay/server/sasae-relay" --listen "${NET}1" --port "$PORT" \
  --cert "$T/c2/relay.pem" --key "$T/c2/relay.key" --operator-ca "$C/ca.pem" --crl "$C/crl.pem" \
  --audit-dir "$T/audit" >"$T/relay2.log" 2>&1 &
RPID=$!
PIDS+=($RPID)
wait_line "sasae-relay ready" "$T/relay2.log" 10

metric() { # metric NAME_WITH_LABELS
  in_ns "$NR" curl -s --cacert "$C/ca.pem" "https://${NET}1:$PORT/metrics" |
    awk -v m="$1" '$1 == m {print $2}'
}
frames() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null) || true; echo "${n:-0}"; }
net_host() { # NAME: a host in its namespace, waiting for consent (as viewer_lib's start_host)
  local name=$1 spid d=${DISPLAY:-}
  unset DISPLAY
  mkfifo "$T/$name.in"
  sleep 600 >"$T/$name.in" &
  PIDS+=($!)
  script -qfec "exec nsenter --net=/run/netns/$NH -- $(printf '%q ' "$B/host/sasae-host" --relay "$URL" \
    --relay-ca "$C/ca.pem" --org-ca "$C/ca.pem" --state-dir "$T/hoststate" \
    --consent tty --no-proxy --source synthetic --size 320x240)" /dev/null <"$T/$name.in" \
    >"$T/$name.out" 2>&1 &
  spid=$!
  PIDS+=($spid)
  [ -n "$d" ] && export DISPLAY=$d
  wait_line "support code: [0-9]" "$T/$name.out"
  HPID=$(ps -o pid= --ppid $spid | head -1 | tr -d ' ')
  PIDS+=($HPID)
  CODE=$(grep -o "support code: [0-9 ]*" "$T/$name.out" | head -1 | sed 's/support code: //')
}
cut() { in_ns "$NH" ip link set vh$$ down; }
mend() { in_ns "$NH" ip link set vh$$ up; }

echo "== a 5 s cut"
# NAME: sharing, 10 frames decoded; the viewer inside the relay's namespace (the relay's
# address exists only there)
net_session_ns() {
  net_host "$1"
  in_ns "$NR" "$B/viewer/sasae-viewer" --headless --relay "$URL" --relay-ca "$C/ca.pem" \
    --cert "$OPC" --key "$OPK" --code "$CODE" --frame-log "$T/v$1.frames" >"$T/v$1.out" \
    2>"$T/v$1.err" &
  VPID=$!
  PIDS+=($VPID)
  wait_line "Allow? \[y/N\]" "$T/$1.out"
  echo y >"$T/$1.in"
  wait_line "^state=viewing" "$T/v$1.out"
  for _ in $(seq 100); do [ "$(frames "$T/v$1.frames")" -ge 10 ] && return 0; sleep 0.1; done
  echo "FAIL: no frames"; exit 1
}
net_session_ns h1
cut
n0=$(frames "$T/vh1.frames")
sleep 5
n1=$(frames "$T/vh1.frames")
mend
for _ in $(seq 150); do [ "$(frames "$T/vh1.frames")" -gt $((n1 + 10)) ] && break; sleep 0.1; done
n2=$(frames "$T/vh1.frames")
echo "frames: $n0 at the cut, $n1 after 5 s of cut, $n2 after the link returned"
[ $((n1 - n0)) -le 3 ] || { echo "FAIL: $((n1 - n0)) frames arrived through a cut link"; exit 1; }
[ "$n2" -gt $((n1 + 10)) ] || { echo "FAIL: frames did not flow again"; cat "$T/vh1.err"; exit 1; }
grep -q "^end=" "$T/vh1.out" && { echo "FAIL: the viewer ended"; cat "$T/vh1.out"; exit 1; }
grep -q "ended\|stopped responding" "$T/h1.out" && { echo "FAIL: the host ended"; cat "$T/h1.out"; exit 1; }
echo end >"$T/h1.in"
rc=0
wait "$VPID" || rc=$?
[ $rc -eq 3 ] || { echo "FAIL: viewer exit $rc after the customer's End, want 3"; cat "$T/vh1.out"; exit 1; }

echo "== a 30 s cut (longer than the 20 s silence timeouts)"
net_session_ns h2
SCODE=${CODE// /}
SCODE=${SCODE:0:7} # the relay sees and audits only the first 7 digits
cut
t0=$(date +%s%N)
rc=0
wait "$VPID" || rc=$?
vs=$((($(date +%s%N) - t0) / 1000000))
[ $rc -eq 11 ] && grep -q "^end=host-silent exit=11" "$T/vh2.out" || {
  echo "FAIL: viewer exit $rc, want 11 (host-silent)"; cat "$T/vh2.out" "$T/vh2.err"; exit 1; }
wait_line "The operator stopped responding" "$T/h2.out" 10
hs=$((($(date +%s%N) - t0) / 1000000))
echo "the viewer ended after $vs ms, the host told the customer after $hs ms"
[ $vs -ge 19000 ] && [ $vs -le 25000 ] || { echo "FAIL: viewer timeout ${vs} ms, want 20 s"; exit 1; }
[ $hs -ge 19000 ] && [ $hs -le 25000 ] || { echo "FAIL: host timeout ${hs} ms, want 20 s"; exit 1; }
grep -q "Screen sharing and remote control have stopped" "$T/h2.out" || { echo "FAIL: sharing not said stopped"; exit 1; }
b0=$(metric 'sasae_relay_bytes_total{dir="host_to_viewer"}')
sleep $((30 - hs / 1000))
mend
for _ in $(seq 300); do [ "$(metric sasae_relay_connections)" = 0 ] && break; sleep 0.1; done
[ "$(metric sasae_relay_connections)" = 0 ] || { echo "FAIL: the relay still holds $(metric sasae_relay_connections) connection(s) after the link returned"; exit 1; }
[ "$(metric 'sasae_relay_bytes_total{dir="host_to_viewer"}')" = "$b0" ] || { echo "FAIL: bytes forwarded after the end"; exit 1; }
grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep -q '"event":"end"' || { echo "FAIL: no end record"; cat "$T"/audit/*; exit 1; }
echo "audit: $(grep -h "\"code\":\"$SCODE\"" "$T"/audit/* | grep '"event":"end"')"
echo PASS
