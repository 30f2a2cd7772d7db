#!/usr/bin/env python3
"""How a resting screen sharpens at the viewer (bench/slow_link.sh --rest).

usage: rest_psnr.py DRAWS FRAMES_LOG DUMP_DIR REST_BGRA WxH

DRAWS: the scroll steps' source timestamps (the last one is when the screen came to rest);
FRAMES_LOG: the viewer's --frame-log; DUMP_DIR: its --dump-format i420 frames; REST_BGRA: the
resting screen (raw BGRA). Each frame shown after the last step is compared on luma with
libyuv's conversion of the resting screen (what the host encodes, so "exact" is reachable).
"""
import math
import os
import sys

draws, log, dump, rest, size = sys.argv[1:6]
W, H = (int(v) for v in size.split('x'))
last = [int(l) for l in open(draws) if l.strip()][-1]
bgra = open(rest, 'rb').read()
# libyuv's ARGBToI420 luma (BT.601, studio range)
src = bytes((66 * bgra[i + 2] + 129 * bgra[i + 1] + 25 * bgra[i] + 0x1080) >> 8
            for i in range(0, W * H * 4, 4))
rows = [l.rstrip('\n').split('\t') for l in open(log) if not l.startswith('#') and l.strip()]
after = [r for r in rows if int(r[3]) > last]
got = {48: None, 55: None, 'exact': None}
seen = None
sent = 0
for r in after:
    sent += int(r[5])
    path = os.path.join(dump, 'frame-%06d.yuv' % int(r[0]))
    if not os.path.exists(path):
        continue
    with open(path, 'rb') as f:
        y = f.read(W * H)
    se = sum((a - b) * (a - b) for a, b in zip(y, src))
    psnr = 99.0 if se == 0 else 10 * math.log10(255 * 255 * W * H / se)
    t = (int(r[3]) - last) / 1000
    for k in (48, 55):
        if got[k] is None and psnr >= k:
            got[k] = (t, sent)
    if got['exact'] is None and se == 0:
        got['exact'] = (t, sent)
    seen = (t, psnr)


def fmt(v):
    return 'not reached' if v is None else f'{v[0]:.0f} ms ({v[1] / 1024:.0f} KB)'


if seen is None:
    print('at rest            no frame shown after the last step')
else:
    print(f"at rest (luma)     >=48 dB at {fmt(got[48])}, >=55 dB at {fmt(got[55])}, "
          f"exact at {fmt(got['exact'])} after the last step; last frame {seen[1]:.1f} dB "
          f"at {seen[0]:.0f} ms ({len(after)} frames after the last step)")
