#!/usr/bin/env bash
# GUI test of sasae-viewer's window under a private Xvfb with the --test-pattern debug
# source: the picture is scaled with its aspect kept (letterbox), 1:1 mode, the cursor,
# the pointer (off again with I: the hand hidden at once), the red pen mapped window ->
# screen coordinates, Ctrl+Z, the toolbar tooltips (English and
# Japanese), the status bar, the operator's End
# button, end screens, English and Japanese.
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
V=$SASAE_BIN/viewer/sasae-viewer
OUT=$(mktemp -d /tmp/viewer-gui.XXXXXX)
trap 'rc=$?; viewer_cleanup; exit "$(proc_status "$rc")"' EXIT
viewer_start_xvfb 1280x800x24
export SDL_VIDEODRIVER=x11
# Keys through XTEST to the window under the pointer (Xvfb has no window manager).
vkey() {
  local x y
  eval "$(xdotool getmouselocation --shell)"
  if [ "$X" -lt "$WIN_X" ] || [ "$Y" -lt "$WIN_Y" ] || [ "$X" -ge $((WIN_X + WIN_W)) ] ||
    [ "$Y" -ge $((WIN_Y + WIN_H)) ]; then
    xdotool mousemove --sync $((WIN_X + WIN_W / 2)) $((WIN_Y + WIN_H / 2))
  fi
  xdotool key --delay 50 "$@"
}

# --- English, fit mode: a 640x360 pattern in a 1000x700 window -----------------------------
SASAE_LANG=en $V --test-pattern 640x360@30 --size 1000x700 >"$OUT/en.out" 2>"$OUT/en.err" &
VIEWER_PID=$!
viewer_wait_line "state=viewing" 20 "$OUT/en.out"
viewer_find_window
# Area below the 44 px toolbar, above the 30 px status bar: 1000x626. Scale 1000/640 =
# 1.5625 -> 1000x563 drawn at y = 44 + (626 - 563) / 2 = 75.
AX=$WIN_X AY=$((WIN_Y + 75)) SW=1000 SH=563
q() { # quadrant centre in root coordinates: q COL ROW
  echo $((AX + SW / 4 + $1 * SW / 2)) $((AY + SH / 4 + $2 * SH / 2))
}
# the first picture may take a moment to be drawn on a busy machine
for i in $(seq 1 20); do
  sleep 0.5
  viewer_shot "$OUT/fit.png"
  viewer_expect_colour "$OUT/fit.png" $(q 0 0) 255 0 0 >/dev/null 2>&1 && break
done
viewer_expect_colour "$OUT/fit.png" $(q 0 0) 255 0 0
viewer_expect_colour "$OUT/fit.png" $(q 1 0) 0 255 0
viewer_expect_colour "$OUT/fit.png" $(q 0 1) 0 0 255
viewer_expect_colour "$OUT/fit.png" $(q 1 1) 255 255 0
# Letterbox bars above and below the picture are the dark background, not picture.
viewer_expect_colour "$OUT/fit.png" $((WIN_X + 500)) $((WIN_Y + 44 + 14)) 24 24 24 12
viewer_expect_colour "$OUT/fit.png" $((WIN_X + 500)) $((WIN_Y + 700 - 30 - 14)) 24 24 24 12
# Status bar: green "viewing" dot at (14, 700 - 15).
viewer_expect_colour "$OUT/fit.png" $((WIN_X + 14)) $((WIN_Y + 685)) 32 160 64 30 1
# Toolbar background.
# (above the buttons, which start 6 px down)
viewer_expect_colour "$OUT/fit.png" $((WIN_X + 700)) $((WIN_Y + 2)) 244 244 244 10 1

# --- Pointer (the default tool): window (250, 300) -> screen ((250.5) / 1.5625, (300 - 75 + .5) / 1.5625)
xdotool mousemove --sync $((WIN_X + 250)) $((WIN_Y + 300))
viewer_wait_line "pointer x=160 y=144 visible=1" 10 "$OUT/en.out"
# Leaving the picture (into the toolbar) hides the marker.
xdotool mousemove --sync $((WIN_X + 250)) $((WIN_Y + 20))
viewer_wait_line "visible=0" 10 "$OUT/en.out"
# Choosing the pointer again (I) turns it off: the hand is hidden at once though the mouse
# stays in the picture, and neither a later move nor the throttle's tick shows it again.
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 300))
viewer_wait_line "pointer x=320 y=144 visible=1" 10 "$OUT/en.out"
HIDES=$(grep -c "^pointer .* visible=0" "$OUT/en.out")
vkey i
for i in $(seq 50); do
  [ "$(grep -c "^pointer .* visible=0" "$OUT/en.out")" -gt "$HIDES" ] && break
  sleep 0.1
done
[ "$(grep -c "^pointer .* visible=0" "$OUT/en.out")" -gt "$HIDES" ] ||
  { echo "turning the pointer off (I) did not hide the hand:"; grep "^pointer" "$OUT/en.out"; exit 1; }
xdotool mousemove --sync $((WIN_X + 550)) $((WIN_Y + 350))
sleep 0.5
[ "$(grep "^pointer" "$OUT/en.out" | tail -1 | grep -c "visible=0")" -eq 1 ] ||
  { echo "the hand came back with the pointer off:"; grep "^pointer" "$OUT/en.out"; exit 1; }

# --- Red pen: P selects it; a drag across the green quadrant ---------------------------------
xdotool mousemove --sync $((WIN_X + 600)) $((WIN_Y + 200))
vkey p
xdotool mousedown 1
for i in $(seq 0 10); do
  xdotool mousemove --sync $((WIN_X + 600 + i * 20)) $((WIN_Y + 200 + i * 5))
  sleep 0.02
done
xdotool mouseup 1
viewer_wait_line "final=1" 10 "$OUT/en.out"
# The first point is window (600, 200) -> screen ((600 + .5) / 1.5625, (200 - 75 + .5) / 1.5625).
grep -q "first=384,80" "$OUT/en.out" || { echo "pen mapped wrongly:"; grep pen "$OUT/en.out"; exit 1; }
sleep 0.5
viewer_shot "$OUT/pen.png"
# The test pattern paints pen points into its frames: the stroke shows as red on green.
# Point 5 is window (700, 225) -> screen (448, 96), painted as a 4x4 square there.
viewer_expect_colour "$OUT/pen.png" $((WIN_X + 700)) $((WIN_Y + 225)) 255 0 0 60 1
# Ctrl+Z takes the whole stroke back (the pattern removes its points)
vkey ctrl+z
viewer_wait_line "pen undo stroke=1 removed=" 10 "$OUT/en.out"
# The toolbar's tooltips: resting on Undo (4th button) shows a pale yellow box below it
xdotool mousemove --sync $((WIN_X + 330)) $((WIN_Y + 22))
sleep 1
viewer_shot "$OUT/tooltip.png"
viewer_expect_colour "$OUT/tooltip.png" $((WIN_X + 304)) $((WIN_Y + 51)) 255 251 224 12 1
xdotool mousemove --sync $((WIN_X + 600)) $((WIN_Y + 300))

# --- 1:1 mode (F2): 640x360 centred in the 1000x626 area at (180, 44 + 133) ------------------
# The toolbar's texts are kept between frames (rendered once): F2 changes the mode button's
# label ("1:1" -> "Fit"), which must show, and F2 again must show the first label exactly.
toolbar() { convert "$1" -crop 1000x44+"$WIN_X"+"$WIN_Y" +repage "$2"; }
px_diff() { compare -metric AE "$1" "$2" null: 2>&1 | awk '{print int($1)}'; }
vkey c
sleep 0.7
viewer_shot "$OUT/fit-again.png"
toolbar "$OUT/fit-again.png" "$OUT/bar-fit.png"
vkey F2
sleep 0.7
viewer_shot "$OUT/one.png"
toolbar "$OUT/one.png" "$OUT/bar-one.png"
[ "$(px_diff "$OUT/bar-fit.png" "$OUT/bar-one.png")" -gt 50 ] ||
  { echo "the mode button's label did not change with F2 (toolbar text kept stale)"; exit 1; }
viewer_expect_colour "$OUT/one.png" $((WIN_X + 180 + 160)) $((WIN_Y + 177 + 90)) 255 0 0
viewer_expect_colour "$OUT/one.png" $((WIN_X + 180 + 480)) $((WIN_Y + 177 + 270)) 255 255 0
viewer_expect_colour "$OUT/one.png" $((WIN_X + 180 - 40)) $((WIN_Y + 177 + 90)) 24 24 24 12
viewer_expect_colour "$OUT/one.png" $((WIN_X + 180 + 640 + 40)) $((WIN_Y + 177 + 90)) 24 24 24 12
vkey F3 F4
sleep 0.7
viewer_shot "$OUT/overlays.png"
vkey F3 F4 F2
sleep 0.7
viewer_shot "$OUT/fit-back.png"
toolbar "$OUT/fit-back.png" "$OUT/bar-back.png"
[ "$(px_diff "$OUT/bar-fit.png" "$OUT/bar-back.png")" -eq 0 ] ||
  { echo "the toolbar differs after F2 twice: $(px_diff "$OUT/bar-fit.png" "$OUT/bar-back.png") px"; exit 1; }

# --- The operator's End button (right end of the toolbar), then Close -------------------------
xdotool mousemove --sync $((WIN_X + 1000 - 60)) $((WIN_Y + 22)) click 1
viewer_wait_line "end=operator-ended exit=0" 10 "$OUT/en.out"
sleep 0.5
viewer_shot "$OUT/ended.png"
# End screen: no picture any more (the red quadrant's place is background).
viewer_expect_colour "$OUT/ended.png" $(q 0 0) 24 24 24 12
# Close button centred at (500, 350 + 60 + 20).
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 430)) click 1
rc=0; wait $VIEWER_PID || rc=$?
VIEWER_PID=
[ "$rc" -eq 0 ] || { echo "exit code $rc, want 0"; exit 1; }

# --- Japanese, and an end reason coming from the other side --------------------------------
SASAE_LANG=ja $V --test-pattern 1920x1080@20 --test-end customer-ended@5000 --size 1000x700 \
  >"$OUT/ja.out" 2>"$OUT/ja.err" &
VIEWER_PID=$!
viewer_wait_line "state=viewing" 20 "$OUT/ja.out"
viewer_find_window
sleep 1
viewer_shot "$OUT/ja-view.png"
# 1920x1080 at scale 1000/1920: 1000x563, same place as above.
viewer_expect_colour "$OUT/ja-view.png" $(q 1 0) 0 255 0
# a tooltip in Japanese: resting on the first button (指さし) shows the box with glyphs in it
xdotool mousemove --sync $((WIN_X + 30)) $((WIN_Y + 22))
sleep 1
viewer_shot "$OUT/ja-tooltip.png"
viewer_expect_colour "$OUT/ja-tooltip.png" $((WIN_X + 12)) $((WIN_Y + 51)) 255 251 224 12 1
dark=$(convert "$OUT/ja-tooltip.png" -crop 200x20+$((WIN_X + 16))+$((WIN_Y + 53)) +repage \
  -colorspace gray -threshold 40% -negate -format "%[fx:round(mean*w*h)]" info:)
[ "$dark" -gt 60 ] || { echo "no text in the Japanese tooltip ($dark dark px)"; exit 1; }
viewer_wait_line "end=customer-ended exit=3" 20 "$OUT/ja.out"
sleep 0.5
viewer_shot "$OUT/ja-ended.png"
# Red status dot for an end the operator did not choose.
viewer_expect_colour "$OUT/ja-ended.png" $((WIN_X + 14)) $((WIN_Y + 685)) 208 48 48 30 1
vkey Return
rc=0; wait $VIEWER_PID || rc=$?
VIEWER_PID=
[ "$rc" -eq 3 ] || { echo "exit code $rc, want 3 (customer ended)"; exit 1; }

# --- Code entry: typed digits are grouped, Escape closes ------------------------------------
SASAE_LANG=en $V --size 1000x700 >"$OUT/code.out" 2>&1 &
VIEWER_PID=$!
viewer_find_window
xdotool mousemove --sync $((WIN_X + 20)) $((WIN_Y + 20)); xdotool type --delay 30 "12345"
sleep 0.5
viewer_shot "$OUT/code.png"
vkey Escape
rc=0; wait $VIEWER_PID || rc=$?
VIEWER_PID=
[ "$rc" -eq 0 ] || { echo "code box: exit code $rc"; exit 1; }
echo "screenshots in $OUT"
