#!/usr/bin/env bash
# Long libFuzzer runs of every target, from the corpus kept in the tree.
#
# usage: bench/fuzz_long.sh [--seconds 600] [--jobs 1] [--merge] [--out DIR] [TARGET...]
#   --seconds  how long each target runs (default 600 = the issue's 10 minutes)
#   --jobs     targets run at once (each is one process, one core)
#   --merge    afterwards, minimise (libFuzzer -merge=1) the tree's corpus plus what the
#              run found back into tests/fuzz/corpus/TARGET, keeping files <= 4 KiB
#              (video seeds: 16 KiB) so the tree stays small
#   TARGET     default: every fuzz_* binary in $BUILD/tests
# Binaries from $BUILD (default build-fuzz: cmake -S . -B build-fuzz
# -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSASAE_FUZZ=ON && cmake --build
# build-fuzz -j2 --target fuzzers, as scripts/test.sh builds it).
#
# Prints one line per target: seconds, total execs, execs/s, coverage (cov) and features
# (ft) of the starting corpus and at the end, corpus size, crashes (crash-/leak-/timeout-/
# oom- artifacts in OUT/TARGET/). Exit status 1 if any target found anything.
set -uo pipefail
cd "$(dirname "$0")/.."

SECS=600 JOBS=1 MERGE=0 OUT=${TMPDIR:-/tmp}/sasae-fuzz-long BUILD=${BUILD:-build-fuzz}
while [ $# -gt 0 ]; do
  case $1 in
  --seconds) SECS=$2; shift 2 ;;
  --jobs) JOBS=$2; shift 2 ;;
  --merge) MERGE=1; shift ;;
  --out) OUT=$2; shift 2 ;;
  -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
  -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  *) break ;;
  esac
done
[[ $SECS =~ ^[0-9]+$ && $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "bad --seconds/--jobs" >&2; exit 2; }
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for b in "$BUILD"/tests/fuzz_*; do [ -x "$b" ] && targets+=("$(basename "$b")"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets in $BUILD/tests (build them first)" >&2; exit 2; }
mkdir -p "$OUT"

# run_one TARGET: the long run, its log in OUT/TARGET.log, its finds in OUT/TARGET/corpus.
run_one() {
  local t=$1 bin=$BUILD/tests/$1 dir=$OUT/$1
  rm -rf "$dir" && mkdir -p "$dir/corpus"
  local dirs=("$dir/corpus")
  for d in tests/fuzz/corpus/"$t" tests/fuzz/seeds/"$t"; do [ -d "$d" ] && dirs+=("$d"); done
  "$bin" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$dir/" "${dirs[@]}" >"$OUT/$t.log" 2>&1
  echo $? >"$dir/status"
}

# report TARGET: one line of figures from the log.
report() {
  local t=$1 log=$OUT/$1.log dir=$OUT/$1
  local init done execs eps arts
  init=$(grep -m1 -E 'INITED' "$log" | grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo "cov: ? ft: ?")
  done=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|RELOAD)' "$log" | tail -n1)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  eps=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  arts=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-18s %5ss  execs %10s  %7s/s  start %-18s end %-18s corp %-6s finds %s (exit %s)\n' \
    "$t" "$SECS" "$execs" "$eps" "$init" "$(echo "$done" | grep -oE 'cov: [0-9]+ ft: [0-9]+')" \
    "$(echo "$done" | grep -oE 'corp: [0-9]+' | grep -oE '[0-9]+')" "$arts" "$(cat "$dir/status")"
  [ "$arts" -eq 0 ]
}

# merge_back TARGET: minimise tree corpus + finds into tests/fuzz/corpus/TARGET.
merge_back() {
  local t=$1 bin=$BUILD/tests/$1 dest=tests/fuzz/corpus/$1 max=4096
  case $t in fuzz_video_decode | fuzz_host_file) max=16384 ;; esac
  local cand=$OUT/$t/cand new=$OUT/$t/merged
  rm -rf "$cand" "$new" && mkdir -p "$cand" "$new"
  for d in "$dest" tests/fuzz/seeds/"$t" "$OUT/$t/corpus"; do
    [ -d "$d" ] && find "$d" -maxdepth 1 -type f -size -$((max + 1))c -exec cp -t "$cand" {} +
  done
  "$bin" -merge=1 -rss_limit_mb=2048 -timeout=25 "$new" "$cand" >"$OUT/$t.merge.log" 2>&1 || {
    echo "$t: merge failed, see $OUT/$t.merge.log" >&2
    return 1
  }
  rm -rf "$dest" && mkdir -p "$dest" && cp "$new"/* "$dest"/
  echo "$t: corpus $(find "$dest" -type f | wc -l) files, $(du -sb "$dest" | cut -f1) bytes"
}

echo "fuzzing ${#targets[@]} targets, ${SECS}s each, $JOBS at a time; logs in $OUT"
running=0
for t in "${targets[@]}"; do
  [ -x "$BUILD/tests/$t" ] || { echo "no $BUILD/tests/$t" >&2; exit 2; }
  run_one "$t" &
  running=$((running + 1))
  if [ $running -ge "$JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

fail=0
for t in "${targets[@]}"; do report "$t" || fail=1; done
if [ $MERGE -eq 1 ]; then
  for t in "${targets[@]}"; do merge_back "$t" || fail=1; done
fi
exit $fail
