#!/usr/bin/env bash
# GUI test of the viewer's file button: relay, a host with its terminal UI, the SDL viewer on
# Xvfb driven with xdotool. Hovering the toolbar's "Send file…" shows its tooltip; a click
# opens the path prompt, a typed path and Enter offer the file, the customer saves it and it
# arrives intact. F5 opens the same prompt from the keyboard; while that file waits for the
# customer the button reads "Cancel transfer", and a click on it withdraws the offer: the
# customer's question goes, they are told, nothing is written.
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
. "$SASAE_SRC/tests/integration/viewer_lib.sh"
trap 'rc=$?; set +e; reap_all; viewer_cleanup; (exit $rc); cleanup' EXIT
viewer_start_xvfb 1280x800x24
export SDL_VIDEODRIVER=x11
DL=$T/dl SRC=$T/src
mkdir -p "$DL" "$SRC"
head -c 300000 /dev/urandom >"$SRC/report.bin"
head -c 200000 /dev/urandom >"$SRC/withdrawn.bin"

d=$DISPLAY
unset DISPLAY
tty_host f1 --source synthetic --size 640x480 --download-dir "$DL"
export DISPLAY=$d
# the viewer's language (the host's terminal stays in English: the test reads its questions)
VLANG=${SASAE_VIEWER_LANG:-en}
SASAE_LANG=$VLANG "$B/viewer/sasae-viewer" --relay "$URL" --relay-ca "$C/ca.pem" \
  --cert "$OPC" --key "$OPK" --size 1200x700 --code "$CODE" >"$T/f1v.out" 2>"$T/f1v.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/f1.out"
echo y >"$T/f1.in"
wait_line "^state=viewing" "$T/f1v.out"
viewer_find_window
sleep 1
xset r off # a loaded machine holds a key long enough for autorepeat

# the toolbar's buttons: runs of non-background pixels along a row inside the buttons (above
# their labels); prints "x0 x1" per button, left to right
buttons() {
  viewer_shot "$T/tb.png"
  convert "$T/tb.png" -crop "${WIN_W}x1+${WIN_X}+$((WIN_Y + 9))" +repage -depth 8 txt:- |
    awk -F'[,: ]+' 'NR > 1 { bg = ($0 ~ /#F4F4F4/); if (!bg && s < 0) s = $1; if (bg && s >= 0) { print s, $1 - 1; s = -1 } }
                    BEGIN { s = -1 }'
}
# Pointer, Red pen, Highlighter, Undo, Clear, Request control, Send file…, 1:1, End
read -r FX0 FX1 < <(buttons | sed -n 7p)
[ -n "$FX0" ] || { echo "no 7th toolbar button"; buttons; exit 1; }
FX=$(((FX0 + FX1) / 2))
echo "file button at x $FX0..$FX1"

echo "== hover: the tooltip"
xdotool mousemove --sync $((WIN_X + FX)) $((WIN_Y + 22))
sleep 1.2
viewer_shot "$T/tip.png"
# the tooltip's pale yellow box just under the toolbar, from the button's left edge
viewer_expect_colour "$T/tip.png" $((WIN_X + FX0 + 12)) $((WIN_Y + 44 + 14)) 255 251 224 8 2 ||
  { echo "no tooltip under the file button"; exit 1; }
guide_img "$T/tip.png" "operator-toolbar-$VLANG" "${WIN_W}x90+$WIN_X+$WIN_Y"
guide_img "$T/tip.png" "operator-viewer-$VLANG" "${WIN_W}x$WIN_H+$WIN_X+$WIN_Y" 50%

echo "== click: the path prompt; type a path, Enter: offered, saved"
xdotool click 1
sleep 0.5
viewer_shot "$T/prompt.png"
# the prompt's dark blue strip above the status bar
viewer_expect_colour "$T/prompt.png" $((WIN_X + 40)) $((WIN_Y + WIN_H - 30 - 12)) 32 48 72 8 2 ||
  { echo "no path prompt after the click"; exit 1; }
xdotool type --delay 20 "$SRC/report.bin"
sleep 0.3
viewer_shot "$T/prompt2.png"
guide_img "$T/prompt2.png" "operator-send-file-$VLANG" "${WIN_W}x80+$WIN_X+$((WIN_Y + WIN_H - 80))"
xdotool key Return
wait_line "Save it? \[y = save" "$T/f1.out"
grep -q "report.bin (293.0 KB)" "$T/f1.out" || { echo "offer not as typed"; grep -A3 "File from" "$T/f1.out"; exit 1; }
echo y >"$T/f1.in"
wait_line "Saved: .*report.bin" "$T/f1.out"
cmp "$SRC/report.bin" "$DL/report.bin" || { echo "the file differs"; exit 1; }

echo "== F5: the prompt from the keyboard; Cancel transfer withdraws the offer"
xdotool mousemove --sync $((WIN_X + 600)) $((WIN_Y + 350))
xdotool key F5
# the prompt shows (text input on) before anything is typed into it
for _ in $(seq 25); do
  viewer_shot "$T/prompt3.png"
  viewer_expect_colour "$T/prompt3.png" $((WIN_X + 40)) $((WIN_Y + WIN_H - 30 - 12)) 32 48 72 8 2 \
    2>/dev/null && break
  sleep 0.2
done
sleep 0.3
xdotool type --delay 20 "$SRC/withdrawn.bin"
xdotool key Return
wait_line "withdrawn.bin (195.3 KB)" "$T/f1.out"
read -r CX0 CX1 < <(buttons | sed -n 7p)
xdotool mousemove --sync $((WIN_X + (CX0 + CX1) / 2)) $((WIN_Y + 22)) click 1
wait_line "The operator stopped sending withdrawn.bin" "$T/f1.out"
sleep 0.5
[ ! -e "$DL/withdrawn.bin" ] || { echo "a withdrawn file was written"; exit 1; }
[ -z "$(find "$DL" -name '*.sasae-part')" ] || { echo "a partial file was left"; exit 1; }
[ "$CX1" -ne "$FX1" ] || { echo "the button did not become 'Cancel transfer' (another width)"; exit 1; }

# End (right end of the toolbar)
xdotool mousemove --sync $((WIN_X + 1200 - 60)) $((WIN_Y + 22)) click 1
wait_line "^end=operator-ended exit=0" "$T/f1v.out"
echo PASS
