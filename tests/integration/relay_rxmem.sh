#!/usr/bin/env bash
# Receive buffers cost idle connections no RSS: registered hosts each hold a pooled lws
# receive buffer (sasae_relay_rx_buffers) with none of its pages resident, through pings
# and while other pairs forward large messages both ways (lws hands data frames over from
# its shared read buffer); closed connections give their buffers back.
source "$(dirname "$0")/relay_lib.sh"
start_relay --conn-rate 100000 --max-conns-per-addr 100000 --ping-interval 1 --ping-timeout 5

N=30
HPS=()
for i in $(seq 1 $N); do
  $TC host --url "$URL" $CA --timeout 120 > /dev/null 2>&1 &
  HPS+=("$!")
  PIDS+=("$!")
done
for i in $(seq 1 600); do
  [ "$(metric sasae_relay_codes)" = "$N" ] && break
  sleep 0.1
done
[ "$(metric sasae_relay_codes)" = "$N" ] || fail "$N hosts did not register ($(metric sasae_relay_codes))"
sleep 3 # idle: the relay pings after 1 s of silence, the hosts answer

bufs=$(metric sasae_relay_rx_buffers)
res=$(metric sasae_relay_rx_buffer_resident_bytes)
[ -n "$bufs" ] && [ "$bufs" -ge "$N" ] || fail "receive buffers not pooled: rx_buffers=$bufs for $N hosts"
# On the heap the N buffers (16 KiB each by default) would be N * 16 KiB resident.
LIMIT=$((N * 4096 / 4))
[ "$res" -le "$LIMIT" ] || fail "idle receive buffers resident: $res bytes for $N hosts"
pass "$N idle hosts: $bufs pooled receive buffers, $res bytes of them resident"

# Large messages both ways next to the idle hosts; sample the pool while they flow.
$TC pairs --url "$URL" $CA $OP --sessions 2 --msgs 40 --size 300000 --timeout 90 > "$WORK/pairs" &
PP=$!
PIDS+=("$PP")
max=0
while kill -0 "$PP" 2>/dev/null; do
  r=$(metric sasae_relay_rx_buffer_resident_bytes)
  [ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r
  sleep 0.05
done
wait "$PP" || true
grep -q "RESULT ok" "$WORK/pairs" || { cat "$WORK/pairs"; fail "pairs with large messages"; }
[ "$max" -le "$LIMIT" ] || fail "forwarding wrote into receive buffers: $max bytes resident"
pass "2 pairs x 40 x 300 KB both ways: at most $max bytes of receive buffers resident"

kill "${HPS[@]}" 2>/dev/null || true
wait "${HPS[@]}" 2>/dev/null || true
for i in $(seq 1 100); do
  [ "$(metric sasae_relay_rx_buffers)" = 0 ] && break
  sleep 0.1
done
[ "$(metric sasae_relay_rx_buffers)" = 0 ] || fail "buffers not returned: $(metric sasae_relay_rx_buffers)"
[ "$(metric sasae_relay_rx_buffer_resident_bytes)" = 0 ] || fail "returned buffers still resident"
pass "closed connections returned their receive buffers"
stop_relay
