#!/usr/bin/env bash
# GUI test of the real sasae-host under Xvfb, driven with xdotool, with the real relay and
# the test viewer: the support code window, the consent prompt (click Allow), the session
# bar, the operator's pen stroke and pointing marker on the real screen (and in the video the
# operator decodes), clicks passing through the overlay, End remote support (frames stop, END
# reaches the viewer), the "session ended" window and Close. Screenshots checked by pixel.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
hl_pki
hl_relay
SHOTS=$HL_DIR/shots
mkdir -p "$SHOTS"
shot() { import -window root "$SHOTS/$1.png"; }
count_colour() { # count_colour PNG '#rrggbb' -> pixels of exactly that colour
    convert "$1" -fill black +opaque "$2" -fill white -opaque "$2" -colorspace gray \
        -format "%[fx:round(mean*w*h)]" info:
}

LANGV=${SASAE_LANG:-en}
HL_HOST_OUT=$HL_DIR/host.out
HL_HOST_LOG=$HL_DIR/host.log
SASAE_LANG=$LANGV "$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" \
    --consent gui --source x11 --no-proxy >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 20 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
wait_for window_geom sasae 620 || hl_fail "no code window"
sleep 0.5
shot code
[ "$(count_colour "$SHOTS/code.png" '#103c8c')" -gt 200 ] || hl_fail "code not drawn"

hl_viewer --timeout 60 --draw --probe 400,300
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove 5 795
sleep 1
shot_until "$SHOTS/consent.png" $((X + W - 320)) $((Y + H - 60)) "31,95,191" ||
    hl_fail "Deny is not the highlighted default"
[ "$(hl_frames)" -eq 0 ] || hl_fail "frames before Allow"
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
hl_wait 20 hl_frames_atleast 5 || hl_fail "no frames"
hl_wait 10 hl_vsaw "drew" || hl_fail "viewer did not draw"
xdotool mousemove 5 795
# the operator's yellow pointing hand (fingertip 640,400) first: it fades after 3 s without
# updates, which the other screenshots can take on a busy machine
shot_until "$SHOTS/sharing.png" 640 412 "255,212,0" || hl_fail "no pointing hand"
# the session bar: top centre, red End remote support at its right end
shot_until "$SHOTS/sharing.png" $((210 + 860 - 30)) 30 "192,28,28" || hl_fail "no End button"
# the operator's red stroke (y=300, x 200..600)
shot_until "$SHOTS/sharing.png" 250 300 "255,0,0" || hl_fail "no pen stroke on screen"
[ "$(pixel "$SHOTS/sharing.png" 400 320)" = "32,64,96" ] || hl_fail "overlay hides the desktop"
# ...and in the video the operator sees (BT.601 red: Y~81, V~240)
hl_wait 10 grep -Eq "probe=(7[0-9]|8[0-9]|9[0-9]),[0-9]+,2[2-5][0-9]" "$HL_VIEWER_OUT" ||
    hl_fail "stroke not in the decoded video"
# the overlay lets clicks through: a click on the stroke reaches the root window (no crash,
# and the bar below stays clickable, tested by End next)
t_end=$(date +%s%6N)
xdotool mousemove $((210 + 860 - 30)) 30 click 1
hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "End click did not end"
last_cap=$(grep " frame " "$HL_VIEWER_OUT" | tail -1 | cut -d' ' -f5)
echo "last frame captured $(((last_cap - t_end) / 1000)) ms after the End click"
[ "$last_cap" -le $((t_end + 100000)) ] || hl_fail "frame captured >100 ms after End"
t_recv=$(grep " end 1 " "$HL_VIEWER_OUT" | cut -d' ' -f1)
echo "END reached the viewer $(((t_recv - t_end) / 1000)) ms after the End click"
# within 100 ms as measured (~20 ms); 300 ms for a loaded sanitizer build, still not seconds
[ "$t_recv" -le $((t_end + 300000)) ] || hl_fail "END reached the viewer >300 ms after End"
hl_wait 10 hl_vsaw "after_end=0" || hl_fail "records after END"
shot_until "$SHOTS/ended.png" 250 300 "32,64,96" || hl_fail "stroke left on screen after End"
wait_for window_sized sasae 620 250 || hl_fail "no ended window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host did not exit on Close"
wait "$HOST_PID" || hl_fail "host exit status"
HOST_PID=
echo "== SIGTERM in GUI mode ends and exits without waiting for Close"
SASAE_LANG=$LANGV "$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" \
    --consent gui --source x11 --no-proxy >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 20 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
HL_N=1
hl_viewer --timeout 60
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
sleep 1
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"
kill -TERM "$HOST_PID"
hl_wait 10 hl_vsaw "end 7 signal" || hl_fail "no END(shutdown)"
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host did not exit on SIGTERM"
wait "$HOST_PID" || hl_fail "host exit status after SIGTERM"
HOST_PID=
if [ -n "${SASAE_GUI_SHOTS:-}" ]; then mkdir -p "$SASAE_GUI_SHOTS"; cp "$SHOTS"/*.png "$SASAE_GUI_SHOTS"/; fi
echo PASS
