#!/usr/bin/env bash
# Integration: a consent prompt nobody answers is a Deny after 60 s: CONSENT_STATE timeout,
# END(timeout), no screen data, the host exits. (Takes a little over a minute.)
set -euo pipefail
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
hl_relay
hl_host --source synthetic --size 320x240
hl_viewer --timeout 120
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
t0=$(date +%s)
sleep 50
hl_vsaw "end " && hl_fail "ended before 60 s"
hl_wait 30 hl_vsaw "end 4" || hl_fail "no END(timeout) after 60 s"
t1=$(date +%s)
echo "timed out after $((t1 - t0)) s"
[ $((t1 - t0)) -ge 58 ] || hl_fail "timeout too early"
hl_vsaw "consent 4" || hl_fail "no CONSENT_STATE timeout"
[ "$(hl_frames)" -eq 0 ] || hl_fail "frames sent"
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit"
hl_hsaw "No answer within 60 seconds" || hl_fail "host did not say timeout"
cat "$HL_DIR"/audit/* | grep -q consent-timeout || hl_fail "audit lacks consent-timeout"
# the relay's end record names the host and the reason (from its close frame)
hl_wait 5 bash -c "cat '$HL_DIR'/audit/* | grep '\"event\":\"end\"' | grep '\"ended_by\":\"host\"' | grep -q '\"reason\":\"consent_timeout\"'" ||
    { cat "$HL_DIR"/audit/*; hl_fail "audit end record: not ended_by host, reason consent_timeout"; }
echo PASS
