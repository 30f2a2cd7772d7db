#!/usr/bin/python3
"""Builds the fallback UI font embedded in the Windows exes: Noto Sans CJK JP Regular
(Debian fonts-noto-cjk, SIL Open Font License 1.1) cut down to what a Japanese or English
UI shows -- ASCII, Latin-1, kana, CJK punctuation, half-width forms and the 6,355 kanji of
JIS X 0208 (levels 1 and 2: every kanji of ordinary names and text) -- then compressed
with zlib (common/ui_win.c inflates it). Windows' own Japanese fonts are used first.

usage: make-font.py SOURCE.ttc OUTPUT.z"""
import subprocess
import sys
import tempfile
import zlib


def charset():
    chars = set()
    for b1 in range(0xA1, 0xFF):  # JIS X 0208 through EUC-JP
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes([b1, b2]).decode("euc_jp"))
            except UnicodeDecodeError:
                pass
    for lo, hi in ((0x20, 0x7F), (0xA0, 0x100), (0x3000, 0x3100), (0xFF01, 0xFFA0)):
        chars.update(chr(c) for c in range(lo, hi))
    chars.update("‐–—…‘’“”•※〜")
    return "".join(sorted(chars))


def main():
    src, out = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        text, font = f"{d}/chars.txt", f"{d}/font.otf"
        with open(text, "w", encoding="utf-8") as f:
            f.write(charset())
        subprocess.run([sys.executable, "-m", "fontTools.subset", src, "--font-number=0",
                        f"--text-file={text}", f"--output-file={font}", "--no-hinting"],
                       check=True)
        data = open(font, "rb").read()
    with open(out, "wb") as f:
        f.write(zlib.compress(data, 9))
    print(f"make-font: {len(data)} bytes, {len(zlib.compress(data, 9))} compressed")


if __name__ == "__main__":
    main()
