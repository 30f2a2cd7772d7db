#!/usr/bin/env bash
# GUI test of the clipboard between the operator's viewer and the customer's PC, each on its
# own Xvfb: relay, the real host capturing the customer's display (consent on its terminal),
# the SDL viewer on the operator's display, driven with xdotool. Without control, F7 (paste
# into the customer's PC) and F8 (copy from it) are refused by the viewer and the customer's
# CLIPBOARD keeps its text; with control granted, the operator's CLIPBOARD text (set with
# xclip on the operator's display) lands in the customer's CLIPBOARD, and the customer's
# (set with xclip there) lands in the operator's. Chat: F9 opens the viewer's chat line; a
# message typed there reaches the host.
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
. "$SASAE_SRC/tests/integration/viewer_lib.sh"
trap 'rc=$?; set +e; reap_all; kill $CUST_XVFB 2>/dev/null; wait $CUST_XVFB 2>/dev/null; viewer_cleanup; (exit $rc); cleanup' EXIT
CUST_XVFB=
viewer_start_xvfb 1280x800x24
OP_DISPLAY=$DISPLAY OP_XVFB=$XVFB_PID
viewer_start_xvfb 1280x800x24
CUST=$DISPLAY CUST_XVFB=$XVFB_PID
export DISPLAY=$OP_DISPLAY XVFB_PID=$OP_XVFB
export SDL_VIDEODRIVER=x11
xsetroot -display "$CUST" -solid '#204060'
op_clip() { xclip -display "$OP_DISPLAY" -selection clipboard "$@"; }
cust_clip() { xclip -display "$CUST" -selection clipboard "$@"; }

printf '%s' "operator: ipconfig /flushdns ✓" | op_clip -i
printf '%s' "customer-secret" | cust_clip -i

tty_host g1 --source x11 --display "$CUST"
SASAE_LANG=en "$B/viewer/sasae-viewer" --relay "$URL" --relay-ca "$C/ca.pem" \
  --cert "$OPC" --key "$OPK" --size 1000x700 --code "$CODE" >"$T/g1v.out" 2>"$T/g1v.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/g1.out"
echo y >"$T/g1.in"
wait_line "^state=viewing" "$T/g1v.out"
viewer_find_window
sleep 1

echo "== no control: F7 and F8 refused"
xdotool mousemove $((WIN_X + 500)) $((WIN_Y + 350)) # no --sync: the pointer may be there already
sleep 0.2
xdotool key F7
wait_line "^clipboard=refused why=no-control" "$T/g1v.out"
xdotool key F8
sleep 1
[ "$(grep -c '^clipboard=refused why=no-control' "$T/g1v.out")" -eq 2 ] || { echo "F8 not refused"; exit 1; }
[ "$(cust_clip -o)" = "customer-secret" ] || { echo "customer's clipboard changed without control"; exit 1; }
[ "$(op_clip -o)" = "operator: ipconfig /flushdns ✓" ] || { echo "operator's clipboard changed"; exit 1; }

echo "== control granted: both ways"
# Request control (6th toolbar button: Pointer, Red pen, Highlighter, Undo, Clear, Request
# control); the customer allows on the terminal
xdotool mousemove --sync $((WIN_X + 509)) $((WIN_Y + 22)) click 1
wait_line "Allow control? \[y/N\]" "$T/g1.out"
echo y >"$T/g1.in"
wait_line "^state=viewing control=granted" "$T/g1v.out"
xdotool mousemove $((WIN_X + 500)) $((WIN_Y + 350)) # no --sync: the pointer may be there already
sleep 0.2
xdotool key F7
wait_line "^clipboard=sent bytes=" "$T/g1v.out"
for _ in $(seq 50); do
  [ "$(cust_clip -o 2>/dev/null)" = "operator: ipconfig /flushdns ✓" ] && break
  sleep 0.1
done
[ "$(cust_clip -o)" = "operator: ipconfig /flushdns ✓" ] ||
  { echo "operator's text not in the customer's CLIPBOARD: '$(cust_clip -o)'"; exit 1; }
echo "customer's CLIPBOARD: $(cust_clip -o)"
printf '%s' "エラーコード 0x80070005" | cust_clip -i
xdotool key F8
wait_line "^clipboard=received bytes=" "$T/g1v.out" ||
  { grep -i "clipboard" "$T/g1.out" "$T/g1v.err" >&2; exit 1; }
for _ in $(seq 50); do # the viewer's X requests leave with its next event pump
  [ "$(op_clip -o 2>/dev/null)" = "エラーコード 0x80070005" ] && break
  sleep 0.1
done
[ "$(op_clip -o)" = "エラーコード 0x80070005" ] ||
  { echo "customer's text not in the operator's CLIPBOARD: '$(op_clip -o)'"; exit 1; }
echo "operator's CLIPBOARD: $(op_clip -o)"
grep "^clipboard=" "$T/g1v.out"
wait_line "clipboard: .* bytes copied to the customer's clipboard" "$T/g1.out"
wait_line "clipboard: .* bytes copied from the customer's clipboard" "$T/g1.out"
echo "== chat from the viewer: F9, type, Enter"
xset r off # a loaded machine holds a key long enough for autorepeat
xdotool key F9
sleep 0.3
xdotool type --delay 40 "hello from the operator"
xdotool key Return
wait_line "^chat=sent text=hello from the operator" "$T/g1v.out"
wait_line "chat: message 1 from the operator" "$T/g1.out"
xdotool key Escape
# The End button at the right end of the toolbar.
xdotool mousemove --sync $((WIN_X + 1000 - 60)) $((WIN_Y + 22)) click 1
wait_line "^end=operator-ended exit=0" "$T/g1v.out"
wait_line "session summary: clipboard 1 to the customer, 1 from the customer, 0 refused; chat 1 messages from the operator, 0 from the customer, 0 refused" "$T/g1.out"
echo PASS
