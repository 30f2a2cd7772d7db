# Shared by the host's GUI and integration scripts: start a private Xvfb on a free display
# (Xvfb -displayfd picks it), and helpers to wait for windows and read pixels.
# Usage: . xvfb.sh; xvfb_start 1280x800x24  -> sets DISPLAY and XVFB_PID; xvfb_stop at exit.

# SDL keeps a D-Bus buffer for the life of the process: not ours to free (ASan builds).
export LSAN_OPTIONS="suppressions=$SASAE_SRC/tests/gui/host_lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

xvfb_start() {
    local fifo
    fifo=$(mktemp -u /tmp/sasae-xvfb-XXXXXX)
    mkfifo "$fifo"
    Xvfb -displayfd 3 -screen 0 "${1:-1280x800x24}" -nolisten tcp -noreset 3>"$fifo" \
        >/dev/null 2>&1 &
    XVFB_PID=$!
    local n
    read -r -t 20 n <"$fifo" || { echo "Xvfb did not start" >&2; rm -f "$fifo"; return 1; }
    rm -f "$fifo"
    export DISPLAY=":$n"
}

xvfb_stop() {
    # A killed Xvfb's wait status is non-zero: never let it abort a caller under set -e.
    [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null || true
    XVFB_PID=
}

# wait_for CMD...: retries a command for up to 20 s.
wait_for() {
    local i
    for i in $(seq 1 200); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

# abs_geom WINDOW_ID -> "X Y W H", X and Y on the root window. (Under a window manager
# xdotool getwindowgeometry adds the frame's offset a second time.)
abs_geom() {
    xwininfo -id "$1" | awk -F: '
        /Absolute upper-left X/{x=$2} /Absolute upper-left Y/{y=$2}
        /^ *Width/{w=$2} /^ *Height/{h=$2} END{print x+0, y+0, w+0, h+0}'
}

# window_of_pid PID -> the id of the first visible window of process PID, waiting up to
# 10 s for it to map; fails if none does.
window_of_pid() {
    local id
    for _ in $(seq 100); do
        id=$(xdotool search --onlyvisible --pid "$1" 2>/dev/null | head -1) || true
        [ -n "$id" ] && { echo "$id"; return 0; }
        sleep 0.1
    done
    return 1
}

# window_geom NAME_REGEX [WIDTH] -> "X Y W H" of the newest visible window with that name
# (and that width, when given).
window_geom() {
    local id g found=
    for id in $(xdotool search --onlyvisible --name "$1" 2>/dev/null); do
        g=$(abs_geom "$id")
        if [ -z "${2:-}" ] || [ "$(echo "$g" | cut -d' ' -f3)" = "$2" ]; then found=$g; fi
    done
    [ -n "$found" ] || return 1
    echo "$found"
}

# window_sized NAME_REGEX WIDTH HEIGHT: true when such a visible window exists.
window_sized() {
    local g
    g=$(window_geom "$1" "$2") || return 1
    [ "$(echo "$g" | cut -d' ' -f4)" = "$3" ]
}

# person_click X Y: a click as a hand makes it: the button held for a tenth of a second
# while the hand moves a pixel (a program that reacts to the press before the release
# arrives must still see one click, in the window pressed).
person_click() {
    xdotool mousemove "$1" "$2" mousedown 1
    sleep 0.05
    xdotool mousemove "$(($1 + 1))" "$2"
    sleep 0.05
    xdotool mouseup 1
}

# window_count NAME_REGEX: number of visible windows with that name.
window_count() {
    xdotool search --onlyvisible --name "$1" 2>/dev/null | wc -l
}

# shot_until PNG X Y RGB: takes screenshots into PNG until pixel X,Y is RGB ("r,g,b"), for up
# to 10 s (a loaded machine may draw late). Fails if it never is.
shot_until() {
    local i
    for i in $(seq 1 40); do
        import -window root "$1"
        [ "$(pixel "$1" "$2" "$3")" = "$4" ] && return 0
        sleep 0.25
    done
    echo "pixel $2,$3 of $1 is $(pixel "$1" "$2" "$3"), want $4" >&2
    return 1
}

# pixel PNG X Y -> "r,g,b" (0..255)
pixel() {
    convert "$1" -crop "1x1+$2+$3" -depth 8 txt:- | tail -1 |
        sed -E 's/.*\(([0-9]+),([0-9]+),([0-9]+).*/\1,\2,\3/'
}
. "$SASAE_SRC/tests/gui/guide_img.sh"
