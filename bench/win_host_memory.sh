#!/usr/bin/env bash
# Memory of sasae-host.exe under Wine while it shares a 1920x1080 screen: a real session
# (Linux relay, the branded exe, the test viewer, Allow clicked), with the screen changing
# (an xterm printing) for SECONDS; samples the process's resident set every 0.5 s and prints
# the peak and the median. Under Wine the resident set of the exe's process is its Windows
# working set plus Wine's own libraries in the process.
#   bench/win_host_memory.sh [SECONDS]     (needs build/ and build-win/)
# With SASAE_MEM_SMAPS=FILE it also writes the process's /proc/PID/smaps at the end of the
# run to FILE, and prints the resident set by mapping (bench/smaps_summary.awk).
# SASAE_MEM_HOST_ARGS: extra arguments for the exe (e.g. "--source gdi" skips the DXGI probe).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-20}
export SASAE_BIN=$PWD/build SASAE_SRC=$PWD SASAE_WIN_BIN=$PWD/build-win
. tests/gui/xvfb.sh
. tests/integration/host_lib.sh
trap 'rc=$?; [ -n "${HOST_PID:-}" ] && kill $HOST_PID 2>/dev/null; [ -n "${XT:-}" ] && kill $XT 2>/dev/null; xvfb_stop; (exit $rc); host_cleanup' EXIT
xvfb_start 1920x1080x24
. tests/win/wine-lib.sh
hl_pki
hl_relay
"$HL_BIN/relay/certs/sasae-certs" brand --exe "$WIN_HOST" --out "$HL_DIR/h.exe" --relay "$HL_URL" \
    --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" >/dev/null
# shellcheck disable=SC2086 # word splitting of the extra arguments is wanted
wine "$HL_DIR/h.exe" ${SASAE_MEM_HOST_ARGS:-} >"$HL_DIR/h.out" 2>"$HL_DIR/h.log" &
HOST_PID=$!
hl_wait 60 grep -q "support code: [0-9]" "$HL_DIR/h.log" || hl_fail "no code"
HL_CODE=$(grep -o 'support code: [0-9 ]*' "$HL_DIR/h.log" | head -1 | tr -dc 0-9)
wait_for window_geom sasae 620 || hl_fail "no code window"
hl_viewer --timeout $((SECS + 60))
wait_for window_sized sasae 620 380 || hl_fail "no prompt"
sleep 1
read -r X Y W H < <(window_geom sasae 620)
xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"
xterm -geometry 200x60+0+80 -e bash -c 'while :; do ls -lR /usr/share/doc | head -2000; done' &
XT=$!
# this run's exe only (another run's h.exe may be alive beside it)
pid=$(pgrep -f "$HL_DIR/h.exe" | head -1)
[ -n "$pid" ] || hl_fail "no h.exe process"
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
sort -n "$HL_DIR/rss" | awk -v f="$frames" -v s="$SECS" '{ a[NR] = $1 } END {
    printf "sasae-host.exe at 1920x1080 under Wine, %d s sharing, %d frames: resident peak %.1f MB, median %.1f MB\n",
        s, f, a[NR] / 1024, a[int((NR + 1) / 2)] / 1024 }'
