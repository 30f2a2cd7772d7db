#!/usr/bin/env bash
# Chat with the Windows host under Wine: the branded sasae-host.exe, the Linux relay and test
# viewer. After Allow, the operator's message opens the "sasae chat" window under the session
# bar without taking the keyboard focus (SW_SHOWNOACTIVATE: not activated until clicked) and
# is drawn there (its blue pixels); the customer clicks the reply line, types and presses
# Enter, and the reply reaches the operator. End, Close: the exe exits 0.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
. "$SASAE_SRC/tests/win/wine-lib.sh"
hl_pki
hl_relay
count_colour() { # count_colour PNG '#rrggbb' -> pixels of exactly that colour
    convert "$1" -fill black +opaque "$2" -fill white -opaque "$2" -colorspace gray \
        -format "%[fx:round(mean*w*h)]" info:
}

HL_HOST_OUT=$HL_DIR/host.out
HL_HOST_LOG=$HL_DIR/host.log
BRANDED=$HL_DIR/sasae-support.exe
"$HL_BIN/relay/certs/sasae-certs" brand --exe "$WIN_HOST" --out "$BRANDED" --relay "$HL_URL" \
    --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" \
    --org-name "Example Help Desk" >/dev/null || hl_fail "branding"
wine "$BRANDED" >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 60 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
CMDS=$HL_DIR/viewer.cmds
mkfifo "$CMDS"
hl_viewer --timeout 120 --commands "$CMDS"
exec 7>"$CMDS"
hl_wait 30 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
wait_for window_sized sasae 620 380 || hl_fail "no consent prompt window"
sleep 1
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 15 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
hl_wait 30 hl_frames_atleast 3 || hl_fail "no frames"
wait_for window_sized sasae 860 60 || hl_fail "no session bar"
sleep 2 # the consent window's destruction settles (Wine without a window manager)

echo "== the operator's message: shown without taking the keyboard focus"
echo "chat Hello from the help desk. こんにちは" >&7
hl_wait 20 grep -q "chat window shown" "$HL_HOST_LOG" || hl_fail "no chat window"
wait_for window_geom "sasae chat" || hl_fail "chat window not visible"
sleep 1.5
read -r CX CY CW CH < <(window_geom "sasae chat")
# (no window manager: X's focus follows the pointer, so the check is Windows' own
# activation, which SDL reports as keyboard focus)
! grep -q "chat window has the keyboard focus" "$HL_HOST_LOG" ||
    hl_fail "the chat window took the keyboard focus when it opened"
ok=
for _ in $(seq 20); do
    import -window root "$HL_DIR/chat.png"
    convert "$HL_DIR/chat.png" -crop "${CW}x$CH+$CX+$CY" +repage "$HL_DIR/chat-win.png"
    n=$(count_colour "$HL_DIR/chat-win.png" '#103cc8')
    [ "$n" -gt 100 ] && ok=1 && break
    sleep 0.25
done
[ -n "$ok" ] || hl_fail "the operator's message is not drawn in the chat window ($n px)"

echo "== the customer clicks the reply line and answers"
xset r off
xdotool mousemove $((CX + CW / 2)) $((CY + CH - 25)) click 1
sleep 1
hl_wait 10 grep -q "chat window has the keyboard focus" "$HL_HOST_LOG" ||
    hl_fail "a click on the chat window did not give it the focus"
xdotool type --delay 40 "Thanks from Windows"
xdotool key Return
hl_wait 15 hl_vsaw "chat 19 Thanks from Windows" ||
    hl_fail "the reply did not reach the operator: $(grep ' chat ' "$HL_VIEWER_OUT")"

xdotool mousemove $((210 + 860 - 30)) 30 click 1
hl_wait 15 hl_vsaw "end 1 customer" || hl_fail "End click did not end"
wait_for window_sized sasae 620 250 || hl_fail "no ended window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 20 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host.exe did not exit on Close"
wait "$HOST_PID" || hl_fail "host.exe exit status $?"
HOST_PID=
exec 7>&-
echo PASS
