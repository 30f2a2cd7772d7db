#!/usr/bin/env bash
# Relay cluster on loopback: three sasae-relay nodes sharing a Redis directory, with HAProxy
# (TCP passthrough) in front, all started here as child processes with their own config in
# the work dir. Sessions pair across nodes (node-to-node TLS links) and log one session id
# on both nodes; a link without the cluster's certificate is refused; a node killed with
# SIGKILL loses its codes while the others keep working; a draining node lets its sessions
# finish and its health check says so; wrong tries are counted cluster-wide (5 near misses
# spread over the nodes burn a code; the failures per address add up over all nodes).
source "$(dirname "$0")/relay_lib.sh"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null && command -v haproxy >/dev/null ||
  fail "redis-server, redis-cli and haproxy are needed (scripts/setup.sh installs them)"
source "$(dirname "$0")/cluster_lib.sh"

# ---- Redis, as a child process with its own config (no persistence); a port another
# process took between free_port and the start: another one
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
mkdir -p "$WORK/redis"
for try in 1 2 3 4 5; do
  REDIS_PORT=$(free_port)
  cat > "$WORK/redis/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
save ""
appendonly no
dir $WORK/redis
daemonize no
logfile ""
CONF
  redis-server "$WORK/redis/redis.conf" > "$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for i in $(seq 1 50); do
    [ "$(rcli ping 2>/dev/null)" = PONG ] && break
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$REDIS_PID" 2>/dev/null && [ "$(rcli ping 2>/dev/null)" = PONG ]; then PIDS+=("$REDIS_PID"); break; fi
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
done
[ "$(rcli ping 2>/dev/null)" = PONG ] || { cat "$WORK/redis.log"; fail "redis-server did not start"; }

CLUSTER_DIR="cluster-redis = 127.0.0.1:$REDIS_PORT"
start_node 1
start_node 2
start_node 3
for n in 1 2 3; do [ "$(rcli get "sasae:node:n$n")" = "127.0.0.1:${CPORT[$n]}" ] || fail "node $n not live in the directory"; done
pass "three nodes live in the directory"

# ---- sessions paired across nodes, data both ways, one session id in both audit logs
host_on 1 "$WORK/c12" --msgs 20 --size 3000 --timeout 30
H=$HPID
$TC viewer --url "$(url 2)" $CA $OP --code-file "$WORK/c12" --msgs 20 --size 3000 --timeout 30 \
  > "$WORK/v12" 2>&1 || { cat "$WORK/v12"; fail "viewer on node 2 for a host on node 1"; }
wait "$H" || { cat "$WORK/c12.out"; fail "host on node 1 for a viewer on node 2"; }
grep -q "RESULT ok" "$WORK/v12" && grep -q "PAIRED operator=alice org=Test Org" "$WORK/c12.out" ||
  fail "cross-node session: no data or no operator name"
code=$(cat "$WORK/c12")
sid1=$(grep -h '"event":"paired"' "$WORK"/audit1/*.jsonl | grep "\"code\":\"$code\"" | sed -n 's/.*"session":\([0-9]*\).*/\1/p')
sid2=$(grep -h '"event":"paired"' "$WORK"/audit2/*.jsonl | grep "\"code\":\"$code\"" | sed -n 's/.*"session":\([0-9]*\).*/\1/p')
[ -n "$sid1" ] && [ "$sid1" = "$sid2" ] || fail "audit: session id on node 1 '$sid1', on node 2 '$sid2'"
for i in $(seq 1 30); do
  [ "$(cat "$WORK"/audit1/*.jsonl "$WORK"/audit2/*.jsonl | grep -c "\"event\":\"end\".*\"session\":$sid1,")" = 2 ] && break
  sleep 0.1
done
[ "$(cat "$WORK"/audit1/*.jsonl "$WORK"/audit2/*.jsonl | grep -c "\"event\":\"end\".*\"session\":$sid1,")" = 2 ] ||
  fail "audit: no end record for session $sid1 on both nodes"
pass "host on node 1, viewer on node 2: 20 messages each way; session $sid1 in both nodes' audit logs"
# the cluster's figures in /metrics: the directory reachable and timed, the join passed on
# by node 2 and taken by node 1, and the session's 20 x 3000 bytes each way on the link
[ "$(node_metric 2 sasae_relay_cluster_directory_up)" = 1 ] || fail "metrics: directory not up on node 2"
[ "$(node_metric 2 'sasae_relay_cluster_joins_total{dir="forwarded"}')" = 1 ] || fail "metrics: node 2 forwarded no join"
[ "$(node_metric 1 'sasae_relay_cluster_joins_total{dir="accepted"}')" = 1 ] || fail "metrics: node 1 accepted no join"
for n in 1 2; do
  for d in in out; do
    v=$(node_metric $n "sasae_relay_cluster_link_bytes_total{dir=\"$d\"}")
    [ "${v:-0}" -ge 60000 ] || fail "metrics: node $n link bytes $d = $v (want >= 60000)"
  done
done
ops=$(node_metric 2 sasae_relay_cluster_directory_op_seconds_count)
inf=$(node_metric 2 'sasae_relay_cluster_directory_op_seconds_bucket{le="+Inf"}')
[ "${ops:-0}" -gt 0 ] && [ "$ops" = "$inf" ] || fail "metrics: directory latency histogram ($ops calls, +Inf $inf)"
pass "metrics: directory up, $ops timed directory calls on node 2, the join and its link bytes on both nodes"

# 50 sessions at once, host and viewer on different nodes, over all 6 ordered node pairs
PAIRS=(1:2 1:3 2:1 2:3 3:1 3:2)
VP=()
HP=()
for k in $(seq 1 50); do
  pr=${PAIRS[$((k % 6))]}
  a=${pr%:*} b=${pr#*:}
  host_on $a "$WORK/m$k" --msgs 10 --size 20000 --timeout 90
  HP+=("$HPID")
  $TC viewer --url "$(url $b)" $CA $OP --code-file "$WORK/m$k" --msgs 10 --size 20000 --timeout 90 > "$WORK/mv$k" 2>&1 &
  VP+=("$!")
  PIDS+=("$!")
done
for p in "${VP[@]}" "${HP[@]}"; do wait "$p" || fail "a session between two nodes failed"; done
[ "$(grep -l "RESULT ok" "$WORK"/mv* | wc -l)" = 50 ] || fail "not every cross-node session passed"
pass "50 concurrent sessions across nodes (all 6 ordered node pairs), every message through"

# ---- HAProxy in front (TCP passthrough, health check over TLS): hosts and viewers both go
# through it; round robin puts most pairs on different nodes
HA_PORT=$(free_port)
cat > "$WORK/haproxy.cfg" <<CONF
global
    maxconn 2000
defaults
    mode tcp
    timeout connect 5s
    timeout client 120s
    timeout server 120s
frontend sasae
    bind 127.0.0.1:$HA_PORT
    default_backend relays
backend relays
    balance roundrobin
    option httpchk GET /healthz
    server n1 127.0.0.1:${NPORT[1]} check check-ssl verify none inter 500 fall 2 rise 1
    server n2 127.0.0.1:${NPORT[2]} check check-ssl verify none inter 500 fall 2 rise 1
    server n3 127.0.0.1:${NPORT[3]} check check-ssl verify none inter 500 fall 2 rise 1
CONF
haproxy -c -f "$WORK/haproxy.cfg" > "$WORK/haproxy.check" 2>&1 || { cat "$WORK/haproxy.check"; fail "haproxy config"; }
haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
HA_PID=$!
PIDS+=("$HA_PID")
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$HA_PORT) 2>/dev/null && break; sleep 0.1; done
sleep 1 # first health checks
HA_URL="wss://127.0.0.1:$HA_PORT/"
HP=()
VP=()
for k in 1 2 3 4 5 6; do
  rm -f "$WORK/ha$k"
  $TC host --url "$HA_URL" $CA --code-file "$WORK/ha$k" --msgs 10 --size 5000 --timeout 60 > "$WORK/ha$k.out" 2>&1 &
  HP+=("$!"); PIDS+=("$!")
  for i in $(seq 1 100); do [ -s "$WORK/ha$k" ] && break; sleep 0.1; done
  $TC viewer --url "$HA_URL" $CA $OP --code-file "$WORK/ha$k" --msgs 10 --size 5000 --timeout 60 > "$WORK/hav$k" 2>&1 &
  VP+=("$!"); PIDS+=("$!")
done
for p in "${VP[@]}" "${HP[@]}"; do wait "$p" || fail "a session through haproxy failed"; done
kill -0 "$HA_PID" || fail "haproxy died"
pass "6 sessions through haproxy (hosts and viewers both balanced over the three nodes)"

# ---- a node-to-node link from a process without the cluster's certificate is refused
for who in rogue none; do
  certargs=()
  [ $who = rogue ] && certargs=(-cert "$WORK/certs/rogue.pem" -key "$WORK/certs/rogue.key")
  out=$(printf 'GET /via/0000000000000001/3132372e302e302e31/-/616c696365/- HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sasae.v1\r\n\r\n' |
    timeout 10 openssl s_client -quiet -connect "127.0.0.1:${CPORT[1]}" -CAfile "$WORK/certs/cluster-ca.pem" \
      "${certargs[@]}" 2>&1 || true)
  grep -q "101 Switching" <<<"$out" && fail "a link with certificate '$who' was accepted"
done
# the same request with the cluster's certificate is answered (the check above can fail)
out=$(printf 'GET /via/0000000000000001/3132372e302e302e31/-/616c696365/- HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sasae.v1\r\n\r\n' |
  timeout 3 openssl s_client -quiet -connect "127.0.0.1:${CPORT[1]}" -CAfile "$WORK/certs/cluster-ca.pem" \
    -cert "$WORK/certs/node.pem" -key "$WORK/certs/node.key" 2>&1 || true)
grep -q "101 Switching" <<<"$out" || { echo "$out"; fail "a link with the cluster's certificate was not accepted"; }
pass "node-to-node links: a rogue CA's certificate and no certificate are refused"

# ---- SIGKILL node 3: its codes leave the directory, the other nodes keep working
host_on 3 "$WORK/k3" --expect-error 8 --timeout 60
K3=$(cat "$WORK/k3")
host_on 1 "$WORK/k1" --msgs 5 --size 1000 --hold --timeout 60
KH=$HPID
$TC viewer --url "$(url 2)" $CA $OP --code-file "$WORK/k1" --msgs 5 --size 1000 --hold --timeout 60 > "$WORK/kv" 2>&1 &
KV=$!
PIDS+=("$KV")
for i in $(seq 1 100); do grep -q PAIRED "$WORK/kv" && break; sleep 0.1; done
grep -q PAIRED "$WORK/kv" || fail "session 1-2 before the kill did not pair"
[ "$(rcli get "sasae:code:${K3:0:6}")" = n3 ] || fail "node 3's code not in the directory"
t0=$(date +%s%N)
kill -KILL "${NPID[3]}"
wait "${NPID[3]}" 2>/dev/null || true
for i in $(seq 1 100); do [ "$(rcli exists "sasae:code:${K3:0:6}")" = 0 ] && break; sleep 0.1; done
gone_ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(rcli exists "sasae:code:${K3:0:6}")" = 0 ] || fail "node 3's code still in the directory"
[ -z "$(rcli zscore sasae:alive n3)" ] || fail "node 3 still listed"
$TC viewer --url "$(url 1)" $CA $OP --code "$K3" --expect-error 3 --timeout 20 > "$WORK/kv3" 2>&1
grep -q "RESULT ok" "$WORK/kv3" || { cat "$WORK/kv3"; fail "dead node's code was not refused"; }
grep -q "PEER_LEFT" "$WORK/kv" "$WORK/k1.out" && fail "the session on nodes 1 and 2 was disturbed"
host_on 2 "$WORK/k2" --msgs 5 --size 1000 --timeout 30
$TC viewer --url "$(url 1)" $CA $OP --code-file "$WORK/k2" --msgs 5 --size 1000 --timeout 30 > "$WORK/kv2" 2>&1 ||
  { cat "$WORK/kv2"; fail "new session on nodes 2 and 1 after the kill"; }
pass "node 3 killed: its code left the directory in $gone_ms ms and is refused; nodes 1 and 2 undisturbed"

# ---- drain node 2 (SIGTERM): no new registrations, /healthz 503, the running session
# (host on node 1, viewer on node 2) goes on until it ends, then node 2 exits 0
kill -TERM "${NPID[2]}"
for i in $(seq 1 50); do [ "$(health 2)" = 503 ] && break; sleep 0.1; done
st=$(health 2)
[ "$st" = 503 ] || fail "draining node's health check says $st"
$TC host --url "$(url 2)" $CA --timeout 2 > "$WORK/dh" 2>&1 && fail "a draining node took a registration"
grep -q "^CODE" "$WORK/dh" && fail "a draining node issued a code"
grep -q "shutting down\|error=8\|ERROR 8" "$WORK/dh" || { cat "$WORK/dh"; fail "a host at a draining node was not told it is shutting down"; }
sleep 1.5 # HAProxy's check (inter 500, fall 2) has seen the 503 by now
# the balancer sends new customers elsewhere: through it, every registration gets a code,
# from node 1 (node 3 is dead, node 2 draining)
for k in 1 2 3 4; do
  $TC host --url "$HA_URL" $CA --code-file "$WORK/dha$k" --timeout 10 > "$WORK/dha$k.out" 2>&1 &
  DH=$!
  for i in $(seq 1 50); do [ -s "$WORK/dha$k" ] && break; sleep 0.1; done
  [ -s "$WORK/dha$k" ] || { cat "$WORK/dha$k.out"; fail "a registration through the balancer was refused while node 2 drains"; }
  where=$(rcli get "sasae:code:$(head -c 6 "$WORK/dha$k")")
  kill "$DH" 2>/dev/null
  wait "$DH" 2>/dev/null || true
  [ "$where" = n1 ] || fail "the balancer sent a registration to node '$where' (draining or dead)"
done
kill -0 "${NPID[2]}" || fail "node 2 exited with a session still running"
grep -q "PEER_LEFT" "$WORK/kv" "$WORK/k1.out" && fail "draining ended the running session"
kill -TERM "$KV"
wait "$KV" 2>/dev/null || true
for i in $(seq 1 50); do kill -0 "${NPID[2]}" 2>/dev/null || break; sleep 0.1; done
kill -0 "${NPID[2]}" 2>/dev/null && fail "node 2 did not exit once its last session ended"
rc=0; wait "${NPID[2]}" || rc=$?
[ $rc = 0 ] || fail "node 2 exited with $rc after draining"
wait "$KH" 2>/dev/null || true
pass "node 2 drained: health check $st, registration refused, the balancer sent 4 new hosts to node 1, its session ran on until it ended, exit 0"

# ---- wrong tries counted cluster-wide (nodes 2 and 3 back)
start_node 2
start_node 3
host_on 1 "$WORK/b1" --expect-error 13 --timeout 60
BH=$HPID
A=$(cat "$WORK/b1")
check=${A:6:1}
nodes=(2 3 1 2 3)
for i in 1 2 3 4 5; do
  near=${A:0:6}$(((check + i) % 10))
  $TC viewer --url "$(url "${nodes[i-1]}")" $CA $OP --code "$near" --expect-error 3 --timeout 20 > "$WORK/n$i" 2>&1
  grep -q "RESULT ok" "$WORK/n$i" || { cat "$WORK/n$i"; fail "near miss $i on node ${nodes[i-1]}: not ERROR 3"; }
  if [ $i -lt 5 ]; then kill -0 "$BH" 2>/dev/null || fail "host closed after $i near misses"; fi
done
wait "$BH" || { cat "$WORK/b1.out"; fail "5 near misses over nodes 2, 3, 1 did not burn the code"; }
pass "5 near misses spread over the three nodes burn the code"

# failed joins per address are limited across the cluster (max-failed-joins 20 here): 8
# wrong codes on each node from 127.0.0.2
bad=0 rate=0
for n in 1 2 3; do
  RAW_SRC=127.0.0.2 $RAW wrongcodes:8 "${NPORT[$n]}" "$WORK/certs/ca.pem" "$WORK/certs/bob.pem" \
    "$WORK/certs/bob.key" > "$WORK/wc$n" || fail "wrongcodes client on node $n"
  read -r b r o g < <(sed -n 's/WRONGCODES bad_code=\([0-9]*\) rate=\([0-9]*\) other=\([0-9]*\) global=\([0-9]*\)/\1 \2 \3 \4/p' "$WORK/wc$n")
  echo "node $n: $b answered, $r limited"
  bad=$((bad + b)) rate=$((rate + r))
done
[ $bad = 20 ] && [ $rate = 4 ] || fail "cluster-wide limit: $bad answered, $rate limited (want 20 and 4)"
pass "24 wrong codes from one address over three nodes: 20 answered, 4 limited"
for n in 1 2 3; do kill -0 "${NPID[$n]}" || fail "node $n died"; done

# ---- Redis restarted mid-test (no persistence: it comes back empty). A session running
# across nodes 1 and 3 keeps its frames flowing while Redis is down; a registration and a
# join that need the directory are refused at once with words; the nodes reconnect by
# themselves and put their waiting codes back, so a code issued before the restart is
# joinable from another node after it.
host_on 1 "$WORK/rw" --msgs 5 --size 1000 --timeout 60
RWH=$HPID
RW=$(cat "$WORK/rw")
host_on 1 "$WORK/rr" --msgs 120 --size 2000 --pace-ms 50 --timeout 60
RRH=$HPID
$TC viewer --url "$(url 3)" $CA $OP --code-file "$WORK/rr" --msgs 120 --size 2000 --pace-ms 50 --timeout 60 > "$WORK/rrv" 2>&1 &
RRV=$!
PIDS+=("$RRV")
for i in $(seq 1 100); do grep -q PAIRED "$WORK/rrv" && break; sleep 0.1; done
grep -q PAIRED "$WORK/rrv" || fail "session 1-3 before the Redis restart did not pair"
kill -TERM "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
rcli ping > /dev/null 2>&1 && fail "redis still answers after it was stopped"
f0=$(node_metric 1 sasae_relay_messages_forwarded_total)
t0=$(date +%s%N)
$TC host --url "$(url 2)" $CA --expect-error 12 --timeout 10 > "$WORK/rdh" 2>&1 ||
  { cat "$WORK/rdh"; fail "registration while Redis is down: not ERROR 12"; }
reg_ms=$((($(date +%s%N) - t0) / 1000000))
grep -q "directory is unavailable" "$WORK/rdh" || { cat "$WORK/rdh"; fail "registration while Redis is down: no clear words"; }
grep -q "^CODE" "$WORK/rdh" && fail "a code was issued while Redis is down"
$TC viewer --url "$(url 2)" $CA $OP --code "$RW" --expect-error 12 --timeout 10 > "$WORK/rdv" 2>&1 ||
  { cat "$WORK/rdv"; fail "join of another node's code while Redis is down: not ERROR 12"; }
grep -q "directory is unavailable" "$WORK/rdv" || { cat "$WORK/rdv"; fail "join while Redis is down: no clear words"; }
sleep 1
f1=$(node_metric 1 sasae_relay_messages_forwarded_total)
[ "$(node_metric 2 sasae_relay_cluster_directory_up)" = 0 ] || fail "metrics: node 2 says the directory is up while Redis is down"
[ "$(node_metric 2 'sasae_relay_cluster_directory_errors_total{reason="unreachable"}')" -gt 0 ] ||
  fail "metrics: no unreachable-directory errors counted on node 2"
[ "$(node_metric 2 'sasae_relay_cluster_refused_total{reason="directory"}')" -ge 2 ] ||
  fail "metrics: node 2 did not count the registration and join it refused"
[ "$(node_metric 1 'sasae_relay_cluster_sessions{side="holder"}')" = 1 ] &&
  [ "$(node_metric 3 'sasae_relay_cluster_sessions{side="entry"}')" = 1 ] || fail "metrics: the running cross-node session not counted"
[ "${f1:-0}" -gt "${f0:-0}" ] || fail "no frames forwarded while Redis was down ($f0 -> $f1)"
grep -q PEER_LEFT "$WORK/rrv" "$WORK/rr.out" && fail "the running session was disturbed by the Redis outage"
redis-server "$WORK/redis/redis.conf" > "$WORK/redis2.log" 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
t0=$(date +%s%N)
for i in $(seq 1 50); do
  [ "$(rcli zcard sasae:alive 2>/dev/null)" = 3 ] && [ "$(rcli get "sasae:code:${RW:0:6}" 2>/dev/null)" = n1 ] && break
  sleep 0.1
done
back_ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(rcli zcard sasae:alive)" = 3 ] || fail "the nodes did not come back into the restarted Redis"
[ "$(rcli get "sasae:code:${RW:0:6}")" = n1 ] || fail "node 1 did not put its waiting code back after the restart"
$TC viewer --url "$(url 2)" $CA $OP --code "$RW" --msgs 5 --size 1000 --timeout 30 > "$WORK/rwv" 2>&1 ||
  { cat "$WORK/rwv"; fail "a code issued before the restart could not be joined from node 2 after it"; }
wait "$RWH" || { cat "$WORK/rw.out"; fail "host of the pre-restart code"; }
wait "$RRV" || { cat "$WORK/rrv"; fail "the session running across the Redis restart (viewer)"; }
wait "$RRH" || { cat "$WORK/rr.out"; fail "the session running across the Redis restart (host)"; }
host_on 3 "$WORK/ra" --msgs 5 --size 1000 --timeout 30
$TC viewer --url "$(url 1)" $CA $OP --code-file "$WORK/ra" --msgs 5 --size 1000 --timeout 30 > "$WORK/rav" 2>&1 ||
  { cat "$WORK/rav"; fail "new cross-node session after the Redis restart"; }
pass "Redis restarted: the running session went on (frames $f0 -> $f1 while down), registration refused with words in $reg_ms ms, nodes and a waiting code back in $back_ms ms"
for n in 1 2 3; do kill -0 "${NPID[$n]}" || fail "node $n died"; done
