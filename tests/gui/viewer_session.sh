#!/usr/bin/env bash
# GUI test of a real session under a private Xvfb: relay, host (synthetic 640x480 source,
# consent on its terminal) and the viewer window. The status shows "waiting for the
# customer to allow", then the host's screen appears (1:1, compared with the source by
# PSNR), then the operator's End button ends the session (host told, exit 0); a second
# session shows the customer's end in Japanese (exit 3).
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
. "$SASAE_SRC/tests/integration/viewer_lib.sh"
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
# Request control (4th toolbar button); the customer allows on the terminal; keys typed in
# the window then go to the host; the customer takes control back with "stop".
xdotool mousemove --sync $((WIN_X + 318)) $((WIN_Y + 22)) click 1
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
# --- Red pen on the customer's real screen: a host capturing this Xvfb (x11 source) ----------
# The host's click-through overlay draws the strokes on the X screen. The viewer shows the
# 1280x800 screen fitted into 1000x626 at (0, 44), scale 0.78125: window point (400, 325)
# maps to screen (512, 360), where the stroke must appear on the real screen.
tty_host g4 --source x11
gui_viewer g4v en --code "$CODE"
wait_line "Allow? \[y/N\]" "$T/g4.out"
echo y >"$T/g4.in"
wait_line "^state=viewing" "$T/g4v.out"
viewer_find_window
sleep 1
xdotool mousemove --sync $((WIN_X + 300)) $((WIN_Y + 300))
xdotool key p
xdotool mousedown 1
for i in $(seq 0 10); do
  xdotool mousemove --sync $((WIN_X + 300 + i * 20)) $((WIN_Y + 300 + i * 5))
  sleep 0.03
done
xdotool mouseup 1
xdotool mousemove --sync 5 5
sleep 1.5
viewer_shot "$T/pen-x11.png"
viewer_expect_colour "$T/pen-x11.png" 512 360 224 16 16 70 1
python3 - "$T/pen-x11.png" <<'PY'
import subprocess, sys
ppm = subprocess.run(["convert", sys.argv[1], "-crop", "1x1+512+330", "-depth", "8", "ppm:-"], check=True, capture_output=True).stdout
r, g, b = ppm.split(maxsplit=4)[4][:3]
sys.exit(1 if r > 150 and g < 80 and b < 80 else 0)  # 30 px above the stroke: not red
PY
echo end >"$T/g4.in"
wait_line "^end=customer-ended exit=3" "$T/g4v.out"
# the operator closes the viewer (SIGTERM, as a desktop logout would): it exits with the
# session's own end, customer-ended (3)
kill -TERM $VPID
rc=0; wait $VPID || rc=$?
[ "$rc" -eq 3 ] || { echo "viewer exit $rc after SIGTERM on an ended session, want 3"; exit 1; }
echo "viewer GUI session: passed ($(tail -1 "$T/psnr.txt")); screenshots in $T"
trap 'rc=$?; set +e; reap_all; viewer_cleanup; (exit $rc); cleanup' EXIT
