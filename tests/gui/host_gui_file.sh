#!/usr/bin/env bash
# GUI test of file send under Xvfb with the real host, relay and test viewer: the host's
# "File from the operator" dialog (Decline the highlighted default), a click on Save stores
# the file in the download folder with the offer's SHA-256, Escape declines and writes
# nothing, the session bar shows the outcome, and End remote support clicked during a
# transfer stops it and removes the partial file.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
hl_pki
hl_relay
SHOTS=$HL_DIR/shots DL=$HL_DIR/Downloads SRC=$HL_DIR/src
mkdir -p "$SHOTS" "$DL" "$SRC"
head -c 2000000 /dev/urandom >"$SRC/tool.zip"
sum() { sha256sum "$1" | cut -d' ' -f1; }
parts() { find "$DL" -name '*.sasae-part' | wc -l; }
parts_are() { [ "$(parts)" -eq "$1" ]; }

HL_HOST_OUT=$HL_DIR/host.out
HL_HOST_LOG=$HL_DIR/host.log
SASAE_LANG=${SASAE_LANG:-en} "$HL_BIN/host/sasae-host" --relay "$HL_URL" \
    --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" \
    --consent gui --source x11 --no-proxy --download-dir "$DL" --log-level debug \
    >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 20 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
CMDS=$HL_DIR/cmds
mkfifo "$CMDS"
hl_viewer --timeout 90 --commands "$CMDS"
exec 7>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
sleep 1
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"

echo "== Save stores the file"
echo "sendfile 0 $SRC/tool.zip tool.zip" >&7
wait_for window_sized sasae 620 330 || hl_fail "no file dialog"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove 5 795
sleep 1
# Decline is the default: drawn highlighted
shot_until "$SHOTS/file.png" $((X + W - 320)) $((Y + H - 60)) "31,95,191" ||
    hl_fail "Decline is not the highlighted default"
guide_img "$SHOTS/file.png" customer-file "${W}x$H+$X+$Y"
[ -e "$DL/tool.zip" ] && hl_fail "written before Save"
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 20 hl_vsaw "file_end 0 tool.zip" || hl_fail "Save click did not store the file"
[ "$(sum "$DL/tool.zip")" = "$(sum "$SRC/tool.zip")" ] || hl_fail "SHA-256 differs"
hl_wait 10 bash -c "! xdotool search --onlyvisible --name sasae | while read -r id; do
    xdotool getwindowgeometry \$id; done | grep -q 'Geometry: 620x330'" ||
    hl_fail "file dialog still open"

echo "== Escape declines"
echo "sendfile 0 $SRC/tool.zip other.zip" >&7
wait_for window_sized sasae 620 330 || hl_fail "no file dialog"
sleep 0.5
id=$(xdotool search --onlyvisible --name sasae | while read -r w; do
    xdotool getwindowgeometry "$w" | grep -q 'Geometry: 620x330' && echo "$w"; done | head -1)
xdotool windowfocus --sync "$id" 2>/dev/null || true
xdotool key Escape
hl_wait 10 hl_vsaw "file_answer 1 " || hl_fail "Escape did not decline"
[ -e "$DL/other.zip" ] && hl_fail "a declined file was written"

echo "== End clicked during a transfer: stopped, partial file removed"
echo "sendfile 500000 $SRC/tool.zip stopped.zip" >&7
wait_for window_sized sasae 620 330 || hl_fail "no file dialog"
read -r X Y W H < <(window_geom sasae 620)
sleep 1
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 20 hl_vsaw "file_stalled" || hl_fail "transfer did not start"
hl_wait 10 parts_are 1 || hl_fail "no partial file"
xdotool mousemove 5 795
sleep 0.3
read -r BX BY BW BH < <(window_geom sasae 860)
import -window root "$SHOTS/bar.png"
xdotool mousemove $((BX + BW - 30)) $((BY + 30)) click 1
hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "End click did not end"
hl_wait 10 parts_are 0 || hl_fail "End left the partial file"
[ -e "$DL/stopped.zip" ] && hl_fail "a stopped file was stored"
exec 7>&-
wait_for window_sized sasae 620 250 || hl_fail "no ended window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host did not exit on Close"
wait "$HOST_PID" || hl_fail "host exit status"
HOST_PID=
echo PASS
