#!/usr/bin/env python3
"""analyse.py DIR: bench/peers/run.sh's table. DIR/windows lists one line per measured
workload: SYSTEM REP WORKLOAD PERIOD_MS (typist's stamps in DIR/SYSTEM.REP.WORKLOAD.draws);
DIR/SYSTEM.REP.events is that session's client-side log and DIR/SYSTEM.REP.samples the
sampler's. For each workload: wire kbit/s (bytes the client read), delivered updates/s, the
latency of each typist stamp to the first update after it, the server's CPU and peak RSS.
Medians over the repetitions; the ratios sasae/peer are taken within each repetition (same
run, same load) and their median is printed. DIR/rest (run.sh's rest session, if any) lists
SYSTEM WORKLOAD KIND WHERE: the client's picture once the screen rested (KIND i420: sasae's
dumped frame; rgbx: the VNC meter's frame buffer; ivf: the index of ffmpeg's frame, decoded
into DIR/rest.ffmpeg.K.yuv, K = 1, 2, ... in this order), compared on luma with the screen then
(DIR/rest.SYSTEM.WORKLOAD.bgra)."""
import bisect
import math
import collections
import os
import statistics
import sys

d = sys.argv[1]
TCK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count()


def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def events(system, rep):
    """(match_us, shown_us) of each update with new content, sorted by match_us: an update
    answers a stamp when match_us >= the stamp. sasae's frame log says when each frame was
    captured, so a frame answers only the changes made before its capture; the peers' logs
    only say when an update arrived, so an update arriving after the stamp answers it if the
    bounding box of its rectangles touches the marker's cell (typist's TYPIST_CELLS columns):
    still in the peers' favour when the update was grabbed before the change but the box
    touches the cell anyway. The third element is that box (None: not checked)."""
    ev = []
    for line in open(f"{d}/{system}.{rep}.events"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        if system == "sasae":
            if "R" in f[9]:  # a top-off or keep-alive: no new content
                continue
            ev.append((int(f[1]), int(f[3]), None))
        elif system == "ffmpeg":
            ev.append((int(f[0]), int(f[0]), None))  # full frames: every cell
        elif int(f[1]) > 0:
            ev.append((int(f[0]), int(f[0]), tuple(int(x) for x in f[2:6])))
    ev.sort()
    return ev


def samples(system, rep):
    s = []
    for line in open(f"{d}/{system}.{rep}.samples"):
        s.append(tuple(int(x) for x in line.split()))
    return s


def at(s, t, col):
    """The sampled counter interpolated at time t."""
    ts = [x[0] for x in s]
    i = bisect.bisect_left(ts, t)
    if i <= 0:
        return s[0][col]
    if i >= len(s):
        return s[-1][col]
    a, b = s[i - 1], s[i]
    return a[col] + (b[col] - a[col]) * (t - a[0]) / max(1, b[0] - a[0])


W, H = 1920, 1080


def luma(b, order):
    """BT.601 studio-range luma of 4-byte pixels, as libyuv's ARGBToI420 (what sasae's host
    encodes, so that its picture can equal it exactly). order: the offsets of R, G, B."""
    r, g, bl = (b[o::4] for o in order)
    return bytes((66 * x + 129 * y + 25 * z + 0x1080) >> 8 for x, y, z in zip(r, g, bl))


def psnr(a, b):
    """Luma PSNR in dB, inf when identical; rows that are equal are skipped (fast at rest)."""
    se = 0
    for y in range(H):
        ra, rb = a[y * W:(y + 1) * W], b[y * W:(y + 1) * W]
        if ra != rb:
            se += sum((p - q) * (p - q) for p, q in zip(ra, rb))
    return float("inf") if se == 0 else 10 * math.log10(255 * 255 * W * H / se)


rest = {}  # (workload, system) -> dB
if os.path.exists(f"{d}/rest"):
    ff = 0
    for line in open(f"{d}/rest"):
        system, wl, kind, where = line.split()
        src = luma(open(f"{d}/rest.{system}.{wl}.bgra", "rb").read(), (2, 1, 0))
        if kind == "i420":
            got = open(f"{d}/{where}", "rb").read()[:W * H]
        elif kind == "rgbx":
            got = luma(open(f"{d}/{where}", "rb").read(), (0, 1, 2))
        else:
            ff += 1
            got = open(f"{d}/rest.ffmpeg.{ff}.yuv", "rb").read()[:W * H]  # its Y plane
        rest[(wl, system)] = psnr(src, got) if len(got) == W * H else float("nan")

res = {}  # (workload, system, rep) -> dict
order_w, order_s = [], []
cache = {}
for line in open(f"{d}/windows"):
    system, rep, wl, period = line.split()
    period = int(period)
    if wl not in order_w:
        order_w.append(wl)
    if system not in order_s:
        order_s.append(system)
    if (system, rep) not in cache:
        cache[(system, rep)] = (events(system, rep), samples(system, rep))
    ev, smp = cache[(system, rep)]
    dl = [x.split() for x in open(f"{d}/{system}.{rep}.{wl}.draws") if x.strip()]
    draws = [int(x[0]) for x in dl]
    cells = [tuple(int(v) for v in x[1:5]) if len(x) >= 5 else None for x in dl]
    t0, t1 = draws[0], draws[-1] + period * 1000
    span = (t1 - t0) / 1e6
    keys = [e[0] for e in ev]
    lat, rejected = [], 0
    for dr, cell in zip(draws, cells):
        i = bisect.bisect_left(keys, dr)
        first = i
        while i < len(ev) and cell and ev[i][2]:
            bx0, by0, bx1, by1 = ev[i][2]
            x, y, w, h = cell
            # touches, not covers: pixels the change left equal (a glyph's blank columns, the
            # white end of a line scrolled over white) need not be sent
            if bx0 < x + w and x < bx1 and by0 < y + h and y < by1:
                break
            i += 1
        rejected += i > first
        if i < len(ev):
            lat.append((ev[i][1] - dr) / 1000)
    upd = sum(1 for e in ev if t0 <= e[1] <= t1)
    kbps = (at(smp, t1, 1) - at(smp, t0, 1)) * 8 / span / 1000
    cpu = (at(smp, t1, 2) - at(smp, t0, 2)) / TCK / span * 100 / NCPU
    rss = max([x[3] for x in smp if t0 <= x[0] <= t1] or [smp[-1][3]]) / 1024
    res[(wl, system, rep)] = dict(
        kbps=kbps, ups=upd / span, p50=statistics.median(lat) if lat else float("nan"),
        p95=q(lat, .95) if lat else float("nan"), max=max(lat) if lat else float("nan"),
        cpu=cpu, rss=rss, matched=len(lat), n=len(draws),
        rejected=rejected)

reps = sorted({k[2] for k in res})
print("| workload | system | wire kbit/s | updates/s | latency p50 / p95 / max ms | matched |"
      " server CPU % | server RSS MB | at rest, luma dB | p50 × | p95 × | kbit/s × |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for wl in order_w:
    for system in order_s:
        rows = [res[(wl, system, r)] for r in reps if (wl, system, r) in res]
        if not rows:
            continue
        m = {k: statistics.median(x[k] for x in rows) for k in rows[0]}
        ratio = collections.defaultdict(list)
        if system != "sasae":
            for r in reps:
                a, b = res.get((wl, "sasae", r)), res.get((wl, system, r))
                if a and b:
                    for k in ("p50", "p95", "kbps"):
                        if b[k] > 0:
                            ratio[k].append(a[k] / b[k])
        rt = {k: f"{statistics.median(v):.2f}" if v else "" for k, v in ratio.items()}
        # the most, over the repetitions, of stamps whose first update after them missed the cell
        rej = "" if system in ("sasae", "ffmpeg") else f" ({max(x['rejected'] for x in rows)} rej.)"
        db = rest.get((wl, system))
        db = "" if db is None else "exact" if db == float("inf") else f"{db:.1f}"
        print(f"| {wl} | {system} | {m['kbps']:.0f} | {m['ups']:.1f} | "
              f"{m['p50']:.1f} / {m['p95']:.1f} / {m['max']:.0f} | "
              f"{min(x['matched'] for x in rows)}/{rows[0]['n']}{rej} | {m['cpu']:.1f} | "
              f"{m['rss']:.0f} | {db} | {rt.get('p50', '—' if system == 'sasae' else '')} | "
              f"{rt.get('p95', '—' if system == 'sasae' else '')} | "
              f"{rt.get('kbps', '—' if system == 'sasae' else '')} |")
print(f"\n{len(reps)} repetitions; medians. Ratios: sasae / peer within each repetition, median."
      + (f" At rest: one session, the picture {os.environ.get('REST', '3')} s after the last"
         " step against the screen (exact: identical luma)." if rest else ""))
