#!/usr/bin/env bash
# End to end with real processes: the ways Windows asks sasae-host.exe to stop end remote
# support as the End button does: END at the viewer, no screen data after it, the exe exits 0.
# The Linux relay on loopback, the Linux test viewer, a branded host under Wine in a Wine
# prefix of this test's own (it ends the Wine session and changes the state folder).
#   Ctrl-C          CTRL_C_EVENT and
#   console closed  CTRL_CLOSE_EVENT, each delivered as Windows delivers console events: a
#                   thread in the process at kernelbase's CtrlRoutine, which runs the
#                   SetConsoleCtrlHandler handlers (tests/win/win_stop.c). Windows kills the
#                   process once a CLOSE handler returns, so it must return only after END.
#                   (Wine 8 does not turn a SIGINT into CTRL_C_EVENT for a GUI program without
#                   a console, so a Unix kill -INT is no stand-in.)
#   sign-out        WM_QUERYENDSESSION + WM_ENDSESSION(ENDSESSION_LOGOFF) to the exe's windows,
#                   3 s apart (another program slow to answer): the exe must still answer
#   shut-down       Wine's own end of session (wineboot --end-session --shutdown)
# Before that, the state folder %LOCALAPPDATA%\sasae: one that others can read is repaired
# (Wine keeps no access lists on disk: it derives them from the Unix mode bits, Everyone =
# "others", so a 0755 folder is one Everyone can read) and a device key others can read is
# refused with a clear error.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
export WINEPREFIX="$HL_DIR/wine"
. "$SASAE_SRC/tests/win/wine-lib.sh"
stop_cleanup() {
    local rc=$?
    WINEPREFIX="$HL_DIR/wine" wineserver -k 2>/dev/null || true
    (exit $rc)
    host_gui_cleanup
}
trap stop_cleanup EXIT
STOP=$SASAE_WIN_BIN/tests/win/win_stop.exe
[ -f "$STOP" ] || hl_fail "no $STOP"
hl_pki
hl_relay
BRANDED=$HL_DIR/sasae-support.exe
"$HL_BIN/relay/certs/sasae-certs" brand --exe "$WIN_HOST" --out "$BRANDED" --relay "$HL_URL" \
    --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" \
    --org-name "Example Help Desk" >/dev/null || hl_fail "branding"
STATE="$WINEPREFIX/drive_c/users/$(id -un)/AppData/Local/sasae"
[ -d "$(dirname "$STATE")" ] || hl_fail "no LOCALAPPDATA at $(dirname "$STATE")"
mode() { stat -c %a "$1"; }

# start_host N: the branded exe, no arguments, as a customer starts it; sets HOST_PID, HL_CODE
start_host() {
    HL_N=$1
    HL_HOST_OUT=$HL_DIR/host$1.out
    HL_HOST_LOG=$HL_DIR/host$1.log
    wine "$BRANDED" >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
    HOST_PID=$!
    hl_wait 60 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
    HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
}

# share: the viewer pairs, the customer clicks Allow, frames flow
share() {
    hl_viewer --timeout 90
    hl_wait 30 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
    wait_for window_sized sasae 620 380 || hl_fail "no consent prompt window"
    sleep 1
    local X Y W H
    read -r X Y W H < <(window_geom sasae 620 380)
    xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
    hl_wait 15 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
    hl_wait 30 hl_frames_atleast 3 || hl_fail "no frames"
}

# ended NAME STOP_NAME [killed]: END(shutdown) at the viewer and nothing after it, the stop
# named in the host's log, the session torn down (its summary logged), the exe gone with
# status 0 ("killed": Windows, and Wine, end the process once WM_ENDSESSION returns)
ended() {
    hl_wait 20 hl_vsaw "end 7" || hl_fail "$1: no END at the viewer"
    hl_wait 15 hl_vsaw "after_end=0" || hl_fail "$1: records after END"
    hl_wait 20 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "$1: host.exe still running"
    local st=0
    wait "$HOST_PID" || st=$?
    HOST_PID=
    grep -q "$2: ending remote support" "$HL_HOST_LOG" || hl_fail "$1: no '$2' in the log"
    grep -q "session summary" "$HL_HOST_LOG" || hl_fail "$1: ended before its teardown"
    if [ "${3:-}" = killed ]; then
        echo "$1: END at the viewer, no records after it, torn down, host.exe ended ($st)"
    else
        [ "$st" -eq 0 ] || hl_fail "$1: host.exe exit status $st"
        echo "$1: END at the viewer, no records after it, host.exe exited 0"
    fi
}

echo "== a state folder others can read is repaired"
mkdir -p "$STATE"
chmod 0755 "$STATE"
start_host 1
# Wine maps the user-only list to the owner's bits and leaves the group's (no Windows entry)
[ $((0$(mode "$STATE") & 7)) -eq 0 ] || hl_fail "state folder mode $(mode "$STATE") after the repair"
grep -q "readable by S-1-1-0: its access list was reset to this user only" "$HL_HOST_LOG" ||
    hl_fail "no repair in the log"
[ -f "$STATE/device.key" ] || hl_fail "no device key"
echo "state folder: 0755 before, $(mode "$STATE") after; device key mode $(mode "$STATE/device.key")"

echo "== Ctrl-C"
share
wine "$STOP" console ctrl-c sasae-support.exe 2>/dev/null | tr -d '\r' | tee "$HL_DIR/stop1.out" ||
    hl_fail "Ctrl-C: not delivered"
ended "Ctrl-C" "Ctrl-C"

echo "== console closed"
start_host 2
share
wine "$STOP" console close sasae-support.exe 2>/dev/null | tr -d '\r' | tee "$HL_DIR/stop2.out" ||
    hl_fail "console closed: the handler did not finish"
# Windows ends the process as soon as the handler returns: by then END must have reached the
# viewer and the session must be torn down (its summary is the last thing logged before)
hl_vsaw "end 7" || hl_fail "console closed: the handler returned before END reached the viewer"
grep -q "session summary" "$HL_HOST_LOG" || hl_fail "console closed: the handler returned too soon"
ended "console closed" "console window closed"

echo "== sign-out"
start_host 3
share
# another program answers its WM_QUERYENDSESSION 3 s late: by then the host has ended the
# session, and must still be there to answer WM_ENDSESSION
wine "$STOP" endsession logoff sasae-support.exe 3000 2>/dev/null | tr -d '\r' |
    tee "$HL_DIR/stop3.out" || hl_fail "sign-out: refused"
grep -q "WM_QUERYENDSESSION (logoff) to sasae-session-watch: may end" "$HL_DIR/stop3.out" ||
    hl_fail "sign-out: the session window did not answer"
grep -q "WM_ENDSESSION(TRUE) to sasae-session-watch held" "$HL_DIR/stop3.out" ||
    hl_fail "sign-out: WM_ENDSESSION not answered"
# as with a closed console, Windows ends the process once WM_ENDSESSION returns
hl_vsaw "end 7" || hl_fail "sign-out: WM_ENDSESSION returned before END reached the viewer"
grep -q "session summary" "$HL_HOST_LOG" || hl_fail "sign-out: WM_ENDSESSION returned too soon"
ended "sign-out" "Windows session ending"

echo "== shut-down (wineboot --end-session --shutdown)"
start_host 4
share
DISPLAY= wineboot --end-session --shutdown >/dev/null 2>&1 &
WB=$!
ended "shut-down" "Windows session ending" killed
wait "$WB" || true

echo "== a device key others can read is refused"
chmod 0644 "$STATE/device.key"
st=0
timeout 60 wine "$BRANDED" >"$HL_DIR/host5.out" 2>"$HL_DIR/host5.log" || st=$?
tr -d '\r' <"$HL_DIR/host5.log" | grep "device.key" | tail -1
[ "$st" -ne 0 ] || hl_fail "host.exe started with a key others can read"
grep -q 'device.key is readable by S-1-1-0: refusing to use it' "$HL_DIR/host5.log" ||
    hl_fail "no clear error for the readable key"
echo PASS
