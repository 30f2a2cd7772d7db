#!/usr/bin/env bash
# The main job: a complete local support session on embedded defaults.
#
# Creates (once) a demo organisation CA, an operator certificate and a relay certificate in a
# state directory, starts sasae-relay on 127.0.0.1, sasae-host on this X display (or on a
# private Xvfb with a small desktop when there is none) and sasae-viewer with the support
# code passed along. The customer side asks for consent: in a window on a real display, on
# this terminal otherwise. Ctrl-C ends the session (as the customer's End button would) and
# stops everything.
#
# Options: --headless-viewer  decode in the terminal instead of opening the viewer window
#          --no-build         use the binaries in $SASAE_BIN (default build/) as they are
#          --lang en|ja       UI language (default: from the locale)
# Environment: SASAE_DEMO_DIR (state directory, default ~/.local/state/sasae-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

headless_viewer=0 build=1 lang=""
while [ $# -gt 0 ]; do
  case "$1" in
    --headless-viewer) headless_viewer=1 ;;
    --no-build) build=0 ;;
    --lang) lang=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$lang" ] && export SASAE_LANG=$lang

if [ $build = 1 ]; then
  scripts/setup.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" >/dev/null
fi
B=${SASAE_BIN:-$SRC/build}
STATE=${SASAE_DEMO_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/sasae-demo}
mkdir -p "$STATE/logs"
chmod 700 "$STATE"
LOGS=$STATE/logs
say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }

# Everything but the host runs in its own session (setsid), so Ctrl-C on this terminal
# reaches only the host, which ends remote support as the customer's End button does
# (capture stops, END is sent to the viewer); the rest is stopped after it.
PIDS=() hpid=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$hpid" ]; then
    kill -TERM "$hpid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$hpid" 2>/dev/null || break; sleep 0.1; done
    sleep 0.5 # lets the viewer read the END before its relay goes away
  fi
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $hpid "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  say "stopped. Logs: $LOGS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Demo certificates (made once; sasae-certs refuses to overwrite them).
CERTS=$STATE/certs
if [ ! -f "$CERTS/ca.pem" ]; then
  say "creating the demo organisation CA, an operator and a relay certificate in $CERTS"
  "$B/relay/certs/sasae-certs" --dir "$CERTS" init-ca --org "Demo Help Desk" >/dev/null
  "$B/relay/certs/sasae-certs" --dir "$CERTS" issue-operator --name "Demo Operator" >/dev/null
  "$B/relay/certs/sasae-certs" --dir "$CERTS" issue-relay --host 127.0.0.1 --host localhost >/dev/null
fi
# re-signed at every start: valid 24 h; the relay serves it and the host refuses to show a
# code without a current one
"$B/relay/certs/sasae-certs" --dir "$CERTS" crl >/dev/null

# wait_for PATTERN FILE SECONDS PID: waits for a line, failing early if PID died.
wait_for() {
  for _ in $(seq $(($3 * 10))); do
    grep -q -- "$1" "$2" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || break
    sleep 0.1
  done
  grep -q -- "$1" "$2" 2>/dev/null && return 0
  echo "demo: gave up waiting for '$1'; last lines of $2:" >&2
  tail -n 20 "$2" >&2
  return 1
}

# 2. The relay on 127.0.0.1, on the first free port from 8443.
PORT=""
for P in $(seq 8443 8463); do
  setsid "$B/relay/server/sasae-relay" --listen 127.0.0.1 --port "$P" --cert "$CERTS/relay.pem" \
    --key "$CERTS/relay.key" --operator-ca "$CERTS/ca.pem" --crl "$CERTS/crl.pem" \
    --audit-dir "$STATE/audit" >"$LOGS/relay.log" 2>&1 &
  rpid=$!
  if wait_for "sasae-relay ready" "$LOGS/relay.log" 10 $rpid 2>/dev/null; then
    PIDS+=($rpid) PORT=$P
    break
  fi
  wait $rpid 2>/dev/null || true
done
[ -n "$PORT" ] || { echo "demo: the relay did not start:" >&2; cat "$LOGS/relay.log" >&2; exit 1; }
URL=wss://127.0.0.1:$PORT/
say "relay listening on $URL (audit log in $STATE/audit)"

# 3. The customer's display: this one, or a private Xvfb with a desktop to look at.
own_display=0
if [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; then
  HOST_DISPLAY=$DISPLAY
else
  own_display=1
  for n in $(seq 70 99); do [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || break; done
  HOST_DISPLAY=:$n
  # -noreset: without it the server resets (and loses the background) when xsetroot leaves
  setsid Xvfb "$HOST_DISPLAY" -screen 0 1280x800x24 -nolisten tcp -noreset >"$LOGS/xvfb.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do DISPLAY=$HOST_DISPLAY xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
  DISPLAY=$HOST_DISPLAY xsetroot -solid '#2f5f8f' 2>/dev/null || true
  DISPLAY=$HOST_DISPLAY setsid xterm -geometry 80x24+60+60 -fa 'DejaVu Sans Mono' -fs 11 \
    -T "customer's terminal" -e top >/dev/null 2>&1 &
  PIDS+=($!)
  DISPLAY=$HOST_DISPLAY setsid xclock -geometry 200x200+900+80 -update 1 >/dev/null 2>&1 &
  PIDS+=($!)
  say "no usable display: the customer's desktop is a private Xvfb on $HOST_DISPLAY"
fi

# 4. The host. With a display of its own the consent prompt is a window; with the private
#    Xvfb nobody could click it, so the customer answers on this terminal instead.
consent=gui
[ $own_display = 1 ] && consent=tty
HOST_ARGS=(--relay "$URL" --relay-ca "$CERTS/ca.pem" --org-ca "$CERTS/ca.pem"
  --state-dir "$STATE/host" --display "$HOST_DISPLAY"
  --consent "$consent" --no-proxy)

start_viewer() { # waits for the code in the host's output, then starts the viewer
  wait_for "support code: [0-9]" "$LOGS/host.log" 30 "$1" || return 1
  CODE=$(grep -o "support code: [0-9 ]*[0-9]" "$LOGS/host.log" | head -n 1 | sed 's/support code: //')
  say "support code $CODE: starting the operator's viewer"
  V_ARGS=(--relay "$URL" --relay-ca "$CERTS/ca.pem" --cert "$CERTS/operators/demo-operator.pem"
    --key "$CERTS/operators/demo-operator.key" --code "$CODE")
  if [ $headless_viewer = 1 ] || [ $own_display = 1 ]; then
    setsid "$B/viewer/sasae-viewer" --headless --frame-log "$LOGS/frames.log" "${V_ARGS[@]}" \
      >"$LOGS/viewer.log" 2>&1 &
  else
    setsid "$B/viewer/sasae-viewer" "${V_ARGS[@]}" >"$LOGS/viewer.log" 2>&1 &
  fi
  VPID=$!
}

if [ $consent = tty ]; then
  # The host talks to the customer on this terminal; its output is also kept in the log.
  # (A background job's stdin would be /dev/null: hand it the terminal explicitly.)
  exec 3<&0
  "$B/host/sasae-host" "${HOST_ARGS[@]}" <&3 > >(tee "$LOGS/host.log") 2>"$LOGS/host.err" &
  hpid=$!
  start_viewer $hpid
  PIDS+=($VPID)
  say "answer the consent question below: type y and Enter to allow. Ctrl-C ends remote support."
  # The viewer's lines wait until the customer has answered (the viewer is then viewing or
  # has ended), so they never come between the question and its [y/N].
  (
    until grep -qE '^(state=viewing|end=)' "$LOGS/viewer.log" 2>/dev/null; do
      kill -0 $VPID 2>/dev/null || break
      sleep 0.2
    done
    tail -n +1 -f "$LOGS/viewer.log" --pid=$VPID | sed -u 's/^/viewer: /'
  ) &
  PIDS+=($!)
else
  "$B/host/sasae-host" "${HOST_ARGS[@]}" >"$LOGS/host.log" 2>&1 &
  hpid=$!
  start_viewer $hpid
  PIDS+=($VPID)
  say "click Allow in the customer's prompt; the viewer then shows the screen."
  say "End remote support on the session bar (or Ctrl-C here) ends the session."
fi
# The session is over when either side exits.
while kill -0 $hpid 2>/dev/null && kill -0 $VPID 2>/dev/null; do sleep 0.3; done
say "the session has ended"
