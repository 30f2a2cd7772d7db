#!/usr/bin/env bash
# Chat through the real path: relay, the real sasae-host on an Xvfb customer display (GUI
# consent clicked with xdotool) and the test viewer. Before consent the operator's message is
# refused (no chat window, nothing shown); after Allow it opens the chat window under the
# session bar and is drawn there (its blue pixels); the customer clicks the reply line,
# types and presses Enter, and the reply reaches the operator. The summary counts messages,
# the log never holds their text.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
hl_pki
hl_relay
SHOTS=$HL_DIR/shots
mkdir -p "$SHOTS"
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
CMDS=$HL_DIR/chat.cmds
mkfifo "$CMDS"
hl_viewer --timeout 90 --commands "$CMDS"
exec 7<>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"

echo "== before consent: refused"
echo "chat before consent" >&7
hl_wait 10 grep -q "chat: message refused" "$HL_HOST_LOG" || hl_fail "chat before consent not refused"
! hl_hsaw "chat window shown" || hl_fail "a chat window before consent"

wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
sleep 1.2 # the prompt's arm delay
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"

echo "== the operator's message, drawn in the chat window"
echo "chat Hello, I am Hanako from the help desk. こんにちは" >&7
hl_wait 10 hl_hsaw "chat window shown" || hl_fail "no chat window"
wait_for window_geom "sasae chat" || hl_fail "chat window not visible"
read -r CX CY CW CH < <(window_geom "sasae chat")
echo "chat window at $CX,$CY ${CW}x$CH"
ok=
for _ in $(seq 20); do
    import -window root "$SHOTS/chat.png"
    convert "$SHOTS/chat.png" -crop "${CW}x$CH+$CX+$CY" +repage "$SHOTS/chat-win.png"
    n=$(count_colour "$SHOTS/chat-win.png" '#103cc8')
    [ "$n" -gt 100 ] && ok=1 && break
    sleep 0.25
done
[ -n "$ok" ] || hl_fail "the operator's message is not drawn in the chat window ($n px)"
echo "operator's message: $n px of its colour in the chat window"

echo "== the customer replies"
xset r off # a loaded machine holds a key long enough for autorepeat: type each once
xdotool mousemove $((CX + CW / 2)) $((CY + CH - 25)) click 1
sleep 0.5
xdotool type --delay 30 "Thanks, my printer is offline"
xdotool key Return
hl_wait 10 hl_vsaw "chat 29 Thanks, my printer is offline" ||
    hl_fail "the reply did not reach the operator: $(grep ' chat ' "$HL_VIEWER_OUT")"
grep " chat " "$HL_VIEWER_OUT"
# the reply is shown too (grey, as the customer's own)
sleep 0.5
import -window root "$SHOTS/reply.png"
convert "$SHOTS/reply.png" -crop "${CW}x$CH+$CX+$CY" +repage "$SHOTS/reply-win.png"
guide_img "$SHOTS/reply.png" customer-chat "${CW}x$((CY + CH))+$CX+0"

echo "== End: the summary counts the messages, not their text"
exec 7>&-
xdotool mousemove $((210 + 860 - 30)) 30 click 1
hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "End click did not end"
wait_for window_sized sasae 620 250 || hl_fail "no ended window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host did not exit on Close"
wait "$HOST_PID" || hl_fail "host exit status"
HOST_PID=
grep "session summary: clipboard" "$HL_HOST_LOG"
grep -q "chat 1 messages from the operator, 1 from the customer, 1 refused" "$HL_HOST_LOG" ||
    hl_fail "summary does not count the messages"
! grep -q "printer\|Hanako from" "$HL_HOST_LOG" || hl_fail "chat text in the log"
if [ -n "${SASAE_GUI_SHOTS:-}" ]; then mkdir -p "$SASAE_GUI_SHOTS"; cp "$SHOTS"/*.png "$SASAE_GUI_SHOTS"/; fi
echo PASS
