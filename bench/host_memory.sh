#!/usr/bin/env bash
# Memory of the Linux sasae-host while it shares an X screen: a real session (Linux relay,
# the host with --consent tty, the test viewer, consent given), with the screen changing (an
# xterm printing a long listing) for SECONDS; samples the host's resident set every 0.5 s and
# prints the peak and the median. The Linux twin of bench/win_host_memory.sh.
#   bench/host_memory.sh [WxH] [SECONDS]      (needs build/; default 1920x1080, 20 s)
# XTERM_GEOM (default 200x60, as the Windows script) sizes the printing xterm in characters;
# SASAE_MEM_SMAPS=FILE keeps the host's /proc/PID/smaps at the end and prints it by mapping.
# SASAE_MEM_HOST=PATH measures another sasae-host binary (e.g. an older build) with the rest
# of build/.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1920x1080}
SECS=${2:-20}
export SASAE_BIN=$PWD/build SASAE_SRC=$PWD
if [ -n "${SASAE_MEM_HOST:-}" ]; then # a copy of build/ whose host is that binary
    SHADOW=$(mktemp -d /tmp/sasae-memhost-XXXXXX)
    for f in "$SASAE_BIN"/*; do ln -s "$f" "$SHADOW/"; done
    rm "$SHADOW/host" && mkdir "$SHADOW/host" && ln -s "$SASAE_MEM_HOST" "$SHADOW/host/sasae-host"
    SASAE_BIN=$SHADOW
fi
. tests/gui/xvfb.sh
. tests/integration/host_lib.sh
trap 'rc=$?; [ -n "${XT:-}" ] && kill $XT 2>/dev/null; [ -n "${SHADOW:-}" ] && rm -rf "$SHADOW"; xvfb_stop; (exit $rc); host_cleanup' EXIT
xvfb_start "${SIZE}x24"
hl_pki
hl_relay
hl_host --source x11
hl_viewer --timeout $((SECS + 60))
hl_answer y
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"
xterm -geometry "${XTERM_GEOM:-200x60}+0+80" -e bash -c 'while :; do ls -lR /usr/share/doc | head -2000; done' &
XT=$!
# this run's host only (another run's may be alive beside it)
pid=$(pgrep -f "^$HL_BIN/host/sasae-host --relay $HL_URL " | head -1)
[ -n "$pid" ] || hl_fail "no sasae-host process"
: >"$HL_DIR/rss"
for i in $(seq 1 $((SECS * 2))); do
    awk '/VmRSS/ { print $2 }' "/proc/$pid/status" >>"$HL_DIR/rss"
    sleep 0.5
done
if [ -n "${SASAE_MEM_SMAPS:-}" ]; then
    cp "/proc/$pid/smaps" "$SASAE_MEM_SMAPS"
    awk -f bench/smaps_summary.awk "$SASAE_MEM_SMAPS"
fi
frames=$(hl_frames)
sort -n "$HL_DIR/rss" | awk -v f="$frames" -v s="$SECS" -v z="$SIZE" '{ a[NR] = $1 } END {
    printf "sasae-host (Linux) at %s, %d s sharing, %d frames: resident peak %.1f MB, median %.1f MB\n",
        z, s, f, a[NR] / 1024, a[int((NR + 1) / 2)] / 1024 }'
