#!/usr/bin/env python3
"""A userspace netem for kernels without sch_netem: joins two tap devices that live in two
network namespaces and carries every Ethernet frame between them after DELAY_MS/2 ms (each
direction, so TCP itself sees an RTT of DELAY_MS) and drops LOSS_PCT % of them at random
(each direction). Rate shaping stays with tbf on the taps.

usage: netem_tap.py NETNS_A TAP_A NETNS_B TAP_B DELAY_MS LOSS_PCT [SEED]
The taps must exist (ip -n NS tuntap add mode tap name TAP). Prints "wire ready" once both
are open, and on SIGTERM the frames carried and dropped per direction."""
import ctypes
import fcntl
import heapq
import os
import random
import select
import signal
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
libc = ctypes.CDLL(None, use_errno=True)


def open_tap(netns, name):
    """Opens tap NAME inside NETNS: this thread enters the namespace for the open only."""
    fd = os.open(f"/var/run/netns/{netns}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit(f"setns {netns}: {os.strerror(ctypes.get_errno())}")
    os.close(fd)
    t = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(t, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    os.set_blocking(t, False)
    return t


def main():
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    ns_a, tap_a, ns_b, tap_b = sys.argv[1:5]
    half = float(sys.argv[5]) / 2000.0
    loss = float(sys.argv[6]) / 100.0
    rng = random.Random(int(sys.argv[7]) if len(sys.argv) > 7 else None)
    a, b = open_tap(ns_a, tap_a), open_tap(ns_b, tap_b)
    peer = {a: b, b: a}
    stats = {a: [0, 0], b: [0, 0]}  # carried, dropped: frames read from that side
    q = []  # (due, seq, out_fd, frame): in order per direction since the delay is fixed
    seq = 0
    done = []
    signal.signal(signal.SIGTERM, lambda *_: done.append(1))
    print("wire ready", flush=True)
    while not done:
        timeout = max(0.0, q[0][0] - time.monotonic()) if q else 0.5
        try:
            r, _, _ = select.select([a, b], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in r:
            while True:
                try:
                    frame = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if loss and rng.random() < loss:
                    stats[fd][1] += 1
                    continue
                stats[fd][0] += 1
                seq += 1
                heapq.heappush(q, (now + half, seq, peer[fd], frame))
        now = time.monotonic()
        while q and q[0][0] <= now:
            _, _, out, frame = heapq.heappop(q)
            try:
                os.write(out, frame)
            except OSError:
                pass  # the far tap's queue is full: a drop, as on a wire
    print(f"wire {tap_a}->{tap_b}: {stats[a][0]} carried, {stats[a][1]} dropped; "
          f"{tap_b}->{tap_a}: {stats[b][0]} carried, {stats[b][1]} dropped", flush=True)


if __name__ == "__main__":
    main()
