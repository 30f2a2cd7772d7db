#!/usr/bin/env bash
# The customer's windows under a real window manager (openbox), used as a person would: the
# customer works in another window (an xterm has the focus) before each click. One click on
# Allow, on the control prompt's Allow, on Stop control, on End remote support and on Close
# must each act at once (SDL drops a click that also focuses a window unless told not to).
# The session bar is a dock the window manager offers no minimise/close for; minimised anyway
# it comes back. Window titles are UTF-8 (_NET_WM_NAME).
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
xterm -geometry 80x10+40+500 -title customer-work >/dev/null 2>&1 &
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

hl_viewer --timeout 90 --request-control
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

# the session bar: a dock, no minimise or close offered, at the top
BAR=$(xdotool search --onlyvisible --name sasae | while read -r w; do
    [ "$(xdotool getwindowgeometry --shell "$w" | sed -n 's/^HEIGHT=//p')" = 60 ] && echo "$w"
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
wait "$HOST_PID" || hl_fail "host exit status $?"
HOST_PID=
echo PASS
