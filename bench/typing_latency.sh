#!/usr/bin/env bash
# Typing latency, source change to decoded at the viewer, through the real path: a private
# 1920x1080 Xvfb, the real relay, sasae-host capturing that screen (X11, damage-driven) with
# consent given on its terminal, and the headless viewer writing its frame log. bench/typist
# types one glyph-sized block every PERIOD ms (default 83: 12 characters a second) and
# prints when the X server had drawn it; for each, the latency is the viewer's decode time
# of the first frame that carries new screen content (not a top-off or keep-alive, flag
# 'R' in the frame log) captured after it, minus the draw time. Same machine, same wall
# clock. Prints median / p95 / max over the COUNT keystrokes (default 120), the split into
# source-to-capture and capture-to-decoded, frames per keystroke, and kbit/s. Never
# pass/fail.
# SCROLL=line (or SCROLL=PX): the whole screen scrolls one text line (or PX rows: a browser's
# smooth scroll) every PERIOD ms instead (`typist ... scroll`); each step is an event, and
# the figures add the frames per second the viewer received with new content and the
# host's CPU.
# Usage: bench/typing_latency.sh [COUNT] [PERIOD_MS]     (builds nothing; needs `build`)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-120}
PERIOD=${2:-83}
export SASAE_SRC=$PWD SASAE_BIN=${SASAE_BUILD:-$PWD/build}
[ -x "$SASAE_BIN/bench/typist" ] || { echo "no $SASAE_BIN/bench/typist: cmake --build build" >&2; exit 1; }
. tests/gui/xvfb.sh
. tests/integration/viewer_lib.sh
XTPID=
trap 'xvfb_stop_all' EXIT
xvfb_stop_all() {
  local rc=$?
  set +e
  [ -n "$XTPID" ] && kill "$XTPID" 2>/dev/null && wait "$XTPID" 2>/dev/null
  reap_all
  xvfb_stop
  (exit "$rc")
  cleanup
}
xvfb_start 1920x1080x24
xsetroot -solid '#305080' 2>/dev/null || true
# BUSY=1: a terminal beside the typing that redraws twice a second (`top`) and blinks its
# cursor, so the host also sends top-offs and other changes while the keys come
if [ -n "${BUSY:-}" ]; then
  xterm -geometry 80x24+0+0 -bc -e top -d 0.5 >/dev/null 2>&1 &
  XTPID=$!
fi
tty_host h
viewer v --code "$CODE" --frame-log "$T/frames.log"
wait_line "Allow? \[y/N\]" "$T/h.out"
echo y >"$T/h.in"
wait_line "K$" "$T/frames.log" 20 >/dev/null
sleep 3 # the keyframe's top-offs settle: the screen rests
read -r _ _ _ _ _ _ _ _ _ _ _ _ _ HU0 HS0 _ </proc/$HPID/stat
"$SASAE_BIN/bench/typist" "$COUNT" "$PERIOD" ${SCROLL:+scroll ${SCROLL/line/}} >"$T/draws.txt"
read -r _ _ _ _ _ _ _ _ _ _ _ _ _ HU1 HS1 _ </proc/$HPID/stat
HOST_RSS=$(awk '/VmRSS/{print $2}' /proc/$HPID/status)
sleep 1
echo end >"$T/h.in"
rc=0; wait "$VPID" || rc=$?
[ "$rc" -eq 3 ] || { echo "viewer exit $rc, want 3 (the customer ended)" >&2; cat "$T/v.err" >&2; exit 1; }
echo "# bench/typing_latency.sh $COUNT $PERIOD: $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$T/draws.txt" "$T/frames.log" "$PERIOD" "$(( (HU1 + HS1 - HU0 - HS0) ))" "$(getconf CLK_TCK)" "$HOST_RSS" "${SCROLL:+scroll steps}" <<'PY'
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
lat, src, pipe = [], [], []
for d in draws:
    i = bisect.bisect_left(caps, d)
    if i == len(caps):
        continue
    cap, shown = content[i][0], content[i][1]
    lat.append((shown - d) / 1000)
    src.append((cap - d) / 1000)
    pipe.append((shown - cap) / 1000)
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
if len(lat) < len(draws) * 0.9:
    sys.exit(f"only {len(lat)} of {len(draws)} keystrokes matched a frame")
span = (draws[-1] - draws[0]) / 1e6 + int(sys.argv[3]) / 1000
during = [f for f in frames if draws[0] <= f[0] <= draws[-1] + int(sys.argv[3]) * 1000]
kbps = sum(f[2] for f in during) * 8 / span / 1000
what = sys.argv[7] or "keystrokes"
print(f"{what} {len(draws)} (matched {len(lat)}), one every {sys.argv[3]} ms")
print(f"latency source->decoded ms: median {statistics.median(lat):.1f}  p95 {q(lat, .95):.1f}  max {max(lat):.1f}")
print(f"  source->capture ms: median {statistics.median(src):.1f}  p95 {q(src, .95):.1f}")
print(f"  capture->decoded ms: median {statistics.median(pipe):.1f}  p95 {q(pipe, .95):.1f}")
print(f"frames while typing: {len(during)} ({sum(1 for f in during if f[3])} top-off/keep-alive), "
      f"{len(during) / len(draws):.2f} per keystroke, {kbps:.0f} kbit/s")
fresh = sum(1 for f in during if not f[3])
import os
cpu = int(sys.argv[4]) / int(sys.argv[5]) / span * 100 / os.cpu_count()
print(f"new-content frames per second at the viewer: {fresh / span:.1f}; host CPU {cpu:.1f} % of "
      f"the 2-core machine, host RSS {int(sys.argv[6]) / 1024:.1f} MB")
PY
