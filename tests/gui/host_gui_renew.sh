#!/usr/bin/env bash
# GUI test of the real sasae-host under Xvfb: the relay burns the waiting host's code (5 wrong
# check digits); the code window then shows the new code with the reason line (red) above it,
# and an operator joins the new code (the consent prompt appears; Deny by Escape).
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
hl_pki
hl_relay --max-failed-joins 20
SHOTS=$HL_DIR/shots
mkdir -p "$SHOTS"
red_in_window() { # red_in_window PNG "X Y W H" -> pixels of the reason line's red in it
    local x y w h
    read -r x y w h <<<"$2"
    convert "$1" -crop "${w}x${h}+${x}+${y}" +repage -fill black +opaque '#c01c1c' \
        -fill white -opaque '#c01c1c' -colorspace gray -format "%[fx:round(mean*w*h)]" info:
}

HL_HOST_OUT=$HL_DIR/host.out
HL_HOST_LOG=$HL_DIR/host.log
SASAE_LANG=${SASAE_LANG:-en} "$HL_BIN/host/sasae-host" --relay "$HL_URL" \
    --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" \
    --state-dir "$HL_DIR/state" --consent gui --source synthetic --size 320x240 --no-proxy \
    >"$HL_HOST_OUT" 2>"$HL_HOST_LOG" &
HOST_PID=$!
hl_wait 20 grep -q "support code: [0-9]" "$HL_HOST_LOG" || hl_fail "no support code"
first=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | head -1 | tr -dc 0-9)
wait_for window_geom sasae 620 || hl_fail "no code window"
sleep 0.5
import -window root "$SHOTS/first.png"
g1=$(window_geom sasae 620)
[ "$(red_in_window "$SHOTS/first.png" "$g1")" -lt 20 ] || hl_fail "a reason line before any renewal"

chk=${first:6:1} # the relay's check digit (the 5 after it never reach the relay)
for i in 1 2 3 4 5; do
    near=${first:0:6}$(((chk + i) % 10))
    "$HL_BIN/tests/relay_testclient" viewer --url "$HL_URL" --ca "$HL_DIR/pki/ca.pem" \
        --cert "$HL_DIR/pki/operators/hanako-sato.pem" --key "$HL_DIR/pki/operators/hanako-sato.key" \
        --code "$near" --expect-error 3 --timeout 20 >"$HL_DIR/near$i.out" 2>&1
    grep -q "RESULT ok" "$HL_DIR/near$i.out" || hl_fail "near miss $i not refused"
done
hl_wait 20 grep -q "getting a new support code" "$HL_HOST_LOG" || hl_fail "host did not renew"
two_codes() { [ "$(grep -c 'support code: [0-9]' "$HL_HOST_LOG")" -ge 2 ]; }
hl_wait 20 two_codes || hl_fail "no second code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_HOST_LOG" | tail -1 | tr -dc 0-9)
[ "$HL_CODE" != "$first" ] || hl_fail "same code again"
ok=
for i in $(seq 1 40); do
    import -window root "$SHOTS/renewed.png"
    g2=$(window_geom sasae 620) || { sleep 0.25; continue; }
    n=$(red_in_window "$SHOTS/renewed.png" "$g2")
    if [ "$n" -ge 20 ]; then ok=1; break; fi
    sleep 0.25
done
[ -n "$ok" ] || hl_fail "no reason line in the code window after the burn"
echo "burned $first; new code $HL_CODE shown with the reason line ($n red pixels)"

hl_viewer --timeout 60
hl_wait 30 hl_vsaw "consent 1" || hl_fail "no consent prompt for the new code"
wait_for window_sized sasae 620 380 || hl_fail "no prompt window"
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + 40)) $((Y + 40)) click 1 key Escape
hl_wait 10 hl_vsaw "consent 3" || hl_fail "Escape did not deny"
echo "ok: the operator reached the consent prompt through the renewed code"
