#!/usr/bin/env bash
# The README's main-job command in smoke form: scripts/demo.sh with no display runs the
# relay, a host on a private Xvfb asking consent on the terminal, and a headless viewer.
# Driven through tmux as a person would: wait for the question, answer y, see frames
# arrive, press Ctrl-C, and check the session ended as "customer ended" with nothing left.
set -euo pipefail
: "${SASAE_BIN:?}" "${SASAE_SRC:?}"
T=$(mktemp -d /tmp/sasae-demo-smoke.XXXXXX)
SOCK=sasae-smoke-$$
tm() { tmux -L "$SOCK" "$@"; }
cleanup() {
  tm kill-server 2>/dev/null || true
  pkill -f "$T/state/" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  tm capture-pane -p -t demo 2>/dev/null | grep -v '^$' | tail -n 30 || true
  for f in "$T"/state/logs/*.log; do echo "--- $f"; tail -n 15 "$f"; done
  exit 1
}
# wait_pane PATTERN SECONDS
wait_pane() {
  for _ in $(seq $(($2 * 5))); do
    tm capture-pane -p -t demo -S -200 | grep -q -- "$1" && return 0
    sleep 0.2
  done
  return 1
}

# --help prints the options and nothing of the script's code
help=$(bash "$SASAE_SRC/scripts/demo.sh" --help)
[ "$(tail -n 1 <<<"$help")" = "Environment: SASAE_DEMO_DIR (state directory, default ~/.local/state/sasae-demo)." ] ||
  fail "demo.sh --help ends with: $(tail -n 2 <<<"$help")"

tm new-session -d -s demo -x 160 -y 50 \
  "env -u DISPLAY SASAE_DEMO_DIR=$T/state SASAE_BIN=$SASAE_BIN bash $SASAE_SRC/scripts/demo.sh --no-build; echo DEMO-EXIT=\$?; sleep 600"
wait_pane 'Your support code: [0-9]' 60 || fail "no support code shown"
wait_pane 'Allow? \[y/N\]' 60 || fail "no consent question"
# The private desktop keeps its background (its Xvfb must not reset when a client leaves)
dpy=$(tm capture-pane -p -t demo -S -200 | sed -n 's/.*private Xvfb on \(:[0-9]*\).*/\1/p' | head -n 1)
[ -n "$dpy" ] || fail "no private desktop announced"
DISPLAY=$dpy xprop -root >/dev/null 2>&1 # one more client that comes and goes
bg=$(DISPLAY=$dpy import -window root -crop 1x1+1270+790 -depth 8 txt:- | tail -n 1)
grep -qi '#2F5F8F' <<<"$bg" || fail "the private desktop lost its background: $bg"
# The question reads as one block, tells the person to type y, and no viewer line comes
# between it and its [y/N].
sleep 1
block=$(tm capture-pane -p -t demo -S -200 | sed -n '/== Remote support request ==/,/Allow? \[y\/N\]/p')
[ -n "$block" ] || fail "consent question block not found"
grep -q 'until you type y' <<<"$block" || fail "the question does not say to type y"
! grep -q '^viewer:' <<<"$block" || fail "viewer lines inside the consent question: $block"
# Nothing may reach the viewer before the customer allows.
[ -s "$T/state/logs/frames.log" ] && grep -qv '^#' "$T/state/logs/frames.log" && fail "frames before consent"
grep -q 'state=waiting-for-consent' "$T/state/logs/viewer.log" || fail "viewer not waiting for consent"

tm send-keys -t demo y Enter
wait_pane 'Sharing your screen with Demo Operator' 30 || fail "host is not sharing"
frames() { local n; n=$(grep -cv '^#' "$T/state/logs/frames.log" 2>/dev/null) || true; echo "${n:-0}"; }
for _ in $(seq 150); do
  [ "$(frames)" -ge 3 ] && break
  sleep 0.2
done
[ "$(frames)" -ge 3 ] || fail "viewer decoded fewer than 3 frames"

tm send-keys -t demo C-c
wait_pane 'DEMO-EXIT=' 30 || fail "demo did not stop after Ctrl-C"
grep -q 'end=customer-ended' "$T/state/logs/viewer.log" || fail "viewer did not see the customer end"
grep -q '"consent-allowed"' "$T/state/audit/"audit-*.jsonl || fail "no consent record in the audit log"
sleep 0.5
# (the tmux command line names "$T/state" too; the programs name files under it)
if pgrep -f "$T/state/" >/dev/null; then
  pgrep -af "$T/state/"
  fail "processes left running"
fi
echo "demo smoke: consent, frames, customer end, clean stop: ok"
