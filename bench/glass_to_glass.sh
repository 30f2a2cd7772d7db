#!/usr/bin/env bash
# True glass to glass: from the change on the customer's X screen to the change being
# visible in the operator's window. Same path as bench/typing_latency.sh (a private
# 1920x1080 Xvfb captured by sasae-host over X11, the real relay on loopback, consent given
# on the host's terminal), but the viewer is the real SDL2 window (not --headless), on a
# second Xvfb with openbox, at its default size (the picture fitted into it). bench/glasspoll
# reads the middle of that window (where the typed text or the scrolled page shows) through
# MIT-SHM ~2,000 times a second (a 200 us pause between reads, POLL_SLEEP_US) and stamps every
# change. For each event bench/typist drew (CLOCK_MONOTONIC and CLOCK_REALTIME taken before the
# drawing):
#   source->presented: the frame log's shown_us (the viewer's clock after SDL_RenderPresent
#     returned) of the first new-content frame captured after the event;
#   source->visible: the first window change glasspoll saw after the present before that
#     frame's (and after the event), CLOCK_MONOTONIC on both ends.
# The frame log ties a change to its frame, so a late top-off or an earlier step's frame is
# never counted for an event. Source->decoded (the headless viewer) comes from
# bench/typing_latency.sh with the same arguments; run both, back to back.
# Prints median / p95 / max of both, the poller's read rate, and how many events matched.
# Usage: bench/glass_to_glass.sh [COUNT] [PERIOD_MS]     SCROLL=PX|line as in typing_latency.sh
# CALIBRATE=1: no session; glasspoll reads the typing area of the very screen typist types on,
# so the figure is the measurement's own floor (X round trips, the poll interval).
# (needs `build` with bench/typist and bench/glasspoll; Xvfb, openbox, xdotool)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-120}
PERIOD=${2:-83}
export SASAE_SRC=$PWD SASAE_BIN=${SASAE_BUILD:-$PWD/build}
for t in typist glasspoll; do
  [ -x "$SASAE_BIN/bench/$t" ] || { echo "no $SASAE_BIN/bench/$t: cmake --build build" >&2; exit 1; }
done
command -v openbox >/dev/null || { echo "needs openbox" >&2; exit 1; }
. tests/gui/xvfb.sh
if [ -n "${CALIBRATE:-}" ]; then
  trap 'xvfb_stop' EXIT
  xvfb_start 1920x1080x24
  xsetroot -solid '#305080'
  CT=$(mktemp -d /tmp/glass-cal.XXXXXX)
  ROOT=$(xwininfo -root | awk '/Window id/{print $4}')
  # typist's cells: x from 1/4 of the width, 20 lines of 13 rows from 1/3 of the height
  "$SASAE_BIN/bench/glasspoll" "$ROOT" 470 355 980 270 0 "${POLL_SLEEP_US:-200}" \
    >"$CT/visible.txt" 2>"$CT/glasspoll.err" &
  GP_PID=$!
  sleep 0.5
  TYPIST_MONO=1 "$SASAE_BIN/bench/typist" "$COUNT" "$PERIOD" >"$CT/draws.txt"
  sleep 0.3
  kill "$GP_PID"
  wait "$GP_PID" || true
  echo "# bench/glass_to_glass.sh $COUNT $PERIOD (CALIBRATE=1): $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  cat "$CT/glasspoll.err"
  python3 - "$CT/draws.txt" "$CT/visible.txt" <<'PY'
import bisect, statistics, sys
draws = [int(l.split()[1]) for l in open(sys.argv[1]) if l.strip()]
vis = [int(l.split()[0]) for l in open(sys.argv[2]) if l.strip()]
lat = sorted((vis[k] - d) / 1000 for d in draws if (k := bisect.bisect_right(vis, d)) < len(vis))
print(f"same screen, keystrokes {len(draws)} (seen {len(lat)}), drawn->seen by the poller ms: "
      f"median {statistics.median(lat):.2f}  p95 {lat[int(round(.95 * (len(lat) - 1)))]:.2f}  max {lat[-1]:.2f}")
PY
  rm -rf "$CT"
  exit 0
fi
. tests/integration/viewer_lib.sh
VX_PID= WM_PID= GP_PID=
trap 'g2g_stop_all' EXIT
g2g_stop_all() {
  local rc=$?
  set +e
  [ -n "$GP_PID" ] && kill "$GP_PID" 2>/dev/null && wait "$GP_PID" 2>/dev/null
  reap_all
  [ -n "$WM_PID" ] && kill "$WM_PID" 2>/dev/null && wait "$WM_PID" 2>/dev/null
  [ -n "$VX_PID" ] && kill "$VX_PID" 2>/dev/null && wait "$VX_PID" 2>/dev/null
  xvfb_stop
  (exit "$rc")
  cleanup
}
# The operator's screen first (xvfb_start keeps one server: this one is ours to stop).
xvfb_start 1920x1080x24
VX_PID=$XVFB_PID VDISPLAY=$DISPLAY
DISPLAY=$VDISPLAY openbox >/dev/null 2>&1 &
WM_PID=$!
# The customer's screen, captured by the host.
xvfb_start 1920x1080x24
HDISPLAY=$DISPLAY
xsetroot -solid '#305080' 2>/dev/null || true
tty_host h
DISPLAY=$VDISPLAY SDL_VIDEODRIVER=x11 "$B/viewer/sasae-viewer" --relay "$URL" \
  --relay-ca "$C/ca.pem" --cert "$OPC" --key "$OPK" --code "$CODE" \
  --frame-log "$T/frames.log" >"$T/v.out" 2>"$T/v.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/h.out"
echo y >"$T/h.in"
wait_line "K$" "$T/frames.log" 20 >/dev/null
WID=$(DISPLAY=$VDISPLAY window_of_pid "$VPID") ||
  { echo "no viewer window on $VDISPLAY" >&2; exit 1; }
read -r _ _ WW WH < <(DISPLAY=$VDISPLAY abs_geom "$WID")
# The middle of the window: the fitted picture's rows 1/4..3/4 hold the typing (rows 360..620
# of 1080) and any part of a scroll, and none of the toolbar or status bar.
PX=$((WW / 5)) PY=$((WH / 4)) PW=$((WW * 3 / 5)) PH=$((WH / 2))
sleep 3 # the keyframe's top-offs settle: the screen rests
DISPLAY=$VDISPLAY "$SASAE_BIN/bench/glasspoll" "$WID" $PX $PY $PW $PH 0 "${POLL_SLEEP_US:-200}" \
  >"$T/visible.txt" 2>"$T/glasspoll.err" &
GP_PID=$!
sleep 1
DISPLAY=$HDISPLAY TYPIST_MONO=1 "$SASAE_BIN/bench/typist" "$COUNT" "$PERIOD" ${SCROLL:+scroll ${SCROLL/line/}} \
  >"$T/draws.txt"
sleep 1
kill "$GP_PID"
wait "$GP_PID" || true
GP_PID=
echo end >"$T/h.in"
# The window stays open on "the customer ended" until the operator closes it: close it.
wait_line "host ended the session" "$T/v.err" 10 >/dev/null
kill "$VPID"
rc=0; wait "$VPID" || rc=$?
[ "$rc" -eq 3 ] || { echo "viewer exit $rc, want 3 (the customer ended)" >&2; cat "$T/v.err" >&2; exit 1; }
echo "# bench/glass_to_glass.sh $COUNT $PERIOD${SCROLL:+ (SCROLL=$SCROLL)}: $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "viewer window ${WW}x${WH} on a second Xvfb with openbox, polled ${PW}x${PH} at +$PX+$PY; $(cat "$T/glasspoll.err")"
python3 bench/glass_match.py "$T/draws.txt" "$T/frames.log" "$T/visible.txt" "${SCROLL:+scroll steps}"
