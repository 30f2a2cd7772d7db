#!/usr/bin/env bash
# Hostile input against the real relay: garbage bytes, TLS garbage, non-websocket HTTP,
# huge headers, wrong/missing subprotocol, unknown envelope types, oversize control and
# data messages, a receiver that never reads — the relay stays up, other sessions keep
# flowing and its memory stays bounded.
source "$(dirname "$0")/relay_lib.sh"
start_relay --stuck-timeout 3 --queue-kb 1024 --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000
CAF=$WORK/certs/ca.pem

for i in 1 2 3; do $RAW garbage "$RELAY_PORT" "$CAF" >/dev/null || fail "garbage: relay did not hang up"; done
relay_alive || fail "relay died on garbage"
$RAW tlsgarbage "$RELAY_PORT" "$CAF" >/dev/null || true
relay_alive || fail "relay died on TLS garbage"
pass "garbage bytes (plain and inside TLS)"

$RAW http:/ "$RELAY_PORT" "$CAF" | head -1 | grep -q " 404 " || fail "plain HTTP GET / not 404"
$RAW http:/healthz "$RELAY_PORT" "$CAF" | grep -q "^ok" || fail "/healthz"
$RAW http:/metrics "$RELAY_PORT" "$CAF" | grep -q "^sasae_relay_connections " || fail "/metrics"
$RAW headers "$RELAY_PORT" "$CAF" || fail "64 KiB of headers accepted"
pass "non-websocket HTTP, /healthz, /metrics, oversize headers refused"

$RAW proto:- "$RELAY_PORT" "$CAF" | grep -q "UPGRADE 101" && fail "upgrade without subprotocol accepted"
$RAW proto:chat "$RELAY_PORT" "$CAF" | grep -q "UPGRADE 101" && fail "wrong subprotocol accepted"
$RAW proto:sasae.v1 "$RELAY_PORT" "$CAF" | grep -q "UPGRADE 101" || fail "right subprotocol refused"
pass "wrong or missing subprotocol refused"

$RAW unknown "$RELAY_PORT" "$CAF" || fail "unknown envelope type not answered with ERROR protocol"
$RAW ctl-oversize "$RELAY_PORT" "$CAF" || fail "oversize control message"
$RAW oversize "$RELAY_PORT" "$CAF" "$WORK/certs/alice.pem" "$WORK/certs/alice.key" \
  || fail "2 MiB DATA message not refused with ERROR too big"
relay_alive || fail "relay died"
pass "unknown types and oversize messages"

# A receiver that never reads while its peer floods; meanwhile 20 other sessions flow.
rss0=$(rss_kb "$RELAY_PID")
$RAW noread:20 "$RELAY_PORT" "$CAF" "$WORK/certs/alice.pem" "$WORK/certs/alice.key" > "$WORK/nr" &
NP=$!; PIDS+=("$NP")
sleep 1
$TC pairs --url "$URL" $CA $OP --sessions 20 --msgs 50 --size 20000 --timeout 60 > "$WORK/others" \
  || { cat "$WORK/others"; fail "other sessions stalled behind a stuck receiver"; }
maxrss=0
for i in $(seq 1 40); do
  r=$(rss_kb "$RELAY_PID"); [ "$r" -gt "$maxrss" ] && maxrss=$r
  kill -0 "$NP" 2>/dev/null || break
  sleep 0.5
done
wait "$NP" || { cat "$WORK/nr"; fail "sender not told PEER_LEFT stuck"; }
cat "$WORK/nr"
relay_alive || fail "relay died"
grow=$(( maxrss - rss0 ))
echo "relay RSS: start ${rss0} KiB, max ${maxrss} KiB (+${grow} KiB)"
# ASan keeps freed memory in quarantine (256 MB): RSS says nothing there.
if ldd "$RELAY" | grep libasan >/dev/null; then # (grep -q under pipefail: SIGPIPE to ldd)
  echo "ASan build: RSS bound not checked"
else
  [ "$grow" -lt 65536 ] || fail "RSS grew ${grow} KiB with a stuck receiver"
fi
pass "stuck receiver cut with a reason; others kept flowing; RSS bounded"
stop_relay
