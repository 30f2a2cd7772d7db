# Helpers for the viewer's GUI tests (sourced): a private Xvfb, window geometry, pixel
# checks on screenshots. Needs Xvfb, xdotool, ImageMagick and python3 (scripts/setup.sh).

# Under ASan, the X11/Mesa libraries SDL loads and unloads itself leave allocations that
# LeakSanitizer can no longer attribute (its suppressions match loaded modules only): leak
# checking stays on for the viewer's unit, headless and end-to-end tests, off here; every
# other ASan/UBSan check stays on.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# Starts Xvfb on the first free display from a $$-derived number; sets DISPLAY, XVFB_PID.
viewer_start_xvfb() {
  local size=${1:-1280x800x24} n=$((60 + $$ % 200)) i
  for i in $(seq 0 60); do
    local d=$((n + i))
    if [ ! -e /tmp/.X$d-lock ] && [ ! -e /tmp/.X11-unix/X$d ]; then
      Xvfb :$d -screen 0 "$size" -nolisten tcp -noreset >/dev/null 2>&1 &
      XVFB_PID=$!
      for _ in $(seq 50); do
        if DISPLAY=:$d xdpyinfo >/dev/null 2>&1; then
          export DISPLAY=:$d
          return 0
        fi
        kill -0 $XVFB_PID 2>/dev/null || break
        sleep 0.1
      done
      kill $XVFB_PID 2>/dev/null; wait $XVFB_PID 2>/dev/null
    fi
  done
  echo "no free X display" >&2
  return 1
}

# Waits (up to $2 s, default 20) for a line matching $1 in file $3.
viewer_wait_line() {
  local pat=$1 t=${2:-20} file=$3 i
  for i in $(seq $((t * 10))); do
    grep -q -- "$pat" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timeout waiting for '$pat' in $file:" >&2
  cat "$file" >&2
  return 1
}

# Waits for the viewer's window; sets WIN, WIN_X, WIN_Y, WIN_W, WIN_H.
viewer_find_window() {
  local i
  for i in $(seq 300); do # up to 30 s: a loaded machine maps windows late
    WIN=$(xdotool search --name "sasae" 2>/dev/null | head -1 || true)
    if [ -n "$WIN" ]; then
      eval "$(xdotool getwindowgeometry --shell "$WIN")"
      WIN_X=$X WIN_Y=$Y WIN_W=$WIDTH WIN_H=$HEIGHT
      [ "$WIN_W" -gt 1 ] && return 0
    fi
    sleep 0.1
  done
  echo "viewer window not found" >&2
  return 1
}

# Screenshot of the root window into $1.
viewer_shot() {
  import -window root "$1"
}

# viewer_expect_colour FILE X Y R G B [TOL] [STEP]: at least 70 % of a 5x5 lattice of points
# STEP px apart (default 4) centred on (X, Y) (root coordinates) are within TOL (default 40)
# of the colour. Robust to a small moving object passing through.
viewer_expect_colour() {
  python3 - "$@" <<'PY'
import subprocess, sys
f, x, y, r, g, b = sys.argv[1], *map(int, sys.argv[2:7])
tol = int(sys.argv[7]) if len(sys.argv) > 7 else 40
step = int(sys.argv[8]) if len(sys.argv) > 8 else 4
ppm = subprocess.run(["convert", f, "-depth", "8", "ppm:-"], check=True, capture_output=True).stdout
parts = ppm.split(maxsplit=4)
w, h = int(parts[1]), int(parts[2])
data = parts[4]
ok = tot = 0
bad = None
for dy in range(-2, 3):
    for dx in range(-2, 3):
        px, py = x + dx * step, y + dy * step
        if not (0 <= px < w and 0 <= py < h):
            continue
        o = (py * w + px) * 3
        c = data[o:o + 3]
        tot += 1
        if all(abs(c[i] - (r, g, b)[i]) <= tol for i in range(3)):
            ok += 1
        else:
            bad = (px, py, tuple(c))
if tot == 0 or ok * 10 < tot * 7:
    print(f"{f}: around ({x},{y}) want ({r},{g},{b}) +-{tol}: {ok}/{tot} match, e.g. {bad}", file=sys.stderr)
    sys.exit(1)
PY
}

. "$SASAE_SRC/tests/integration/proc_lib.sh"
. "$SASAE_SRC/tests/gui/guide_img.sh"
# viewer_cleanup: stops the viewer (its status checked as proc_lib.sh does) and Xvfb, and
# scans $OUT (when set) for sanitizer reports. Failures are counted in PROC_FAILS: the
# trap ends with exit "$(proc_status "$rc")".
viewer_cleanup() {
  set +e
  proc_reap "${VIEWER_PID:-}" sasae-viewer
  VIEWER_PID=
  [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
  XVFB_PID=
  [ -n "${OUT:-}" ] && [ -d "$OUT" ] && proc_scan_logs "$OUT"
  return 0
}
