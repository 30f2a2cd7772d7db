#!/usr/bin/env bash
# The clipboard through the real path: relay, the real sasae-host on an Xvfb customer
# display (GUI consent, clicked with xdotool) and the test viewer. Before consent, and after
# it without control, the operator's CLIPBOARD and CLIPBOARD_REQUEST are refused: the
# customer's CLIPBOARD keeps its text and nothing of it reaches the operator. With control
# granted, the operator's text lands in the customer's CLIPBOARD (read back with xclip), the
# customer's text (set with xclip) reaches the operator, and each transfer is announced in the
# session bar (its notice line's blue pixels). The summary counts the transfers.
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
clip_now() { xclip -selection clipboard -o 2>/dev/null || true; }
clip_set() { printf '%s' "$1" | xclip -selection clipboard -i; }
refused() { grep -c "clipboard: CLIPBOARD.* refused" "$HL_HOST_LOG" || true; }
bar_blue() { # pixels of the bar's notice colour in the session bar (top centre, 860x60)
    import -window root "$SHOTS/$1.png"
    convert "$SHOTS/$1.png" -crop 860x60+210+0 +repage "$SHOTS/$1-bar.png"
    count_colour "$SHOTS/$1-bar.png" '#103cc8'
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
CMDS=$HL_DIR/clip.cmds
mkfifo "$CMDS"
hl_viewer --timeout 90 --commands "$CMDS"
exec 7<>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"

echo "== before consent: refused"
clip_set "customer-secret-1"
echo "clip before-consent" >&7
echo "clipreq" >&7
hl_wait 10 bash -c "[ \$(grep -c 'clipboard: CLIPBOARD.* refused' '$HL_HOST_LOG') -ge 2 ]" ||
    hl_fail "clipboard messages before consent not refused ($(refused))"
sleep 0.5
[ "$(clip_now)" = "customer-secret-1" ] || hl_fail "clipboard changed before consent: $(clip_now)"
! hl_vsaw "clipboard " || hl_fail "the customer's clipboard reached the operator before consent"

wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
sleep 1.2 # the prompt's arm delay
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "consent 2" || hl_fail "Allow click not taken"
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"

echo "== shared, no control: refused"
echo "clip without-control" >&7
echo "clipreq" >&7
hl_wait 10 bash -c "[ \$(grep -c 'clipboard: CLIPBOARD.* refused' '$HL_HOST_LOG') -ge 4 ]" ||
    hl_fail "clipboard messages without control not refused ($(refused))"
sleep 0.5
[ "$(clip_now)" = "customer-secret-1" ] || hl_fail "clipboard changed without control: $(clip_now)"
! hl_vsaw "clipboard " || hl_fail "the customer's clipboard reached the operator without control"
[ "$(bar_blue nocontrol)" -eq 0 ] || hl_fail "a clipboard notice without a transfer"

echo "== control granted: both ways"
echo "control" >&7
wait_for window_sized sasae 620 280 || hl_fail "no control prompt"
sleep 1.2
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 hl_vsaw "control 2" || hl_fail "control Allow not taken"
xdotool mousemove 5 795
PASTE="オペレーターから: net use Z: \\\\srv\\share"
echo "clip $PASTE" >&7
hl_wait 10 bash -c "[ \"\$(xclip -selection clipboard -o 2>/dev/null)\" = '$PASTE' ]" ||
    hl_fail "the operator's text did not reach the customer's CLIPBOARD: '$(clip_now)'"
echo "customer's CLIPBOARD now: $(clip_now)"
hl_wait 10 bash -c "[ \$(import -window root '$SHOTS/to.png'; convert '$SHOTS/to.png' -crop 860x60+210+0 +repage '$SHOTS/to-bar.png'; convert '$SHOTS/to-bar.png' -fill black +opaque '#103cc8' -fill white -opaque '#103cc8' -colorspace gray -format '%[fx:round(mean*w*h)]' info:) -gt 40 ]" ||
    hl_fail "no clipboard notice in the session bar"
echo "notice pixels in the bar: $(bar_blue to)"

clip_set "customer text 2 お客様"
echo "clipreq" >&7
hl_wait 10 hl_vsaw "clipboard [0-9]* customer text 2 お客様" ||
    hl_fail "the customer's clipboard did not reach the operator"
grep " clipboard " "$HL_VIEWER_OUT"
[ "$(grep -c ' clipboard ' "$HL_VIEWER_OUT")" -eq 1 ] || hl_fail "more than one clipboard answer"
hl_hsaw "copied from the customer's clipboard" || hl_fail "no log of the copy"

echo "== End: the summary counts the transfers, not their content"
exec 7>&-
BX=$((210 + 860 - 30))
xdotool mousemove $BX 30 click 1
hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "End click did not end"
wait_for window_sized sasae 620 250 || hl_fail "no ended window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 10 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "host did not exit on Close"
wait "$HOST_PID" || hl_fail "host exit status"
HOST_PID=
grep "session summary: clipboard" "$HL_HOST_LOG"
grep -q "session summary: clipboard 1 to the customer, 1 from the customer, 4 refused" \
    "$HL_HOST_LOG" || hl_fail "summary does not count the transfers"
! grep -q "customer text 2\|オペレーターから" "$HL_HOST_LOG" || hl_fail "clipboard content in the log"
if [ -n "${SASAE_GUI_SHOTS:-}" ]; then mkdir -p "$SASAE_GUI_SHOTS"; cp "$SHOTS"/*.png "$SASAE_GUI_SHOTS"/; fi
echo PASS
