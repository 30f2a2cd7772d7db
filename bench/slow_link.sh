#!/usr/bin/env bash
# A real support session over a shaped "customer DSL" link: what the operator experiences.
#
# usage: bench/slow_link.sh [--rate 1mbit] [--delay-ms 0|40] [--size 1920x1080] [--seconds 20]
#                           [--fps 30] [--tap [--loss PCT]]
#                           [--x11-scroll PERIOD_MS [--window] [--rest SEC] [--page text|web]]
#                           [--keep]
# Run as root from the source tree; binaries from $SASAE_BIN (default build/).
#
# Layout (nothing outside the two network namespaces this script creates, removed on exit):
#   netns sasae-slow-$$-c  "customer":       sasae-host --source synthetic --consent tty
#        veth 10.203.N.2/30  --tbf RATE-->   (the bottleneck: host -> relay upstream)
#   netns sasae-slow-$$-s  "support center": sasae-relay on 0.0.0.0:8443 (this netns only),
#        veth 10.203.N.1/30                  sasae-viewer --headless over 127.0.0.1
# The kernel here has no netem, so with --delay-ms D a small TCP forwarder in the support
# center's netns (10.203.N.1:8444 -> 127.0.0.1:8443) holds every chunk D/2 ms in each
# direction: the application sees an RTT of D ms (frames, acks, stats), the bottleneck
# TCP connection itself does not (see bench/RESULTS-slowlink.md).
# With --tap the two namespaces are joined by two tap devices and bench/netem_tap.py, a
# userspace netem: every frame waits D/2 ms each way (TCP sees the RTT) and --loss PCT % of
# the frames are dropped in each direction; tbf still shapes the customer's upstream.
#
# --x11-scroll P[:PX]: instead of the synthetic source, the host captures a private Xvfb (X11,
# damage-driven) whose whole screen scrolls one text line (or PX rows) every P ms from the 10th second on
# (bench/typist ... scroll, a terminal under fast output); adds the latency from each line's
# drawing to the first frame decoded after it (source->decoded), the frames per second with
# new content, and the host's CPU and memory while scrolling.
# --window (with --x11-scroll): the viewer is the real SDL2 window (not --headless) on a second
# Xvfb with openbox, and bench/glasspoll reads its pixels: adds true glass to glass, each step
# drawn -> visible in the window (bench/glass_match.py; bench/glass_to_glass.sh explains it).
# The frame log's times are then "after SDL_RenderPresent", not "after decode".
# --page web (with --x11-scroll): the page that scrolls is a web page of anti-aliased
# proportional text (TYPIST_PAGE=web, see bench/typist.c), not a terminal's bitmap font.
# --rest SEC (with --x11-scroll): the scroll stops SEC seconds before the session ends; the
# viewer dumps its decoded frames (I420) and each one shown after the last step is compared
# with the resting screen (luma PSNR against libyuv's conversion of an xwd of the Xvfb): when
# the viewer's picture reaches 48 dB, 55 dB and exact, and what the sharpening cost.
# SASAE_MEM_SMAPS=FILE (with --x11-scroll): keeps the host's /proc/PID/smaps at the end of the
# scroll and prints it by mapping (bench/smaps_summary.awk).
# Prints: frames/s delivered, capture->decoded latency median/p95/max (viewer frame log,
# latency_ms = viewer wall clock after decode - host wall clock at capture), bitrate
# (video payload at the viewer and bytes on the wire from tc), the viewer's bandwidth
# estimate, the tbf queue drops, and the host's "dropped while busy" captures.
set -euo pipefail

RATE=1mbit DELAY=0 SIZE=1920x1080 SECS=20 FPS=30 KEEP=0 TAP=0 LOSS=0 XSCROLL=0 WINDOW=0 REST=0 PAGE=text
while [ $# -gt 0 ]; do
  case $1 in
  --rate) RATE=$2; shift 2 ;;
  --delay-ms) DELAY=$2; shift 2 ;;
  --size) SIZE=$2; shift 2 ;;
  --seconds) SECS=$2; shift 2 ;;
  --fps) FPS=$2; shift 2 ;;
  --keep) KEEP=1; shift ;;
  --tap) TAP=1; shift ;;
  --loss) LOSS=$2; shift 2 ;;
  --x11-scroll) XSCROLL=$2; shift 2 ;;
  --window) WINDOW=1; shift ;;
  --rest) REST=$2; shift 2 ;;
  --page) PAGE=$2; shift 2 ;;
  -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
  *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $DELAY =~ ^[0-9]+$ ]] || { echo "--delay-ms wants milliseconds" >&2; exit 2; }
[[ $SECS =~ ^[0-9]+$ ]] || { echo "--seconds wants an integer" >&2; exit 2; }
[[ $LOSS =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--loss wants a percentage" >&2; exit 2; }
[ "$LOSS" = 0 ] || [ $TAP -eq 1 ] || { echo "--loss needs --tap" >&2; exit 2; }
[[ $XSCROLL =~ ^[0-9]+(:[0-9]+)?$ ]] || { echo "--x11-scroll wants MS or MS:PX" >&2; exit 2; }
[ $WINDOW -eq 0 ] || [ "$XSCROLL" != 0 ] || { echo "--window needs --x11-scroll" >&2; exit 2; }
[[ $PAGE == text || $PAGE == web ]] || { echo "--page wants text or web" >&2; exit 2; }
[[ $REST =~ ^[0-9]+$ ]] || { echo "--rest wants seconds" >&2; exit 2; }
[ "$REST" = 0 ] || [ "$XSCROLL" != 0 ] || { echo "--rest needs --x11-scroll" >&2; exit 2; }
[ "$XSCROLL" = 0 ] || [ $((SECS - 13 - REST)) -ge 1 ] ||
  { echo "--seconds must exceed 13 + --rest" >&2; exit 2; }
XPX=
[[ $XSCROLL == *:* ]] && XPX=${XSCROLL#*:} && XSCROLL=${XSCROLL%%:*}
[ "$(id -u)" -eq 0 ] || { echo "run as root (network namespaces, tc)" >&2; exit 2; }

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${SASAE_BIN:-$SRC/build}" && pwd)
for t in relay/certs/sasae-certs relay/server/sasae-relay host/sasae-host viewer/sasae-viewer; do
  [ -x "$B/$t" ] || { echo "missing $B/$t (build first)" >&2; exit 1; }
done
for t in ip tc script python3; do
  command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }
done

NSC=sasae-slow-$$-c NSS=sasae-slow-$$-s
VC=sslc$$ VS=ssls$$ # veth ends (in NSC and NSS)
N=$(($$ % 250 + 1))
HIP=10.203.$N.2 RIP=10.203.$N.1
T=$(mktemp -d /tmp/sasae-slowlink.XXXXXX)
PIDS=()
VETH_IN_ROOT=0

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  # whatever is still inside our namespaces (e.g. the host under script) goes too
  for ns in "$NSC" "$NSS"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
  done
  sleep 0.3
  for ns in "$NSC" "$NSS"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  # the veth only lives in the root namespace between its creation and the move
  [ $VETH_IN_ROOT -eq 1 ] && ip link del "$VC" 2>/dev/null
  ip -n "$NSC" link del "$VC" 2>/dev/null
  ip netns del "$NSC" 2>/dev/null
  ip netns del "$NSS" 2>/dev/null
  [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
  for p in ${GP_PID:-} ${WM_PID:-} ${VX_PID:-}; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
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
  cat "$2" >&2
  return 1
}

# --- network: two namespaces, one veth, tbf on the customer's upstream --------------------
ip netns add "$NSC"
ip netns add "$NSS"
if [ $TAP -eq 1 ]; then
  ip -n "$NSC" tuntap add mode tap name "$VC"
  ip -n "$NSS" tuntap add mode tap name "$VS"
else
  VETH_IN_ROOT=1
  ip link add "$VC" type veth peer name "$VS"
  ip link set "$VC" netns "$NSC"
  ip link set "$VS" netns "$NSS"
  VETH_IN_ROOT=0
fi
ip -n "$NSC" addr add $HIP/30 dev "$VC"
ip -n "$NSS" addr add $RIP/30 dev "$VS"
for ns in "$NSC" "$NSS"; do ip -n "$ns" link set lo up; done
ip -n "$NSC" link set "$VC" up
ip -n "$NSS" link set "$VS" up
# A DSL modem: token bucket at the line rate, a small burst, a deep (bloated) buffer of
# 2 s at the line rate, so any queueing the application causes shows up as latency.
RBITS=$(python3 -c "
import re,sys
m=re.fullmatch(r'(\d+(?:\.\d+)?)(k|m)?(bit|bps)?',sys.argv[1].lower())
if not m: sys.exit('bad --rate ' + sys.argv[1])
v=float(m.group(1))*{None:1,'k':1e3,'m':1e6}[m.group(2)]*(8 if m.group(3)=='bps' else 1)
print(int(v))" "$RATE")
LIMIT=$((RBITS / 8 * 2))
[ $LIMIT -ge 16384 ] || LIMIT=16384
ip netns exec "$NSC" tc qdisc add dev "$VC" root tbf rate "$RBITS"bit burst 4kb limit "$LIMIT"
if [ $TAP -eq 1 ]; then
  python3 "$SRC/bench/netem_tap.py" "$NSC" "$VC" "$NSS" "$VS" "$DELAY" "$LOSS" >"$T/wire.log" 2>&1 &
  WIREPID=$!
  PIDS+=($WIREPID)
  wait_line "wire ready" "$T/wire.log" 10
fi

# --- certificates, relay --------------------------------------------------------------------
C=$T/certs
"$B/relay/certs/sasae-certs" --dir "$C" init-ca --org "Slow Link Desk" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-operator --name "Sam Slow" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-relay --host $RIP --host 127.0.0.1 >/dev/null
OPC=$C/operators/sam-slow.pem OPK=$C/operators/sam-slow.key

ip netns exec "$NSS" "$B/relay/server/sasae-relay" --listen 0.0.0.0 --port 8443 \
  --cert "$C/relay.pem" --key "$C/relay.key" --operator-ca "$C/ca.pem" --crl "$C/crl.pem" \
  --audit-dir "$T/audit" >"$T/relay.log" 2>&1 &
PIDS+=($!)
wait_line "sasae-relay ready" "$T/relay.log" 20

HOSTURL=wss://$RIP:8443/
if [ "$DELAY" -gt 0 ] && [ $TAP -eq 0 ]; then
  # Delay line: each chunk read is written D/2 ms later, in order, in both directions.
  cat >"$T/delay.py" <<'EOF'
import asyncio, sys, time
listen, port, up_port, half = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) / 2000.0

async def pump(reader, writer):
    q = asyncio.Queue()
    async def out():
        while True:
            due, data = await q.get()
            if data is None:
                break
            d = due - time.monotonic()
            if d > 0:
                await asyncio.sleep(d)
            writer.write(data)
            await writer.drain()
        writer.close()
    t = asyncio.create_task(out())
    try:
        while True:
            data = await reader.read(65536)
            q.put_nowait((time.monotonic() + half, data or None))
            if not data:
                break
    except ConnectionError:
        q.put_nowait((0, None))
    try:
        await t
    except ConnectionError:
        pass

async def conn(r1, w1):
    try:
        r2, w2 = await asyncio.open_connection('127.0.0.1', up_port)
    except OSError:
        w1.close()
        return
    await asyncio.gather(pump(r1, w2), pump(r2, w1), return_exceptions=True)

async def main():
    srv = await asyncio.start_server(conn, listen, port)
    print('delay ready', flush=True)
    async with srv:
        await srv.serve_forever()

asyncio.run(main())
EOF
  ip netns exec "$NSS" python3 "$T/delay.py" $RIP 8444 8443 "$DELAY" >"$T/delay.log" 2>&1 &
  PIDS+=($!)
  wait_line "delay ready" "$T/delay.log" 10
  HOSTURL=wss://$RIP:8444/
fi

# --- the customer's host on a pseudo-terminal in the shaped namespace ---------------------
mkfifo "$T/host.in"
sleep 3600 >"$T/host.in" &
PIDS+=($!)
SOURCE=(env -u DISPLAY "$B/host/sasae-host" --source synthetic --size "$SIZE")
if [ "$XSCROLL" -gt 0 ]; then
  [ -x "$B/bench/typist" ] || { echo "missing $B/bench/typist (build first)" >&2; exit 1; }
  SASAE_SRC=$SRC . "$SRC/tests/gui/xvfb.sh"
  if [ $WINDOW -eq 1 ]; then
    [ -x "$B/bench/glasspoll" ] || { echo "missing $B/bench/glasspoll (build first)" >&2; exit 1; }
    xvfb_start 1920x1080x24 # the operator's screen
    VX_PID=$XVFB_PID VDISPLAY=$DISPLAY
    DISPLAY=$VDISPLAY openbox >/dev/null 2>&1 &
    WM_PID=$!
  fi
  xvfb_start "${SIZE}x24" # its socket file reaches into the namespace; abstract ones do not
  SOURCE=(env DISPLAY="$DISPLAY" "$B/host/sasae-host")
fi
HOSTCMD=$(printf '%q ' "${SOURCE[@]}" --relay "$HOSTURL" --relay-ca "$C/ca.pem" \
  --org-ca "$C/ca.pem" --state-dir "$T/hoststate" --consent tty --no-proxy --fps "$FPS")
ip netns exec "$NSC" script -qfec "exec $HOSTCMD" /dev/null <"$T/host.in" >"$T/host.out" 2>&1 &
SPID=$!
PIDS+=($SPID)
wait_line "support code: [0-9]" "$T/host.out" 30
HPID=$(ps -o pid= --ppid $SPID | head -1 | tr -d ' ')
CODE=$(grep -o "support code: [0-9 ]*" "$T/host.out" | head -1 | sed 's/support code: //')

# --- the operator's viewer, headless (or --window), next to the relay ------------------------
VIEWER=("$B/viewer/sasae-viewer" --headless)
[ $WINDOW -eq 0 ] || VIEWER=(env DISPLAY="$VDISPLAY" SDL_VIDEODRIVER=x11 "$B/viewer/sasae-viewer")
DUMP=()
[ "$REST" = 0 ] || DUMP=(--dump-dir "$T/dump" --dump-format i420)
ip netns exec "$NSS" "${VIEWER[@]}" --relay wss://127.0.0.1:8443/ \
  --relay-ca "$C/ca.pem" --cert "$OPC" --key "$OPK" --code "$CODE" --duration "$SECS" \
  --frame-log "$T/frames.log" --log-level debug ${DUMP[@]+"${DUMP[@]}"} \
  >"$T/viewer.out" 2>"$T/viewer.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/host.out" 30
tc0=$(ip netns exec "$NSC" tc -s qdisc show dev "$VC" | awk '/Sent/ {print $2; exit}')
echo y >"$T/host.in"
if [ "$XSCROLL" -gt 0 ]; then
  sleep 3 # the keyframe; typist fills the page and waits 6 s more before it scrolls
  if [ $WINDOW -eq 1 ]; then
    # the viewer's pid is ip netns exec's (it execs env, which execs the viewer)
    WID=$(DISPLAY=$VDISPLAY window_of_pid "$VPID") ||
      { echo "no viewer window on $VDISPLAY" >&2; exit 1; }
    read -r _ _ WW WH < <(DISPLAY=$VDISPLAY abs_geom "$WID")
    PX=$((WW / 5)) PY=$((WH / 4)) PW=$((WW * 3 / 5)) PH=$((WH / 2)) # as glass_to_glass.sh
    DISPLAY=$VDISPLAY "$B/bench/glasspoll" "$WID" $PX $PY $PW $PH 0 200 >"$T/visible.txt" \
      2>"$T/glasspoll.err" &
    GP_PID=$!
  fi
  read -r _ _ _ _ _ _ _ _ _ _ _ _ _ HU0 HS0 _ </proc/$HPID/stat
  TYPIST_MONO=$WINDOW TYPIST_PAGE=$PAGE "$B/bench/typist" $(( (SECS - 13 - REST) * 1000 / XSCROLL )) "$XSCROLL" \
    scroll $XPX >"$T/draws.txt"
  if [ "$REST" -gt 0 ]; then
    sleep $((REST - 1)).5 # the resting screen, as the viewer should end up showing it
    xwd -root -silent -display "$DISPLAY" >"$T/rest.xwd"
    ffmpeg -loglevel error -f xwd_pipe -i "$T/rest.xwd" -f rawvideo -pix_fmt bgra "$T/rest.bgra"
  fi
  # the session may have ended first (a slow X server draws fewer steps a second)
  HU1=$HU0 HS1=$HS0 HOST_RSS=0
  { read -r _ _ _ _ _ _ _ _ _ _ _ _ _ HU1 HS1 _ </proc/$HPID/stat; } 2>/dev/null || true
  HOST_RSS=$(awk '/VmRSS/{print $2}' /proc/$HPID/status 2>/dev/null || echo 0)
  if [ -n "${SASAE_MEM_SMAPS:-}" ] && cp "/proc/$HPID/smaps" "$SASAE_MEM_SMAPS" 2>/dev/null; then
    awk -f "$SRC/bench/smaps_summary.awk" "$SASAE_MEM_SMAPS"
  fi
fi
vrc=0
if [ $WINDOW -eq 1 ]; then
  # The window stays open on "session ended" until the operator closes it: close it.
  for _ in $(seq $(((SECS + 30) * 10))); do
    grep -q "session ended" "$T/viewer.err" 2>/dev/null && break
    kill -0 "$VPID" 2>/dev/null || break
    sleep 0.1
  done
  # the poller first: it ends with an error once the window is gone
  kill "$GP_PID" 2>/dev/null || true
  wait "$GP_PID" 2>/dev/null || true
  GP_PID=
  kill "$VPID" 2>/dev/null || true
fi
wait $VPID || vrc=$?
tc1=$(ip netns exec "$NSC" tc -s qdisc show dev "$VC")
# the session is over; SIGTERM lets the host print its summary and exit
sleep 0.5
[ -n "$HPID" ] && kill -TERM "$HPID" 2>/dev/null || true
for _ in $(seq 50); do grep -q "session summary" "$T/host.out" && break; sleep 0.1; done

# --- report ---------------------------------------------------------------------------------
if [ $TAP -eq 1 ]; then
  kill -TERM "$WIREPID" 2>/dev/null
  wait "$WIREPID" 2>/dev/null
  echo "slow link: rate $RATE, RTT ${DELAY} ms and loss ${LOSS} % each way on the wire (tap + netem_tap.py), $SIZE synthetic @ $FPS fps, ${SECS} s; viewer exit $vrc"
  grep "^wire" "$T/wire.log" || true
else
  echo "slow link: rate $RATE, delay ${DELAY} ms (app-level RTT), $SIZE synthetic @ $FPS fps, ${SECS} s; viewer exit $vrc"
fi
[ "$XSCROLL" -eq 0 ] || echo "source: X11 capture of a $SIZE Xvfb scrolling ${XPX:-one text line}${XPX:+ px} every $XSCROLL ms (not synthetic; page: $PAGE)"
[ -s "$T/frames.log" ] || { echo "no frame log"; cat "$T/viewer.out" "$T/viewer.err" "$T/host.out"; exit 1; }
tcbytes=$(echo "$tc1" | awk '/Sent/ {print $2; exit}')
tcdrops=$(echo "$tc1" | grep -o 'dropped [0-9]*' | head -1 | awk '{print $2}')
python3 - "$T/frames.log" "$SECS" "$((tcbytes - tc0))" "${tcdrops:-0}" "$T/viewer.err" ${VDISPLAY:+window} <<'EOF'
import sys, re, statistics
log, secs, wire, drops, verr = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = [l.rstrip('\n').split('\t') for l in open(log) if not l.startswith('#') and l.strip()]
cap = [int(r[1]) for r in rows]; shown = [int(r[3]) for r in rows]
byts = [int(r[5]) for r in rows]; lat = [float(r[6]) for r in rows]
keys = sum('K' in r[9] for r in rows); errs = sum('E' in r[9] for r in rows)
def pct(v, p):
    s = sorted(v); return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]
span = (shown[-1] - shown[0]) / 1e6 if len(rows) > 1 else 0
print(f"frames delivered   {len(rows)} ({keys} keyframes, {errs} decode errors) in {span:.1f} s: {len(rows)/span if span else 0:.1f} fps")
gaps = [(b - a) / 1000.0 for a, b in zip(shown, shown[1:])]
print(f"longest gap between frames shown {max(gaps) if gaps else 0:.0f} ms (a stall: > 2000)")
print(f"capture->{'presented' if len(sys.argv) > 6 else 'decoded'} ms  median {statistics.median(lat):.1f}  p95 {pct(lat,95):.1f}  max {max(lat):.1f}  (first frame {lat[0]:.1f})")
steady = [x for x, c in zip(lat, cap) if c - cap[0] >= 3e6]
if len(steady) > 5:
    print(f"  after the first 3 s: median {statistics.median(steady):.1f}  p95 {pct(steady,95):.1f}  max {max(steady):.1f}  ({len(steady)} frames)")
# per-second trend: does latency grow?
buckets = {}
for x, s in zip(lat, shown):
    buckets.setdefault(int((s - shown[0]) / 5e6), []).append(x)
print("  per 5 s (median ms/fps) " + "  ".join(f"{k*5}-{k*5+5}s:{statistics.median(v):.0f}/{len(v)/max(0.5, min(5.0, span - k*5)):.0f}" for k, v in sorted(buckets.items())))
vb = sum(byts)
print(f"video payload      {vb} B = {vb*8/span/1000 if span else 0:.0f} kbit/s over {span:.1f} s (first frame {byts[0]} B)")
print(f"wire host->relay   {wire} B = {wire*8/secs/1000:.0f} kbit/s over the {secs:.0f} s session (TLS+WS+TCP/IP; tbf drops {drops})")
est = [int(m.group(1)) for m in re.finditer(r'bandwidth estimate (\d+) kbit/s', open(verr, errors='replace').read())]
if est:
    nz = [e for e in est if e]
    # a sample: bwe.c only logs the intervals its timer closes, not those a frame closes
    print(f"viewer bw estimate {len(est)} logged intervals: first non-zero {nz[0] if nz else 0}, min {min(nz) if nz else 0}, max {max(nz) if nz else 0}, last {est[-1]} kbit/s (host encodes at 85 %; 0 = none yet, host keeps --bitrate)")
EOF
if [ "$XSCROLL" -gt 0 ]; then
  python3 - "$T/draws.txt" "$T/frames.log" "$XSCROLL" "$((HU1 + HS1 - HU0 - HS0))" "$(getconf CLK_TCK)" "$HOST_RSS" ${VDISPLAY:+window} <<'EOF'
import bisect, os, statistics, sys
draws = [int(l.split()[0]) for l in open(sys.argv[1]) if l.strip()]
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[2]) if not l.startswith('#') and l.strip()]
content = sorted((int(r[1]), int(r[3]), int(r[5])) for r in rows if 'R' not in r[9])
drawn = len(draws)
draws = [d for d in draws if d < content[-1][0]]  # steps drawn after the session ended
caps = [c[0] for c in content]
lat = []
for d in draws:
    i = bisect.bisect_left(caps, d)
    if i < len(caps):
        lat.append((content[i][1] - d) / 1000)
def pct(v, p):
    s = sorted(v); return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]
period = int(sys.argv[3]) / 1000
span = (draws[-1] - draws[0]) / 1e6 + period
during = [c for c in content if draws[0] <= c[0] <= draws[-1] + period * 1e6]
kbps = sum(c[2] for c in during) * 8 / span / 1000
cpu = int(sys.argv[4]) / int(sys.argv[5]) / span * 100 / os.cpu_count()
print(f"scrolling          {len(draws)} steps in {span:.1f} s ({len(draws) / span:.1f} drawn a second; {drawn - len(draws)} after the end), {len(during) / span:.1f} frames/s with new content, video {kbps:.0f} kbit/s")
print(f"line drawn->{'presented' if len(sys.argv) > 7 else 'decoded'} ms  median {statistics.median(lat):.1f}  p95 {pct(lat, 95):.1f}  max {max(lat):.1f}  ({len(lat)} of {len(draws)} lines matched)")
if int(sys.argv[6]):
    print(f"host while scrolling    CPU {cpu:.1f} % of the {os.cpu_count()}-core machine, RSS {int(sys.argv[6]) / 1024:.1f} MB")
EOF
  if [ $WINDOW -eq 1 ]; then
    echo "window             ${WW}x${WH} on a second Xvfb with openbox, polled ${PW}x${PH} at +$PX+$PY; $(cat "$T/glasspoll.err")"
    python3 "$SRC/bench/glass_match.py" "$T/draws.txt" "$T/frames.log" "$T/visible.txt" "scroll steps"
  fi
fi
if [ "$REST" -gt 0 ]; then
  python3 "$SRC/bench/rest_psnr.py" "$T/draws.txt" "$T/frames.log" "$T/dump" "$T/rest.bgra" "$SIZE"
  [ $KEEP -eq 1 ] || rm -rf "$T/dump" # a gigabyte of pictures
fi
summary=$(grep -o "session summary:.*" "$T/host.out" | tail -1 | tr -d '\r')
echo "host               ${summary:-no summary in the host log}"
