#!/usr/bin/env bash
# Integration: real sasae-host (--consent=tty in a pty), real sasae-relay, C test viewer, on
# loopback. Nothing but the handshake and the prompt state before Allow (checked at the
# viewer and in the relay's byte counters); Allow streams frames that decode, with
# system information once; End stops frames at once, sends END(customer), and nothing
# follows; the relay's audit log has the host's events.
set -euo pipefail
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
hl_relay

hl_host --source synthetic --size 640x360
# the device key's fingerprint is shown with the code (the operator's viewer shows the key it
# verified; the customer can read it out)
fpr=$(grep -o 'device key SHA256:[0-9A-F ]*' "$HL_HOST_LOG" | head -1 | sed 's/^device key //; s/ *$//')
[ ${#fpr} -eq 86 ] || hl_fail "no fingerprint in the log: '$fpr'"
hl_wait 5 grep -qF "$fpr" "$HL_HOST_OUT" || hl_fail "fingerprint not shown to the customer"
hl_viewer --timeout 60
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no consent prompt state"
hl_hsaw "Hanako Sato (Example Help Desk)" || hl_fail "prompt without the verified operator"
hl_hsaw "see basic system information (OS, computer name, CPU, memory, disk, displays, network)" ||
    hl_fail "the prompt does not say system information is sent"
b1=$(hl_metric host_to_viewer)
sleep 2
b2=$(hl_metric host_to_viewer)
echo "before consent: host_to_viewer $b1 then $b2 bytes"
[ "$b1" = "$b2" ] || hl_fail "host sent bytes while the prompt was showing ($b1 -> $b2)"
[ "$b2" -lt 2000 ] || hl_fail "too many bytes before consent: $b2"
[ "$(hl_frames)" -eq 0 ] || hl_fail "frames before consent"
grep -Eq " (sysinfo|cursor_shape)" "$HL_VIEWER_OUT" && hl_fail "screen data before consent"

hl_answer y
hl_wait 20 hl_vsaw "consent 2" || hl_fail "no consent allowed"
hl_wait 5 grep -qF "Computer key ${fpr:0:26}" "$HL_HOST_OUT" ||
    hl_fail "fingerprint not shown while sharing"
hl_wait 20 hl_frames_atleast 30 || hl_fail "fewer than 30 frames after Allow"
grep " frame " "$HL_VIEWER_OUT" | grep -vq " decoded 640x360" && hl_fail "a frame did not decode"
[ "$(grep -c " sysinfo " "$HL_VIEWER_OUT")" -eq 1 ] || hl_fail "sysinfo not sent exactly once"
grep -q " sysinfo .*os=" "$HL_VIEWER_OUT" || hl_fail "sysinfo content"
grep -Eq " sysinfo .*(hostname=|disk_home)" "$HL_VIEWER_OUT" && hl_fail "sysinfo beyond what the prompt lists"
b3=$(hl_metric host_to_viewer)
[ "$b3" -gt 20000 ] || hl_fail "relay forwarded only $b3 bytes of video"
echo "streaming: $(hl_frames) frames, relay host_to_viewer $b3 bytes"

t_end=$(date +%s%6N)
hl_type end
hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "no END(customer) at the viewer"
hl_wait 10 hl_vsaw "exit frames=" || hl_fail "viewer did not finish"
t_recv=$(grep " end 1 " "$HL_VIEWER_OUT" | cut -d' ' -f1)
last_cap=$(grep " frame " "$HL_VIEWER_OUT" | tail -1 | cut -d' ' -f5)
echo "End typed at $t_end; last frame captured at $last_cap ($(((last_cap - t_end) / 1000)) ms" \
    "after); END received $(((t_recv - t_end) / 1000)) ms after"
[ "$last_cap" -le $((t_end + 100000)) ] || hl_fail "a frame was captured more than 100 ms after End"
# END at the viewer within 100 ms of End (measured ~10 ms); 300 ms leaves room for a loaded
# sanitizer build and still catches a regression to seconds
[ "$t_recv" -le $((t_end + 300000)) ] || hl_fail "END reached the viewer $(((t_recv - t_end) / 1000)) ms after End"
hl_vsaw "exit frames=[0-9]* after_end=0" || hl_fail "records after END"
b4=$(hl_metric host_to_viewer)
sleep 1
b5=$(hl_metric host_to_viewer)
[ "$b4" = "$b5" ] || hl_fail "bytes forwarded after END ($b4 -> $b5)"
hl_wait 10 hl_hsaw "The remote support session has ended" || hl_fail "host did not say ended"
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit cleanly"
hl_hsaw "session keys were erased" || hl_fail "no keys-erased notice"
a="$HL_DIR/audit"
for r in handshake-done consent-allowed '"result":"end","reason":"end: customer"'; do
    cat "$a"/* | grep -q "$r" || hl_fail "audit lacks $r"
done
test "$(stat -c %a "$HL_DIR/state/device.key")" = 600 || hl_fail "device key mode"
echo PASS
