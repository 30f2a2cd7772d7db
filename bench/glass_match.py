#!/usr/bin/env python3
"""Matches true glass-to-glass events (bench/glass_to_glass.sh, slow_link.sh --window).

usage: glass_match.py DRAWS FRAME_LOG VISIBLE [WHAT]
DRAWS: bench/typist's lines under TYPIST_MONO=1 (REAL_US MONO_US per event); FRAME_LOG: the
windowed viewer's --frame-log (shown_us: after SDL_RenderPresent returned); VISIBLE:
bench/glasspoll's lines (MONO_US REAL_US per window change). An event's frame is the first
new-content frame captured after it (as bench/typing_latency.sh matches); its visible time is
the first window change after both the event and the present before that frame's, so neither
an earlier step's frame nor a top-off is counted for it. Source->visible uses CLOCK_MONOTONIC
on both ends; the real-time clock only ties changes to frames. Events drawn after the last
frame's capture (the session ended) are left out.
"""
import bisect, statistics, sys
draws = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if l.strip()]  # (real, mono)
frames = []  # (capture_us, shown_us, refresh, recv_us, decode_ms)
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    f = line.rstrip("\n").split("\t")
    frames.append((int(f[1]), int(f[3]), "R" in f[9], int(f[2]), float(f[4])))
content = sorted(f for f in frames if not f[2])
caps = [f[0] for f in content]
draws = [d for d in draws if d[0] < caps[-1]]
presents = sorted(set(f[1] for f in frames))
vis = [tuple(int(x) for x in l.split()) for l in open(sys.argv[3]) if l.strip()]  # (mono, real)
vis_real = [v[1] for v in vis]
pres, seen, late, recv, dec = [], [], 0, [], []
for real, mono in draws:
    i = bisect.bisect_left(caps, real)
    if i == len(caps):
        continue
    shown = content[i][1]
    # the present before this frame's: its pixels were in the window when it returned
    j = bisect.bisect_left(presents, shown)
    after = max(real, presents[j - 1] if j > 0 else 0)
    k = bisect.bisect_right(vis_real, after)
    if k == len(vis):
        continue
    pres.append((shown - real) / 1000)
    recv.append((content[i][3] - real) / 1000)
    dec.append(content[i][4])
    seen.append((vis[k][0] - mono) / 1000)
    if vis[k][1] > shown + 20000:
        late += 1
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
what = (sys.argv[4] if len(sys.argv) > 4 else "") or "keystrokes"
if len(seen) < len(draws) * 0.9:
    sys.exit(f"only {len(seen)} of {len(draws)} {what} matched a frame and a window change")
print(f"{what} {len(draws)} (matched {len(seen)}; {late} seen > 20 ms after their present returned)")
print(f"latency source->presented ms: median {statistics.median(pres):.1f}  p95 {q(pres, .95):.1f}  max {max(pres):.1f}")
print(f"  source->received ms: median {statistics.median(recv):.1f}  p95 {q(recv, .95):.1f}; "
      f"decode ms: median {statistics.median(dec):.1f}  p95 {q(dec, .95):.1f} (the rest to presented: drawing the window)")
print(f"latency source->visible ms:   median {statistics.median(seen):.1f}  p95 {q(seen, .95):.1f}  max {max(seen):.1f}")
