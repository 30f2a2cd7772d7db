#!/usr/bin/env bash
# GUI test of the customer UI under Xvfb, driven for real with xdotool: the support code
# window, the consent prompt (Deny default: Enter denies; an early click on Allow is ignored;
# a click on Allow allows), the session bar, the control prompt and Stop control, and End
# remote support — in English and Japanese. Screenshots checked by pixel colour.
set -euo pipefail
. "$SASAE_SRC/tests/gui/xvfb.sh"
DRV="$SASAE_BIN/tests/host_ui_driver"
OUT=$(mktemp -d /tmp/sasae-gui-XXXXXX)
DPID=
. "$SASAE_SRC/tests/integration/proc_lib.sh"
cleanup() {
    local rc=$?
    set +e
    proc_reap "$DPID" host_ui_driver
    xvfb_stop
    proc_scan_logs "$OUT"
    rc=$(proc_status "$rc")
    rm -rf "$OUT"
    exit "$rc"
}
trap cleanup EXIT
xvfb_start 1280x800x24

fail() { echo "FAIL: $*" >&2; echo "--- driver output"; cat "$OUT/drv.log" >&2 || true; exit 1; }

start_driver() { # env... : starts the driver with the given environment
    env SASAE_LOG=debug "$@" "$DRV" >"$OUT/drv.log" 2>&1 &
    DPID=$!
}
stop_driver() {
    wait_for grep -q '^exit ' "$OUT/drv.log" || fail "driver did not exit"
    wait "$DPID" 2>/dev/null || true
    DPID=
}
# click_rel NAME DX DY: click at a point relative to the window's top-left
click_rel() {
    local g prev=""
    # A new window may still be placed by SDL after it appears: click once its geometry
    # reads the same twice in a row (a loaded machine can be slow to settle it).
    for _ in $(seq 25); do
        g=$(window_geom "$1" 620) || fail "no window $1"
        [ "$g" = "$prev" ] && break
        prev=$g
        sleep 0.2
    done
    set -- $g "$2" "$3"
    person_click $(($1 + $5)) $(($2 + $6))
}
has_line() { grep -q "$1" "$OUT/drv.log"; }

for lang in en ja; do
    echo "== $lang: code window, then consent prompt"
    start_driver SASAE_LANG=$lang SCRIPT=reg,wait1500,join,ok ASK_CONTROL=1
    wait_for has_line "event registered" || fail "not registered"
    sleep 0.5
    import -window root "$OUT/code-$lang.png"
    CG=$(window_geom sasae 620 || true)
    if [ -n "$CG" ]; then
        read -r X Y W H <<<"$CG"
        guide_img "$OUT/code-$lang.png" "customer-code-$lang" "${W}x$H+$X+$Y"
    fi
    wait_for has_line "handshake_ok -> asking" || fail "no prompt"
    wait_for window_sized sasae 620 380 || fail "no consent prompt window"
    read -r X Y W H < <(window_geom sasae 620)
    # An immediate click on Allow (before the prompt could be read) does nothing. The UI
    # logs each click with the prompt's age: on a loaded machine the click may arrive after
    # the 800 ms arm delay, and then it rightly counts.
    click_rel sasae $((W - 95)) $((H - 42))
    wait_for has_line "dialog age" || fail "click not seen"
    age=$(grep -o "dialog age [0-9]*" "$OUT/drv.log" | tail -1 | tr -dc 0-9)
    sleep 0.3
    if [ "$age" -lt 800 ]; then
        has_line "answer allow" && fail "click on Allow $age ms after the prompt was accepted"
        has_line "ignored: prompt shown" || fail "early click not reported as ignored"
    else
        echo "(early click arrived $age ms after the prompt: not an early click)"
    fi
    xdotool mousemove 5 795
    # Deny is the default button: blue; Allow is grey once armed.
    shot_until "$OUT/consent-$lang.png" $((X + W - 320)) $((Y + H - 60)) "31,95,191" ||
        fail "Deny button colour"
    shot_until "$OUT/consent-$lang.png" $((X + W - 160)) $((Y + H - 60)) "224,224,224" ||
        fail "Allow button colour"
    guide_img "$OUT/consent-$lang.png" "customer-consent-$lang" "${W}x$H+$X+$Y"
    has_line "consent_allow -> sharing" || click_rel sasae $((W - 95)) $((H - 42))
    wait_for has_line "consent_allow -> sharing" || fail "Allow click not taken"
    echo "== $lang: session bar, control prompt"
    wait_for has_line "control_request" || fail "no control request"
    xdotool mousemove 5 795
    # The bar sits at the top centre with the red End remote support button at its right.
    shot_until "$OUT/bar-$lang.png" $((210 + 860 - 30)) 30 "192,28,28" || fail "End button colour"
    guide_img "$OUT/bar-$lang.png" "customer-bar-$lang" 860x60+210+0
    wait_for window_sized sasae 620 280 || fail "no control prompt"
    sleep 1 # the control prompt arms its Allow button after a moment
    # The bar may hold the keyboard focus (it can open after the prompt): a click on the
    # prompt must still count. (SDL's automatic mouse capture grabbed the pointer for the
    # focused window, so the release went to the bar and the click was lost.)
    bar=$(for id in $(xdotool search --onlyvisible --name sasae); do
        [ "$(abs_geom "$id" | cut -d' ' -f3)" = 860 ] && echo "$id"; done | tail -1)
    [ -n "$bar" ] || fail "no session bar window"
    xdotool windowfocus --sync "$bar" || fail "cannot focus the bar"
    sleep 0.5 # SDL takes the focus change in after a short delay
    click_rel sasae $((W - 95)) $((280 - 42))
    wait_for has_line "control_allow -> sharing" || fail "control Allow not taken"
    xdotool mousemove 5 795
    # Stop control is now left of End: click it, control goes, the session stays.
    shot_until "$OUT/bar-control-$lang.png" 700 12 "224,224,224" || fail "Stop control button"
    xdotool mousemove 700 30 click 1
    wait_for has_line "control_revoke -> sharing" || fail "Stop control not taken"
    echo "== $lang: End remote support"
    xdotool mousemove $((210 + 860 - 30)) 30 click 1
    wait_for has_line "end_button -> ended" || fail "End click not taken"
    sleep 0.5
    import -window root "$OUT/ended-$lang.png"
    [ "$(window_count sasae)" -eq 1 ] || fail "bar still showing after End"
    wait_for window_sized sasae 620 250 || fail "no ended window"
    xdotool search --onlyvisible --name sasae windowfocus --sync 2>/dev/null || true
    xdotool key Return
    stop_driver
    has_line "exit ended customer" || fail "wrong end"
    if [ -n "${SASAE_GUI_SHOTS:-}" ]; then mkdir -p "$SASAE_GUI_SHOTS"; cp "$OUT"/*.png "$SASAE_GUI_SHOTS"/; fi
    rm -f "$OUT"/*.png
done

echo "== Enter on the consent prompt denies"
start_driver SASAE_LANG=en SCRIPT=reg,join,ok
wait_for has_line "handshake_ok -> asking" || fail "no prompt"
wait_for window_sized sasae 620 380 || fail "no prompt window"
sleep 1
xdotool search --onlyvisible --name sasae windowfocus --sync 2>/dev/null || true
xdotool key Return
wait_for has_line "consent_deny -> ended" || fail "Enter did not deny"
has_line "answer allow" && fail "allowed"
wait_for window_sized sasae 620 250 || fail "no ended window"
xdotool search --onlyvisible --name sasae windowfocus --sync 2>/dev/null || true
xdotool key Escape
stop_driver
has_line "exit ended denied" || fail "wrong end"

echo "== closing the consent window denies"
start_driver SASAE_LANG=en SCRIPT=reg,join,ok
wait_for has_line "handshake_ok -> asking" || fail "no prompt"
wait_for window_sized sasae 620 380 || fail "no prompt window"
sleep 0.5
for id in $(xdotool search --onlyvisible --name sasae); do "$SASAE_BIN/tests/host_xclose" "$id"; done
# (SDL may add a quit event for the last window: window_close, which the state machine also
# takes as Deny while the prompt shows)
wait_for grep -Eq "(consent_deny|window_close) -> ended" "$OUT/drv.log" ||
    fail "closing the prompt did not deny"
has_line "answer allow" && fail "allowed"
echo "== closing the session bar ends the session"
wait_for window_sized sasae 620 250 || fail "no ended window"
for id in $(xdotool search --onlyvisible --name sasae); do "$SASAE_BIN/tests/host_xclose" "$id"; done
stop_driver
has_line "exit ended denied" || fail "closing the prompt: wrong end reason"
start_driver SASAE_LANG=en SCRIPT=reg,join,ok
wait_for has_line "handshake_ok -> asking" || fail "no prompt"
wait_for window_sized sasae 620 380 || fail "no prompt window"
sleep 1
click_rel sasae $((620 - 95)) $((380 - 42))
wait_for has_line "consent_allow -> sharing" || fail "Allow click not taken"
wait_for window_geom sasae 860 || fail "no bar"
for id in $(xdotool search --onlyvisible --name sasae); do "$SASAE_BIN/tests/host_xclose" "$id"; done
wait_for has_line "window_close -> ended" || fail "closing the bar did not end"
xdotool key Escape
for id in $(xdotool search --onlyvisible --name sasae); do "$SASAE_BIN/tests/host_xclose" "$id"; done
stop_driver
has_line "exit ended customer" || fail "wrong end reason"

echo "== no session bar (the window system refuses it): the session ends at once"
start_driver SASAE_LANG=en SCRIPT=reg,join,ok SASAE_TEST_NO_BAR=1
wait_for has_line "handshake_ok -> asking" || fail "no prompt"
wait_for window_sized sasae 620 380 || fail "no prompt window"
sleep 1
click_rel sasae $((620 - 95)) $((380 - 42))
wait_for has_line "consent_allow -> sharing" || fail "Allow click not taken"
wait_for has_line "end_button -> ended" || fail "sharing went on without an End button"
wait_for window_sized sasae 620 250 || fail "no ended window"
for id in $(xdotool search --onlyvisible --name sasae); do "$SASAE_BIN/tests/host_xclose" "$id"; done
stop_driver
has_line "exit ended customer" || fail "wrong end reason"
echo "PASS"
