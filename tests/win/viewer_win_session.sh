#!/usr/bin/env bash
# End to end: sasae-viewer.exe under Wine (the operator on Windows) against the Linux relay
# and a real Linux sasae-host (synthetic screen, consent answered on its terminal). Decoded
# frames match the source (PSNR of the I420 dumps), the host's fingerprint and system
# information arrive, the exit code says who ended: the operator (0) or the customer's End
# (3). Then the viewer's window: it shows the host's screen on the Wine desktop.
set -euo pipefail
B=$SASAE_BIN
. "$SASAE_SRC/tests/integration/viewer_lib.sh"
. "$SASAE_SRC/tests/gui/xvfb.sh"
hl_fail() { echo "FAIL: $*" >&2; exit 1; }
. "$SASAE_SRC/tests/win/wine-lib.sh"
xvfb_start 1280x800x24
trap 'rc=$?; set +e; reap_all; xvfb_stop; (exit $rc); cleanup' EXIT

wviewer() { # OUT ARGS...: the Windows viewer, headless, in the background (VPID)
    local out=$1
    shift
    wine "$WIN_VIEWER" --headless --relay "$URL" --relay-ca "$C/ca.pem" --cert "$OPC" \
        --key "$OPK" "$@" >"$T/$out.out" 2>"$T/$out.err" &
    VPID=$!
    PIDS+=($VPID)
}

echo "== 1. Allow, 60 frames, the operator ends (exit 0)"
start_host h1
wviewer v1 --code "$CODE" --max-frames 60 --dump-dir "$T/dump" --dump-format i420 --dump-every 10
wait_line "Allow? \[y/N\]" "$T/h1.out" 60
echo y >"$T/h1.in"
rc=0; wait $VPID || rc=$?
[ $rc -eq 0 ] || { cat "$T/v1.out" "$T/v1.err"; hl_fail "viewer.exe exit $rc, want 0"; }
grep -q "^end=operator-ended exit=0" "$T/v1.out" || hl_fail "no operator-ended line"
HFPR=$(grep -o "device key SHA256:[0-9A-F ]*" "$T/h1.out" | head -1 | sed 's/device key //')
tr -d '\r' <"$T/v1.out" | grep -qF "host-fingerprint=$HFPR" || hl_fail "fingerprint mismatch"
tr -d '\r' <"$T/v1.out" | sed -n '/^sysinfo-begin/,/^sysinfo-end/p' | grep -q "^os=" ||
    hl_fail "no system information"
"$B/tests/viewer_refcheck" 640x480 30 $(ls "$T"/dump/frame-*.yuv | sort) | tee "$T/psnr.txt"

echo "== 2. the customer ends remote support (exit 3)"
start_host h2
wviewer v2 --code "$CODE"
wait_line "Allow? \[y/N\]" "$T/h2.out" 60
echo y >"$T/h2.in"
wait_line "^state=viewing" "$T/v2.out" 60
sleep 1
echo end >"$T/h2.in"
rc=0; wait $VPID || rc=$?
[ $rc -eq 3 ] || { cat "$T/v2.out" "$T/v2.err"; hl_fail "customer end: exit $rc, want 3"; }

echo "== 3. the viewer's window shows the host's screen"
start_host h3
wine "$WIN_VIEWER" --relay "$URL" --relay-ca "$C/ca.pem" --cert "$OPC" --key "$OPK" \
    --code "$CODE" >"$T/v3.out" 2>"$T/v3.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/h3.out" 60 || { cat "$T/v3.out" "$T/v3.err"; hl_fail "no consent question"; }
echo y >"$T/h3.in"
wait_for window_geom "sasae" || hl_fail "no viewer window"
sleep 3
import -window root "$T/viewer.png"
# the synthetic screen has large flat areas of its own colours: the window shows video,
# not an empty or error screen (more than 20 distinct colours in the window)
read -r X Y W H < <(window_geom "sasae")
n=$(convert "$T/viewer.png" -crop "${W}x${H}+${X}+${Y}" -unique-colors -format "%w" info:)
echo "viewer window ${W}x${H}: $n colours"
[ "$n" -gt 20 ] || hl_fail "viewer window shows no video ($n colours)"
echo end >"$T/h3.in"
wait_line "^end=customer-ended exit=3" "$T/v3.out" 30
# the end screen stays until the operator dismisses it (Return)
xdotool mousemove --sync $((X + W / 2)) $((Y + H / 2)) click 1
sleep 0.5
xdotool key Return
rc=0; wait $VPID || rc=$?
[ $rc -eq 3 ] || { cat "$T/v3.out" "$T/v3.err"; hl_fail "window viewer: exit $rc, want 3"; }
[ -n "${SASAE_GUI_SHOTS:-}" ] && { mkdir -p "$SASAE_GUI_SHOTS"; cp "$T/viewer.png" "$SASAE_GUI_SHOTS/"; }
echo PASS
