#!/usr/bin/env python3
"""Reads an IVF stream on stdin (ffmpeg's full-frame VP9 baseline in bench/peers/run.sh) and
prints, for each encoded frame, the wall-clock time it arrived complete (microseconds,
CLOCK_REALTIME like bench/typist's stamps) and its size in bytes.
usage: ivfstamp.py [COPY.ivf]   COPY gets the stream too (whole frames only), so that the
harness can decode the frame the client had at a given moment (its PSNR at rest)."""
import sys
import time

src = sys.stdin.buffer
copy = open(sys.argv[1], "wb") if len(sys.argv) > 1 else None
head = src.read(32)  # the IVF file header
if len(head) < 32:
    sys.exit(0)
if copy:
    copy.write(head)
while True:
    head = src.read(12)  # frame size (4 bytes LE) and timestamp (8)
    if len(head) < 12:
        break
    size = int.from_bytes(head[:4], "little")
    frame = src.read(size)
    if len(frame) < size:
        break
    if copy:
        copy.write(head + frame)
        copy.flush()
    sys.stdout.write(f"{time.time_ns() // 1000}\t{size}\n")
    sys.stdout.flush()
