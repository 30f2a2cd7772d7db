#!/usr/bin/env bash
# Integration: the ways a session ends besides End remote support, each with the real host,
# relay and test viewer: Deny (and Enter alone = the default No) ends with END(denied) and
# no screen data; answers fed blindly never allow; the operator's END ends it on the host; a viewer that vanishes without a
# word ends it too; a damaged record after Allow ends it with a true sentence; SIGTERM or
# SIGHUP during sharing sends END(shutdown). The host exits each time.
set -euo pipefail
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
hl_relay

no_screen_data() {
    [ "$(hl_frames)" -eq 0 ] || hl_fail "frames were sent"
    if grep -Eq " (sysinfo|cursor_shape)" "$HL_VIEWER_OUT"; then hl_fail "screen data sent"; fi
}

echo "== Deny"
hl_host --source synthetic --size 320x240
hl_viewer --timeout 30
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer n
hl_wait 10 hl_vsaw "consent 3" || hl_fail "no consent denied"
hl_wait 10 hl_vsaw "end 3 denied" || hl_fail "no END(denied)"
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit"
hl_hsaw "You denied the request" || hl_fail "host did not say denied"
no_screen_data
cat "$HL_DIR"/audit/* | grep -q consent-denied || hl_fail "audit lacks consent-denied"

echo "== Enter alone is No"
hl_host --source synthetic --size 320x240
hl_viewer --timeout 30
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer ""
hl_wait 10 hl_vsaw "end 3 denied" || hl_fail "Enter did not deny"
no_screen_data

echo "== type-ahead cannot answer the prompt"
hl_host --source synthetic --size 320x240
hl_type y # typed while the code shows: must be discarded when the question appears
sleep 0.5
hl_viewer --timeout 30
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
sleep 1.5
hl_vsaw "consent 2" && hl_fail "type-ahead allowed the session"
no_screen_data
hl_answer n
hl_wait 10 hl_vsaw "end 3 denied" || hl_fail "no END(denied)"

echo "== answers fed blindly (as \`yes | script ...\`) cannot answer the prompt"
hl_host --source synthetic --size 320x240
hl_viewer --timeout 30
# a feeder typing y every 100 ms from before the question until well after it
( for i in $(seq 1 60); do
    tmux -L "sasae$$" send-keys -t "$HL_TMUX" y Enter 2>/dev/null || exit 0
    sleep 0.1
done ) &
feeder=$!
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
sleep 3
hl_vsaw "consent 2" && hl_fail "a blind feeder allowed the session"
grep -q '\[y/N\]' "$HL_HOST_OUT" && hl_fail "the [y/N] line appeared while input kept coming"
wait "$feeder" || true
no_screen_data
hl_answer n
hl_wait 10 hl_vsaw "end 3 denied" || hl_fail "no END(denied) after the feeder stopped"

echo "== operator ends"
hl_host --source synthetic --size 320x240
hl_viewer --timeout 30 --frames 10 --then end
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer y
hl_wait 20 hl_vsaw "sent end" || hl_fail "viewer did not end"
hl_wait 10 hl_hsaw "The operator ended the session" || hl_fail "host did not end"
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit"
# both sides close right after END: the relay's audit records the session end either way
n_end=$(cat "$HL_DIR"/audit/* | grep -c '"event":"end"' || true)
[ "$n_end" -ge 4 ] || { cat "$HL_DIR"/audit/*; hl_fail "audit lacks the session end"; }

echo "== viewer vanishes"
hl_host --source synthetic --size 320x240
hl_viewer --timeout 30 --frames 10 --then vanish
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer y
hl_wait 20 hl_vsaw "vanish" || hl_fail "viewer did not vanish"
hl_wait 30 hl_hsaw "operator disconnected" || hl_fail "host did not notice the vanished viewer"
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit"
hl_hsaw "sharing -> ended (peer_left)" || hl_fail "wrong end reason"

# signal_while_sharing SIG: a sharing host that gets SIG sends END(shutdown), then nothing
# more, and exits.
signal_while_sharing() {
    hl_host --source synthetic --size 320x240
    hl_viewer --timeout 30
    hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
    hl_answer y
    hl_wait 20 hl_frames_atleast 5 || hl_fail "no frames"
    local pid hpid
    pid=$(tmux -L "sasae$$" list-panes -t "$HL_TMUX" -F '#{pane_pid}')
    hpid=$(pgrep -P "$pid" -x sasae-host || true)
    [ -n "$hpid" ] || hl_fail "host pid not found"
    kill -"$1" "$hpid"
    hl_wait 10 hl_vsaw "end 7 signal" || hl_fail "no END(shutdown) on SIG$1"
    hl_wait 10 hl_vsaw "after_end=0" || hl_fail "records after END"
    hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit"
}

echo "== a damaged record after Allow: a true sentence (verified, shared), not 'could not be verified'"
hl_host --source synthetic --size 320x240
CMDS=$HL_DIR/bad.cmds
mkfifo "$CMDS"
hl_viewer --timeout 30 --commands "$CMDS"
exec 7>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer y
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"
echo badrecord >&7
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not end on a damaged record"
hl_hsaw "failed its security check" || hl_fail "host did not say the connection failed its check"
hl_hsaw "Screen sharing and remote control have stopped" || hl_fail "host did not say sharing stopped"
! hl_hsaw "could not be verified" || hl_fail "host claims the operator was never verified"
! hl_hsaw "Nothing was shared" || hl_fail "host claims nothing was shared"
exec 7>&-
grep -q "Nothing was shared" "$HL_DIR/host1.out" || hl_fail "the denied session does not say nothing was shared"

echo "== SIGTERM while sharing"
signal_while_sharing TERM
echo "== SIGHUP while sharing (the terminal closed, a logout)"
signal_while_sharing HUP
echo PASS
