#!/usr/bin/env bash
# The whole test suite, from nothing: installs packages, checks formatting, builds and runs
# every test (unit, integration, GUI under Xvfb) in a normal build and in an ASan+UBSan
# build, the Windows build's tests under Wine, the integration tests with ThreadSanitizer,
# then runs each libFuzzer target briefly.
# Every stage runs even when an earlier one failed (a test stage whose build failed counts
# as failed); the end prints one row per stage and exits non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT
STAGES=()  # "name|status|passed|failed" rows for the final table

# record NAME STATUS PASSED FAILED
record() { STAGES+=("$1|$2|$3|$4"); }

# step NAME CMD...: a stage without tests (install, format, build); ok or FAILED.
step() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then record "$name" ok - -; return 0; fi
  record "$name" FAILED - -
  return 1
}

# tests NAME DIR ARGS...: runs ctest in DIR, keeps its output and totals it. A run that
# prints no ctest summary (ctest crashed, no tests found, the build dir missing) counts as
# failed: a stage is never dropped silently.
tests() {
  local name=$1 dir=$2
  shift 2
  echo "== tests ($name)"
  local rc=0
  if [ -d "$dir" ]; then
    (cd "$dir" && ctest "$@") 2>&1 | tee "$LOGDIR/$name.log"
    rc=${PIPESTATUS[0]}
  else
    echo "no build directory $dir" | tee "$LOGDIR/$name.log"
    rc=1
  fi
  local line nfail ntot
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$LOGDIR/$name.log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "tests ($name): no ctest summary (exit status $rc)"
    record "tests ($name)" "FAILED (no summary)" 0 1
    return 1
  fi
  nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  ntot=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  if [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; then nfail=1; fi # ctest failed for another reason
  if [ "$nfail" -eq 0 ] && [ "$ntot" -gt 0 ]; then
    record "tests ($name)" ok $((ntot - nfail)) "$nfail"
  else
    [ "$ntot" -gt 0 ] || nfail=1
    record "tests ($name)" FAILED $((ntot - nfail > 0 ? ntot - nfail : 0)) "$nfail"
  fi
}

format_check() {
  local out
  out=$(git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run -Werror 2>&1)
  if grep -q 'error:' <<<"$out"; then
    head -40 <<<"$out"
    echo "clang-format: unformatted code (run: git ls-files '*.c' '*.h' | xargs clang-format -i)"
    return 1
  fi
}

build_normal() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j"$JOBS"
}

build_windows() {
  local prefix
  prefix=$(scripts/setup-windows.sh | tail -n 1) || return 1
  cmake --preset windows -DSASAE_WIN_PREFIX="$prefix" -DSASAE_LINUX_BIN="$PWD/build" >/dev/null &&
    cmake --build build-win -j"$JOBS"
}

build_asan() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSASAE_SANITIZE=ON >/dev/null &&
    cmake --build build-asan -j"$JOBS"
}

build_tsan() {
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DSASAE_TSAN=ON >/dev/null &&
    cmake --build build-tsan -j"$JOBS"
}

build_fuzz() {
  cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSASAE_FUZZ=ON >/dev/null &&
    cmake --build build-fuzz -j"$JOBS" --target fuzzers
}

# A test stage runs only when its build succeeded, so it never passes on stale binaries.
if ! step "install packages (scripts/setup.sh)" scripts/setup.sh; then
  echo "package installation failed: nothing else can run"
fi
step "clang-format check" format_check
if step "build (RelWithDebInfo)" build_normal; then
  tests main build -V --timeout 600 --output-on-failure
else
  record "tests (main)" "FAILED (not built)" 0 1
fi
if step "build (Windows, mingw-w64; libraries from Debian sources, cached)" build_windows; then
  tests windows build-win -V --timeout 600 --output-on-failure -L windows
else
  record "tests (windows)" "FAILED (not built)" 0 1
fi
if step "build (ASan + UBSan)" build_asan; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  tests asan build-asan --timeout 900 --output-on-failure -LE nosan
else
  record "tests (asan)" "FAILED (not built)" 0 1
fi
# ThreadSanitizer: the relay, host and viewer (their service, pipeline and network threads)
# built with -fsanitize=thread and run through the integration tests, which fail on any
# ThreadSanitizer report in a process's log. (Criterion's unit-test runner cannot start
# under ThreadSanitizer: its fork arena needs a fixed mapping TSan reserves.)
if step "build (ThreadSanitizer)" build_tsan; then
  TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 exitcode=66" \
    tests tsan build-tsan --timeout 900 --output-on-failure -L integration -LE 'nosan|notsan'
else
  record "tests (tsan)" "FAILED (not built)" 0 1
fi
if step "build (libFuzzer)" build_fuzz; then
  tests fuzz build-fuzz --timeout 300 --output-on-failure -L fuzz
else
  record "tests (fuzz)" "FAILED (not built)" 0 1
fi

echo "== summary"
passed=0 failed=0 bad=0
printf '%-66s %-20s %7s %7s\n' stage status passed failed
for row in "${STAGES[@]}"; do
  IFS='|' read -r name status np nf <<<"$row"
  printf '%-66s %-20s %7s %7s\n' "$name" "$status" "$np" "$nf"
  [ "$status" = ok ] || bad=$((bad + 1))
  [ "$np" = - ] || passed=$((passed + np))
  [ "$nf" = - ] || failed=$((failed + nf))
done
echo "$passed passed, $failed failed; $bad of ${#STAGES[@]} stages failed"
[ "$bad" -eq 0 ]
