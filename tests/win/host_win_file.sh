#!/usr/bin/env bash
# File send to the Windows host under Wine: a help desk's branded sasae-host.exe started with
# no arguments (so files go to the customer's Downloads folder, FOLDERID_Downloads), the
# Linux relay and test viewer. Allow, then the operator offers a file: the Windows "File from
# the operator" dialog, a click on Save, the file in Downloads with the offer's SHA-256, a
# second copy under "name (1).ext", a Japanese file name stored under that name, a file saved
# into a folder chosen with "Other folder…" (the shell's folder picker, a path typed into it),
# and a device name (CON.txt) refused with its reason. End, Close: the exe exits 0.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
. "$SASAE_SRC/tests/win/wine-lib.sh"
hl_pki
hl_relay
SRC=$HL_DIR/src
mkdir -p "$SRC"
head -c 700000 /dev/urandom >"$SRC/tool.zip"
sum() { sha256sum "$1" | cut -d' ' -f1; }
STORED=()
cleanup_files() { local f; for f in "${STORED[@]}"; do rm -f "$f"; done; }

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

save() { # save NAME: offers tool.zip as NAME and clicks Save in the Windows dialog
    # the previous file's dialog first goes away (under Wine without a window manager its
    # window takes ~2 s to be destroyed): a click must not land on it
    local i
    for i in $(seq 1 100); do
        window_sized sasae 620 330 || break
        sleep 0.1
    done
    echo "sendfile 0 $SRC/tool.zip $1" >&7
    wait_for window_sized sasae 620 330 || hl_fail "no file dialog for $1"
    sleep 1.2 # Save arms after a moment
    read -r X Y W H < <(window_geom sasae 620 330)
    xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
}

save tool.zip
hl_wait 20 hl_vsaw "file_end 0 tool.zip" || hl_fail "not stored"
dir=$(sed -n 's/.*file tool.zip: customer accepted into \(.*\) (accepted).*/\1/p' "$HL_HOST_LOG" |
    head -1 | tr -d '\r')
echo "Downloads folder of the Windows host: $dir"
case "$dir" in *Downloads) ;; *) hl_fail "not the Downloads folder: '$dir'" ;; esac
udir=$(wine winepath -u "$dir" 2>/dev/null | tr -d '\r')
[ -d "$udir" ] || hl_fail "no such folder $udir"
STORED+=("$udir/tool.zip")
trap 'rc=$?; cleanup_files; (exit $rc); host_gui_cleanup' EXIT
[ "$(sum "$udir/tool.zip")" = "$(sum "$SRC/tool.zip")" ] || hl_fail "SHA-256 differs"

save tool.zip
hl_wait 20 hl_vsaw "file_end 0 tool (1).zip" || hl_fail "second copy not 'tool (1).zip'"
STORED+=("$udir/tool (1).zip")
[ "$(sum "$udir/tool (1).zip")" = "$(sum "$SRC/tool.zip")" ] || hl_fail "SHA-256 differs (1)"

save "設定手順.zip"
hl_wait 20 hl_vsaw "file_end 0 設定手順.zip" || hl_fail "Japanese name not stored"
STORED+=("$udir/設定手順.zip")
[ "$(sum "$udir/設定手順.zip")" = "$(sum "$SRC/tool.zip")" ] ||
    { ls "$udir" >&2; hl_fail "Japanese name: no such file on disk"; }

echo "== Other folder…: the Windows folder picker chooses where it goes"
PICKED=$HL_DIR/picked
mkdir -p "$PICKED"
for i in $(seq 1 100); do
    window_sized sasae 620 330 || break
    sleep 0.1
done
echo "sendfile 0 $SRC/tool.zip picked.zip" >&7
wait_for window_sized sasae 620 330 || hl_fail "no file dialog for picked.zip"
sleep 1.2
read -r X Y W H < <(window_geom sasae 620 330)
xdotool mousemove $((X + 60)) $((Y + H - 42)) click 1 # Other folder… at the left
wait_for xdotool search --onlyvisible --name "Choose where to save" || hl_fail "no folder picker"
PICKER=$(xdotool search --onlyvisible --name "Choose where to save" | head -1)
xdotool windowfocus --sync "$PICKER" 2>/dev/null || true
sleep 0.5
WPICKED=$(wine winepath -w "$PICKED" 2>/dev/null | tr -d '\r')
xdotool type --delay 20 "$WPICKED"
xdotool key Return
wait_for bash -c "! xdotool search --onlyvisible --name 'Choose where to save' >/dev/null" ||
    hl_fail "the folder picker did not close"
hl_wait 10 grep -q "picked another folder" "$HL_HOST_LOG" || hl_fail "the picked folder was not taken"
sleep 1.2 # Save arms again after the picker
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 20 hl_vsaw "file_end 0 picked.zip" || hl_fail "picked.zip not stored"
[ "$(sum "$PICKED/picked.zip")" = "$(sum "$SRC/tool.zip")" ] ||
    { ls "$PICKED" "$udir" >&2; hl_fail "not stored in the picked folder"; }

echo "sendfile 0 $SRC/tool.zip CON.txt" >&7
hl_wait 10 hl_vsaw "file_answer 2 0 [0-9]* the file name is a Windows device name" ||
    hl_fail "CON.txt not refused"

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
