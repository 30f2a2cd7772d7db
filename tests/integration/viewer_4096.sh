#!/usr/bin/env bash
# The widest screen the help desk supports, 4096x2160, end to end: the real relay, a host
# capturing it and the headless viewer. First the synthetic source (decoded frames checked
# against the source by PSNR), then a real 4096x2160 X screen captured with X11 (damage-
# driven) while a program draws on it. Frames must arrive at full size, decode without
# error, and match.
set -euo pipefail
B=$SASAE_BIN
. "$SASAE_SRC/tests/gui/xvfb.sh"
. "$(dirname "$0")/viewer_lib.sh"
trap 'rc=$?; set +e; reap_all; xvfb_stop; (exit $rc); cleanup' EXIT

check_log() { # FRAMELOG MIN_FRAMES: full-size frames, a keyframe first, no decode error
  awk -F'\t' -v min="$2" '!/^#/ { n++; if ($8 != 4096 || $9 != 2160 || $10 ~ /E/) bad++ }
    !/^#/ && n == 1 && $10 !~ /K/ { bad++ } END { exit (bad > 0 || n < min) }' "$1" || {
    echo "frame log $1:"; cat "$1"; tail -n 5 "$T"/*.err "$T"/*.out; exit 1; }
}

echo "== synthetic 4096x2160"
unset DISPLAY
tty_host s --source synthetic --size 4096x2160
viewer vs --code "$CODE" --max-frames 30 --frame-log "$T/synth.log" --dump-dir "$T/dump" \
  --dump-format i420 --dump-every 10
wait_line "Allow? \[y/N\]" "$T/s.out"
echo y >"$T/s.in"
rc=0; wait "$VPID" || rc=$?
[ "$rc" -eq 0 ] || { echo "viewer exit $rc, want 0"; cat "$T/vs.out" "$T/vs.err"; exit 1; }
check_log "$T/synth.log" 30
"$B/tests/viewer_refcheck" 4096x2160 30 $(ls "$T"/dump/frame-*.yuv | sort)

echo "== X11 capture of a 4096x2160 screen"
xvfb_start 4096x2160x24
xsetroot -solid '#204060'
tty_host x
viewer vx --code "$CODE" --frame-log "$T/x11.log"
wait_line "Allow? \[y/N\]" "$T/x.out"
echo y >"$T/x.in"
wait_line "K$" "$T/x11.log" 30 >/dev/null
# typing at the far right edge of the screen, then a change across its whole width
"$B/bench/typist" 40 20 >/dev/null
for c in '#602040' '#206040'; do xsetroot -solid "$c"; sleep 0.3; done
sleep 1
echo end >"$T/x.in"
rc=0; wait "$VPID" || rc=$?
[ "$rc" -eq 3 ] || { echo "viewer exit $rc, want 3 (the customer ended)"; cat "$T/vx.err"; exit 1; }
check_log "$T/x11.log" 3 # a keyframe and changes after it (a slow build merges them into fewer)
echo PASS
