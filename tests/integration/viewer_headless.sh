#!/usr/bin/env bash
# sasae-viewer --headless without a host: the --test-pattern debug source through the
# headless front end (PNG and I420 dumps, frame log, limits), exit codes per end reason,
# and clear usage errors.
set -euo pipefail
V=$SASAE_BIN/viewer/sasae-viewer
T=$(mktemp -d /tmp/viewer-headless.XXXXXX)
trap 'rm -rf "$T"' EXIT

# 30 frames of a 320x240 pattern, dumped as PNG, logged.
$V --headless --test-pattern 320x240@60 --max-frames 30 --dump-dir "$T/png" \
  --frame-log "$T/frames.log" >"$T/out" 2>"$T/err"
grep -q "^state=viewing" "$T/out"
grep -q "^end=operator-ended exit=0" "$T/out"
[ "$(ls "$T"/png/frame-*.png | wc -l)" -eq 30 ]
[ "$(grep -vc '^#' "$T/frames.log")" -eq 30 ]
head -1 "$T/frames.log" | grep -q "^#frame_id"
# The dumped PNG is a real 320x240 picture with the pattern's quadrant colours.
identify "$T/png/frame-000029.png" | grep -q "PNG 320x240"
px() { convert "$T/png/frame-000029.png" -format "%[fx:int(255*r)],%[fx:int(255*g)],%[fx:int(255*b)]" \
  -crop 1x1+$1+$2 +repage info:; }
near() { # "r,g,b" R G B
  IFS=, read -r r g b <<<"$1"
  [ $((r > $2 ? r - $2 : $2 - r)) -le 40 ] && [ $((g > $3 ? g - $3 : $3 - g)) -le 40 ] &&
    [ $((b > $4 ? b - $4 : $4 - b)) -le 40 ] || { echo "pixel $1, want $2,$3,$4"; return 1; }
}
near "$(px 300 20)" 0 255 0     # top right: green
near "$(px 20 220)" 0 0 255     # bottom left: blue
near "$(px 300 220)" 255 255 0  # bottom right: yellow

# Raw I420 dumps: exactly w*h*3/2 bytes each, every 5th frame.
$V --headless --test-pattern 322x242@60 --max-frames 10 --dump-dir "$T/yuv" --dump-format i420 \
  --dump-every 5 >/dev/null 2>&1
[ "$(ls "$T"/yuv/*.yuv | wc -l)" -eq 2 ]
for f in "$T"/yuv/*.yuv; do [ "$(stat -c %s "$f")" -eq $((322 * 242 + 2 * 161 * 121)) ]; done

# Exit codes per end reason.
expect_exit() { # CODE ARGS...
  local want=$1 rc=0
  shift
  "$V" "$@" >"$T/o" 2>"$T/e" || rc=$?
  [ $rc -eq "$want" ] || { echo "sasae-viewer $*: exit $rc, want $want"; cat "$T/o" "$T/e"; exit 1; }
}
expect_exit 3 --headless --test-pattern 64x64 --test-end customer-ended@200
expect_exit 4 --headless --test-pattern 64x64 --test-end customer-denied@200
expect_exit 5 --headless --test-pattern 64x64 --test-end consent-timeout@200
expect_exit 6 --headless --test-pattern 64x64 --test-end connection-lost@200
expect_exit 7 --headless --test-pattern 64x64 --test-end code-rejected@200
expect_exit 8 --headless --test-pattern 64x64 --test-end security-failure@200
expect_exit 1 --headless --test-pattern 64x64 --test-end error@200
grep -q "^end=error exit=1" "$T/o"
expect_exit 0 --headless --test-pattern 64x64 --duration 0.3

# Usage errors (2) and unusable configuration (1), each with a message.
expect_exit 2 --headless --code 12345
grep -q "12 digits" "$T/e"
# a typo (wrong check digit) is caught before any network attempt
expect_exit 2 --headless --code "123 456 789 017" --relay wss://127.0.0.1:9/
grep -q "typo" "$T/e"
expect_exit 2 --headless
expect_exit 2 --headless --test-pattern 64x64 --dump-format bmp
expect_exit 2 --test-end customer-ended@10
expect_exit 2 --no-such-option
expect_exit 2 --config "$T/missing.conf"
expect_exit 1 --headless --code "123 456 789 018" --relay wss://127.0.0.1:9/
grep -q "needs --code, --cert, --key" "$T/e"
expect_exit 1 --headless --code 123456789018 --cert "$T/none.pem" --key "$T/none.key" \
  --relay-ca "$T/none.pem"
grep -q "cannot read operator certificate" "$T/e"
expect_exit 1 --headless --test-pattern 64x64 --max-frames 2 --dump-dir /proc/viewer-cannot
# A config file provides the same options (command line wins).
printf 'headless = yes\ntest-pattern = 96x64@50 # comment\nmax-frames = 5\n' >"$T/v.conf"
expect_exit 0 --config "$T/v.conf" --frame-log "$T/cfg.log"
[ "$(grep -vc '^#' "$T/cfg.log")" -eq 5 ]
printf 'bogus = 1\n' >"$T/bad.conf"
expect_exit 2 --config "$T/bad.conf"
grep -q "bad.conf:1" "$T/e"
$V --help | grep -q "Exit codes"
echo "viewer headless: all passed"
