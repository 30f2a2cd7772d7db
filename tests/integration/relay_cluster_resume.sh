#!/usr/bin/env bash
# Relay cluster: a node dies under a sharing session, and the real host and headless viewer
# resume through the balancer on the surviving nodes within 10 s, without a new prompt
# (docs/security.md "Relay loss and re-consent"). Three nodes, Redis and HAProxy as child
# processes. HAProxy sends hosts to the first live node of (1, 2) and viewers to the first of
# (3, 1), so the session starts across nodes 1 (host) and 3 (viewer); node 1 is killed with
# SIGKILL; the host comes back through node 2 while the viewer's node 3 is still alive: the
# two presentations of the resume ticket meet across nodes through the directory. A second
# session on nodes 2 and 3 is not disturbed.
set -euo pipefail
. "$(dirname "$0")/viewer_lib.sh"
set +e
WORK=$T
RELAY=$B/relay/server/sasae-relay
fail() {
  echo "FAIL: $*" >&2
  for f in h1.out v1.out v1.err node1.log node2.log node3.log; do
    [ -f "$T/$f" ] && { echo "--- $f" >&2; tail -15 "$T/$f" >&2; }
  done
  [ -n "${KEEP_DEBUG:-}" ] && cp -r "$T" "$KEEP_DEBUG"
  exit 1
}
pass() { echo "ok: $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for t in redis-server redis-cli haproxy; do command -v $t >/dev/null || fail "$t is needed (scripts/setup.sh)"; done
set -e
. "$(dirname "$0")/cluster_lib.sh"

REDIS_PORT=$(free_port)
mkdir -p "$T/redis"
printf 'bind 127.0.0.1\nport %s\nsave ""\nappendonly no\ndir %s\ndaemonize no\nlogfile ""\n' \
  "$REDIS_PORT" "$T/redis" > "$T/redis/redis.conf"
redis-server "$T/redis/redis.conf" > "$T/redis.log" 2>&1 &
PIDS+=($!)
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
for i in $(seq 1 50); do [ "$(rcli ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
CLUSTER_DIR="cluster-redis = 127.0.0.1:$REDIS_PORT"
start_node 1
start_node 2
start_node 3

HH=$(free_port)
HV=$(free_port)
cat > "$T/haproxy.cfg" <<CONF
global
    maxconn 200
defaults
    mode tcp
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 2
    option redispatch
frontend hosts
    bind 127.0.0.1:$HH
    default_backend hosts
frontend viewers
    bind 127.0.0.1:$HV
    default_backend viewers
backend hosts
    balance first
    option httpchk GET /healthz
    server n1 127.0.0.1:${NPORT[1]} check check-ssl verify none inter 300 fall 2 rise 1
    server n2 127.0.0.1:${NPORT[2]} check check-ssl verify none inter 300 fall 2 rise 1
backend viewers
    balance first
    option httpchk GET /healthz
    server n3 127.0.0.1:${NPORT[3]} check check-ssl verify none inter 300 fall 2 rise 1
    server n1 127.0.0.1:${NPORT[1]} check check-ssl verify none inter 300 fall 2 rise 1
CONF
haproxy -db -f "$T/haproxy.cfg" > "$T/haproxy.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$HV) 2>/dev/null && break; sleep 0.1; done
sleep 1 # first health checks

count() { local n; n=$(grep -c -- "$1" "$2" 2>/dev/null) || true; echo "${n:-0}"; }
frames() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null) || true; echo "${n:-0}"; }
sharing() { # NAME VIEWER HOST_URL VIEWER_URL: a host, its viewer, allowed and streaming
  local h=$1 v=$2
  URL=$3
  start_host "$h"
  eval "${h}_PID=$HPID"
  URL=$4
  viewer "$v" --code "$CODE" --frame-log "$T/$v.frames"
  eval "${v}_PID=$VPID"
  wait_line "Allow? \[y/N\]" "$T/$h.out"
  echo y >"$T/$h.in"
  wait_line "^state=viewing" "$T/$v.out"
  for _ in $(seq 100); do [ "$(frames "$T/$v.frames")" -ge 20 ] && break; sleep 0.1; done
}
sharing h1 v1 "wss://127.0.0.1:$HH/" "wss://127.0.0.1:$HV/"
sharing h2 v2 "wss://127.0.0.1:${NPORT[2]}/" "wss://127.0.0.1:${NPORT[3]}/"
grep -q '"event":"register"' "$T"/audit1/*.jsonl || fail "the balanced host is not on node 1"
grep -q '"event":"join".*"result":"forwarded"' "$T"/audit3/*.jsonl || fail "the balanced viewer did not join from node 3"
pass "two sessions: host 1 / viewer 3 through HAProxy, host 2 / viewer 3 direct"

nf1=$(frames "$T/v1.frames")
nf2=$(frames "$T/v2.frames")
t0=$(date +%s%N)
kill -KILL "${NPID[1]}"
wait "${NPID[1]}" 2>/dev/null || true
wait_line "Reconnected; sharing continues with Vera Viewer" "$T/h1.out" 10 || fail "the host did not resume within 10 s"
for _ in $(seq 100); do [ "$(frames "$T/v1.frames")" -ge $((nf1 + 10)) ] && break; sleep 0.1; done
ms=$((($(date +%s%N) - t0) / 1000000))
nf1b=$(frames "$T/v1.frames")
[ "$nf1b" -ge $((nf1 + 10)) ] || { cat "$T/v1.err"; fail "frames did not flow again ($nf1 -> $nf1b)"; }
[ "$ms" -le 10000 ] || fail "resumed only after $ms ms"
[ "$(count "Allow?" "$T/h1.out")" = 1 ] || { cat "$T/h1.out"; fail "the customer was asked again"; }
grep -q '"event":"register"\|"event":"resume"' "$T"/audit2/*.jsonl || fail "the host did not come back through node 2"
grep -q '"event":"resume".*"result":"forwarded"' "$T"/audit2/*.jsonl "$T"/audit3/*.jsonl ||
  fail "the two presentations did not meet across nodes"
grep -h '"event":"paired"' "$T"/audit2/*.jsonl "$T"/audit3/*.jsonl | grep -q '"result":"resumed"' ||
  fail "no resumed pairing in the audit logs"
pass "node 1 killed: host (now node 2) and viewer (node 3) resumed across nodes in $ms ms, frames $nf1 -> $nf1b, no new prompt"
grep -q "Reconnecting" "$T/h2.out" && fail "the session on nodes 2 and 3 was disturbed"
[ "$(frames "$T/v2.frames")" -gt "$nf2" ] || fail "the session on nodes 2 and 3 stopped"
pass "the session on nodes 2 and 3 went on undisturbed"
for p in "h1 v1" "h2 v2"; do
  set -- $p
  echo end >"$T/$1.in"
  rc=0
  eval "wait \$${2}_PID" || rc=$?
  [ $rc -eq 3 ] || { cat "$T/$2.err"; fail "$2 exit $rc after the customer's End, want 3"; }
done
pass "both sessions ended by the customer's End"
