#!/usr/bin/env python3
"""Reads an IVF stream on stdin (ffmpeg's full-frame VP9 baseline in bench/peers/run.sh) and
prints, for each encoded frame, the wall-clock time it arrived complete (microseconds,
CLOCK_REALTIME like bench/typist's stamps) and its size in bytes."""
import sys
import time

src = sys.stdin.buffer
if len(src.read(32)) < 32:  # the IVF file header
    sys.exit(0)
while True:
    head = src.read(12)  # frame size (4 bytes LE) and timestamp (8)
    if len(head) < 12:
        break
    size = int.from_bytes(head[:4], "little")
    if len(src.read(size)) < size:
        break
    sys.stdout.write(f"{time.time_ns() // 1000}\t{size}\n")
    sys.stdout.flush()
