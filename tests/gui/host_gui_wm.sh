#!/usr/bin/env bash
# The customer's windows under a real window manager (openbox), used as a person would: the
# customer works in another window (an xterm has the focus) before each click. One click on
# Allow, on the control prompt's Allow, on Stop control, on End remote support and on Close
# must each act at once (SDL drops a click that also focuses a window unless told not to).
# The session bar is a dock the window manager offers no minimise/close for; minimised anyway
# it comes back. Window titles are UTF-8 (_NET_WM_NAME). A chat message arriving while the
# operator has control opens the chat window without taking the keyboard focus: the
# customer's xterm keeps it and the operator's typing still reaches the xterm; a click on the
# chat window then gives it the focus for a reply.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
hl_pki
hl_relay
SHOTS=$HL_DIR/shots
mkdir -p "$SHOTS"

openbox --sm-disable >"$HL_DIR/openbox.log" 2>&1 &
WM_PID=$!
trap 'rc=$?; set +e; kill $WM_PID $XTERM_PID 2>/dev/null || true; wait $WM_PID $XTERM_PID 2>/dev/null || true; (exit $rc); host_gui_cleanup' EXIT
XTERM_PID=
wait_for xprop -root _NET_SUPPORTING_WM_CHECK || hl_fail "openbox did not start"
wait_for bash -c "xprop -root _NET_SUPPORTING_WM_CHECK | grep -q 'window id'" || hl_fail "no WM check"
# the xterm keeps what is typed in it (cat), so the test can read it back
xterm -geometry 80x10+40+500 -title customer-work -e sh -c "cat >'$HL_DIR/xterm.txt'" >/dev/null 2>&1 &
XTERM_PID=$!
wait_for xdotool search --onlyvisible --name customer-work || hl_fail "no xterm"
XTERM_WIN=$(xdotool search --onlyvisible --name customer-work | head -1)
# the customer was working elsewhere: the xterm has the focus before every click
work_elsewhere() {
    xdotool windowactivate --sync "$XTERM_WIN" 2>/dev/null || xdotool windowfocus --sync "$XTERM_WIN"
    [ "$(xdotool getwindowfocus)" = "$XTERM_WIN" ] || hl_fail "could not focus the xterm"
    sleep 0.3
}
# one_click X Y: a single click (with the focus change it brings)
one_click() { xdotool mousemove "$1" "$2" click 1; }
newest() { xdotool search --onlyvisible --name "$1" | tail -1; }

HL_HOST_OUT=$HL_DIR/host.out
HL_HOST_LOG=$HL_DIR/host.log
SASAE_LANG=${SASAE_LANG:-en} "$HL_BIN/host/sasae-host" --relay "$HL_URL" \
    --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" \
    --state-dir "$HL_DIR/state" --consent gui --source x11 --no-proxy \
    >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 20 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
wait_for window_geom sasae 620 || hl_fail "no code window"
title=$(xprop -id "$(newest sasae)" _NET_WM_NAME)
[ "$title" = '_NET_WM_NAME(UTF8_STRING) = "sasae remote support"' ] ||
    hl_fail "host window title: $title"

CMDS=$HL_DIR/wm.cmds
mkfifo "$CMDS"
hl_viewer --timeout 90 --request-control --commands "$CMDS"
exec 7<>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
sleep 1.2 # the prompt's arm delay: an early click is ignored on purpose
read -r X Y W H < <(window_geom sasae 620)
work_elsewhere
one_click $((X + W - 95)) $((Y + H - 42))
hl_wait 10 hl_vsaw "consent 2" || hl_fail "one click on Allow did not allow"

# the control prompt, answered the same way
wait_for window_sized sasae 620 280 || hl_fail "no control prompt"
sleep 1.2
read -r X Y W H < <(window_geom sasae 620)
work_elsewhere
one_click $((X + W - 95)) $((Y + H - 42))
hl_wait 10 hl_vsaw "control 2" || hl_fail "one click on the control Allow did not grant control"

# a chat message while the operator has control: shown, the focus stays in the xterm
work_elsewhere
echo "chat Now I will type in your terminal" >&7
hl_wait 10 hl_hsaw "chat window shown" || hl_fail "no chat window"
wait_for window_geom "sasae chat" || hl_fail "chat window not visible"
sleep 1 # the window manager has had time to act on the new window
focus=$(xdotool getwindowfocus)
[ "$focus" = "$XTERM_WIN" ] ||
    hl_fail "the chat window took the focus ($(xprop -id "$focus" _NET_WM_NAME 2>/dev/null))"
echo "type typed after the chat" >&7
hl_wait 10 grep -q "^typed after the chat$" "$HL_DIR/xterm.txt" ||
    hl_fail "the operator's keys did not reach the xterm after the chat window opened"
# the customer can still reply: a click on the chat window gives it the focus
read -r CX CY CW CH < <(window_geom "sasae chat")
one_click $((CX + CW / 2)) $((CY + CH - 25))
wait_for bash -c "[ \"\$(xdotool getwindowfocus)\" != $XTERM_WIN ]" ||
    hl_fail "a click on the chat window did not focus it"
xdotool type --delay 30 "ok"
xdotool key Return
hl_wait 10 hl_vsaw "chat 2 ok" || hl_fail "the customer's reply did not arrive"

# the session bar: a dock, no minimise or close offered, at the top
BAR=$(xdotool search --onlyvisible --name sasae | while read -r w; do
    if [ "$(xdotool getwindowgeometry --shell "$w" | sed -n 's/^HEIGHT=//p')" = 60 ]; then echo "$w"; fi
done | tail -1)
[ -n "$BAR" ] || hl_fail "no session bar window"
xprop -id "$BAR" _NET_WM_WINDOW_TYPE | grep -q _NET_WM_WINDOW_TYPE_DOCK || hl_fail "bar is not a dock"
actions=$(xprop -id "$BAR" _NET_WM_ALLOWED_ACTIONS)
echo "bar: $actions"
! grep -q "MINIMIZE\|CLOSE\|MAXIMIZE" <<<"$actions" || hl_fail "the bar offers: $actions"
# minimised anyway (as Win+D or a script would): it must be back, viewable, at once
xdotool windowminimize "$BAR" || true
sleep 1
wait_for bash -c "xwininfo -id $BAR | grep -q IsViewable" || hl_fail "the bar stayed minimised"
read -r BX BY BW BH < <(abs_geom "$BAR")

# Stop control: light grey button left of End
import -window root "$SHOTS/bar.png"
sx=$(convert "$SHOTS/bar.png" -crop "${BW}x1+${BX}+$((BY + 30))" txt:- |
    awk -F'[,: ]+' '/#E0E0E0/ { x = $1 } END { print x }')
[ -n "$sx" ] || hl_fail "no Stop control button on the bar"
work_elsewhere
one_click $((BX + sx - 20)) $((BY + 30))
hl_wait 10 hl_vsaw "control 5" || hl_fail "one click on Stop control did not stop control"

# End remote support: the red button at the bar's right end
work_elsewhere
one_click $((BX + BW - 30)) $((BY + 30))
hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "one click on End did not end remote support"
hl_wait 10 hl_vsaw "after_end=0" || hl_fail "records after END"

wait_for window_sized sasae 620 250 || hl_fail "no ended window"
sleep 0.5
read -r X Y W H < <(window_geom sasae 620)
work_elsewhere
one_click $((X + W - 95)) $((Y + H - 42))
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "one click on Close did not close"
exec 7>&-
wait "$HOST_PID" || hl_fail "host exit status $?"
HOST_PID=
echo PASS
