#!/usr/bin/env bash
# The operator's window under a real window manager (openbox), used as a person would: the
# operator was working in another window (an xterm has the focus), then clicks the toolbar's
# End once; it must end at once (SDL drops a click that also focuses a window unless told
# not to). The title is UTF-8 (_NET_WM_NAME) in English and Japanese, whatever the locale.
set -euo pipefail
. "$(dirname "$0")/viewer_common.sh"
V=$SASAE_BIN/viewer/sasae-viewer
OUT=$(mktemp -d /tmp/viewer-wm.XXXXXX)
WM_PID= XTERM_PID=
trap 'rc=$?; set +e; kill $WM_PID $XTERM_PID 2>/dev/null; wait $WM_PID $XTERM_PID 2>/dev/null; viewer_cleanup; exit "$(proc_status "$rc")"' EXIT
viewer_start_xvfb 1280x800x24
export SDL_VIDEODRIVER=x11 LC_ALL=C LANG=C # a locale that is not UTF-8 must not garble
openbox --sm-disable >"$OUT/openbox.log" 2>&1 &
WM_PID=$!
for _ in $(seq 100); do xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id' && break; sleep 0.1; done
xprop -root _NET_SUPPORTING_WM_CHECK | grep -q 'window id' || { echo "openbox did not start"; exit 1; }
xterm -geometry 60x8+700+600 -title operator-work >/dev/null 2>&1 &
XTERM_PID=$!
for _ in $(seq 100); do xdotool search --onlyvisible --name operator-work >/dev/null 2>&1 && break; sleep 0.1; done
XTERM_WIN=$(xdotool search --onlyvisible --name operator-work | head -1)

for lang in en ja; do
  SASAE_LANG=$lang $V --test-pattern 640x360@30 --size 1000x700 >"$OUT/$lang.out" 2>"$OUT/$lang.err" &
  VIEWER_PID=$!
  viewer_wait_line "state=viewing" 20 "$OUT/$lang.out"
  viewer_find_window
  WIN=$(xdotool search --onlyvisible --name "sasae" | tail -1)
  # root coordinates from xwininfo: xdotool adds openbox's frame offset twice
  read -r WIN_X WIN_Y WIN_W _ < <(xwininfo -id "$WIN" | awk -F: '
    /Absolute upper-left X/{x=$2} /Absolute upper-left Y/{y=$2} /^ *Width/{w=$2}
    END{print x+0, y+0, w+0, 0}')
  title=$(LC_ALL=C.UTF-8 xprop -id "$WIN" _NET_WM_NAME)
  if [ $lang = en ]; then want='"sasae — remote support viewer"'; else want='"sasae — リモートサポート ビューアー"'; fi
  [ "$title" = "_NET_WM_NAME(UTF8_STRING) = $want" ] || { echo "$lang title: $title, want $want"; exit 1; }
  sleep 1
  xdotool windowactivate --sync "$XTERM_WIN"
  [ "$(xdotool getwindowfocus)" = "$XTERM_WIN" ] || { echo "could not focus the xterm"; exit 1; }
  sleep 0.3
  # one click on End at the toolbar's right end
  xdotool mousemove --sync $((WIN_X + WIN_W - 60)) $((WIN_Y + 22)) click 1
  viewer_wait_line "end=operator-ended exit=0" 10 "$OUT/$lang.out"
  sleep 0.5
  xdotool windowactivate --sync "$XTERM_WIN"
  sleep 0.3
  # one click on Close, centred under the end message
  xdotool mousemove --sync $((WIN_X + WIN_W / 2)) $((WIN_Y + 430)) click 1
  rc=0
  for _ in $(seq 100); do kill -0 $VIEWER_PID 2>/dev/null || break; sleep 0.1; done
  kill -0 $VIEWER_PID 2>/dev/null && { echo "$lang: one click on Close did not close"; exit 1; }
  wait $VIEWER_PID || rc=$?
  VIEWER_PID=
  [ "$rc" -eq 0 ] || { echo "$lang: exit code $rc, want 0"; exit 1; }
done
rm -rf "$OUT"
echo PASS
