#!/usr/bin/env bash
# Runs a Windows program of the build under Wine for the tests: a private Wine prefix
# (created on first use, crash dialogs off so a crash ends the run instead of hanging it),
# the Linux environment's OpenSSL variables removed (Wine passes the environment into the
# Windows process, and static OpenSSL would read them), and an Xvfb of its own when no
# DISPLAY is given. The program's exit status is returned (mod 256, as Wine gives it).
# Usage: wine-run.sh PROGRAM.exe [ARGS...]   (CMake's CROSSCOMPILING_EMULATOR)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export WINEPREFIX="${WINEPREFIX:-${SASAE_WINEPREFIX:-$HOME/.cache/sasae-wine}}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
unset SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF OPENSSL_MODULES OPENSSL_ENGINES

. "$here/wine-prefix.sh"
wine_prefix_ready || exit 125

xvfb=
cleanup() { [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null && wait "$xvfb" 2>/dev/null; }
trap cleanup EXIT
if [ -z "${DISPLAY:-}" ]; then
  fifo=$(mktemp -u /tmp/sasae-wxvfb-XXXXXX)
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$fifo" >/dev/null 2>&1 &
  xvfb=$!
  read -r -t 20 n <"$fifo" || { echo "wine-run: Xvfb did not start" >&2; rm -f "$fifo"; exit 125; }
  rm -f "$fifo"
  export DISPLAY=":$n"
fi
wine "$@"
