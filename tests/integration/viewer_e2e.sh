#!/usr/bin/env bash
# End to end: the real relay, a real host with the synthetic source and consent given on
# its terminal, and the headless viewer. Decoded frames must match the source (PSNR),
# the frame log must be written with sane latencies, the host's fingerprint and system
# information must reach the viewer, and the exit code must say who ended the session.
set -euo pipefail
B=$SASAE_BIN
for t in relay/certs/sasae-certs relay/server/sasae-relay host/sasae-host viewer/sasae-viewer \
  tests/viewer_refcheck; do
  [ -x "$B/$t" ] || { echo "missing $B/$t"; exit 1; }
done
. "$(dirname "$0")/viewer_lib.sh"

# --- 1. Allow, 90 frames, operator ends (exit 0) -----------------------------------------
start_host h1
viewer v1 --code "$CODE" --max-frames 90 --frame-log "$T/frames.log" --dump-dir "$T/dump" \
  --dump-format i420 --dump-every 10
wait_line "Allow? \[y/N\]" "$T/h1.out"
echo y >"$T/h1.in"
rc=0; wait $VPID || rc=$?
[ $rc -eq 0 ] || { echo "viewer exit $rc, want 0"; cat "$T/v1.out" "$T/v1.err"; exit 1; }
grep -q "^end=operator-ended exit=0" "$T/v1.out"
# The fingerprint the viewer verified is the one the host shows.
HFPR=$(grep -o "device key SHA256:[0-9A-F ]*" "$T/h1.out" | head -1 | sed 's/device key //')
grep -qF "host-fingerprint=$HFPR" "$T/v1.out" || {
  echo "fingerprint mismatch: host '$HFPR'"; grep fingerprint "$T/v1.out"; exit 1; }
# System information arrived and was printed.
sed -n '/^sysinfo-begin/,/^sysinfo-end/p' "$T/v1.out" | grep -q "^os="
# Frame log: header + 90 frames, keyframe first, latencies non-negative and below 10 s.
[ "$(grep -vc '^#' "$T/frames.log")" -eq 90 ] || { echo "frame log:"; cat "$T/frames.log"; exit 1; }
awk -F'\t' '!/^#/ { if ($7 < 0 || $7 > 10000 || $6 <= 0 || $8 != 640 || $9 != 480) bad++ }
  NR == 2 && $10 !~ /K/ { bad++ } END { exit bad > 0 }' "$T/frames.log" || {
  echo "implausible frame log:"; cat "$T/frames.log"; exit 1; }
# Decoded frames match the source.
ls "$T"/dump/frame-*.yuv >/dev/null
"$B/tests/viewer_refcheck" 640x480 30 $(ls "$T"/dump/frame-*.yuv | sort) | tee "$T/psnr.txt"
grep -q "the operator ended\|operator ended\|ended" "$T/h1.out"

# --- 2. Deny: exit 4 ------------------------------------------------------------------------
start_host h2
viewer v2 --code "$CODE"
wait_line "Allow? \[y/N\]" "$T/h2.out"
echo n >"$T/h2.in"
rc=0; wait $VPID || rc=$?
[ $rc -eq 4 ] || { echo "deny: viewer exit $rc, want 4"; cat "$T/v2.out" "$T/v2.err"; exit 1; }
grep -q "^end=customer-denied exit=4" "$T/v2.out"
grep -q "^state=waiting-for-consent" "$T/v2.out"

# --- 3. Allow, then the customer clicks End remote support ("end" on the terminal): exit 3 --
start_host h3
viewer v3 --code "$CODE"
wait_line "Allow? \[y/N\]" "$T/h3.out"
echo y >"$T/h3.in"
wait_line "^state=viewing" "$T/v3.out"
sleep 1
echo end >"$T/h3.in"
rc=0; wait $VPID || rc=$?
[ $rc -eq 3 ] || { echo "customer end: viewer exit $rc, want 3"; cat "$T/v3.out" "$T/v3.err"; exit 1; }

# --- 4. A wrong code: exit 7 ------------------------------------------------------------------
viewer v4 --code 000000000000
rc=0; wait $VPID || rc=$?
[ $rc -eq 7 ] || { echo "bad code: viewer exit $rc, want 7"; cat "$T/v4.out" "$T/v4.err"; exit 1; }

# --- 4b. The right relay digits, other secret digits (a well-formed code): the host refuses
# end to end, both sides say the code does not match, the host offers the code again ----------
start_host h4
wrong=$(python3 - "${CODE// /}" <<'PY'
import sys
T = [[0,3,1,7,5,9,8,6,4,2],[7,0,9,2,1,5,4,8,6,3],[4,2,0,6,8,7,1,3,5,9],[1,7,5,0,9,8,3,4,2,6],
     [6,1,2,3,0,4,5,9,7,8],[3,6,7,4,2,0,9,5,8,1],[5,8,6,9,7,2,0,1,3,4],[8,9,4,5,3,6,2,0,1,7],
     [9,4,3,8,6,1,7,2,0,5],[2,5,8,1,4,3,6,7,9,0]]
c = sys.argv[1][:10] + str((int(sys.argv[1][10]) + 1) % 10)
i = 0
for d in c:
    i = T[i][int(d)]
print(c + str(i))  # Damm check digit: the viewer takes it as well formed
PY
)
viewer v4b --code "$wrong"
rc=0; wait $VPID || rc=$?
[ $rc -eq 7 ] && grep -q "^end=code-mismatch" "$T/v4b.out" &&
  grep -q "refused by the host.*the code does not match" "$T/v4b.err" || {
  echo "wrong secret digits: viewer exit $rc, want 7 code-mismatch"; cat "$T/v4b.out" "$T/v4b.err"; exit 1; }
wait_line "The code the operator entered does not match; new code: " "$T/h4.out"
! grep -q "Allow? \[y/N\]" "$T/h4.out" || { echo "the host asked for consent"; exit 1; }

# --- 5. The relay disappears mid-session: exit 6 ----------------------------------------------
start_host h5
viewer v5 --code "$CODE"
wait_line "Allow? \[y/N\]" "$T/h5.out"
echo y >"$T/h5.in"
wait_line "^state=viewing" "$T/v5.out"
kill -KILL $RPID
rc=0; wait $VPID || rc=$?
[ $rc -eq 6 ] || { echo "relay lost: viewer exit $rc, want 6"; cat "$T/v5.out" "$T/v5.err"; exit 1; }
echo "viewer e2e: all cases passed ($(tail -1 "$T/psnr.txt"))"
rm -rf "$T"
