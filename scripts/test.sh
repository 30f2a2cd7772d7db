#!/usr/bin/env bash
# The whole test suite, from nothing: installs packages, checks formatting, builds and runs
# every test (unit, integration, GUI under Xvfb) in a normal build and in an ASan+UBSan
# build, the Windows build's tests under Wine, then runs each libFuzzer target briefly. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT
# run_ctest NAME DIR ARGS...: runs ctest and keeps its output to total the results.
run_ctest() {
  local name=$1 dir=$2; shift 2
  (cd "$dir" && ctest "$@") 2>&1 | tee "$LOGDIR/$name.log"
  return "${PIPESTATUS[0]}"
}

scripts/setup.sh

echo "== clang-format check"
bad=$(git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run -Werror 2>&1 | grep -c 'error:' || true)
if [ "$bad" != "0" ]; then
  git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run -Werror 2>&1 | head -40
  echo "clang-format: unformatted code (run: git ls-files '*.c' '*.h' | xargs clang-format -i)"
  exit 1
fi

echo "== build (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"
echo "== tests (RelWithDebInfo)"
run_ctest main build -V --timeout 600 --output-on-failure

echo "== Windows build (mingw-w64; libraries cross-built from Debian sources, cached)"
WIN_PREFIX=$(scripts/setup-windows.sh | tail -n 1)
cmake --preset windows -DSASAE_WIN_PREFIX="$WIN_PREFIX" -DSASAE_LINUX_BIN="$PWD/build" >/dev/null
cmake --build build-win -j"$JOBS"
echo "== tests (Windows build under Wine)"
run_ctest windows build-win -V --timeout 600 --output-on-failure -L windows

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSASAE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$JOBS"
echo "== tests (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest asan build-asan --timeout 900 --output-on-failure -LE nosan

echo "== fuzzers (libFuzzer, short runs)"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSASAE_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$JOBS" --target fuzzers
run_ctest fuzz build-fuzz --timeout 300 --output-on-failure -L fuzz

passed=0 failed=0
for f in "$LOGDIR"/*.log; do
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$f" | tail -n 1 || true)
  [ -n "$line" ] || continue
  nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  ntot=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  passed=$((passed + ntot - nfail)) failed=$((failed + nfail))
done
echo "== all suites (normal, Windows under Wine, ASan+UBSan, fuzz)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
