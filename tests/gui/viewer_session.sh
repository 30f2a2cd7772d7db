#!/usr/bin/env bash
# GUI test of a real session under a private Xvfb: relay, host (synthetic 640x480 source,
# consent on its terminal) and the viewer window. The status shows "waiting for the
# customer to allow", then the host's screen appears (1:1, compared with the source by
# PSNR), then the operator's End button ends the session (host told, exit 0); a second
# session shows the customer's end in Japanese (exit 3). Then the annotations on the
# customer's real screen (a second X display the host captures): the operator points and the
# hand's fingertip appears at the mapped position (+-4 px) there and in the viewer, and
# leaves at once (not by its 3 s fade) when the pointer is chosen again (off); strokes
# appear red along their path there and in the viewer; Ctrl+Z and the Undo button remove
# only the last stroke; the highlighter is thick; Clear removes all; the customer's End while
# the operator draws leaves no red pixel and no hand.
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
. "$SASAE_SRC/tests/integration/viewer_lib.sh"
. "$SASAE_SRC/tests/gui/xvfb.sh" # person_click
trap 'rc=$?; set +e; reap_all; viewer_cleanup; (exit $rc); cleanup' EXIT
viewer_start_xvfb 1280x800x24
export SDL_VIDEODRIVER=x11

gui_viewer() { # OUT LANG ARGS...
  local out=$1 lang=$2
  shift 2
  SASAE_LANG=$lang "$B/viewer/sasae-viewer" --relay "$URL" --relay-ca "$C/ca.pem" \
    --cert "$OPC" --key "$OPK" --size 1000x700 "$@" >"$T/$out.out" 2>"$T/$out.err" &
  VPID=$!
  PIDS+=($VPID)
}

# --- English: waiting for consent, the screen at 1:1, the End button -------------------------
start_host g1
gui_viewer g1v en --code "$CODE" --one-to-one
wait_line "^state=waiting-for-consent" "$T/g1v.out"
viewer_find_window
sleep 0.7
viewer_shot "$T/waiting.png"
# Blue "in progress" status dot while waiting.
viewer_expect_colour "$T/waiting.png" $((WIN_X + 14)) $((WIN_Y + 685)) 48 112 208 30 1
grep -q "^host-fingerprint=SHA256:" "$T/g1v.out"
wait_line "Allow? \[y/N\]" "$T/g1.out"
echo y >"$T/g1.in"
wait_line "^state=viewing" "$T/g1v.out"
sleep 2
viewer_shot "$T/viewing.png"
viewer_expect_colour "$T/viewing.png" $((WIN_X + 14)) $((WIN_Y + 685)) 32 160 64 30 1
# 1:1: the 640x480 screen centred in the 1000x626 area below the toolbar: (180, 44 + 73).
convert "$T/viewing.png" -crop 640x480+$((WIN_X + 180))+$((WIN_Y + 117)) +repage "$T/screen.ppm"
"$B/tests/viewer_refcheck" 640x480 28 "$T/screen.ppm" | tee "$T/psnr.txt"
# Request control (6th toolbar button: Pointer, Red pen, Highlighter, Undo, Clear, Request
# control); the customer allows on the terminal; keys typed in the window then go to the
# host; the customer takes control back with "stop".
xdotool mousemove --sync $((WIN_X + 509)) $((WIN_Y + 22)) click 1
wait_line "^state=viewing control=requested" "$T/g1v.out"
wait_line "Allow control? \[y/N\]" "$T/g1.out"
echo y >"$T/g1.in"
wait_line "^state=viewing control=granted" "$T/g1v.out"
sleep 0.5
viewer_shot "$T/control.png"
viewer_expect_colour "$T/control.png" $((WIN_X + 14)) $((WIN_Y + 685)) 224 160 0 30 1
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 350))
xdotool key --delay 40 h e l l o
sleep 0.5
echo stop >"$T/g1.in"
wait_line "^state=viewing control=none" "$T/g1v.out"
# The End button at the right end of the toolbar.
xdotool mousemove --sync $((WIN_X + 1000 - 60)) $((WIN_Y + 22)) click 1
wait_line "^end=operator-ended exit=0" "$T/g1v.out"
wait_line "operator ended" "$T/g1.out" 15
# The host received the forwarded keys (it has no display to inject them into here).
wait_line "inputs injected" "$T/g1.out" 15
grep -o "[0-9]* inputs injected, [0-9]* dropped" "$T/g1.out" | awk '{ exit ($1 + $4 >= 10) ? 0 : 1 }' || {
  echo "host did not receive the keys:"; grep "inputs" "$T/g1.out"; exit 1; }
sleep 0.5
viewer_shot "$T/ended.png"
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 430)) click 1
rc=0; wait $VPID || rc=$?
[ $rc -eq 0 ] || { echo "viewer exit $rc, want 0"; cat "$T/g1v.out" "$T/g1v.err"; exit 1; }

# --- Japanese: the code typed into the code box, then the customer ends ----------------------
start_host g2
gui_viewer g2v ja
viewer_find_window
sleep 0.5
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 200))
xdotool type --delay 40 "${CODE// /}"
sleep 0.3
viewer_shot "$T/ja-code.png"
xdotool key Return
wait_line "Allow? \[y/N\]" "$T/g2.out"
echo y >"$T/g2.in"
wait_line "^state=viewing" "$T/g2v.out"
viewer_find_window
sleep 1.5
viewer_shot "$T/ja-viewing.png"
# Fit: 640x480 scaled to 626 high (834.7 wide) in the 1000x626 area; the synthetic desktop
# is visible (not the dark background) in the middle.
python3 - "$T/ja-viewing.png" $((WIN_X + 500)) $((WIN_Y + 357)) <<'PY'
import subprocess, sys
f, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ppm = subprocess.run(["convert", f, "-crop", f"1x1+{x}+{y}", "-depth", "8", "ppm:-"], check=True, capture_output=True).stdout
c = ppm.split(maxsplit=4)[4][:3]
sys.exit(0 if max(c) > 60 else 1)
PY
kill -TERM $HPID
wait_line "^end=customer-ended exit=3" "$T/g2v.out"
sleep 0.5
viewer_shot "$T/ja-ended.png"
viewer_expect_colour "$T/ja-ended.png" $((WIN_X + 14)) $((WIN_Y + 685)) 208 48 48 30 1
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 350)); xdotool key Return
rc=0; wait $VPID || rc=$?
[ $rc -eq 3 ] || { echo "viewer exit $rc, want 3"; cat "$T/g2v.out" "$T/g2v.err"; exit 1; }
# --- Closing the window (SIGTERM -> SDL_QUIT) mid-session still tells the customer ------------
start_host g3
gui_viewer g3v en --code "$CODE"
wait_line "Allow? \[y/N\]" "$T/g3.out"
echo y >"$T/g3.in"
wait_line "^state=viewing" "$T/g3v.out"
kill -TERM $VPID
rc=0; wait $VPID || rc=$?
[ $rc -eq 0 ] || { echo "closed window: viewer exit $rc, want 0"; cat "$T/g3v.out" "$T/g3v.err"; exit 1; }
grep -q "^end=operator-ended exit=0" "$T/g3v.out"
wait_line "operator ended" "$T/g3.out" 15
# --- Pointing hand and red pen on the customer's real screen: two X displays ----------------
# The customer's desktop is a second Xvfb that the host captures (x11 source) and draws on
# with its click-through overlay; the viewer runs on the operator's display. The viewer
# shows the 1280x800 screen fitted into 1000x626 at (0, 44), scale 0.78125: window point
# (wx, wy) is screen point (wx / 0.78125, (wy - 44) / 0.78125).
OP_DISPLAY=$DISPLAY OP_XVFB=$XVFB_PID
viewer_start_xvfb 1280x800x24
CUST=$DISPLAY CUST_XVFB=$XVFB_PID
export DISPLAY=$OP_DISPLAY XVFB_PID=$OP_XVFB
trap 'rc=$?; set +e; reap_all; kill $CUST_XVFB 2>/dev/null; wait $CUST_XVFB 2>/dev/null; viewer_cleanup; (exit $rc); cleanup' EXIT
xsetroot -display "$CUST" -solid '#204060'
cust_shot() { import -display "$CUST" -window root "$1"; }
# px_stats PNG X0 Y0 X1 Y1 KIND: "count minx miny maxx maxy meanx_of_top_row" of the pixels
# of KIND (red: the pen; hand: the hand's yellow fill) in the box.
px_stats() {
  python3 - "$@" <<'PY'
import subprocess, sys
f, x0, y0, x1, y1, kind = sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6]
import re
ppm = subprocess.run(["convert", f, "-depth", "8", "ppm:-"], check=True, capture_output=True).stdout
# the header ends at exactly one whitespace byte: the first pixel may be a "space" (0x20)
m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
w = int(m.group(1)); d = ppm[m.end():]
hits = []
for y in range(max(y0, 0), y1):
    for x in range(max(x0, 0), x1):
        o = (y * w + x) * 3
        r, g, b = d[o], d[o + 1], d[o + 2]
        if kind == "red" and r > 190 and g < 70 and b < 70:
            hits.append((x, y))
        if kind == "hand" and r > 200 and 170 < g < 235 and b < 70:
            hits.append((x, y))
if not hits:
    print("0 -1 -1 -1 -1 -1"); sys.exit(0)
xs = [h[0] for h in hits]; ys = [h[1] for h in hits]
top = [h[0] for h in hits if h[1] == min(ys)]
print(len(hits), min(xs), min(ys), max(xs), max(ys), sum(top) // len(top))
PY
}
# until_px TRIES PNG-TAKER BOX KIND TEST: retakes the screenshot until the test on the stats
# (count, minx, miny, maxx, maxy, topx) holds. $BEFORE_SHOT (if set) runs before each.
until_px() {
  local tries=$1 shot=$2 box=$3 kind=$4 test=$5 i
  for i in $(seq "$tries"); do
    ${BEFORE_SHOT:-true}
    $shot "$T/cur.png"
    read -r N MINX MINY MAXX MAXY TOPX < <(px_stats "$T/cur.png" $box "$kind")
    if eval "$test"; then return 0; fi
    sleep 0.2
  done
  echo "not seen ($kind in $box, $test): n=$N x=$MINX..$MAXX y=$MINY..$MAXY top x=$TOPX" >&2
  return 1
}
drag() { # drag X0 Y0 X1 Y1 (window coordinates): a pen stroke in 10 steps
  xdotool mousemove --sync $((WIN_X + $1)) $((WIN_Y + $2)) mousedown 1
  for i in $(seq 1 10); do
    xdotool mousemove --sync $((WIN_X + $1 + ($3 - $1) * i / 10)) $((WIN_Y + $2 + ($4 - $2) * i / 10))
    sleep 0.03
  done
  xdotool mouseup 1
}
tty_host g4 --source x11 --display "$CUST"
gui_viewer g4v en --code "$CODE"
wait_line "Allow? \[y/N\]" "$T/g4.out"
echo y >"$T/g4.in"
wait_line "^state=viewing" "$T/g4v.out"
viewer_find_window
sleep 1
# The pointer (the default tool) at window (400, 325) = screen (512, 360): the hand's
# fingertip (the top of its yellow finger) is there on the customer's screen, +-4 px.
# (the hand fades after 3 s without movement: on a slow machine each look moves the mouse
# off the point and back first)
point_at() {
  xdotool mousemove --sync $((WIN_X + 390)) $((WIN_Y + 320))
  sleep 0.05
  xdotool mousemove --sync $((WIN_X + 400)) $((WIN_Y + 325))
  sleep 0.15
}
BEFORE_SHOT=point_at
until_px 15 cust_shot "470 320 600 480" hand '[ "$N" -gt 300 ] && [ $((TOPX - 512)) -ge -4 ] && [ $((TOPX - 512)) -le 4 ] && [ $((MINY - 360)) -ge -4 ] && [ $((MINY - 360)) -le 4 ]' ||
  { echo "pointing hand not at (512, 360) on the customer's screen"; exit 1; }
cp "$T/cur.png" "$T/hand-customer.png"
echo "hand on the customer's screen: fingertip at ($TOPX, $MINY) for (512, 360), $N px of fill"
# ...and in the viewer, in the video of the customer's screen
until_px 15 viewer_shot "$((WIN_X + 370)) $((WIN_Y + 300)) $((WIN_X + 470)) $((WIN_Y + 420))" hand '[ "$N" -gt 100 ]' ||
  { echo "pointing hand not in the viewer's picture"; exit 1; }
# Choosing the pointer again (I) turns it off: the hand leaves the customer's screen at once,
# not by its own fade 3 s after the last move (measured from the key press, which comes after
# that move; a fading hand loses its yellow within the first 0.1 s of its 0.6 s fade).
until_px 15 cust_shot "470 320 600 480" hand '[ "$N" -gt 300 ]' || { echo "hand not back"; exit 1; }
BEFORE_SHOT=
T_OFF=$(date +%s%N)
xdotool key i
until_px 15 cust_shot "470 320 600 480" hand '[ "$N" -eq 0 ]' ||
  { echo "the hand stayed on the customer's screen with the pointer off"; exit 1; }
MS_OFF=$((($(date +%s%N) - T_OFF) / 1000000))
[ "$MS_OFF" -lt 2500 ] ||
  { echo "the hand went ${MS_OFF} ms after the pointer was turned off: its fade, not a hide"; exit 1; }
echo "pointer off (I): the hand left the customer's screen within ${MS_OFF} ms"
# Two strokes with the red pen (P): window y 300 and y 450 -> screen y 506 and 520.
xdotool key p
drag 300 300 500 300 # screen (384..640, 328)
until_px 15 cust_shot "380 318 650 340" red '[ "$N" -gt 300 ] && [ "$MINX" -le 392 ] && [ "$MAXX" -ge 632 ]' ||
  { echo "first stroke not on the customer's screen"; exit 1; }
drag 300 450 500 450 # screen (384..640, 520)
until_px 15 cust_shot "380 510 650 530" red '[ "$N" -gt 300 ]' ||
  { echo "second stroke not on the customer's screen"; exit 1; }
# the strokes are red along their path only (nothing between them)
read -r N _ < <(px_stats "$T/cur.png" 380 345 650 505 red)
[ "$N" -eq 0 ] || { echo "$N red pixels between the strokes"; exit 1; }
# ...and in the viewer's next frames (the video of the customer's screen)
until_px 15 viewer_shot "$((WIN_X + 300)) $((WIN_Y + 290)) $((WIN_X + 500)) $((WIN_Y + 310))" red '[ "$N" -gt 100 ]' ||
  { echo "first stroke not in the viewer's picture"; exit 1; }
# Ctrl+Z takes back the last stroke only
xdotool key ctrl+z
until_px 15 cust_shot "380 510 650 530" red '[ "$N" -eq 0 ]' ||
  { echo "undo did not remove the second stroke"; exit 1; }
read -r N _ < <(px_stats "$T/cur.png" 380 318 650 340 red)
[ "$N" -gt 300 ] || { echo "undo removed the first stroke too ($N red px left)"; exit 1; }
# the toolbar's Undo button (4th) does the same
drag 300 450 500 450
until_px 15 cust_shot "380 510 650 530" red '[ "$N" -gt 300 ]' || { echo "stroke 3 not drawn"; exit 1; }
person_click $((WIN_X + 330)) $((WIN_Y + 22))
until_px 15 cust_shot "380 510 650 530" red '[ "$N" -eq 0 ]' ||
  { echo "the Undo button did not remove the last stroke"; exit 1; }
read -r N _ < <(px_stats "$T/cur.png" 380 318 650 340 red)
[ "$N" -gt 300 ] || { echo "the Undo button removed an older stroke too"; exit 1; }
# a thick stroke with the highlighter (H): 24 px on the customer's screen
xdotool key h
drag 300 400 500 400 # screen y 456
until_px 15 cust_shot "380 430 650 480" red '[ "$N" -gt 2000 ] && [ $((MAXY - MINY)) -ge 20 ]' ||
  { echo "highlighter stroke not thick on the customer's screen"; exit 1; }
# Clear (C) removes everything
xdotool key c
until_px 15 cust_shot "0 0 1280 800" red '[ "$N" -eq 0 ]' || { echo "clear left red pixels"; exit 1; }
# End while drawing: the customer ends with the pen down; nothing red stays on their screen
xdotool key p
xdotool mousemove --sync $((WIN_X + 300)) $((WIN_Y + 500)) mousedown 1
for i in $(seq 1 8); do
  xdotool mousemove --sync $((WIN_X + 300 + i * 20)) $((WIN_Y + 500))
  sleep 0.05
done
until_px 15 cust_shot "380 560 650 590" red '[ "$N" -gt 50 ]' || { echo "stroke while drawing not shown"; exit 1; }
echo end >"$T/g4.in"
wait_line "^end=customer-ended exit=3" "$T/g4v.out"
xdotool mousemove --sync $((WIN_X + 480)) $((WIN_Y + 500))
xdotool mouseup 1
sleep 0.5
cust_shot "$T/ended-customer.png"
read -r N _ < <(px_stats "$T/ended-customer.png" 0 0 1280 800 red)
[ "$N" -eq 0 ] || { echo "$N red pixels left on the customer's screen after End"; exit 1; }
read -r N _ < <(px_stats "$T/ended-customer.png" 0 0 1280 800 hand)
[ "$N" -eq 0 ] || { echo "$N hand pixels left on the customer's screen after End"; exit 1; }
# the operator closes the viewer (SIGTERM, as a desktop logout would): it exits with the
# session's own end, customer-ended (3)
kill -TERM $VPID
rc=0; wait $VPID || rc=$?
[ "$rc" -eq 3 ] || { echo "viewer exit $rc after SIGTERM on an ended session, want 3"; exit 1; }
echo "viewer GUI session: passed ($(tail -1 "$T/psnr.txt")); screenshots in $T"
