#!/usr/bin/env bash
# The host's Windows process seam and sasae_ui's Windows part under Wine
# (tests/win/test_win_plat.c), in a Wine prefix of this test's own: it puts fonts into the
# Windows fonts folder, which no other test may see. Twice: a Japanese Windows (the UI
# language from a ja_JP.UTF-8 locale compiled here: Wine takes it from the Unix locale), with
# a Japanese font (Noto Serif CJK, a collection) where Meiryo is looked for and a font without
# Japanese (DejaVu Sans) where Yu Gothic is; then an English one, with no fonts.
set -euo pipefail
: "${SASAE_WIN_BIN:?the Windows build directory}" "${SASAE_SRC:?the source tree}"
dir=$(mktemp -d /tmp/sasae-plat-XXXXXX)
export WINEPREFIX="$dir/wine"
cleanup() {
    local rc=$?
    wineserver -k 2>/dev/null || true
    rm -rf "$dir"
    exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ja_font=/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
other_font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
for f in "$ja_font" "$other_font"; do [ -f "$f" ] || fail "no $f (fonts-noto-cjk, fonts-dejavu-core)"; done
winpath() { echo "Z:${1//\//\\}"; }
exe="$SASAE_WIN_BIN/tests/win/test_win_plat.exe"

mkdir -p "$dir/locale"
localedef -i ja_JP -f UTF-8 "$dir/locale/ja_JP.UTF-8" 2>/dev/null ||
    [ -d "$dir/locale/ja_JP.UTF-8" ] || fail "localedef ja_JP.UTF-8"
echo "== Japanese Windows, fonts in the fonts folder"
LOCPATH="$dir/locale" LANG=ja_JP.UTF-8 LC_ALL= "$SASAE_SRC/tests/win/wine-run.sh" "$exe" \
    --lang ja "$(winpath "$ja_font")" "$(winpath "$other_font")" | tr -d '\r' | tee "$dir/ja.out"
grep -q "^# [0-9]* checks, 0 failed" "$dir/ja.out" || fail "checks failed (Japanese)"
echo "== English Windows"
LANG=C.UTF-8 LC_ALL= "$SASAE_SRC/tests/win/wine-run.sh" "$exe" --lang en | tr -d '\r' |
    tee "$dir/en.out"
grep -q "^# [0-9]* checks, 0 failed" "$dir/en.out" || fail "checks failed (English)"
echo PASS
