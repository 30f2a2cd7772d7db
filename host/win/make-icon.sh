#!/usr/bin/env bash
# Makes host/win/sasae.ico, the Windows exes' icon: a rounded square in sasae's blue
# (#1f5fbf) with a white bold "S" (DejaVu Sans Bold, Debian fonts-dejavu-core), at 256
# (PNG-compressed), 48, 32 and 16 pixels. Each size is drawn at 4x and scaled down, so the
# small ones stay sharp. Needs ImageMagick 6 (convert). Same input, same bytes: no dates.
# usage: make-icon.sh [OUTPUT.ico]   (default: sasae.ico beside this script)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/sasae.ico}"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
[ -f "$font" ] || { echo "make-icon: no $font (install fonts-dejavu-core)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

sizes=(256 48 32 16)
for s in "${sizes[@]}"; do
  b=$((s * 4))                   # drawn at 4x
  r=$((b / 8))                   # corner radius
  convert -size "${b}x${b}" xc:none -fill '#1f5fbf' \
    -draw "roundrectangle 0,0 $((b - 1)),$((b - 1)) $r,$r" \
    -font "$font" -pointsize $((b * 3 / 4)) -fill white -gravity center \
    -annotate +0+$((b / 64)) S \
    -filter Lanczos -resize "${s}x${s}" \
    -define png:exclude-chunks=date,time -strip "PNG32:$tmp/$s.png"
done
# ICO: 256 stays PNG inside the file, the small sizes become bitmaps
convert "$tmp/256.png" "$tmp/48.png" "$tmp/32.png" "$tmp/16.png" \
  -strip "$out"
echo "make-icon: $out ($(stat -c %s "$out") bytes)"
