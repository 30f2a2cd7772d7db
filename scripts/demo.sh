#!/usr/bin/env bash
# The main job. Until the host and viewer exist this runs the codec benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
exec build/bench/bench_codec "$@"
