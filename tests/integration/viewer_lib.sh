# Helpers for the viewer's end-to-end tests (sourced): demo certificates, a relay on a free
# loopback port, hosts with the synthetic source answering consent on a fifo, and waits.
# Needs $SASAE_BIN. Sets T (scratch dir), C (certs), URL, RPID; keeps PIDS for cleanup.
B=${B:-$SASAE_BIN}
T=$(mktemp -d /tmp/viewer-e2e.XXXXXX)
PIDS=()
. "$SASAE_SRC/tests/integration/proc_lib.sh"
# Stops what the test left running, checks how every process ended and the logs for
# sanitizer reports (proc_lib.sh), keeps the test's exit status unless that finds a fault.
# reap_all: stops and checks every process in PIDS (a test may call it before stopping its
# X server); cleanup calls it too.
reap_all() {
  local p i
  # newest first: a viewer stopped after its relay would end on its own ("connection lost")
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    p=${PIDS[i]}
    if [ -n "${HPID:-}" ] && [ "$p" = "$HPID" ]; then
      proc_reap_unrelated "$p" sasae-host # script's child, not ours
    else
      proc_reap "$p" "$(ps -o comm= -p "$p" 2>/dev/null || echo process)"
    fi
  done
  PIDS=()
}
cleanup() {
  local rc=$?
  set +e
  reap_all
  proc_scan_logs "$T"
  rc=$(proc_status "$rc")
  rm -rf "$T"
  exit "$rc"
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

# tty_host_start NAME ARGS...: starts it and returns at once (TTY_SPID: the script process),
# for a host that is to be refused before it gets a code.
tty_host_start() {
  local name=$1
  shift
  mkfifo "$T/$name.in"
  sleep 600 >"$T/$name.in" &
  PIDS+=($!)
  # exec: script runs the command through $SHELL (dash when unset, as under CI), and the
  # host must be script's own child so that HPID signals the host, not a shell.
  script -qfec "exec $(printf '%q ' "$B/host/sasae-host" --relay "$URL" --relay-ca "$C/ca.pem" \
    --org-ca "$C/ca.pem" --state-dir "$T/hoststate" --consent tty \
    --no-proxy "$@")" /dev/null <"$T/$name.in" >"$T/$name.out" 2>&1 &
  TTY_SPID=$!
  PIDS+=($TTY_SPID)
}

# tty_host NAME ARGS...: sasae-host ARGS with --consent tty on a pseudo-terminal (it refuses
# answers from a pipe), the test typing the customer's answers into $T/NAME.in; output in
# $T/NAME.out. Sets HPID (the host itself) and CODE.
tty_host() {
  local name=$1
  tty_host_start "$@"
  local spid=$TTY_SPID
  wait_line "support code: [0-9]" "$T/$name.out"
  HPID=$(ps -o pid= --ppid $spid | head -1 | tr -d ' ')
  PIDS+=($HPID)
  CODE=$(grep -o "support code: [0-9 ]*" "$T/$name.out" | head -1 | sed 's/support code: //')
}

# start_host NAME: a host with the synthetic 640x480 source and no display (it must not
# inject input into the test's X server).
start_host() {
  local d=${DISPLAY:-}
  unset DISPLAY
  tty_host "$1" --source synthetic --size 640x480
  [ -n "$d" ] && export DISPLAY=$d
  true
}

viewer() { # OUT ARGS...
  local out=$1
  shift
  "$B/viewer/sasae-viewer" --headless --relay "$URL" --relay-ca "$C/ca.pem" --cert "$OPC" \
    --key "$OPK" "$@" >"$T/$out.out" 2>"$T/$out.err" &
  VPID=$!
  PIDS+=($VPID)
}

