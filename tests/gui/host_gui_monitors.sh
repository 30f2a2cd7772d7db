#!/usr/bin/env bash
# GUI test of the monitor switch with the real relay, sasae-host and the test viewer, on an
# Xvfb screen made two XRandR monitors (xrandr --setmonitor: 1280x800 green on the left,
# 1280x800 blue on the right). After Allow the operator sees the whole desktop (2560 wide),
# switches to the right monitor (1280 wide, blue in the decoded video), draws there (the red
# stroke and the pointing hand land on the right monitor of the customer's screen, nothing on
# the left), gets control and moves the mouse (it lands at the right monitor's offset), then
# switches to the left monitor and to all monitors again, each time without a new prompt.
set -euo pipefail
. "$SASAE_SRC/tests/gui/xvfb.sh"
. "$SASAE_SRC/tests/integration/host_lib.sh"
HOST_PID=
cleanup() {
    local rc=$?
    set +e
    exec 7>&- 2>/dev/null
    proc_reap "$HOST_PID" sasae-host
    xvfb_stop
    (exit $rc)
    host_cleanup
}
trap cleanup EXIT
xvfb_start 2560x800x24
xrandr --setmonitor LEFT 1280/338x800/211+0+0 screen >/dev/null
xrandr --setmonitor RIGHT 1280/338x800/211+1280+0 none
[ "$(xrandr --listmonitors | head -1)" = "Monitors: 2" ] || {
    xrandr --listmonitors
    echo "FAIL: Xvfb did not take two monitors" >&2
    exit 1
}
convert -size 2560x800 xc:'#20a040' -fill '#2050c0' -draw 'rectangle 1280,0 2559,799' \
    "$HL_DIR/bg.png"
display -window root "$HL_DIR/bg.png" 2>/dev/null || true # sets the root's background
SHOTS=$HL_DIR/shots
mkdir -p "$SHOTS"
shot_until "$SHOTS/desk.png" 100 100 "32,160,64" || hl_fail "no green on the left"
hl_pki
hl_relay
HL_HOST_OUT=$HL_DIR/host.out
HL_HOST_LOG=$HL_DIR/host.log
SASAE_LANG=en "$HL_BIN/host/sasae-host" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" \
    --consent gui --source x11 --no-proxy >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 20 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
CMDS=$HL_DIR/viewer.cmds
mkfifo "$CMDS"
hl_viewer --timeout 120 --commands "$CMDS" --probe 100,100
exec 7>"$CMDS"
# frames since line N of the viewer's output: "frame ID LEN CAPUS decoded WxH flags=F probe=Y,U,V"
since() { tail -n +"$1" "$HL_VIEWER_OUT"; }
mark() { wc -l <"$HL_VIEWER_OUT"; }
# keyframe_sized N WxH: a keyframe of that size decoded after line N
keyframe_sized() { since "$1" | grep -Eq " frame .* decoded $2 flags=1"; }
# switch_ms N WxH: ms from the "cmd monitor" after line N to that keyframe's arrival (printed)
switch_ms() {
    local t0 t1
    t0=$(since "$1" | grep -m1 " cmd monitor" | cut -d' ' -f1)
    t1=$(since "$1" | grep -m1 -E " frame .* decoded $2 flags=1" | cut -d' ' -f1)
    echo "switch to $2: $(((t1 - t0) / 1000)) ms from MONITOR_SELECT to the new keyframe decoded"
}
# probe_is N Y-range U-range V-range (extended regexes) on a frame after line N
probe_is() { since "$1" | grep -Eq " frame .* probe=$2,$3,$4\$"; }

hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
sleep 1
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
hl_wait 20 hl_vsaw "monitors 2 255 1 1280x800+0+0 1280x800+1280+0" ||
    hl_fail "no monitor list of two with all shared"
hl_wait 20 keyframe_sized 1 2560x800 || hl_fail "not the whole desktop first"

echo "== the right monitor"
m=$(mark)
echo "monitor 1" >&7
hl_wait 20 keyframe_sized "$m" 1280x800 || hl_fail "no 1280x800 keyframe after monitor 1"
switch_ms "$m" 1280x800
since "$m" | grep -q " monitors 2 1 1 " || hl_fail "the list does not say monitor 1"
# BT.601 blue #2050c0: U well above 128, V below (green #20a040 has both below 128)
hl_wait 10 probe_is "$m" "[0-9]+" "(1[6-9][0-9]|2[0-9][0-9])" "([0-9]{1,2}|1[01][0-9])" ||
    hl_fail "right monitor picture is not blue at 100,100"
grep -q "sharing monitor 1: 1280x800 at +1280+0" "$HL_HOST_LOG" || hl_fail "host log"
echo draw >&7
hl_wait 10 hl_vsaw "cmd draw" || hl_fail "viewer did not draw"
xdotool mousemove 5 795
shot_until "$SHOTS/right.png" $((1280 + 250)) 300 "255,0,0" || hl_fail "no stroke on the right monitor"
# the hand fades after a few idle seconds, which the stroke's screenshots may take on a busy
# machine: point again (where draw points) before looking for it
echo "pointer 640 400" >&7
shot_until "$SHOTS/right.png" $((1280 + 640)) 412 "255,212,0" || hl_fail "no hand on the right monitor"
[ "$(pixel "$SHOTS/right.png" 250 300)" = "32,160,64" ] || hl_fail "stroke on the left monitor"
echo control >&7
wait_for window_sized sasae 620 280 || hl_fail "no control prompt"
sleep 1
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "control 2" || hl_fail "control not granted"
echo "move 10 20" >&7
hl_wait 10 bash -c "xdotool getmouselocation | grep -q '^x:1290 y:20 '" ||
    hl_fail "mouse not at the right monitor's 10,20: $(xdotool getmouselocation)"

echo "== the left monitor"
m=$(mark)
echo "monitor 0" >&7
hl_wait 20 keyframe_sized "$m" 1280x800 || hl_fail "no keyframe after monitor 0"
switch_ms "$m" 1280x800
since "$m" | grep -q " monitors 2 0 1 " || hl_fail "the list does not say monitor 0"
hl_wait 10 probe_is "$m" "[0-9]+" "([0-9]{1,2}|1[01][0-9])" "([0-9]{1,2}|1[01][0-9])" ||
    hl_fail "left monitor picture is not green at 100,100"
# the strokes belonged to the right monitor's picture: gone
shot_until "$SHOTS/left.png" $((1280 + 250)) 300 "32,80,192" || hl_fail "stroke left behind"
echo "move 30 40" >&7
hl_wait 10 bash -c "xdotool getmouselocation | grep -q '^x:30 y:40 '" ||
    hl_fail "mouse not at the left monitor's 30,40: $(xdotool getmouselocation)"

echo "== all monitors"
m=$(mark)
echo "monitor all" >&7
hl_wait 20 keyframe_sized "$m" 2560x800 || hl_fail "no 2560x800 keyframe after all"
switch_ms "$m" 2560x800
since "$m" | grep -q " monitors 2 255 1 " || hl_fail "the list does not say all"
grep -q "asking -> sharing (consent_allow)" "$HL_HOST_LOG" || hl_fail "no consent in the log"
[ "$(grep -c "handshake -> asking" "$HL_HOST_LOG")" -eq 1 ] || hl_fail "asked again"

echo "== a monitor the host does not offer ends the session (protocol error)"
echo "monitor 5" >&7
hl_wait 10 hl_vsaw "end 5 protocol" || hl_fail "no END error"
wait_for window_sized sasae 620 250 || hl_fail "no ended window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host did not exit on Close"
wait "$HOST_PID" || hl_fail "host exit status"
HOST_PID=
if [ -n "${SASAE_GUI_SHOTS:-}" ]; then mkdir -p "$SASAE_GUI_SHOTS"; cp "$SHOTS"/*.png "$SASAE_GUI_SHOTS"/; fi
echo PASS
