#!/usr/bin/env bash
# Relay cluster whose directory is a Redis master with a replica, watched by three Redis
# Sentinels (quorum 2), all started here as child processes on loopback. The nodes are given
# only the Sentinels (cluster-redis lists them, cluster-sentinel-master names the master).
# The master is killed with SIGKILL mid-test: the Sentinels promote the replica, the nodes
# find it through them by themselves, registrations are refused with words until then (never
# a hang) and work again after; a session running across nodes goes on throughout; a code
# issued before the failover stays joinable from another node after it.
source "$(dirname "$0")/relay_lib.sh"
for t in redis-server redis-cli redis-sentinel; do
  command -v $t >/dev/null || fail "$t is needed (scripts/setup.sh installs redis-server and redis-sentinel)"
done
source "$(dirname "$0")/cluster_lib.sh"

# ---- the directory: master, replica, three Sentinels
rcli() { local p=$1; shift; redis-cli -h 127.0.0.1 -p "$p" "$@"; }
redis_conf() { # redis_conf NAME PORT [extra line]
  printf 'bind 127.0.0.1\nport %s\nprotected-mode yes\nsave ""\nappendonly no\ndir %s\ndaemonize no\nlogfile ""\n%s\n' \
    "$2" "$WORK/$1" "${3:-}" > "$WORK/$1/conf"
}
replica_conf() { redis_conf "$1" "$2" "replicaof 127.0.0.1 $M_PORT"; }
sentinel_conf() {
  cat > "$WORK/$1/conf" <<CONF
bind 127.0.0.1
port $2
daemonize no
logfile ""
dir $WORK/$1
sentinel monitor sasae 127.0.0.1 $M_PORT 2
sentinel down-after-milliseconds sasae 1000
sentinel failover-timeout sasae 5000
sentinel parallel-syncs sasae 1
CONF
}
# redis_up NAME PROGRAM WRITE_CONF: PROGRAM on a free port (WRITE_CONF NAME PORT writes its
# config), up when it answers as itself; a port another test took between the choice and
# the bind gets a new one, as start_node does. Sets UP_PORT and UP_PID.
redis_up() {
  local name=$1 prog=$2 write=$3 p pid i
  mkdir -p "$WORK/$name"
  for _ in 1 2 3 4 5; do
    p=$(free_port)
    "$write" "$name" "$p"
    "$prog" "$WORK/$name/conf" > "$WORK/$name.log" 2>&1 &
    pid=$!
    for i in $(seq 1 100); do
      if [ "$(rcli "$p" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" = "$pid" ]; then
        UP_PORT=$p UP_PID=$pid
        PIDS+=("$pid")
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  tail -n 5 "$WORK/$name.log" >&2
  fail "$name did not start"
}
redis_up master redis-server redis_conf
M_PORT=$UP_PORT M_PID=$UP_PID
redis_up replica redis-server replica_conf
R_PORT=$UP_PORT
for i in $(seq 1 100); do
  rcli "$R_PORT" info replication 2>/dev/null | grep -q "master_link_status:up" && break
  sleep 0.1
done
rcli "$R_PORT" info replication | grep -q "master_link_status:up" || fail "the replica did not follow the master"
S_PORTS=()
for s in 1 2 3; do
  redis_up "sentinel$s" redis-sentinel sentinel_conf
  S_PORTS+=("$UP_PORT")
done
# the Sentinels must know the replica and each other before a failover can be voted (about
# 2 s: hellos go out every 2 s; a loaded machine gets a deadline, not a count of tries)
sentinel_state() { # sentinel_state PORT: "other-sentinels slaves flags"
  rcli "$1" sentinel master sasae 2>/dev/null |
    awk 'k == "num-other-sentinels" {o = $0} k == "num-slaves" {s = $0} k == "flags" {f = $0} {k = $0}
         END {print o + 0, s + 0, f}'
}
t_s=$(date +%s)
while :; do
  ok=1
  for p in "${S_PORTS[@]}"; do
    [ "$(sentinel_state "$p" | cut -d' ' -f1-2)" = "2 1" ] || ok=0
  done
  [ $ok = 1 ] && break
  [ $(($(date +%s) - t_s)) -lt 60 ] || break
  sleep 0.2
done
if [ $ok != 1 ]; then
  for s in 1 2 3; do
    echo "--- Sentinel $s (:${S_PORTS[s - 1]}): other Sentinels, replicas, flags: $(sentinel_state "${S_PORTS[s - 1]}")" >&2
    tail -n 8 "$WORK/sentinel$s.log" >&2
  done
  fail "the Sentinels did not find the replica and each other within 60 s"
fi
master_port() { rcli "${S_PORTS[0]}" sentinel get-master-addr-by-name sasae | sed -n 2p; }
[ "$(master_port)" = "$M_PORT" ] || fail "Sentinel names $(master_port) as master, not $M_PORT"
pass "master :$M_PORT, replica :$R_PORT, three Sentinels that know them and each other"

CLUSTER_DIR="cluster-redis = 127.0.0.1:${S_PORTS[0]},127.0.0.1:${S_PORTS[1]},127.0.0.1:${S_PORTS[2]}
cluster-sentinel-master = sasae"
start_node 1
start_node 2
start_node 3
for n in 1 2 3; do
  [ "$(rcli "$M_PORT" get "sasae:node:n$n")" = "127.0.0.1:${CPORT[$n]}" ] || fail "node $n not live in the directory"
done
grep -q "master of sasae" "$WORK/node1.log" || fail "node 1 did not log the master it found through Sentinel"
host_on 1 "$WORK/c0" --msgs 5 --size 1000 --timeout 30
$TC viewer --url "$(url 2)" $CA $OP --code-file "$WORK/c0" --msgs 5 --size 1000 --timeout 30 > "$WORK/v0" 2>&1 ||
  { cat "$WORK/v0"; fail "cross-node session before the failover"; }
pass "three nodes found the master through the Sentinels; a cross-node session works"

# ---- a waiting code and a running cross-node session, then the master dies
host_on 1 "$WORK/w" --msgs 5 --size 1000 --timeout 90
WH=$HPID
W=$(cat "$WORK/w")
for i in $(seq 1 50); do [ "$(rcli "$R_PORT" get "sasae:code:${W:0:6}")" = n1 ] && break; sleep 0.1; done
host_on 1 "$WORK/r" --msgs 200 --size 2000 --pace-ms 50 --timeout 90
RH=$HPID
$TC viewer --url "$(url 2)" $CA $OP --code-file "$WORK/r" --msgs 200 --size 2000 --pace-ms 50 --timeout 90 > "$WORK/rv" 2>&1 &
RV=$!
PIDS+=("$RV")
for i in $(seq 1 100); do grep -q PAIRED "$WORK/rv" && break; sleep 0.1; done
grep -q PAIRED "$WORK/rv" || fail "the running session did not pair"
t0=$(date +%s%N)
kill -KILL "$M_PID"
wait "$M_PID" 2>/dev/null || true
# register on node 2 until it works: every refusal must be quick and in words
# (a Sentinel that finds the machine too slow enters TILT for 30 s before it acts: allow 45 s)
refused=0 ok=0
while [ $((($(date +%s%N) - t0) / 1000000)) -lt 45000 ]; do
  rm -f "$WORK/f"
  ts=$(date +%s%N)
  $TC host --url "$(url 2)" $CA --code-file "$WORK/f" --msgs 5 --size 1000 --timeout 30 > "$WORK/f.out" 2>&1 &
  FH=$!
  PIDS+=("$FH")
  for j in $(seq 1 50); do [ -s "$WORK/f" ] && break; kill -0 "$FH" 2>/dev/null || break; sleep 0.1; done
  if [ -s "$WORK/f" ]; then ok=1; break; fi
  wait "$FH" 2>/dev/null || true
  grep -q "error=12 .*directory is unavailable" "$WORK/f.out" ||
    { cat "$WORK/f.out"; fail "a registration during the failover was not refused with words"; }
  [ $((($(date +%s%N) - ts) / 1000000)) -lt 3000 ] || fail "a refused registration took over 3 s"
  refused=$((refused + 1))
  sleep 0.3
done
fail_ms=$((($(date +%s%N) - t0) / 1000000))
[ $ok = 1 ] || { tail -n 20 "$WORK"/sentinel1.log; fail "no registration worked within $fail_ms ms of the master's death"; }
[ "$(master_port)" = "$R_PORT" ] || fail "Sentinel names $(master_port), not the promoted replica $R_PORT"
grep -q PEER_LEFT "$WORK/rv" "$WORK/r.out" && fail "the failover disturbed the running session"
# every node reaches the new master within a heartbeat or two of the promotion
for n in 1 2 3; do
  for i in $(seq 1 30); do grep -q "reachable again: redis 127.0.0.1:$R_PORT" "$WORK/node$n.log" && break; sleep 0.1; done
  grep -q "reachable again: redis 127.0.0.1:$R_PORT" "$WORK/node$n.log" || fail "node $n did not find the new master"
  for i in $(seq 1 30); do [ "$(rcli "$R_PORT" exists "sasae:node:n$n")" = 1 ] && break; sleep 0.1; done
  [ "$(rcli "$R_PORT" exists "sasae:node:n$n")" = 1 ] || fail "node $n not live in the new master"
done
back_ms=$((($(date +%s%N) - t0) / 1000000))
$TC viewer --url "$(url 3)" $CA $OP --code-file "$WORK/f" --msgs 5 --size 1000 --timeout 30 > "$WORK/fv" 2>&1 ||
  { cat "$WORK/fv"; fail "a session registered after the failover (host node 2, viewer node 3)"; }
wait "$FH" || { cat "$WORK/f.out"; fail "host registered after the failover"; }
[ "$(rcli "$R_PORT" get "sasae:code:${W:0:6}")" = n1 ] || fail "the code issued before the failover is not in the new master"
$TC viewer --url "$(url 3)" $CA $OP --code "$W" --msgs 5 --size 1000 --timeout 30 > "$WORK/wv" 2>&1 ||
  { cat "$WORK/wv"; fail "a code issued before the failover could not be joined from node 3"; }
wait "$WH" || { cat "$WORK/w.out"; fail "host of the code issued before the failover"; }
wait "$RV" || { cat "$WORK/rv"; fail "the session running across the failover (viewer)"; }
wait "$RH" || { cat "$WORK/r.out"; fail "the session running across the failover (host)"; }
pass "master killed: registrations refused with words $refused times, working again after $fail_ms ms on the promoted replica, all nodes on it after $back_ms ms; the running session and a code issued before went on"
for n in 1 2 3; do kill -0 "${NPID[$n]}" || fail "node $n died"; done
