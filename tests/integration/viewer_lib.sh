# Helpers for the viewer's end-to-end tests (sourced): demo certificates, a relay on a free
# loopback port, hosts with the synthetic source answering consent on a fifo, and waits.
# Needs $SASAE_BIN. Sets T (scratch dir), C (certs), URL, RPID; keeps PIDS for cleanup.
B=${B:-$SASAE_BIN}
T=$(mktemp -d /tmp/viewer-e2e.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

wait_line() { # PATTERN FILE [SECONDS]
  for _ in $(seq $((${3:-30} * 10))); do
    grep -q -- "$1" "$2" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timeout waiting for '$1' in $2:"; cat "$2"; return 1
}

C=$T/certs
"$B/relay/certs/sasae-certs" --dir "$C" init-ca --org "Viewer Test Desk" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-operator --name "Vera Viewer" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-relay --host 127.0.0.1 >/dev/null
OPC=$C/operators/vera-viewer.pem OPK=$C/operators/vera-viewer.key

# A free port: the relay reports the one it got.
PORT=
for try in $(seq 20); do
  P=$((20000 + ($$ * 7 + try * 13) % 30000))
  "$B/relay/server/sasae-relay" --port $P --cert "$C/relay.pem" --key "$C/relay.key" \
    --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" >"$T/relay.log" 2>&1 &
  RPID=$!
  for _ in $(seq 50); do
    grep -q "sasae-relay ready" "$T/relay.log" && break
    kill -0 $RPID 2>/dev/null || break
    sleep 0.1
  done
  if grep -q "sasae-relay ready" "$T/relay.log"; then PORT=$P; PIDS+=($RPID); break; fi
  wait $RPID 2>/dev/null || true
done
[ -n "$PORT" ] || { echo "relay did not start"; cat "$T/relay.log"; exit 1; }
URL=wss://127.0.0.1:$PORT/

# start_host NAME: a host with the synthetic source answering consent on a fifo.
start_host() {
  mkfifo "$T/$1.in"
  sleep 600 >"$T/$1.in" &
  PIDS+=($!)
  # No display: the synthetic host must not inject input into the test's X server.
  env -u DISPLAY "$B/host/sasae-host" --relay "$URL" --relay-ca "$C/ca.pem" --org-ca "$C/ca.pem" \
    --crl "$C/crl.pem" --state-dir "$T/hoststate" --source synthetic --size 640x480 \
    --consent tty --no-proxy <"$T/$1.in" >"$T/$1.out" 2>&1 &
  HPID=$!
  PIDS+=($HPID)
  wait_line "support code: [0-9]" "$T/$1.out"
  CODE=$(grep -o "support code: [0-9 ]*" "$T/$1.out" | head -1 | sed 's/support code: //')
}

viewer() { # OUT ARGS...
  local out=$1
  shift
  "$B/viewer/sasae-viewer" --headless --relay "$URL" --relay-ca "$C/ca.pem" --cert "$OPC" \
    --key "$OPK" "$@" >"$T/$out.out" 2>"$T/$out.err" &
  VPID=$!
  PIDS+=($VPID)
}

