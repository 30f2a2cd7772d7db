#!/usr/bin/env bash
# Typing latency over a lossy, delayed, narrow customer line (issue 15 "Slow links"): the
# method of bench/typing_latency.sh (a private 1920x1080 Xvfb, sasae-host capturing it with
# X11 damage, bench/typist drawing one glyph-sized block every PERIOD ms, the headless
# viewer's frame log) with the network of bench/slow_link.sh --tap: the host in a
# "customer" network namespace, the relay and the viewer in a "support center" one, joined
# by two taps and bench/netem_tap.py (DELAY_MS round trip and LOSS % dropped each way, seen
# by TCP) and tbf at RATE on the customer's upstream. Prints per keystroke source-change ->
# decoded-at-the-viewer median / p95 / max, the longest stall (the longest time between
# frames shown while typing and just after), and the wire counters. Never pass/fail.
# Usage (root): bench/typing_slow_link.sh [COUNT] [PERIOD_MS] [RATE] [DELAY_MS] [LOSS_PCT]
#   defaults 120 keystrokes, 83 ms (12 a second), 1mbit, 80 ms, 1 %
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-120} PERIOD=${2:-83} RATE=${3:-1mbit} DELAY=${4:-80} LOSS=${5:-1}
SRC=$PWD
B=$(cd "${SASAE_BIN:-$SRC/build}" && pwd)
export SASAE_SRC=$SRC
[ "$(id -u)" -eq 0 ] || { echo "run as root (network namespaces, tc)" >&2; exit 2; }
for t in relay/certs/sasae-certs relay/server/sasae-relay host/sasae-host viewer/sasae-viewer bench/typist; do
  [ -x "$B/$t" ] || { echo "missing $B/$t (build first)" >&2; exit 1; }
done
. tests/gui/xvfb.sh

NSC=sasae-type-$$-c NSS=sasae-type-$$-s VC=stc$$ VS=sts$$
N=$(($$ % 250 + 1))
HIP=10.204.$N.2 RIP=10.204.$N.1
T=$(mktemp -d /tmp/sasae-typeslow.XXXXXX)
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for ns in "$NSC" "$NSS"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  ip netns del "$NSC" 2>/dev/null
  ip netns del "$NSS" 2>/dev/null
  xvfb_stop
  rm -rf "$T"
}
trap cleanup EXIT
wait_line() { # PATTERN FILE [SECONDS]
  for _ in $(seq $((${3:-30} * 10))); do
    grep -q -- "$1" "$2" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timeout waiting for '$1' in $2:" >&2; cat "$2" >&2; return 1
}

# --- the line: taps, userspace netem, tbf on the customer's upstream ------------------------
ip netns add "$NSC"
ip netns add "$NSS"
ip -n "$NSC" tuntap add mode tap name "$VC"
ip -n "$NSS" tuntap add mode tap name "$VS"
ip -n "$NSC" addr add $HIP/30 dev "$VC"
ip -n "$NSS" addr add $RIP/30 dev "$VS"
for ns in "$NSC" "$NSS"; do ip -n "$ns" link set lo up; done
ip -n "$NSC" link set "$VC" up
ip -n "$NSS" link set "$VS" up
RBITS=$(python3 -c "
import re,sys
m=re.fullmatch(r'(\d+(?:\.\d+)?)(k|m)?(bit|bps)?',sys.argv[1].lower())
v=float(m.group(1))*{None:1,'k':1e3,'m':1e6}[m.group(2)]*(8 if m.group(3)=='bps' else 1)
print(int(v))" "$RATE")
LIMIT=$((RBITS / 8 * 2))
[ $LIMIT -ge 16384 ] || LIMIT=16384
ip netns exec "$NSC" tc qdisc add dev "$VC" root tbf rate "$RBITS"bit burst 4kb limit "$LIMIT"
python3 bench/netem_tap.py "$NSC" "$VC" "$NSS" "$VS" "$DELAY" "$LOSS" >"$T/wire.log" 2>&1 &
WIREPID=$!
PIDS+=($WIREPID)
wait_line "wire ready" "$T/wire.log" 10

# --- certificates, relay (support center) ----------------------------------------------------
C=$T/certs
"$B/relay/certs/sasae-certs" --dir "$C" init-ca --org "Typing Desk" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-operator --name "Tia Typing" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-relay --host $RIP --host 127.0.0.1 >/dev/null
ip netns exec "$NSS" "$B/relay/server/sasae-relay" --listen 0.0.0.0 --port 8443 \
  --cert "$C/relay.pem" --key "$C/relay.key" --operator-ca "$C/ca.pem" --crl "$C/crl.pem" \
  --audit-dir "$T/audit" >"$T/relay.log" 2>&1 &
PIDS+=($!)
wait_line "sasae-relay ready" "$T/relay.log" 20

# --- the customer's screen (root namespace; the host reaches it by its socket file) ---------
xvfb_start 1920x1080x24
xsetroot -solid '#305080' 2>/dev/null || true
mkfifo "$T/host.in"
sleep 3600 >"$T/host.in" &
PIDS+=($!)
HOSTCMD=$(printf '%q ' "$B/host/sasae-host" --relay "wss://$RIP:8443/" --relay-ca "$C/ca.pem" \
  --org-ca "$C/ca.pem" --state-dir "$T/hoststate" --consent tty --no-proxy --display "$DISPLAY")
ip netns exec "$NSC" script -qfec "exec $HOSTCMD" /dev/null <"$T/host.in" >"$T/host.out" 2>&1 &
PIDS+=($!)
wait_line "support code: [0-9]" "$T/host.out" 30
CODE=$(grep -o "support code: [0-9 ]*" "$T/host.out" | head -1 | sed 's/support code: //')
ip netns exec "$NSS" "$B/viewer/sasae-viewer" --headless --relay wss://127.0.0.1:8443/ \
  --relay-ca "$C/ca.pem" --cert "$C/operators/tia-typing.pem" --key "$C/operators/tia-typing.key" \
  --code "$CODE" --frame-log "$T/frames.log" >"$T/viewer.out" 2>"$T/viewer.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/host.out" 30
echo y >"$T/host.in"
wait_line "K$" "$T/frames.log" 60 >/dev/null
# the first picture of the whole screen crosses 1 Mbit/s in seconds: wait until it and its
# top-offs are through and the screen rests
for _ in $(seq 60); do
  sleep 1
  last=$(tail -n1 "$T/frames.log" | cut -f4)
  now=$(python3 -c 'import time; print(int(time.time()*1e6))')
  [ -n "$last" ] && [ $((now - last)) -gt 3000000 ] && break
done
"$B/bench/typist" "$COUNT" "$PERIOD" >"$T/draws.txt"
sleep 3
echo end >"$T/host.in"
rc=0; wait "$VPID" || rc=$?
kill -TERM "$WIREPID" 2>/dev/null; wait "$WIREPID" 2>/dev/null || true
echo "# bench/typing_slow_link.sh $COUNT $PERIOD $RATE $DELAY $LOSS: $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); viewer exit $rc"
grep "^wire" "$T/wire.log" || true
python3 - "$T/draws.txt" "$T/frames.log" "$PERIOD" <<'PY'
import bisect, statistics, sys
draws = [int(l) for l in open(sys.argv[1]) if l.strip()]
frames = []  # (capture_us, shown_us, bytes, refresh)
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    f = line.rstrip("\n").split("\t")
    frames.append((int(f[1]), int(f[3]), int(f[5]), "R" in f[9]))
content = sorted(f for f in frames if not f[3])
caps = [f[0] for f in content]
lat = []
for d in draws:
    i = bisect.bisect_left(caps, d)
    if i < len(caps):
        lat.append((content[i][1] - d) / 1000)
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
period = int(sys.argv[3])
end = draws[-1] + 2000 * 1000
shown = sorted(f[1] for f in frames if draws[0] <= f[1] <= end)
gaps = [(b - a) / 1000 for a, b in zip([draws[0]] + shown, shown)]
print(f"keystrokes {len(draws)} (matched {len(lat)}), one every {period} ms")
print(f"latency source->decoded ms: median {statistics.median(lat):.1f}  p95 {q(lat, .95):.1f}  max {max(lat):.1f}")
print(f"longest stall (no frame shown) while typing: {max(gaps):.0f} ms; keystrokes later than 2 s: {sum(1 for x in lat if x > 2000)}")
PY
