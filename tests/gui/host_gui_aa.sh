#!/usr/bin/env bash
# The overlay on a composited desktop (xcompmgr on the customer's Xvfb): the host draws the
# operator's pen stroke and pointing hand in a 32-bit ARGB window with XRender, antialiased.
# Across the stroke's edge there are pixels between the pen's red and the desktop's colour
# (the shaped window without a compositor has none: red or desktop only); the hand shows; the
# desktop beside the stroke stays as it was (the window is transparent there); clicks pass
# through to the session bar (End ends).
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
hl_pki
hl_relay
command -v xcompmgr >/dev/null || hl_fail "xcompmgr is not installed (Debian package xcompmgr)"
xcompmgr >"$HL_DIR/xcompmgr.log" 2>&1 &
COMP_PID=$!
trap 'rc=$?; set +e; kill $COMP_PID 2>/dev/null; wait $COMP_PID 2>/dev/null; (exit $rc); host_gui_cleanup' EXIT
wait_for bash -c "xprop -root _NET_SUPPORTING_WM_CHECK >/dev/null 2>&1; kill -0 $COMP_PID" ||
    hl_fail "xcompmgr did not start"
sleep 1
SHOTS=$HL_DIR/shots
mkdir -p "$SHOTS"

HL_HOST_OUT=$HL_DIR/host.out
HL_HOST_LOG=$HL_DIR/host.log
SASAE_LANG=en "$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" \
    --consent gui --source x11 --no-proxy >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 20 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
hl_viewer --timeout 60 --draw
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
read -r X Y W H < <(window_geom sasae 620)
sleep 1
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
hl_wait 10 hl_vsaw "drew" || hl_fail "viewer did not draw"
xdotool mousemove 5 795
grep -q "\[overlay\] composited desktop: per-pixel alpha" "$HL_HOST_LOG" ||
    hl_fail "the overlay did not take the composited path: $(grep overlay "$HL_HOST_LOG")"
shot_until "$SHOTS/aa.png" 640 412 "255,212,0" || hl_fail "no pointing hand"
shot_until "$SHOTS/aa.png" 400 300 "255,0,0" || hl_fail "no pen stroke on screen"
# (xcompmgr paints the desktop its own grey: the root has no background picture)
bg=$(pixel "$SHOTS/aa.png" 400 360)
[ "$(pixel "$SHOTS/aa.png" 400 320)" = "$bg" ] || hl_fail "overlay hides the desktop beside the stroke"
# the column x=400 across the stroke (y=300): red core, blended edge pixels, desktop
col=$(for y in $(seq 292 308); do pixel "$SHOTS/aa.png" 400 "$y"; done)
echo "desktop $bg; column at x=400, y 292..308:" $col
bgg=$(cut -d, -f2 <<<"$bg")
blended=$(tr ' ' '\n' <<<"$col" | awk -F, -v g="$bgg" '$2 > 4 && $2 < g - 4 && $1 > $2' | wc -l)
[ "$blended" -ge 2 ] || hl_fail "no antialiased edge pixels across the stroke"
guide_img "$SHOTS/aa.png" overlay-antialiased 560x240+180+250

xdotool mousemove $((210 + 860 - 30)) 30 click 1
hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "End click did not end (through the overlay)"
wait_for window_sized sasae 620 250 || hl_fail "no ended window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host did not exit on Close"
wait "$HOST_PID" || hl_fail "host exit status"
HOST_PID=
echo PASS
