#!/usr/bin/env bash
# HTTP CONNECT proxy with Basic auth: a real tinyproxy on loopback; the right password
# (explicit and via $https_proxy) gets through, a wrong one is refused.
source "$(dirname "$0")/relay_lib.sh"
command -v tinyproxy >/dev/null || fail "tinyproxy not installed (scripts/setup.sh)"
start_relay --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000
PPORT=$(free_port)
cat > "$WORK/tinyproxy.conf" <<CONF
Port $PPORT
Listen 127.0.0.1
Timeout 60
MaxClients 50
Allow 127.0.0.1
BasicAuth helpdesk s3cret
ConnectPort $RELAY_PORT
LogLevel Info
LogFile "$WORK/tinyproxy.log"
PidFile "$WORK/tinyproxy.pid"
CONF
tinyproxy -d -c "$WORK/tinyproxy.conf" > "$WORK/tinyproxy.out" 2>&1 &
PIDS+=("$!")
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$PPORT) 2>/dev/null && break; sleep 0.1; done

$TC pairs --url "$URL" $CA $OP --proxy "http://helpdesk:s3cret@127.0.0.1:$PPORT" \
  --sessions 2 --msgs 5 --size 300000 --timeout 60 | grep -q "RESULT ok" || fail "through the proxy"
grep -q "CONNECT" "$WORK/tinyproxy.log" || fail "traffic did not go through tinyproxy"
pass "CONNECT proxy with Basic auth, both directions, 300 KB messages"

https_proxy="http://helpdesk:s3cret@127.0.0.1:$PPORT" $TC pairs --url "$URL" $CA $OP --env-proxy \
  --sessions 1 --msgs 2 --timeout 60 | grep -q "RESULT ok" || fail "via \$https_proxy"
pass "\$https_proxy honoured"

# $http_proxy is for http:// URLs (as in curl): a wss:// client ignores it, with or without
# --env-proxy, and a dead proxy there must not stop a direct connection.
http_proxy="http://127.0.0.1:1" HTTP_PROXY="http://127.0.0.1:1" $TC pairs --url "$URL" $CA $OP \
  --sessions 1 --msgs 2 --timeout 30 | grep -q "RESULT ok" || fail "\$http_proxy followed without --env-proxy"
http_proxy="http://127.0.0.1:1" $TC pairs --url "$URL" $CA $OP --env-proxy \
  --sessions 1 --msgs 2 --timeout 30 | grep -q "RESULT ok" || fail "\$http_proxy followed for wss://"
pass "\$http_proxy ignored for wss:// (direct connection)"

$TC host --url "$URL" $CA --proxy "http://helpdesk:wrong@127.0.0.1:$PPORT" --expect-end 4 \
  --timeout 20 | grep -q "RESULT ok" || fail "wrong proxy password not refused"
$TC host --url "$URL" $CA --proxy "http://127.0.0.1:$PPORT" --expect-end 4 --timeout 20 \
  | grep -q "RESULT ok" || fail "missing proxy credentials not refused"
pass "wrong or missing proxy password refused"
stop_relay
