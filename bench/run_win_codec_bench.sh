#!/usr/bin/env bash
# The screen codec on Windows: bench_codec built for Windows (build-win, cmake --preset
# windows) run under Wine beside the same benchmark built for Linux (build), alternately,
# RUNS times each, on the same machine. Prints the median encode/decode milliseconds per
# frame of the tiled encoder at 1080p for each load and the Windows/Linux ratio of medians.
# Wine runs the exe's machine code natively; only system calls go through Wine, so this
# compares compilers, flags and SIMD paths, not operating systems.
#   bench/run_win_codec_bench.sh [RUNS] [FRAMES]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
FRAMES=${2:-40}
LIN=build/bench/bench_codec
WIN=build-win/bench/win/bench_codec.exe
[ -x "$LIN" ] || { echo "build the Linux tree first (scripts/test.sh or cmake --build build)"; exit 1; }
[ -f "$WIN" ] || { echo "build the Windows tree first (cmake --preset windows && cmake --build build-win)"; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for i in $(seq 1 "$RUNS"); do
  "$LIN" --frames "$FRAMES" --1080-only >"$OUT/lin$i.txt"
  tests/win/wine-run.sh "$WIN" --frames "$FRAMES" --1080-only 2>/dev/null | tr -d '\r' >"$OUT/win$i.txt"
done
head -1 "$OUT/lin1.txt"
head -1 "$OUT/win1.txt" | sed 's/^/windows: /'
python3 - "$OUT" "$RUNS" <<'PY'
import statistics, sys, glob
d, runs = sys.argv[1], int(sys.argv[2])
def rows(path):
    r = {}
    for line in open(path):
        p = line.split()
        if len(p) > 8 and p[0].startswith("1920x1080") and p[2] == "|":
            r[p[1]] = (float(p[3]), float(p[5]))  # tiled enc, dec (ms)
    return r
lin = [rows(f"{d}/lin{i}.txt") for i in range(1, runs + 1)]
win = [rows(f"{d}/win{i}.txt") for i in range(1, runs + 1)]
print(f"{'1080p load':<10} {'linux enc':>10} {'windows enc':>12} {'ratio':>6} | {'linux dec':>10} {'windows dec':>12} {'ratio':>6}")
for load in ("typing", "scroll", "motion"):
    le = statistics.median(r[load][0] for r in lin); we = statistics.median(r[load][0] for r in win)
    ld = statistics.median(r[load][1] for r in lin); wd = statistics.median(r[load][1] for r in win)
    print(f"{load:<10} {le:>10.2f} {we:>12.2f} {we/le:>6.2f} | {ld:>10.2f} {wd:>12.2f} {wd/ld:>6.2f}")
print(f"(medians of {runs} runs each, alternating; ms per frame)")
PY
