#!/usr/bin/env bash
# GUI test of the viewer's monitor switch: the customer's desktop is a second Xvfb made two
# XRandR monitors (green left, blue right, 1280x800 each) that a real sasae-host captures;
# the viewer window runs on the operator's display. F6 goes from all monitors (green left,
# blue right in the picture) to monitor 1 (the picture turns green), monitor 2 (blue) and all
# again, with the host logging each switch and no second prompt. (The toolbar's Monitor
# button calls the same function; this test does not click it.)
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
. "$SASAE_SRC/tests/integration/viewer_lib.sh"
viewer_start_xvfb 1280x800x24
OP_DISPLAY=$DISPLAY OP_XVFB=$XVFB_PID
viewer_start_xvfb 2560x800x24
CUST=$DISPLAY CUST_XVFB=$XVFB_PID
export DISPLAY=$OP_DISPLAY XVFB_PID=$OP_XVFB
trap 'rc=$?; set +e; reap_all; kill $CUST_XVFB 2>/dev/null; wait $CUST_XVFB 2>/dev/null; viewer_cleanup; (exit $rc); cleanup' EXIT
export SDL_VIDEODRIVER=x11
xrandr -display "$CUST" --setmonitor LEFT 1280/338x800/211+0+0 screen >/dev/null
xrandr -display "$CUST" --setmonitor RIGHT 1280/338x800/211+1280+0 none
[ "$(xrandr -display "$CUST" --listmonitors | head -1)" = "Monitors: 2" ]
convert -size 2560x800 xc:'#20a040' -fill '#2050c0' -draw 'rectangle 1280,0 2559,799' "$T/bg.png"
display -display "$CUST" -window root "$T/bg.png" 2>/dev/null || true

tty_host m1 --source x11 --display "$CUST"
SASAE_LANG=en "$B/viewer/sasae-viewer" --relay "$URL" --relay-ca "$C/ca.pem" --cert "$OPC" \
    --key "$OPK" --size 1000x700 --code "$CODE" >"$T/m1v.out" 2>"$T/m1v.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/m1.out"
echo y >"$T/m1.in"
wait_line "^state=viewing" "$T/m1v.out"
wait_line "host monitors: 2, sharing all" "$T/m1v.err"
viewer_find_window
# centre of the picture area (1000x626 below the 44 px toolbar): (500, 357)
picture_is() { # R G B: the picture's centre has that colour (+-30), within 10 s
  local i
  for i in $(seq 50); do
    viewer_shot "$T/cur.png"
    viewer_expect_colour "$T/cur.png" $((WIN_X + 500)) $((WIN_Y + 357)) "$@" 30 1 2>/dev/null &&
      return 0
    sleep 0.2
  done
  viewer_expect_colour "$T/cur.png" $((WIN_X + 500)) $((WIN_Y + 357)) "$@" 30 1
}
# all monitors: 2560x800 fitted into 1000x626 is 1000x312 high, centred: the centre is the
# seam; a point left of it is green, right of it blue
sleep 1
viewer_shot "$T/all.png"
viewer_expect_colour "$T/all.png" $((WIN_X + 250)) $((WIN_Y + 357)) 32 160 64 30 1
viewer_expect_colour "$T/all.png" $((WIN_X + 750)) $((WIN_Y + 357)) 32 80 192 30 1
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 357))
xdotool key F6
wait_line "sharing monitor 0: 1280x800 at +0+0" "$T/m1.out" 15
wait_line "host monitors: 2, sharing monitor 0" "$T/m1v.err"
picture_is 32 160 64
# The window keeps its texts as textures: the Monitor button's label, one buffer rewritten
# from "Monitor: 1/2" to "Monitor: 2/2" (the same width: the font's digits are tabular, so
# the toolbar's layout does not move), must show the new text.
toolbar() { convert "$1" -crop 1000x44+"$WIN_X"+"$WIN_Y" +repage "$2"; }
px_diff() { compare -metric AE "$1" "$2" null: 2>&1 | awk '{print int($1)}'; }
sleep 0.5
viewer_shot "$T/mon1.png"
toolbar "$T/mon1.png" "$T/bar1.png"
xdotool key F6
wait_line "sharing monitor 1: 1280x800 at +1280+0" "$T/m1.out" 15
picture_is 32 80 192
sleep 0.5
viewer_shot "$T/mon2.png"
toolbar "$T/mon2.png" "$T/bar2.png"
[ "$(px_diff "$T/bar1.png" "$T/bar2.png")" -gt 10 ] ||
  { echo "the Monitor button still shows its old label (${T}/bar1.png, bar2.png)"; exit 1; }
xdotool key F6
wait_line "sharing all monitors: 2560x800" "$T/m1.out" 15
[ "$(grep -c "Allow? \[y/N\]" "$T/m1.out")" -eq 1 ] || { echo "asked again"; exit 1; }
kill -TERM $VPID
rc=0; wait $VPID || rc=$?
[ $rc -eq 0 ] || { echo "viewer exit $rc"; cat "$T/m1v.err"; exit 1; }
echo PASS
