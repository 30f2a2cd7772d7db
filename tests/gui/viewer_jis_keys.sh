#!/usr/bin/env bash
# GUI test, end to end with real processes: an operator with a Japanese (JIS 106) keyboard
# presses 半角/全角, ろ, 変換, 無変換 and カタカナ/ひらがな in the viewer's window (its own Xvfb,
# xkb jp layout); the Linux host (another Xvfb, jp layout, control allowed on its terminal)
# presses the same keys there: an X client on the host's screen sees their key codes. Before
# control is allowed the keys go nowhere. (¥: xkb's jp layout has no XK_yen, so the Linux
# host cannot press it; the Windows host's key table is checked by test_viewer_keys.)
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
. "$SASAE_SRC/tests/integration/viewer_lib.sh"
XPIDS=()
trap 'rc=$?; set +e; reap_all; for p in "${XPIDS[@]}"; do kill "$p" 2>/dev/null; done; (exit $rc); cleanup' EXIT
export SDL_VIDEODRIVER=x11

# the host's screen, with a window that logs the keys it gets
viewer_start_xvfb 800x600x24
XPIDS+=("$XVFB_PID")
HOST_DISPLAY=$DISPLAY
setxkbmap -model jp106 -layout jp
xev -geometry 800x600+0+0 -event keyboard >"$T/xev.out" 2>&1 &
XPIDS+=($!)
wait_line "" "$T/xev.out" 10 >/dev/null || true
xdotool mousemove 400 300 # focus follows the pointer (no window manager)

# the operator's screen
viewer_start_xvfb 1280x800x24
XPIDS+=("$XVFB_PID")
setxkbmap -model jp106 -layout jp

tty_host k1 --display "$HOST_DISPLAY"
SASAE_LANG=en "$B/viewer/sasae-viewer" --relay "$URL" --relay-ca "$C/ca.pem" --cert "$OPC" \
  --key "$OPK" --size 1000x700 --code "$CODE" >"$T/v.out" 2>"$T/v.err" &
VPID=$!
PIDS+=($VPID)
wait_line "Allow? \[y/N\]" "$T/k1.out"
echo y >"$T/k1.in"
wait_line "^state=viewing" "$T/v.out"
viewer_find_window
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 350))

# host_codes: the key codes pressed on the host's screen so far, one line
host_codes() { awk '/^KeyPress/ { p = 1 } p && /keycode/ { sub(/.*keycode /, ""); print $1; p = 0 }' \
  "$T/xev.out" | tr '\n' ' '; }
JIS_KEYS="Zenkaku_Hankaku backslash Henkan_Mode Muhenkan Hiragana_Katakana"
# the same physical keys on the host's jp layout (evdev key codes + 8)
WANT="49 97 100 102 101 "

# no control yet: nothing reaches the host
xdotool key --delay 60 $JIS_KEYS
sleep 1
[ -z "$(host_codes)" ] || { echo "keys reached the host before control: $(host_codes)"; exit 1; }

# control requested (6th toolbar button: Pointer, Red pen, Highlighter, Undo, Clear, Request control), allowed on the host's terminal
xdotool mousemove --sync $((WIN_X + 509)) $((WIN_Y + 22)) click 1
wait_line "Allow control? \[y/N\]" "$T/k1.out"
echo y >"$T/k1.in"
wait_line "^state=viewing control=granted" "$T/v.out"
xdotool mousemove --sync $((WIN_X + 500)) $((WIN_Y + 350))
xdotool key --delay 60 $JIS_KEYS
for _ in $(seq 50); do [ "$(host_codes)" = "$WANT" ] && break; sleep 0.1; done
echo "host pressed key codes: $(host_codes)(want $WANT)"
[ "$(host_codes)" = "$WANT" ] || { cat "$T/xev.out" | tail -40; exit 1; }
grep -q "keysym 0xff2a, Zenkaku_Hankaku" "$T/xev.out"
grep -q "keysym 0x5c, backslash" "$T/xev.out"
echo PASS
