#!/usr/bin/env bash
# Soak: one real support session (sasae-host, synthetic screen -> sasae-relay -> headless
# sasae-viewer) held for a long time, optionally beside N load-generator sessions of real
# TLS traffic through the same relay; the memory and open fds of relay, host and viewer are
# sampled over time and must not grow.
#
# usage: bench/soak.sh [--seconds 600] [--interval 10] [--size 1920x1080] [--fps 30]
#                      [--relay-sessions 0] [--mbps 0.25] [--max-growth-mb N] [--keep]
#   --relay-sessions N  also N host/viewer pairs from bench_relay_lean (N*mbps Mbit/s)
# Binaries from $SASAE_BIN (default build/). Loopback only, no root needed.
#
# Prints a table of samples (seconds, RSS MB and fds per process), then per process the
# RSS at the end of the warm-up (first 10 % or 30 s, whichever is longer), its peak and its
# end, and the fds at the same points; frames delivered, viewer latency and the load
# generator's p99. Exit status 1 if a process died, the session did not last, the fds
# grew after the warm-up, or (with --max-growth-mb N) a resident set grew by more than N MB
# from the end of the warm-up to the end.
set -euo pipefail

SECS=600 IVL=10 SIZE=1920x1080 FPS=30 RSESS=0 MBPS=0.25 KEEP=0 MAXG=0
while [ $# -gt 0 ]; do
  case $1 in
  --seconds) SECS=$2; shift 2 ;;
  --interval) IVL=$2; shift 2 ;;
  --size) SIZE=$2; shift 2 ;;
  --fps) FPS=$2; shift 2 ;;
  --relay-sessions) RSESS=$2; shift 2 ;;
  --mbps) MBPS=$2; shift 2 ;;
  --keep) KEEP=1; shift ;;
  --max-growth-mb) MAXG=$2; shift 2 ;;
  -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
  *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $SECS =~ ^[0-9]+$ && $IVL =~ ^[0-9]+$ && $RSESS =~ ^[0-9]+$ ]] || { echo "bad number" >&2; exit 2; }
for t in script python3; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${SASAE_BIN:-$SRC/build}" && pwd)
for t in relay/certs/sasae-certs relay/server/sasae-relay host/sasae-host viewer/sasae-viewer bench/bench_relay_lean; do
  [ -x "$B/$t" ] || { echo "missing $B/$t (build first)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/sasae-soak.XXXXXX)
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  if [ $KEEP -eq 1 ]; then echo "logs kept in $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_line() { # PATTERN FILE [SECONDS]
  for _ in $(seq $((${3:-30} * 10))); do
    grep -q -- "$1" "$2" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timeout waiting for '$1' in $2:" >&2
  tail -20 "$2" >&2
  return 1
}
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    ss -Hltn "sport = :$p" | grep -q . || { echo $p; return; }
  done
}

C=$T/certs
"$B/relay/certs/sasae-certs" --dir "$C" init-ca --org "Soak Desk" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-operator --name "Sam Soak" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-relay --host 127.0.0.1 >/dev/null
OPC=$C/operators/sam-soak.pem OPK=$C/operators/sam-soak.key
PORT=$(free_port)
URL=wss://127.0.0.1:$PORT/
# the load generator opens hundreds of connections from one address in a burst
"$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
  --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" --log-level warn \
  --conn-rate 1000000 --join-rate 1000000 --max-conns-per-addr 1000000 >"$T/relay.out" 2>"$T/relay.log" &
RPID=$!
PIDS+=($RPID)
wait_line "sasae-relay ready" "$T/relay.out" 20

mkfifo "$T/host.in"
sleep $((SECS + 600)) >"$T/host.in" &
PIDS+=($!)
HOSTCMD=$(printf '%q ' env -u DISPLAY "$B/host/sasae-host" --relay "$URL" --relay-ca "$C/ca.pem" \
  --org-ca "$C/ca.pem" --state-dir "$T/hoststate" --consent tty --no-proxy --reconsent-minutes 0 \
  --source synthetic --size "$SIZE" --fps "$FPS")
script -qfec "exec $HOSTCMD" /dev/null <"$T/host.in" >"$T/host.out" 2>&1 &
SPID=$!
PIDS+=($SPID)
wait_line "support code: [0-9]" "$T/host.out" 30
HPID=$(ps -o pid= --ppid $SPID | head -1 | tr -d ' ')
CODE=$(grep -o "support code: [0-9 ]*" "$T/host.out" | head -1 | sed 's/support code: //')
"$B/viewer/sasae-viewer" --headless --relay "$URL" --relay-ca "$C/ca.pem" --cert "$OPC" \
  --key "$OPK" --code "$CODE" --duration "$SECS" --frame-log "$T/frames.log" \
  >"$T/viewer.out" 2>"$T/viewer.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/host.out" 30
echo y >"$T/host.in"
wait_line "state=viewing" "$T/viewer.out" 30

GPID=
if [ "$RSESS" -gt 0 ]; then
  "$B/bench/bench_relay_lean" --url "$URL" --ca "$C/ca.pem" --cert "$OPC" --key "$OPK" \
    --sessions "$RSESS" --mbps "$MBPS" --seconds "$SECS" --relay-pid "$RPID" >"$T/gen.out" 2>&1 &
  GPID=$!
  PIDS+=($GPID)
fi

echo "soak: ${SECS} s, one ${SIZE}@${FPS} synthetic session + $RSESS generator sessions x $MBPS Mbit/s; load $(cut -d' ' -f1-3 /proc/loadavg)"
sample() { # PID -> "rss_kb fds" (or "- -" once gone)
  if [ -r "/proc/$1/status" ]; then
    echo "$(awk '/VmRSS/ {print $2}' "/proc/$1/status") $(ls "/proc/$1/fd" 2>/dev/null | wc -l)"
  else
    echo "- -"
  fi
}
t0=$(date +%s)
while :; do
  now=$(($(date +%s) - t0))
  echo "$now $(sample $RPID) $(sample "$HPID") $(sample $VPID)" >>"$T/samples"
  kill -0 $VPID 2>/dev/null || break
  [ $now -ge $((SECS + 30)) ] && break
  sleep "$IVL"
done
vrc=0
wait $VPID || vrc=$?
grc=0
[ -n "$GPID" ] && { wait "$GPID" || grc=$?; }
relay_alive=1
kill -0 $RPID 2>/dev/null || relay_alive=0

python3 - "$T/samples" "$SECS" "$T/frames.log" "$vrc" "$relay_alive" "${MAXG:-0}" <<'EOF'
import sys, statistics
path, secs, frames, vrc, relay_alive = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
maxg = float(sys.argv[6])
rows = [l.split() for l in open(path) if l.strip()]
names = ["relay", "host", "viewer"]
print("   t s | relay MB fds | host MB fds | viewer MB fds")
step = max(1, len(rows) // 20)
for r in rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else []):
    cells = []
    for i in range(3):
        rss, fds = r[1 + 2 * i], r[2 + 2 * i]
        cells.append(f"{int(rss)/1024:8.1f} {fds:>3}" if rss != "-" else f"{'gone':>8} {'-':>3}")
    print(f"{int(r[0]):6d} | " + " | ".join(cells))
warm = max(30, secs // 10)
bad = 0
for i, n in enumerate(names):
    live = [(int(r[0]), int(r[1 + 2 * i]), int(r[2 + 2 * i])) for r in rows if r[1 + 2 * i] != "-" and int(r[0]) <= secs]
    if not live:
        print(f"{n}: no samples"); bad = 1; continue
    after = [x for x in live if x[0] >= warm] or live[-1:]
    w, e = after[0], after[-1]
    peak = max(x[1] for x in after)
    print(f"{n:6s} RSS MB: start {w[1]/1024:.1f} (t={w[0]} s)  peak {peak/1024:.1f}  end {e[1]/1024:.1f} (t={e[0]} s)  "
          f"growth {((e[1]-w[1])/1024):+.1f} MB ({(e[1]-w[1])*100.0/w[1]:+.1f} %)   fds: start {w[2]} max {max(x[2] for x in after)} end {e[2]}")
    if e[2] > w[2]:
        print(f"  {n}: fds grew"); bad = 1
    if maxg and (e[1] - w[1]) / 1024 > maxg:
        print(f"  {n}: resident set grew by more than {maxg:g} MB"); bad = 1
rows_f = [l.rstrip("\n").split("\t") for l in open(frames) if not l.startswith("#") and l.strip()] if frames else []
if rows_f:
    lat = sorted(float(r[6]) for r in rows_f)
    shown = [int(r[3]) for r in rows_f]
    span = (shown[-1] - shown[0]) / 1e6
    print(f"session: {len(rows_f)} frames in {span:.0f} s ({len(rows_f)/span:.1f} fps), capture->decoded median {statistics.median(lat):.1f} ms, p99 {lat[int(0.99*(len(lat)-1))]:.1f} ms")
    if span < secs * 0.9:
        print("  the session did not last"); bad = 1
else:
    print("session: no frames"); bad = 1
print(f"viewer exit {vrc}, relay {'alive' if relay_alive else 'DEAD'}")
if vrc != 0 or not relay_alive:
    bad = 1
sys.exit(bad)
EOF
rc=$?
if [ -n "$GPID" ]; then
  grep '^RESULT' "$T/gen.out" || tail -5 "$T/gen.out"
  [ $grc -eq 0 ] || { echo "generator exit $grc"; rc=1; }
  # every generator session paired and kept, every message delivered
  python3 - "$T/gen.out" <<'EOF2' || rc=1
import re, sys
m = re.search(r'^RESULT .*sessions=(\d+) paired=(\d+) .*sent=(\d+) received=(\d+)', open(sys.argv[1]).read(), re.M)
if not m:
    sys.exit("generator: no RESULT line")
sessions, paired, sent, received = map(int, m.groups())
if paired != sessions or received != sent:
    sys.exit(f"generator: {sessions - paired} sessions not paired, {sent - received} messages not delivered")
print(f"generator: all {sessions} sessions paired, all {sent} messages delivered")
EOF2
fi
exit $rc
