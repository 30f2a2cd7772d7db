#!/usr/bin/env bash
# The shared core's Windows build under Wine (tests/win/test_win_core.c): wire vectors both
# ways, a handshake with an operator certificate made by the Linux sasae-certs, records,
# the video codec, the host's gates and the brand block.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
. "$SASAE_SRC/tests/win/wine-lib.sh"
hl_pki
wine "$SASAE_WIN_BIN/tests/win/test_win_core.exe" "$SASAE_SRC/tests/vectors" "$HL_DIR/pki" |
    tr -d '\r' | tee "$HL_DIR/core.out"
grep -q "^# [0-9]* checks, 0 failed" "$HL_DIR/core.out" || hl_fail "core checks failed"
echo PASS
