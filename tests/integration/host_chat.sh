#!/usr/bin/env bash
# Integration: chat on the host's terminal UI (--consent=tty) through the real relay with the
# test viewer. The operator's messages appear on the customer's terminal (English and
# Japanese), the customer's typed lines go back; nothing is shown before consent; an
# operator's text cannot drive the customer's terminal (escape sequences arrive as spaces).
set -euo pipefail
export LC_ALL=C.UTF-8 # tmux passes the Japanese keys only on a UTF-8 locale
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
hl_relay

hl_host --source synthetic --size 320x240
CMDS=$HL_DIR/c.cmds
mkfifo "$CMDS"
hl_viewer --timeout 60 --commands "$CMDS"
exec 7>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"

echo "== before consent: the operator's message is never shown"
echo "chat too early" >&7
hl_wait 10 hl_vsaw "cmd chat" || hl_fail "viewer did not send"
hl_answer y
hl_wait 20 hl_vsaw "consent 2" || hl_fail "not allowed"
sleep 0.5
grep -q "too early" "$HL_HOST_OUT" && hl_fail "a message sent before consent was shown"

echo "== the operator writes, the customer reads and replies (English)"
echo "chat Please open the Settings window" >&7
hl_wait 10 grep -q "\[sasae chat\] Hanako Sato: Please open the Settings window" "$HL_HOST_OUT" ||
    hl_fail "message not shown on the terminal"
grep -q "To reply, type your message and press Enter" "$HL_HOST_OUT" || hl_fail "no reply hint"
hl_type "OK, it is open now"
hl_wait 10 hl_vsaw "chat 18 OK, it is open now" || hl_fail "reply did not reach the operator"

echo "== Japanese both ways"
echo "chat 設定画面を開いてください" >&7
hl_wait 10 grep -q "Hanako Sato: 設定画面を開いてください" "$HL_HOST_OUT" ||
    hl_fail "Japanese message not shown"
hl_type "了解です、開きました"
hl_wait 10 hl_vsaw "chat 30 了解です、開きました" || hl_fail "Japanese reply did not arrive"

echo "== escape sequences in the operator's text reach the terminal as spaces"
printf 'chat A\033]0;owned\007B\033[2JC\302\233D\n' >&7
hl_wait 10 grep -q "Hanako Sato: A ]0;owned B \[2JC D" "$HL_HOST_OUT" ||
    hl_fail "controls not replaced"
if LC_ALL=C grep -q $'\033\|\007\|\302\233' "$HL_HOST_OUT"; then
    hl_fail "a control character from the operator reached the terminal"
fi

echo "== a question still takes the line: the answer is not sent as chat"
echo "control" >&7
hl_wait 10 grep -q 'Allow control? \[y/N\]' "$HL_HOST_OUT" || hl_fail "no control question"
hl_type n
sleep 1
hl_vsaw "chat 1 n" && hl_fail "the answer to a question went out as chat"

hl_type end
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not end"
grep -q "chat: message 3 from the operator" "$HL_HOST_LOG" || hl_fail "log does not count"
exec 7>&-
echo PASS
